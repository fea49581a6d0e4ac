// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportFlow: the state machine of architecture.md. This file holds the
// object, its properties and the transition between states;
// passport-flow-run.c the plumbing every action goes through,
// passport-flow-session.c and passport-flow-actions.c the steps,
// passport-flow-keyring.c the keyring's health (see passport-flow-private.h).
#include "config.h"

#include <glib/gi18n-lib.h>

#include "passport-enums.h"
#include "passport-error.h"
#include "passport-flow-private.h"
#include "passport-secure.h"

G_DEFINE_FINAL_TYPE (PassportFlow, passport_flow, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static guint password_reset_sent_signal;

void
_passport_flow_emit_password_reset_sent (PassportFlow *self,
                                         const char   *email)
{
  g_signal_emit (self, password_reset_sent_signal, 0, email);
}

const char *
passport_flow_state_to_string (PassportFlowState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PASSPORT_TYPE_FLOW_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  return value != NULL ? value->value_nick : "unknown";
}

/* Properties ---------------------------------------------------------------- */

void
_passport_flow_notify (PassportFlow *self,
                       guint         prop)
{
  /* Whatever moved may change what can be done. */
  _passport_flow_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static gboolean
retry_after_passed_cb (gpointer data)
{
  PassportFlow *self = data;

  self->retry_after_timer = 0;
  _passport_flow_update_actions (self);
  return G_SOURCE_REMOVE;
}

void
_passport_flow_update_busy (PassportFlow *self)
{
  gboolean busy = self->action_busy || self->pending_saves > 0;

  if (self->busy == busy)
    return;
  self->busy = busy;
  _passport_flow_notify (self, PROP_BUSY);
}

/* Busy covers the running action and any keyring write still in flight. */
void
_passport_flow_set_busy (PassportFlow *self,
                         gboolean      busy)
{
  self->action_busy = busy;
  _passport_flow_update_busy (self);
}

void
_passport_flow_set_string (PassportFlow *self,
                           char        **field,
                           const char   *value,
                           guint         prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  _passport_flow_notify (self, prop);
}

void
_passport_flow_set_object (PassportFlow *self,
                           gpointer      field,
                           gpointer      value,
                           guint         prop)
{
  if (g_set_object ((GObject **) field, value))
    _passport_flow_notify (self, prop);
}

void
_passport_flow_set_error (PassportFlow *self,
                          const GError *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  _passport_flow_notify (self, PROP_ERROR);
}

void
_passport_flow_set_retry_after_seconds (PassportFlow *self,
                                        gint64        seconds)
{
  gint64 deadline = seconds > 0 ? g_get_monotonic_time () + seconds * G_USEC_PER_SEC : 0;

  if (self->retry_after == deadline)
    return;
  self->retry_after = deadline;
  g_clear_handle_id (&self->retry_after_timer, g_source_remove);
  if (seconds > 0)
    /* to the millisecond: g_timeout_add_seconds() may fire up to a second
     * early, and the server would refuse that early retry */
    self->retry_after_timer = g_timeout_add ((guint) MIN (seconds * 1000, G_MAXUINT), retry_after_passed_cb, self);
  _passport_flow_notify (self, PROP_RETRY_AFTER);
}

void
_passport_flow_set_keyring_unavailable (PassportFlow *self,
                                        gboolean      unavailable)
{
  if (self->keyring_unavailable == unavailable)
    return;
  self->keyring_unavailable = unavailable;
  _passport_flow_notify (self, PROP_KEYRING_UNAVAILABLE);
  /* Why it failed is worth knowing (locked? missing?). */
  if (unavailable)
    passport_flow_check_keyring (self);
}

/* Whether the session outlives this process: stored (not "continue without
 * keyring") and renewable (the server issued a refresh token). */
void
_passport_flow_update_session_remembered (PassportFlow *self)
{
  gboolean remembered = self->remember && self->session != NULL &&
                        passport_session_get_can_refresh (self->session);

  if (self->session_remembered == remembered)
    return;
  self->session_remembered = remembered;
  _passport_flow_notify (self, PROP_SESSION_REMEMBERED);
}

/* States -------------------------------------------------------------------- */

static void
watch_changed_cb (PassportAccountWatch *watch,
                  PassportFlow         *self)
{
  /* The watch updated our account in place: it decides the state. */
  _passport_flow_apply_account (self, self->account);
}

static void
watch_failed_cb (PassportAccountWatch *watch,
                 const GError         *error,
                 PassportFlow         *self)
{
  _passport_flow_fail (self, error);
}

static void
poke_watch (PassportFlow *self)
{
  if (self->watch != NULL)
    passport_account_watch_poke (self->watch);
  _passport_flow_action_done (self);
}

static void
watch_trouble_cb (PassportAccountWatch *watch,
                  const GError         *error,
                  PassportFlow         *self)
{
  /* The server went away while we wait for the link: said now (the window
   * shows it with Retry), and taken back the moment it answers again. */
  if (error != NULL && !self->action_busy)
    {
      _passport_flow_set_error (self, error);
      self->retry = poke_watch;
    }
  else if (error == NULL && self->error != NULL &&
           passport_error_get_severity (self->error) == PASSPORT_ERROR_SEVERITY_BLOCKING)
    _passport_flow_set_error (self, NULL);
}

static void
conflict_notify_cb (PassportConflict *conflict,
                    GParamSpec       *pspec,
                    PassportFlow     *self)
{
  if (g_str_equal (pspec->name, "step"))
    {
      _passport_flow_update_resend_countdown (self);
      _passport_flow_notify (self, PROP_CONFLICT_STEP);
    }
  else if (g_str_equal (pspec->name, "other-account"))
    _passport_flow_notify (self, PROP_OTHER_ACCOUNT);
}

static void
conflict_freed_cb (PassportConflict *conflict,
                   PassportFlow     *self)
{
  g_autofree char *email = g_strdup (self->bind_email);
  g_autoptr(PassportSecret) password = g_strdup (self->pending_password);

  /* Ours now: bind it with the password typed at the start. */
  if (email == NULL || password == NULL)
    _passport_flow_transition (self, PASSPORT_FLOW_STATE_NEEDS_EMAIL);
  else
    _passport_flow_bind_email (self, email, password);
}

static void
conflict_failed_cb (PassportConflict *conflict,
                    const GError     *error,
                    PassportFlow     *self)
{
  _passport_flow_fail (self, error);
}

static void
leave_state (PassportFlow      *self,
             PassportFlowState  state)
{
  switch (state)
    {
    case PASSPORT_FLOW_STATE_CONNECTING:
      _passport_flow_stop_reconnecting (self);
      break;

    case PASSPORT_FLOW_STATE_AWAITING_BROWSER:
      _passport_flow_drop_browser (self);
      break;

    case PASSPORT_FLOW_STATE_AWAITING_DEVICE:
      _passport_flow_set_object (self, &self->device, NULL, PROP_DEVICE_SIGN_IN);
      break;

    case PASSPORT_FLOW_STATE_NEEDS_CODE:
      /* The second step's token is good for this step only. */
      passport_secure_clear (&self->mfa_token);
      if (self->mfa_deadline != 0)
        {
          self->mfa_deadline = 0;
          _passport_flow_notify (self, PROP_MFA_DEADLINE);
        }
      break;

    case PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION:
      /* Stopped, not only dropped: its poll in flight holds a reference,
       * and a watch left running updates the shared account unheard, so
       * the next watch sees no change when the link is opened. */
      if (self->watch != NULL)
        {
          g_signal_handlers_disconnect_by_data (self->watch, self);
          passport_account_watch_stop (self->watch);
        }
      g_clear_object (&self->watch);
      /* The mail's resend wait goes with the mail: "retry-after" is one
       * value, and the password page would read it as its own throttling. */
      _passport_flow_set_retry_after_seconds (self, 0);
      break;

    case PASSPORT_FLOW_STATE_EMAIL_CONFLICT:
      _passport_flow_drop_browser (self);
      if (self->conflict != NULL)
        {
          g_signal_handlers_disconnect_by_data (self->conflict, self);
          passport_conflict_reset (self->conflict);
          g_clear_object (&self->conflict);
          _passport_flow_notify (self, PROP_CONFLICT);
          _passport_flow_notify (self, PROP_CONFLICT_STEP);
          _passport_flow_notify (self, PROP_OTHER_ACCOUNT);
        }
      /* Likewise the other account's resend wait. */
      _passport_flow_set_retry_after_seconds (self, 0);
      break;

    case PASSPORT_FLOW_STATE_NEEDS_SERVER:
    case PASSPORT_FLOW_STATE_SIGNED_OUT:
    case PASSPORT_FLOW_STATE_SIGNING_IN:
    case PASSPORT_FLOW_STATE_NEEDS_TERMS:
    case PASSPORT_FLOW_STATE_NEEDS_EMAIL:
    case PASSPORT_FLOW_STATE_SIGNED_IN:
    default:
      break;
    }
}

static void
enter_state (PassportFlow      *self,
             PassportFlowState  state)
{
  switch (state)
    {
    case PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION:
      if (self->client == NULL || self->account == NULL)
        break;
      self->watch = passport_account_watch_new (self->client, self->account);
      g_signal_connect (self->watch, "changed", G_CALLBACK (watch_changed_cb), self);
      g_signal_connect (self->watch, "failed", G_CALLBACK (watch_failed_cb), self);
      g_signal_connect (self->watch, "trouble", G_CALLBACK (watch_trouble_cb), self);
      passport_account_watch_start (self->watch);
      break;

    case PASSPORT_FLOW_STATE_EMAIL_CONFLICT:
      if (self->server == NULL || self->account == NULL || self->bind_email == NULL)
        break;
      self->conflict = passport_conflict_new (self->server, self->account, self->bind_email);
      g_signal_connect (self->conflict, "notify", G_CALLBACK (conflict_notify_cb), self);
      g_signal_connect (self->conflict, "freed", G_CALLBACK (conflict_freed_cb), self);
      g_signal_connect (self->conflict, "failed", G_CALLBACK (conflict_failed_cb), self);
      _passport_flow_notify (self, PROP_CONFLICT);
      break;

    case PASSPORT_FLOW_STATE_NEEDS_SERVER:
    case PASSPORT_FLOW_STATE_CONNECTING:
    case PASSPORT_FLOW_STATE_SIGNED_OUT:
    case PASSPORT_FLOW_STATE_AWAITING_BROWSER:
    case PASSPORT_FLOW_STATE_SIGNING_IN:
    case PASSPORT_FLOW_STATE_NEEDS_TERMS:
    case PASSPORT_FLOW_STATE_NEEDS_EMAIL:
    case PASSPORT_FLOW_STATE_SIGNED_IN:
    default:
      break;
    }
}

void
_passport_flow_transition (PassportFlow      *self,
                           PassportFlowState  state)
{
  if (self->state == state)
    return;
  leave_state (self, self->state);
  self->state = state;
  enter_state (self, state);
  _passport_flow_notify (self, PROP_STATE);
}

void
passport_flow_cancel (PassportFlow *self)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  _passport_flow_cancel_running (self);

  switch (self->state)
    {
    case PASSPORT_FLOW_STATE_CONNECTING:
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_NEEDS_SERVER);
      break;
    case PASSPORT_FLOW_STATE_AWAITING_BROWSER:
    case PASSPORT_FLOW_STATE_AWAITING_DEVICE:
    case PASSPORT_FLOW_STATE_SIGNING_IN:
    case PASSPORT_FLOW_STATE_NEEDS_CODE:
      _passport_flow_clear_session (self);
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      break;
    case PASSPORT_FLOW_STATE_EMAIL_CONFLICT:
      _passport_flow_drop_browser (self);
      if (self->conflict != NULL)
        passport_conflict_reset (self->conflict);
      break;
    case PASSPORT_FLOW_STATE_NEEDS_TERMS:
    case PASSPORT_FLOW_STATE_NEEDS_EMAIL:
    case PASSPORT_FLOW_STATE_SIGNED_IN:
      /* a sign-in again (a proof) that is given up */
      _passport_flow_drop_browser (self);
      break;
    case PASSPORT_FLOW_STATE_NEEDS_SERVER:
    case PASSPORT_FLOW_STATE_SIGNED_OUT:
    case PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION:
    default:
      break;
    }
}

/* Getters and settings -------------------------------------------------------- */

PassportFlowState passport_flow_get_state (PassportFlow *self) { return self->state; }
PassportConflict *passport_flow_get_conflict (PassportFlow *self) { return self->conflict; }
gboolean passport_flow_get_busy (PassportFlow *self) { return self->busy; }
const GError *passport_flow_get_error (PassportFlow *self) { return self->error; }
PassportServer *passport_flow_get_server (PassportFlow *self) { return self->server; }
const char *passport_flow_get_server_url (PassportFlow *self) { return self->server_url; }
PassportAccounts *passport_flow_get_accounts (PassportFlow *self) { return self->accounts; }

void
passport_flow_set_accounts (PassportFlow     *self,
                            PassportAccounts *accounts)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (accounts == NULL || PASSPORT_IS_ACCOUNTS (accounts));

  g_set_object (&self->accounts, accounts);
}

const char *passport_flow_get_account_id (PassportFlow *self) { return self->account_id != NULL && *self->account_id != '\0' ? self->account_id : NULL; }
PassportAccount *passport_flow_get_account (PassportFlow *self) { return self->account; }
PassportTerms *passport_flow_get_terms (PassportFlow *self) { return self->terms; }
const char *passport_flow_get_conflict_email (PassportFlow *self) { return self->bind_email; }
const char *passport_flow_get_browser_url (PassportFlow *self) { return self->browser_url; }
const char *passport_flow_get_browser_provider (PassportFlow *self) { return self->browser_provider; }
const GError *passport_flow_get_browser_launch_error (PassportFlow *self) { return self->browser_launch_error; }
gint64 passport_flow_get_browser_deadline (PassportFlow *self) { return self->browser_deadline; }
gint64 passport_flow_get_retry_after (PassportFlow *self) { return self->retry_after; }
gint64 passport_flow_get_mfa_deadline (PassportFlow *self) { return self->mfa_deadline; }
gboolean passport_flow_get_remember (PassportFlow *self) { return self->remember; }
gboolean passport_flow_get_session_remembered (PassportFlow *self) { return self->session_remembered; }
gboolean passport_flow_get_keyring_unavailable (PassportFlow *self) { return self->keyring_unavailable; }
const char *passport_flow_get_pending_password (PassportFlow *self) { return self->pending_password; }
PassportSession *passport_flow_get_session (PassportFlow *self) { return self->session; }
PassportClient *passport_flow_get_client (PassportFlow *self) { return self->client; }
PassportDeviceSignIn *passport_flow_get_device_sign_in (PassportFlow *self) { return self->device; }
const char *passport_flow_get_browser_command (PassportFlow *self) { return self->browser_command; }

PassportConflictStep
passport_flow_get_conflict_step (PassportFlow *self)
{
  return self->conflict != NULL ? passport_conflict_get_step (self->conflict) : PASSPORT_CONFLICT_STEP_NONE;
}

PassportAccount *
passport_flow_get_other_account (PassportFlow *self)
{
  return self->conflict != NULL ? passport_conflict_get_other_account (self->conflict) : NULL;
}

gboolean
passport_flow_get_other_needs_password (PassportFlow *self)
{
  return self->conflict != NULL && passport_conflict_get_other_needs_password (self->conflict);
}

void
passport_flow_set_browser_command (PassportFlow *self,
                                   const char   *command)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_free (self->browser_command);
  self->browser_command = g_strdup (command);
}

void
passport_flow_set_browser_timeout (PassportFlow *self,
                                   guint         seconds)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));
  self->browser_timeout = seconds;
}

/* GObject ------------------------------------------------------------------- */

PassportFlow *
passport_flow_new (PassportCredentialStore *store)
{
  PassportFlow *self;

  g_return_val_if_fail (PASSPORT_IS_CREDENTIAL_STORE (store), NULL);

  self = g_object_new (PASSPORT_TYPE_FLOW, NULL);
  self->store = g_object_ref (store);
  passport_flow_check_keyring (self);
  return self;
}

static void
passport_flow_dispose (GObject *object)
{
  PassportFlow *self = PASSPORT_FLOW (object);

  _passport_flow_cancel_running (self);
  leave_state (self, self->state);
  _passport_flow_stop_reconnecting (self);
  g_clear_handle_id (&self->retry_after_timer, g_source_remove);
  g_clear_object (&self->actions);
  _passport_flow_drop_browser (self);
  g_clear_object (&self->device);
  _passport_flow_clear_session (self);
  g_clear_object (&self->server);
  if (self->keyring_check != NULL)
    g_cancellable_cancel (self->keyring_check);
  g_clear_object (&self->keyring_check);
  g_clear_object (&self->store);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (passport_flow_parent_class)->dispose (object);
}

static void
passport_flow_finalize (GObject *object)
{
  PassportFlow *self = PASSPORT_FLOW (object);

  g_clear_error (&self->error);
  g_clear_error (&self->browser_launch_error);
  g_clear_pointer (&self->flush_tasks, g_ptr_array_unref);
  g_free (self->reset_email);
  g_free (self->server_url);
  g_free (self->account_id);
  g_free (self->bind_email);
  g_free (self->browser_url);
  g_free (self->browser_provider);
  g_free (self->browser_command);
  passport_secure_clear (&self->pending_password);
  passport_secure_clear (&self->mfa_token);

  G_OBJECT_CLASS (passport_flow_parent_class)->finalize (object);
}

static void
passport_flow_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PassportFlow *self = PASSPORT_FLOW (object);

  switch (prop_id)
    {
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_CONFLICT: g_value_set_object (value, self->conflict); break;
    case PROP_CONFLICT_STEP: g_value_set_enum (value, passport_flow_get_conflict_step (self)); break;
    case PROP_BUSY: g_value_set_boolean (value, self->busy); break;
    case PROP_ERROR: g_value_set_boxed (value, self->error); break;
    case PROP_SERVER: g_value_set_object (value, self->server); break;
    case PROP_SERVER_URL: g_value_set_string (value, self->server_url); break;
    case PROP_ACCOUNT_ID: g_value_set_string (value, passport_flow_get_account_id (self)); break;
    case PROP_ACCOUNT: g_value_set_object (value, self->account); break;
    case PROP_TERMS: g_value_set_object (value, self->terms); break;
    case PROP_CONFLICT_EMAIL: g_value_set_string (value, self->bind_email); break;
    case PROP_OTHER_ACCOUNT: g_value_set_object (value, passport_flow_get_other_account (self)); break;
    case PROP_BROWSER_URL: g_value_set_string (value, self->browser_url); break;
    case PROP_BROWSER_PROVIDER: g_value_set_string (value, self->browser_provider); break;
    case PROP_BROWSER_LAUNCH_ERROR: g_value_set_boxed (value, self->browser_launch_error); break;
    case PROP_BROWSER_DEADLINE: g_value_set_int64 (value, self->browser_deadline); break;
    case PROP_RETRY_AFTER: g_value_set_int64 (value, self->retry_after); break;
    case PROP_MFA_DEADLINE: g_value_set_int64 (value, self->mfa_deadline); break;
    case PROP_DEVICE_SIGN_IN: g_value_set_object (value, self->device); break;
    case PROP_REMEMBER: g_value_set_boolean (value, self->remember); break;
    case PROP_SESSION_REMEMBERED: g_value_set_boolean (value, self->session_remembered); break;
    case PROP_KEYRING_UNAVAILABLE: g_value_set_boolean (value, self->keyring_unavailable); break;
    case PROP_KEYRING_HEALTH: g_value_set_enum (value, self->keyring_health); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_flow_class_init (PassportFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = passport_flow_dispose;
  object_class->finalize = passport_flow_finalize;
  object_class->get_property = passport_flow_get_property;

  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, PASSPORT_TYPE_FLOW_STATE,
                                              PASSPORT_FLOW_STATE_NEEDS_SERVER, flags);
  properties[PROP_CONFLICT] = g_param_spec_object ("conflict", NULL, NULL, PASSPORT_TYPE_CONFLICT, flags);
  properties[PROP_CONFLICT_STEP] = g_param_spec_enum ("conflict-step", NULL, NULL, PASSPORT_TYPE_CONFLICT_STEP,
                                                      PASSPORT_CONFLICT_STEP_NONE, flags);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, flags);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, flags);
  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, PASSPORT_TYPE_SERVER, flags);
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL, flags);
  properties[PROP_ACCOUNT_ID] = g_param_spec_string ("account-id", NULL, NULL, NULL, flags);
  properties[PROP_ACCOUNT] = g_param_spec_object ("account", NULL, NULL, PASSPORT_TYPE_ACCOUNT, flags);
  properties[PROP_TERMS] = g_param_spec_object ("terms", NULL, NULL, PASSPORT_TYPE_TERMS, flags);
  properties[PROP_CONFLICT_EMAIL] = g_param_spec_string ("conflict-email", NULL, NULL, NULL, flags);
  properties[PROP_OTHER_ACCOUNT] = g_param_spec_object ("other-account", NULL, NULL, PASSPORT_TYPE_ACCOUNT, flags);
  properties[PROP_BROWSER_URL] = g_param_spec_string ("browser-url", NULL, NULL, NULL, flags);
  properties[PROP_BROWSER_PROVIDER] = g_param_spec_string ("browser-provider", NULL, NULL, NULL, flags);
  properties[PROP_BROWSER_LAUNCH_ERROR] = g_param_spec_boxed ("browser-launch-error", NULL, NULL, G_TYPE_ERROR, flags);
  properties[PROP_BROWSER_DEADLINE] = g_param_spec_int64 ("browser-deadline", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_RETRY_AFTER] = g_param_spec_int64 ("retry-after", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_MFA_DEADLINE] = g_param_spec_int64 ("mfa-deadline", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_DEVICE_SIGN_IN] =
    g_param_spec_object ("device-sign-in", NULL, NULL, PASSPORT_TYPE_DEVICE_SIGN_IN, flags);
  properties[PROP_REMEMBER] = g_param_spec_boolean ("remember", NULL, NULL, TRUE, flags);
  properties[PROP_SESSION_REMEMBERED] = g_param_spec_boolean ("session-remembered", NULL, NULL, FALSE, flags);
  properties[PROP_KEYRING_UNAVAILABLE] = g_param_spec_boolean ("keyring-unavailable", NULL, NULL, FALSE, flags);
  properties[PROP_KEYRING_HEALTH] = g_param_spec_enum ("keyring-health", NULL, NULL, PASSPORT_TYPE_KEYRING_HEALTH,
                                                       PASSPORT_KEYRING_AVAILABLE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  password_reset_sent_signal =
    g_signal_new ("password-reset-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
passport_flow_init (PassportFlow *self)
{
  self->state = PASSPORT_FLOW_STATE_NEEDS_SERVER;
  self->remember = TRUE;
  self->flush_tasks = g_ptr_array_new_with_free_func (g_object_unref);
}
