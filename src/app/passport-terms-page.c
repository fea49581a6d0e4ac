// SPDX-License-Identifier: GPL-3.0-or-later
//
// The user agreement as the server sends it; Accept, or Decline (which signs
// out).
#include "config.h"

#include <glib/gi18n.h>

#include "passport-signed-in-label.h"
#include "passport-terms-page.h"
#include "passport-terms.h"

struct _PassportTermsPage
{
  PassportPage    parent_instance;

  GtkTextView    *text_view;
  GtkLinkButton  *link_button;
};

G_DEFINE_FINAL_TYPE (PassportTermsPage, passport_terms_page, PASSPORT_TYPE_PAGE)

static void
update (PassportTermsPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportTerms *terms = flow ? passport_flow_get_terms (flow) : NULL;
  const char *url = terms ? passport_terms_get_url (terms) : NULL;

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view),
                            terms ? passport_terms_get_text (terms) : "", -1);
  gtk_widget_set_visible (GTK_WIDGET (self->link_button), url != NULL);
  if (url != NULL)
    gtk_link_button_set_uri (self->link_button, url);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "terms.decline",
                                 flow != NULL && !passport_flow_get_busy (flow));
}

static void
declined_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GtkWidget) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The sign-in page that follows does not say why it is back. */
  if (passport_flow_sign_out_finish (PASSPORT_FLOW (source), result, &error))
    gtk_widget_activate_action (self, "window.show-toast", "s",
                                _("You declined the agreement, so you are signed out."));
}

static void
decline_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (widget));

  if (flow != NULL)
    passport_flow_sign_out_async (flow, NULL, declined_cb, g_object_ref (widget));
}

static void
passport_terms_page_class_init (PassportTermsPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);


  g_type_ensure (PASSPORT_TYPE_SIGNED_IN_LABEL);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passportdesk/Passport/passport-terms-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PassportTermsPage, text_view);
  gtk_widget_class_bind_template_child (widget_class, PassportTermsPage, link_button);

  gtk_widget_class_install_action (widget_class, "terms.decline", NULL, decline_activated);
}

static void
passport_terms_page_init (PassportTermsPage *self)
{
  GSignalGroup *signals;

  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);

  signals = passport_page_get_flow_signals (PASSPORT_PAGE (self));
  g_signal_group_connect_swapped (signals, "notify::terms", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::state", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::busy", G_CALLBACK (update), self);
  g_signal_connect (self, "notify::flow", G_CALLBACK (update), NULL);
}
