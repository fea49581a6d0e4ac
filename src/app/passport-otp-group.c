// SPDX-License-Identifier: GPL-3.0-or-later
//
// Two-step sign-in on the account page (contract 8.2): on or off, turn it
// on (proof, then the QR code and a first code, then the recovery codes),
// a new set of recovery codes, turn it off; a warning row when two or fewer
// recovery codes are left. Shown only when the server offers `otp`. The
// state comes from the flow's account, which the long poll keeps current,
// so what another device changes shows here too.
#include "config.h"

#include <glib/gi18n.h>

#include "passport-a11y.h"
#include "passport-otp-dialog.h"
#include "passport-otp-group.h"
#include "passport-proof-dialog.h"
#include "passport-secure.h"

/* The contract's advice (8.3): suggest a new set from this many left. */
#define FEW_CODES_LEFT 2

typedef enum
{
  TASK_TURN_ON,
  TASK_NEW_CODES,
  TASK_TURN_OFF,
} Task;

struct _PassportOtpGroup
{
  AdwPreferencesGroup  parent_instance;

  PassportFlow        *flow;
  GSignalGroup        *flow_signals;
  PassportAccount     *account;

  GtkWidget           *status_row;
  GtkWidget           *turn_on;
  GtkWidget           *turn_off;
  GtkWidget           *codes_row;
  GtkWidget           *new_codes;
  GtkWidget           *low_row;
  GtkWidget           *low_new_codes;

  PassportProofDialog *proof_dialog;  /* the one open, weak */
  GCancellable        *cancellable;   /* its call */
  Task                 task;
};

G_DEFINE_FINAL_TYPE (PassportOtpGroup, passport_otp_group, ADW_TYPE_PREFERENCES_GROUP)

enum { PROP_0, PROP_FLOW, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
update (PassportOtpGroup *self)
{
  PassportServer *server = self->flow ? passport_flow_get_server (self->flow) : NULL;
  gboolean signed_in = self->flow != NULL && self->account != NULL &&
                       passport_flow_get_state (self->flow) == PASSPORT_FLOW_STATE_SIGNED_IN;
  gboolean offered = server != NULL && passport_server_has_account_api (server) &&
                     passport_server_has_feature (server, "otp");
  gboolean on = self->account != NULL && passport_account_get_otp_enabled (self->account);
  guint left = self->account ? passport_account_get_recovery_codes_left (self->account) : 0;
  g_autofree char *subtitle = NULL;
  g_autofree char *low = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self), signed_in && offered);
  if (!signed_in || !offered)
    return;

  if (on)
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "On · %u recovery code left",
                                             "On · %u recovery codes left", left), left);
  else
    subtitle = g_strdup (_("Off"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->status_row), subtitle);
  gtk_widget_set_visible (self->turn_on, !on);
  gtk_widget_set_visible (self->turn_off, on);
  gtk_widget_set_visible (self->codes_row, on);

  gtk_widget_set_visible (self->low_row, on && left <= FEW_CODES_LEFT);
  if (left == 0)
    low = g_strdup (_("No recovery codes left"));
  else
    low = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Only %u recovery code left",
                                        "Only %u recovery codes left", left), left);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->low_row), low);
}

static void
set_account (PassportOtpGroup *self,
             PassportAccount  *account)
{
  if (self->account == account)
    return;
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  g_set_object (&self->account, account);
  if (account != NULL)
    {
      g_signal_connect_object (account, "notify::otp-enabled", G_CALLBACK (update), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (account, "notify::recovery-codes-left", G_CALLBACK (update), self,
                               G_CONNECT_SWAPPED);
    }
}

static void
close_proof_dialog (PassportOtpGroup *self)
{
  if (self->proof_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->proof_dialog));
}

static void
on_flow_changed (PassportOtpGroup *self)
{
  gboolean signed_in = self->flow != NULL &&
                       passport_flow_get_state (self->flow) == PASSPORT_FLOW_STATE_SIGNED_IN;

  set_account (self, self->flow ? passport_flow_get_account (self->flow) : NULL);
  /* Signed out (or another account): what was open for the last one goes. */
  if (!signed_in)
    {
      g_cancellable_cancel (self->cancellable);
      close_proof_dialog (self);
    }
  update (self);
}

/* The calls behind the proof -------------------------------------------------------- */

static GtkWindow *
parent_window (PassportOtpGroup *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* What the calls changed (on, off, codes left) comes with the account. */
static void
reload (PassportOtpGroup *self)
{
  if (self->flow != NULL)
    passport_flow_reload_account_async (self->flow, NULL, NULL, NULL);
}

static void
call_done (PassportOtpGroup *self,
           GError           *error)
{
  if (error == NULL)
    reload (self);
  if (self->proof_dialog == NULL)
    return;
  if (error != NULL)
    passport_proof_dialog_fail (self->proof_dialog, error);
  else
    close_proof_dialog (self);
}

static void
setup_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PassportOtpGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportOtpSetup) setup =
    passport_client_otp_setup_finish (PASSPORT_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  call_done (self, error);
  if (setup != NULL)
    {
      PassportOtpDialog *dialog = passport_otp_dialog_new_for_setup (parent_window (self),
                                                                     PASSPORT_CLIENT (source),
                                                                     setup);

      /* Confirmed or not, the account says which when the dialog goes. */
      g_signal_connect_object (dialog, "destroy", G_CALLBACK (reload), self, G_CONNECT_SWAPPED);
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
codes_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PassportOtpGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  char **codes = passport_client_new_recovery_codes_finish (PASSPORT_CLIENT (source), result,
                                                            &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  call_done (self, error);
  if (codes != NULL)
    {
      gtk_window_present (GTK_WINDOW (passport_otp_dialog_new_for_codes (parent_window (self),
                                                                         (const char * const *) codes)));
      passport_secure_strfreev (codes);
    }
}

static void
disable_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PassportOtpGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) account =
    passport_client_otp_disable_finish (PASSPORT_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  call_done (self, error);
}

static void
on_proof (PassportOtpGroup    *self,
          guint                kind,
          const char          *proof,
          PassportProofDialog *dialog)
{
  PassportClient *client = self->flow ? passport_flow_get_client (self->flow) : NULL;

  if (client == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  passport_proof_dialog_set_busy (dialog, TRUE);

  switch (self->task)
    {
    case TASK_TURN_ON:
      passport_client_otp_setup_async (client, kind, proof, self->cancellable, setup_cb,
                                       g_object_ref (self));
      break;
    case TASK_NEW_CODES:
      passport_client_new_recovery_codes_async (client, kind, proof, self->cancellable, codes_cb,
                                                g_object_ref (self));
      break;
    case TASK_TURN_OFF:
    default:
      passport_client_otp_disable_async (client, kind, proof, self->cancellable, disable_cb,
                                         g_object_ref (self));
      break;
    }
}

static void
on_proof_cancelled (PassportOtpGroup *self)
{
  g_cancellable_cancel (self->cancellable);
}

static void
ask_proof (PassportOtpGroup *self,
           Task              task)
{
  const char *title, *body, *submit;
  gboolean has_password;

  if (self->account == NULL || passport_flow_get_client (self->flow) == NULL)
    return;
  close_proof_dialog (self);
  has_password = passport_account_get_has_password (self->account);
  self->task = task;

  switch (task)
    {
    case TASK_TURN_ON:
      title = _("Turn On Two-Step Sign-In");
      body = has_password ? _("Confirm it is you with your password. Next you scan a QR code "
                              "with an authenticator app on your phone.")
                          : _("You signed in a short while ago, so that is your proof. Next you "
                              "scan a QR code with an authenticator app on your phone.");
      submit = _("_Continue");
      break;
    case TASK_NEW_CODES:
      title = _("New Recovery Codes");
      body = _("Confirm it is you. You get ten new recovery codes, and the ones you have now "
               "stop working.");
      submit = _("_Get New Codes");
      break;
    case TASK_TURN_OFF:
    default:
      title = _("Turn Off Two-Step Sign-In?");
      body = _("Confirm it is you. Signing in then needs only your password, and your recovery "
               "codes stop working.");
      submit = _("_Turn Off");
      break;
    }

  self->proof_dialog = passport_proof_dialog_new (parent_window (self), self->account, title,
                                                  body, submit);
  g_object_add_weak_pointer (G_OBJECT (self->proof_dialog), (gpointer *) &self->proof_dialog);
  passport_proof_dialog_set_destructive (self->proof_dialog, task == TASK_TURN_OFF);
  g_signal_connect_object (self->proof_dialog, "submit", G_CALLBACK (on_proof), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->proof_dialog, "cancelled", G_CALLBACK (on_proof_cancelled), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->proof_dialog));
}

static void
on_turn_on (PassportOtpGroup *self)
{
  ask_proof (self, TASK_TURN_ON);
}

static void
on_new_codes (PassportOtpGroup *self)
{
  ask_proof (self, TASK_NEW_CODES);
}

static void
on_turn_off (PassportOtpGroup *self)
{
  ask_proof (self, TASK_TURN_OFF);
}

/* The group ---------------------------------------------------------------------------- */

static GtkWidget *
suffix_button (const char *mnemonic,
               const char *name,
               const char *accessible)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (mnemonic);

  gtk_widget_set_name (button, name);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  passport_a11y_name_button (button, accessible);
  return button;
}

static void
build (PassportOtpGroup *self)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (self);

  gtk_widget_set_name (GTK_WIDGET (self), "otp-group");
  adw_preferences_group_set_title (group, _("Two-Step Sign-In"));
  adw_preferences_group_set_description (group,
                                         _("After your password, a code from an authenticator app "
                                           "on your phone is asked too."));

  self->status_row = adw_action_row_new ();
  gtk_widget_set_name (self->status_row, "otp-status");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), _("Two-step sign-in"));
  self->turn_on = suffix_button (_("Turn _On…"), "otp-turn-on", _("Turn on two-step sign-in"));
  gtk_widget_add_css_class (self->turn_on, "suggested-action");
  self->turn_off = suffix_button (_("Turn O_ff…"), "otp-turn-off", _("Turn off two-step sign-in"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->status_row), self->turn_on);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->status_row), self->turn_off);
  adw_preferences_group_add (group, self->status_row);

  self->low_row = adw_action_row_new ();
  gtk_widget_set_name (self->low_row, "otp-codes-low");
  adw_action_row_set_icon_name (ADW_ACTION_ROW (self->low_row), "dialog-warning-symbolic");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->low_row),
                               _("Get a new set so you are not locked out when you cannot use your phone."));
  gtk_widget_add_css_class (self->low_row, "warning");
  self->low_new_codes = suffix_button (_("Get _New Codes…"), "otp-codes-low-new",
                                       _("Get new recovery codes"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->low_row), self->low_new_codes);
  adw_preferences_group_add (group, self->low_row);

  self->codes_row = adw_action_row_new ();
  gtk_widget_set_name (self->codes_row, "otp-codes");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->codes_row), _("Recovery codes"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->codes_row),
                               _("For when you cannot use the authenticator app"));
  self->new_codes = suffix_button (_("_New Codes…"), "otp-new-codes", _("Get new recovery codes"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->codes_row), self->new_codes);
  adw_preferences_group_add (group, self->codes_row);

  g_signal_connect_swapped (self->turn_on, "clicked", G_CALLBACK (on_turn_on), self);
  g_signal_connect_swapped (self->turn_off, "clicked", G_CALLBACK (on_turn_off), self);
  g_signal_connect_swapped (self->new_codes, "clicked", G_CALLBACK (on_new_codes), self);
  g_signal_connect_swapped (self->low_new_codes, "clicked", G_CALLBACK (on_new_codes), self);
}

static void
passport_otp_group_dispose (GObject *object)
{
  PassportOtpGroup *self = PASSPORT_OTP_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  close_proof_dialog (self);
  if (self->flow_signals != NULL)
    g_signal_group_set_target (self->flow_signals, NULL);
  g_clear_object (&self->flow_signals);
  set_account (self, NULL);
  g_clear_object (&self->flow);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (passport_otp_group_parent_class)->dispose (object);
}

static void
passport_otp_group_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PassportOtpGroup *self = PASSPORT_OTP_GROUP (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      g_value_set_object (value, self->flow);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_otp_group_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PassportOtpGroup *self = PASSPORT_OTP_GROUP (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      if (g_set_object (&self->flow, g_value_get_object (value)))
        {
          g_signal_group_set_target (self->flow_signals, self->flow);
          on_flow_changed (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_otp_group_class_init (PassportOtpGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = passport_otp_group_dispose;
  object_class->get_property = passport_otp_group_get_property;
  object_class->set_property = passport_otp_group_set_property;

  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, PASSPORT_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_otp_group_init (PassportOtpGroup *self)
{
  self->cancellable = g_cancellable_new ();
  self->flow_signals = g_signal_group_new (PASSPORT_TYPE_FLOW);
  g_signal_group_connect_swapped (self->flow_signals, "notify::state",
                                  G_CALLBACK (on_flow_changed), self);
  g_signal_group_connect_swapped (self->flow_signals, "notify::account",
                                  G_CALLBACK (on_flow_changed), self);
  g_signal_group_connect_swapped (self->flow_signals, "notify::server", G_CALLBACK (update), self);
  build (self);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
