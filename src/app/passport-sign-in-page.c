// SPDX-License-Identifier: GPL-3.0-or-later
//
// The sign-in page: one button per social network the server offers, and
// e-mail + password; on a plain OpenID provider (no passport API: neither
// networks nor passwords) one "Sign in with <server>" that opens its own
// sign-in page. Disabled with an explanation while offline (a loopback
// server needs no network, so it stays usable).
#include "config.h"

#include <glib/gi18n.h>

#include "passport-error.h"
#include "passport-provider-button.h"
#include "passport-provider.h"
#include "passport-server.h"
#include "passport-sign-in-page.h"

struct _PassportSignInPage
{
  PassportPage     parent_instance;

  AdwStatusPage   *status_page;
  GtkBox          *providers_box;
  GtkWidget       *server_button;
  GtkLabel        *server_label;
  GtkWidget       *password_button;
  GtkWidget       *device_button;
  GtkLabel        *offline_label;
  GtkLabel        *error_label;

  GNetworkMonitor *monitor;
  GListModel      *providers;
};

G_DEFINE_FINAL_TYPE (PassportSignInPage, passport_sign_in_page, PASSPORT_TYPE_PAGE)

static gboolean
is_loopback_url (const char *url)
{
  g_autoptr (GUri) uri = NULL;
  const char *host;
  g_autoptr (GInetAddress) address = NULL;

  if (url == NULL)
    return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

static gboolean
is_offline (PassportSignInPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportServer *server = flow ? passport_flow_get_server (flow) : NULL;

  if (self->monitor == NULL || g_network_monitor_get_network_available (self->monitor))
    return FALSE;
  return server == NULL || !is_loopback_url (passport_server_get_base_url (server));
}

static void
update (PassportSignInPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportServer *server = flow ? passport_flow_get_server (flow) : NULL;
  gboolean offline = is_offline (self);
  gboolean usable = flow != NULL && server != NULL && !offline &&
                    passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_SIGNED_OUT &&
                    !passport_flow_get_busy (flow);
  gboolean plain = server != NULL && !passport_server_has_account_api (server);
  g_autofree char *description = NULL;
  g_autofree char *server_label = NULL;

  if (server != NULL)
    {
      /* Translators: %s is a server address */
      description = g_strdup_printf (_("Choose how to sign in to %s."),
                                     passport_server_get_base_url (server));
    }
  adw_status_page_set_description (self->status_page, description);
  gtk_widget_set_visible (GTK_WIDGET (self->offline_label), offline);

  /* How the last sign-in ended, on the page where the user tries again:
   * not a toast that is gone after five seconds (finding 15). */
  {
    const GError *error = passport_page_get_inline_error (PASSPORT_PAGE (self));

    gtk_label_set_label (self->error_label, error != NULL ? passport_error_describe (error) : "");
    gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
  }

  /* Passwords are the passport API's (the password grant and the bound
   * e-mail); a plain provider asks for them on its own page. */
  if (plain)
    {
      /* Translators: %s names a server, e.g. "accounts.example.com" */
      server_label = g_strdup_printf (_("Sign in with %s"), passport_server_get_name (server));
      gtk_label_set_label (self->server_label, server_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->server_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, server_label,
                                      -1);
    }
  gtk_widget_set_visible (self->server_button, plain);
  gtk_widget_set_visible (self->password_button, !plain);
  gtk_widget_set_visible (self->device_button,
                          server != NULL && passport_server_has_feature (server, "device") &&
                          passport_server_get_device_authorization_endpoint (server) != NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.provider", usable && !plain);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.server", usable && plain);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.password", usable && !plain);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.change-server",
                                 flow != NULL && !passport_flow_get_busy (flow));
}

static void
rebuild_providers (PassportSignInPage *self)
{
  GtkWidget *child;
  guint n;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->providers_box))) != NULL)
    gtk_box_remove (self->providers_box, child);

  n = self->providers ? g_list_model_get_n_items (self->providers) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (PassportProvider) provider = g_list_model_get_item (self->providers, i);
      PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
      GtkWidget *button = passport_provider_button_new (provider, flow ? passport_flow_get_server (flow) : NULL);

      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "sign-in.provider");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", passport_provider_get_id (provider));
      gtk_box_append (self->providers_box, button);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->providers_box), n > 0);
}

static void
on_server_changed (PassportSignInPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportServer *server = flow ? passport_flow_get_server (flow) : NULL;
  GListModel *providers = server ? passport_server_get_providers (server) : NULL;

  if (providers != self->providers)
    {
      if (self->providers != NULL)
        g_signal_handlers_disconnect_by_func (self->providers, rebuild_providers, self);
      g_set_object (&self->providers, providers);
      if (self->providers != NULL)
        g_signal_connect_object (self->providers, "items-changed",
                                 G_CALLBACK (rebuild_providers), self, G_CONNECT_SWAPPED);
    }
  rebuild_providers (self);
  update (self);
}

static void
provider_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (widget));

  if (flow != NULL)
    passport_flow_sign_in_with_provider_async (flow, g_variant_get_string (parameter, NULL), NULL, NULL, NULL);
}

/* A plain OpenID provider: no network to choose. */
static void
server_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (widget));

  if (flow != NULL)
    passport_flow_sign_in_with_provider_async (flow, NULL, NULL, NULL, NULL);
}

static void
password_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  /* The window owns the navigation between the two sign-in pages. */
  gtk_widget_activate_action (widget, "window.show-password-page", NULL);
}

static void
change_server_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (widget));

  if (flow != NULL)
    passport_flow_change_server (flow);
}

void
passport_sign_in_page_set_network_monitor (PassportSignInPage *self,
                                           GNetworkMonitor    *monitor)
{
  g_return_if_fail (PASSPORT_IS_SIGN_IN_PAGE (self));

  if (monitor == NULL)
    monitor = g_network_monitor_get_default ();
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_func (self->monitor, update, self);
  g_set_object (&self->monitor, monitor);
  g_signal_connect_object (monitor, "notify::network-available",
                           G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);
}

static void
passport_sign_in_page_dispose (GObject *object)
{
  PassportSignInPage *self = PASSPORT_SIGN_IN_PAGE (object);

  g_clear_object (&self->monitor);
  g_clear_object (&self->providers);

  G_OBJECT_CLASS (passport_sign_in_page_parent_class)->dispose (object);
}

static void
passport_sign_in_page_class_init (PassportSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = passport_sign_in_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passportdesk/Passport/passport-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PassportSignInPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, PassportSignInPage, providers_box);
  gtk_widget_class_bind_template_child (widget_class, PassportSignInPage, server_button);
  gtk_widget_class_bind_template_child (widget_class, PassportSignInPage, server_label);
  gtk_widget_class_bind_template_child (widget_class, PassportSignInPage, password_button);
  gtk_widget_class_bind_template_child (widget_class, PassportSignInPage, device_button);
  gtk_widget_class_bind_template_child (widget_class, PassportSignInPage, offline_label);
  gtk_widget_class_bind_template_child (widget_class, PassportSignInPage, error_label);
  /* The ends of a browser sign-in. */
  passport_page_class_set_inline_errors (PASSPORT_PAGE_CLASS (klass),
                                         PASSPORT_ERROR_ACCESS_DENIED,
                                         PASSPORT_ERROR_BROWSER_TIMEOUT,
                                         PASSPORT_ERROR_BROWSER_LAUNCH,
                                         PASSPORT_ERROR_INVALID_ID_TOKEN,
                                         PASSPORT_ERROR_INVALID_CLIENT,
                                         PASSPORT_ERROR_UNAUTHORIZED_CLIENT,
                                         PASSPORT_ERROR_INVALID_REQUEST,
                                         PASSPORT_ERROR_NOT_SUPPORTED,
                                         /* Why this page is shown again: signed out from
                                          * elsewhere. Said here, not in a toast that is gone
                                          * before the user is back at the window. */
                                         PASSPORT_ERROR_SESSION_EXPIRED,
                                         /* how a sign-in with another device ended */
                                         PASSPORT_ERROR_EXPIRED_TOKEN,
                                         -1);

  gtk_widget_class_install_action (widget_class, "sign-in.provider", "s", provider_activated);
  gtk_widget_class_install_action (widget_class, "sign-in.server", NULL, server_activated);
  gtk_widget_class_install_action (widget_class, "sign-in.password", NULL, password_activated);
  gtk_widget_class_install_action (widget_class, "sign-in.change-server", NULL, change_server_activated);
}

static void
passport_sign_in_page_init (PassportSignInPage *self)
{
  GSignalGroup *signals;

  gtk_widget_init_template (GTK_WIDGET (self));
  passport_sign_in_page_set_network_monitor (self, NULL);

  signals = passport_page_get_flow_signals (PASSPORT_PAGE (self));
  g_signal_group_connect_swapped (signals, "notify::server", G_CALLBACK (on_server_changed), self);
  g_signal_group_connect_swapped (signals, "notify::state", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::busy", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::error", G_CALLBACK (update), self);
  g_signal_connect (self, "notify::flow", G_CALLBACK (on_server_changed), NULL);
}
