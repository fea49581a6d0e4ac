/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "passport-session.h"

G_BEGIN_DECLS

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
 * @nonce is not NULL, sub. PASSPORT_ERROR_INVALID_ID_TOKEN otherwise.
 * @now is Unix seconds. Out strings newly allocated (may be NULL). */
gboolean passport_id_token_check (const char  *id_token,
                                  const char  *issuer,
                                  const char  *client_id,
                                  const char  *nonce,
                                  gint64       now,
                                  char       **subject,
                                  char       **email,
                                  GError     **error);

/* Sends @msg (a POST to the token endpoint) and makes a session of the
 * answer, checking the id_token against @nonce (NULL: none was sent). */
void             passport_session_token_request_async  (PassportServer      *server,
                                                        SoupMessage         *msg,
                                                        const char          *nonce,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
PassportSession *passport_session_token_request_finish (GAsyncResult  *result,
                                                        GError       **error);

/* How many refresh requests were sent (for tests of single flight). */
guint            passport_session_get_refresh_count    (PassportSession *self);

/* Shortens the retry backoff (for tests). */
void             passport_session_set_backoff_ms       (PassportSession *self,
                                                        guint            first_delay_ms);

G_END_DECLS
