// SPDX-License-Identifier: GPL-3.0-or-later
//
// App passwords on the account page (contract 8.4). A stub: shown nowhere
// yet.
#include "config.h"

#include "passport-app-passwords-group.h"

struct _PassportAppPasswordsGroup
{
  AdwPreferencesGroup parent_instance;

  PassportFlow *flow;
};

G_DEFINE_FINAL_TYPE (PassportAppPasswordsGroup, passport_app_passwords_group, ADW_TYPE_PREFERENCES_GROUP)

enum { PROP_0, PROP_FLOW, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
passport_app_passwords_group_dispose (GObject *object)
{
  PassportAppPasswordsGroup *self = PASSPORT_APP_PASSWORDS_GROUP (object);

  g_clear_object (&self->flow);
  G_OBJECT_CLASS (passport_app_passwords_group_parent_class)->dispose (object);
}

static void
passport_app_passwords_group_get_property (GObject    *object,
                                           guint       prop_id,
                                           GValue     *value,
                                           GParamSpec *pspec)
{
  PassportAppPasswordsGroup *self = PASSPORT_APP_PASSWORDS_GROUP (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      g_value_set_object (value, self->flow);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_app_passwords_group_set_property (GObject      *object,
                                           guint         prop_id,
                                           const GValue *value,
                                           GParamSpec   *pspec)
{
  PassportAppPasswordsGroup *self = PASSPORT_APP_PASSWORDS_GROUP (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      g_set_object (&self->flow, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_app_passwords_group_class_init (PassportAppPasswordsGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = passport_app_passwords_group_dispose;
  object_class->get_property = passport_app_passwords_group_get_property;
  object_class->set_property = passport_app_passwords_group_set_property;

  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, PASSPORT_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_app_passwords_group_init (PassportAppPasswordsGroup *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
