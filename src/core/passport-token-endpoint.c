/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "passport-error.h"
#include "passport-http-private.h"
#include "passport-json-private.h"
#include "passport-pkce.h"
#include "passport-secure.h"
#include "passport-server-private.h"
#include "passport-token-endpoint-private.h"
#include "passport-util-private.h"

/* How far an id_token's exp may lie in the past. */
#define CLOCK_SKEW_SECONDS 60

/* Token response and id_token */

void
passport_token_response_free (PassportTokenResponse *response)
{
  if (response == NULL)
    return;
  passport_secure_free (response->access_token);
  passport_secure_free (response->refresh_token);
  passport_secure_free (response->id_token);
  g_free (response->token_type);
  g_free (response->scope);
  g_free (response->client_id);
  g_free (response->subject);
  g_free (response->email);
  g_free (response);
}

/* expires_in (RFC 6749 §5.1), capped at PASSPORT_TOKEN_MAX_LIFETIME so
 * that adding it to the clock cannot overflow. Absent, null, zero or
 * negative is 0, "not given": the token is used until the server refuses
 * it. A whole number written with an exponent (1e30) is taken; a fraction
 * or a string is not. */
static gboolean
read_lifetime (JsonObject  *object,
               gint64      *out,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, "expires_in");

  *out = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = CLAMP (json_node_get_int (node), 0, PASSPORT_TOKEN_MAX_LIFETIME);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      /* Compared before the cast: a double beyond gint64 is undefined. */
      if (value >= PASSPORT_TOKEN_MAX_LIFETIME)
        *out = PASSPORT_TOKEN_MAX_LIFETIME;
      else if (value > 0)
        *out = (gint64) value;
      if (value <= 0 || value >= PASSPORT_TOKEN_MAX_LIFETIME || value == (double) *out)
        return TRUE;
    }
  g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                       "Field “expires_in” is not a whole number of seconds");
  return FALSE;
}

PassportTokenResponse *
passport_token_response_parse (JsonNode  *node,
                               GError   **error)
{
  g_autoptr(PassportTokenResponse) response = g_new0 (PassportTokenResponse, 1);
  JsonObject *object;

  object = passport_json_node_get_object (node, error);
  if (object == NULL ||
      !passport_json_require_string (object, "access_token", &response->access_token, error) ||
      !passport_json_require_string (object, "token_type", &response->token_type, error) ||
      !read_lifetime (object, &response->expires_in, error) ||
      !passport_json_optional_string (object, "refresh_token", &response->refresh_token, error) ||
      !passport_json_optional_string (object, "id_token", &response->id_token, error) ||
      !passport_json_optional_string (object, "scope", &response->scope, error))
    return NULL;

  if (*response->access_token == '\0' ||
      g_ascii_strcasecmp (response->token_type, "Bearer") != 0 ||
      (response->refresh_token != NULL && *response->refresh_token == '\0'))
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "Token answer with an empty token or a non-Bearer type");
      return NULL;
    }
  /* Refused here, before a CR LF can reach a header (libsoup would drop
   * the header and send the request unauthenticated). */
  if (!passport_token_is_b64token (response->access_token) ||
      (response->refresh_token != NULL && !passport_token_is_vschar (response->refresh_token)))
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "Token answer with a character a token may not hold");
      return NULL;
    }

  return g_steal_pointer (&response);
}

static gboolean
id_token_fail (GError     **error,
               const char  *why)
{
  g_set_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_ID_TOKEN, "%s (%s)",
               passport_error_code_describe (PASSPORT_ERROR_INVALID_ID_TOKEN), why);
  return FALSE;
}

static JsonNode *
decode_segment (const char *segment)
{
  g_autofree guint8 *data = NULL;
  gsize len = 0;

  data = passport_base64url_decode (segment, &len);
  if (data == NULL)
    return NULL;
  return passport_json_parse_object ((const char *) data, len, NULL);
}

/* The latest NumericDate taken, 9999-12-31T23:59:59Z: a date out of
 * 0..this is malformed, and one in range can be added to without overflow. */
#define MAX_NUMERIC_DATE G_GINT64_CONSTANT (253402300799)

static gboolean
numeric_date (JsonObject *object,
              const char *name,
              gint64     *out)
{
  JsonNode *node = json_object_get_member (object, name);

  /* NumericDate may have a fraction (RFC 7519 §2). */
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *out = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (node);

      /* Compared before the cast: a double beyond gint64 is undefined. */
      if (!(value >= 0 && value <= MAX_NUMERIC_DATE))
        return FALSE;
      *out = (gint64) value;
    }
  else
    return FALSE;
  return *out >= 0 && *out <= MAX_NUMERIC_DATE;
}

gboolean
passport_id_token_check (const char  *id_token,
                         const char  *issuer,
                         const char  *client_id,
                         const char  *nonce,
                         gint64       now,
                         char       **subject,
                         char       **email,
                         gint64      *auth_time,
                         GError     **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(JsonNode) header = NULL;
  g_autoptr(JsonNode) payload = NULL;
  g_autofree char *alg = NULL;
  g_autofree char *iss = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *got_nonce = NULL;
  g_autofree char *azp = NULL;
  JsonObject *claims;
  JsonNode *aud;
  gint64 exp;
  gint64 iat;
  gint64 auth = 0;

  /* The signature is not checked: the token came straight from the token
   * endpoint over TLS (or loopback) in answer to our own request, which
   * OpenID Connect Core §3.1.3.7 (6) accepts in place of it. The claims
   * still bind it to this server, this client and this sign-in. */
  if (id_token == NULL)
    return id_token_fail (error, "missing");
  parts = g_strsplit (id_token, ".", -1);
  if (g_strv_length (parts) != 3)
    return id_token_fail (error, "not a JWS");

  header = decode_segment (parts[0]);
  payload = decode_segment (parts[1]);
  if (header == NULL || payload == NULL)
    return id_token_fail (error, "undecodable");

  if (!passport_json_require_string (json_node_get_object (header), "alg", &alg, NULL) ||
      g_ascii_strcasecmp (alg, "none") == 0)
    return id_token_fail (error, "unsigned");

  claims = json_node_get_object (payload);
  if (!passport_json_require_string (claims, "iss", &iss, NULL) || g_strcmp0 (iss, issuer) != 0)
    return id_token_fail (error, "iss");

  aud = json_object_get_member (claims, "aud");
  if (aud != NULL && JSON_NODE_HOLDS_VALUE (aud) && json_node_get_value_type (aud) == G_TYPE_STRING)
    {
      if (g_strcmp0 (json_node_get_string (aud), client_id) != 0)
        return id_token_fail (error, "aud");
    }
  else if (aud != NULL && JSON_NODE_HOLDS_ARRAY (aud))
    {
      JsonArray *array = json_node_get_array (aud);
      gboolean found = FALSE;

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING &&
              g_strcmp0 (json_node_get_string (item), client_id) == 0)
            found = TRUE;
        }
      if (!found)
        return id_token_fail (error, "aud");
      if (json_array_get_length (array) > 1 &&
          (!passport_json_require_string (claims, "azp", &azp, NULL) ||
           g_strcmp0 (azp, client_id) != 0))
        return id_token_fail (error, "azp");
    }
  else
    return id_token_fail (error, "aud");

  if (!numeric_date (claims, "exp", &exp))
    return id_token_fail (error, "exp");
  if (exp + CLOCK_SKEW_SECONDS < now)
    return id_token_fail (error, "expired");
  /* Not compared with our clock (which may be off), but a NumericDate. */
  if (json_object_has_member (claims, "iat") && !numeric_date (claims, "iat", &iat))
    return id_token_fail (error, "iat");

  if (nonce != NULL &&
      (!passport_json_require_string (claims, "nonce", &got_nonce, NULL) ||
       g_strcmp0 (got_nonce, nonce) != 0))
    return id_token_fail (error, "nonce");

  if (!passport_json_require_string (claims, "sub", &sub, NULL) || *sub == '\0')
    return id_token_fail (error, "sub");
  if (!passport_json_optional_string (claims, "email", &mail, NULL))
    return id_token_fail (error, "email");
  if (json_object_has_member (claims, "auth_time") && !numeric_date (claims, "auth_time", &auth))
    return id_token_fail (error, "auth_time");

  if (subject != NULL)
    *subject = g_steal_pointer (&sub);
  if (email != NULL)
    *email = g_steal_pointer (&mail);
  if (auth_time != NULL)
    *auth_time = auth;
  return TRUE;
}

/* Token requests (sign-in) */

typedef struct
{
  char *nonce;
  char *client_id;
  gint64 not_before;    /* the oldest auth_time taken (Unix seconds); 0: any */
} TokenRequest;

static void
token_request_free (TokenRequest *req)
{
  passport_secure_free (req->nonce);
  g_free (req->client_id);
  g_free (req);
}

static void
token_request_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportServer *server = g_task_get_source_object (task);
  TokenRequest *req = g_task_get_task_data (task);
  g_autoptr(PassportTokenResponse) response = NULL;
  g_autoptr(JsonNode) json = NULL;
  GError *error = NULL;
  gint64 auth_time = 0;

  if (!passport_http_send_finish (result, NULL, &json, &error) ||
      (response = passport_token_response_parse (json, &error)) == NULL ||
      !passport_id_token_check (response->id_token, passport_server_get_issuer (server),
                                req->client_id, req->nonce, g_get_real_time () / G_USEC_PER_SEC,
                                &response->subject, &response->email, &auth_time, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* A sign-in asked with max_age (OpenID Connect Core §3.1.2.1): auth_time
   * is then required, and must be that recent. */
  if (req->not_before > 0 && (auth_time == 0 || auth_time < req->not_before))
    {
      id_token_fail (&error, auth_time == 0 ? "no auth_time" : "auth_time too old");
      g_task_return_error (task, error);
      return;
    }

  response->client_id = g_steal_pointer (&req->client_id);
  g_task_return_pointer (task, g_steal_pointer (&response),
                         (GDestroyNotify) passport_token_response_free);
}

void
passport_token_request_async (PassportServer      *server,
                              SoupMessage         *msg,
                              const char          *nonce,
                              gint64               not_before,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TokenRequest *req;

  task = g_task_new (server, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_token_request_async);
  req = g_new0 (TokenRequest, 1);
  req->nonce = g_strdup (nonce);
  req->not_before = not_before;
  /* The client id the request was made with: the session keeps it. */
  req->client_id = g_strdup (passport_server_get_client_id (server));
  g_task_set_task_data (task, req, (GDestroyNotify) token_request_free);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  passport_http_send_async (passport_server_get_session (server), msg, 0,
                            passport_server_get_cancellable (server), cancellable,
                            token_request_cb, g_steal_pointer (&task));
}

PassportTokenResponse *
passport_token_request_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The password grant */

void
passport_token_request_password_async (PassportServer      *server,
                                       const char          *email,
                                       const char          *password,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(SoupMessage) msg = NULL;
  GError *error = NULL;

  msg = passport_http_new_form_post (passport_server_get_token_endpoint (server), &error,
                                     "grant_type", "password",
                                     "username", email,
                                     "password", password,
                                     "scope", passport_server_get_scope (server),
                                     "client_id", passport_server_get_client_id (server),
                                     /* NULL (a plain OpenID provider): the pair is left out */
                                     "device_name", passport_server_get_device_name_to_send (server),
                                     NULL);
  if (msg == NULL)
    {
      g_task_report_error (server, callback, user_data, passport_token_request_password_async,
                           error);
      return;
    }

  /* The caller's callback and data go straight to the request. */
  passport_token_request_async (server, msg, NULL, 0, cancellable, callback, user_data);
}

/* The otp grant */

void
passport_token_request_otp_async (PassportServer      *server,
                                  const char          *mfa_token,
                                  const char          *code,
                                  gboolean             is_recovery,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(SoupMessage) msg = NULL;
  GError *error = NULL;

  msg = passport_http_new_form_post (passport_server_get_token_endpoint (server), &error,
                                     "grant_type", PASSPORT_OTP_GRANT_TYPE,
                                     "client_id", passport_server_get_client_id (server),
                                     "mfa_token", mfa_token,
                                     is_recovery ? "recovery_code" : "otp", code,
                                     /* NULL (a plain OpenID provider): the pair is left out */
                                     "device_name", passport_server_get_device_name_to_send (server),
                                     NULL);
  if (msg == NULL)
    {
      g_task_report_error (server, callback, user_data, passport_token_request_otp_async, error);
      return;
    }

  passport_token_request_async (server, msg, NULL, 0, cancellable, callback, user_data);
}
