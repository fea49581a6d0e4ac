// SPDX-License-Identifier: GPL-3.0-or-later
//
// Two-step sign-in's set-up: scan (or type) the key, confirm with a first
// code, keep the recovery codes. Built in code; the QR code by libqrencode.
#include "config.h"

#include <glib/gi18n.h>
#include <qrencode.h>
#include <string.h>

#include "passport-a11y.h"
#include "passport-countdown.h"
#include "passport-otp-dialog.h"
#include "passport-secure.h"
#include "passport-spinner.h"

struct _PassportOtpDialog
{
  AdwWindow          parent_instance;

  GtkStack          *stack;
  PassportClient    *client;
  GCancellable      *cancellable;
  char              *secret;        /* wiped */
  char             **codes;         /* wiped */

  GtkWidget         *code_row;
  GtkLabel          *confirm_error;
  GtkWidget         *confirm;
  GtkWidget         *spinner;
  GtkLabel          *lapses;
  PassportCountdown *countdown;
  GtkLabel          *codes_label;
  GtkWidget         *codes_copy;
  GtkWidget         *codes_save;
  GtkLabel          *saved_label;
  GtkWidget         *done;
  gboolean           busy;
};

G_DEFINE_FINAL_TYPE (PassportOtpDialog, passport_otp_dialog, ADW_TYPE_WINDOW)

/* The QR code ------------------------------------------------------------------ */

#define QUIET_ZONE 4

GdkTexture *
passport_qr_texture_new (const char *text,
                         guint       scale)
{
  QRcode *qr;
  guint modules, size, stride;
  guchar *pixels;
  GBytes *bytes;
  GdkTexture *texture;

  g_return_val_if_fail (text != NULL && scale > 0, NULL);

  /* Byte mode keeps the URI as it is; M recovers from 15 % damage. */
  qr = QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M);
  if (qr == NULL)
    return NULL;

  modules = (guint) qr->width + 2 * QUIET_ZONE;
  size = modules * scale;
  stride = size * 3;
  pixels = g_malloc (stride * size);
  memset (pixels, 0xff, stride * size);
  for (int y = 0; y < qr->width; y++)
    for (int x = 0; x < qr->width; x++)
      {
        if ((qr->data[y * qr->width + x] & 1) == 0)
          continue;
        for (guint dy = 0; dy < scale; dy++)
          memset (pixels + ((y + QUIET_ZONE) * scale + dy) * stride + (x + QUIET_ZONE) * scale * 3,
                  0, scale * 3);
      }
  QRcode_free (qr);

  bytes = g_bytes_new_take (pixels, stride * size);
  texture = gdk_memory_texture_new ((int) size, (int) size, GDK_MEMORY_R8G8B8, bytes, stride);
  g_bytes_unref (bytes);
  return texture;
}

/* Helpers ------------------------------------------------------------------------ */

static GtkWidget *
wrapped_label (const char *text,
               const char *name)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (name != NULL)
    gtk_widget_set_name (label, name);
  return label;
}

static GtkWidget *
named_button (const char *mnemonic,
              const char *name)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (mnemonic);

  gtk_widget_set_name (button, name);
  return button;
}

static void
copy_text (GtkWidget  *widget,
           const char *text)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

/* The page of the recovery codes --------------------------------------------------- */

static char *
codes_text (PassportOtpDialog *self)
{
  return g_strjoinv ("\n", self->codes);
}

static void
on_codes_copy (PassportOtpDialog *self)
{
  g_autoptr(PassportSecret) text = codes_text (self);

  copy_text (GTK_WIDGET (self), text);
  gtk_button_set_label (GTK_BUTTON (self->codes_copy), _("Copied"));
  passport_a11y_name_button (self->codes_copy, _("Recovery codes copied"));
}

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PassportOtpDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_label_set_label (self->saved_label, _("The file could not be saved. Choose another place."));
      gtk_widget_add_css_class (GTK_WIDGET (self->saved_label), "error");
    }
  else
    {
      g_autofree char *name = g_file_get_parse_name (G_FILE (source));
      g_autofree char *text = NULL;

      /* Translators: %s is the path of the saved file */
      text = g_strdup_printf (_("Saved to %s"), name);
      gtk_label_set_label (self->saved_label, text);
      gtk_widget_remove_css_class (GTK_WIDGET (self->saved_label), "error");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->saved_label), TRUE);
}

/* Writes the codes, one per line, readable by the user only. */
static void
save_to (PassportOtpDialog *self,
         GFile             *file)
{
  char *text = codes_text (self);
  g_autofree char *with_end = g_strconcat (text, "\n", NULL);
  GBytes *bytes;

  passport_secure_free (text);
  bytes = g_bytes_new_with_free_func (with_end, strlen (with_end),
                                      (GDestroyNotify) passport_secure_free, with_end);
  g_steal_pointer (&with_end);
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->cancellable, saved_cb, g_object_ref (self));
  g_bytes_unref (bytes);
}

static void
chooser_response_cb (GtkNativeDialog   *chooser,
                     int                response,
                     PassportOtpDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        save_to (self, file);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
on_codes_save (PassportOtpDialog *self)
{
  GtkFileChooserNative *chooser;
  const char *path = g_getenv ("PASSPORT_TEST_SAVE_PATH");

  /* The UI tests cannot drive the system's file chooser: they name the
   * file, and everything after the choice runs as for a user. */
  if (path != NULL && *path != '\0')
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);

      save_to (self, file);
      return;
    }

  chooser = gtk_file_chooser_native_new (_("Save Recovery Codes"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("passport-recovery-codes.txt"));
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static GtkWidget *
build_codes_page (PassportOtpDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_box_append (GTK_BOX (box),
                  wrapped_label (_("Keep these recovery codes somewhere safe, apart from your phone. "
                                   "Each one signs you in once when you cannot use the authenticator "
                                   "app. They are not shown again."),
                                 "otp-codes-intro"));

  self->codes_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->codes_label), "otp-recovery-codes");
  gtk_label_set_selectable (self->codes_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->codes_label), "monospace");
  gtk_widget_add_css_class (GTK_WIDGET (self->codes_label), "card");
  gtk_widget_set_halign (GTK_WIDGET (self->codes_label), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->codes_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Recovery codes"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->codes_label));

  gtk_widget_set_halign (buttons, GTK_ALIGN_CENTER);
  self->codes_copy = named_button (_("_Copy"), "otp-codes-copy");
  g_signal_connect_swapped (self->codes_copy, "clicked", G_CALLBACK (on_codes_copy), self);
  gtk_box_append (GTK_BOX (buttons), self->codes_copy);
  {
    GtkWidget *save = named_button (_("_Save…"), "otp-codes-save");

    self->codes_save = save;

    g_signal_connect_swapped (save, "clicked", G_CALLBACK (on_codes_save), self);
    gtk_box_append (GTK_BOX (buttons), save);
  }
  gtk_box_append (GTK_BOX (box), buttons);

  self->saved_label = GTK_LABEL (wrapped_label (NULL, "otp-codes-saved"));
  gtk_widget_set_visible (GTK_WIDGET (self->saved_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->saved_label));

  self->done = named_button (_("_Done"), "otp-codes-done");
  gtk_widget_add_css_class (self->done, "suggested-action");
  gtk_widget_add_css_class (self->done, "pill");
  gtk_widget_set_halign (self->done, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->done), "window.close");
  gtk_box_append (GTK_BOX (box), self->done);

  /* The names say what is copied and saved; the others read as shown. */
  passport_a11y_name_mnemonic_buttons (box);
  passport_a11y_name_button (self->codes_copy, _("Copy the recovery codes"));
  passport_a11y_name_button (self->codes_save, _("Save the recovery codes to a file"));

  return box;
}

static void
show_codes (PassportOtpDialog  *self,
            const char * const *codes)
{
  g_autoptr(PassportSecret) text = NULL;

  passport_secure_strfreev (self->codes);
  self->codes = g_strdupv ((char **) codes);
  text = codes_text (self);
  gtk_label_set_label (self->codes_label, text);
  gtk_stack_set_visible_child_name (self->stack, "codes");
  gtk_window_set_title (GTK_WINDOW (self), _("Recovery Codes"));
  gtk_widget_grab_focus (self->done);
}

/* The page of the key ------------------------------------------------------------- */

static gboolean
code_typed (PassportOtpDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  guint digits = 0;

  for (; *text != '\0'; text++)
    if (g_ascii_isdigit (*text))
      digits++;
    else if (!g_ascii_isspace (*text))
      return FALSE;
  return digits == 6;
}

static void
update_confirm (PassportOtpDialog *self)
{
  gtk_widget_set_sensitive (self->confirm, !self->busy && code_typed (self));
  /* Read-only rather than insensitive, so the focus stays in the field. */
  gtk_editable_set_editable (GTK_EDITABLE (self->code_row), !self->busy);
  gtk_widget_set_visible (self->spinner, self->busy);
}

static void
update_lapses (PassportOtpDialog *self)
{
  guint left = passport_countdown_get_seconds_left (self->countdown);
  g_autofree char *words = NULL;
  g_autofree char *text = NULL;

  if (left == 0)
    {
      gtk_label_set_label (self->lapses,
                           _("The set-up has expired. Close this window and turn two-step sign-in on again."));
      return;
    }
  words = passport_countdown_format (self->countdown, PASSPORT_COUNTDOWN_WORDS);
  /* Translators: %s is a time such as "9 minutes" */
  text = g_strdup_printf (_("Enter a code within %s."), words);
  gtk_label_set_label (self->lapses, text);
}

static void
confirm_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PassportOtpDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  char **codes = passport_client_otp_confirm_finish (PASSPORT_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->busy = FALSE;
  if (codes == NULL)
    {
      gtk_label_set_label (self->confirm_error, passport_error_describe (error));
      gtk_widget_set_visible (GTK_WIDGET (self->confirm_error), TRUE);
      gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
      update_confirm (self);
      gtk_widget_grab_focus (self->code_row);
      return;
    }
  /* The key is not needed any more. */
  passport_secure_clear (&self->secret);
  show_codes (self, (const char * const *) codes);
  passport_secure_strfreev (codes);
}

static void
on_confirm (PassportOtpDialog *self)
{
  GString *code = g_string_new (NULL);

  if (self->busy || !code_typed (self))
    {
      g_string_free (code, TRUE);
      return;
    }
  for (const char *p = gtk_editable_get_text (GTK_EDITABLE (self->code_row)); *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (code, *p);
  self->busy = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->confirm_error), FALSE);
  update_confirm (self);
  passport_client_otp_confirm_async (self->client, code->str, self->cancellable, confirm_cb,
                                     g_object_ref (self));
  g_string_free (code, TRUE);
}

static void
on_copy_secret (PassportOtpDialog *self,
                GtkButton         *button)
{
  if (self->secret == NULL)
    return;
  copy_text (GTK_WIDGET (self), self->secret);
  gtk_button_set_label (button, _("Copied"));
  passport_a11y_name_button (GTK_WIDGET (button), _("Key copied"));
}

static GtkWidget *
build_setup_page (PassportOtpDialog *self,
                  PassportOtpSetup  *setup)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  g_autoptr(GdkTexture) qr = passport_qr_texture_new (setup->otpauth_uri, 4);
  g_autoptr(PassportSecret) grouped = passport_secure_group_in_fours (setup->secret);
  GtkWidget *picture;
  GtkWidget *secret;
  GtkWidget *copy;
  gint64 wall_left;

  gtk_box_append (GTK_BOX (box),
                  wrapped_label (_("Scan this QR code with an authenticator app on your phone "
                                   "(such as FreeOTP, Aegis or Google Authenticator), or type the key "
                                   "into it. Then enter the six-digit code the app shows."),
                                 "otp-intro"));

  picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (qr));
  gtk_widget_set_name (picture, "otp-qr");
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), FALSE);
  gtk_widget_set_halign (picture, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("QR code for the authenticator app"), -1);
  gtk_widget_set_visible (picture, qr != NULL);
  gtk_box_append (GTK_BOX (box), picture);

  secret = gtk_label_new (grouped);
  gtk_widget_set_name (secret, "otp-secret");
  gtk_label_set_selectable (GTK_LABEL (secret), TRUE);
  gtk_label_set_wrap (GTK_LABEL (secret), TRUE);
  gtk_label_set_justify (GTK_LABEL (secret), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (secret, "monospace");
  gtk_accessible_update_property (GTK_ACCESSIBLE (secret), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Key for the authenticator app"), -1);
  gtk_box_append (GTK_BOX (box), secret);

  copy = named_button (_("Copy _Key"), "otp-copy-secret");
  gtk_widget_set_halign (copy, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (copy, "clicked", G_CALLBACK (on_copy_secret), self);
  gtk_box_append (GTK_BOX (box), copy);

  self->code_row = adw_entry_row_new ();
  gtk_widget_set_name (self->code_row, "otp-confirm-code");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->code_row),
                                 _("Code from your authenticator app"));
  gtk_editable_set_max_width_chars (GTK_EDITABLE (self->code_row), 8);
  adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (self->code_row), GTK_INPUT_PURPOSE_DIGITS);
  g_signal_connect_swapped (self->code_row, "changed", G_CALLBACK (update_confirm), self);
  g_signal_connect_swapped (self->code_row, "entry-activated", G_CALLBACK (on_confirm), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->code_row);
  gtk_box_append (GTK_BOX (box), group);

  self->confirm_error = GTK_LABEL (wrapped_label (NULL, "otp-confirm-error"));
  gtk_widget_add_css_class (GTK_WIDGET (self->confirm_error), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->confirm_error), FALSE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (self->code_row),
                                  GTK_ACCESSIBLE_RELATION_DESCRIBED_BY, self->confirm_error, NULL,
                                  -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->confirm_error));

  self->lapses = GTK_LABEL (wrapped_label (NULL, "otp-lapses"));
  gtk_widget_add_css_class (GTK_WIDGET (self->lapses), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->lapses));

  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  self->spinner = gtk_spinner_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Checking…"), -1);
  gtk_box_append (GTK_BOX (buttons), self->spinner);
  self->confirm = named_button (_("_Turn On"), "otp-confirm");
  gtk_widget_add_css_class (self->confirm, "suggested-action");
  g_signal_connect_swapped (self->confirm, "clicked", G_CALLBACK (on_confirm), self);
  gtk_box_append (GTK_BOX (buttons), self->confirm);
  gtk_box_append (GTK_BOX (box), buttons);
  passport_a11y_name_mnemonic_buttons (box);

  /* The set-up lapses at the server's time; counted here on the monotonic
   * clock from what is left of it now. */
  wall_left = g_date_time_to_unix (setup->expires_at) - g_get_real_time () / G_USEC_PER_SEC;
  self->countdown = passport_countdown_new (GTK_WIDGET (self->lapses));
  passport_countdown_set_deadline (self->countdown,
                                   g_get_monotonic_time () + MAX (wall_left, 1) * G_USEC_PER_SEC);
  g_signal_connect_object (self->countdown, "notify::seconds-left", G_CALLBACK (update_lapses),
                           self, G_CONNECT_SWAPPED);
  update_lapses (self);

  return box;
}

/* The dialog ------------------------------------------------------------------------- */

static gboolean
on_close_request (PassportOtpDialog *self)
{
  g_cancellable_cancel (self->cancellable);
  /* Nothing secret stays in the widgets once the window goes. */
  if (self->codes_label != NULL)
    gtk_label_set_label (self->codes_label, "");
  return FALSE;
}

static void
passport_otp_dialog_dispose (GObject *object)
{
  PassportOtpDialog *self = PASSPORT_OTP_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->countdown);
  G_OBJECT_CLASS (passport_otp_dialog_parent_class)->dispose (object);
}

static void
passport_otp_dialog_finalize (GObject *object)
{
  PassportOtpDialog *self = PASSPORT_OTP_DIALOG (object);

  passport_secure_free (self->secret);
  passport_secure_strfreev (self->codes);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (passport_otp_dialog_parent_class)->finalize (object);
}

static void
passport_otp_dialog_class_init (PassportOtpDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = passport_otp_dialog_dispose;
  object_class->finalize = passport_otp_dialog_finalize;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
passport_otp_dialog_init (PassportOtpDialog *self)
{
  self->cancellable = g_cancellable_new ();
}

static PassportOtpDialog *
dialog_new (GtkWindow  *parent,
            const char *title)
{
  PassportOtpDialog *self = g_object_new (PASSPORT_TYPE_OTP_DIALOG,
                                          "modal", TRUE,
                                          "transient-for", parent,
                                          "destroy-with-parent", TRUE,
                                          "default-width", 440,
                                          "default-height", 640,
                                          "title", title,
                                          NULL);
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_widget_set_name (GTK_WIDGET (self), "otp-dialog");
  gtk_box_append (GTK_BOX (content), adw_header_bar_new ());
  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), content);
  g_signal_connect_swapped (self, "close-request", G_CALLBACK (on_close_request), self);
  return self;
}

/* A page in a clamp in a scroller: fits 360 px and large text. */
static void
add_page (PassportOtpDialog *self,
          GtkWidget         *page,
          const char        *name)
{
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_widget_set_margin_top (page, 18);
  gtk_widget_set_margin_bottom (page, 18);
  gtk_widget_set_margin_start (page, 12);
  gtk_widget_set_margin_end (page, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 440);
  adw_clamp_set_child (ADW_CLAMP (clamp), page);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_stack_add_named (self->stack, scroller, name);
}

PassportOtpDialog *
passport_otp_dialog_new_for_setup (GtkWindow        *parent,
                                   PassportClient   *client,
                                   PassportOtpSetup *setup)
{
  PassportOtpDialog *self;

  g_return_val_if_fail (PASSPORT_IS_CLIENT (client), NULL);
  g_return_val_if_fail (setup != NULL, NULL);

  self = dialog_new (parent, _("Turn On Two-Step Sign-In"));
  self->client = g_object_ref (client);
  self->secret = g_strdup (setup->secret);
  add_page (self, build_setup_page (self, setup), "setup");
  add_page (self, build_codes_page (self), "codes");
  gtk_stack_set_visible_child_name (self->stack, "setup");
  passport_spinners_spin_while_mapped (GTK_WIDGET (self));
  update_confirm (self);
  gtk_widget_grab_focus (self->code_row);
  return self;
}

PassportOtpDialog *
passport_otp_dialog_new_for_codes (GtkWindow          *parent,
                                   const char * const *codes)
{
  PassportOtpDialog *self;

  g_return_val_if_fail (codes != NULL, NULL);

  self = dialog_new (parent, _("Recovery Codes"));
  add_page (self, build_codes_page (self), "codes");
  show_codes (self, codes);
  return self;
}
