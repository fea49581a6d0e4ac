// SPDX-License-Identifier: GPL-3.0-or-later
//
// The server page: the address of the passport server, with what went wrong
// when connecting to it shown under the field.
#include "config.h"

#include <glib/gi18n.h>

#include "passport-error.h"
#include "passport-server-page.h"

struct _PassportServerPage
{
  PassportPage  parent_instance;

  AdwEntryRow  *url_row;
  GtkLabel     *error_label;
};

G_DEFINE_FINAL_TYPE (PassportServerPage, passport_server_page, PASSPORT_TYPE_PAGE)

static void
update (PassportServerPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  const GError *error = NULL;
  gboolean can_connect;

  if (flow != NULL && passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_NEEDS_SERVER)
    error = passport_flow_get_error (flow);

  gtk_label_set_label (self->error_label, error ? passport_error_describe (error) : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);
  if (error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->url_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->url_row), "error");

  can_connect = flow != NULL && !passport_flow_get_busy (flow) && !passport_page_is_blank (text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "server.connect", can_connect);
}

static void
connect_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PassportServerPage *self = PASSPORT_SERVER_PAGE (widget);
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  g_autofree char *url = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->url_row)));

  g_strstrip (url);
  if (flow == NULL || *url == '\0')
    return;
  passport_flow_set_server_url_async (flow, url, NULL, NULL, NULL);
}

static void
on_entry_activated (PassportServerPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "server.connect", NULL);
}

void
passport_server_page_set_url (PassportServerPage *self,
                              const char         *url)
{
  g_return_if_fail (PASSPORT_IS_SERVER_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->url_row), url ? url : "");
}

static void
passport_server_page_class_init (PassportServerPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);


  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passportdesk/Passport/passport-server-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PassportServerPage, url_row);
  gtk_widget_class_bind_template_child (widget_class, PassportServerPage, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, update);

  gtk_widget_class_install_action (widget_class, "server.connect", NULL, connect_activated);
}

static void
passport_server_page_init (PassportServerPage *self)
{
  GSignalGroup *signals;

  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);

  signals = passport_page_get_flow_signals (PASSPORT_PAGE (self));
  g_signal_group_connect_swapped (signals, "notify::error", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::busy", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::state", G_CALLBACK (update), self);
  g_signal_connect (self, "notify::flow", G_CALLBACK (update), NULL);
}
