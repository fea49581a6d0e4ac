// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "passport-provider-icon.h"

struct _PassportProviderIcon
{
  AdwBin            parent_instance;

  GtkImage         *image;
  PassportProvider *provider;
  PassportServer   *server;
  GCancellable     *cancellable;  /* the load running */
  gboolean          loaded;
};

G_DEFINE_FINAL_TYPE (PassportProviderIcon, passport_provider_icon, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_PROVIDER,
  PROP_SERVER,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_loaded (PassportProviderIcon *self,
            gboolean              loaded)
{
  if (self->loaded == loaded)
    return;
  self->loaded = loaded;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

static void
icon_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PassportProviderIcon *self = user_data;  /* alive unless cancelled */
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = passport_server_fetch_icon_finish (PASSPORT_SERVER (source), result, &error);
  g_autoptr(GdkTexture) texture = NULL;

  /* Cancelled: another load took over, or the widget is gone (its
   * dispose cancels, so no reference keeps it for a server that may never
   * answer). */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  if (bytes == NULL)
    {
      g_debug ("no icon for %s: %s", passport_provider_get_id (self->provider), error->message);
      return;
    }
  texture = gdk_texture_new_from_bytes (bytes, &error);
  if (texture == NULL)
    {
      g_debug ("icon of %s unreadable: %s", passport_provider_get_id (self->provider), error->message);
      return;
    }
  gtk_image_set_from_paintable (self->image, GDK_PAINTABLE (texture));
  set_loaded (self, TRUE);
}

static void
load (PassportProviderIcon *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_image_set_from_icon_name (self->image, "system-users-symbolic");
  set_loaded (self, FALSE);

  if (self->server == NULL || self->provider == NULL ||
      passport_provider_get_icon_url (self->provider) == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  passport_server_fetch_icon_async (self->server, self->provider, self->cancellable, icon_cb, self);
}

GtkWidget *
passport_provider_icon_new (void)
{
  return g_object_new (PASSPORT_TYPE_PROVIDER_ICON, NULL);
}

PassportProvider *
passport_provider_icon_get_provider (PassportProviderIcon *self)
{
  g_return_val_if_fail (PASSPORT_IS_PROVIDER_ICON (self), NULL);

  return self->provider;
}

void
passport_provider_icon_set_provider (PassportProviderIcon *self,
                                     PassportProvider     *provider)
{
  g_return_if_fail (PASSPORT_IS_PROVIDER_ICON (self));
  g_return_if_fail (provider == NULL || PASSPORT_IS_PROVIDER (provider));

  if (!g_set_object (&self->provider, provider))
    return;
  load (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROVIDER]);
}

PassportServer *
passport_provider_icon_get_server (PassportProviderIcon *self)
{
  g_return_val_if_fail (PASSPORT_IS_PROVIDER_ICON (self), NULL);

  return self->server;
}

void
passport_provider_icon_set_server (PassportProviderIcon *self,
                                   PassportServer       *server)
{
  g_return_if_fail (PASSPORT_IS_PROVIDER_ICON (self));
  g_return_if_fail (server == NULL || PASSPORT_IS_SERVER (server));

  if (!g_set_object (&self->server, server))
    return;
  load (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
}

gboolean
passport_provider_icon_get_loaded (PassportProviderIcon *self)
{
  g_return_val_if_fail (PASSPORT_IS_PROVIDER_ICON (self), FALSE);

  return self->loaded;
}

static void
passport_provider_icon_dispose (GObject *object)
{
  PassportProviderIcon *self = PASSPORT_PROVIDER_ICON (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->provider);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (passport_provider_icon_parent_class)->dispose (object);
}

static void
passport_provider_icon_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  PassportProviderIcon *self = PASSPORT_PROVIDER_ICON (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      g_value_set_object (value, self->provider);
      break;
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_provider_icon_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  PassportProviderIcon *self = PASSPORT_PROVIDER_ICON (object);

  switch (prop_id)
    {
    case PROP_PROVIDER:
      passport_provider_icon_set_provider (self, g_value_get_object (value));
      break;
    case PROP_SERVER:
      passport_provider_icon_set_server (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_provider_icon_class_init (PassportProviderIconClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = passport_provider_icon_dispose;
  object_class->get_property = passport_provider_icon_get_property;
  object_class->set_property = passport_provider_icon_set_property;

  /**
   * PassportProviderIcon:provider:
   *
   * The social network whose icon is shown.
   */
  properties[PROP_PROVIDER] =
    g_param_spec_object ("provider", NULL, NULL, PASSPORT_TYPE_PROVIDER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * PassportProviderIcon:server:
   *
   * The server that serves the icon (the provider's icon URL).
   */
  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL, PASSPORT_TYPE_SERVER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * PassportProviderIcon:loaded:
   *
   * Whether the server's icon has arrived and is shown.
   */
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Only a picture: the label beside it names the network. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_PRESENTATION);
}

static void
passport_provider_icon_init (PassportProviderIcon *self)
{
  self->image = g_object_new (GTK_TYPE_IMAGE,
                              "icon-name", "system-users-symbolic",
                              "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                              NULL);
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->image));
}
