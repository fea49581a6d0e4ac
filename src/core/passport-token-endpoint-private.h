/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "passport-server.h"

G_BEGIN_DECLS

/* The token endpoint: its answers, the id_token check and the requests
 * that sign in. Below both the session (which refreshes with the parser)
 * and the browser sign-in (which exchanges its code here): it makes no
 * session itself. */

/* The longest access token lifetime believed: a larger expires_in is
 * capped to it (a year, in seconds). */
#define PASSPORT_TOKEN_MAX_LIFETIME (G_GINT64_CONSTANT (365) * 24 * 3600)

/* A successful token endpoint answer (RFC 6749 §5.1). */
typedef struct
{
  char *access_token;
  char *token_type;
  gint64 expires_in;    /* 1..PASSPORT_TOKEN_MAX_LIFETIME, or 0: not given */
  char *refresh_token;  /* nullable */
  char *id_token;       /* nullable */
  char *scope;          /* nullable */

  /* Set by passport_token_request_finish() only: the client id the
   * request was made with and the checked id_token's claims. */
  char *client_id;
  char *subject;
  char *email;          /* nullable */
} PassportTokenResponse;

/* Parses strictly: PASSPORT_ERROR_BAD_RESPONSE for anything missing or
 * mistyped, or a token type other than Bearer. */
PassportTokenResponse *passport_token_response_parse (JsonNode  *node,
                                                      GError   **error);
/* Wipes the tokens and frees. */
void                   passport_token_response_free  (PassportTokenResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PassportTokenResponse, passport_token_response_free)

/* Checks an id_token's claims (OIDC Core §3.1.3.7): iss, aud (and azp
 * with several audiences), exp (a minute of clock skew), nonce when
 * @nonce is not NULL, sub, and auth_time's form when given.
 * PASSPORT_ERROR_INVALID_ID_TOKEN otherwise. @now is Unix seconds. Out
 * strings newly allocated (may be NULL); @auth_time 0 when not given. */
gboolean passport_id_token_check (const char  *id_token,
                                  const char  *issuer,
                                  const char  *client_id,
                                  const char  *nonce,
                                  gint64       now,
                                  char       **subject,
                                  char       **email,
                                  gint64      *auth_time,
                                  GError     **error);

/* Sends @msg (a POST to @server's token endpoint) and parses the answer,
 * checking its id_token against @nonce (NULL: none was sent) and, when
 * @not_before is not 0, that its auth_time is given and not older (Unix
 * seconds; a sign-in asked with max_age). The task's source object is
 * @server. */
void                   passport_token_request_async  (PassportServer      *server,
                                                      SoupMessage         *msg,
                                                      const char          *nonce,
                                                      gint64               not_before,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
/* Returns the answer with client_id, subject and email set (free with
 * passport_token_response_free()), or NULL with @error. */
PassportTokenResponse *passport_token_request_finish (GAsyncResult  *result,
                                                      GError       **error);

/* The password grant (first-party clients only), a token request like the
 * one above: finish it with passport_token_request_finish(). The password
 * is wiped from our buffers after sending. */
void                   passport_token_request_password_async (PassportServer      *server,
                                                              const char          *email,
                                                              const char          *password,
                                                              GCancellable        *cancellable,
                                                              GAsyncReadyCallback  callback,
                                                              gpointer             user_data);

/* The otp grant (contract 8.3): the password grant's mfa_token and a TOTP
 * code, or a recovery code when @is_recovery. Finish it with
 * passport_token_request_finish(). The token and the code are wiped from
 * our buffers after sending. */
#define PASSPORT_OTP_GRANT_TYPE "urn:passport:params:oauth:grant-type:otp"
void                   passport_token_request_otp_async (PassportServer      *server,
                                                         const char          *mfa_token,
                                                         const char          *code,
                                                         gboolean             is_recovery,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);

G_END_DECLS
