// SPDX-License-Identifier: GPL-3.0-or-later
//
// App passwords on the account page (contract 8.4): the list from the
// server, Revoke (asked first), and Create App Password…, which asks the
// name, then the proof (PassportProofDialog), then shows the new password
// once. Built in code like the proof dialog: the rows change with the list.
// Shown only signed in to a server that lists app_passwords.
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "passport-a11y.h"
#include "passport-app-passwords-group.h"
#include "passport-error.h"
#include "passport-proof-dialog.h"
#include "passport-remote-list.h"
#include "passport-secure.h"
#include "passport-server.h"
#include "passport-spinner.h"

/* The contract's bounds of a name, in characters. */
#define NAME_MAX_CHARS 64

struct _PassportAppPasswordsGroup
{
  AdwPreferencesGroup  parent_instance;

  PassportFlow        *flow;
  GSignalGroup        *flow_signals;

  GtkListBox          *list;
  GtkWidget           *create_row;
  GtkWidget           *create_button;
  GtkLabel            *message;         /* why a revoke failed */

  PassportRemoteList  *remote;          /* the list, its load and its error */
  GCancellable        *cancellable;     /* revokes; cancelled when the session goes */

  /* Create: the proof dialog while it is open, and its call. */
  PassportProofDialog *proof_dialog;
  GCancellable        *create_cancellable;
};

G_DEFINE_FINAL_TYPE (PassportAppPasswordsGroup, passport_app_passwords_group,
                     ADW_TYPE_PREFERENCES_GROUP)

enum { PROP_0, PROP_FLOW, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void load (PassportAppPasswordsGroup *self);

static PassportClient *
get_client (PassportAppPasswordsGroup *self)
{
  PassportServer *server;

  if (self->flow == NULL || passport_flow_get_state (self->flow) != PASSPORT_FLOW_STATE_SIGNED_IN)
    return NULL;
  server = passport_flow_get_server (self->flow);
  if (server == NULL || !passport_server_has_account_api (server) ||
      !passport_server_has_feature (server, "app_passwords"))
    return NULL;
  return passport_flow_get_client (self->flow);
}

static char *
format_date (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  /* Translators: the date an app password was created or last used, in
   * g_date_time_format()'s codes: "26 Nov 2026" */
  return g_date_time_format (local, _("%-d %b %Y"));
}

static GtkWidget *
item_row (PassportAppPassword *item)
{
  const char *name = passport_app_password_get_name (item);
  GDateTime *last_used = passport_app_password_get_last_used_at (item);
  g_autofree char *created = format_date (passport_app_password_get_created_at (item));
  g_autofree char *used = last_used != NULL ? format_date (last_used) : NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *revoke_label = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *revoke = gtk_button_new_with_label (_("Revoke"));

  if (used != NULL)
    /* Translators: %1$s and %2$s are dates ("26 Nov 2026") */
    subtitle = g_strdup_printf (_("Created %1$s · Last used %2$s"), created, used);
  else
    /* Translators: %s is a date ("26 Nov 2026") */
    subtitle = g_strdup_printf (_("Created %s · Last used never"), created);

  gtk_widget_set_name (row, "app-password-row");
  /* The name is the user's text, not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  gtk_widget_set_name (revoke, "app-password-revoke");
  gtk_widget_set_valign (revoke, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (revoke), "app-passwords.revoke");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (revoke), "s",
                                    passport_app_password_get_id (item));
  /* Translators: the accessible name of the Revoke button of the app
   * password named %s */
  revoke_label = g_strdup_printf (_("Revoke %s"), name);
  passport_a11y_name_button (revoke, revoke_label);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), revoke);
  return row;
}

static GtkWidget *
error_row (const GError *error)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *retry = gtk_button_new_with_mnemonic (_("_Retry"));

  gtk_widget_set_name (row, "app-passwords-error");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), passport_error_describe (error));
  adw_action_row_set_icon_name (ADW_ACTION_ROW (row), "dialog-warning-symbolic");
  gtk_widget_set_name (retry, "app-passwords-retry");
  gtk_widget_set_valign (retry, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (retry), "app-passwords.reload");
  passport_a11y_name_button (retry, _("Retry"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), retry);
  return row;
}

static GtkWidget *
spinner_row (void)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *spinner = gtk_spinner_new ();

  gtk_widget_set_name (row, "app-passwords-loading");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  gtk_widget_set_margin_top (spinner, 12);
  gtk_widget_set_margin_bottom (spinner, 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Loading app passwords…"), -1);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), spinner);
  passport_spinners_spin_while_mapped (row);
  return row;
}

/* The rows for what is known now: the error of the last load, else the
 * list (or that it is empty), else a spinner while the first load runs;
 * Create App Password… last. */
static void
rebuild (PassportAppPasswordsGroup *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean lost_focus = FALSE;
  GtkWidget *child;
  int position = 0;
  GListModel *items = passport_remote_list_get_items (self->remote);
  const GError *load_error = passport_remote_list_get_error (self->remote);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != self->create_row &&
         child != NULL)
    {
      if (focus != NULL && (focus == child || gtk_widget_is_ancestor (focus, child)))
        lost_focus = TRUE;
      gtk_list_box_remove (self->list, child);
    }

  if (load_error != NULL)
    gtk_list_box_insert (self->list, error_row (load_error), position++);
  else if (items != NULL && g_list_model_get_n_items (items) == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      gtk_widget_set_name (row, "app-passwords-empty");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No app passwords"));
      gtk_list_box_insert (self->list, row, position++);
    }
  else if (items != NULL)
    for (guint i = 0; i < g_list_model_get_n_items (items); i++)
      {
        g_autoptr(PassportAppPassword) item = g_list_model_get_item (items, i);

        gtk_list_box_insert (self->list, item_row (item), position++);
      }
  else if (passport_remote_list_get_loading_shown (self->remote))
    gtk_list_box_insert (self->list, spinner_row (), position++);

  /* The row that had the keyboard is gone (revoked): keep it in the group. */
  if (lost_focus)
    gtk_widget_grab_focus (self->create_button);
}

static void
show_message (PassportAppPasswordsGroup *self,
              const char                *text)
{
  gtk_label_set_label (self->message, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message), text != NULL);
}

static void
close_proof_dialog (PassportAppPasswordsGroup *self)
{
  if (self->create_cancellable != NULL)
    g_cancellable_cancel (self->create_cancellable);
  g_clear_object (&self->create_cancellable);
  if (self->proof_dialog != NULL)
    {
      GtkWindow *dialog = GTK_WINDOW (self->proof_dialog);

      g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->proof_dialog);
      self->proof_dialog = NULL;
      gtk_window_destroy (dialog);
    }
}

/* What belongs to the session: its calls, its list, an open proof dialog. */
static void
forget (PassportAppPasswordsGroup *self)
{
  if (self->remote != NULL)
    passport_remote_list_forget (self->remote);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  close_proof_dialog (self);
}

static void
update (PassportAppPasswordsGroup *self)
{
  gboolean available = get_client (self) != NULL;

  if (!available
      && (passport_remote_list_get_active (self->remote)
          || self->cancellable != NULL || self->proof_dialog != NULL))
    {
      forget (self);
      show_message (self, NULL);
      rebuild (self);
    }
  gtk_widget_set_visible (GTK_WIDGET (self), available);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "app-passwords.create",
                                 available && self->proof_dialog == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "app-passwords.reload", available);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "app-passwords.revoke", available);
}

/* (Re)loads the list: when the group is shown, after Retry, a create or a
 * revoke. The rows already shown stay until the new list is in. */
static void
load (PassportAppPasswordsGroup *self)
{
  passport_remote_list_load (self->remote, get_client (self));
}

static void
on_map (PassportAppPasswordsGroup *self)
{
  /* Shown again: the list may have changed elsewhere (another device, a
   * program's first use). */
  if (get_client (self) != NULL)
    load (self);
}

static void
reload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  load (PASSPORT_APP_PASSWORDS_GROUP (widget));
}

/* ---- Revoke ------------------------------------------------------------ */

static void
revoke_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PassportAppPasswordsGroup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_client_revoke_app_password_finish (PASSPORT_CLIENT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* not_found: revoked elsewhere meanwhile; the reload shows it. */
      show_message (self, passport_error_describe (error));
      if (!g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_NOT_FOUND))
        return;
    }
  load (self);
}

static void
revoke_response_cb (AdwMessageDialog          *dialog,
                    const char                *response,
                    PassportAppPasswordsGroup *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "app-password-id");
  PassportClient *client = get_client (self);

  if (g_strcmp0 (response, "revoke") != 0 || client == NULL)
    return;
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  show_message (self, NULL);
  passport_client_revoke_app_password_async (client, id, self->cancellable, revoke_cb,
                                             g_object_ref (self));
}

static PassportAppPassword *
find_item (PassportAppPasswordsGroup *self,
           const char                *id)
{
  GListModel *items = passport_remote_list_get_items (self->remote);

  for (guint i = 0; items != NULL && i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(PassportAppPassword) item = g_list_model_get_item (items, i);

      if (g_strcmp0 (passport_app_password_get_id (item), id) == 0)
        return item;
    }
  return NULL;
}

static void
revoke_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PassportAppPasswordsGroup *self = PASSPORT_APP_PASSWORDS_GROUP (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  PassportAppPassword *item = find_item (self, id);
  GtkWidget *dialog;

  if (item == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), NULL,
                                   _("Programs using it are signed out."));
  /* Translators: %s is the name of an app password ("Thunderbird") */
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Revoke “%s”?"),
                                     passport_app_password_get_name (item));
  gtk_widget_set_name (dialog, "app-password-revoke-dialog");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "revoke", _("_Revoke"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "revoke",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  passport_a11y_name_mnemonic_buttons (dialog);
  g_object_set_data_full (G_OBJECT (dialog), "app-password-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (revoke_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- The new password, shown once -------------------------------------- */

#define PASSWORD_KEY "app-password"

static void
copy_clicked (GtkButton *button,
              GtkWidget *dialog)
{
  const char *password = g_object_get_data (G_OBJECT (dialog), PASSWORD_KEY);

  if (password == NULL)
    return;
  /* Without the spaces: what a program's password field expects. */
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), password);
  gtk_button_set_label (button, _("Copied"));
  passport_a11y_name_button (GTK_WIDGET (button), _("Copied"));
}

static void
created_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     GtkLabel         *value)
{
  /* Shown once: gone from the label and wiped from memory. */
  gtk_label_set_label (value, "");
  g_object_set_data (G_OBJECT (dialog), PASSWORD_KEY, NULL);
}

/* Takes @password. */
static void
show_created (PassportAppPasswordsGroup *self,
              const char                *name,
              char                      *password)
{
  PassportAccount *account = self->flow != NULL ? passport_flow_get_account (self->flow) : NULL;
  const char *email = account != NULL ? passport_account_get_email (account) : NULL;
  g_autoptr(PassportSecret) grouped = passport_secure_group_in_fours (password);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              _("App Password Created"), NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *value = gtk_label_new (grouped);
  GtkWidget *copy = gtk_button_new_with_mnemonic (_("_Copy"));

  gtk_widget_set_name (dialog, "app-password-created-dialog");
  if (email != NULL)
    /* Translators: %1$s is the app password's name ("Thunderbird"), %2$s
     * the account's e-mail address */
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("Enter this password in “%1$s” with %2$s as the user name. "
                                      "It will not be shown again."), name, email);
  else
    /* Translators: %s is the app password's name ("Thunderbird") */
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("Enter this password in “%s” with the account's e-mail "
                                      "as the user name. It will not be shown again."), name);
  g_object_set_data_full (G_OBJECT (dialog), PASSWORD_KEY, password,
                          (GDestroyNotify) passport_secure_free);

  gtk_widget_set_name (value, "app-password-value");
  gtk_label_set_selectable (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap (GTK_LABEL (value), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (value), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_justify (GTK_LABEL (value), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (value, "monospace");
  gtk_widget_add_css_class (value, "title-2");
  gtk_accessible_update_property (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("App password"), -1);
  gtk_box_append (GTK_BOX (box), value);

  gtk_widget_set_name (copy, "app-password-copy");
  gtk_widget_set_halign (copy, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (copy, "pill");
  passport_a11y_name_button (copy, _("Copy"));
  g_signal_connect (copy, "clicked", G_CALLBACK (copy_clicked), dialog);
  gtk_box_append (GTK_BOX (box), copy);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "done", _("_Done"));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "done",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "done");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "done");
  passport_a11y_name_mnemonic_buttons (dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (created_response_cb), value);
  gtk_window_present (GTK_WINDOW (dialog));
  /* The Copy button first, not the label with the whole text selected. */
  gtk_widget_grab_focus (copy);
}

/* ---- Create ------------------------------------------------------------ */

static void
create_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PassportAppPasswordsGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSecret) password = NULL;
  g_autoptr(PassportAppPassword) item = NULL;

  item = passport_client_create_app_password_finish (PASSPORT_CLIENT (source), result, &password,
                                                     &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (item == NULL)
    {
      /* The dialog stays, with the reason: a wrong password, no e-mail,
       * twenty already. */
      if (self->proof_dialog != NULL)
        passport_proof_dialog_fail (self->proof_dialog, error);
      return;
    }
  close_proof_dialog (self);
  update (self);
  load (self);
  show_created (self, passport_app_password_get_name (item), g_steal_pointer (&password));
}

static void
proof_submit (PassportProofDialog       *dialog,
              guint                      kind,
              const char                *proof,
              PassportAppPasswordsGroup *self)
{
  PassportClient *client = get_client (self);
  const char *name = g_object_get_data (G_OBJECT (dialog), "app-password-name");

  if (client == NULL)
    return;
  if (self->create_cancellable != NULL)
    g_cancellable_cancel (self->create_cancellable);
  g_clear_object (&self->create_cancellable);
  self->create_cancellable = g_cancellable_new ();
  passport_proof_dialog_set_busy (dialog, TRUE);
  passport_client_create_app_password_async (client, name, (PassportProofKind) kind, proof,
                                             self->create_cancellable, create_cb,
                                             g_object_ref (self));
}

static void
proof_cancelled (PassportProofDialog       *dialog,
                 PassportAppPasswordsGroup *self)
{
  if (self->create_cancellable != NULL)
    g_cancellable_cancel (self->create_cancellable);
  g_clear_object (&self->create_cancellable);
  if (self->proof_dialog == dialog)
    {
      g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->proof_dialog);
      self->proof_dialog = NULL;
    }
  update (self);
}

static void
ask_proof (PassportAppPasswordsGroup *self,
           const char                *name)
{
  PassportAccount *account = self->flow != NULL ? passport_flow_get_account (self->flow) : NULL;
  g_autofree char *body = NULL;
  PassportProofDialog *dialog;

  if (account == NULL || get_client (self) == NULL)
    return;
  close_proof_dialog (self);
  /* Translators: %s is the name the user gave the new app password */
  body = g_strdup_printf (_("To create the app password “%s”, confirm that it is you."), name);
  dialog = passport_proof_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), account,
                                      _("Create App Password"), body, _("Cr_eate"));
  g_object_set_data_full (G_OBJECT (dialog), "app-password-name", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "submit", G_CALLBACK (proof_submit), self, 0);
  g_signal_connect_object (dialog, "cancelled", G_CALLBACK (proof_cancelled), self, 0);
  self->proof_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->proof_dialog);
  update (self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The name without the spaces around it, if it is one the contract takes. */
static char *
valid_name (GtkEditable *entry)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  glong length = g_utf8_strlen (name, -1);

  if (length < 1 || length > NAME_MAX_CHARS)
    return NULL;
  /* The server refuses control characters (a pasted tab or line break). */
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return NULL;
  return g_steal_pointer (&name);
}

static void
name_changed (GtkEditable      *entry,
              AdwMessageDialog *dialog)
{
  g_autofree char *name = valid_name (entry);
  GtkWidget *hint = g_object_get_data (G_OBJECT (dialog), "hint");

  adw_message_dialog_set_response_enabled (dialog, "create", name != NULL);
  gtk_widget_set_visible (hint, g_utf8_strlen (gtk_editable_get_text (entry), -1) > NAME_MAX_CHARS);
}

static void
name_response_cb (AdwMessageDialog          *dialog,
                  const char                *response,
                  PassportAppPasswordsGroup *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  g_autofree char *name = NULL;

  if (g_strcmp0 (response, "create") != 0)
    return;
  name = valid_name (entry);
  if (name != NULL)
    ask_proof (self, name);
}

static void
create_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PassportAppPasswordsGroup *self = PASSPORT_APP_PASSWORDS_GROUP (widget);
  GtkWidget *dialog;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *entry = adw_entry_row_new ();
  GtkWidget *hint = gtk_label_new (_("Use at most 64 characters."));

  if (get_client (self) == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), _("New App Password"),
                                   _("Name it after the program that will use it, so that you know "
                                     "later which one to revoke."));
  gtk_widget_set_name (dialog, "app-password-name-dialog");

  gtk_widget_set_name (entry, "app-password-name");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), _("Name"));
  /* Enter creates when the name is good (the default response). */
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (entry), TRUE);
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_append (GTK_LIST_BOX (list), entry);
  gtk_box_append (GTK_BOX (box), list);

  gtk_widget_set_name (hint, "app-password-name-hint");
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (hint), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_widget_add_css_class (hint, "error");
  gtk_widget_set_visible (hint, FALSE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                  hint, NULL, -1);
  gtk_box_append (GTK_BOX (box), hint);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "create", _("_Next"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "create",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "create");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  passport_a11y_name_mnemonic_buttons (dialog);

  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data (G_OBJECT (dialog), "hint", hint);
  g_signal_connect (entry, "changed", G_CALLBACK (name_changed), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (name_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* ---- The object -------------------------------------------------------- */

static void
passport_app_passwords_group_dispose (GObject *object)
{
  PassportAppPasswordsGroup *self = PASSPORT_APP_PASSWORDS_GROUP (object);

  forget (self);
  if (self->flow_signals != NULL)
    g_signal_group_set_target (self->flow_signals, NULL);
  g_clear_object (&self->flow_signals);
  g_clear_object (&self->remote);
  g_clear_object (&self->flow);
  G_OBJECT_CLASS (passport_app_passwords_group_parent_class)->dispose (object);
}

static void
passport_app_passwords_group_get_property (GObject    *object,
                                           guint       prop_id,
                                           GValue     *value,
                                           GParamSpec *pspec)
{
  PassportAppPasswordsGroup *self = PASSPORT_APP_PASSWORDS_GROUP (object);

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
passport_app_passwords_group_set_property (GObject      *object,
                                           guint         prop_id,
                                           const GValue *value,
                                           GParamSpec   *pspec)
{
  PassportAppPasswordsGroup *self = PASSPORT_APP_PASSWORDS_GROUP (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      if (g_set_object (&self->flow, g_value_get_object (value)))
        {
          /* Another flow: nothing of the old session's stays. */
          forget (self);
          show_message (self, NULL);
          rebuild (self);
          g_signal_group_set_target (self->flow_signals, self->flow);
          update (self);
          if (gtk_widget_get_mapped (GTK_WIDGET (self)))
            on_map (self);
          g_object_notify_by_pspec (object, properties[PROP_FLOW]);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_app_passwords_group_class_init (PassportAppPasswordsGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = passport_app_passwords_group_dispose;
  object_class->get_property = passport_app_passwords_group_get_property;
  object_class->set_property = passport_app_passwords_group_set_property;

  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, PASSPORT_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "app-passwords.create", NULL, create_activated);
  gtk_widget_class_install_action (widget_class, "app-passwords.reload", NULL, reload_activated);
  gtk_widget_class_install_action (widget_class, "app-passwords.revoke", "s", revoke_activated);
}

static void
passport_app_passwords_group_init (PassportAppPasswordsGroup *self)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (_("Create _App Password…"));

  self->remote = passport_remote_list_new (passport_client_list_app_passwords_async,
                                           passport_client_list_app_passwords_finish);
  g_signal_connect_swapped (self->remote, "changed", G_CALLBACK (rebuild), self);

  gtk_widget_set_name (GTK_WIDGET (self), "app-passwords-group");
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("App Passwords"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         _("For programs that cannot ask for the code of two-step "
                                           "sign-in, such as a mail client: each gets a password "
                                           "of its own, which you can revoke alone."));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_set_name (GTK_WIDGET (self->list), "app-passwords-list");
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("App passwords"), -1);

  self->create_button = gtk_button_new ();
  gtk_button_set_child (GTK_BUTTON (self->create_button), label);
  gtk_widget_set_name (self->create_button, "app-password-create");
  gtk_widget_add_css_class (self->create_button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->create_button), "app-passwords.create");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->create_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Create App Password"), -1);
  self->create_row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self->create_row), FALSE);
  gtk_widget_set_focusable (self->create_row, FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self->create_row), self->create_button);
  gtk_list_box_append (self->list, self->create_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->list));

  self->message = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->message), "app-passwords-message");
  gtk_label_set_wrap (self->message, TRUE);
  gtk_label_set_wrap_mode (self->message, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (self->message, 0);
  gtk_widget_set_margin_top (GTK_WIDGET (self->message), 6);
  gtk_widget_add_css_class (GTK_WIDGET (self->message), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->message), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->message));

  self->flow_signals = g_signal_group_new (PASSPORT_TYPE_FLOW);
  g_signal_group_connect_swapped (self->flow_signals, "notify::state", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->flow_signals, "notify::server", G_CALLBACK (update), self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
  update (self);
}
