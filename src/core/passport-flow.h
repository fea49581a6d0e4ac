// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportFlow: the sign-in flow of architecture.md as a state machine.
// The UI and passportctl call the action methods; they watch the "state",
// "error", "account" (and the other) properties. Nothing here knows GTK.
#pragma once

#include <gio/gio.h>

#include "passport-account.h"
#include "passport-credential-store.h"
#include "passport-server.h"
#include "passport-session.h"
#include "passport-terms.h"

G_BEGIN_DECLS

typedef enum
{
  PASSPORT_FLOW_STATE_NEEDS_SERVER,          /* no server chosen yet */
  PASSPORT_FLOW_STATE_CONNECTING,            /* discovery / restore running */
  PASSPORT_FLOW_STATE_SIGNED_OUT,            /* server known, no session */
  PASSPORT_FLOW_STATE_AWAITING_BROWSER,      /* browser sign-in started, waiting for the callback */
  PASSPORT_FLOW_STATE_SIGNING_IN,            /* exchanging the code / password grant / GET /me */
  PASSPORT_FLOW_STATE_NEEDS_TERMS,           /* account must accept the current agreement */
  PASSPORT_FLOW_STATE_NEEDS_EMAIL,           /* bind an e-mail and create a password */
  PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, /* pending_email set; long poll runs */
  PASSPORT_FLOW_STATE_EMAIL_CONFLICT,        /* bind answered email_exists; see conflict-step */
  PASSPORT_FLOW_STATE_SIGNED_IN,             /* account has a confirmed e-mail + password */
} PassportFlowState;

/* Sub-steps of freeing an address held by another account (state EMAIL_CONFLICT). */
typedef enum
{
  PASSPORT_CONFLICT_STEP_NONE,                   /* just told: the address is taken */
  PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN,          /* sign in to the other account (password or browser) */
  PASSPORT_CONFLICT_STEP_OTHER_SIGNING_IN,       /* that sign-in is running */
  PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL,        /* give the other account a new address */
  PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION, /* waiting for the other account's new address */
  PASSPORT_CONFLICT_STEP_FREED,                  /* address freed; binding it to this account */
} PassportConflictStep;

GType passport_flow_state_get_type (void) G_GNUC_CONST;
#define PASSPORT_TYPE_FLOW_STATE (passport_flow_state_get_type ())
GType passport_conflict_step_get_type (void) G_GNUC_CONST;
#define PASSPORT_TYPE_CONFLICT_STEP (passport_conflict_step_get_type ())

/* Stable lower-case names ("needs-server", "awaiting-confirmation", …) for
 * passportctl --json and logs. */
const char *passport_flow_state_to_string (PassportFlowState state);

#define PASSPORT_TYPE_FLOW (passport_flow_get_type ())
G_DECLARE_FINAL_TYPE (PassportFlow, passport_flow, PASSPORT, FLOW, GObject)

/* @store: where the session is remembered (libsecret or memory); the flow
 * keeps a reference. */
PassportFlow       *passport_flow_new                  (PassportCredentialStore *store);

/* Properties (all notify; read-only from outside):
 *   state            PassportFlowState
 *   conflict-step    PassportConflictStep
 *   busy             gboolean: a network/keyring call runs (show a spinner)
 *   error            GError* boxed (G_TYPE_ERROR): last failure, NULL once the
 *                    next action starts; the page shows it with a way forward
 *   server           PassportServer*  (NULL in NEEDS_SERVER)
 *   account          PassportAccount* (NULL until signed in); updated in place
 *                    by the long poll, so pages bind to its properties
 *   terms            PassportTerms*   (set in NEEDS_TERMS)
 *   conflict-email   char*: the address that is taken (EMAIL_CONFLICT)
 *   other-account    PassportAccount*: the second session's account while freeing
 *   browser-url      char*: authorization URL to copy/open (AWAITING_BROWSER)
 *   browser-provider char*: provider id of the running browser sign-in
 *   retry-after      gint64: monotonic µs deadline before resend / password
 *                    retry is allowed again (0 = none); for countdowns
 *   remember         gboolean: session is stored in the keyring (FALSE after the
 *                    user chose "continue without remembering")
 *   keyring-unavailable gboolean: the store failed; the UI asks for consent and
 *                    calls passport_flow_continue_without_keyring()
 */
PassportFlowState    passport_flow_get_state            (PassportFlow *self);
PassportConflictStep passport_flow_get_conflict_step    (PassportFlow *self);
gboolean             passport_flow_get_busy             (PassportFlow *self);
const GError        *passport_flow_get_error            (PassportFlow *self);
PassportServer      *passport_flow_get_server           (PassportFlow *self);
PassportAccount     *passport_flow_get_account          (PassportFlow *self);
PassportTerms       *passport_flow_get_terms            (PassportFlow *self);
const char          *passport_flow_get_conflict_email   (PassportFlow *self);
PassportAccount     *passport_flow_get_other_account    (PassportFlow *self);
const char          *passport_flow_get_browser_url      (PassportFlow *self);
const char          *passport_flow_get_browser_provider (PassportFlow *self);
gint64               passport_flow_get_retry_after      (PassportFlow *self);
gboolean             passport_flow_get_remember         (PassportFlow *self);
gboolean             passport_flow_get_keyring_unavailable (PassportFlow *self);

/* Browser used for sign-in; NULL = the system default (GIO / portal), or the
 * PASSPORT_BROWSER environment variable (a command; the URL is appended). */
void                 passport_flow_set_browser_command  (PassportFlow *self,
                                                         const char   *command);
void                 passport_flow_set_browser_timeout  (PassportFlow *self,
                                                         guint         seconds);

/* Actions. Each returns at once; progress and outcome come through the
 * properties above. An action that does not fit the current state
 * is ignored with a g_debug (the UI only offers what fits). Each is
 * cancellable with passport_flow_cancel(). */

/* NEEDS_SERVER/SIGNED_OUT → CONNECTING → restores a stored session for this
 * server when there is one (→ the account's state), else SIGNED_OUT. */
void passport_flow_set_server_url          (PassportFlow *self, const char *url);
/* Forget the server (back to NEEDS_SERVER); only when signed out. */
void passport_flow_change_server           (PassportFlow *self);

void passport_flow_sign_in_with_provider   (PassportFlow *self, const char *provider_id);
void passport_flow_sign_in_with_password   (PassportFlow *self, const char *email, const char *password);
/* AWAITING_BROWSER: open the browser again with the same URL. */
void passport_flow_reopen_browser          (PassportFlow *self);
/* Cancels what runs (browser wait, sign-in, conflict sub-step); returns to the
 * previous stable state. */
void passport_flow_cancel                  (PassportFlow *self);
/* Retry the last failed action (after a transport error). */
void passport_flow_retry                   (PassportFlow *self);

void passport_flow_accept_terms            (PassportFlow *self);
/* Decline = sign out. */
void passport_flow_decline_terms           (PassportFlow *self);

void passport_flow_bind_email              (PassportFlow *self, const char *email, const char *password);
void passport_flow_resend_confirmation     (PassportFlow *self);
/* AWAITING_CONFIRMATION: cancel the pending address (→ NEEDS_EMAIL). */
void passport_flow_cancel_pending_email    (PassportFlow *self);
/* AWAITING_CONFIRMATION / SIGNED_IN: a new address (PUT /me/email when one is
 * bound, else cancel pending + bind again with the kept password). */
void passport_flow_change_email            (PassportFlow *self, const char *email, const char *password);

/* EMAIL_CONFLICT */
void passport_flow_conflict_use_other_email (PassportFlow *self);          /* → NEEDS_EMAIL, typed password kept */
void passport_flow_conflict_start_freeing  (PassportFlow *self);           /* → OTHER_SIGN_IN */
void passport_flow_conflict_sign_in_with_password (PassportFlow *self, const char *password); /* e-mail = conflict-email */
void passport_flow_conflict_sign_in_with_provider (PassportFlow *self, const char *provider_id);
void passport_flow_conflict_set_other_email (PassportFlow *self, const char *new_email); /* PUT /me/email for the other account */
/* The same with the other account's current password (PUT /me/email asks for
 * it): needed when the other account signed in with its social network;
 * NULL @password = the one used to sign in to it. */
void passport_flow_conflict_set_other_email_full (PassportFlow *self, const char *new_email, const char *password);
void passport_flow_conflict_resend         (PassportFlow *self);
/* TRUE when the other account signed in without its password (social
 * network): the new-address step must ask for it. */
gboolean passport_flow_get_other_needs_password (PassportFlow *self);

/* SIGNED_IN */
void passport_flow_change_password         (PassportFlow *self, const char *current_password, const char *new_password);
void passport_flow_sign_out                (PassportFlow *self);

/* After keyring-unavailable: keep the session in memory only. */
void passport_flow_continue_without_keyring (PassportFlow *self);

/* The signed-in session (NULL when none), e.g. for `passportctl token`. */
PassportSession *passport_flow_get_session (PassportFlow *self);

/* The password typed in the bind form, kept (in secure memory) across a
 * conflict so the user does not type it again; NULL when none. */
const char *passport_flow_get_pending_password (PassportFlow *self);

G_END_DECLS
