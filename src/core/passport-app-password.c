/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "passport-app-password.h"
#include "passport-error.h"
#include "passport-json-private.h"

struct _PassportAppPassword
{
  GObject parent_instance;
  char *id;
  char *name;
  GDateTime *created_at;
  GDateTime *last_used_at;
};

G_DEFINE_FINAL_TYPE (PassportAppPassword, passport_app_password, G_TYPE_OBJECT)

enum { PROP_0, PROP_ID, PROP_NAME, PROP_CREATED_AT, PROP_LAST_USED_AT, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
passport_app_password_finalize (GObject *object)
{
  PassportAppPassword *self = PASSPORT_APP_PASSWORD (object);

  g_free (self->id);
  g_free (self->name);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->last_used_at, g_date_time_unref);
  G_OBJECT_CLASS (passport_app_password_parent_class)->finalize (object);
}

static void
passport_app_password_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  PassportAppPassword *self = PASSPORT_APP_PASSWORD (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_CREATED_AT:
      g_value_set_boxed (value, self->created_at);
      break;
    case PROP_LAST_USED_AT:
      g_value_set_boxed (value, self->last_used_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_app_password_class_init (PassportAppPasswordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = passport_app_password_finalize;
  object_class->get_property = passport_app_password_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_AT] =
    g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_LAST_USED_AT] =
    g_param_spec_boxed ("last-used-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_app_password_init (PassportAppPassword *self)
{
}

PassportAppPassword *
passport_app_password_new_from_json (JsonObject  *object,
                                     GError     **error)
{
  g_autoptr(PassportAppPassword) self = g_object_new (PASSPORT_TYPE_APP_PASSWORD, NULL);
  JsonNode *last_used;

  g_return_val_if_fail (object != NULL, NULL);

  if (!passport_json_require_string (object, "id", &self->id, error) ||
      !passport_json_require_string (object, "name", &self->name, error) ||
      !passport_json_require_datetime (object, "created_at", &self->created_at, error))
    return NULL;

  last_used = json_object_get_member (object, "last_used_at");
  if (last_used != NULL && !JSON_NODE_HOLDS_NULL (last_used) &&
      !passport_json_require_datetime (object, "last_used_at", &self->last_used_at, error))
    return NULL;

  if (*self->id == '\0' || *self->name == '\0')
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "An app password without an id or a name");
      return NULL;
    }

  return g_steal_pointer (&self);
}

const char *
passport_app_password_get_id (PassportAppPassword *self)
{
  g_return_val_if_fail (PASSPORT_IS_APP_PASSWORD (self), NULL);
  return self->id;
}

const char *
passport_app_password_get_name (PassportAppPassword *self)
{
  g_return_val_if_fail (PASSPORT_IS_APP_PASSWORD (self), NULL);
  return self->name;
}

GDateTime *
passport_app_password_get_created_at (PassportAppPassword *self)
{
  g_return_val_if_fail (PASSPORT_IS_APP_PASSWORD (self), NULL);
  return self->created_at;
}

GDateTime *
passport_app_password_get_last_used_at (PassportAppPassword *self)
{
  g_return_val_if_fail (PASSPORT_IS_APP_PASSWORD (self), NULL);
  return self->last_used_at;
}
