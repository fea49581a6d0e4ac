// SPDX-License-Identifier: GPL-3.0-or-later
//
// "Sign in with another device" (contract 11): the code to enter on a
// phone, the QR code of the link with the code in it, the link, the time
// the code still works, Copy Link and Cancel. The sign-in goes on by itself
// when the other device approves.
#include "config.h"

#include <glib/gi18n.h>

#include "passport-a11y.h"
#include "passport-countdown.h"
#include "passport-device-page.h"
#include "passport-otp-dialog.h"
#include "passport-spinner.h"

struct _PassportDevicePage
{
  PassportPage        parent_instance;

  GtkWidget          *spinner;
  GtkLabel           *code_label;
  GtkPicture         *qr_picture;
  GtkLabel           *link_label;
  GtkLabel           *time_label;
  GtkWidget          *copy_button;
  GtkLabel           *copy_label;

  PassportDeviceSignIn *device;   /* the flow's, while it runs */
  PassportCountdown  *countdown;
  char               *qr_text;    /* what the QR code shows now */
};

G_DEFINE_FINAL_TYPE (PassportDevicePage, passport_device_page, PASSPORT_TYPE_PAGE)

static const char *
link_of (PassportDevicePage *self)
{
  const char *complete;

  if (self->device == NULL)
    return NULL;
  complete = passport_device_sign_in_get_verification_uri_complete (self->device);
  return complete != NULL ? complete : passport_device_sign_in_get_verification_uri (self->device);
}

static void
update_time (PassportDevicePage *self)
{
  g_autofree char *clock = NULL;
  g_autofree char *text = NULL;

  if (!passport_countdown_get_running (self->countdown))
    {
      gtk_label_set_label (self->time_label, "");
      return;
    }
  clock = passport_countdown_format (self->countdown, PASSPORT_COUNTDOWN_CLOCK);
  /* Translators: %s is a countdown in minutes and seconds, e.g. "9:59" */
  text = g_strdup_printf (_("The code works for another %s"), clock);
  gtk_label_set_label (self->time_label, text);
}

static void
update (PassportDevicePage *self)
{
  const char *code = self->device ? passport_device_sign_in_get_user_code (self->device) : NULL;
  const char *link = link_of (self);

  gtk_widget_set_visible (self->spinner, code == NULL);
  gtk_label_set_label (self->code_label, code != NULL ? code : "");
  /* The short link to type; the QR code carries the code in it too. */
  gtk_label_set_label (self->link_label,
                       self->device && passport_device_sign_in_get_verification_uri (self->device)
                         ? passport_device_sign_in_get_verification_uri (self->device) : "");
  if (g_strcmp0 (link, self->qr_text) != 0)
    {
      g_autoptr(GdkTexture) qr = link != NULL ? passport_qr_texture_new (link, 4) : NULL;

      g_free (self->qr_text);
      self->qr_text = g_strdup (link);
      gtk_picture_set_paintable (self->qr_picture, GDK_PAINTABLE (qr));
      gtk_widget_set_visible (GTK_WIDGET (self->qr_picture), qr != NULL);
    }
  passport_countdown_set_deadline (self->countdown,
                                   self->device ? passport_device_sign_in_get_deadline (self->device) : 0);
  update_time (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "device.copy-link", link != NULL);
}

static void
on_device (PassportDevicePage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportDeviceSignIn *device = flow ? passport_flow_get_device_sign_in (flow) : NULL;

  if (device != self->device)
    {
      if (self->device != NULL)
        g_signal_handlers_disconnect_by_data (self->device, self);
      g_set_object (&self->device, device);
      if (device != NULL)
        g_signal_connect_object (device, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
      gtk_label_set_label (self->copy_label, _("Copy _Link"));
      passport_a11y_name_button (self->copy_button, _("Copy Link"));
    }
  update (self);
}

static void
copy_link_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PassportDevicePage *self = PASSPORT_DEVICE_PAGE (widget);
  const char *link = link_of (self);

  if (link == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), link);
  /* Said on the button, not in a toast over Cancel (finding 15). */
  gtk_label_set_label (self->copy_label, _("Link _Copied"));
  passport_a11y_name_button (self->copy_button, _("Link Copied"));
}

static void
passport_device_page_dispose (GObject *object)
{
  PassportDevicePage *self = PASSPORT_DEVICE_PAGE (object);

  if (self->device != NULL)
    g_signal_handlers_disconnect_by_data (self->device, self);
  g_clear_object (&self->device);
  g_clear_object (&self->countdown);
  g_clear_pointer (&self->qr_text, g_free);
  G_OBJECT_CLASS (passport_device_page_parent_class)->dispose (object);
}

static void
passport_device_page_class_init (PassportDevicePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = passport_device_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passportdesk/Passport/passport-device-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PassportDevicePage, spinner);
  gtk_widget_class_bind_template_child (widget_class, PassportDevicePage, code_label);
  gtk_widget_class_bind_template_child (widget_class, PassportDevicePage, qr_picture);
  gtk_widget_class_bind_template_child (widget_class, PassportDevicePage, link_label);
  gtk_widget_class_bind_template_child (widget_class, PassportDevicePage, time_label);
  gtk_widget_class_bind_template_child (widget_class, PassportDevicePage, copy_button);
  gtk_widget_class_bind_template_child (widget_class, PassportDevicePage, copy_label);

  gtk_widget_class_install_action (widget_class, "device.copy-link", NULL, copy_link_activated);
}

static void
passport_device_page_init (PassportDevicePage *self)
{
  GSignalGroup *signals;

  gtk_widget_init_template (GTK_WIDGET (self));
  passport_spinners_spin_while_mapped (GTK_WIDGET (self));
  self->countdown = passport_countdown_new (GTK_WIDGET (self->time_label));
  g_signal_connect_swapped (self->countdown, "notify::seconds-left", G_CALLBACK (update_time), self);
  update (self);

  signals = passport_page_get_flow_signals (PASSPORT_PAGE (self));
  g_signal_group_connect_swapped (signals, "notify::device-sign-in", G_CALLBACK (on_device), self);
  g_signal_connect (self, "notify::flow", G_CALLBACK (on_device), NULL);
}
