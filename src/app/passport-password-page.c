// SPDX-License-Identifier: GPL-3.0-or-later
//
// E-mail and password sign-in, with the server's throttling shown as a
// countdown.
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "passport-a11y.h"
#include "passport-countdown.h"
#include "passport-error.h"
#include "passport-forgot-password.h"
#include "passport-password-page.h"
#include "passport-secure.h"

struct _PassportPasswordPage
{
  PassportPage         parent_instance;

  AdwEntryRow         *email_row;
  AdwPasswordEntryRow *password_row;
  AdwEntryRow         *code_row;
  GtkCheckButton      *recovery_check;
  GtkLabel            *error_label;
  GtkLabel            *back_label;
  GtkSpinner          *spinner;
  GtkWidget           *forgot_button;
  GtkLabel            *forgot_note;

  PassportForgotPassword *forgot;     /* "Forgot password?" */

  PassportCountdown   *throttle_countdown;  /* the flow's retry-after */
  PassportCountdown   *code_countdown;      /* the flow's mfa-deadline */
  GtkLabel            *code_time_left;
  guint                wrong_tries;   /* wrong passwords in a row for wrong_email */
  char                *wrong_email;
};

G_DEFINE_FINAL_TYPE (PassportPasswordPage, passport_password_page, PASSPORT_TYPE_PAGE)

static void
update (PassportPasswordPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  const GError *error = passport_page_get_inline_error (PASSPORT_PAGE (self));
  const char *email = gtk_editable_get_text (GTK_EDITABLE (self->email_row));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  /* A wait for another reset link is said beside that button, and does
   * not hold back signing in. */
  gboolean reset_wait = self->forgot != NULL && passport_forgot_password_waiting (self->forgot);
  guint left = reset_wait ? 0 : passport_countdown_get_seconds_left (self->throttle_countdown);
  gboolean busy = flow != NULL && passport_flow_get_busy (flow);
  gboolean code_step = flow != NULL && passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_NEEDS_CODE;
  gboolean recovery = gtk_check_button_get_active (self->recovery_check);
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  gboolean expired;
  g_autofree char *message = NULL;

  /* The second step: the password was right; the code is asked for on
   * the same page, the address still shown. */
  gtk_widget_set_visible (GTK_WIDGET (self->code_row), code_step);
  gtk_widget_set_visible (GTK_WIDGET (self->recovery_check), code_step);
  /* The keyboard goes to the field now asked for, before the other hides. */
  if (code_step && gtk_widget_get_visible (GTK_WIDGET (self->password_row)))
    gtk_widget_grab_focus (GTK_WIDGET (self->code_row));
  gtk_widget_set_visible (GTK_WIDGET (self->password_row), !code_step);
  gtk_widget_set_sensitive (GTK_WIDGET (self->email_row), !code_step);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->code_row),
                                 recovery ? _("Recovery code") : _("Code from your authenticator app"));

  /* How long the code is taken; once the time is up the server would only
   * answer that it is, so the page says it and sends nothing. */
  {
    guint code_left = passport_countdown_get_seconds_left (self->code_countdown);
    g_autofree char *clock = NULL;
    g_autofree char *time_text = NULL;

    expired = code_step && passport_countdown_get_deadline (self->code_countdown) != 0 && code_left == 0;
    if (expired)
      time_text = g_strdup (passport_error_code_describe (PASSPORT_ERROR_EXPIRED_TOKEN));
    else if (code_step && code_left > 0)
      {
        clock = passport_countdown_format (self->code_countdown, PASSPORT_COUNTDOWN_CLOCK);
        /* Translators: %s is the time left as minutes:seconds, e.g. 4:51 */
        time_text = g_strdup_printf (_("Time left to enter the code: %s"), clock);
      }
    gtk_label_set_label (self->code_time_left, time_text ? time_text : "");
    gtk_widget_set_visible (GTK_WIDGET (self->code_time_left), time_text != NULL);
  }

  /* The answer to "Forgot password?" is said beside it. */
  if (self->forgot != NULL && passport_forgot_password_owns_error (self->forgot, error))
    error = NULL;

  if (left > 0)
    {
      /* In human units (finding 13): "15 minutes", not "882 seconds". */
      g_autofree char *wait = passport_countdown_format (self->throttle_countdown, PASSPORT_COUNTDOWN_WORDS);

      /* Translators: %s is a wait, e.g. "30 seconds" or "15 minutes" */
      message = g_strdup_printf (_("Too many attempts. Try again in %s."), wait);
    }
  else if (error != NULL && error->code == PASSPORT_ERROR_INVALID_GRANT && self->wrong_tries >= 3)
    /* Warned before the lock (finding 13): the contract does not say how
     * many tries are left, only that there is a limit. */
    message = g_strdup_printf ("%s %s", passport_error_describe (error),
                               _("Several wrong passwords in a row pause signing in for a while."));
  else if (error != NULL && error->code != PASSPORT_ERROR_TOO_MANY_REQUESTS)
    message = g_strdup (passport_error_describe (error));

  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);

  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "password.sign-in",
                                 code_step ? !busy && left == 0 && !expired && !passport_page_is_blank (code)
                                           : flow != NULL && !busy && left == 0 &&
                                             passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_SIGNED_OUT &&
                                             strchr (email, '@') != NULL && *password != '\0');
  /* While a sign-in runs (a server that hangs), the same button stops it;
   * the page and what was typed stay. */
  gtk_label_set_label (self->back_label, busy ? _("_Cancel") : _("_Back"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (GTK_WIDGET (self->back_label))),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, busy ? _("Cancel") : _("Back"), -1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "password.back", flow != NULL);
  if (self->forgot != NULL)
    {
      passport_forgot_password_set_email (self->forgot, email);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "password.forgot-password",
                                     passport_forgot_password_get_can_request (self->forgot));
    }
}

static void
on_state (PassportPasswordPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));

  /* Once signed in, the password has no business staying in a widget. */
  if (flow != NULL && passport_flow_get_state (flow) > PASSPORT_FLOW_STATE_SIGNING_IN)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  /* Nor a code once its step is over. */
  if (flow == NULL || passport_flow_get_state (flow) != PASSPORT_FLOW_STATE_NEEDS_CODE)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
      gtk_check_button_set_active (self->recovery_check, FALSE);
    }
  update (self);
}

/* Another person, or none: nothing typed here is kept for them. */
static void
forget (PassportPage *page)
{
  PassportPasswordPage *self = PASSPORT_PASSWORD_PAGE (page);

  gtk_editable_set_text (GTK_EDITABLE (self->email_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  self->wrong_tries = 0;
  g_clear_pointer (&self->wrong_email, g_free);
}

static void
signed_in_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PassportPasswordPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (passport_flow_sign_in_with_password_finish (PASSPORT_FLOW (source), result, &error) ||
      !g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_GRANT))
    {
      self->wrong_tries = 0;
      g_clear_pointer (&self->wrong_email, g_free);
    }
  update (self);
}

static void
sign_in_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PassportPasswordPage *self = PASSPORT_PASSWORD_PAGE (widget);
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  g_autofree char *email = NULL;

  if (flow != NULL && passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_NEEDS_CODE)
    {
      char *code = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->code_row)));

      passport_flow_submit_code_async (flow, g_strstrip (code),
                                       gtk_check_button_get_active (self->recovery_check),
                                       NULL, NULL, NULL);
      passport_secure_free (code);
      return;
    }
  email = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->email_row)));
  /* A copy: the page empties the field when the state changes, which may
   * happen before the flow has read it. */
  char *password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));

  g_strstrip (email);
  /* Counted per address: another one starts afresh. */
  if (g_strcmp0 (email, self->wrong_email) != 0)
    {
      g_free (self->wrong_email);
      self->wrong_email = g_strdup (email);
      self->wrong_tries = 0;
    }
  self->wrong_tries++;
  if (flow != NULL)
    passport_flow_sign_in_with_password_async (flow, email, password, NULL, signed_in_cb, g_object_ref (self));
  passport_secure_free (password);
}

static void
forgot_password_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  PassportPasswordPage *self = PASSPORT_PASSWORD_PAGE (widget);

  passport_forgot_password_request (self->forgot);
}

static void
back_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (widget));

  if (flow != NULL && (passport_flow_get_busy (flow) ||
                       passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_NEEDS_CODE))
    /* A sign-in that runs, or waits for its code: stopped, the page stays. */
    passport_flow_cancel (flow);
  else
    gtk_widget_activate_action (widget, "window.show-sign-in-page", NULL);
}

static void
on_entry_activated (PassportPasswordPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "password.sign-in", NULL);
}

static gboolean
grab_focus (GtkWidget *widget)
{
  PassportPasswordPage *self = PASSPORT_PASSWORD_PAGE (widget);

  if (*gtk_editable_get_text (GTK_EDITABLE (self->email_row)) == '\0')
    return gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
  return gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}

static void
passport_password_page_dispose (GObject *object)
{
  PassportPasswordPage *self = PASSPORT_PASSWORD_PAGE (object);

  g_clear_object (&self->throttle_countdown);
  g_clear_object (&self->code_countdown);
  if (self->forgot != NULL)
    g_signal_handlers_disconnect_by_data (self->forgot, self);
  g_clear_object (&self->forgot);
  g_clear_pointer (&self->wrong_email, g_free);

  G_OBJECT_CLASS (passport_password_page_parent_class)->dispose (object);
}

static void
passport_password_page_class_init (PassportPasswordPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PassportPageClass *page_class = PASSPORT_PAGE_CLASS (klass);

  object_class->dispose = passport_password_page_dispose;
  widget_class->grab_focus = grab_focus;
  page_class->forget = forget;
  passport_page_class_set_inline_errors (page_class,
                                         PASSPORT_ERROR_INVALID_GRANT,
                                         PASSPORT_ERROR_INVALID_EMAIL,
                                         PASSPORT_ERROR_TOO_MANY_REQUESTS,
                                         PASSPORT_ERROR_EXPIRED_TOKEN,
                                         -1);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passportdesk/Passport/passport-password-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PassportPasswordPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, PassportPasswordPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, PassportPasswordPage, code_row);
  gtk_widget_class_bind_template_child (widget_class, PassportPasswordPage, recovery_check);
  gtk_widget_class_bind_template_child (widget_class, PassportPasswordPage, code_time_left);
  gtk_widget_class_bind_template_child (widget_class, PassportPasswordPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, PassportPasswordPage, back_label);
  gtk_widget_class_bind_template_child (widget_class, PassportPasswordPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, PassportPasswordPage, forgot_button);
  gtk_widget_class_bind_template_child (widget_class, PassportPasswordPage, forgot_note);
  gtk_widget_class_bind_template_callback (widget_class, update);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "password.sign-in", NULL, sign_in_activated);
  gtk_widget_class_install_action (widget_class, "password.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "password.forgot-password", NULL, forgot_password_activated);
}

static void
passport_password_page_init (PassportPasswordPage *self)
{
  GSignalGroup *signals;

  gtk_widget_init_template (GTK_WIDGET (self));
  passport_a11y_name_mnemonic_buttons (GTK_WIDGET (self));
  self->throttle_countdown = passport_countdown_new (GTK_WIDGET (self));
  g_signal_connect_swapped (self->throttle_countdown, "notify::seconds-left", G_CALLBACK (update), self);
  self->code_countdown = passport_countdown_new (GTK_WIDGET (self->code_time_left));
  g_signal_connect_swapped (self->code_countdown, "notify::seconds-left", G_CALLBACK (update), self);
  self->forgot = passport_forgot_password_new (GTK_WIDGET (self), self->forgot_button, self->forgot_note);
  g_object_bind_property (self, "flow", self->forgot, "flow", G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->forgot, "changed", G_CALLBACK (update), self);
  update (self);

  signals = passport_page_get_flow_signals (PASSPORT_PAGE (self));
  g_signal_group_connect_swapped (signals, "notify::state", G_CALLBACK (on_state), self);
  g_signal_group_connect_swapped (signals, "notify::busy", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::error", G_CALLBACK (update), self);
  g_binding_group_bind (passport_page_get_flow_bindings (PASSPORT_PAGE (self)), "retry-after",
                        self->throttle_countdown, "deadline", G_BINDING_SYNC_CREATE);
  g_binding_group_bind (passport_page_get_flow_bindings (PASSPORT_PAGE (self)), "mfa-deadline",
                        self->code_countdown, "deadline", G_BINDING_SYNC_CREATE);
  g_signal_connect (self, "notify::flow", G_CALLBACK (on_state), NULL);
}
