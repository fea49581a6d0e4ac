/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "passport-error.h"
#include "passport-http-private.h"
#include "passport-json-private.h"
#include "passport-refresh-lock.h"
#include "passport-secure.h"
#include "passport-server-private.h"
#include "passport-session-private.h"
#include "passport-token-endpoint-private.h"
#include "passport-util-private.h"

/* Refresh when the access token has less than this much left (or half its
 * lifetime, for short-lived tokens). */
#define REFRESH_MARGIN_SECONDS 60
/* Transient refresh failures: this many attempts in all, the delay doubling
 * from the first, and a server's Retry-After capped. */
#define REFRESH_MAX_ATTEMPTS 3
#define REFRESH_FIRST_DELAY_MS 1000
#define REFRESH_MAX_DELAY_MS 10000

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

  /* Shared with other processes through a stored item (passport_session_share). */
  PassportCredentialStore *shared_store;
  char *shared_key;
  PassportRefreshLock *lock;      /* held from the re-read to the store of a refresh */
  gboolean reread_after_refusal;
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

enum { TOKENS_CHANGED, STORE_FAILED, N_SIGNALS };
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
  g_clear_pointer (&self->lock, passport_refresh_lock_release);
  g_clear_object (&self->shared_store);

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
  g_free (self->shared_key);
  passport_secure_clear (&self->access_token);
  passport_secure_clear (&self->refresh_token);

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
  signals[STORE_FAILED] =
    g_signal_new ("store-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
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

  passport_secure_clear (&self->access_token);
  self->access_token = g_steal_pointer (&response->access_token);
  if (response->refresh_token != NULL)
    {
      passport_secure_clear (&self->refresh_token);
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

  passport_secure_clear (&self->access_token);
  passport_secure_clear (&self->refresh_token);
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

/* Sign-in: a session of the token endpoint's answer */

PassportSession *
passport_session_new_from_token_response (PassportServer        *server,
                                          PassportTokenResponse *response)
{
  PassportSession *session = session_new (server, response->client_id, response->subject,
                                          response->email);

  take_tokens (session, response);
  return session;
}

void
passport_session_complete_token_request (GObject      *source,
                                         GAsyncResult *result,
                                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PassportTokenResponse) response = NULL;
  PassportSession *session;
  GError *error = NULL;

  response = passport_token_request_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  session = session_new (PASSPORT_SERVER (source), response->client_id, response->subject,
                         response->email);
  take_tokens (session, response);
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

  g_return_if_fail (PASSPORT_IS_SERVER (server));
  g_return_if_fail (email != NULL);
  g_return_if_fail (password != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_session_sign_in_with_password_async);
  passport_token_request_password_async (server, email, password, cancellable,
                                         passport_session_complete_token_request,
                                         g_steal_pointer (&task));
}

void
passport_session_sign_in_with_otp_async (PassportServer      *server,
                                         const char          *mfa_token,
                                         const char          *code,
                                         gboolean             is_recovery,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PASSPORT_IS_SERVER (server));
  g_return_if_fail (mfa_token != NULL);
  g_return_if_fail (code != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  /* Finished like the password grant, whose second step it is. */
  g_task_set_source_tag (task, passport_session_sign_in_with_password_async);
  passport_token_request_otp_async (server, mfa_token, code, is_recovery, cancellable,
                                    passport_session_complete_token_request,
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

  /* Built by hand into one buffer so that no copy of a token is left
   * behind un-wiped; the caller wipes the result. The access token rides
   * along so that another process sharing the item does not refresh (and
   * rotate) while it is still good. */
  out = g_string_sized_new (512);
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
  if (self->access_token != NULL)
    {
      g_string_append (out, ",\"access_token\":");
      passport_http_append_json_string (out, self->access_token);
      g_string_append_printf (out, ",\"access_token_expires_at\":%" G_GINT64_FORMAT
                              ",\"access_token_lifetime\":%" G_GINT64_FORMAT,
                              self->expires_at, self->lifetime);
    }
  g_string_append_c (out, '}');

  return g_string_free (out, FALSE);
}

/* What a stored item holds. */
typedef struct
{
  char *subject;
  char *email;
  char *client_id;
  char *refresh_token;
  char *access_token;     /* NULL when absent, unusable or out of range */
  gint64 expires_at;
  gint64 lifetime;
} Stored;

static void
stored_clear (Stored *stored)
{
  g_clear_pointer (&stored->subject, g_free);
  g_clear_pointer (&stored->email, g_free);
  g_clear_pointer (&stored->client_id, g_free);
  passport_secure_clear (&stored->refresh_token);
  passport_secure_clear (&stored->access_token);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Stored, stored_clear)

static gboolean
stored_parse (PassportServer  *server,
              const char      *serialized,
              Stored          *stored,
              GError         **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *issuer = NULL;
  JsonObject *object;
  gint64 version;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  node = passport_json_parse_object (serialized, strlen (serialized), error);
  if (node == NULL)
    return FALSE;
  object = json_node_get_object (node);
  if (!passport_json_require_int (object, "version", &version, error) ||
      !passport_json_require_string (object, "issuer", &issuer, error) ||
      !passport_json_require_string (object, "subject", &stored->subject, error) ||
      !passport_json_optional_string (object, "email", &stored->email, error) ||
      !passport_json_optional_string (object, "client_id", &stored->client_id, error) ||
      !passport_json_require_string (object, "refresh_token", &stored->refresh_token, error))
    return FALSE;

  if (version != SERIAL_VERSION || *stored->refresh_token == '\0')
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "Stored session of an unknown version");
      return FALSE;
    }
  if (g_strcmp0 (issuer, passport_server_get_issuer (server)) != 0)
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_ISSUER_MISMATCH,
                           passport_error_code_describe (PASSPORT_ERROR_ISSUER_MISMATCH));
      return FALSE;
    }

  /* The access token is a convenience: anything odd about it and it is
   * left out (the refresh token gets a new one). */
  if (passport_json_optional_string (object, "access_token", &stored->access_token, NULL) &&
      stored->access_token != NULL &&
      (!passport_token_is_b64token (stored->access_token) ||
       !passport_json_optional_int (object, "access_token_expires_at", 0, &stored->expires_at, NULL) ||
       !passport_json_optional_int (object, "access_token_lifetime", 0, &stored->lifetime, NULL) ||
       stored->expires_at <= now || stored->expires_at > now + PASSPORT_TOKEN_MAX_LIFETIME ||
       stored->lifetime <= 0 || stored->lifetime > PASSPORT_TOKEN_MAX_LIFETIME))
    passport_secure_clear (&stored->access_token);
  return TRUE;
}

PassportSession *
passport_session_new_from_serialized (PassportServer  *server,
                                      const char      *serialized,
                                      GError         **error)
{
  g_auto(Stored) stored = { 0 };
  PassportSession *self;

  g_return_val_if_fail (PASSPORT_IS_SERVER (server), NULL);
  g_return_val_if_fail (serialized != NULL, NULL);

  if (!stored_parse (server, serialized, &stored, error))
    return NULL;

  /* Stored before client ids were per server: the server's. */
  self = session_new (server, stored.client_id, stored.subject, stored.email);
  self->refresh_token = g_steal_pointer (&stored.refresh_token);
  if (stored.access_token != NULL)
    {
      self->access_token = g_steal_pointer (&stored.access_token);
      self->expires_at = stored.expires_at;
      self->lifetime = stored.lifetime;
    }
  return self;
}

/* Another process stored newer tokens of this same session: take them,
 * rather than spend a refresh token that it has retired. TRUE when the
 * access token changed. */
static gboolean
adopt_stored (PassportSession *self,
              const char      *serialized)
{
  g_auto(Stored) stored = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean access_changed = FALSE;

  if (!stored_parse (self->server, serialized, &stored, &error))
    {
      g_debug ("stored session unreadable: %s", error->message);
      return FALSE;
    }
  if (g_strcmp0 (stored.subject, self->subject) != 0 ||
      g_strcmp0 (stored.refresh_token, self->refresh_token) == 0)
    return FALSE;

  g_debug ("taking the tokens another process stored");
  passport_secure_clear (&self->refresh_token);
  self->refresh_token = g_steal_pointer (&stored.refresh_token);
  if (stored.access_token != NULL && g_strcmp0 (stored.access_token, self->access_token) != 0)
    {
      passport_secure_clear (&self->access_token);
      self->access_token = g_steal_pointer (&stored.access_token);
      self->expires_at = stored.expires_at;
      self->lifetime = stored.lifetime;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCESS_TOKEN_EXPIRES_AT]);
      access_changed = TRUE;
    }
  return access_changed;
}

void
passport_session_share (PassportSession         *self,
                        PassportCredentialStore *store,
                        const char              *key)
{
  g_return_if_fail (PASSPORT_IS_SESSION (self));
  g_return_if_fail (store == NULL || key != NULL);

  g_set_object (&self->shared_store, store);
  g_free (self->shared_key);
  self->shared_key = store != NULL ? g_strdup (key) : NULL;
}

gboolean
passport_session_get_shared (PassportSession *self)
{
  g_return_val_if_fail (PASSPORT_IS_SESSION (self), FALSE);

  return self->shared_store != NULL;
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
                           (GDestroyNotify) passport_secure_free);
  else
    g_task_return_boolean (waiter->task, TRUE);
}

static void
complete_waiters (PassportSession *self,
                  const GError    *error)
{
  g_autoptr(GPtrArray) waiters = NULL;

  /* Whatever happened, other processes may refresh now. */
  g_clear_pointer (&self->lock, passport_refresh_lock_release);

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

static void reread_after_refusal_cb (GObject *source, GAsyncResult *result, gpointer user_data);
static void store_shared (PassportSession *self);

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
                                &subject, NULL, NULL, &error))
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
      if (self->shared_store != NULL)
        {
          /* Stored before the lock goes and before anyone uses the new
           * tokens: the old refresh token is already retired. */
          store_shared (self);
          return;
        }
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

  if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_GRANT) &&
      self->shared_store != NULL && !self->reread_after_refusal)
    {
      /* Perhaps another process rotated it without the lock (an older
       * version, or one that gave up waiting): its newer token is stored. */
      self->reread_after_refusal = TRUE;
      passport_credential_store_load_async (self->shared_store, self->shared_key, self->subject,
                                            self->cancellable,
                                            reread_after_refusal_cb, g_object_ref (self));
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

/* Sharing a stored item with other processes ------------------------------ */

static void
shared_saved_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PassportSession) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_credential_store_save_finish (PASSPORT_CREDENTIAL_STORE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_signal_emit (self, signals[STORE_FAILED], 0, error);
  g_signal_emit (self, signals[TOKENS_CHANGED], 0);
  complete_waiters (self, NULL);
}

static void
store_shared (PassportSession *self)
{
  g_autoptr(PassportSecret) serialized = passport_session_serialize (self);

  if (serialized == NULL)
    {
      complete_waiters (self, NULL);
      return;
    }
  /* Not cancellable: a rotated token that is not stored is lost. */
  passport_credential_store_save_async (self->shared_store, self->shared_key, self->subject, serialized,
                                        NULL, shared_saved_cb, g_object_ref (self));
}

static void
reread_after_refusal_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(PassportSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSecret) stored =
    passport_credential_store_load_finish (PASSPORT_CREDENTIAL_STORE (source), result, NULL, &error);
  g_autofree char *before = g_strdup (self->refresh_token);

  if (stored != NULL)
    adopt_stored (self, stored);
  if (stored != NULL && g_strcmp0 (before, self->refresh_token) != 0)
    {
      refresh_attempt (self);
      passport_secure_free (g_steal_pointer (&before));
      return;
    }
  passport_secure_free (g_steal_pointer (&before));
  {
    g_autoptr(GError) expired = session_expired_error ();

    mark_expired (self);
    complete_waiters (self, expired);
  }
}

static void
reread_before_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PassportSession) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSecret) stored =
    passport_credential_store_load_finish (PASSPORT_CREDENTIAL_STORE (source), result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      complete_waiters (self, error);
      return;
    }
  /* A fresh access token another process got is as good as our own
   * refresh, and spends nothing. */
  if (stored != NULL && adopt_stored (self, stored) && access_token_fresh (self))
    {
      complete_waiters (self, NULL);
      return;
    }
  refresh_attempt (self);
}

static void
locked_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PassportSession) self = user_data;
  g_autoptr(GError) error = NULL;

  self->lock = passport_refresh_lock_acquire_finish (result, &error);
  if (error != NULL)
    {
      complete_waiters (self, error);
      return;
    }
  passport_credential_store_load_async (self->shared_store, self->shared_key, self->subject,
                                        self->cancellable,
                                        reread_before_cb, g_object_ref (self));
}

/* A refresh starts: when shared, first the lock and a look at what the
 * other processes stored. */
static void
refresh_begin (PassportSession *self)
{
  g_autofree char *key = NULL;

  self->attempt = 0;
  self->reread_after_refusal = FALSE;
  if (self->shared_store == NULL)
    {
      refresh_attempt (self);
      return;
    }
  key = g_strconcat (self->shared_key, "\n", self->subject, NULL);
  passport_refresh_lock_acquire_async (key, self->cancellable, locked_cb, g_object_ref (self));
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
      refresh_begin (self);
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
                             (GDestroyNotify) passport_secure_free);
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
revoke_after_reread_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  GTask *task = user_data;
  PassportSession *self = g_task_get_source_object (task);
  g_autoptr(PassportSecret) stored =
    passport_credential_store_load_finish (PASSPORT_CREDENTIAL_STORE (source), result, NULL, NULL);

  if (stored != NULL)
    adopt_stored (self, stored);
  revoke_now (task);
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
  else if (self->shared_store != NULL)
    /* Another process may hold a newer one: revoke that, not a retired one. */
    passport_credential_store_load_async (self->shared_store, self->shared_key, self->subject,
                                          cancellable,
                                          revoke_after_reread_cb, task);
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
