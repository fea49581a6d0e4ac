/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "passport-credential-store.h"
#include "passport-server.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_SESSION (passport_session_get_type ())
G_DECLARE_FINAL_TYPE (PassportSession, passport_session, PASSPORT, SESSION, GObject)

/* The token set of one signed-in account, and its refresh.
 *
 * Properties (read-only): server (PassportServer), subject (the id_token
 * `sub`), email (from the id_token, nullable), access-token-expires-at
 * (gint64, Unix seconds; 0 when no access token is held), expired (TRUE
 * once a refresh failed for good: sign in again), can-refresh (the session
 * holds a refresh token, so it outlives its access token and can be
 * stored and restored; FALSE when the provider issued none).
 *
 * Signal "tokens-changed" (no arguments): emitted after every rotation of
 * the refresh token. Store passport_session_serialize() right away: the old
 * refresh token is retired at the server.
 *
 * Disposing the session cancels a refresh in flight. */

/* The password grant (first-party clients only). Wrong e-mail or password:
 * PASSPORT_ERROR_INVALID_GRANT; throttled: PASSPORT_ERROR_TOO_MANY_REQUESTS
 * with passport_error_get_retry_after(). The password is wiped from our
 * buffers after sending. */
void             passport_session_sign_in_with_password_async  (PassportServer      *server,
                                                                const char          *email,
                                                                const char          *password,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);

/* Returns a new session, or NULL with @error. */
PassportSession *passport_session_sign_in_with_password_finish (GAsyncResult  *result,
                                                                GError       **error);

/* The second step of a password sign-in (contract 8.3): @mfa_token from the
 * PASSPORT_ERROR_MFA_REQUIRED error (passport_error_get_mfa_token()) with a
 * TOTP @code, or a recovery code when @is_recovery. A wrong code gives
 * PASSPORT_ERROR_INVALID_GRANT (the token still works), an expired or used
 * token PASSPORT_ERROR_EXPIRED_TOKEN. Finish with
 * passport_session_sign_in_with_password_finish(). */
void             passport_session_sign_in_with_otp_async       (PassportServer      *server,
                                                                const char          *mfa_token,
                                                                const char          *code,
                                                                gboolean             is_recovery,
                                                                GCancellable        *cancellable,
                                                                GAsyncReadyCallback  callback,
                                                                gpointer             user_data);

/* Restores a session from passport_session_serialize() output. The
 * serialized issuer must be @server's (PASSPORT_ERROR_ISSUER_MISMATCH);
 * malformed input gives PASSPORT_ERROR_BAD_RESPONSE. No network: the first
 * passport_session_get_access_token_async() refreshes. Returns a new
 * session, or NULL with @error. */
PassportSession *passport_session_new_from_serialized (PassportServer  *server,
                                                       const char      *serialized,
                                                       GError         **error);

/* One line of JSON with the refresh token and what restoring needs (issuer,
 * subject, email); never a password. Free with passport_secure_free().
 * NULL when the session holds no refresh token (expired or revoked). */
char            *passport_session_serialize            (PassportSession *self);

/* A valid access token: refreshes first when it expires within a minute.
 * Only one refresh runs at a time; concurrent callers wait for it.
 * Transient failures are retried with a short, bounded backoff, then
 * reported; a refresh the server refuses (invalid_grant) marks the session
 * expired and fails with PASSPORT_ERROR_SESSION_EXPIRED. */
void             passport_session_get_access_token_async  (PassportSession     *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);

/* Returns the access token (free with passport_secure_free()), or NULL
 * with @error. */
char            *passport_session_get_access_token_finish (PassportSession  *self,
                                                           GAsyncResult     *result,
                                                           GError          **error);

/* Refreshes now (e.g. after a 401), joining a refresh already in flight.
 * Same errors as passport_session_get_access_token_async(). */
void             passport_session_refresh_async        (PassportSession     *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean         passport_session_refresh_finish       (PassportSession  *self,
                                                        GAsyncResult     *result,
                                                        GError          **error);

/* Revokes the refresh token at the server (RFC 7009) and forgets the
 * tokens. The tokens are forgotten even when the server cannot be reached;
 * the error then says so. */
void             passport_session_revoke_async         (PassportSession     *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean         passport_session_revoke_finish        (PassportSession  *self,
                                                        GAsyncResult     *result,
                                                        GError          **error);

/* Getters; strings owned by @self. */
PassportServer  *passport_session_get_server           (PassportSession *self);
const char      *passport_session_get_subject          (PassportSession *self);
const char      *passport_session_get_email            (PassportSession *self);
gint64           passport_session_get_access_token_expires_at (PassportSession *self);
gboolean         passport_session_get_expired          (PassportSession *self);
/* FALSE when the server issued no refresh token (or it was revoked or
 * refused): the session ends with its access token, and
 * passport_session_serialize() has nothing to store. A sign-in that ends
 * with such a session is reported as PASSPORT_ERROR_NO_REFRESH_TOKEN. */
gboolean         passport_session_get_can_refresh      (PassportSession *self);

/* Shares the session with other processes (the app, passportctl) through
 * the item @key of @store, which they all read and write: a refresh takes
 * a lock those processes honour, re-reads the item first and uses the
 * newer tokens another process stored instead of spending a refresh token
 * it has retired (which would revoke the whole family); it stores the new
 * tokens itself before the lock goes and before "tokens-changed". After an
 * invalid_grant the item is read once more. Signal "store-failed"
 * (GError *): the new tokens could not be stored. NULL @store stops
 * sharing. */
void             passport_session_share                (PassportSession         *self,
                                                        PassportCredentialStore *store,
                                                        const char              *key);
gboolean         passport_session_get_shared           (PassportSession *self);
/* The OAuth client id this session signed in with (it refreshes and
 * revokes with it). */
const char      *passport_session_get_client_id        (PassportSession *self);

G_END_DECLS
