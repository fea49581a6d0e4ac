/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "passport-error.h"
#include "passport-http-private.h"
#include "passport-json-private.h"
#include "passport-pkce.h"
#include "passport-server-private.h"
#include "passport-session-private.h"
#include "passport-util-private.h"

/* Refresh when the access token has less than this much left (or half its
 * lifetime, for short-lived tokens). */
#define REFRESH_MARGIN_SECONDS 60
/* Transient refresh failures: this many attempts in all, the delay doubling
 * from the first, and a server's Retry-After capped. */
#define REFRESH_MAX_ATTEMPTS 3
#define REFRESH_FIRST_DELAY_MS 1000
#define REFRESH_MAX_DELAY_MS 10000
#define CLOCK_SKEW_SECONDS 60

#define SERIAL_VERSION 1

struct _PassportSession
{
  GObject parent_instance;

  PassportServer *server;
  char *subject;
  char *email;
  char *client_id;        /* the one this session signed in with */

  char *access_token;
  char *refresh_token;
  gint64 expires_at;      /* Unix seconds */
  gint64 lifetime;        /* seconds the last access token was issued for */
  gboolean expired;

  GCancellable *cancellable;

  /* Single flight: one refresh at a time, everyone else waits on it. */
  gboolean refreshing;
  GPtrArray *waiters;
  guint attempt;
  GSource *retry_source;
  guint first_delay_ms;
  guint refresh_count;
};

G_DEFINE_FINAL_TYPE (PassportSession, passport_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SERVER,
  PROP_SUBJECT,
  PROP_EMAIL,
  PROP_ACCESS_TOKEN_EXPIRES_AT,
  PROP_EXPIRED,
  PROP_CAN_REFRESH,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum { TOKENS_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef enum
{
  WANT_TOKEN,
  WANT_REFRESH,
} WaiterKind;

typedef struct
{
  PassportSession *self;
  GTask *task;
  WaiterKind kind;
  GSource *cancel_source;
} Waiter;

static void refresh_attempt (PassportSession *self);

/* Token response and id_token */

void
passport_token_response_free (PassportTokenResponse *response)
{
  if (response == NULL)
    return;
  passport_wipe_free (response->access_token);
  passport_wipe_free (response->refresh_token);
  passport_wipe_free (response->id_token);
  g_free (response->token_type);
  g_free (response->scope);
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

  if (subject != NULL)
    *subject = g_steal_pointer (&sub);
  if (email != NULL)
    *email = g_steal_pointer (&mail);
  return TRUE;
}

/* The object */

static void
waiter_free (Waiter *waiter)
{
  if (waiter->cancel_source != NULL)
    {
      g_source_destroy (waiter->cancel_source);
      g_source_unref (waiter->cancel_source);
    }
  g_clear_object (&waiter->task);
  g_free (waiter);
}

static void
passport_session_dispose (GObject *object)
{
  PassportSession *self = PASSPORT_SESSION (object);

  g_cancellable_cancel (self->cancellable);
  passport_clear_source (&self->retry_source);

  G_OBJECT_CLASS (passport_session_parent_class)->dispose (object);
}

static void
passport_session_finalize (GObject *object)
{
  PassportSession *self = PASSPORT_SESSION (object);

  g_clear_object (&self->server);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_free (self->subject);
  g_free (self->email);
  g_free (self->client_id);
  passport_clear_secret (&self->access_token);
  passport_clear_secret (&self->refresh_token);

  G_OBJECT_CLASS (passport_session_parent_class)->finalize (object);
}

static void
passport_session_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PassportSession *self = PASSPORT_SESSION (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_ACCESS_TOKEN_EXPIRES_AT:
      g_value_set_int64 (value, self->access_token ? self->expires_at : 0);
      break;
    case PROP_EXPIRED:
      g_value_set_boolean (value, self->expired);
      break;
    case PROP_CAN_REFRESH:
      g_value_set_boolean (value, passport_session_get_can_refresh (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_session_class_init (PassportSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = passport_session_dispose;
  object_class->finalize = passport_session_finalize;
  object_class->get_property = passport_session_get_property;

  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL, PASSPORT_TYPE_SERVER, flags);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL, flags);
  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL, flags);
  properties[PROP_ACCESS_TOKEN_EXPIRES_AT] =
    g_param_spec_int64 ("access-token-expires-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_EXPIRED] = g_param_spec_boolean ("expired", NULL, NULL, FALSE, flags);
  properties[PROP_CAN_REFRESH] = g_param_spec_boolean ("can-refresh", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[TOKENS_CHANGED] =
    g_signal_new ("tokens-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
passport_session_init (PassportSession *self)
{
  self->cancellable = g_cancellable_new ();
  self->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
  self->first_delay_ms = REFRESH_FIRST_DELAY_MS;
}

static PassportSession *
session_new (PassportServer *server,
             const char     *client_id,
             const char     *subject,
             const char     *email)
{
  PassportSession *self = g_object_new (PASSPORT_TYPE_SESSION, NULL);

  self->server = g_object_ref (server);
  self->client_id = g_strdup (client_id ? client_id : passport_server_get_client_id (server));
  self->subject = g_strdup (subject);
  self->email = g_strdup (email);
  return self;
}

static void
take_tokens (PassportSession       *self,
             PassportTokenResponse *response)
{
  gboolean could_refresh = passport_session_get_can_refresh (self);

  passport_clear_secret (&self->access_token);
  self->access_token = g_steal_pointer (&response->access_token);
  if (response->refresh_token != NULL)
    {
      passport_clear_secret (&self->refresh_token);
      self->refresh_token = g_steal_pointer (&response->refresh_token);
    }
  if (could_refresh != passport_session_get_can_refresh (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REFRESH]);
  /* A lifetime not given: used until the server refuses it (the client
   * refreshes on a 401). Capped either way, so the sum cannot overflow. */
  self->lifetime = response->expires_in > 0 ? MIN (response->expires_in, PASSPORT_TOKEN_MAX_LIFETIME)
                                            : PASSPORT_TOKEN_MAX_LIFETIME;
  self->expires_at = g_get_real_time () / G_USEC_PER_SEC + self->lifetime;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCESS_TOKEN_EXPIRES_AT]);
}

static void
forget_tokens (PassportSession *self)
{
  gboolean had_access = self->access_token != NULL;
  gboolean had_refresh = self->refresh_token != NULL;

  passport_clear_secret (&self->access_token);
  passport_clear_secret (&self->refresh_token);
  self->expires_at = 0;
  if (had_access)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCESS_TOKEN_EXPIRES_AT]);
  if (had_refresh)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REFRESH]);
}

static void
mark_expired (PassportSession *self)
{
  forget_tokens (self);
  if (!self->expired)
    {
      self->expired = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EXPIRED]);
    }
}

static GError *
session_expired_error (void)
{
  return g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED,
                              passport_error_code_describe (PASSPORT_ERROR_SESSION_EXPIRED));
}

static gboolean
access_token_fresh (PassportSession *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 margin = MIN (REFRESH_MARGIN_SECONDS, self->lifetime / 2);

  return self->access_token != NULL && self->expires_at - now > margin;
}

/* Token requests (sign-in) */

typedef struct
{
  PassportServer *server;
  char *nonce;
  char *client_id;
} TokenRequest;

static void
token_request_free (TokenRequest *req)
{
  g_clear_object (&req->server);
  passport_wipe_free (req->nonce);
  g_free (req->client_id);
  g_free (req);
}

static void
token_request_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TokenRequest *req = g_task_get_task_data (task);
  g_autoptr(PassportTokenResponse) response = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(PassportSession) session = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *email = NULL;
  GError *error = NULL;

  if (!passport_http_send_finish (result, NULL, &json, &error) ||
      (response = passport_token_response_parse (json, &error)) == NULL ||
      !passport_id_token_check (response->id_token, passport_server_get_issuer (req->server),
                                req->client_id, req->nonce,
                                g_get_real_time () / G_USEC_PER_SEC, &subject, &email, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  session = session_new (req->server, req->client_id, subject, email);
  take_tokens (session, response);
  g_task_return_pointer (task, g_steal_pointer (&session), g_object_unref);
}

void
passport_session_token_request_async (PassportServer      *server,
                                      SoupMessage         *msg,
                                      const char          *nonce,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  TokenRequest *req;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_session_token_request_async);
  req = g_new0 (TokenRequest, 1);
  req->server = g_object_ref (server);
  req->nonce = g_strdup (nonce);
  /* The client id the request was made with: the session keeps it. */
  req->client_id = g_strdup (passport_server_get_client_id (server));
  g_task_set_task_data (task, req, (GDestroyNotify) token_request_free);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  passport_http_send_async (passport_server_get_session (server), msg, 0,
                            passport_server_get_cancellable (server), cancellable,
                            token_request_cb, g_steal_pointer (&task));
}

PassportSession *
passport_session_token_request_finish (GAsyncResult  *result,
                                       GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Password sign-in */

static void
password_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  PassportSession *session;

  session = passport_session_token_request_finish (result, &error);
  if (session == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, session, g_object_unref);
}

void
passport_session_sign_in_with_password_async (PassportServer      *server,
                                              const char          *email,
                                              const char          *password,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  GError *error = NULL;
  const char *scope;

  g_return_if_fail (PASSPORT_IS_SERVER (server));
  g_return_if_fail (email != NULL);
  g_return_if_fail (password != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_session_sign_in_with_password_async);

  scope = passport_server_get_scope (server);
  msg = passport_http_new_form_post (passport_server_get_token_endpoint (server), &error,
                                     "grant_type", "password",
                                     "username", email,
                                     "password", password,
                                     "scope", scope,
                                     "client_id", passport_server_get_client_id (server),
                                     NULL);
  if (msg == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  passport_session_token_request_async (server, msg, NULL, cancellable, password_cb,
                                        g_steal_pointer (&task));
}

PassportSession *
passport_session_sign_in_with_password_finish (GAsyncResult  *result,
                                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Serialization */

char *
passport_session_serialize (PassportSession *self)
{
  GString *out;

  g_return_val_if_fail (PASSPORT_IS_SESSION (self), NULL);

  if (self->refresh_token == NULL)
    return NULL;

  /* Built by hand into one buffer so that no copy of the refresh token is
   * left behind un-wiped; the caller wipes the result. */
  out = g_string_sized_new (256);
  g_string_append_printf (out, "{\"version\":%d,\"issuer\":", SERIAL_VERSION);
  passport_http_append_json_string (out, passport_server_get_issuer (self->server));
  g_string_append (out, ",\"client_id\":");
  passport_http_append_json_string (out, self->client_id);
  g_string_append (out, ",\"subject\":");
  passport_http_append_json_string (out, self->subject);
  if (self->email != NULL)
    {
      g_string_append (out, ",\"email\":");
      passport_http_append_json_string (out, self->email);
    }
  g_string_append (out, ",\"refresh_token\":");
  passport_http_append_json_string (out, self->refresh_token);
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

PassportSession *
passport_session_new_from_serialized (PassportServer  *server,
                                      const char      *serialized,
                                      GError         **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *issuer = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *email = NULL;
  g_autofree char *client_id = NULL;
  g_autofree char *refresh_token = NULL;
  PassportSession *self;
  JsonObject *object;
  gint64 version;

  g_return_val_if_fail (PASSPORT_IS_SERVER (server), NULL);
  g_return_val_if_fail (serialized != NULL, NULL);

  node = passport_json_parse_object (serialized, strlen (serialized), error);
  if (node == NULL)
    return NULL;
  object = json_node_get_object (node);
  if (!passport_json_require_int (object, "version", &version, error) ||
      !passport_json_require_string (object, "issuer", &issuer, error) ||
      !passport_json_require_string (object, "subject", &subject, error) ||
      !passport_json_optional_string (object, "email", &email, error) ||
      !passport_json_optional_string (object, "client_id", &client_id, error) ||
      !passport_json_require_string (object, "refresh_token", &refresh_token, error))
    {
      passport_clear_secret (&refresh_token);
      return NULL;
    }

  if (version != SERIAL_VERSION || *refresh_token == '\0')
    {
      passport_clear_secret (&refresh_token);
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "Stored session of an unknown version");
      return NULL;
    }
  if (g_strcmp0 (issuer, passport_server_get_issuer (server)) != 0)
    {
      passport_clear_secret (&refresh_token);
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_ISSUER_MISMATCH,
                           passport_error_code_describe (PASSPORT_ERROR_ISSUER_MISMATCH));
      return NULL;
    }

  /* Stored before client ids were per server: the server's. */
  self = session_new (server, client_id, subject, email);
  self->refresh_token = g_steal_pointer (&refresh_token);
  return self;
}

/* Refresh: one request in flight, waiters queued */

static void
waiter_complete (Waiter *waiter,
                 GError *error)
{
  PassportSession *self = waiter->self;

  if (error != NULL)
    g_task_return_error (waiter->task, error);
  else if (waiter->kind == WANT_TOKEN)
    g_task_return_pointer (waiter->task, g_strdup (self->access_token),
                           (GDestroyNotify) passport_wipe_free);
  else
    g_task_return_boolean (waiter->task, TRUE);
}

static void
complete_waiters (PassportSession *self,
                  const GError    *error)
{
  g_autoptr(GPtrArray) waiters = NULL;

  /* Swap first: a waiter's callback may start the next refresh. */
  waiters = g_steal_pointer (&self->waiters);
  self->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
  self->refreshing = FALSE;

  for (guint i = 0; i < waiters->len; i++)
    waiter_complete (g_ptr_array_index (waiters, i), error ? g_error_copy (error) : NULL);
}

static gboolean
is_transient (const GError *error)
{
  return g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_OFFLINE) ||
         g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_UNREACHABLE) ||
         g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_TIMEOUT) ||
         g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_SERVER_ERROR) ||
         g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS);
}

static gboolean
retry_cb (gpointer data)
{
  PassportSession *self = data;

  passport_clear_source (&self->retry_source);
  refresh_attempt (self);
  return G_SOURCE_REMOVE;
}

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PassportSession) self = user_data;
  g_autoptr(PassportTokenResponse) response = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subject = NULL;

  if (passport_http_send_finish (result, NULL, &json, &error))
    response = passport_token_response_parse (json, &error);

  if (response != NULL && response->id_token != NULL &&
      !passport_id_token_check (response->id_token, passport_server_get_issuer (self->server),
                                self->client_id, NULL, g_get_real_time () / G_USEC_PER_SEC,
                                &subject, NULL, &error))
    g_clear_pointer (&response, passport_token_response_free);
  /* A refreshed id_token must be about the same person (OIDC Core §12.2). */
  if (response != NULL && subject != NULL && g_strcmp0 (subject, self->subject) != 0)
    {
      g_clear_pointer (&response, passport_token_response_free);
      g_set_error_literal (&error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_ID_TOKEN,
                           passport_error_code_describe (PASSPORT_ERROR_INVALID_ID_TOKEN));
    }

  if (response != NULL)
    {
      gboolean rotated = response->refresh_token != NULL &&
                         g_strcmp0 (response->refresh_token, self->refresh_token) != 0;

      take_tokens (self, response);
      /* Stored before anyone uses the new tokens: the old refresh token
       * is already retired at the server. */
      if (rotated)
        g_signal_emit (self, signals[TOKENS_CHANGED], 0);
      complete_waiters (self, NULL);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      complete_waiters (self, error);
      return;
    }

  if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_GRANT))
    {
      /* Refused for good (expired, revoked, or reused after a lost
       * rotation): only a new sign-in helps. */
      g_autoptr(GError) expired = session_expired_error ();

      mark_expired (self);
      complete_waiters (self, expired);
      return;
    }

  if (is_transient (error) && self->attempt + 1 < REFRESH_MAX_ATTEMPTS)
    {
      guint delay = self->first_delay_ms << self->attempt;
      guint retry_after = passport_error_get_retry_after (error);

      if (retry_after > 0)
        delay = MAX (delay, retry_after * 1000);
      delay = MIN (delay, REFRESH_MAX_DELAY_MS);
      self->attempt++;
      g_debug ("Refresh failed (%s), retrying in %u ms", error->message, delay);
      self->retry_source = passport_source_attach (g_timeout_source_new (delay), retry_cb, self, NULL);
      return;
    }

  complete_waiters (self, error);
}

static void
refresh_attempt (PassportSession *self)
{
  g_autoptr(SoupMessage) msg = NULL;
  GError *error = NULL;

  if (self->refresh_token == NULL)
    {
      g_autoptr(GError) expired = session_expired_error ();

      mark_expired (self);
      complete_waiters (self, expired);
      return;
    }

  msg = passport_http_new_form_post (passport_server_get_token_endpoint (self->server), &error,
                                     "grant_type", "refresh_token",
                                     "refresh_token", self->refresh_token,
                                     "client_id", self->client_id,
                                     NULL);
  if (msg == NULL)
    {
      complete_waiters (self, error);
      g_error_free (error);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");

  self->refresh_count++;
  passport_http_send_async (passport_server_get_session (self->server), msg, 0,
                            self->cancellable, NULL, refresh_cb, g_object_ref (self));
}

static gboolean
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      data)
{
  Waiter *waiter = data;
  PassportSession *self = waiter->self;
  guint index;

  /* This caller stops waiting; the refresh goes on for the others. */
  if (g_ptr_array_find (self->waiters, waiter, &index))
    {
      Waiter *stolen = g_ptr_array_steal_index (self->waiters, index);

      g_task_return_error_if_cancelled (stolen->task);
      /* Destroying the source that is dispatching us is allowed: GLib
       * holds its own reference until the callback returns. */
      waiter_free (stolen);
    }
  return G_SOURCE_REMOVE;
}

static void
join_refresh (PassportSession *self,
              GTask           *task,
              WaiterKind       kind)
{
  Waiter *waiter;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->expired)
    {
      g_task_return_error (task, session_expired_error ());
      return;
    }

  waiter = g_new0 (Waiter, 1);
  waiter->self = self;
  waiter->task = g_object_ref (task);
  waiter->kind = kind;
  if (cancellable != NULL)
    {
      waiter->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancel_source, G_SOURCE_FUNC (waiter_cancelled_cb),
                             waiter, NULL);
      g_source_attach (waiter->cancel_source, g_task_get_context (task));
    }
  g_ptr_array_add (self->waiters, waiter);

  if (!self->refreshing)
    {
      self->refreshing = TRUE;
      self->attempt = 0;
      refresh_attempt (self);
    }
}

void
passport_session_get_access_token_async (PassportSession     *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PASSPORT_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_session_get_access_token_async);

  if (!self->refreshing && access_token_fresh (self))
    {
      g_task_return_pointer (task, g_strdup (self->access_token),
                             (GDestroyNotify) passport_wipe_free);
      return;
    }

  join_refresh (self, task, WANT_TOKEN);
}

char *
passport_session_get_access_token_finish (PassportSession  *self,
                                          GAsyncResult     *result,
                                          GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
passport_session_refresh_async (PassportSession     *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PASSPORT_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_session_refresh_async);
  join_refresh (self, task, WANT_REFRESH);
}

gboolean
passport_session_refresh_finish (PassportSession  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Revoke */

static void
revoke_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!passport_http_send_finish (result, NULL, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
revoke_now (GTask *task_in)
{
  g_autoptr(GTask) task = task_in;
  PassportSession *self = g_task_get_source_object (task);
  const char *endpoint = passport_server_get_revocation_endpoint (self->server);
  g_autoptr(SoupMessage) msg = NULL;
  GError *error = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if ((self->refresh_token == NULL && self->access_token == NULL) || endpoint == NULL)
    {
      forget_tokens (self);
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* Revoking the refresh token ends its access tokens too (RFC 7009 §2.1);
   * a session that never had one (a provider that issued none) revokes
   * its access token. */
  msg = passport_http_new_form_post (endpoint, &error,
                                     "token", self->refresh_token ? self->refresh_token
                                                                  : self->access_token,
                                     "token_type_hint", self->refresh_token ? "refresh_token"
                                                                            : "access_token",
                                     "client_id", self->client_id,
                                     NULL);
  forget_tokens (self);
  if (msg == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  passport_http_send_async (passport_server_get_session (self->server), msg, 0,
                            NULL, cancellable, revoke_cb,
                            g_steal_pointer (&task));
}

static void
revoke_after_refresh_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  /* Whatever the refresh did, revoke what we hold now. */
  passport_session_refresh_finish (PASSPORT_SESSION (source), result, NULL);
  revoke_now (user_data);
}

void
passport_session_revoke_async (PassportSession     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PASSPORT_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_session_revoke_async);

  /* A refresh in flight would hand us a new refresh token that we would
   * then fail to revoke: let it land first. */
  if (self->refreshing)
    passport_session_refresh_async (self, NULL, revoke_after_refresh_cb, task);
  else
    revoke_now (task);
}

gboolean
passport_session_revoke_finish (PassportSession  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Getters */

PassportServer *
passport_session_get_server (PassportSession *self)
{
  g_return_val_if_fail (PASSPORT_IS_SESSION (self), NULL);
  return self->server;
}

const char *
passport_session_get_subject (PassportSession *self)
{
  g_return_val_if_fail (PASSPORT_IS_SESSION (self), NULL);
  return self->subject;
}

const char *
passport_session_get_email (PassportSession *self)
{
  g_return_val_if_fail (PASSPORT_IS_SESSION (self), NULL);
  return self->email;
}

gint64
passport_session_get_access_token_expires_at (PassportSession *self)
{
  g_return_val_if_fail (PASSPORT_IS_SESSION (self), 0);
  return self->access_token ? self->expires_at : 0;
}

gboolean
passport_session_get_expired (PassportSession *self)
{
  g_return_val_if_fail (PASSPORT_IS_SESSION (self), FALSE);
  return self->expired;
}

gboolean
passport_session_get_can_refresh (PassportSession *self)
{
  g_return_val_if_fail (PASSPORT_IS_SESSION (self), FALSE);
  return self->refresh_token != NULL && !self->expired;
}

const char *
passport_session_get_client_id (PassportSession *self)
{
  g_return_val_if_fail (PASSPORT_IS_SESSION (self), NULL);
  return self->client_id;
}

guint
passport_session_get_refresh_count (PassportSession *self)
{
  return self->refresh_count;
}

void
passport_session_set_backoff_ms (PassportSession *self,
                                 guint            first_delay_ms)
{
  self->first_delay_ms = first_delay_ms;
}
