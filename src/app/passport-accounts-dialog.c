// SPDX-License-Identifier: GPL-3.0-or-later
//
// The list of accounts: switch, add, disconnect, remove. Built in code.
#include "config.h"

#include <glib/gi18n.h>

#include "passport-a11y.h"
#include "passport-accounts-dialog.h"
#include "passport-disconnect.h"
#include "passport-error.h"

struct _PassportAccountsDialog
{
  AdwWindow        parent_instance;

  PassportFlow    *flow;
  PassportAccounts *accounts;
  GCancellable    *cancellable;

  AdwToastOverlay *toasts;
  GtkListBox      *list;
  GtkWidget       *add_button;
  guint            busy;     /* disconnects and removals running */
};

G_DEFINE_FINAL_TYPE (PassportAccountsDialog, passport_accounts_dialog, ADW_TYPE_WINDOW)

static const char *
state_text (PassportKnownAccountState state)
{
  switch (state)
    {
    case PASSPORT_KNOWN_ACCOUNT_SIGNED_IN: return _("Signed in");
    case PASSPORT_KNOWN_ACCOUNT_NEEDS_SIGN_IN: return _("Signed out: sign in again");
    case PASSPORT_KNOWN_ACCOUNT_UNKNOWN:
    default: return _("The keyring cannot be read");
    }
}

static void
toast (PassportAccountsDialog *self,
       const char             *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toasts, toast);
}

static void
update_busy (PassportAccountsDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->list), self->busy == 0);
  gtk_widget_set_sensitive (self->add_button, self->busy == 0);
}

/* Whether @server_url / @account_id is what the window shows. */
static gboolean
is_shown (PassportAccountsDialog *self,
          const char             *server_url,
          const char             *account_id)
{
  return g_strcmp0 (passport_flow_get_server_url (self->flow), server_url) == 0 &&
         g_strcmp0 (passport_flow_get_account_id (self->flow), account_id) == 0;
}

static GtkWidget *
icon_button (const char *icon_name,
             const char *tooltip,
             const char *accessible_name,
             const char *action_name,
             GVariant   *target)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  accessible_name, -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), target);
  return button;
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  PassportKnownAccount *known = item;
  const char *title = passport_known_account_get_title (known);
  PassportKnownAccountState state = passport_known_account_get_state (known);
  gboolean active = passport_known_account_get_active (known);
  GVariant *target = g_variant_new ("(ss)", passport_known_account_get_server_url (known),
                                    passport_known_account_get_account_id (known));
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *mark = gtk_image_new_from_icon_name ("object-select-symbolic");
  g_autofree char *subtitle = NULL;
  g_autofree char *name = NULL;
  g_autofree char *accessible = NULL;

  g_variant_ref_sink (target);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  /* Translators: the account's server, then its state, e.g.
   * "https://passport.example · Signed in" */
  subtitle = g_strdup_printf (_("%s · %s"), passport_known_account_get_server_url (known), state_text (state));
  /* Two accounts may have had one address (one freed it for the other):
   * the name tells them apart. */
  if (passport_known_account_get_email (known) != NULL && passport_known_account_get_name (known) != NULL)
    {
      g_autofree char *with_name = g_strdup_printf (_("%s · %s"), passport_known_account_get_name (known),
                                                    subtitle);

      g_free (subtitle);
      subtitle = g_steal_pointer (&with_name);
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_name (row, "account-row");

  /* The active account is marked; the mark keeps its place on the others. */
  gtk_widget_set_opacity (mark, active ? 1.0 : 0.0);
  gtk_accessible_update_state (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), mark);
  if (active)
    /* Translators: %s is the account's e-mail or name */
    accessible = g_strdup_printf (_("%s, active"), title);
  else
    accessible = g_strdup (title);
  /* The name alone: AdwActionRow's own relation to its title would add
   * the title again after it (GTK 4.8 joins both). */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle, -1);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "accounts.switch");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (row), target);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  if (state == PASSPORT_KNOWN_ACCOUNT_SIGNED_IN)
    {
      /* Translators: %s is the account's e-mail or name */
      name = g_strdup_printf (_("Disconnect %s"), title);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 icon_button ("system-log-out-symbolic", _("Disconnect: sign out here, keep it"),
                                              name, "accounts.disconnect", target));
      g_clear_pointer (&name, g_free);
    }
  /* Translators: %s is the account's e-mail or name */
  name = g_strdup_printf (_("Remove %s"), title);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             icon_button ("user-trash-symbolic", _("Remove: sign out here and forget it"),
                                          name, "accounts.remove", target));
  g_variant_unref (target);
  return row;
}

/* Switch and add -------------------------------------------------------------- */

static void
switch_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PassportAccountsDialog *self = PASSPORT_ACCOUNTS_DIALOG (widget);
  const char *server_url, *account_id;

  g_variant_get (parameter, "(&s&s)", &server_url, &account_id);
  passport_accounts_set_active (self->accounts, server_url, account_id);
  if (!is_shown (self, server_url, account_id) ||
      passport_flow_get_state (self->flow) == PASSPORT_FLOW_STATE_NEEDS_SERVER)
    passport_flow_open_account_async (self->flow, server_url, account_id, NULL, NULL, NULL);
  gtk_window_close (GTK_WINDOW (self));
}

static void
add_activated (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PassportAccountsDialog *self = PASSPORT_ACCOUNTS_DIALOG (widget);
  const char *server_url = passport_flow_get_server_url (self->flow);

  /* The sign-in page of the same server (Change Server is there). */
  if (server_url != NULL)
    passport_flow_open_account_async (self->flow, server_url, NULL, NULL, NULL, NULL);
  else
    passport_flow_change_server (self->flow);
  gtk_window_close (GTK_WINDOW (self));
}

/* Disconnect and remove ------------------------------------------------------- */

typedef struct
{
  PassportAccountsDialog *self;
  PassportAccounts *accounts;
  char *server_url;
  char *account_id;
  char *title;
  gboolean forget;
} Change;

static void
change_free (Change *change)
{
  g_object_unref (change->self);
  g_object_unref (change->accounts);
  g_free (change->server_url);
  g_free (change->account_id);
  g_free (change->title);
  g_free (change);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Change, change_free)

static void
change_done (Change       *change,
             const GError *error)
{
  PassportAccountsDialog *self = change->self;
  g_autofree char *message = NULL;

  /* Closed meanwhile: the change went on all the same; nothing to show. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  self->busy--;
  update_busy (self);
  if (error != NULL)
    /* Translators: %s is what went wrong */
    message = g_strdup_printf (_("Could not sign it out: %s"), passport_error_describe (error));
  else if (change->forget)
    /* Translators: %s is the account's e-mail or name */
    message = g_strdup_printf (_("%s is removed from this device"), change->title);
  else
    /* Translators: %s is the account's e-mail or name */
    message = g_strdup_printf (_("%s is signed out on this device"), change->title);
  toast (self, message);
}

static void
disconnected_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(Change) change = user_data;
  g_autoptr(GError) error = NULL;

  passport_disconnect_account_finish (result, &error);
  change_done (change, error);
}

static void
shown_signed_out_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(Change) change = user_data;
  g_autoptr(GError) error = NULL;

  passport_flow_sign_out_finish (PASSPORT_FLOW (source), result, &error);
  if (error == NULL && change->forget)
    passport_accounts_forget (change->accounts, change->server_url, change->account_id);
  change_done (change, error);
}

static void
start_change (PassportAccountsDialog *self,
              GVariant               *parameter,
              gboolean                forget)
{
  Change *change = g_new0 (Change, 1);
  PassportKnownAccount *known = NULL;

  change->self = g_object_ref (self);
  change->accounts = g_object_ref (self->accounts);
  g_variant_get (parameter, "(ss)", &change->server_url, &change->account_id);
  known = passport_accounts_find (self->accounts, change->server_url, change->account_id, NULL);
  change->title = g_strdup (known != NULL ? passport_known_account_get_title (known) : change->account_id);
  change->forget = forget;
  self->busy++;
  update_busy (self);
  /* The account the window shows is signed out there, so the window
   * follows; any other by a flow of its own. Closing the dialog does not
   * stop either. */
  if (is_shown (self, change->server_url, change->account_id))
    passport_flow_sign_out_async (self->flow, NULL, shown_signed_out_cb, change);
  else
    passport_disconnect_account_async (self->accounts, change->server_url, change->account_id, forget,
                                        NULL, disconnected_cb, change);
}

static void
disconnect_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  start_change (PASSPORT_ACCOUNTS_DIALOG (widget), parameter, FALSE);
}

static void
remove_response_cb (AdwMessageDialog       *dialog,
                    const char             *response,
                    PassportAccountsDialog *self)
{
  GVariant *target = g_object_get_data (G_OBJECT (dialog), "account");

  if (g_str_equal (response, "remove"))
    start_change (self, target, TRUE);
}

static void
remove_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PassportAccountsDialog *self = PASSPORT_ACCOUNTS_DIALOG (widget);
  const char *server_url, *account_id;
  PassportKnownAccount *known;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  g_variant_get (parameter, "(&s&s)", &server_url, &account_id);
  known = passport_accounts_find (self->accounts, server_url, account_id, NULL);
  /* Translators: %s is the account's e-mail or name */
  heading = g_strdup_printf (_("Remove %s?"), known != NULL ? passport_known_account_get_title (known)
                                                            : account_id);
  /* Translators: %s is the server's address */
  body = g_strdup_printf (_("It is signed out on this device and forgotten here. The account itself "
                            "stays on %s: sign in again to bring it back."), server_url);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  gtk_widget_set_name (dialog, "remove-account-dialog");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  passport_a11y_name_mnemonic_buttons (dialog);
  g_object_set_data_full (G_OBJECT (dialog), "account", g_variant_ref (parameter),
                          (GDestroyNotify) g_variant_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The object ----------------------------------------------------------------- */

static void
passport_accounts_dialog_dispose (GObject *object)
{
  PassportAccountsDialog *self = PASSPORT_ACCOUNTS_DIALOG (object);

  /* A Disconnect or Remove running goes on: only its toast is dropped. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->flow);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (passport_accounts_dialog_parent_class)->dispose (object);
}

static void
passport_accounts_dialog_finalize (GObject *object)
{
  PassportAccountsDialog *self = PASSPORT_ACCOUNTS_DIALOG (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (passport_accounts_dialog_parent_class)->finalize (object);
}

static void
passport_accounts_dialog_class_init (PassportAccountsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = passport_accounts_dialog_dispose;
  object_class->finalize = passport_accounts_dialog_finalize;

  gtk_widget_class_install_action (widget_class, "accounts.switch", "(ss)", switch_activated);
  gtk_widget_class_install_action (widget_class, "accounts.disconnect", "(ss)", disconnect_activated);
  gtk_widget_class_install_action (widget_class, "accounts.remove", "(ss)", remove_activated);
  gtk_widget_class_install_action (widget_class, "accounts.add", NULL, add_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
passport_accounts_dialog_init (PassportAccountsDialog *self)
{
  self->cancellable = g_cancellable_new ();
}

PassportAccountsDialog *
passport_accounts_dialog_new (GtkWindow    *parent,
                              PassportFlow *flow)
{
  PassportAccountsDialog *self;
  GtkWidget *content, *scroller, *clamp, *box, *note;

  g_return_val_if_fail (PASSPORT_IS_FLOW (flow), NULL);
  g_return_val_if_fail (passport_flow_get_accounts (flow) != NULL, NULL);

  self = g_object_new (PASSPORT_TYPE_ACCOUNTS_DIALOG,
                       "modal", TRUE,
                       "transient-for", parent,
                       "destroy-with-parent", TRUE,
                       "default-width", 440,
                       "default-height", 520,
                       "title", _("Accounts"),
                       NULL);
  self->flow = g_object_ref (flow);
  self->accounts = g_object_ref (passport_flow_get_accounts (flow));
  gtk_widget_set_name (GTK_WIDGET (self), "accounts-dialog");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_set_name (GTK_WIDGET (self->list), "accounts-list");
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Accounts on this device"), -1);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->accounts), create_row, self, NULL);
  {
    GtkWidget *empty = gtk_label_new (_("No accounts yet"));

    gtk_widget_add_css_class (empty, "dim-label");
    gtk_widget_set_margin_top (empty, 12);
    gtk_widget_set_margin_bottom (empty, 12);
    gtk_list_box_set_placeholder (self->list, empty);
  }
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->list));

  self->add_button = gtk_button_new_with_mnemonic (_("_Add Account…"));
  gtk_widget_set_name (self->add_button, "add-account-button");
  gtk_widget_set_halign (self->add_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->add_button, "pill");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->add_button), "accounts.add");
  gtk_box_append (GTK_BOX (box), self->add_button);

  note = gtk_label_new (_("Disconnect signs an account out on this device and keeps it in this list. "
                          "Remove also forgets it here. Neither deletes the account."));
  gtk_label_set_wrap (GTK_LABEL (note), TRUE);
  gtk_label_set_xalign (GTK_LABEL (note), 0);
  gtk_widget_add_css_class (note, "dim-label");
  gtk_box_append (GTK_BOX (box), note);

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 440);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);
  gtk_widget_set_vexpand (scroller, TRUE);
  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, scroller);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (content), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->toasts));
  adw_window_set_content (ADW_WINDOW (self), content);
  passport_a11y_name_mnemonic_buttons (GTK_WIDGET (self));
  return self;
}
