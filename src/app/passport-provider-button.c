// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include <glib/gi18n.h>

#include "passport-provider-button.h"
#include "passport-provider-icon.h"

struct _PassportProviderButton
{
  GtkButton             parent_instance;

  PassportProviderIcon *icon;
  GtkLabel             *label;

  PassportProvider     *provider;
};

G_DEFINE_FINAL_TYPE (PassportProviderButton, passport_provider_button, GTK_TYPE_BUTTON)

enum
{
  PROP_0,
  PROP_PROVIDER,
  PROP_SERVER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The network's name with its first letter as the mnemonic; underscores
 * of its own are shown as such. */
static char *
mnemonic_name (const char *name)
{
  g_autoptr(GString) text = g_string_new (name);

  g_string_replace (text, "_", "__", 0);
  g_string_prepend_c (text, '_');
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
update (PassportProviderButton *self)
{
  const char *name = self->provider ? passport_provider_get_name (self->provider) : "";
  g_autofree char *mnemonic = mnemonic_name (name);
  g_autofree char *label = NULL;
  g_autofree char *accessible = NULL;
  g_autofree char *widget_name = NULL;

  /* Translators: %s is a social network, e.g. "Google" */
  label = g_strdup_printf (_("Sign in with %s"), mnemonic);
  /* Translators: %s is a social network, e.g. "Google" */
  accessible = g_strdup_printf (_("Sign in with %s"), name);
  gtk_label_set_label (self->label, label);
  /* Said without the underscore (the label's mnemonic is the key). */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);

  /* The stable name automation finds it by (docs/automation.md). */
  widget_name = g_strdup_printf ("provider-%s", self->provider ? passport_provider_get_id (self->provider) : "");
  gtk_widget_set_name (GTK_WIDGET (self), widget_name);
}

GtkWidget *
passport_provider_button_new (PassportProvider *provider,
                              PassportServer   *server)
{
  g_return_val_if_fail (PASSPORT_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (server == NULL || PASSPORT_IS_SERVER (server), NULL);

  return g_object_new (PASSPORT_TYPE_PROVIDER_BUTTON,
                       "provider", provider,
                       "server", server,
                       NULL);
}

PassportProvider *
passport_provider_button_get_provider (PassportProviderButton *self)
{
  g_return_val_if_fail (PASSPORT_IS_PROVIDER_BUTTON (self), NULL);

  return self->provider;
}

void
passport_provider_button_set_provider (PassportProviderButton *self,
                                       PassportProvider       *provider)
{
  g_return_if_fail (PASSPORT_IS_PROVIDER_BUTTON (self));
  g_return_if_fail (provider == NULL || PASSPORT_IS_PROVIDER (provider));

  if (!g_set_object (&self->provider, provider))
    return;
  passport_provider_icon_set_provider (self->icon, provider);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROVIDER]);
}

PassportServer *
passport_provider_button_get_server (PassportProviderButton *self)
{
  g_return_val_if_fail (PASSPORT_IS_PROVIDER_BUTTON (self), NULL);

  return passport_provider_icon_get_server (self->icon);
}

void
passport_provider_button_set_server (PassportProviderButton *self,
                                     PassportServer         *server)
{
  g_return_if_fail (PASSPORT_IS_PROVIDER_BUTTON (self));
  g_return_if_fail (server == NULL || PASSPORT_IS_SERVER (server));

  if (passport_provider_icon_get_server (self->icon) == server)
    return;
  passport_provider_icon_set_server (self->icon, server);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
}

static void
passport_provider_button_dispose (GObject *object)
{
  PassportProviderButton *self = PASSPORT_PROVIDER_BUTTON (object);

  /* The icon's dispose cancels its load. */
  gtk_widget_dispose_template (GTK_WIDGET (self), PASSPORT_TYPE_PROVIDER_BUTTON);
  g_clear_object (&self->provider);

  G_OBJECT_CLASS (passport_provider_button_parent_class)->dispose (object);
}

static void
passport_provider_button_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  PassportProviderButton *self = PASSPORT_PROVIDER_BUTTON (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      g_value_set_object (value, passport_provider_button_get_provider (self));
      break;
    case PROP_SERVER:
      g_value_set_object (value, passport_provider_button_get_server (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_provider_button_set_property (GObject      *object,
                                       guint         prop_id,
                                       const GValue *value,
                                       GParamSpec   *pspec)
{
  PassportProviderButton *self = PASSPORT_PROVIDER_BUTTON (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      passport_provider_button_set_provider (self, g_value_get_object (value));
      break;
    case PROP_SERVER:
      passport_provider_button_set_server (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_provider_button_class_init (PassportProviderButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = passport_provider_button_dispose;
  object_class->get_property = passport_provider_button_get_property;
  object_class->set_property = passport_provider_button_set_property;

  /**
   * PassportProviderButton:provider:
   *
   * The social network this button signs in with.
   */
  properties[PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL, PASSPORT_TYPE_PROVIDER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * PassportProviderButton:server:
   *
   * The server that serves the network's icon.
   */
  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL, PASSPORT_TYPE_SERVER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PASSPORT_TYPE_PROVIDER_ICON);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passportdesk/Passport/passport-provider-button.ui");
  gtk_widget_class_bind_template_child (widget_class, PassportProviderButton, icon);
  gtk_widget_class_bind_template_child (widget_class, PassportProviderButton, label);
}

static void
passport_provider_button_init (PassportProviderButton *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
