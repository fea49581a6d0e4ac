/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "passport-provider.h"

struct _PassportProvider
{
  GObject parent_instance;
  char *id;
  char *name;
  char *icon_url;
};

G_DEFINE_FINAL_TYPE (PassportProvider, passport_provider, G_TYPE_OBJECT)

enum { PROP_0, PROP_ID, PROP_NAME, PROP_ICON_URL, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
passport_provider_finalize (GObject *object)
{
  PassportProvider *self = PASSPORT_PROVIDER (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->icon_url);
  G_OBJECT_CLASS (passport_provider_parent_class)->finalize (object);
}

static void
passport_provider_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PassportProvider *self = PASSPORT_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ICON_URL:
      g_value_set_string (value, self->icon_url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_provider_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PassportProvider *self = PASSPORT_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_ICON_URL:
      self->icon_url = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_provider_class_init (PassportProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = passport_provider_finalize;
  object_class->get_property = passport_provider_get_property;
  object_class->set_property = passport_provider_set_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ICON_URL] =
    g_param_spec_string ("icon-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_provider_init (PassportProvider *self)
{
}

PassportProvider *
passport_provider_new (const char *id,
                       const char *name,
                       const char *icon_url)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (PASSPORT_TYPE_PROVIDER,
                       "id", id,
                       "name", name,
                       "icon-url", icon_url,
                       NULL);
}

const char *
passport_provider_get_id (PassportProvider *self)
{
  g_return_val_if_fail (PASSPORT_IS_PROVIDER (self), NULL);
  return self->id;
}

const char *
passport_provider_get_name (PassportProvider *self)
{
  g_return_val_if_fail (PASSPORT_IS_PROVIDER (self), NULL);
  return self->name;
}

const char *
passport_provider_get_icon_url (PassportProvider *self)
{
  g_return_val_if_fail (PASSPORT_IS_PROVIDER (self), NULL);
  return self->icon_url;
}
