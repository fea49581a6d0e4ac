/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "passport-account.h"
#include "passport-browser-sign-in.h"
#include "passport-server.h"

G_BEGIN_DECLS

/* The steps of freeing an address held by another account. */
typedef enum
{
  PASSPORT_CONFLICT_STEP_NONE,                   /* just told: the address is taken */
  PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN,          /* sign in to the other account (password or browser) */
  PASSPORT_CONFLICT_STEP_OTHER_SIGNING_IN,       /* that sign-in is running */
  PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL,        /* give the other account a new address */
  PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION, /* waiting for the other account's new address */
  PASSPORT_CONFLICT_STEP_FREED,                  /* address freed; binding it to this account */
} PassportConflictStep;

#define PASSPORT_TYPE_CONFLICT (passport_conflict_get_type ())
G_DECLARE_FINAL_TYPE (PassportConflict, passport_conflict, PASSPORT, CONFLICT, GObject)

/* "A user with this e-mail already exists": the second session, to the
 * account that holds @email, through which that account gets another
 * address so that ours is free. The session is never stored, and is
 * revoked when the conflict goes away. Properties (read-only, notify):
 * step, email, other-account (NULL until signed in to it),
 * other-needs-password (it signed in without its password, which the
 * change of address asks for). Signals: "freed" when the other account
 * confirmed its new address (step FREED); "failed" (GError *) when its
 * session ended while waiting for that. @account is ours: signing in to
 * it again is refused as PASSPORT_ERROR_SAME_ACCOUNT. */
PassportConflict    *passport_conflict_new                  (PassportServer  *server,
                                                             PassportAccount *account,
                                                             const char      *email);

PassportConflictStep passport_conflict_get_step             (PassportConflict *self);
const char          *passport_conflict_get_email            (PassportConflict *self);
PassportAccount     *passport_conflict_get_other_account    (PassportConflict *self);
gboolean             passport_conflict_get_other_needs_password (PassportConflict *self);

/* NONE → OTHER_SIGN_IN. */
void                 passport_conflict_start_freeing        (PassportConflict *self);
/* Back to NONE; the other session, if any, is revoked. */
void                 passport_conflict_reset                (PassportConflict *self);

/* The asynchronous steps; each finishes with passport_conflict_finish(). */

/* OTHER_SIGN_IN → OTHER_SIGNING_IN → OTHER_NEW_EMAIL (or, when a change is
 * already waiting for its link, OTHER_AWAITING_CONFIRMATION); back to
 * OTHER_SIGN_IN on failure. */
void                 passport_conflict_sign_in_with_password_async (PassportConflict    *self,
                                                                    const char          *password,
                                                                    GCancellable        *cancellable,
                                                                    GAsyncReadyCallback  callback,
                                                                    gpointer             user_data);
/* The same through @browser (set up by the caller, who shows its URL). */
void                 passport_conflict_sign_in_with_browser_async  (PassportConflict      *self,
                                                                    PassportBrowserSignIn *browser,
                                                                    GCancellable          *cancellable,
                                                                    GAsyncReadyCallback    callback,
                                                                    gpointer               user_data);
/* OTHER_NEW_EMAIL → OTHER_AWAITING_CONFIRMATION: PUT /me/email for the
 * other account with its current @password (NULL: the one it signed in
 * with; none at all: PASSPORT_ERROR_PASSWORD_REQUIRED). */
void                 passport_conflict_set_other_email_async       (PassportConflict    *self,
                                                                    const char          *new_email,
                                                                    const char          *password,
                                                                    GCancellable        *cancellable,
                                                                    GAsyncReadyCallback  callback,
                                                                    gpointer             user_data);
/* OTHER_AWAITING_CONFIRMATION: mail the other account's link again. */
void                 passport_conflict_resend_async                (PassportConflict    *self,
                                                                    GCancellable        *cancellable,
                                                                    GAsyncReadyCallback  callback,
                                                                    gpointer             user_data);
gboolean             passport_conflict_finish                      (PassportConflict  *self,
                                                                    GAsyncResult      *result,
                                                                    GError           **error);

G_END_DECLS
