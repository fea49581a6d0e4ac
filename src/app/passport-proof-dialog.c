// SPDX-License-Identifier: GPL-3.0-or-later
//
// "Confirm it is you": the proof a sensitive call carries (contract
// section 4). Built in code: a header, a sentence, one field, a button.
#include "config.h"

#include <glib/gi18n.h>

#include "passport-a11y.h"
#include "passport-proof-dialog.h"
#include "passport-secure.h"
#include "passport-spinner.h"

struct _PassportProofDialog
{
  AdwWindow          parent_instance;

  GtkWidget         *password_row;
  GtkWidget         *code_row;
  GtkWidget         *use_code;        /* switches between password and code */
  GtkWidget         *use_recovery;
  GtkLabel          *error_label;
  GtkWidget         *submit;
  GtkWidget         *spinner;

  gboolean           has_password;
  gboolean           otp_enabled;
  gboolean           code_mode;
  gboolean           busy;
};

G_DEFINE_FINAL_TYPE (PassportProofDialog, passport_proof_dialog, ADW_TYPE_WINDOW)

enum { SUBMIT, CANCELLED, N_SIGNALS };
static guint signals[N_SIGNALS];

static PassportProofKind
proof_kind (PassportProofDialog *self)
{
  if (self->code_mode)
    return gtk_check_button_get_active (GTK_CHECK_BUTTON (self->use_recovery))
             ? PASSPORT_PROOF_RECOVERY_CODE : PASSPORT_PROOF_OTP;
  return self->has_password ? PASSPORT_PROOF_PASSWORD : PASSPORT_PROOF_NONE;
}

static GtkWidget *
current_field (PassportProofDialog *self)
{
  switch (proof_kind (self))
    {
    case PASSPORT_PROOF_PASSWORD:
      return self->password_row;
    case PASSPORT_PROOF_OTP:
    case PASSPORT_PROOF_RECOVERY_CODE:
      return self->code_row;
    case PASSPORT_PROOF_NONE:
    default:
      return NULL;
    }
}

static gboolean
field_filled (GtkWidget *field)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (field));

  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return TRUE;
  return FALSE;
}

static void
update (PassportProofDialog *self)
{
  GtkWidget *field = current_field (self);
  gboolean recovery = proof_kind (self) == PASSPORT_PROOF_RECOVERY_CODE;

  gtk_widget_set_visible (self->password_row, !self->code_mode && self->has_password);
  gtk_widget_set_visible (self->code_row, self->code_mode);
  gtk_widget_set_visible (self->use_recovery, self->code_mode);
  gtk_widget_set_visible (self->use_code, self->has_password && self->otp_enabled);
  gtk_button_set_label (GTK_BUTTON (self->use_code),
                        self->code_mode ? _("Use Your _Password Instead")
                                        : _("Use a _Code Instead"));
  passport_a11y_name_mnemonic_buttons (gtk_widget_get_parent (self->use_code));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->code_row),
                                 recovery ? _("Recovery code")
                                          : _("Code from your authenticator app"));
  /* Not insensitive: a focused GtkText made insensitive keeps blinking
   * without focus (GTK warns). Read-only while the call runs. */
  gtk_editable_set_editable (GTK_EDITABLE (self->password_row), !self->busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->code_row), !self->busy);
  gtk_widget_set_sensitive (self->use_code, !self->busy);
  gtk_widget_set_sensitive (self->use_recovery, !self->busy);
  gtk_widget_set_sensitive (self->submit, !self->busy && (field == NULL || field_filled (field)));
  gtk_widget_set_visible (self->spinner, self->busy);
}

static void
clear_error (PassportProofDialog *self)
{
  gtk_label_set_label (self->error_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
}

static void
focus_field (PassportProofDialog *self)
{
  GtkWidget *field = current_field (self);

  gtk_widget_grab_focus (field != NULL ? field : self->submit);
}

static void
on_use_code (PassportProofDialog *self)
{
  self->code_mode = !self->code_mode;
  clear_error (self);
  update (self);
  focus_field (self);
}

static void
on_use_recovery (PassportProofDialog *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  clear_error (self);
  update (self);
  focus_field (self);
}

static void
on_changed (PassportProofDialog *self)
{
  update (self);
}

static void
on_submit (PassportProofDialog *self)
{
  GtkWidget *field = current_field (self);
  g_autoptr(PassportSecret) proof = NULL;

  if (self->busy || !gtk_widget_get_sensitive (self->submit))
    return;
  if (field != NULL)
    {
      proof = g_strdup (gtk_editable_get_text (GTK_EDITABLE (field)));
      /* Codes are read without the spaces people type or paste with them;
       * a password is sent as typed. */
      if (field == self->code_row)
        g_strstrip (proof);
    }
  clear_error (self);
  g_signal_emit (self, signals[SUBMIT], 0, (guint) proof_kind (self), proof);
}

static gboolean
on_close_request (PassportProofDialog *self)
{
  g_signal_emit (self, signals[CANCELLED], 0);
  return FALSE;
}

static void
passport_proof_dialog_dispose (GObject *object)
{
  PassportProofDialog *self = PASSPORT_PROOF_DIALOG (object);

  /* What was typed does not outlive the dialog. */
  if (self->password_row != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  if (self->code_row != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  self->password_row = NULL;
  self->code_row = NULL;
  G_OBJECT_CLASS (passport_proof_dialog_parent_class)->dispose (object);
}

static void
passport_proof_dialog_class_init (PassportProofDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = passport_proof_dialog_dispose;

  /* ::submit (guint kind, const char *proof): the user confirmed. */
  signals[SUBMIT] = g_signal_new ("submit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  /* ::cancelled: closed without confirming (or while a call ran). */
  signals[CANCELLED] = g_signal_new ("cancelled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
passport_proof_dialog_init (PassportProofDialog *self)
{
}

static GtkWidget *
build (PassportProofDialog *self,
       const char          *title,
       const char          *body,
       const char          *submit_label)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *body_label = gtk_label_new (body);
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *scroller = gtk_scrolled_window_new ();

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new (title, NULL));
  gtk_box_append (GTK_BOX (toolbar), header);

  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 420);

  gtk_label_set_wrap (GTK_LABEL (body_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (body_label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (body_label), 0);
  gtk_widget_set_name (body_label, "proof-body");
  gtk_box_append (GTK_BOX (box), body_label);

  self->password_row = adw_password_entry_row_new ();
  gtk_widget_set_name (self->password_row, "proof-password");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->password_row), _("Password"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->password_row);

  self->code_row = adw_entry_row_new ();
  gtk_widget_set_name (self->code_row, "proof-code");
  gtk_editable_set_max_width_chars (GTK_EDITABLE (self->code_row), 16);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->code_row);
  gtk_box_append (GTK_BOX (box), group);

  self->use_recovery = gtk_check_button_new_with_mnemonic (_("Use a _recovery code instead"));
  gtk_widget_set_name (self->use_recovery, "proof-use-recovery-code");
  gtk_box_append (GTK_BOX (box), self->use_recovery);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->error_label), "proof-error");
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_wrap_mode (self->error_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));

  self->use_code = gtk_button_new_with_mnemonic ("");
  gtk_widget_set_name (self->use_code, "proof-use-code");
  gtk_widget_add_css_class (self->use_code, "flat");
  gtk_widget_set_halign (self->use_code, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (buttons), self->use_code);

  self->spinner = gtk_spinner_new ();
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Checking…"), -1);
  gtk_box_append (GTK_BOX (buttons), self->spinner);

  self->submit = gtk_button_new_with_mnemonic (submit_label);
  gtk_widget_set_name (self->submit, "proof-submit");
  gtk_widget_add_css_class (self->submit, "suggested-action");
  /* At the end of the line, with or without the switch before it. */
  gtk_widget_set_hexpand (self->submit, TRUE);
  gtk_widget_set_halign (self->submit, GTK_ALIGN_END);
  gtk_box_append (GTK_BOX (buttons), self->submit);
  gtk_box_append (GTK_BOX (box), buttons);

  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (toolbar), scroller);

  g_signal_connect_swapped (self->password_row, "changed", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->code_row, "changed", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->password_row, "entry-activated", G_CALLBACK (on_submit), self);
  g_signal_connect_swapped (self->code_row, "entry-activated", G_CALLBACK (on_submit), self);
  g_signal_connect_swapped (self->use_code, "clicked", G_CALLBACK (on_use_code), self);
  g_signal_connect_swapped (self->use_recovery, "toggled", G_CALLBACK (on_use_recovery), self);
  g_signal_connect_swapped (self->submit, "clicked", G_CALLBACK (on_submit), self);
  g_signal_connect_swapped (self, "close-request", G_CALLBACK (on_close_request), self);

  return toolbar;
}

PassportProofDialog *
passport_proof_dialog_new (GtkWindow       *parent,
                           PassportAccount *account,
                           const char      *title,
                           const char      *body,
                           const char      *submit_label)
{
  PassportProofDialog *self;

  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (account), NULL);

  self = g_object_new (PASSPORT_TYPE_PROOF_DIALOG,
                       "modal", TRUE,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       "default-width", 420,
                       "title", title,
                       NULL);
  gtk_widget_set_name (GTK_WIDGET (self), "proof-dialog");
  self->has_password = passport_account_get_has_password (account);
  self->otp_enabled = passport_account_get_otp_enabled (account);
  /* Without a password the code is the proof, when there is one. */
  self->code_mode = !self->has_password && self->otp_enabled;
  adw_window_set_content (ADW_WINDOW (self), build (self, title, body, submit_label));
  passport_a11y_name_mnemonic_buttons (GTK_WIDGET (self));
  passport_spinners_spin_while_mapped (GTK_WIDGET (self));
  update (self);
  focus_field (self);
  return self;
}

void
passport_proof_dialog_set_destructive (PassportProofDialog *self,
                                       gboolean             destructive)
{
  g_return_if_fail (PASSPORT_IS_PROOF_DIALOG (self));

  if (destructive)
    {
      gtk_widget_remove_css_class (self->submit, "suggested-action");
      gtk_widget_add_css_class (self->submit, "destructive-action");
    }
  else
    {
      gtk_widget_remove_css_class (self->submit, "destructive-action");
      gtk_widget_add_css_class (self->submit, "suggested-action");
    }
}

void
passport_proof_dialog_set_busy (PassportProofDialog *self,
                                gboolean             busy)
{
  g_return_if_fail (PASSPORT_IS_PROOF_DIALOG (self));

  self->busy = busy;
  update (self);
}

void
passport_proof_dialog_fail (PassportProofDialog *self,
                            const GError        *error)
{
  const char *text = passport_error_describe (error);
  GtkWidget *field;

  g_return_if_fail (PASSPORT_IS_PROOF_DIALOG (self));

  self->busy = FALSE;
  if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_REAUTH_REQUIRED))
    {
      const char * const *accepted = passport_error_get_accepted (error);

      /* The server says what it takes: switch to that field. */
      if (accepted != NULL && g_strv_contains (accepted, "password") && self->has_password)
        self->code_mode = FALSE;
      else if (accepted != NULL &&
               (g_strv_contains (accepted, "otp") || g_strv_contains (accepted, "recovery_code")))
        self->code_mode = self->otp_enabled;
      else if (accepted != NULL && g_strv_contains (accepted, "sign_in"))
        text = _("For your safety, sign out and sign in again in the browser, then do this within five minutes.");
    }
  if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_OTP))
    gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_PASSWORD))
    text = _("The password is wrong.");

  if (text != NULL)
    {
      gtk_label_set_label (self->error_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
    }
  update (self);
  field = current_field (self);
  if (field != NULL)
    gtk_accessible_update_relation (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                    self->error_label, NULL, -1);
  focus_field (self);
  if (field == self->password_row)
    gtk_editable_select_region (GTK_EDITABLE (field), 0, -1);
}
