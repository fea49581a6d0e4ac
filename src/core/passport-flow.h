// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportFlow: the sign-in flow of architecture.md as a state machine.
// The UI and passportctl call the action methods; they watch the "state",
// "error", "account" (and the other) properties. Nothing here knows GTK.
#pragma once

#include <gio/gio.h>

#include "passport-account.h"
#include "passport-client.h"
#include "passport-conflict.h"
#include "passport-accounts.h"
#include "passport-credential-store.h"
#include "passport-device-sign-in.h"
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
  PASSPORT_FLOW_STATE_AWAITING_DEVICE,       /* sign-in with another device: a code shown, polling */
  PASSPORT_FLOW_STATE_SIGNING_IN,            /* exchanging the code / password grant / GET /me */
  PASSPORT_FLOW_STATE_NEEDS_CODE,            /* password sign-in's second step: a TOTP or recovery code */
  PASSPORT_FLOW_STATE_NEEDS_TERMS,           /* account must accept the current agreement */
  PASSPORT_FLOW_STATE_NEEDS_EMAIL,           /* bind an e-mail and create a password */
  PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, /* pending_email set; long poll runs */
  PASSPORT_FLOW_STATE_EMAIL_CONFLICT,        /* bind answered email_exists; see conflict-step */
  PASSPORT_FLOW_STATE_SIGNED_IN,             /* account has a confirmed e-mail + password */
} PassportFlowState;

/* Stable lower-case names ("needs-server", "awaiting-confirmation", …) for
 * passportctl --json and logs. */
const char *passport_flow_state_to_string (PassportFlowState state);

#define PASSPORT_TYPE_FLOW (passport_flow_get_type ())
G_DECLARE_FINAL_TYPE (PassportFlow, passport_flow, PASSPORT, FLOW, GObject)

/* @store: where the session is remembered (libsecret or memory); the flow
 * keeps a reference. */
PassportFlow       *passport_flow_new                  (PassportCredentialStore *store);

/* Properties (all notify; read-only from outside):
 *   state            PassportFlowState (GType in passport-enums.h)
 *   conflict         PassportConflict* (EMAIL_CONFLICT only): freeing the address
 *   conflict-step    PassportConflictStep: the conflict's step (NONE without one)
 *   busy             gboolean: a network/keyring call runs (show a spinner)
 *   error            GError* boxed (G_TYPE_ERROR): last failure, NULL once the
 *                    next action starts; the page shows it with a way forward
 *   server           PassportServer*  (NULL in NEEDS_SERVER)
 *   account-id       char*: the account worked on (the signed-in session's
 *                    subject, or the stored account being opened); NULL
 *                    before any, and while an account is being added
 *   server-url       char*: the address being connected to, or of the server
 *                    connected (normalized); kept while it cannot be reached
 *   account          PassportAccount* (NULL until signed in); updated in place
 *                    by the long poll, so pages bind to its properties
 *   terms            PassportTerms*   (set in NEEDS_TERMS)
 *   conflict-email   char*: the address that is taken (EMAIL_CONFLICT)
 *   other-account    PassportAccount*: the second session's account while freeing
 *   browser-url      char*: authorization URL to copy/open (AWAITING_BROWSER)
 *   browser-provider char*: provider id of the running browser sign-in
 *   browser-launch-error GError* boxed: no browser could be opened for the
 *                    running sign-in (it goes on waiting: the user may open
 *                    browser-url by hand); NULL once one opened
 *   browser-deadline gint64: monotonic µs when the running browser sign-in
 *                    (the main one or the other account's) gives up waiting
 *                    (0 = none waits); for countdowns
 *   retry-after      gint64: monotonic µs deadline before resend (of our
 *                    mail, or of the other account's while freeing an
 *                    address) / password retry is allowed again (0 = none);
 *                    for countdowns
 *   remember         gboolean: session is stored in the keyring (FALSE after the
 *                    user chose "continue without remembering")
 *   session-remembered gboolean: the session outlives this process (it is
 *                    stored, and the server issued a refresh token); FALSE
 *                    with a session: "you will need to sign in again when
 *                    this session ends"
 *   keyring-health   PassportKeyringHealth: see passport_flow_get_keyring_health()
 *   keyring-unavailable gboolean: the store failed; the UI asks for consent and
 *                    calls passport_flow_continue_without_keyring()
 */
PassportFlowState    passport_flow_get_state            (PassportFlow *self);
PassportConflict    *passport_flow_get_conflict         (PassportFlow *self);
PassportConflictStep passport_flow_get_conflict_step    (PassportFlow *self);
gboolean             passport_flow_get_busy             (PassportFlow *self);
const GError        *passport_flow_get_error            (PassportFlow *self);
PassportServer      *passport_flow_get_server           (PassportFlow *self);
/* The address being connected to, or of the server connected (normalized). */
const char          *passport_flow_get_server_url       (PassportFlow *self);
const char          *passport_flow_get_account_id       (PassportFlow *self);
/* The keyring's state (passport_credential_store_check_async()), looked at
 * when the flow is made, when a keyring call fails, after unlocking and
 * when asked; AVAILABLE until first known. */
PassportKeyringHealth passport_flow_get_keyring_health  (PassportFlow *self);
void                 passport_flow_check_keyring        (PassportFlow *self);
/* Asks the keyring to unlock (it asks the user for its password), then
 * looks again; "keyring-unavailable" is cleared when it worked. Fails with
 * PASSPORT_ERROR_KEYRING_LOCKED when the user did not unlock it. Not an
 * action: it runs beside whatever the flow is doing. */
void                 passport_flow_unlock_keyring_async  (PassportFlow        *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean             passport_flow_unlock_keyring_finish (PassportFlow        *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
/* The list of accounts the flow keeps up to date: an account whose session
 * is stored is remembered there (and made the active one), one signed out
 * or ended is marked so. None by default. */
void                 passport_flow_set_accounts         (PassportFlow     *self,
                                                         PassportAccounts *accounts);
PassportAccounts    *passport_flow_get_accounts         (PassportFlow     *self);
PassportAccount     *passport_flow_get_account          (PassportFlow *self);
PassportTerms       *passport_flow_get_terms            (PassportFlow *self);
const char          *passport_flow_get_conflict_email   (PassportFlow *self);
PassportAccount     *passport_flow_get_other_account    (PassportFlow *self);
const char          *passport_flow_get_browser_url      (PassportFlow *self);
const char          *passport_flow_get_browser_provider (PassportFlow *self);
const GError        *passport_flow_get_browser_launch_error (PassportFlow *self);
gint64               passport_flow_get_browser_deadline (PassportFlow *self);
gint64               passport_flow_get_retry_after      (PassportFlow *self);
/* NEEDS_CODE: the monotonic µs the second step's mfa_token expires at
 * (for a countdown); 0 in other states. */
gint64               passport_flow_get_mfa_deadline     (PassportFlow *self);
gboolean             passport_flow_get_remember         (PassportFlow *self);
gboolean             passport_flow_get_session_remembered (PassportFlow *self);
gboolean             passport_flow_get_keyring_unavailable (PassportFlow *self);

/* Browser used for sign-in; NULL = the system default (GIO / portal), or the
 * PASSPORT_BROWSER environment variable (a command; the URL is appended). */
/* The browser command set below (NULL: the default), for other pages
 * opened in the browser (linking a network). */
const char          *passport_flow_get_browser_command  (PassportFlow *self);
void                 passport_flow_set_browser_command  (PassportFlow *self,
                                                         const char   *command);
/* How long a browser sign-in waits for the browser to come back; 0 = the
 * browser sign-in's own default. Sets "browser-deadline" when one starts. */
void                 passport_flow_set_browser_timeout  (PassportFlow *self,
                                                         guint         seconds);

/* Actions. Each asynchronous action finishes with its outcome: its _finish
 * returns TRUE, or FALSE with the error that ended it (the PASSPORT_ERROR
 * code says what happened; passport_error_describe() gives the words). It
 * also moves the properties above, so a UI may pass no callback and follow
 * "state", "busy" and "error". An action that does not fit the current
 * state changes nothing and finishes with PASSPORT_ERROR_ACTION_UNAVAILABLE.
 * A new action ends the one still running (G_IO_ERROR_CANCELLED), as do
 * passport_flow_cancel() and @cancellable. The callback runs after the
 * properties have moved. */

/* NEEDS_SERVER/SIGNED_OUT → CONNECTING → restores a stored session for this
 * server when there is one (→ the account's state), else SIGNED_OUT. A
 * keyring that cannot be read is not a failure of this action: it sets
 * "keyring-unavailable". */
void     passport_flow_set_server_url_async  (PassportFlow        *self,
                                              const char          *url,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean passport_flow_set_server_url_finish (PassportFlow  *self,
                                              GAsyncResult  *result,
                                              GError       **error);
/* As set_server_url, for one of several accounts: restores the stored
 * session of @account_id on @url (SIGNED_OUT when none is stored: "sign in
 * again"); with @account_id NULL restores nothing, so that a sign-in adds
 * an account beside the stored ones ("Add account"). */
void     passport_flow_open_account_async    (PassportFlow        *self,
                                              const char          *url,
                                              const char          *account_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean passport_flow_open_account_finish   (PassportFlow  *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/* A proof for an account without a password (contract 4, "sign_in"):
 * signs in again in the browser with max_age=0 while the state stays
 * (SIGNED_IN, NEEDS_TERMS or NEEDS_EMAIL). browser-url, browser-provider,
 * browser-deadline and browser-launch-error follow it as for a sign-in.
 * The fresh session of this same account replaces the old one, in the
 * store too, and the old one is revoked; a call made right after may send
 * no proof. Another account in the browser: PASSPORT_ERROR_OTHER_ACCOUNT
 * (its session revoked, ours kept). @provider_id NULL: the account's first
 * linked network. Cancel with passport_flow_cancel() or @cancellable. */
void     passport_flow_sign_in_again_async          (PassportFlow        *self,
                                                     const char          *provider_id,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean passport_flow_sign_in_again_finish         (PassportFlow  *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);

/* SIGNED_OUT (or AWAITING_BROWSER: a new try) → AWAITING_BROWSER →
 * SIGNING_IN → the account's state. @provider_id is a social network of
 * the server's; NULL on a plain OpenID provider (no account API), which
 * has its own sign-in page. */
void     passport_flow_sign_in_with_provider_async  (PassportFlow        *self,
                                                     const char          *provider_id,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean passport_flow_sign_in_with_provider_finish (PassportFlow  *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
/* SIGNED_OUT → SIGNING_IN → the account's state. */
void     passport_flow_sign_in_with_password_async  (PassportFlow        *self,
                                                     const char          *email,
                                                     const char          *password,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean passport_flow_sign_in_with_password_finish (PassportFlow  *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
/* A password sign-in whose account has two-step sign-in on stops in
 * NEEDS_CODE (the action finishes with PASSPORT_ERROR_MFA_REQUIRED, not
 * shown in "error"; "mfa-deadline" set). This action sends the code:
 * NEEDS_CODE → SIGNING_IN → the account's state. @code is a TOTP code, or
 * a recovery code when @is_recovery. A wrong code keeps NEEDS_CODE with
 * PASSPORT_ERROR_INVALID_GRANT in "error"; an expired step goes back to
 * SIGNED_OUT with PASSPORT_ERROR_EXPIRED_TOKEN; too many wrong codes give
 * TOO_MANY_REQUESTS with "retry-after" and keep the step.
 * passport_flow_cancel() goes back to SIGNED_OUT. */
void     passport_flow_submit_code_async  (PassportFlow        *self,
                                           const char          *code,
                                           gboolean             is_recovery,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean passport_flow_submit_code_finish (PassportFlow        *self,
                                           GAsyncResult        *result,
                                           GError             **error);
/* "Forgot password?" (contract section 7): asks the server to mail a reset
 * link to @email. Fits SIGNED_OUT and the conflict's OTHER_SIGN_IN step
 * (with the conflict's address), on a server whose features list
 * password_reset; elsewhere PASSPORT_ERROR_ACTION_UNAVAILABLE. The state
 * does not change. Success means the server took the request, which it
 * answers alike whether or not an account uses @email; the caller says
 * so and keeps @email in its form. Nothing is waited for afterwards.
 * Errors: INVALID_EMAIL, TOO_MANY_REQUESTS ("retry-after" set), and the
 * transport codes. The signal "password-reset-sent" (const char *email)
 * tells of each request the server took, this action's or Retry's. */
void     passport_flow_request_password_reset_async  (PassportFlow        *self,
                                                      const char          *email,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
gboolean passport_flow_request_password_reset_finish (PassportFlow  *self,
                                                      GAsyncResult  *result,
                                                      GError       **error);

/* Retry the last failed action (after a transport error); finishes as
 * that action does. */
void     passport_flow_retry_async  (PassportFlow        *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean passport_flow_retry_finish (PassportFlow        *self,
                                     GAsyncResult        *result,
                                     GError             **error);

/* NEEDS_TERMS */
void     passport_flow_accept_terms_async  (PassportFlow        *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean passport_flow_accept_terms_finish (PassportFlow        *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* NEEDS_EMAIL / EMAIL_CONFLICT / AWAITING_CONFIRMATION. Finishes with
 * PASSPORT_ERROR_EMAIL_EXISTS when the address is taken (the state is then
 * EMAIL_CONFLICT; the "error" property stays empty, the conflict is the
 * answer). */
void     passport_flow_bind_email_async  (PassportFlow        *self,
                                          const char          *email,
                                          const char          *password,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean passport_flow_bind_email_finish (PassportFlow  *self,
                                          GAsyncResult  *result,
                                          GError       **error);
/* AWAITING_CONFIRMATION */
void     passport_flow_resend_confirmation_async  (PassportFlow        *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean passport_flow_resend_confirmation_finish (PassportFlow        *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* AWAITING_CONFIRMATION: cancel the pending address (→ NEEDS_EMAIL). */
void     passport_flow_cancel_pending_email_async  (PassportFlow        *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
gboolean passport_flow_cancel_pending_email_finish (PassportFlow        *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
/* AWAITING_CONFIRMATION / SIGNED_IN: a new address (PUT /me/email when one is
 * bound, else cancel pending + bind again with the kept password). NULL
 * @password = the one typed in the bind form; with neither, it finishes
 * with PASSPORT_ERROR_PASSWORD_REQUIRED. */
void     passport_flow_change_email_async  (PassportFlow        *self,
                                            const char          *email,
                                            const char          *password,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean passport_flow_change_email_finish (PassportFlow  *self,
                                            GAsyncResult  *result,
                                            GError       **error);

/* EMAIL_CONFLICT (instant; no outcome to wait for) */
void passport_flow_conflict_use_other_email (PassportFlow *self);          /* → NEEDS_EMAIL, typed password kept */
void passport_flow_conflict_start_freeing  (PassportFlow *self);           /* → OTHER_SIGN_IN */
/* The other account's sign-in; the e-mail is conflict-email. Finishes with
 * PASSPORT_ERROR_SAME_ACCOUNT when that is this account. */
void     passport_flow_conflict_sign_in_with_password_async  (PassportFlow        *self,
                                                              const char          *password,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean passport_flow_conflict_sign_in_with_password_finish (PassportFlow  *self,
                                                              GAsyncResult  *result,
                                                              GError       **error);
void     passport_flow_conflict_sign_in_with_provider_async  (PassportFlow        *self,
                                                              const char          *provider_id,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean passport_flow_conflict_sign_in_with_provider_finish (PassportFlow  *self,
                                                              GAsyncResult  *result,
                                                              GError       **error);
/* PUT /me/email for the other account, which asks for its current
 * password: @password, or NULL for the one used to sign in to it (none when
 * it signed in with its social network: PASSPORT_ERROR_PASSWORD_REQUIRED). */
void     passport_flow_conflict_set_other_email_async  (PassportFlow        *self,
                                                        const char          *new_email,
                                                        const char          *password,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean passport_flow_conflict_set_other_email_finish (PassportFlow  *self,
                                                        GAsyncResult  *result,
                                                        GError       **error);
void     passport_flow_conflict_resend_async  (PassportFlow        *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean passport_flow_conflict_resend_finish (PassportFlow        *self,
                                               GAsyncResult        *result,
                                               GError             **error);
/* TRUE when the other account signed in without its password (social
 * network): the new-address step must ask for it. */
gboolean passport_flow_get_other_needs_password (PassportFlow *self);

/* SIGNED_IN. Against a server without account management it finishes
 * with PASSPORT_ERROR_NOT_SUPPORTED and sends nothing. */
void     passport_flow_change_password_async  (PassportFlow        *self,
                                               const char          *current_password,
                                               const char          *new_password,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean passport_flow_change_password_finish (PassportFlow  *self,
                                               GAsyncResult  *result,
                                               GError       **error);
/* Revokes the session (best effort: offline, the token expires by itself)
 * and deletes the stored one. Any state → SIGNED_OUT (NEEDS_SERVER without
 * a server). Declining the agreement is signing out. */
void     passport_flow_sign_out_async  (PassportFlow        *self,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean passport_flow_sign_out_finish (PassportFlow        *self,
                                        GAsyncResult        *result,
                                        GError             **error);

/* Finishes when no keyring write or delete is in flight, so a process may
 * exit without losing a rotated refresh token, or leaving behind a session
 * it signed out or deleted. Never fails: a write that failed sets
 * "keyring-unavailable". */
void     passport_flow_flush_async  (PassportFlow        *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean passport_flow_flush_finish (PassportFlow        *self,
                                     GAsyncResult        *result,
                                     GError             **error);

/* Instant actions. */

/* Forget the server (back to NEEDS_SERVER); only when signed out. */
void passport_flow_change_server           (PassportFlow *self);
/* AWAITING_BROWSER: open the browser again with the same URL. */
void passport_flow_reopen_browser          (PassportFlow *self);
/* SIGNED_IN: GET /me again, for what changes the account outside the
 * flow's steps (two-step set-up, another device). The account is updated
 * in place, and the state follows from it. Quiet: busy and error stay as
 * they are; the outcome is only in _finish (ACTION_UNAVAILABLE when not
 * signed in to a server with the account API). */
void     passport_flow_reload_account_async  (PassportFlow        *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean passport_flow_reload_account_finish (PassportFlow  *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/* SIGNED_IN, on a server listing delete_account: DELETE /me with @proof.
 * On success the account is gone, and so is its session here (the keyring
 * item too): SIGNED_OUT. Like the reload, busy and error stay as they are;
 * a refusal (wrong password, reauth_required) is only in _finish, for the
 * dialog that asked. */
void     passport_flow_delete_account_async  (PassportFlow        *self,
                                              PassportProofKind    proof_kind,
                                              const char          *proof,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean passport_flow_delete_account_finish (PassportFlow  *self,
                                              GAsyncResult  *result,
                                              GError       **error);

/* Ends what runs (browser wait, sign-in, conflict sub-step) and returns to
 * the previous stable state; the running action finishes cancelled. */
void passport_flow_cancel                  (PassportFlow *self);

/* After keyring-unavailable: keep the session in memory only. */
void passport_flow_continue_without_keyring (PassportFlow *self);

/* The flow's actions as a GActionGroup (owned by the flow): a window
 * inserts it as "flow" and pages name "flow.accept-terms" and the like;
 * which are enabled follows the state. set-server-url (s), change-server,
 * sign-in-provider (s; "" on a plain provider), reopen-browser,
 * sign-in-device (only where the server offers it), cancel,
 * retry, accept-terms, decline-terms, resend-confirmation,
 * cancel-pending-email, conflict-use-other-email, conflict-start-freeing,
 * conflict-sign-in-provider (s), conflict-resend, sign-out,
 * continue-without-keyring, request-password-reset (s: the e-mail). Actions that carry a password are not in it
 * (a GVariant's copy cannot be wiped): call their _async functions. */
GActionGroup *passport_flow_get_actions (PassportFlow *self);

/* The signed-in session (NULL when none), e.g. for `passportctl token`. */
PassportSession *passport_flow_get_session (PassportFlow *self);

/* AWAITING_DEVICE: the running sign-in with another device (its user-code,
 * verification-uri(-complete) and deadline properties are what a page
 * shows), else NULL. Property "device-sign-in". */
PassportDeviceSignIn *passport_flow_get_device_sign_in (PassportFlow *self);

/* SIGNED_OUT (or AWAITING_BROWSER, when the browser cannot be used):
 * sign in with another device (contract 11) → AWAITING_DEVICE while the
 * code is shown → SIGNING_IN once approved. Denied, lapsed or not offered:
 * back to SIGNED_OUT, finishing with that error. Cancel with
 * passport_flow_cancel(). */
void     passport_flow_sign_in_with_device_async  (PassportFlow        *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean passport_flow_sign_in_with_device_finish (PassportFlow  *self,
                                                   GAsyncResult  *result,
                                                   GError       **error);

/* The account API client of that session (NULL when none), for what is not
 * a step of the flow: two-step set-up, app passwords. After such a call,
 * passport_flow_reload_account_async() brings the account up to date. The
 * client goes away with the session: its calls are then cancelled. */
PassportClient *passport_flow_get_client (PassportFlow *self);

/* The password typed in the bind form, kept (in secure memory) across a
 * conflict so the user does not type it again; NULL when none. */
const char *passport_flow_get_pending_password (PassportFlow *self);

G_END_DECLS
