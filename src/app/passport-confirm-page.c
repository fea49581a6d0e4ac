// SPDX-License-Identifier: GPL-3.0-or-later
//
// "Check your inbox": the address the link went to, resend with a visible
// countdown, change the address, cancel, open the mail app. The flow's long
// poll moves on by itself when the link is opened.
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "passport-confirm-page.h"
#include "passport-countdown.h"
#include "passport-error.h"
#include "passport-secure.h"

struct _PassportConfirmPage
{
  PassportPage   parent_instance;

  AdwStatusPage *status_page;
  GtkLabel      *resend_label;
  GtkRevealer   *change_revealer;
  AdwEntryRow   *new_email_row;
  GtkLabel      *error_label;

  PassportCountdown *resend_countdown;  /* the flow's retry-after */
};

G_DEFINE_FINAL_TYPE (PassportConfirmPage, passport_confirm_page, PASSPORT_TYPE_PAGE)

static void
update (PassportConfirmPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportAccount *account = flow ? passport_flow_get_account (flow) : NULL;
  const char *pending = account ? passport_account_get_pending_email (account) : NULL;
  const GError *error = passport_page_get_inline_error (PASSPORT_PAGE (self));
  guint left = passport_countdown_get_seconds_left (self->resend_countdown);
  gboolean waiting = flow != NULL &&
                     passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION;
  gboolean busy = flow != NULL && passport_flow_get_busy (flow);
  const char *new_email = gtk_editable_get_text (GTK_EDITABLE (self->new_email_row));
  g_autofree char *description = NULL;
  g_autofree char *resend = NULL;

  if (pending != NULL)
    {
      /* Translators: %s is an e-mail address */
      description = g_strdup_printf (_("We sent a confirmation link to %s. Open it and Passport goes on by itself."),
                                     pending);
    }
  adw_status_page_set_description (self->status_page, description);

  if (left > 0)
    {
      g_autofree char *wait = passport_countdown_format (self->resend_countdown, PASSPORT_COUNTDOWN_WORDS);

      /* Translators: a button; %s is a wait, e.g. "29 seconds" */
      resend = g_strdup_printf (_("_Resend in %s"), wait);
    }
  else
    resend = g_strdup (_("_Resend the Link"));
  gtk_label_set_label (self->resend_label, resend);

  gtk_label_set_label (self->error_label, error ? passport_error_describe (error) : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), error != NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "confirm.change-email", waiting && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "confirm.save-email",
                                 waiting && !busy && strchr (new_email, '@') != NULL &&
                                 g_strcmp0 (new_email, pending) != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "confirm.cancel", waiting && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "confirm.open-mail", waiting);
}

static void
on_state (PassportConfirmPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));

  if (flow == NULL || passport_flow_get_state (flow) != PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION)
    {
      gtk_revealer_set_reveal_child (self->change_revealer, FALSE);
      gtk_editable_set_text (GTK_EDITABLE (self->new_email_row), "");
    }
  update (self);
}

/* Another person, or none: nothing typed here is kept for them. */
static void
forget (PassportPage *page)
{
  PassportConfirmPage *self = PASSPORT_CONFIRM_PAGE (page);

  gtk_editable_set_text (GTK_EDITABLE (self->new_email_row), "");
}

static void
change_email_activated (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  PassportConfirmPage *self = PASSPORT_CONFIRM_PAGE (widget);
  gboolean reveal = !gtk_revealer_get_reveal_child (self->change_revealer);

  gtk_revealer_set_reveal_child (self->change_revealer, reveal);
  if (reveal)
    gtk_widget_grab_focus (GTK_WIDGET (self->new_email_row));
}

static void
save_email_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PassportConfirmPage *self = PASSPORT_CONFIRM_PAGE (widget);
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  g_autofree char *email = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_email_row)));
  char *password;

  if (flow == NULL)
    return;
  /* The password typed on the bind page is kept by the flow; a copy, as
   * the flow may drop its own while it starts over. */
  password = g_strdup (passport_flow_get_pending_password (flow));
  passport_flow_change_email_async (flow, g_strstrip (email), password, NULL, NULL, NULL);
  passport_secure_free (password);
}

static void
cancel_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (widget));

  if (flow != NULL)
    passport_flow_cancel_pending_email_async (flow, NULL, NULL, NULL);
}

static void
open_mail_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr (GAppInfo) app = g_app_info_get_default_for_uri_scheme ("mailto");
  g_autoptr (GdkAppLaunchContext) context = NULL;
  g_autoptr (GError) error = NULL;

  if (app == NULL)
    {
      gtk_widget_activate_action (widget, "window.show-toast", "s", _("No mail app is set up"));
      return;
    }
  context = gdk_display_get_app_launch_context (gtk_widget_get_display (widget));
  if (!g_app_info_launch (app, NULL, G_APP_LAUNCH_CONTEXT (context), &error))
    {
      g_debug ("Could not open the mail app: %s", error->message);
      gtk_widget_activate_action (widget, "window.show-toast", "s", _("The mail app could not be opened"));
    }
}

static void
on_entry_activated (PassportConfirmPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "confirm.save-email", NULL);
}

static void
passport_confirm_page_dispose (GObject *object)
{
  PassportConfirmPage *self = PASSPORT_CONFIRM_PAGE (object);

  g_clear_object (&self->resend_countdown);

  G_OBJECT_CLASS (passport_confirm_page_parent_class)->dispose (object);
}

static void
passport_confirm_page_class_init (PassportConfirmPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PassportPageClass *page_class = PASSPORT_PAGE_CLASS (klass);

  object_class->dispose = passport_confirm_page_dispose;
  page_class->forget = forget;
  passport_page_class_set_inline_errors (page_class,
                                         PASSPORT_ERROR_INVALID_EMAIL,
                                         PASSPORT_ERROR_EMAIL_EXISTS,
                                         PASSPORT_ERROR_TOO_MANY_REQUESTS,
                                         PASSPORT_ERROR_NO_PENDING_EMAIL,
                                         -1);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passportdesk/Passport/passport-confirm-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PassportConfirmPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, PassportConfirmPage, resend_label);
  gtk_widget_class_bind_template_child (widget_class, PassportConfirmPage, change_revealer);
  gtk_widget_class_bind_template_child (widget_class, PassportConfirmPage, new_email_row);
  gtk_widget_class_bind_template_child (widget_class, PassportConfirmPage, error_label);
  gtk_widget_class_bind_template_callback (widget_class, update);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "confirm.change-email", NULL, change_email_activated);
  gtk_widget_class_install_action (widget_class, "confirm.save-email", NULL, save_email_activated);
  gtk_widget_class_install_action (widget_class, "confirm.cancel", NULL, cancel_activated);
  gtk_widget_class_install_action (widget_class, "confirm.open-mail", NULL, open_mail_activated);
}

static void
passport_confirm_page_init (PassportConfirmPage *self)
{
  GSignalGroup *signals;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->resend_countdown = passport_countdown_new (GTK_WIDGET (self));
  g_signal_connect_swapped (self->resend_countdown, "notify::seconds-left", G_CALLBACK (update), self);
  update (self);

  signals = passport_page_get_flow_signals (PASSPORT_PAGE (self));
  g_signal_group_connect_swapped (signals, "notify::state", G_CALLBACK (on_state), self);
  g_signal_group_connect_swapped (signals, "notify::busy", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::error", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::account", G_CALLBACK (update), self);
  g_binding_group_bind (passport_page_get_flow_bindings (PASSPORT_PAGE (self)), "retry-after",
                        self->resend_countdown, "deadline", G_BINDING_SYNC_CREATE);
  g_signal_connect (self, "notify::flow", G_CALLBACK (on_state), NULL);
}
