// SPDX-License-Identifier: GPL-3.0-or-later
//
// The signed-in account: avatar, name, e-mail and whether it is confirmed,
// the sign-in methods, change password, sign out. Bound to the flow's
// PassportAccount, which the long poll updates in place. On a plain OpenID
// provider (no passport API) only the profile and Sign Out, and a line that
// says account management is not offered there.
#include "config.h"

#include <glib/gi18n.h>

#include "passport-a11y.h"
#include "passport-account-watch.h"
#include "passport-browser-launcher.h"
#include "passport-account-page.h"
#include "passport-app-passwords-group.h"
#include "passport-otp-group.h"
#include "passport-proof-dialog.h"
#include "passport-sessions-group.h"
#include "passport-error.h"
#include "passport-strength.h"
#include "passport-identity.h"
#include "passport-provider-icon.h"
#include "passport-provider.h"
#include "passport-secure.h"
#include "passport-stall-probe.h"
#include "passport-server.h"

struct _PassportAccountPage
{
  PassportPage         parent_instance;

  AdwAvatar           *avatar;
  GtkLabel            *name_label;
  AdwActionRow        *email_row;
  GtkImage            *verified_icon;
  GtkWidget           *unmanaged_group;
  GtkWidget           *methods_group;
  GtkListBox          *methods_list;
  GtkLabel            *methods_message;
  GtkWidget           *link_button;
  GtkWidget           *link_wait_box;
  GtkWidget           *link_copy_button;
  GtkLabel            *link_copy_label;
  GtkWidget           *sessions_group;
  GtkWidget           *otp_group;
  GtkWidget           *app_passwords_group;
  GtkWidget           *password_group;
  GtkWidget           *delete_group;
  PassportProofDialog *delete_dialog;  /* while it is open, weak */

  /* Linking a network (contract 10): the proof dialog while open (weak),
   * the provider asked for, the attempt's id, and the long poll that
   * waits for its outcome while the user is in the browser. */
  PassportProofDialog *link_dialog;
  char                *link_provider;
  char                *link_id;
  char                *link_url;      /* a secret: passport_secure_free() */
  char                *link_deadline; /* when the link lapses, as a time of day */
  PassportAccountWatch *link_watch;
  guint                link_timeout;
  GCancellable        *methods_cancellable;
  GtkWidget           *password_checks;
  GtkWidget           *change_password_button;
  AdwPasswordEntryRow *current_password_row;
  AdwPasswordEntryRow *new_password_row;
  AdwPasswordEntryRow *repeat_password_row;
  GtkLevelBar         *strength_bar;
  GtkLabel            *new_password_hints;
  GtkLabel            *repeat_error;
  GtkLabel            *password_error;
  GtkLabel            *password_changed;
  PassportStrength    *strength;

  PassportAccount     *account;
};

G_DEFINE_FINAL_TYPE (PassportAccountPage, passport_account_page, PASSPORT_TYPE_PAGE)

/* A row of the sign-in methods: @provider's icon as the sign-in page shows
 * it, else @icon_name. */
static void
add_method (PassportAccountPage *self,
            const char          *title,
            const char          *subtitle,
            PassportProvider    *provider,
            const char          *icon_name)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (provider != NULL)
    {
      GtkWidget *icon = passport_provider_icon_new ();
      PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));

      passport_provider_icon_set_provider (PASSPORT_PROVIDER_ICON (icon), provider);
      passport_provider_icon_set_server (PASSPORT_PROVIDER_ICON (icon), passport_flow_get_server (flow));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
    }
  else
    adw_action_row_set_icon_name (ADW_ACTION_ROW (row), icon_name);
  gtk_list_box_append (self->methods_list, row);
}


/* The network's address and, from a 1.1 server, when it was linked:
 * "ada@gmail.com · linked 1 Mar 2025". */
static char *
identity_subtitle (PassportIdentity *identity)
{
  const char *email = passport_identity_get_email (identity);
  GDateTime *linked_at = passport_identity_get_linked_at (identity);
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *date = NULL;
  g_autofree char *linked = NULL;

  if (linked_at == NULL)
    return g_strdup (email);
  local = g_date_time_to_local (linked_at);
  /* Translators: the day a network was linked, in g_date_time_format()'s
   * codes: "1 Mar 2025" */
  date = g_date_time_format (local, _("%-d %b %Y"));
  /* Translators: %s is a date ("1 Mar 2025") */
  linked = g_strdup_printf (_("linked %s"), date);
  if (email == NULL)
    return g_steal_pointer (&linked);
  /* Translators: the network's e-mail, then when it was linked */
  return g_strdup_printf (_("%s · %s"), email, linked);
}

static void
rebuild_methods (PassportAccountPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  GListModel *identities = self->account ? passport_account_get_identities (self->account) : NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->methods_list))) != NULL)
    gtk_list_box_remove (self->methods_list, child);
  if (self->account == NULL || flow == NULL)
    return;

  for (guint i = 0; identities != NULL && i < g_list_model_get_n_items (identities); i++)
    {
      g_autoptr (PassportIdentity) identity = g_list_model_get_item (identities, i);
      const char *id = passport_identity_get_provider (identity);
      PassportServer *server = passport_flow_get_server (flow);
      PassportProvider *provider = server ? passport_server_find_provider (server, id) : NULL;

      g_autofree char *subtitle = identity_subtitle (identity);

      add_method (self, provider ? passport_provider_get_name (provider) : id, subtitle, provider,
                  "system-users-symbolic");
      if (server != NULL && passport_server_has_feature (server, "identities"))
        {
          GtkWidget *row = gtk_widget_get_last_child (GTK_WIDGET (self->methods_list));
          GtkWidget *unlink = gtk_button_new_with_label (_("Unlink"));
          g_autofree char *name = NULL;

          gtk_widget_set_name (unlink, "method-unlink");
          gtk_widget_set_valign (unlink, GTK_ALIGN_CENTER);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (unlink), "account.unlink");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (unlink), "s", id);
          /* Translators: the accessible name of Unlink beside a network, e.g. "Unlink Google" */
          name = g_strdup_printf (_("Unlink %s"), provider ? passport_provider_get_name (provider) : id);
          passport_a11y_name_button (unlink, name);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), unlink);
        }
    }
  if (passport_account_get_has_password (self->account))
    add_method (self, _("E-mail and password"), passport_account_get_email (self->account),
                NULL, "dialog-password-symbolic");
}

static void end_link_wait        (PassportAccountPage *self);
static void stop_link_wait       (PassportAccountPage *self);
static void show_methods_message (PassportAccountPage *self,
                                  const char          *text,
                                  gboolean             error);

/* The server's networks the account has no identity of. */
static GPtrArray *
unlinked_providers (PassportAccountPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportServer *server = flow ? passport_flow_get_server (flow) : NULL;
  GListModel *providers = server ? passport_server_get_providers (server) : NULL;
  GListModel *identities = self->account ? passport_account_get_identities (self->account) : NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; providers != NULL && i < g_list_model_get_n_items (providers); i++)
    {
      g_autoptr(PassportProvider) provider = g_list_model_get_item (providers, i);
      gboolean linked = FALSE;

      for (guint j = 0; identities != NULL && j < g_list_model_get_n_items (identities); j++)
        {
          g_autoptr(PassportIdentity) identity = g_list_model_get_item (identities, j);

          if (g_strcmp0 (passport_identity_get_provider (identity), passport_provider_get_id (provider)) == 0)
            linked = TRUE;
        }
      if (!linked)
        g_ptr_array_add (out, g_steal_pointer (&provider));
    }
  return out;
}

static guint
count_unlinked (PassportAccountPage *self)
{
  g_autoptr(GPtrArray) providers = unlinked_providers (self);

  return providers->len;
}

static void
update (PassportAccountPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportAccount *account = self->account;
  const char *name = account ? passport_account_get_display_name (account) : NULL;
  const char *email = account ? passport_account_get_email (account) : NULL;
  const char *pending = account ? passport_account_get_pending_email (account) : NULL;
  gboolean verified = account != NULL && passport_account_get_email_verified (account);
  const GError *error = passport_page_get_inline_error (PASSPORT_PAGE (self));
  gboolean signed_in = flow != NULL &&
                       passport_flow_get_state (flow) == PASSPORT_FLOW_STATE_SIGNED_IN;
  gboolean busy = flow != NULL && passport_flow_get_busy (flow);
  const char *shown = name ? name : (email ? email : "");
  PassportServer *server = flow ? passport_flow_get_server (flow) : NULL;
  /* Without the passport API nothing here can be changed: say so, and
   * offer nothing that would fail. */
  gboolean managed = server == NULL || passport_server_has_account_api (server);
  g_autofree char *subtitle = NULL;

  adw_avatar_set_text (self->avatar, shown);
  gtk_label_set_label (self->name_label, shown);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->email_row), email ? email : _("No e-mail"));
  if (pending != NULL)
    {
      /* Translators: %s is an e-mail address waiting for confirmation */
      subtitle = g_strdup_printf (_("Changing to %s, waiting for confirmation"), pending);
    }
  else
    subtitle = g_strdup (verified ? _("Confirmed") : _("Not confirmed"));
  adw_action_row_set_subtitle (self->email_row, subtitle);
  gtk_image_set_from_icon_name (self->verified_icon,
                                verified ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->verified_icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  verified ? _("Confirmed") : _("Not confirmed"),
                                  -1);

  gtk_widget_set_visible (self->unmanaged_group, !managed);
  gtk_widget_set_visible (self->methods_group, managed);
  gtk_widget_set_visible (self->password_group, managed);
  gtk_widget_set_visible (self->password_checks, managed);
  gtk_widget_set_visible (self->change_password_button, managed);

  if (error != NULL ||
      *gtk_editable_get_text (GTK_EDITABLE (self->current_password_row)) != '\0' ||
      *gtk_editable_get_text (GTK_EDITABLE (self->new_password_row)) != '\0' ||
      *gtk_editable_get_text (GTK_EDITABLE (self->repeat_password_row)) != '\0' ||
      !signed_in)
    gtk_widget_set_visible (GTK_WIDGET (self->password_changed), FALSE);
  gtk_label_set_label (self->password_error, error ? passport_error_describe (error) : "");
  gtk_widget_set_visible (GTK_WIDGET (self->password_error), error != NULL);

  /* The new password gets the help of the bind form: its strength, the
   * reasons it is weak (the server's words when it said so), a repeat. */
  {
    const char *new_password = gtk_editable_get_text (GTK_EDITABLE (self->new_password_row));
    const char *repeat = gtk_editable_get_text (GTK_EDITABLE (self->repeat_password_row));
    gboolean checked = TRUE;
    gboolean mismatch = *repeat != '\0' && g_strcmp0 (new_password, repeat) != 0;
    guint score = 0;
    g_autofree char *hint_text = NULL;

    if (*new_password != '\0' && self->strength != NULL)
      {
        checked = passport_strength_update (self->strength, new_password, email, name);
        score = passport_strength_get_score (self->strength);
      }
    gtk_level_bar_set_value (self->strength_bar, score);
    if (self->strength != NULL)
      hint_text = passport_strength_describe (self->strength, error, *new_password != '\0');
    gtk_label_set_label (self->new_password_hints, hint_text ? hint_text : "");
    gtk_widget_set_visible (GTK_WIDGET (self->new_password_hints), hint_text != NULL);
    gtk_label_set_label (self->repeat_error, mismatch ? _("The passwords do not match.") : "");
    gtk_widget_set_visible (GTK_WIDGET (self->repeat_error), mismatch);

    gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.change-password",
                                   signed_in && !busy && managed &&
                                   *gtk_editable_get_text (GTK_EDITABLE (self->current_password_row)) != '\0' &&
                                   *new_password != '\0' && g_strcmp0 (new_password, repeat) == 0 &&
                                   checked && score > 0);
  }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.sign-out", signed_in && !busy);

  /* Linking another network (contract 10): where the server offers it and
   * some network of the server is not linked yet. */
  {
    gboolean can_link = signed_in && managed && server != NULL &&
                        passport_server_has_feature (server, "identities") &&
                        count_unlinked (self) > 0;

    gtk_widget_set_visible (self->link_button, can_link);
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.link",
                                   can_link && !busy && self->link_watch == NULL);
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.unlink",
                                   signed_in && managed && !busy && self->link_watch == NULL);
    gtk_widget_set_visible (self->link_wait_box, self->link_watch != NULL);
  }

  /* Only where the server offers it (contract 12). */
  gtk_widget_set_visible (self->delete_group,
                          signed_in && managed && server != NULL &&
                          passport_server_has_feature (server, "delete_account"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.delete", signed_in && !busy && managed);
}


static void
set_account (PassportAccountPage *self,
             PassportAccount     *account)
{
  if (self->account == account)
    return;
  if (self->account != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->account, self);
      g_signal_handlers_disconnect_by_data (passport_account_get_identities (self->account), self);
    }
  g_set_object (&self->account, account);
  if (account != NULL)
    {
      g_signal_connect_object (account, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (account, "notify::has-password", G_CALLBACK (rebuild_methods),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (account, "notify::email", G_CALLBACK (rebuild_methods),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (passport_account_get_identities (account), "items-changed",
                               G_CALLBACK (rebuild_methods), self, G_CONNECT_SWAPPED);
    }
}

static void
on_account (PassportAccountPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));

  passport_stall_probe_enter ("account page: rows and details");
  set_account (self, flow ? passport_flow_get_account (flow) : NULL);
  rebuild_methods (self);
  update (self);
  passport_stall_probe_leave ();
}

static void
on_state (PassportAccountPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));

  if (flow == NULL || passport_flow_get_state (flow) != PASSPORT_FLOW_STATE_SIGNED_IN)
    {
      if (self->delete_dialog != NULL)
        gtk_window_destroy (GTK_WINDOW (self->delete_dialog));
      if (self->link_dialog != NULL)
        gtk_window_destroy (GTK_WINDOW (self->link_dialog));
      if (self->methods_cancellable != NULL)
        g_cancellable_cancel (self->methods_cancellable);
      g_clear_object (&self->methods_cancellable);
      if (self->link_watch != NULL || self->link_timeout != 0)
        stop_link_wait (self);
      show_methods_message (self, NULL, FALSE);
      gtk_editable_set_text (GTK_EDITABLE (self->current_password_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->new_password_row), "");
      gtk_editable_set_text (GTK_EDITABLE (self->repeat_password_row), "");
    }
  on_account (self);
}

/* Two-step sign-in and the like can change on another device: the account
 * is read again when the page is shown and when the window comes back to
 * the front, not polled. */
static void
reload_account (PassportAccountPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (flow == NULL || passport_flow_get_state (flow) != PASSPORT_FLOW_STATE_SIGNED_IN ||
      !gtk_widget_get_mapped (GTK_WIDGET (self)) ||
      (GTK_IS_WINDOW (root) && !gtk_window_is_active (GTK_WINDOW (root))))
    return;
  passport_flow_reload_account_async (flow, NULL, NULL, NULL);
}

static void
on_root (PassportAccountPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (GTK_IS_WINDOW (root))
    g_signal_connect_object (root, "notify::is-active", G_CALLBACK (reload_account), self,
                             G_CONNECT_SWAPPED);
}

/* Another person, or none: nothing typed here is kept for them. */
static void
forget (PassportPage *page)
{
  PassportAccountPage *self = PASSPORT_ACCOUNT_PAGE (page);

  gtk_editable_set_text (GTK_EDITABLE (self->current_password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->new_password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->repeat_password_row), "");
}

/* Only the action's own outcome says the password changed; a failure is
 * shown beside the form by the flow's error. */
static void
change_password_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PassportAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_flow_change_password_finish (PASSPORT_FLOW (source), result, &error))
    {
      g_debug ("password not changed: %s", error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->current_password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->new_password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->repeat_password_row), "");
  /* Until the user types again. */
  gtk_widget_set_visible (GTK_WIDGET (self->password_changed), TRUE);
}

static void
change_password_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  PassportAccountPage *self = PASSPORT_ACCOUNT_PAGE (widget);
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));

  char *current;
  char *new_password;

  if (flow == NULL)
    return;
  /* Copies: the page empties the fields when the flow reports back, which
   * may happen before it has read them. */
  current = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->current_password_row)));
  new_password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_password_row)));
  passport_flow_change_password_async (flow, current, new_password, NULL,
                                       change_password_cb, g_object_ref (self));
  passport_secure_free (current);
  passport_secure_free (new_password);
}

static void
sign_out_response_cb (AdwMessageDialog    *dialog,
                      const char          *response,
                      PassportAccountPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));

  if (g_strcmp0 (response, "sign-out") == 0 && flow != NULL)
    passport_flow_sign_out_async (flow, NULL, NULL, NULL);
}

/* Signing out ends the session on this computer (and forgets it): asked
 * first, away from the Change Password button it used to sit beside. */
static void
sign_out_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  GtkWidget *dialog;

  if (passport_page_get_flow (PASSPORT_PAGE (widget)) == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Sign Out?"),
                                   _("Passport forgets this session on this computer. To use the account "
                                     "here again, you sign in again; the account itself stays as it is."));
  gtk_widget_set_name (dialog, "sign-out-dialog");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "sign-out", _("_Sign Out"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sign-out",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  passport_a11y_name_mnemonic_buttons (dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (sign_out_response_cb), widget, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Deleting the account: asked in the proof dialog, which stays open with
 * the reason when the server refuses. */
static void
delete_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PassportAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_flow_delete_account_finish (PASSPORT_FLOW (source), result, &error))
    {
      if (self->delete_dialog != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        passport_proof_dialog_fail (self->delete_dialog, error);
      return;
    }
  if (self->delete_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->delete_dialog));
  if (self->link_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->link_dialog));
  if (self->methods_cancellable != NULL)
    g_cancellable_cancel (self->methods_cancellable);
  g_clear_object (&self->methods_cancellable);
  end_link_wait (self);
  g_clear_pointer (&self->link_provider, g_free);
  gtk_widget_activate_action (GTK_WIDGET (self), "window.show-toast", "s",
                              _("Your account has been deleted."));
}

static void
on_delete_proof (PassportAccountPage *self,
                 guint                kind,
                 const char          *proof,
                 PassportProofDialog *dialog)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));

  if (flow == NULL)
    return;
  passport_proof_dialog_set_busy (dialog, TRUE);
  passport_flow_delete_account_async (flow, kind, proof, NULL, delete_cb, g_object_ref (self));
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PassportAccountPage *self = PASSPORT_ACCOUNT_PAGE (widget);
  g_autofree char *body = NULL;
  const char *email;

  if (self->account == NULL || self->delete_dialog != NULL)
    return;
  email = passport_account_get_email (self->account);
  if (email != NULL)
    /* Translators: %s is the account's e-mail address */
    body = g_strdup_printf (_("The account of %s is deleted at once and for good, with its sign-in "
                              "methods, app passwords and devices. This cannot be undone. Confirm "
                              "it is you."), email);
  else
    body = g_strdup (_("The account is deleted at once and for good, with its sign-in methods, app "
                       "passwords and devices. This cannot be undone. Confirm it is you."));
  self->delete_dialog = passport_proof_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                                   self->account, _("Delete Account?"), body,
                                                   _("_Delete Account"));
  gtk_widget_set_name (GTK_WIDGET (self->delete_dialog), "delete-account-dialog");
  passport_proof_dialog_set_destructive (self->delete_dialog, TRUE);
  g_object_add_weak_pointer (G_OBJECT (self->delete_dialog), (gpointer *) &self->delete_dialog);
  g_signal_connect_object (self->delete_dialog, "submit", G_CALLBACK (on_delete_proof), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->delete_dialog));
}

/* Linked sign-in methods (contract 10) ------------------------------------------ */

static const char *
provider_name (PassportAccountPage *self,
               const char          *id)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportServer *server = flow ? passport_flow_get_server (flow) : NULL;
  PassportProvider *provider = server && id ? passport_server_find_provider (server, id) : NULL;

  return provider ? passport_provider_get_name (provider) : id;
}

static void
show_methods_message (PassportAccountPage *self,
                      const char          *text,
                      gboolean             error)
{
  gtk_label_set_label (self->methods_message, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->methods_message), text != NULL);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->methods_message), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->methods_message), "error");
}

static GCancellable *
methods_cancellable (PassportAccountPage *self)
{
  if (self->methods_cancellable == NULL)
    self->methods_cancellable = g_cancellable_new ();
  return self->methods_cancellable;
}

/* Forgets a link's wait: its deadline, its long poll, its link. */
static void
end_link_wait (PassportAccountPage *self)
{
  g_clear_handle_id (&self->link_timeout, g_source_remove);
  if (self->link_watch != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->link_watch, self);
      passport_account_watch_stop (self->link_watch);
      g_clear_object (&self->link_watch);
    }
  g_clear_pointer (&self->link_id, g_free);
  g_clear_pointer (&self->link_url, passport_secure_free);
  g_clear_pointer (&self->link_deadline, g_free);
  if (self->link_copy_button != NULL)
    {
      gtk_widget_set_visible (self->link_copy_button, FALSE);
      gtk_label_set_text_with_mnemonic (self->link_copy_label, _("_Copy Link"));
      passport_a11y_name_button (self->link_copy_button, _("Copy Link"));
    }
}

/* The wait for a link's outcome ends: told, or lapsed, or signed out, or
 * stopped. */
static void
stop_link_wait (PassportAccountPage *self)
{
  end_link_wait (self);
  update (self);
}

static void
link_changed_cb (PassportAccountWatch *watch,
                 PassportAccountPage  *self)
{
  const char *status;
  const char *network = provider_name (self, self->link_provider);
  g_autofree char *text = NULL;
  gboolean failed = TRUE;

  if (self->account == NULL ||
      g_strcmp0 (passport_account_get_identity_link_id (self->account), self->link_id) != 0)
    return;
  status = passport_account_get_identity_link_status (self->account);
  if (g_strcmp0 (status, "pending") == 0)
    return;

  if (g_strcmp0 (status, "linked") == 0)
    {
      /* Translators: %s is a social network, e.g. "Google" */
      text = g_strdup_printf (_("%s is now linked to your account."), network);
      failed = FALSE;
    }
  else if (g_strcmp0 (status, "cancelled") == 0)
    text = g_strdup (_("Linking was cancelled in the browser."));
  else
    {
      PassportErrorCode code =
        passport_error_code_from_string (passport_account_get_identity_link_error (self->account));

      text = g_strdup (passport_error_code_describe (code));
    }
  show_methods_message (self, text, failed);
  stop_link_wait (self);
}

static gboolean
link_lapsed_cb (gpointer data)
{
  PassportAccountPage *self = data;

  self->link_timeout = 0;
  show_methods_message (self, _("The link has lapsed. Try again."), TRUE);
  stop_link_wait (self);
  return G_SOURCE_REMOVE;
}

static void
link_launched_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PassportAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gboolean launched = passport_browser_launch_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->link_watch == NULL)
    return;
  if (!launched)
    {
      /* The way on: the link, to open in a browser by hand; the wait goes
       * on, since the outcome comes whichever browser opens it. */
      show_methods_message (self, passport_error_describe (error), TRUE);
      gtk_widget_set_visible (self->link_copy_button, TRUE);
      return;
    }
  /* Translators: the first %s is a social network, e.g. "Google"; the
   * second a time of day, e.g. "14:05" */
  text = g_strdup_printf (_("Sign in with %s in the browser that has opened; the outcome is shown here. "
                            "The link works until %s."),
                          provider_name (self, self->link_provider), self->link_deadline);
  show_methods_message (self, text, FALSE);
}

static void
link_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PassportAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  guint seconds = 0;
  g_autoptr(PassportSecret) url =
    passport_client_link_identity_finish (PASSPORT_CLIENT (source), result, &id, &seconds, &error);
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (url == NULL)
    {
      if (self->link_dialog != NULL)
        passport_proof_dialog_fail (self->link_dialog, error);
      return;
    }
  if (self->link_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->link_dialog));
  if (flow == NULL || self->account == NULL)
    return;

  /* The outcome comes through the long poll while the user is in the
   * browser, until the link lapses (contract 10). What the browser did is
   * said once it is known. */
  end_link_wait (self);
  self->link_id = g_steal_pointer (&id);
  self->link_url = g_steal_pointer (&url);
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autoptr(GDateTime) deadline = g_date_time_add_seconds (now, seconds);

    self->link_deadline = g_date_time_format (deadline, "%H:%M");
  }
  self->link_watch = passport_account_watch_new (PASSPORT_CLIENT (source), self->account);
  g_signal_connect (self->link_watch, "changed", G_CALLBACK (link_changed_cb), self);
  passport_account_watch_start (self->link_watch);
  self->link_timeout = g_timeout_add (seconds * 1000, link_lapsed_cb, self);
  show_methods_message (self, _("Opening your browser…"), FALSE);
  passport_browser_launch_async (passport_flow_get_browser_command (flow), self->link_url,
                                 methods_cancellable (self), link_launched_cb, g_object_ref (self));
  update (self);
}

static void
on_link_proof (PassportAccountPage *self,
               guint                kind,
               const char          *proof,
               PassportProofDialog *dialog)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportClient *client = flow ? passport_flow_get_client (flow) : NULL;

  if (client == NULL || self->link_provider == NULL)
    return;
  passport_proof_dialog_set_busy (dialog, TRUE);
  passport_client_link_identity_async (client, self->link_provider, kind, proof,
                                       methods_cancellable (self), link_cb, g_object_ref (self));
}

static void
link_chosen_cb (AdwMessageDialog    *chooser,
                const char          *response,
                PassportAccountPage *self)
{
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  const char *network;

  if (g_strcmp0 (response, "cancel") == 0 || self->account == NULL || self->link_dialog != NULL)
    return;
  g_free (self->link_provider);
  self->link_provider = g_strdup (response);
  network = provider_name (self, response);
  /* Translators: %s is a social network, e.g. "Google" */
  title = g_strdup_printf (_("Link %s"), network);
  /* Translators: %s is a social network, e.g. "Google" */
  body = g_strdup_printf (_("Confirm it is you. Then sign in with %s in the browser, and you can "
                            "sign in to this account with it too."), network);
  self->link_dialog = passport_proof_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                 self->account, title, body, _("_Continue"));
  g_object_add_weak_pointer (G_OBJECT (self->link_dialog), (gpointer *) &self->link_dialog);
  g_signal_connect_object (self->link_dialog, "submit", G_CALLBACK (on_link_proof), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->link_dialog));
}

/* No browser could be opened: the link goes on the clipboard, said on the
 * button itself. */
static void
copy_link_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PassportAccountPage *self = PASSPORT_ACCOUNT_PAGE (widget);

  if (self->link_url == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->link_url);
  gtk_label_set_text_with_mnemonic (self->link_copy_label, _("Link Copied"));
  passport_a11y_name_button (self->link_copy_button, _("Link Copied"));
}

/* Stop Waiting: the link lapses by itself at the server. */
static void
stop_link_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PassportAccountPage *self = PASSPORT_ACCOUNT_PAGE (widget);

  show_methods_message (self, NULL, FALSE);
  stop_link_wait (self);
}

static void
link_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PassportAccountPage *self = PASSPORT_ACCOUNT_PAGE (widget);
  g_autoptr(GPtrArray) providers = unlinked_providers (self);
  GtkWidget *chooser;

  if (providers->len == 0)
    return;
  show_methods_message (self, NULL, FALSE);
  chooser = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), _("Link a Network"),
                                    _("Choose the network to sign in with too. You then sign in to "
                                      "it in the browser."));
  gtk_widget_set_name (chooser, "link-network-dialog");
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (chooser), "cancel", _("_Cancel"));
  for (guint i = 0; i < providers->len; i++)
    {
      PassportProvider *provider = g_ptr_array_index (providers, i);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (chooser), passport_provider_get_id (provider),
                                       passport_provider_get_name (provider));
    }
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (chooser), "cancel");
  passport_a11y_name_mnemonic_buttons (chooser);
  g_signal_connect_object (chooser, "response", G_CALLBACK (link_chosen_cb), self, 0);
  gtk_window_present (GTK_WINDOW (chooser));
}

typedef struct
{
  PassportAccountPage *self;
  char                *provider;
} Unlinking;

static void
unlink_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Unlinking *unlinking = user_data;
  g_autoptr(PassportAccountPage) self = unlinking->self;
  g_autofree char *provider = unlinking->provider;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) account =
    passport_client_unlink_identity_finish (PASSPORT_CLIENT (source), result, &error);
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  g_autofree char *text = NULL;

  g_free (unlinking);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (account == NULL)
    {
      show_methods_message (self, passport_error_describe (error), TRUE);
      return;
    }
  /* Translators: %s is a social network, e.g. "Google" */
  text = g_strdup_printf (_("%s is unlinked."), provider_name (self, provider));
  show_methods_message (self, text, FALSE);
  if (flow != NULL)
    passport_flow_reload_account_async (flow, NULL, NULL, NULL);
}

static void
unlink_response_cb (AdwMessageDialog    *dialog,
                    const char          *response,
                    PassportAccountPage *self)
{
  PassportFlow *flow = passport_page_get_flow (PASSPORT_PAGE (self));
  PassportClient *client = flow ? passport_flow_get_client (flow) : NULL;
  const char *provider = g_object_get_data (G_OBJECT (dialog), "provider");
  Unlinking *unlinking;

  if (g_strcmp0 (response, "unlink") != 0 || client == NULL || provider == NULL)
    return;
  show_methods_message (self, NULL, FALSE);
  unlinking = g_new0 (Unlinking, 1);
  unlinking->self = g_object_ref (self);
  unlinking->provider = g_strdup (provider);
  passport_client_unlink_identity_async (client, provider, methods_cancellable (self), unlink_cb,
                                         unlinking);
}

static void
unlink_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PassportAccountPage *self = PASSPORT_ACCOUNT_PAGE (widget);
  const char *provider = g_variant_get_string (parameter, NULL);
  const char *network = provider_name (self, provider);
  GtkWidget *dialog;

  /* Translators: %s is a social network, e.g. "Google" */
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), NULL, NULL);
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Unlink %s?"), network);
  /* Translators: %s is a social network, e.g. "Google" */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("You can no longer sign in to this account with %s. You can link "
                                    "it again later."), network);
  gtk_widget_set_name (dialog, "unlink-network-dialog");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "unlink", _("_Unlink"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "unlink",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  passport_a11y_name_mnemonic_buttons (dialog);
  g_object_set_data_full (G_OBJECT (dialog), "provider", g_strdup (provider), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (unlink_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_password_activated (PassportAccountPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "account.change-password", NULL);
}

gboolean
passport_account_page_get_checking (PassportAccountPage *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT_PAGE (self), FALSE);

  return self->strength != NULL && passport_strength_get_checking (self->strength);
}

static void
passport_account_page_dispose (GObject *object)
{
  PassportAccountPage *self = PASSPORT_ACCOUNT_PAGE (object);

  /* The link's wait holds @self in its deadline and its long poll. */
  if (self->methods_cancellable != NULL)
    g_cancellable_cancel (self->methods_cancellable);
  g_clear_object (&self->methods_cancellable);
  end_link_wait (self);
  g_clear_pointer (&self->link_provider, g_free);
  set_account (self, NULL);
  g_clear_object (&self->strength);
  if (self->delete_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->delete_dialog));

  G_OBJECT_CLASS (passport_account_page_parent_class)->dispose (object);
}

static void
passport_account_page_class_init (PassportAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PassportPageClass *page_class = PASSPORT_PAGE_CLASS (klass);

  object_class->dispose = passport_account_page_dispose;
  page_class->forget = forget;
  page_class->focus_first_field = FALSE;
  passport_page_class_set_inline_errors (page_class,
                                         PASSPORT_ERROR_INVALID_PASSWORD,
                                         PASSPORT_ERROR_WEAK_PASSWORD,
                                         PASSPORT_ERROR_TOO_MANY_REQUESTS,
                                         -1);

  g_type_ensure (PASSPORT_TYPE_SESSIONS_GROUP);
  g_type_ensure (PASSPORT_TYPE_OTP_GROUP);
  g_type_ensure (PASSPORT_TYPE_APP_PASSWORDS_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passportdesk/Passport/passport-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, avatar);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, verified_icon);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, unmanaged_group);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, methods_group);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, methods_list);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, methods_message);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, link_button);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, link_wait_box);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, link_copy_button);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, link_copy_label);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, sessions_group);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, otp_group);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, app_passwords_group);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, password_group);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, delete_group);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, password_checks);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, change_password_button);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, current_password_row);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, new_password_row);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, repeat_password_row);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, strength_bar);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, new_password_hints);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, repeat_error);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, password_error);
  gtk_widget_class_bind_template_child (widget_class, PassportAccountPage, password_changed);
  gtk_widget_class_bind_template_callback (widget_class, update);
  gtk_widget_class_bind_template_callback (widget_class, on_password_activated);

  gtk_widget_class_install_action (widget_class, "account.change-password", NULL, change_password_activated);
  gtk_widget_class_install_action (widget_class, "account.sign-out", NULL, sign_out_activated);
  gtk_widget_class_install_action (widget_class, "account.delete", NULL, delete_activated);
  gtk_widget_class_install_action (widget_class, "account.link", NULL, link_activated);
  gtk_widget_class_install_action (widget_class, "account.copy-link", NULL, copy_link_activated);
  gtk_widget_class_install_action (widget_class, "account.stop-link", NULL, stop_link_activated);
  gtk_widget_class_install_action (widget_class, "account.unlink", "s", unlink_activated);
}

static void
passport_account_page_init (PassportAccountPage *self)
{
  GSignalGroup *signals;

  self->strength = passport_strength_new ();
  g_signal_connect_object (self->strength, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  gtk_widget_init_template (GTK_WIDGET (self));
  g_object_bind_property (self, "flow", self->sessions_group, "flow", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "flow", self->otp_group, "flow", G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "flow", self->app_passwords_group, "flow", G_BINDING_SYNC_CREATE);
  update (self);

  signals = passport_page_get_flow_signals (PASSPORT_PAGE (self));
  g_signal_group_connect_swapped (signals, "notify::account", G_CALLBACK (on_account), self);
  g_signal_group_connect_swapped (signals, "notify::server", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::state", G_CALLBACK (on_state), self);
  g_signal_group_connect_swapped (signals, "notify::busy", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (signals, "notify::error", G_CALLBACK (update), self);
  g_signal_connect (self, "notify::flow", G_CALLBACK (on_state), NULL);
  g_signal_connect (self, "map", G_CALLBACK (reload_account), NULL);
  g_signal_connect (self, "notify::root", G_CALLBACK (on_root), NULL);
}
