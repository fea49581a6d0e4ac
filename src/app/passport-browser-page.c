// SPDX-License-Identifier: GPL-3.0-or-later
//
// "Continue in your browser": the browser sign-in is running; the page says
// with which network, how long it still waits, and offers to open the
// browser again, to copy the link, or to cancel.
#include "config.h"

#include <glib/gi18n.h>

#include "passport-browser-page.h"
#include "passport-countdown.h"
#include "passport-provider.h"
#include "passport-server.h"

struct _PassportBrowserPage
{
  PassportPage   parent_instance;

  AdwStatusPage *status_page;
  GtkLabel      *link_label;
  GtkLabel      *timeout_label;
  GtkWidget     *copy_button;
  GtkWidget     *device_button;
  GtkLabel      *copy_label;
  guint          copied_id;   /* "Link Copied" shown on the button */

  PassportCountdown *countdown;  /* the flow's browser-deadline */
};

G_DEFINE_FINAL_TYPE (PassportBrowserPage, passport_browser_page, PASSPORT_TYPE_PAGE)

static char *
provider_name (PassportFlow *flow)
{
  const char *id = passport_flow_get_browser_provider (flow);
  PassportServer *server = passport_flow_get_server (flow);
  PassportProvider *provider;

  /* A plain OpenID provider: its own sign-in page, under its name. */
  if (id == NULL)
    return server != NULL && !passport_server_has_account_api (server)
           ? g_strdup (passport_server_get_name (server)) : NULL;
  provider = server ? passport_server_find_provider (server, id) : NULL;
  return g_strdup (provider ? passport_provider_get_name (provider) : id);
}

static void
update_countdown (PassportBrowserPage *self)
{
  g_autofree char *clock = NULL;
  g_autofree char *text = NULL;

  if (!passport_countdown_get_running (self->countdown))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->timeout_label), FALSE);
      return;
    }
  clock = passport_countdown_format (self->countdown, PASSPORT_COUNTDOWN_CLOCK);
  /* Translators: %s is a countdown in minutes and seconds, e.g. "4:59" */
  text = g_strdup_printf (_("Waiting for the browser for another %s"), clock);
  gtk_label_set_label (self->timeout_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->timeout_label), TRUE);
}

static void
update (PassportBrowserPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  /* The main sign-in, or the other account's while freeing an address. */
  gboolean waiting = flow != NULL &&
                     (passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_AWAITING_BROWSER ||
                      (passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_EMAIL_CONFLICT &&
                       passport_flow_get_browser_url (flow) != NULL));
  g_autofree char *name = flow ? provider_name (flow) : NULL;
  g_autofree char *description = NULL;
  const GError *launch_error = flow ? passport_flow_get_browser_launch_error (flow) : NULL;
  const char *url = flow ? passport_flow_get_browser_url (flow) : NULL;

  /* No browser opened: say so now, with the link to open by hand (a
   * machine without a browser, or over SSH), not after the deadline. */
  /* Always shown, empty unless needed: GTK 4.8 does not tell the
   * accessibility bus about a label that appears later, only about a
   * label whose text changes. */
  gtk_label_set_label (self->link_label, launch_error != NULL && url != NULL ? url : "");

  if (launch_error != NULL)
    description = g_strdup (_("No web browser could be opened. Open this link in a browser yourself, "
                              "or copy it to another device, then come back here."));
  else if (name != NULL)
    {
      /* Translators: %s is a social network, e.g. "Google" */
      description = g_strdup_printf (_("Sign in with %s in the browser window that has opened, then come back here."),
                                     name);
    }
  else
    description = g_strdup (_("Sign in in the browser window that has opened, then come back here."));
  adw_status_page_set_description (self->status_page, description);

  /* Offered when no browser opened, on a server that offers it. */
  {
    PassportServer *server = flow ? passport_flow_get_server (flow) : NULL;

    gtk_widget_set_visible (self->device_button,
                            launch_error != NULL && server != NULL &&
                            passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_AWAITING_BROWSER &&
                            passport_server_has_feature (server, "device") &&
                            passport_server_get_device_authorization_endpoint (server) != NULL);
  }

  update_countdown (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "browser.copy-link",
                                 waiting && passport_flow_get_browser_url (flow) != NULL);
}

static void show_copied (PassportBrowserPage *self,
                         gboolean             copied);

/* The copy is acknowledged on the button itself for a moment: a toast at
 * the bottom would cover Cancel (finding 15). */
static gboolean
copied_passed (gpointer data)
{
  PassportBrowserPage *self = data;

  self->copied_id = 0;
  show_copied (self, FALSE);
  return G_SOURCE_REMOVE;
}

static void
show_copied (PassportBrowserPage *self,
             gboolean             copied)
{
  const char *label = copied ? _("Link _Copied") : _("Copy _Link");
  g_autofree char *name = NULL;

  gtk_label_set_label (self->copy_label, label);
  name = g_strdup (gtk_label_get_text (self->copy_label));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->copy_button), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  g_clear_handle_id (&self->copied_id, g_source_remove);
  if (copied)
    self->copied_id = g_timeout_add_seconds (3, copied_passed, self);
}

static void
copy_link_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (widget));
  const char *url = flow ? passport_flow_get_browser_url (flow) : NULL;

  if (url == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), url);
  show_copied (PASSPORT_BROWSER_PAGE (widget), TRUE);
}

static void
passport_browser_page_dispose (GObject *object)
{
  PassportBrowserPage *self = PASSPORT_BROWSER_PAGE (object);

  g_clear_object (&self->countdown);
  g_clear_handle_id (&self->copied_id, g_source_remove);

  G_OBJECT_CLASS (passport_browser_page_parent_class)->dispose (object);
}

static void
passport_browser_page_class_init (PassportBrowserPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = passport_browser_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passportdesk/Passport/passport-browser-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PassportBrowserPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, PassportBrowserPage, link_label);
  gtk_widget_class_bind_template_child (widget_class, PassportBrowserPage, timeout_label);
  gtk_widget_class_bind_template_child (widget_class, PassportBrowserPage, copy_button);
  gtk_widget_class_bind_template_child (widget_class, PassportBrowserPage, device_button);
  gtk_widget_class_bind_template_child (widget_class, PassportBrowserPage, copy_label);

  gtk_widget_class_install_action (widget_class, "browser.copy-link", NULL, copy_link_activated);
}

static void
passport_browser_page_init (PassportBrowserPage *self)
{
  GSignalGroup *signals;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->countdown = passport_countdown_new (GTK_WIDGET (self));
  g_signal_connect_swapped (self->countdown, "notify::seconds-left", G_CALLBACK (update_countdown), self);
  update (self);

  signals = passport_page_get_flow_signals (PASSPORT_PAGE (self));
  g_signal_group_connect_swapped (signals, "notify::state", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::browser-url", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::browser-provider", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::browser-launch-error", G_CALLBACK (update), self);
  g_binding_group_bind (passport_page_get_flow_bindings (PASSPORT_PAGE (self)), "browser-deadline",
                        self->countdown, "deadline", G_BINDING_SYNC_CREATE);
  g_signal_connect (self, "notify::flow", G_CALLBACK (update), NULL);
}
