// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportDeviceSignIn: RFC 8628 as contract section 11 has it. One POST
// to the device authorization endpoint, then token polls that obey the
// interval and slow_down, until an answer that ends it.
#include "config.h"

#include <glib/gi18n-lib.h>

#include "passport-device-sign-in.h"
#include "passport-error.h"
#include "passport-http-private.h"
#include "passport-json-private.h"
#include "passport-secure.h"
#include "passport-server-private.h"
#include "passport-session-private.h"
#include "passport-token-endpoint-private.h"

#define DEVICE_CODE_GRANT "urn:ietf:params:oauth:grant-type:device_code"
/* RFC 8628 §3.2: 5 s when the server says nothing; §3.5: 5 s more. */
#define DEFAULT_INTERVAL 5
#define SLOW_DOWN_STEP 5
#define MAX_INTERVAL 300

struct _PassportDeviceSignIn
{
  GObject         parent_instance;

  PassportServer *server;
  char           *device_code;   /* a secret: wiped */
  char           *user_code;
  char           *verification_uri;
  char           *verification_uri_complete;
  gint64          deadline;
  guint           interval;

  GTask          *task;          /* while started */
  GCancellable   *cancellable;   /* the caller's */
  gulong          cancelled_id;
  guint           poll_source;
  gboolean        started;
};

G_DEFINE_FINAL_TYPE (PassportDeviceSignIn, passport_device_sign_in, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_USER_CODE,
  PROP_VERIFICATION_URI,
  PROP_VERIFICATION_URI_COMPLETE,
  PROP_DEADLINE,
  PROP_INTERVAL,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static void poll_once (PassportDeviceSignIn *self);

static void
passport_device_sign_in_dispose (GObject *object)
{
  PassportDeviceSignIn *self = PASSPORT_DEVICE_SIGN_IN (object);

  g_clear_handle_id (&self->poll_source, g_source_remove);
  G_OBJECT_CLASS (passport_device_sign_in_parent_class)->dispose (object);
}

static void
passport_device_sign_in_finalize (GObject *object)
{
  PassportDeviceSignIn *self = PASSPORT_DEVICE_SIGN_IN (object);

  passport_secure_free (self->device_code);
  g_free (self->user_code);
  g_free (self->verification_uri);
  g_free (self->verification_uri_complete);
  g_clear_object (&self->server);
  G_OBJECT_CLASS (passport_device_sign_in_parent_class)->finalize (object);
}

static void
passport_device_sign_in_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  PassportDeviceSignIn *self = PASSPORT_DEVICE_SIGN_IN (object);

  switch (prop_id)
    {
    case PROP_USER_CODE:
      g_value_set_string (value, self->user_code);
      break;
    case PROP_VERIFICATION_URI:
      g_value_set_string (value, self->verification_uri);
      break;
    case PROP_VERIFICATION_URI_COMPLETE:
      g_value_set_string (value, self->verification_uri_complete);
      break;
    case PROP_DEADLINE:
      g_value_set_int64 (value, self->deadline);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_device_sign_in_class_init (PassportDeviceSignInClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = passport_device_sign_in_dispose;
  object_class->finalize = passport_device_sign_in_finalize;
  object_class->get_property = passport_device_sign_in_get_property;

  properties[PROP_USER_CODE] = g_param_spec_string ("user-code", NULL, NULL, NULL, flags);
  properties[PROP_VERIFICATION_URI] =
    g_param_spec_string ("verification-uri", NULL, NULL, NULL, flags);
  properties[PROP_VERIFICATION_URI_COMPLETE] =
    g_param_spec_string ("verification-uri-complete", NULL, NULL, NULL, flags);
  properties[PROP_DEADLINE] =
    g_param_spec_int64 ("deadline", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 0, MAX_INTERVAL, DEFAULT_INTERVAL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_device_sign_in_init (PassportDeviceSignIn *self)
{
  self->interval = DEFAULT_INTERVAL;
}

PassportDeviceSignIn *
passport_device_sign_in_new (PassportServer *server)
{
  PassportDeviceSignIn *self;

  g_return_val_if_fail (PASSPORT_IS_SERVER (server), NULL);

  self = g_object_new (PASSPORT_TYPE_DEVICE_SIGN_IN, NULL);
  self->server = g_object_ref (server);
  return self;
}

/* Ends the sign-in with @error (taken) or @session (taken). */
static void
finish (PassportDeviceSignIn *self,
        GError               *error,
        PassportSession      *session)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  g_clear_handle_id (&self->poll_source, g_source_remove);
  passport_secure_clear (&self->device_code);
  if (self->cancellable != NULL)
    {
      g_clear_signal_handler (&self->cancelled_id, self->cancellable);
      g_clear_object (&self->cancellable);
    }
  if (task == NULL)
    {
      g_clear_error (&error);
      g_clear_object (&session);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, session, g_object_unref);
}

static gboolean
poll_cb (gpointer data)
{
  PassportDeviceSignIn *self = data;

  self->poll_source = 0;
  poll_once (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_poll (PassportDeviceSignIn *self)
{
  /* Not a second-rounded timer: a poll that comes early gets slow_down. */
  self->poll_source = g_timeout_add (self->interval * 1000, poll_cb, self);
}

static void
polled_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PassportDeviceSignIn) self = user_data;
  g_autoptr(PassportTokenResponse) response = NULL;
  GError *error = NULL;

  response = passport_token_request_finish (result, &error);
  if (self->task == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (response != NULL)
    {
      finish (self, NULL, passport_session_new_from_token_response (self->server, response));
      return;
    }

  if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_AUTHORIZATION_PENDING) ||
      g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_SLOW_DOWN))
    {
      if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_SLOW_DOWN))
        {
          self->interval = MIN (self->interval + SLOW_DOWN_STEP, MAX_INTERVAL);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERVAL]);
        }
      g_clear_error (&error);
      if (g_get_monotonic_time () >= self->deadline)
        error = passport_error_new_for_user (PASSPORT_ERROR_EXPIRED_TOKEN,
                                             _("The code has expired. Ask for a new one."));
      else
        {
          schedule_poll (self);
          return;
        }
    }
  else if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_EXPIRED_TOKEN))
    {
      g_clear_error (&error);
      error = passport_error_new_for_user (PASSPORT_ERROR_EXPIRED_TOKEN,
                                           _("The code has expired. Ask for a new one."));
    }
  else if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_ACCESS_DENIED))
    {
      g_clear_error (&error);
      error = passport_error_new_for_user (PASSPORT_ERROR_ACCESS_DENIED,
                                           _("The sign-in was denied on the other device."));
    }
  finish (self, error, NULL);
}

static void
poll_once (PassportDeviceSignIn *self)
{
  g_autoptr(SoupMessage) msg = NULL;
  GError *error = NULL;

  msg = passport_http_new_form_post (passport_server_get_token_endpoint (self->server), &error,
                                     "grant_type", DEVICE_CODE_GRANT,
                                     "device_code", self->device_code,
                                     "client_id", passport_server_get_client_id (self->server),
                                     NULL);
  if (msg == NULL)
    {
      finish (self, error, NULL);
      return;
    }
  passport_token_request_async (self->server, msg, NULL, 0, g_task_get_cancellable (self->task),
                                polled_cb, g_object_ref (self));
}

static void
authorized_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PassportDeviceSignIn) self = user_data;
  g_autoptr(JsonNode) json = NULL;
  GError *error = NULL;
  JsonObject *object;
  gint64 expires_in = 0;
  gint64 interval = DEFAULT_INTERVAL;
  guint status = 0;

  if (!passport_http_send_finish (result, &status, &json, &error))
    {
      finish (self, error, NULL);
      return;
    }
  if (self->task == NULL)
    return;

  object = json != NULL && JSON_NODE_HOLDS_OBJECT (json) ? json_node_get_object (json) : NULL;
  if (object == NULL ||
      !passport_json_require_string (object, "device_code", &self->device_code, &error) ||
      !passport_json_require_string (object, "user_code", &self->user_code, &error) ||
      !passport_json_require_string (object, "verification_uri", &self->verification_uri, &error) ||
      !passport_json_optional_string (object, "verification_uri_complete",
                                      &self->verification_uri_complete, &error) ||
      !passport_json_require_int (object, "expires_in", &expires_in, &error) ||
      !passport_json_optional_int (object, "interval", DEFAULT_INTERVAL, &interval, &error))
    {
      if (error == NULL)
        error = g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                                     "The device authorization answer is not an object");
      finish (self, error, NULL);
      return;
    }
  /* The user opens the link: it must be one a browser may open safely. */
  if (expires_in <= 0 || *self->device_code == '\0' || *self->user_code == '\0' ||
      !passport_server_url_is_secure (self->verification_uri) ||
      (self->verification_uri_complete != NULL &&
       !passport_server_url_is_secure (self->verification_uri_complete)))
    {
      finish (self, g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                                         "The device authorization answer is out of range"),
              NULL);
      return;
    }

  self->interval = (guint) CLAMP (interval, 1, MAX_INTERVAL);
  self->deadline = g_get_monotonic_time () + MIN (expires_in, 24 * 3600) * G_USEC_PER_SEC;
  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = PROP_USER_CODE; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
  schedule_poll (self);
}

static void
cancelled_cb (GCancellable         *cancellable,
              PassportDeviceSignIn *self)
{
  if (self->poll_source != 0)
    finish (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled"), NULL);
}

void
passport_device_sign_in_start_async (PassportDeviceSignIn *self,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  const char *endpoint;
  GError *error = NULL;

  g_return_if_fail (PASSPORT_IS_DEVICE_SIGN_IN (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_device_sign_in_start_async);
  endpoint = passport_server_get_device_authorization_endpoint (self->server);
  if (endpoint == NULL || !passport_server_has_feature (self->server, "device"))
    {
      g_task_return_error (task,
                           passport_error_new_for_user (PASSPORT_ERROR_NOT_SUPPORTED,
                                                        _("This server does not offer sign-in with another device.")));
      return;
    }
  msg = passport_http_new_form_post (endpoint, &error,
                                     "client_id", passport_server_get_client_id (self->server),
                                     "scope", passport_server_get_scope (self->server),
                                     "device_name", passport_server_get_device_name_to_send (self->server),
                                     NULL);
  if (msg == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  self->task = g_steal_pointer (&task);
  /* Cancelled between two polls, nothing in flight would say so. */
  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_signal_connect (cancellable, "cancelled", G_CALLBACK (cancelled_cb), self);
    }
  passport_http_send_async (passport_server_get_session (self->server), msg, 0,
                            passport_server_get_cancellable (self->server), cancellable,
                            authorized_cb, g_object_ref (self));
}

PassportSession *
passport_device_sign_in_start_finish (PassportDeviceSignIn  *self,
                                      GAsyncResult          *result,
                                      GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *passport_device_sign_in_get_user_code (PassportDeviceSignIn *self) { return self->user_code; }
const char *passport_device_sign_in_get_verification_uri (PassportDeviceSignIn *self) { return self->verification_uri; }
const char *passport_device_sign_in_get_verification_uri_complete (PassportDeviceSignIn *self) { return self->verification_uri_complete; }
gint64 passport_device_sign_in_get_deadline (PassportDeviceSignIn *self) { return self->deadline; }
guint passport_device_sign_in_get_interval (PassportDeviceSignIn *self) { return self->interval; }
