// SPDX-License-Identifier: GPL-3.0-or-later
//
// "This e-mail is already taken": say so plainly, then either use another
// address or free this one by signing in to the account that holds it,
// giving that account a new address and confirming it. The flow keeps the
// password typed on the bind page for the end.
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "passport-conflict-page.h"
#include "passport-countdown.h"
#include "passport-error.h"
#include "passport-forgot-password.h"
#include "passport-provider-button.h"
#include "passport-provider.h"
#include "passport-secure.h"
#include "passport-server.h"

struct _PassportConflictPage
{
  PassportPage         parent_instance;

  GtkStack            *step_stack;
  GtkLabel            *taken_label;
  GtkLabel            *other_sign_in_label;
  AdwPasswordEntryRow *other_password_row;
  AdwPasswordEntryRow *other_current_password_row;
  GtkBox              *other_providers_box;
  AdwEntryRow         *other_email_row;
  GtkLabel            *other_confirm_label;
  GtkLabel            *other_resend_label;
  GtkLabel            *working_label;
  GtkLabel            *error_label;
  GtkWidget           *forgot_button;
  GtkLabel            *forgot_note;

  PassportCountdown   *retry_countdown;  /* the flow's retry-after */
  PassportForgotPassword *forgot;        /* for the other account's address */
};

G_DEFINE_FINAL_TYPE (PassportConflictPage, passport_conflict_page, PASSPORT_TYPE_PAGE)

static const char *
step_name (PassportConflictStep step)
{
  switch (step)
    {
    case PASSPORT_CONFLICT_STEP_NONE:
      return "taken";
    case PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN:
      return "other-sign-in";
    case PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL:
      return "other-new-email";
    case PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION:
      return "other-confirm";
    case PASSPORT_CONFLICT_STEP_OTHER_SIGNING_IN:
    case PASSPORT_CONFLICT_STEP_FREED:
    default:
      return "working";
    }
}

static void
rebuild_providers (PassportConflictPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportServer *server = flow ? passport_flow_get_server (flow) : NULL;
  GListModel *providers = server ? passport_server_get_providers (server) : NULL;
  GtkWidget *child;
  guint n = providers ? g_list_model_get_n_items (providers) : 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->other_providers_box))) != NULL)
    gtk_box_remove (self->other_providers_box, child);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (PassportProvider) provider = g_list_model_get_item (providers, i);
      GtkWidget *button = passport_provider_button_new (provider, server);

      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "conflict.sign-in-provider");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", passport_provider_get_id (provider));
      gtk_box_append (self->other_providers_box, button);
    }
}

static void
update (PassportConflictPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  gboolean conflict = flow != NULL &&
                      passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_EMAIL_CONFLICT;
  PassportConflictStep step = conflict ? passport_flow_get_conflict_step (flow)
                                       : PASSPORT_CONFLICT_STEP_NONE;
  const char *email = flow ? passport_flow_get_conflict_email (flow) : NULL;
  PassportAccount *other = flow ? passport_flow_get_other_account (flow) : NULL;
  const char *other_pending = other ? passport_account_get_pending_email (other) : NULL;
  const GError *error = passport_page_get_inline_error (PASSPORT_PAGE (self));
  const char *new_email = gtk_editable_get_text (GTK_EDITABLE (self->other_email_row));
  gboolean busy = flow != NULL && passport_flow_get_busy (flow);
  /* A wait for another reset link is said beside that button. */
  gboolean reset_wait = self->forgot != NULL && passport_forgot_password_waiting (self->forgot);
  guint left = reset_wait ? 0 : passport_countdown_get_seconds_left (self->retry_countdown);
  g_autofree char *taken = NULL;
  g_autofree char *resend = NULL;
  g_autofree char *sign_in = NULL;
  g_autofree char *confirm = NULL;
  g_autofree char *message = NULL;

  /* The answer to "Forgot password?" is said beside it. */
  if (self->forgot != NULL && passport_forgot_password_owns_error (self->forgot, error))
    error = NULL;

  gtk_stack_set_visible_child_name (self->step_stack, step_name (step));
  /* Only the current step exists for screen readers (see the window). */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->step_stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_accessible_update_state (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_STATE_HIDDEN,
                                 child != gtk_stack_get_visible_child (self->step_stack),
                                 -1);

  /* Translators: %s is an e-mail address */
  taken = g_strdup_printf (_("Another account already uses %s. An address can belong to only one account. "
                             "You can use another address, or, if that other account is yours too, "
                             "give it a new address and free this one."),
                           email ? email : "");
  gtk_label_set_label (self->taken_label, taken);

  /* Translators: %s is an e-mail address */
  sign_in = g_strdup_printf (_("Sign in to the account that holds %s, with its password or its social network."),
                             email ? email : "");
  gtk_label_set_label (self->other_sign_in_label, sign_in);

  /* Translators: %s is an e-mail address */
  confirm = g_strdup_printf (_("We sent a link to %s. Open it to confirm the other account’s new address."),
                             other_pending ? other_pending : "");
  gtk_label_set_label (self->other_confirm_label, confirm);

  /* The other account's mail waits its resend delay as ours does on the
   * confirm page, and says so (finding 17). */
  if (left > 0 && step == PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION)
    {
      g_autofree char *wait = passport_countdown_format (self->retry_countdown, PASSPORT_COUNTDOWN_WORDS);

      /* Translators: a button; %s is a wait, e.g. "29 seconds" */
      resend = g_strdup_printf (_("_Resend in %s"), wait);
    }
  else
    resend = g_strdup (_("_Resend the Link"));
  gtk_label_set_label (self->other_resend_label, resend);

  gtk_label_set_label (self->working_label,
                       step == PASSPORT_CONFLICT_STEP_FREED
                         ? _("The address is free. Adding it to your account…")
                         : _("Signing in to the other account…"));

  /* Throttled: how long, as the password page says it (finding 13), and
   * nothing once the wait is over. */
  if (error != NULL && error->code == PASSPORT_ERROR_TOO_MANY_REQUESTS)
    {
      if (left > 0)
        {
          g_autofree char *wait = passport_countdown_format (self->retry_countdown, PASSPORT_COUNTDOWN_WORDS);

          /* Translators: %s is a wait, e.g. "30 seconds" or "15 minutes" */
          message = g_strdup_printf (_("Too many attempts. Try again in %s."), wait);
        }
    }
  else if (error != NULL)
    message = g_strdup (passport_error_describe (error));
  gtk_label_set_label (self->error_label, message ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);

  /* Only a throttle of this very sign-in holds it back, and then the
   * error above says so; a resend delay of the mail is not its business. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "conflict.sign-in-password",
                                 conflict && !busy && step == PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN &&
                                 *gtk_editable_get_text (GTK_EDITABLE (self->other_password_row)) != '\0' &&
                                 !(left > 0 && error != NULL && error->code == PASSPORT_ERROR_TOO_MANY_REQUESTS));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "conflict.sign-in-provider",
                                 conflict && !busy && step == PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
  /* Signed in to the other account with its social network: changing its
   * address still takes its password. */
  gtk_widget_set_visible (GTK_WIDGET (self->other_current_password_row),
                          flow != NULL && passport_flow_get_other_needs_password (flow));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "conflict.set-other-email",
                                 conflict && !busy && step == PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL &&
                                 strchr (new_email, '@') != NULL && g_strcmp0 (new_email, email) != 0 &&
                                 (!passport_flow_get_other_needs_password (flow) ||
                                  *gtk_editable_get_text (GTK_EDITABLE (self->other_current_password_row)) != '\0'));
  if (self->forgot != NULL)
    {
      passport_forgot_password_set_email (self->forgot, email);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "conflict.forgot-password",
                                     passport_forgot_password_get_can_request (self->forgot));
    }
}

static void
on_state (PassportConflictPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));

  /* The other account's password is needed once; do not keep it around. */
  if (flow == NULL || passport_flow_get_conflict_step (flow) != PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN)
    gtk_editable_set_text (GTK_EDITABLE (self->other_password_row), "");
  if (flow == NULL || passport_flow_get_conflict_step (flow) != PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL)
    gtk_editable_set_text (GTK_EDITABLE (self->other_current_password_row), "");
  update (self);
}

/* Another person, or none: nothing typed here is kept for them. */
static void
forget (PassportPage *page)
{
  PassportConflictPage *self = PASSPORT_CONFLICT_PAGE (page);

  gtk_editable_set_text (GTK_EDITABLE (self->other_password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->other_current_password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->other_email_row), "");
}

#define FLOW_OF(w) passport_page_get_flow (PASSPORT_PAGE (w))

static void
sign_in_password_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  PassportConflictPage *self = PASSPORT_CONFLICT_PAGE (widget);
  /* A copy: the flow changes step before it reads the password, and the
   * page empties the field on that change. */
  char *password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->other_password_row)));

  if (FLOW_OF (widget) != NULL)
    passport_flow_conflict_sign_in_with_password_async (FLOW_OF (widget), password, NULL, NULL, NULL);
  passport_secure_free (password);
}

static void
sign_in_provider_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  if (FLOW_OF (widget) != NULL)
    passport_flow_conflict_sign_in_with_provider_async (FLOW_OF (widget),
                                                  g_variant_get_string (parameter, NULL), NULL, NULL, NULL);
}

static void
set_other_email_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  PassportConflictPage *self = PASSPORT_CONFLICT_PAGE (widget);
  g_autofree char *email = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->other_email_row)));

  g_autofree char *password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->other_current_password_row)));

  if (FLOW_OF (widget) != NULL)
    passport_flow_conflict_set_other_email_async (FLOW_OF (widget), g_strstrip (email),
                                                 *password != '\0' ? password : NULL, NULL, NULL, NULL);
  explicit_bzero (password, strlen (password));
}

static void
forgot_password_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  passport_forgot_password_request (PASSPORT_CONFLICT_PAGE (widget)->forgot);
}

static void
on_password_activated (PassportConflictPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "conflict.sign-in-password", NULL);
}

static void
on_email_activated (PassportConflictPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "conflict.set-other-email", NULL);
}

const char *
passport_conflict_page_get_step_name (PassportConflictPage *self)
{
  g_return_val_if_fail (PASSPORT_IS_CONFLICT_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->step_stack);
}

static void
passport_conflict_page_dispose (GObject *object)
{
  PassportConflictPage *self = PASSPORT_CONFLICT_PAGE (object);

  g_clear_object (&self->retry_countdown);
  if (self->forgot != NULL)
    g_signal_handlers_disconnect_by_data (self->forgot, self);
  g_clear_object (&self->forgot);

  G_OBJECT_CLASS (passport_conflict_page_parent_class)->dispose (object);
}

static void
passport_conflict_page_class_init (PassportConflictPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PassportPageClass *page_class = PASSPORT_PAGE_CLASS (klass);

  object_class->dispose = passport_conflict_page_dispose;
  page_class->forget = forget;
  passport_page_class_set_inline_errors (page_class,
                                         PASSPORT_ERROR_INVALID_GRANT,
                                         PASSPORT_ERROR_INVALID_EMAIL,
                                         PASSPORT_ERROR_EMAIL_EXISTS,
                                         PASSPORT_ERROR_TOO_MANY_REQUESTS,
                                         PASSPORT_ERROR_ACCESS_DENIED,
                                         -1);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passportdesk/Passport/passport-conflict-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, step_stack);
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, taken_label);
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, other_sign_in_label);
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, other_password_row);
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, other_current_password_row);
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, other_providers_box);
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, other_email_row);
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, other_confirm_label);
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, other_resend_label);
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, working_label);
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, forgot_button);
  gtk_widget_class_bind_template_child (widget_class, PassportConflictPage, forgot_note);
  gtk_widget_class_bind_template_callback (widget_class, update);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_email_activated);

  gtk_widget_class_install_action (widget_class, "conflict.sign-in-password", NULL, sign_in_password_activated);
  gtk_widget_class_install_action (widget_class, "conflict.sign-in-provider", "s", sign_in_provider_activated);
  gtk_widget_class_install_action (widget_class, "conflict.set-other-email", NULL, set_other_email_activated);
  gtk_widget_class_install_action (widget_class, "conflict.forgot-password", NULL, forgot_password_activated);
}

static void
passport_conflict_page_init (PassportConflictPage *self)
{
  GSignalGroup *signals;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->retry_countdown = passport_countdown_new (GTK_WIDGET (self));
  g_signal_connect_swapped (self->retry_countdown, "notify::seconds-left", G_CALLBACK (update), self);
  self->forgot = passport_forgot_password_new (GTK_WIDGET (self), self->forgot_button, self->forgot_note);
  g_object_bind_property (self, "flow", self->forgot, "flow", G_BINDING_SYNC_CREATE);
  g_signal_connect_swapped (self->forgot, "changed", G_CALLBACK (update), self);
  update (self);

  signals = passport_page_get_flow_signals (PASSPORT_PAGE (self));
  g_signal_group_connect_swapped (signals, "notify::state", G_CALLBACK (on_state), self);
  g_signal_group_connect_swapped (signals, "notify::conflict-step", G_CALLBACK (on_state), self);
  g_signal_group_connect_swapped (signals, "notify::conflict-email", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::other-account", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::busy", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::error", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::server", G_CALLBACK (rebuild_providers), self);
  g_binding_group_bind (passport_page_get_flow_bindings (PASSPORT_PAGE (self)), "retry-after",
                        self->retry_countdown, "deadline", G_BINDING_SYNC_CREATE);
  g_signal_connect (self, "notify::flow", G_CALLBACK (rebuild_providers), NULL);
  g_signal_connect (self, "notify::flow", G_CALLBACK (on_state), NULL);
}
