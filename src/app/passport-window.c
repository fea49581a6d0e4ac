// SPDX-License-Identifier: GPL-3.0-or-later
//
// The main window: a stack with one page per step of the flow; the stack's
// visible child is bound to the window's page-name, which one table
// (page_for_state) derives from the flow's state, password-mode and a
// running browser sign-in. Errors a page does not show itself become a bar
// with Retry (blocking ones: the server cannot be reached) or a toast.
#include "config.h"

#include <glib/gi18n.h>

#include "passport-a11y.h"
#include "passport-account-page.h"
#include "passport-accounts-dialog.h"
#include "passport-bind-page.h"
#include "passport-browser-page.h"
#include "passport-device-page.h"
#include "passport-confirm-page.h"
#include "passport-conflict-page.h"
#include "passport-error.h"
#include "passport-password-page.h"
#include "passport-server-page.h"
#include "passport-server.h"
#include "passport-sign-in-page.h"
#include "passport-spinner.h"
#include "passport-stall-probe.h"
#include "passport-terms-page.h"
#include "passport-window.h"

struct _PassportWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkStack             *stack;
  AdwStatusPage        *progress_page;
  GtkWidget            *cancel_connecting_button;
  GtkWidget            *back_button;
  GtkWidget            *accounts_button;
  GtkRevealer          *error_revealer;
  GtkRevealer          *keyring_revealer;
  GtkLabel             *keyring_label;
  GtkWidget            *unlock_button;
  GCancellable         *unlock_cancellable;
  GtkLabel             *error_label;

  PassportFlow         *flow;
  PassportFlowState     last_state;
  gboolean              password_mode;  /* e-mail and password chosen on the sign-in step */
  const char           *page_name;      /* passport_window_page_for_state() */
  gboolean              focus_pending;  /* the page came while its controls were off */
  char                 *previous_server_url;  /* Change Server: where Back returns */
  AdwMessageDialog     *keyring_dialog;
};

G_DEFINE_FINAL_TYPE (PassportWindow, passport_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_FLOW,
  PROP_PASSWORD_MODE,
  PROP_PAGE_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The one table from the flow to the page shown. @password_mode: the user
 * chose e-mail and password on the sign-in step; @browser_waiting: a
 * browser sign-in runs (in the conflict, the other account's). */
static const char *
page_for_state (PassportFlowState state,
                gboolean          password_mode,
                gboolean          browser_waiting)
{
  switch (state)
    {
    case PASSPORT_FLOW_STATE_NEEDS_SERVER:
      return "server-page";
    case PASSPORT_FLOW_STATE_CONNECTING:
      return "progress-page";
    case PASSPORT_FLOW_STATE_SIGNED_OUT:
      return password_mode ? "password-page" : "sign-in-page";
    case PASSPORT_FLOW_STATE_AWAITING_BROWSER:
      return "browser-page";
    case PASSPORT_FLOW_STATE_AWAITING_DEVICE:
      return "device-page";
    case PASSPORT_FLOW_STATE_SIGNING_IN:
      /* A password sign-in stays on its page with a spinner. */
      return password_mode ? "password-page" : "progress-page";
    case PASSPORT_FLOW_STATE_NEEDS_CODE:
      /* The code step has no page yet: the password page stays. */
      return "password-page";
    case PASSPORT_FLOW_STATE_NEEDS_TERMS:
      return "terms-page";
    case PASSPORT_FLOW_STATE_NEEDS_EMAIL:
      return "bind-page";
    case PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION:
      return "confirm-page";
    case PASSPORT_FLOW_STATE_EMAIL_CONFLICT:
      /* The other account's browser sign-in waits like the main one. */
      return browser_waiting ? "browser-page" : "conflict-page";
    case PASSPORT_FLOW_STATE_SIGNED_IN:
      return "account-page";
    default:
      return "progress-page";
    }
}

/* "page-name" follows the flow; the stack's visible child is bound to it. */
static void
update_page_name (PassportWindow *self)
{
  const char *name = page_for_state (passport_flow_get_state (self->flow), self->password_mode,
                                     passport_flow_get_browser_url (self->flow) != NULL);

  if (g_strcmp0 (name, self->page_name) == 0)
    return;
  self->page_name = name;
  passport_stall_probe_enter ("page switch");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_NAME]);
  passport_stall_probe_leave ();
}

static void
set_password_mode (PassportWindow *self,
                   gboolean        password_mode)
{
  password_mode = !!password_mode;
  if (self->password_mode == password_mode)
    return;
  self->password_mode = password_mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PASSWORD_MODE]);
  update_page_name (self);
}

/* GtkStack leaves the pages it does not show in the accessibility tree as
 * if they were visible; mark them hidden so screen readers and automation
 * tools see only the current step. */
static void
hide_other_pages (PassportWindow *self)
{
  GtkWidget *page = gtk_stack_get_visible_child (self->stack);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_accessible_update_state (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_STATE_HIDDEN, child != page, -1);
}

/* Another page shown (the binding): the keyboard goes to it. */
static void
on_visible_page (PassportWindow *self)
{
  hide_other_pages (self);
  gtk_widget_child_focus (gtk_stack_get_visible_child (self->stack), GTK_DIR_TAB_FORWARD);
  self->focus_pending = passport_flow_get_busy (self->flow);
}

/* A page shown while the flow was still busy had every control off, and
 * the focus fell on its scroller: now that they are on, it goes to the
 * first one, unless the user has already moved it to one. */
static void
resume_focus (PassportWindow *self)
{
  GtkWidget *focus;

  if (!self->focus_pending || passport_flow_get_busy (self->flow))
    return;
  self->focus_pending = FALSE;
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (focus == NULL || !(GTK_IS_BUTTON (focus) || GTK_IS_EDITABLE (focus) ||
                         gtk_widget_get_ancestor (focus, GTK_TYPE_EDITABLE) != NULL))
    {
      gtk_root_set_focus (GTK_ROOT (self), NULL);
      gtk_widget_child_focus (gtk_stack_get_visible_child (self->stack), GTK_DIR_TAB_FORWARD);
    }
}

/* What the window shows around the page. */
static void
update_chrome (PassportWindow *self)
{
  PassportFlowState state = passport_flow_get_state (self->flow);
  PassportServer *server = passport_flow_get_server (self->flow);

  adw_status_page_set_title (self->progress_page,
                             state == PASSPORT_FLOW_STATE_CONNECTING ? _("Connecting…")
                                                                     : _("Signing In…"));
  gtk_widget_set_visible (self->cancel_connecting_button, state == PASSPORT_FLOW_STATE_CONNECTING);
  gtk_widget_set_visible (self->back_button,
                          state == PASSPORT_FLOW_STATE_NEEDS_SERVER && self->previous_server_url != NULL);
  /* Which server, from the first try on: while a known server cannot be
   * reached too, the user sees whose it is (finding 9). */
  adw_window_title_set_subtitle (self->window_title,
                                 state != PASSPORT_FLOW_STATE_NEEDS_SERVER
                                   ? passport_flow_get_server_url (self->flow) : NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.change-server",
                                 state == PASSPORT_FLOW_STATE_SIGNED_OUT &&
                                 !passport_flow_get_busy (self->flow));
  /* Passwords are the passport API's: a plain OpenID provider has none. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.show-password-page",
                                 state == PASSPORT_FLOW_STATE_SIGNED_OUT &&
                                 server != NULL && passport_server_has_account_api (server));
}

static void
on_busy (PassportWindow *self)
{
  update_chrome (self);
  resume_focus (self);
}

static void
on_state (PassportWindow *self)
{
  PassportFlowState state = passport_flow_get_state (self->flow);

  /* The browser came back: bring the window to the front (RFC 8252 flow
   * ends in the browser otherwise). */
  if (self->last_state == PASSPORT_FLOW_STATE_AWAITING_BROWSER &&
      state != PASSPORT_FLOW_STATE_AWAITING_BROWSER &&
      gtk_widget_get_visible (GTK_WIDGET (self)))
    gtk_window_present (GTK_WINDOW (self));
  /* The mailed link was opened: the page changes by itself, so say why. */
  if (self->last_state == PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION &&
      state == PASSPORT_FLOW_STATE_SIGNED_IN)
    passport_window_show_toast (self, _("Your e-mail is confirmed."));
  /* Change Server from the sign-in choices: Back returns there (finding
   * 19). A server page reached otherwise (first run, a failed address)
   * keeps what it had; any other step forgets it. */
  if (state == PASSPORT_FLOW_STATE_NEEDS_SERVER && self->last_state == PASSPORT_FLOW_STATE_SIGNED_OUT)
    {
      g_free (self->previous_server_url);
      self->previous_server_url = g_strdup (passport_flow_get_server_url (self->flow));
    }
  else if (state != PASSPORT_FLOW_STATE_NEEDS_SERVER && state != PASSPORT_FLOW_STATE_CONNECTING)
    g_clear_pointer (&self->previous_server_url, g_free);
  self->last_state = state;
  /* E-mail and password is a choice on the sign-in step only. */
  if (state != PASSPORT_FLOW_STATE_SIGNED_OUT && state != PASSPORT_FLOW_STATE_SIGNING_IN)
    set_password_mode (self, FALSE);
  update_page_name (self);
  update_chrome (self);
  resume_focus (self);
}

static void
on_conflict_step (PassportWindow *self)
{
  /* Same for the other account's browser sign-in while freeing an address. */
  if (passport_flow_get_conflict_step (self->flow) == PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL &&
      gtk_widget_get_visible (GTK_WIDGET (self)))
    gtk_window_present (GTK_WINDOW (self));
}

static void
on_error (PassportWindow *self)
{
  const GError *error = passport_flow_get_error (self->flow);
  GtkWidget *page = gtk_stack_get_visible_child (self->stack);
  gboolean blocking = FALSE;

  if (error != NULL &&
      passport_flow_get_state (self->flow) != PASSPORT_FLOW_STATE_NEEDS_SERVER &&
      !(PASSPORT_IS_PAGE (page) && passport_page_shows_error (PASSPORT_PAGE (page), error)) &&
      passport_error_describe (error) != NULL)
    {
      const char *message = passport_error_describe (error);
      PassportErrorSeverity severity = passport_error_get_severity (error);

      if (severity == PASSPORT_ERROR_SEVERITY_BLOCKING)
        {
          blocking = TRUE;
          gtk_label_set_label (self->error_label, message);
        }
      else
        passport_window_show_toast (self, message);
    }
  gtk_revealer_set_reveal_child (self->error_revealer, blocking);
  gtk_widget_set_visible (GTK_WIDGET (self->error_revealer), blocking);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.retry", blocking);
}

static void
on_keyring_response (PassportWindow *self,
                     const char     *response)
{
  if (g_strcmp0 (response, "continue") == 0)
    passport_flow_continue_without_keyring (self->flow);
  else if (g_strcmp0 (response, "sign-out") == 0)
    passport_flow_sign_out_async (self->flow, NULL, NULL, NULL);
  self->keyring_dialog = NULL;
}

static void
on_keyring_unavailable (PassportWindow *self)
{
  GtkWidget *dialog;

  if (!passport_flow_get_keyring_unavailable (self->flow))
    {
      if (self->keyring_dialog != NULL)
        gtk_window_destroy (GTK_WINDOW (self->keyring_dialog));
      return;
    }
  if (self->keyring_dialog != NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self),
                                   _("Continue Without Remembering?"),
                                   _("The system keyring is not available, so Passport cannot keep you "
                                     "signed in after it closes. You can go on and sign in again next time."));
  gtk_widget_set_name (dialog, "keyring-dialog");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "sign-out", _("_Sign Out"),
                                    "continue", _("_Continue Without Remembering"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "continue",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "continue");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "sign-out");
  passport_a11y_name_mnemonic_buttons (dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_keyring_response),
                           self, G_CONNECT_SWAPPED);
  self->keyring_dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_password_page_activated (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *parameter)
{
  set_password_mode (PASSPORT_WINDOW (widget), TRUE);
}

static void
show_sign_in_page_activated (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  set_password_mode (PASSPORT_WINDOW (widget), FALSE);
}

/* Escape: one step back from where the user is, as the shortcuts window
 * says: from Change Server to the server before, from the e-mail sign-in
 * to the sign-in choices, from a browser sign-in (ended), from a step of
 * freeing an address to its start. */
static void
go_back_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PassportWindow *self = PASSPORT_WINDOW (widget);
  PassportFlowState state = passport_flow_get_state (self->flow);
  PassportConflictStep step = passport_flow_get_conflict_step (self->flow);

  if (state == PASSPORT_FLOW_STATE_NEEDS_SERVER && self->previous_server_url != NULL)
    /* Back from Change Server to the server the user came from. */
    passport_flow_set_server_url_async (self->flow, self->previous_server_url, NULL, NULL, NULL);
  else if (self->password_mode && passport_flow_get_busy (self->flow))
    /* The e-mail sign-in runs: stop it, and stay with what was typed. */
    passport_flow_cancel (self->flow);
  else if (self->password_mode)
    set_password_mode (self, FALSE);
  else if (state == PASSPORT_FLOW_STATE_AWAITING_BROWSER ||
           (state == PASSPORT_FLOW_STATE_EMAIL_CONFLICT &&
            step != PASSPORT_CONFLICT_STEP_NONE && step != PASSPORT_CONFLICT_STEP_FREED))
    passport_flow_cancel (self->flow);
}

static void
show_toast_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  passport_window_show_toast (PASSPORT_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
retry_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  passport_flow_retry_async (PASSPORT_WINDOW (widget)->flow, NULL, NULL, NULL);
}

/* Before signing in (the pages where it matters next), a locked or missing
 * keyring is said, with what to do; a locked one offers to unlock. */
static void
update_keyring_bar (PassportWindow *self)
{
  PassportKeyringHealth health = passport_flow_get_keyring_health (self->flow);
  PassportFlowState state = passport_flow_get_state (self->flow);
  gboolean before_sign_in = state == PASSPORT_FLOW_STATE_NEEDS_SERVER ||
                            state == PASSPORT_FLOW_STATE_SIGNED_OUT;
  gboolean show = before_sign_in &&
                  (health == PASSPORT_KEYRING_LOCKED || health == PASSPORT_KEYRING_MISSING);

  if (show)
    gtk_label_set_text (self->keyring_label, passport_keyring_health_describe (health));
  gtk_widget_set_visible (self->unlock_button, health == PASSPORT_KEYRING_LOCKED);
  gtk_widget_set_visible (GTK_WIDGET (self->keyring_revealer), show);
  gtk_revealer_set_reveal_child (self->keyring_revealer, show);
}

static void
unlocked_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PassportWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean unlocked = passport_flow_unlock_keyring_finish (PASSPORT_FLOW (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.unlock-keyring", TRUE);
  if (unlocked)
    passport_window_show_toast (self, _("The keyring is unlocked"));
  else
    passport_window_show_toast (self, passport_error_describe (error));
}

static void
unlock_keyring_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  PassportWindow *self = PASSPORT_WINDOW (widget);

  /* The keyring's own dialog asks for the password; once at a time. */
  gtk_widget_action_set_enabled (widget, "window.unlock-keyring", FALSE);
  passport_flow_unlock_keyring_async (self->flow, self->unlock_cancellable, unlocked_cb, g_object_ref (self));
}

static void
show_accounts_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  PassportWindow *self = PASSPORT_WINDOW (widget);

  gtk_window_present (GTK_WINDOW (passport_accounts_dialog_new (GTK_WINDOW (self), self->flow)));
}

static void
change_server_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  passport_flow_change_server (PASSPORT_WINDOW (widget)->flow);
}

PassportWindow *
passport_window_new (GtkApplication *application,
                     PassportFlow   *flow)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (PASSPORT_IS_FLOW (flow), NULL);

  return g_object_new (PASSPORT_TYPE_WINDOW,
                       "application", application,
                       "flow", flow,
                       NULL);
}

PassportFlow *
passport_window_get_flow (PassportWindow *self)
{
  g_return_val_if_fail (PASSPORT_IS_WINDOW (self), NULL);

  return self->flow;
}

const char *
passport_window_get_visible_page_name (PassportWindow *self)
{
  g_return_val_if_fail (PASSPORT_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

GtkWidget *
passport_window_get_page (PassportWindow *self,
                          const char     *name)
{
  g_return_val_if_fail (PASSPORT_IS_WINDOW (self), NULL);

  return gtk_stack_get_child_by_name (self->stack, name);
}

void
passport_window_set_server_url (PassportWindow *self,
                                const char     *url)
{
  g_return_if_fail (PASSPORT_IS_WINDOW (self));

  passport_server_page_set_url (PASSPORT_SERVER_PAGE (passport_window_get_page (self, "server-page")), url);
}

/* libadwaita 1.2 gives a toast's close button no accessible name (screen
 * readers and UI automation see an unnamed "GtkImage" button): name it. */
static void
name_toast_buttons (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (child)),
                                              "window-close-symbolic") == 0)
        gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Dismiss"), -1);
      name_toast_buttons (child);
    }
}

static gboolean
name_toast_buttons_later (gpointer data)
{
  name_toast_buttons (data);
  return G_SOURCE_REMOVE;
}

void
passport_window_show_toast (PassportWindow *self,
                            const char     *message)
{
  AdwToast *toast;

  g_return_if_fail (PASSPORT_IS_WINDOW (self));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  name_toast_buttons (GTK_WIDGET (self->toast_overlay));
  /* A toast waiting behind another gets its widget later. */
  g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 6, name_toast_buttons_later,
                              g_object_ref (self->toast_overlay), g_object_unref);
}

const char *
passport_window_get_blocking_error (PassportWindow *self)
{
  g_return_val_if_fail (PASSPORT_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

static void
passport_window_constructed (GObject *object)
{
  PassportWindow *self = PASSPORT_WINDOW (object);

  G_OBJECT_CLASS (passport_window_parent_class)->constructed (object);

  g_assert (self->flow != NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->stack));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (PASSPORT_IS_PAGE (child))
      passport_page_set_flow (PASSPORT_PAGE (child), self->flow);

  /* Several accounts where the flow keeps a list of them (the app's does). */
  gtk_widget_set_visible (self->accounts_button, passport_flow_get_accounts (self->flow) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "window.show-accounts",
                                 passport_flow_get_accounts (self->flow) != NULL);
  g_signal_connect_object (self->flow, "notify::state", G_CALLBACK (on_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::state", G_CALLBACK (update_keyring_bar), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::keyring-health", G_CALLBACK (update_keyring_bar), self,
                           G_CONNECT_SWAPPED);
  update_keyring_bar (self);
  g_signal_connect_object (self->flow, "notify::busy", G_CALLBACK (on_busy), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::server", G_CALLBACK (update_chrome), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::server-url", G_CALLBACK (update_chrome), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::browser-url", G_CALLBACK (update_page_name),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::conflict-step", G_CALLBACK (on_conflict_step),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::error", G_CALLBACK (on_error), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flow, "notify::keyring-unavailable", G_CALLBACK (on_keyring_unavailable),
                           self, G_CONNECT_SWAPPED);

  /* The flow's own actions ("flow.accept-terms", "flow.cancel", …): the
   * pages' buttons that only forward to the flow name them in their
   * templates, and the flow alone decides when they are enabled. */
  gtk_widget_insert_action_group (GTK_WIDGET (self), "flow", passport_flow_get_actions (self->flow));

  passport_page_label_unnamed_buttons (GTK_WIDGET (self->stack));

  self->last_state = passport_flow_get_state (self->flow);
  update_page_name (self);
  /* The page shown is the one "page-name" names, at once and from then on. */
  g_object_bind_property (self, "page-name", self->stack, "visible-child-name", G_BINDING_SYNC_CREATE);
  hide_other_pages (self);
  g_signal_connect_object (self->stack, "notify::visible-child", G_CALLBACK (on_visible_page),
                           self, G_CONNECT_SWAPPED);
  update_chrome (self);
  on_error (self);
  on_keyring_unavailable (self);
}

static void
passport_window_dispose (GObject *object)
{
  PassportWindow *self = PASSPORT_WINDOW (object);

  g_cancellable_cancel (self->unlock_cancellable);
  g_clear_object (&self->unlock_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), PASSPORT_TYPE_WINDOW);
  g_clear_object (&self->flow);
  g_clear_pointer (&self->previous_server_url, g_free);

  G_OBJECT_CLASS (passport_window_parent_class)->dispose (object);
}

static void
passport_window_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PassportWindow *self = PASSPORT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      g_value_set_object (value, self->flow);
      break;
    case PROP_PASSWORD_MODE:
      g_value_set_boolean (value, self->password_mode);
      break;
    case PROP_PAGE_NAME:
      g_value_set_string (value, self->page_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_window_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PassportWindow *self = PASSPORT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FLOW:
      self->flow = g_value_dup_object (value);
      break;
    case PROP_PASSWORD_MODE:
      set_password_mode (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_window_class_init (PassportWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = passport_window_constructed;
  object_class->dispose = passport_window_dispose;
  object_class->get_property = passport_window_get_property;
  object_class->set_property = passport_window_set_property;

  /**
   * PassportWindow:flow:
   *
   * The sign-in flow the window shows.
   */
  properties[PROP_FLOW] =
    g_param_spec_object ("flow", NULL, NULL, PASSPORT_TYPE_FLOW,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * PassportWindow:password-mode:
   *
   * Whether the user chose e-mail and password on the sign-in step (the
   * password page instead of the sign-in choices). Only while signed out
   * or signing in; any other step clears it.
   */
  properties[PROP_PASSWORD_MODE] =
    g_param_spec_boolean ("password-mode", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * PassportWindow:page-name:
   *
   * The name of the page shown, from the flow's state, #PassportWindow:password-mode
   * and whether a browser sign-in runs; the stack's visible child is bound to it.
   */
  properties[PROP_PAGE_NAME] =
    g_param_spec_string ("page-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PASSPORT_TYPE_SERVER_PAGE);
  g_type_ensure (PASSPORT_TYPE_SIGN_IN_PAGE);
  g_type_ensure (PASSPORT_TYPE_BROWSER_PAGE);
  g_type_ensure (PASSPORT_TYPE_DEVICE_PAGE);
  g_type_ensure (PASSPORT_TYPE_TERMS_PAGE);
  g_type_ensure (PASSPORT_TYPE_BIND_PAGE);
  g_type_ensure (PASSPORT_TYPE_CONFIRM_PAGE);
  g_type_ensure (PASSPORT_TYPE_CONFLICT_PAGE);
  g_type_ensure (PASSPORT_TYPE_PASSWORD_PAGE);
  g_type_ensure (PASSPORT_TYPE_ACCOUNT_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/passportdesk/Passport/passport-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PassportWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PassportWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PassportWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, PassportWindow, progress_page);
  gtk_widget_class_bind_template_child (widget_class, PassportWindow, cancel_connecting_button);
  gtk_widget_class_bind_template_child (widget_class, PassportWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, PassportWindow, accounts_button);
  gtk_widget_class_bind_template_child (widget_class, PassportWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, PassportWindow, keyring_revealer);
  gtk_widget_class_bind_template_child (widget_class, PassportWindow, keyring_label);
  gtk_widget_class_bind_template_child (widget_class, PassportWindow, unlock_button);
  gtk_widget_class_bind_template_child (widget_class, PassportWindow, error_label);

  gtk_widget_class_install_action (widget_class, "window.show-password-page", NULL, show_password_page_activated);
  gtk_widget_class_install_action (widget_class, "window.show-sign-in-page", NULL, show_sign_in_page_activated);
  gtk_widget_class_install_action (widget_class, "window.show-toast", "s", show_toast_activated);
  gtk_widget_class_install_action (widget_class, "window.go-back", NULL, go_back_activated);
  gtk_widget_class_install_action (widget_class, "window.retry", NULL, retry_activated);
  gtk_widget_class_install_action (widget_class, "window.change-server", NULL, change_server_activated);
  gtk_widget_class_install_action (widget_class, "window.show-accounts", NULL, show_accounts_activated);
  gtk_widget_class_install_action (widget_class, "window.unlock-keyring", NULL, unlock_keyring_activated);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "window.retry", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.go-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
passport_window_init (PassportWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->unlock_cancellable = g_cancellable_new ();
  /* Every page is in the template: no spinner of a page that is not shown
   * keeps the frame clock ticking. */
  passport_spinners_spin_while_mapped (GTK_WIDGET (self));
}
