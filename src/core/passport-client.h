/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "passport-account.h"
#include "passport-app-password.h"
#include "passport-session.h"
#include "passport-session-info.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_CLIENT (passport_client_get_type ())
G_DECLARE_FINAL_TYPE (PassportClient, passport_client, PASSPORT, CLIENT, GObject)

/* The account API (contract section 4) for one session. Every call gets
 * an access token from the session, and after a 401 forces one refresh
 * and tries once more. API errors come back as their PASSPORT_ERROR code
 * with the details (passport_error_get_retry_after/_reasons/_min_length/
 * _version); transport errors as OFFLINE, UNREACHABLE, TLS, TIMEOUT,
 * BAD_RESPONSE. Calls other than get_userinfo fail with
 * PASSPORT_ERROR_NOT_SUPPORTED on a server without an account API.
 * Disposing the client cancels its calls. Property: session. */

/* Returns a new client for @session. */
PassportClient  *passport_client_new                      (PassportSession *session);

PassportSession *passport_client_get_session              (PassportClient *self);

/* GET /me. With @wait_seconds > 0 a long poll: the server answers when
 * revision > @after_revision or after @wait_seconds (≤ 60). */
void             passport_client_get_me_async             (PassportClient      *self,
                                                           guint                wait_seconds,
                                                           gint64               after_revision,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
/* All *_finish returning PassportAccount give a new reference or NULL with
 * @error. */
PassportAccount *passport_client_get_me_finish            (PassportClient  *self,
                                                           GAsyncResult    *result,
                                                           GError         **error);

/* POST /me/terms. */
void             passport_client_accept_terms_async       (PassportClient      *self,
                                                           const char          *version,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
PassportAccount *passport_client_accept_terms_finish      (PassportClient  *self,
                                                           GAsyncResult    *result,
                                                           GError         **error);

/* POST /me/email: bind an address and create the password. */
void             passport_client_bind_email_async         (PassportClient      *self,
                                                           const char          *email,
                                                           const char          *password,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
/* @needs_confirmation (may be NULL): TRUE for 202 (a link was mailed),
 * FALSE for 200 (bound at once). */
PassportAccount *passport_client_bind_email_finish        (PassportClient  *self,
                                                           GAsyncResult    *result,
                                                           gboolean        *needs_confirmation,
                                                           GError         **error);

/* POST /me/email/resend. */
void             passport_client_resend_confirmation_async  (PassportClient      *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
PassportAccount *passport_client_resend_confirmation_finish (PassportClient  *self,
                                                             GAsyncResult    *result,
                                                             GError         **error);

/* DELETE /me/email/pending. */
void             passport_client_cancel_pending_email_async  (PassportClient      *self,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
PassportAccount *passport_client_cancel_pending_email_finish (PassportClient  *self,
                                                              GAsyncResult    *result,
                                                              GError         **error);

/* PUT /me/email: change the bound address (frees the old one once the new
 * one is confirmed). */
void             passport_client_change_email_async       (PassportClient      *self,
                                                           const char          *new_email,
                                                           const char          *current_password,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
PassportAccount *passport_client_change_email_finish      (PassportClient  *self,
                                                           GAsyncResult    *result,
                                                           GError         **error);

/* POST /me/password. */
void             passport_client_change_password_async    (PassportClient      *self,
                                                           const char          *current_password,
                                                           const char          *new_password,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean         passport_client_change_password_finish   (PassportClient  *self,
                                                           GAsyncResult    *result,
                                                           GError         **error);

/* GET {userinfo_endpoint}: for a plain OpenID provider, the account as
 * userinfo describes it (see passport_account_new_from_userinfo()). */
void             passport_client_get_userinfo_async       (PassportClient      *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
PassportAccount *passport_client_get_userinfo_finish      (PassportClient  *self,
                                                           GAsyncResult    *result,
                                                           GError         **error);

/* Proof (contract section 4): what a sensitive call sends to show the
 * owner is present. NONE sends nothing (an account without a password,
 * just signed in). A REAUTH_REQUIRED error lists what the server takes
 * (passport_error_get_accepted()). */
typedef enum
{
  PASSPORT_PROOF_NONE,
  PASSPORT_PROOF_PASSWORD,
  PASSPORT_PROOF_OTP,
  PASSPORT_PROOF_RECOVERY_CODE,
} PassportProofKind;

/* A started two-step set-up (contract 8.2): the secret (base32) and the
 * otpauth:// URI are secrets, wiped by passport_otp_setup_free(). */
typedef struct
{
  char *secret;
  char *otpauth_uri;
  GDateTime *expires_at;
} PassportOtpSetup;

void passport_otp_setup_free (PassportOtpSetup *setup);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PassportOtpSetup, passport_otp_setup_free)

/* A TOTP code as people type or paste it ("123 456", " 123456 "): the
 * digits without the white space. Other characters are kept, so a wrong
 * code stays wrong. A new string (wipe with passport_secure_free()). */
char *passport_otp_code_normalize (const char *code);

/* POST /me/otp/setup with @proof of @proof_kind (NULL for NONE). */
void              passport_client_otp_setup_async    (PassportClient      *self,
                                                      PassportProofKind    proof_kind,
                                                      const char          *proof,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
/* Returns the set-up (free with passport_otp_setup_free()) or NULL. */
PassportOtpSetup *passport_client_otp_setup_finish   (PassportClient  *self,
                                                      GAsyncResult    *result,
                                                      GError         **error);

/* POST /me/otp/confirm with the first code: two-step sign-in is on. */
void              passport_client_otp_confirm_async  (PassportClient      *self,
                                                      const char          *code,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
/* Returns the recovery codes, shown once (free with
 * passport_secure_strfreev()), or NULL. */
char            **passport_client_otp_confirm_finish (PassportClient  *self,
                                                      GAsyncResult    *result,
                                                      GError         **error);

/* POST /me/otp/recovery-codes: a new set voids the old. */
void              passport_client_new_recovery_codes_async  (PassportClient      *self,
                                                             PassportProofKind    proof_kind,
                                                             const char          *proof,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
char            **passport_client_new_recovery_codes_finish (PassportClient  *self,
                                                             GAsyncResult    *result,
                                                             GError         **error);

/* DELETE /me/otp: two-step sign-in off. */
void              passport_client_otp_disable_async  (PassportClient      *self,
                                                      PassportProofKind    proof_kind,
                                                      const char          *proof,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
PassportAccount  *passport_client_otp_disable_finish (PassportClient  *self,
                                                      GAsyncResult    *result,
                                                      GError         **error);

/* GET /me/app-passwords. */
void              passport_client_list_app_passwords_async  (PassportClient      *self,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
/* Returns a new GListModel of PassportAppPassword, newest first, or NULL. */
GListModel       *passport_client_list_app_passwords_finish (PassportClient  *self,
                                                             GAsyncResult    *result,
                                                             GError         **error);

/* POST /me/app-passwords. */
void              passport_client_create_app_password_async  (PassportClient      *self,
                                                              const char          *name,
                                                              PassportProofKind    proof_kind,
                                                              const char          *proof,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
/* Returns the new item and in @password (free with passport_secure_free())
 * the password, shown once; NULL with @error. */
PassportAppPassword *passport_client_create_app_password_finish (PassportClient  *self,
                                                                 GAsyncResult    *result,
                                                                 char           **password,
                                                                 GError         **error);

/* DELETE /me/app-passwords/{id}: the sessions it started end. An empty,
 * "." or ".." @id fails with PASSPORT_ERROR_NOT_FOUND, sending nothing. */
void              passport_client_revoke_app_password_async  (PassportClient      *self,
                                                              const char          *id,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);
gboolean          passport_client_revoke_app_password_finish (PassportClient  *self,
                                                              GAsyncResult    *result,
                                                              GError         **error);

/* Sessions (contract 9) ----------------------------------------------------- */

/* GET /me/sessions. */
void              passport_client_list_sessions_async   (PassportClient      *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
/* Returns a new GListModel of PassportSessionInfo, most recently used
 * first, or NULL. */
GListModel       *passport_client_list_sessions_finish  (PassportClient  *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

/* DELETE /me/sessions/{id}: that session signed out (this one's own id is
 * a sign-out here). */
void              passport_client_revoke_session_async  (PassportClient      *self,
                                                         const char          *id,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean          passport_client_revoke_session_finish (PassportClient  *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

/* DELETE /me/sessions?others=true: every session but this one. */
void              passport_client_revoke_other_sessions_async  (PassportClient      *self,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);
/* Returns the number signed out in @revoked (may be NULL). */
gboolean          passport_client_revoke_other_sessions_finish (PassportClient  *self,
                                                                GAsyncResult    *result,
                                                                guint           *revoked,
                                                                GError         **error);

/* Linked sign-in methods (contract 10) -------------------------------------- */

/* POST /me/identities/link for @provider with @proof. */
void              passport_client_link_identity_async  (PassportClient      *self,
                                                        const char          *provider,
                                                        PassportProofKind    proof_kind,
                                                        const char          *proof,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
/* Returns the link to open in the browser (a secret: free with
 * passport_secure_free()) and the attempt's id in @id (g_free), or NULL.
 * The outcome comes in the account's identity-link-status. @seconds (may be
 * NULL) is how long to wait for it: until the answer's expires_at by this
 * machine's clock, kept within 1 to 10 minutes (the ticket's lifetime), so
 * a clock set wrong neither ends the wait at once nor stretches it. */
char             *passport_client_link_identity_finish (PassportClient  *self,
                                                        GAsyncResult    *result,
                                                        char           **id,
                                                        guint           *seconds,
                                                        GError         **error);

/* DELETE /me/identities/{provider}: refused with LAST_SIGN_IN_METHOD when
 * it would leave no way in. */
void              passport_client_unlink_identity_async  (PassportClient      *self,
                                                          const char          *provider,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
PassportAccount  *passport_client_unlink_identity_finish (PassportClient  *self,
                                                          GAsyncResult    *result,
                                                          GError         **error);

/* Account deletion (contract 12) ---------------------------------------------- */

/* DELETE /me with @proof: the account is gone at once and for good. */
void              passport_client_delete_account_async  (PassportClient      *self,
                                                         PassportProofKind    proof_kind,
                                                         const char          *proof,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean          passport_client_delete_account_finish (PassportClient  *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

G_END_DECLS
