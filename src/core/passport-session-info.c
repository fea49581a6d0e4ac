/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "passport-error.h"
#include "passport-json-private.h"
#include "passport-session-info.h"

struct _PassportSessionInfo
{
  GObject parent_instance;
  char *id;
  char *client_id;
  char *client_name;
  char *device_name;
  char *method;
  GDateTime *created_at;
  GDateTime *last_used_at;
  char *ip;
  gboolean current;
};

G_DEFINE_FINAL_TYPE (PassportSessionInfo, passport_session_info, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_CLIENT_ID,
  PROP_CLIENT_NAME,
  PROP_DEVICE_NAME,
  PROP_METHOD,
  PROP_CREATED_AT,
  PROP_LAST_USED_AT,
  PROP_IP,
  PROP_CURRENT,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

static void
passport_session_info_finalize (GObject *object)
{
  PassportSessionInfo *self = PASSPORT_SESSION_INFO (object);

  g_free (self->id);
  g_free (self->client_id);
  g_free (self->client_name);
  g_free (self->device_name);
  g_free (self->method);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->last_used_at, g_date_time_unref);
  g_free (self->ip);
  G_OBJECT_CLASS (passport_session_info_parent_class)->finalize (object);
}

static void
passport_session_info_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  PassportSessionInfo *self = PASSPORT_SESSION_INFO (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_CLIENT_ID:
      g_value_set_string (value, self->client_id);
      break;
    case PROP_CLIENT_NAME:
      g_value_set_string (value, self->client_name);
      break;
    case PROP_DEVICE_NAME:
      g_value_set_string (value, self->device_name);
      break;
    case PROP_METHOD:
      g_value_set_string (value, self->method);
      break;
    case PROP_CREATED_AT:
      g_value_set_boxed (value, self->created_at);
      break;
    case PROP_LAST_USED_AT:
      g_value_set_boxed (value, self->last_used_at);
      break;
    case PROP_IP:
      g_value_set_string (value, self->ip);
      break;
    case PROP_CURRENT:
      g_value_set_boolean (value, self->current);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_session_info_class_init (PassportSessionInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = passport_session_info_finalize;
  object_class->get_property = passport_session_info_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_CLIENT_ID] = g_param_spec_string ("client-id", NULL, NULL, NULL, flags);
  properties[PROP_CLIENT_NAME] = g_param_spec_string ("client-name", NULL, NULL, NULL, flags);
  properties[PROP_DEVICE_NAME] = g_param_spec_string ("device-name", NULL, NULL, NULL, flags);
  properties[PROP_METHOD] = g_param_spec_string ("method", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_AT] =
    g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_LAST_USED_AT] =
    g_param_spec_boxed ("last-used-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_IP] = g_param_spec_string ("ip", NULL, NULL, NULL, flags);
  properties[PROP_CURRENT] = g_param_spec_boolean ("current", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_session_info_init (PassportSessionInfo *self)
{
}

PassportSessionInfo *
passport_session_info_new_from_json (JsonObject  *object,
                                     GError     **error)
{
  g_autoptr(PassportSessionInfo) self = g_object_new (PASSPORT_TYPE_SESSION_INFO, NULL);

  g_return_val_if_fail (object != NULL, NULL);

  if (!passport_json_require_string (object, "id", &self->id, error) ||
      !passport_json_require_string (object, "client_id", &self->client_id, error) ||
      !passport_json_optional_string (object, "client_name", &self->client_name, error) ||
      !passport_json_nullable_string (object, "device_name", &self->device_name, error) ||
      !passport_json_require_string (object, "method", &self->method, error) ||
      !passport_json_require_datetime (object, "created_at", &self->created_at, error) ||
      !passport_json_require_datetime (object, "last_used_at", &self->last_used_at, error) ||
      !passport_json_optional_string (object, "ip", &self->ip, error) ||
      !passport_json_require_boolean (object, "current", &self->current, error))
    return NULL;

  if (*self->id == '\0' || *self->client_id == '\0')
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "A session without an id or a client id");
      return NULL;
    }

  return g_steal_pointer (&self);
}

const char *passport_session_info_get_id (PassportSessionInfo *self) { return self->id; }
const char *passport_session_info_get_client_id (PassportSessionInfo *self) { return self->client_id; }
const char *passport_session_info_get_client_name (PassportSessionInfo *self) { return self->client_name; }
const char *passport_session_info_get_device_name (PassportSessionInfo *self) { return self->device_name; }
const char *passport_session_info_get_method (PassportSessionInfo *self) { return self->method; }
GDateTime *passport_session_info_get_created_at (PassportSessionInfo *self) { return self->created_at; }
GDateTime *passport_session_info_get_last_used_at (PassportSessionInfo *self) { return self->last_used_at; }
const char *passport_session_info_get_ip (PassportSessionInfo *self) { return self->ip; }
gboolean passport_session_info_get_current (PassportSessionInfo *self) { return self->current; }
