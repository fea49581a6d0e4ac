// SPDX-License-Identifier: GPL-3.0-or-later
//
// Devices on the account page (contract 9): the account's sessions from the
// server, this device first, each other one with Sign Out (asked first),
// and Sign Out on All Other Devices (asked first). Built in code: the rows
// change with the list. Shown only signed in to a server that lists
// `sessions`. This device is signed out with the page's own Sign Out.
#include "config.h"

#include <glib/gi18n.h>

#include "passport-a11y.h"
#include "passport-error.h"
#include "passport-remote-list.h"
#include "passport-server.h"
#include "passport-sessions-group.h"
#include "passport-spinner.h"


struct _PassportSessionsGroup
{
  AdwPreferencesGroup  parent_instance;

  PassportFlow        *flow;
  GSignalGroup        *flow_signals;

  GtkListBox          *list;
  GtkWidget           *others_button;
  GtkLabel            *message;          /* the outcome of a sign-out */

  PassportRemoteList  *remote;           /* the list, its load and its error */
  GCancellable        *cancellable;      /* sign-outs; cancelled when the session goes */
};

G_DEFINE_FINAL_TYPE (PassportSessionsGroup, passport_sessions_group, ADW_TYPE_PREFERENCES_GROUP)

enum { PROP_0, PROP_FLOW, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void load (PassportSessionsGroup *self);

static PassportClient *
get_client (PassportSessionsGroup *self)
{
  PassportServer *server;

  if (self->flow == NULL || passport_flow_get_state (self->flow) != PASSPORT_FLOW_STATE_SIGNED_IN)
    return NULL;
  server = passport_flow_get_server (self->flow);
  if (server == NULL || !passport_server_has_account_api (server) ||
      !passport_server_has_feature (server, "sessions"))
    return NULL;
  return passport_flow_get_client (self->flow);
}

static const char *
device_title (PassportSessionInfo *item)
{
  const char *device = passport_session_info_get_device_name (item);
  const char *client = passport_session_info_get_client_name (item);

  if (device != NULL && *device != '\0')
    return device;
  if (client != NULL && *client != '\0')
    return client;
  return _("Unknown device");
}

static const char *
method_text (PassportSessionInfo *item)
{
  const char *method = passport_session_info_get_method (item);

  if (g_strcmp0 (method, "browser") == 0)
    return _("signed in with a social network");
  if (g_strcmp0 (method, "password") == 0)
    return _("signed in with e-mail and password");
  if (g_strcmp0 (method, "app_password") == 0)
    return _("signed in with an app password");
  if (g_strcmp0 (method, "device") == 0)
    return _("signed in with another device");
  return NULL;
}

static char *
subtitle_for (PassportSessionInfo *item)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (passport_session_info_get_last_used_at (item));
  /* Translators: when a session was last used, in g_date_time_format()'s
   * codes: "26 Nov 2026, 14:05" */
  g_autofree char *when = g_date_time_format (local, _("%-d %b %Y, %H:%M"));
  const char *ip = passport_session_info_get_ip (item);
  const char *method = method_text (item);
  GString *text = g_string_new (NULL);

  if (passport_session_info_get_current (item))
    g_string_append (text, _("This device"));
  else
    /* Translators: %s is a date and time ("26 Nov 2026, 14:05") */
    g_string_append_printf (text, _("Last used %s"), when);
  if (ip != NULL && *ip != '\0')
    g_string_append_printf (text, " · %s", ip);
  if (method != NULL)
    g_string_append_printf (text, " · %s", method);
  return g_string_free (text, FALSE);
}

static GtkWidget *
item_row (PassportSessionInfo *item)
{
  const char *title = device_title (item);
  g_autofree char *subtitle = subtitle_for (item);
  GtkWidget *row = adw_action_row_new ();

  gtk_widget_set_name (row, passport_session_info_get_current (item) ? "session-row-current"
                                                                     : "session-row");
  /* The device name is what the client sent: text, not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_icon_name (ADW_ACTION_ROW (row),
                                passport_session_info_get_current (item) ? "computer-symbolic"
                                                                         : "network-workgroup-symbolic");
  if (!passport_session_info_get_current (item))
    {
      GtkWidget *sign_out = gtk_button_new_with_label (_("Sign Out"));
      g_autofree char *name = NULL;

      gtk_widget_set_name (sign_out, "session-sign-out");
      gtk_widget_set_valign (sign_out, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (sign_out), "sessions.sign-out");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (sign_out), "s",
                                        passport_session_info_get_id (item));
      /* Translators: the accessible name of the Sign Out button of the
       * device named %s */
      name = g_strdup_printf (_("Sign out %s"), title);
      passport_a11y_name_button (sign_out, name);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), sign_out);
    }
  return row;
}

static GtkWidget *
error_row (const GError *error)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *retry = gtk_button_new_with_mnemonic (_("_Retry"));

  gtk_widget_set_name (row, "sessions-error");
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), passport_error_describe (error));
  adw_action_row_set_icon_name (ADW_ACTION_ROW (row), "dialog-warning-symbolic");
  gtk_widget_set_name (retry, "sessions-retry");
  gtk_widget_set_valign (retry, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (retry), "sessions.reload");
  passport_a11y_name_button (retry, _("Retry"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), retry);
  return row;
}

static GtkWidget *
spinner_row (void)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *spinner = gtk_spinner_new ();

  gtk_widget_set_name (row, "sessions-loading");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  gtk_widget_set_margin_top (spinner, 12);
  gtk_widget_set_margin_bottom (spinner, 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Loading devices…"), -1);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), spinner);
  passport_spinners_spin_while_mapped (row);
  return row;
}

static guint
count_others (PassportSessionsGroup *self)
{
  GListModel *items = passport_remote_list_get_items (self->remote);
  guint others = 0;

  for (guint i = 0; items != NULL && i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(PassportSessionInfo) item = g_list_model_get_item (items, i);

      if (!passport_session_info_get_current (item))
        others++;
    }
  return others;
}

/* This device first, then the others as the server orders them (most
 * recently used first). */
static void
rebuild (PassportSessionsGroup *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean lost_focus = FALSE;
  GtkWidget *child;
  GListModel *items = passport_remote_list_get_items (self->remote);
  const GError *load_error = passport_remote_list_get_error (self->remote);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    {
      if (focus != NULL && (focus == child || gtk_widget_is_ancestor (focus, child)))
        lost_focus = TRUE;
      gtk_list_box_remove (self->list, child);
    }

  if (load_error != NULL)
    gtk_list_box_append (self->list, error_row (load_error));
  else if (items != NULL)
    {
      for (int pass = 0; pass < 2; pass++)
        for (guint i = 0; i < g_list_model_get_n_items (items); i++)
          {
            g_autoptr(PassportSessionInfo) item = g_list_model_get_item (items, i);

            if (passport_session_info_get_current (item) == (pass == 0))
              gtk_list_box_append (self->list, item_row (item));
          }
    }
  else if (passport_remote_list_get_loading_shown (self->remote))
    gtk_list_box_append (self->list, spinner_row ());

  gtk_widget_set_visible (GTK_WIDGET (self->list), gtk_widget_get_first_child (GTK_WIDGET (self->list)) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sessions.sign-out-others",
                                 get_client (self) != NULL && count_others (self) > 0);
  if (lost_focus)
    gtk_widget_grab_focus (self->others_button);
}

static void
show_message (PassportSessionsGroup *self,
              const char            *text,
              gboolean               error)
{
  gtk_label_set_label (self->message, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message), text != NULL);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message), "error");
}

/* What belongs to the session: its calls and its list. */
static void
forget (PassportSessionsGroup *self)
{
  if (self->remote != NULL)
    passport_remote_list_forget (self->remote);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
update (PassportSessionsGroup *self)
{
  gboolean available = get_client (self) != NULL;

  if (!available && (passport_remote_list_get_active (self->remote) || self->cancellable != NULL))
    {
      forget (self);
      show_message (self, NULL, FALSE);
      rebuild (self);
    }
  gtk_widget_set_visible (GTK_WIDGET (self), available);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sessions.reload", available);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sessions.sign-out", available);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sessions.sign-out-others",
                                 available && count_others (self) > 0);
  /* Signed in here again, or to another server: the list is another. */
  if (available && gtk_widget_get_mapped (GTK_WIDGET (self)) &&
      !passport_remote_list_get_active (self->remote))
    load (self);
}

/* (Re)loads the list: when the group is shown, after Retry and after a
 * sign-out. The rows shown stay until the new list is in. */
static void
load (PassportSessionsGroup *self)
{
  passport_remote_list_load (self->remote, get_client (self));
}

static void
on_map (PassportSessionsGroup *self)
{
  /* Shown again: another device may have signed in or out meanwhile. */
  if (get_client (self) != NULL)
    load (self);
}

static void
reload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  load (PASSPORT_SESSIONS_GROUP (widget));
}

/* ---- Signing out others --------------------------------------------------- */

static GCancellable *
call_cancellable (PassportSessionsGroup *self)
{
  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();
  return self->cancellable;
}

static void
sign_out_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PassportSessionsGroup) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_client_revoke_session_finish (PASSPORT_CLIENT (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* not_found: it ended meanwhile; the reload shows that. */
      if (!g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_NOT_FOUND))
        {
          show_message (self, passport_error_describe (error), TRUE);
          return;
        }
    }
  show_message (self, _("Signed out on that device."), FALSE);
  load (self);
}

static void
others_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PassportSessionsGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  guint revoked = 0;
  g_autofree char *text = NULL;

  if (!passport_client_revoke_other_sessions_finish (PASSPORT_CLIENT (source), result, &revoked,
                                                     &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, passport_error_describe (error), TRUE);
      return;
    }
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Signed out on %u other device.",
                                       "Signed out on %u other devices.", revoked), revoked);
  show_message (self, text, FALSE);
  load (self);
}

static void
confirm_response_cb (AdwMessageDialog      *dialog,
                     const char            *response,
                     PassportSessionsGroup *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "session-id");
  PassportClient *client = get_client (self);

  if (g_strcmp0 (response, "sign-out") != 0 || client == NULL)
    return;
  show_message (self, NULL, FALSE);
  if (id != NULL)
    passport_client_revoke_session_async (client, id, call_cancellable (self), sign_out_cb,
                                          g_object_ref (self));
  else
    passport_client_revoke_other_sessions_async (client, call_cancellable (self), others_cb,
                                                 g_object_ref (self));
}

static void
confirm (PassportSessionsGroup *self,
         const char            *heading,
         const char            *body,
         const char            *id)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              heading, body);

  gtk_widget_set_name (dialog, id != NULL ? "session-sign-out-dialog" : "sessions-sign-out-others-dialog");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "sign-out", _("_Sign Out"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sign-out",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  passport_a11y_name_mnemonic_buttons (dialog);
  g_object_set_data_full (G_OBJECT (dialog), "session-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (confirm_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sign_out_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PassportSessionsGroup *self = PASSPORT_SESSIONS_GROUP (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  GListModel *items = passport_remote_list_get_items (self->remote);

  for (guint i = 0; items != NULL && i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(PassportSessionInfo) item = g_list_model_get_item (items, i);
      g_autofree char *heading = NULL;

      if (g_strcmp0 (passport_session_info_get_id (item), id) != 0 ||
          passport_session_info_get_current (item))
        continue;
      /* Translators: %s is a device's name ("ivan-laptop (Debian GNU/Linux 12)") */
      heading = g_strdup_printf (_("Sign Out “%s”?"), device_title (item));
      confirm (self, heading,
               _("The account is signed out there; signing in there again needs the password or a "
                 "social network."),
               id);
      return;
    }
}

static void
sign_out_others_activated (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  confirm (PASSPORT_SESSIONS_GROUP (widget), _("Sign Out on All Other Devices?"),
           _("Every other device and program signed in to this account is signed out. This device "
             "stays signed in."),
           NULL);
}

/* ---- The object ----------------------------------------------------------------- */

static void
passport_sessions_group_dispose (GObject *object)
{
  PassportSessionsGroup *self = PASSPORT_SESSIONS_GROUP (object);

  forget (self);
  if (self->flow_signals != NULL)
    g_signal_group_set_target (self->flow_signals, NULL);
  g_clear_object (&self->flow_signals);
  g_clear_object (&self->remote);
  g_clear_object (&self->flow);
  G_OBJECT_CLASS (passport_sessions_group_parent_class)->dispose (object);
}

static void
passport_sessions_group_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  PassportSessionsGroup *self = PASSPORT_SESSIONS_GROUP (object);

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
passport_sessions_group_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  PassportSessionsGroup *self = PASSPORT_SESSIONS_GROUP (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      if (g_set_object (&self->flow, g_value_get_object (value)))
        {
          forget (self);
          show_message (self, NULL, FALSE);
          rebuild (self);
          g_signal_group_set_target (self->flow_signals, self->flow);
          update (self);
          g_object_notify_by_pspec (object, properties[PROP_FLOW]);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_sessions_group_class_init (PassportSessionsGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = passport_sessions_group_dispose;
  object_class->get_property = passport_sessions_group_get_property;
  object_class->set_property = passport_sessions_group_set_property;

  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, PASSPORT_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "sessions.reload", NULL, reload_activated);
  gtk_widget_class_install_action (widget_class, "sessions.sign-out", "s", sign_out_activated);
  gtk_widget_class_install_action (widget_class, "sessions.sign-out-others", NULL,
                                   sign_out_others_activated);
}

static void
passport_sessions_group_init (PassportSessionsGroup *self)
{
  self->remote = passport_remote_list_new (passport_client_list_sessions_async,
                                           passport_client_list_sessions_finish);
  g_signal_connect_swapped (self->remote, "changed", G_CALLBACK (rebuild), self);
  gtk_widget_set_name (GTK_WIDGET (self), "sessions-group");
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("Devices"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         _("Where this account is signed in."));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_set_name (GTK_WIDGET (self->list), "sessions-list");
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Devices"), -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->list));

  {
    /* A label that wraps: 1.5× text at 360 px (finding 12). */
    GtkWidget *label = gtk_label_new_with_mnemonic (_("Sign Out on All Other De_vices…"));

    gtk_label_set_wrap (GTK_LABEL (label), TRUE);
    gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
    gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
    self->others_button = gtk_button_new ();
    gtk_button_set_child (GTK_BUTTON (self->others_button), label);
  }
  gtk_widget_set_name (self->others_button, "sessions-sign-out-others");
  gtk_widget_set_halign (self->others_button, GTK_ALIGN_START);
  gtk_widget_set_margin_top (self->others_button, 12);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->others_button), "sessions.sign-out-others");
  passport_a11y_name_button (self->others_button, _("Sign Out on All Other Devices"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), self->others_button);

  self->message = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->message), "sessions-message");
  gtk_label_set_wrap (self->message, TRUE);
  gtk_label_set_wrap_mode (self->message, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (self->message, 0);
  gtk_widget_set_margin_top (GTK_WIDGET (self->message), 6);
  gtk_widget_set_visible (GTK_WIDGET (self->message), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->message));

  self->flow_signals = g_signal_group_new (PASSPORT_TYPE_FLOW);
  g_signal_group_connect_swapped (self->flow_signals, "notify::state", G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->flow_signals, "notify::server", G_CALLBACK (update), self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
  update (self);
}
