// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportFlow, continued: connecting to a server, signing in, restoring
// and storing the session, signing out. The account's state after a
// sign-in or a restart comes from GET /me, never from a local copy.
#include "config.h"

#include <glib/gi18n-lib.h>

#include "passport-error.h"
#include "passport-flow-private.h"
#include "passport-identity.h"
#include "passport-memory-store.h"
#include "passport-secure.h"

/* The account decides the state ------------------------------------------ */

static PassportFlowState
state_for_account (PassportAccount *account)
{
  if (!passport_account_get_terms_accepted (account))
    return PASSPORT_FLOW_STATE_NEEDS_TERMS;
  if (passport_account_get_pending_email (account) != NULL)
    return PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION;
  if (passport_account_get_email (account) == NULL)
    return PASSPORT_FLOW_STATE_NEEDS_EMAIL;
  return PASSPORT_FLOW_STATE_SIGNED_IN;
}

/* "retry-after" from the server's resend delay of the mail that waits:
 * ours, or the other account's while an address is freed (finding 17). */
void
_passport_flow_update_resend_countdown (PassportFlow *self)
{
  gboolean other = passport_flow_get_conflict_step (self) == PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION;
  PassportAccount *account = other ? passport_flow_get_other_account (self) : self->account;
  GDateTime *resend_after = account ? passport_account_get_pending_resend_after (account) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (resend_after != NULL && g_date_time_compare (resend_after, now) > 0)
    _passport_flow_set_retry_after_seconds (self, (g_date_time_difference (resend_after, now) + G_USEC_PER_SEC - 1)
                                                  / G_USEC_PER_SEC);
  else if (other || self->state == PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION)
    _passport_flow_set_retry_after_seconds (self, 0);
}

static void
terms_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportTerms) terms = passport_server_get_terms_finish (PASSPORT_SERVER (source), result, &error);

  if (terms == NULL)
    {
      _passport_flow_fail (self, error);
      return;
    }
  _passport_flow_set_object (self, &self->terms, terms, PROP_TERMS);
  _passport_flow_action_done (self);
}

void
_passport_flow_fetch_terms (PassportFlow *self)
{
  GCancellable *step = _passport_flow_begin_step (self, _passport_flow_fetch_terms);

  passport_server_get_terms_async (self->server, step, terms_cb, g_object_ref (self));
}

/* A stored session's account is in the list of accounts, as who it is. */
static void
note_account (PassportFlow    *self,
              PassportAccount *account)
{
  const char *account_id = passport_flow_get_account_id (self);

  if (self->accounts == NULL || !self->session_remembered || account_id == NULL)
    return;
  passport_accounts_remember (self->accounts, self->server_url, account_id,
                              passport_account_get_email (account),
                              passport_account_get_display_name (account), self->signed_in_here);
  self->signed_in_here = FALSE;
}

/* Takes @account as the current one and moves to its state. TRUE when that
 * state has more to load first (the agreement's text): the running action
 * goes on, and finishes when it is there. */
gboolean
_passport_flow_apply_account (PassportFlow    *self,
                              PassportAccount *account)
{
  PassportFlowState state;

  if (self->account == NULL)
    _passport_flow_set_object (self, &self->account, account, PROP_ACCOUNT);
  else if (self->account != account)
    passport_account_update (self->account, account);
  /* Who it is may have changed (an e-mail bound): the list follows. */
  note_account (self, self->account);

  if (state_for_account (self->account) == PASSPORT_FLOW_STATE_SIGNED_IN)
    {
      /* Bound and confirmed: what was typed to bind it is not needed now. */
      passport_secure_clear (&self->pending_password);
      _passport_flow_set_string (self, &self->bind_email, NULL, PROP_CONFLICT_EMAIL);
    }

  state = state_for_account (self->account);
  _passport_flow_transition (self, state);
  _passport_flow_update_resend_countdown (self);

  if (state == PASSPORT_FLOW_STATE_NEEDS_TERMS && self->terms == NULL)
    {
      _passport_flow_fetch_terms (self);
      return TRUE;
    }
  return FALSE;
}

static void load_account (PassportFlow *self);

static void
me_cb (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) account = NULL;

  if (passport_server_has_account_api (self->server))
    account = passport_client_get_me_finish (PASSPORT_CLIENT (source), result, &error);
  else
    account = passport_client_get_userinfo_finish (PASSPORT_CLIENT (source), result, &error);

  if (account == NULL)
    {
      _passport_flow_fail (self, error);
      if (self->state == PASSPORT_FLOW_STATE_SIGNING_IN && !_passport_flow_is_cancelled (error))
        /* Keep the session (it is stored); Retry fetches the account again. */
        self->retry = load_account;
      return;
    }

  if (!passport_server_has_account_api (self->server))
    {
      /* A plain OpenID provider: sign-in and the profile, nothing to manage. */
      _passport_flow_set_object (self, &self->account, account, PROP_ACCOUNT);
      note_account (self, account);
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_IN);
      _passport_flow_action_done (self);
      return;
    }
  if (!_passport_flow_apply_account (self, account))
    _passport_flow_action_done (self);
}

static void
load_account (PassportFlow *self)
{
  GCancellable *step = _passport_flow_begin_step (self, load_account);

  if (self->state != PASSPORT_FLOW_STATE_SIGNING_IN && self->account == NULL)
    _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNING_IN);

  if (passport_server_has_account_api (self->server))
    passport_client_get_me_async (self->client, 0, -1, step, me_cb, g_object_ref (self));
  else
    passport_client_get_userinfo_async (self->client, step, me_cb, g_object_ref (self));
}

/* The session and the store ------------------------------------------------ */

void
_passport_flow_complete_flushes (PassportFlow *self)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->flush_tasks);

  self->flush_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiting->len; i++)
    g_task_return_boolean (g_ptr_array_index (waiting, i), TRUE);
}

static void
save_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean saved = passport_credential_store_save_finish (PASSPORT_CREDENTIAL_STORE (source), result, &error);

  if (!saved && !_passport_flow_is_cancelled (error))
    {
      /* The session works, but cannot be remembered: the flag asks the
       * user. Not an action's error: the action itself did not fail. */
      g_debug ("cannot store the session: %s", error->message);
      _passport_flow_set_keyring_unavailable (self, TRUE);
    }

  self->pending_saves--;
  _passport_flow_update_busy (self);
  if (self->pending_saves == 0 && self->pending_forgets == 0)
    _passport_flow_complete_flushes (self);
}

static void
save_session (PassportFlow *self)
{
  g_autoptr(PassportSecret) serialized = NULL;

  if (self->session == NULL || self->server_url == NULL)
    return;
  serialized = passport_session_serialize (self->session);
  if (serialized == NULL)
    {
      /* Nothing that outlives this process (no refresh token): an older
       * session of this server must not come back in its place. */
      _passport_flow_forget_stored_session (self);
      return;
    }
  self->pending_saves++;
  _passport_flow_update_busy (self);
  passport_credential_store_save_async (self->store, self->server_url,
                                        passport_session_get_subject (self->session),
                                        serialized, NULL, save_cb, g_object_ref (self));
}

static void
tokens_changed_cb (PassportSession *session,
                   PassportFlow    *self)
{
  /* The old refresh token is retired at the server: store the new one now
   * (a shared session has stored it itself, under its lock). */
  if (!passport_session_get_shared (session))
    save_session (self);
}

static void
store_failed_cb (PassportSession *session,
                 const GError    *error,
                 PassportFlow    *self)
{
  g_debug ("cannot store the refreshed session: %s", error->message);
  _passport_flow_set_keyring_unavailable (self, TRUE);
}

/* @session becomes the flow's, with its client, its store and its signals. */
static void
attach_session (PassportFlow    *self,
                PassportSession *session)
{
  self->session = g_object_ref (session);
  self->client = passport_client_new (session);
  self->tokens_changed_id = g_signal_connect (session, "tokens-changed",
                                              G_CALLBACK (tokens_changed_cb), self);
  /* The app and passportctl use one keyring item: refreshes take turns. */
  passport_session_share (session, self->store, self->server_url);
  g_signal_connect_object (session, "store-failed", G_CALLBACK (store_failed_cb), self, 0);
  g_signal_connect_object (session, "notify::can-refresh",
                           G_CALLBACK (_passport_flow_update_session_remembered), self, G_CONNECT_SWAPPED);
  _passport_flow_update_session_remembered (self);
}

static void
detach_session (PassportFlow *self)
{
  if (self->session != NULL && self->tokens_changed_id != 0)
    g_clear_signal_handler (&self->tokens_changed_id, self->session);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->client);
  g_clear_object (&self->session);
}

/* The way a session enters the flow: a new sign-in (@save) or one restored
 * from the store; the account decides the state. (Signing in again swaps
 * the session of the same account without this.) */
void
_passport_flow_take_session (PassportFlow    *self,
                             PassportSession *session,
                             gboolean         save)
{
  _passport_flow_clear_session (self);
  _passport_flow_set_account_id (self, passport_session_get_subject (session));
  attach_session (self, session);
  /* A new sign-in makes its account the active one; a restored session
   * (a command run on a remembered account) does not. */
  self->signed_in_here = save;
  if (save)
    save_session (self);
  load_account (self);
}

void
_passport_flow_clear_session (PassportFlow *self)
{
  detach_session (self);
  _passport_flow_update_session_remembered (self);
  _passport_flow_set_object (self, &self->account, NULL, PROP_ACCOUNT);
  _passport_flow_set_object (self, &self->terms, NULL, PROP_TERMS);
  _passport_flow_set_string (self, &self->bind_email, NULL, PROP_CONFLICT_EMAIL);
  passport_secure_clear (&self->pending_password);
}

static void
forgot_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_credential_store_delete_finish (PASSPORT_CREDENTIAL_STORE (source), result, &error))
    g_debug ("cannot forget the stored session: %s", error->message);
  self->pending_forgets--;
  if (self->pending_saves == 0 && self->pending_forgets == 0)
    _passport_flow_complete_flushes (self);
}

/* Counted, so passport_flow_flush_async() (a process about to exit:
 * passportctl) waits until the keyring has really let it go. Not "busy":
 * nothing the user waits for. */
void
_passport_flow_forget_stored_session (PassportFlow *self)
{
  const char *account_id = passport_flow_get_account_id (self);

  /* Never "every account of the server": the others are not ours. */
  if (self->server_url == NULL || account_id == NULL)
    return;
  if (self->accounts != NULL)
    passport_accounts_mark_signed_out (self->accounts, self->server_url, account_id);
  self->pending_forgets++;
  passport_credential_store_delete_async (self->store, self->server_url, account_id, NULL,
                                          forgot_cb, g_object_ref (self));
}

void
_passport_flow_set_account_id (PassportFlow *self,
                               const char   *account_id)
{
  _passport_flow_set_string (self, &self->account_id, account_id, PROP_ACCOUNT_ID);
}

void
passport_flow_flush_async (PassportFlow        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_flow_flush_async);
  if (self->pending_saves == 0 && self->pending_forgets == 0)
    g_task_return_boolean (task, TRUE);
  else
    g_ptr_array_add (self->flush_tasks, g_steal_pointer (&task));
}

gboolean
passport_flow_flush_finish (PassportFlow  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_flush_async, error);
}

void
passport_flow_continue_without_keyring (PassportFlow *self)
{
  g_autoptr(PassportMemoryStore) memory = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  memory = passport_memory_store_new ();
  g_set_object (&self->store, PASSPORT_CREDENTIAL_STORE (memory));
  if (self->session != NULL)
    passport_session_share (self->session, self->store, self->server_url);
  if (self->remember)
    {
      self->remember = FALSE;
      _passport_flow_notify (self, PROP_REMEMBER);
      _passport_flow_update_session_remembered (self);
    }
  _passport_flow_set_keyring_unavailable (self, FALSE);
  passport_flow_check_keyring (self);
  save_session (self);
}

/* Connecting to a server, and restoring its session ------------------------- */

static void
restore_load_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *account_id = NULL;
  g_autoptr(PassportSecret) secret =
    passport_credential_store_load_finish (PASSPORT_CREDENTIAL_STORE (source), result, &account_id,
                                           &error);
  g_autoptr(PassportSession) session = NULL;

  if (_passport_flow_is_cancelled (error))
    return;
  if (account_id != NULL)
    _passport_flow_set_account_id (self, account_id);

  if (error != NULL)
    {
      /* No keyring (or a locked one): nothing to restore; the user can
       * still sign in, and is asked before anything is kept in memory only.
       * The server is connected: the action succeeded. */
      g_debug ("cannot read the keyring: %s", error->message);
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      _passport_flow_set_keyring_unavailable (self, TRUE);
      _passport_flow_action_done (self);
      return;
    }

  if (secret != NULL)
    {
      session = passport_session_new_from_serialized (self->server, secret, &error);
      if (session == NULL)
        {
          /* Unreadable or from another server: forget it. */
          g_debug ("stored session unusable: %s", error->message);
          _passport_flow_forget_stored_session (self);
        }
    }

  if (session == NULL)
    {
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      _passport_flow_action_done (self);
      return;
    }

  _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNING_IN);
  _passport_flow_take_session (self, session, FALSE);
}

static void retry_server (PassportFlow *self);
static void connect_server (PassportFlow *self, const char *url, const char *account_id);

#define RECONNECT_BACKOFF_MAX_SECONDS 60

void
_passport_flow_stop_reconnecting (PassportFlow *self)
{
  if (self->reconnect_source != NULL)
    {
      g_source_destroy (self->reconnect_source);
      g_clear_pointer (&self->reconnect_source, g_source_unref);
    }
  if (self->network_monitor != NULL)
    g_clear_signal_handler (&self->network_changed_id, self->network_monitor);
  g_clear_object (&self->network_monitor);
  self->reconnect_backoff = 0;
}

static gboolean
reconnect_cb (gpointer data)
{
  PassportFlow *self = data;

  g_clear_pointer (&self->reconnect_source, g_source_unref);
  if (self->state == PASSPORT_FLOW_STATE_CONNECTING && !self->action_busy)
    retry_server (self);
  return G_SOURCE_REMOVE;
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    PassportFlow    *self)
{
  /* Back on a network: try now rather than at the end of the wait. */
  if (available && self->reconnect_source != NULL)
    {
      g_source_destroy (self->reconnect_source);
      g_clear_pointer (&self->reconnect_source, g_source_unref);
      self->reconnect_backoff = 0;
      reconnect_cb (self);
    }
}

/* A server with a remembered session is down: stay with it (the page says
 * it cannot be reached, with Retry) and try again by itself, 2 s doubling
 * to a minute, or at once when the network comes back. */
static void
schedule_reconnect (PassportFlow *self)
{
  self->reconnect_backoff = self->reconnect_backoff == 0 ? 2 : MIN (self->reconnect_backoff * 2,
                                                                    RECONNECT_BACKOFF_MAX_SECONDS);
  if (self->reconnect_source != NULL)
    g_source_destroy (self->reconnect_source);
  g_clear_pointer (&self->reconnect_source, g_source_unref);
  self->reconnect_source = g_timeout_source_new_seconds (self->reconnect_backoff);
  g_source_set_callback (self->reconnect_source, reconnect_cb, self, NULL);
  g_source_attach (self->reconnect_source, g_main_context_get_thread_default ());
  if (self->network_monitor == NULL)
    {
      self->network_monitor = g_object_ref (g_network_monitor_get_default ());
      self->network_changed_id = g_signal_connect (self->network_monitor, "network-changed",
                                                   G_CALLBACK (network_changed_cb), self);
    }
}

typedef struct
{
  PassportFlow *self;
  GError *error;
} Unreachable;

static void
known_server_done (Unreachable *data,
                   gboolean     remembered)
{
  g_autoptr(PassportFlow) self = data->self;
  g_autoptr(GError) error = data->error;

  g_free (data);
  if (self->state != PASSPORT_FLOW_STATE_CONNECTING)
    return;
  if (!remembered)
    /* Never signed in there: the address may be wrong; ask again. */
    _passport_flow_transition (self, PASSPORT_FLOW_STATE_NEEDS_SERVER);
  else
    schedule_reconnect (self);
  _passport_flow_fail (self, error);
  self->retry = retry_server;
}

static void
known_server_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Unreachable *data = user_data;
  PassportFlow *self = data->self;
  g_autofree char *account_id = NULL;
  g_autoptr(PassportSecret) secret =
    passport_credential_store_load_finish (PASSPORT_CREDENTIAL_STORE (source), result, &account_id,
                                           NULL);

  if (account_id != NULL && self->state == PASSPORT_FLOW_STATE_CONNECTING)
    _passport_flow_set_account_id (self, account_id);
  known_server_done (data, secret != NULL);
}

static void
discover_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) server = passport_server_discover_finish (result, &error);

  if (server == NULL)
    {
      if (_passport_flow_is_cancelled (error))
        return;
      if (passport_error_get_severity (error) == PASSPORT_ERROR_SEVERITY_BLOCKING)
        {
          /* Down, not wrong: is it the server of a remembered session? */
          Unreachable *data = g_new0 (Unreachable, 1);

          data->self = g_object_ref (self);
          data->error = g_steal_pointer (&error);
          if (self->account_id != NULL && *self->account_id == '\0')
            {
              /* An account being added: the address may be wrong. */
              known_server_done (data, FALSE);
              return;
            }
          passport_credential_store_load_async (self->store, self->server_url, self->account_id,
                                                self->cancellable, known_server_cb, data);
          return;
        }
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_NEEDS_SERVER);
      _passport_flow_fail (self, error);
      self->retry = retry_server;
      return;
    }

  self->reconnect_backoff = 0;
  _passport_flow_set_object (self, &self->server, server, PROP_SERVER);
  if (self->account_id != NULL && *self->account_id == '\0')
    {
      /* Adding an account: nothing to restore. */
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      _passport_flow_action_done (self);
      return;
    }
  passport_credential_store_load_async (self->store, self->server_url, self->account_id,
                                        self->cancellable, restore_load_cb, g_object_ref (self));
}

static void
retry_server (PassportFlow *self)
{
  g_autofree char *url = g_strdup (self->server_url);
  g_autofree char *account_id = g_strdup (self->account_id);

  if (url != NULL)
    connect_server (self, url, account_id);
  else
    _passport_flow_action_done (self);
}

static void
connect_server (PassportFlow *self,
                const char   *url,
                const char   *account_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = passport_server_normalize_url (url, &error);
  GCancellable *step = _passport_flow_begin_step (self, retry_server);

  if (normalized == NULL)
    {
      _passport_flow_fail (self, error);
      return;
    }

  _passport_flow_clear_session (self);
  _passport_flow_set_account_id (self, account_id);
  _passport_flow_set_string (self, &self->server_url, normalized, PROP_SERVER_URL);
  _passport_flow_set_object (self, &self->server, NULL, PROP_SERVER);
  _passport_flow_transition (self, PASSPORT_FLOW_STATE_CONNECTING);
  passport_server_discover_async (self->server_url, step, discover_cb, g_object_ref (self));
}

void
passport_flow_set_server_url_async (PassportFlow        *self,
                                    const char          *url_in,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *url = g_strdup (url_in);

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (url_in != NULL);

  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_set_server_url_async);
  connect_server (self, url, NULL);
}

gboolean
passport_flow_set_server_url_finish (PassportFlow  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_set_server_url_async, error);
}

void
passport_flow_open_account_async (PassportFlow        *self,
                                  const char          *url_in,
                                  const char          *account_id_in,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autofree char *url = g_strdup (url_in);
  g_autofree char *account_id = g_strdup (account_id_in != NULL ? account_id_in : "");

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (url_in != NULL);

  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_open_account_async);
  connect_server (self, url, account_id);
}

gboolean
passport_flow_open_account_finish (PassportFlow  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_open_account_async, error);
}

void
passport_flow_change_server (PassportFlow *self)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (self->state != PASSPORT_FLOW_STATE_SIGNED_OUT &&
      self->state != PASSPORT_FLOW_STATE_CONNECTING &&
      self->state != PASSPORT_FLOW_STATE_NEEDS_SERVER)
    {
      g_debug ("change_server ignored in state %s", passport_flow_state_to_string (self->state));
      return;
    }
  _passport_flow_cancel_running (self);
  self->retry = NULL;
  _passport_flow_clear_session (self);
  _passport_flow_set_object (self, &self->server, NULL, PROP_SERVER);
  _passport_flow_transition (self, PASSPORT_FLOW_STATE_NEEDS_SERVER);
}

/* The browser of a sign-in -------------------------------------------------- */

static void
set_browser_launch_error (PassportFlow *self,
                          const GError *error)
{
  if (self->browser_launch_error == NULL && error == NULL)
    return;
  g_clear_error (&self->browser_launch_error);
  if (error != NULL)
    self->browser_launch_error = g_error_copy (error);
  _passport_flow_notify (self, PROP_BROWSER_LAUNCH_ERROR);
}

static void
set_browser_deadline (PassportFlow *self,
                      gint64        deadline)
{
  if (self->browser_deadline == deadline)
    return;
  self->browser_deadline = deadline;
  _passport_flow_notify (self, PROP_BROWSER_DEADLINE);
}

void
_passport_flow_drop_browser (PassportFlow *self)
{
  g_clear_object (&self->browser);
  set_browser_deadline (self, 0);
  _passport_flow_set_string (self, &self->browser_url, NULL, PROP_BROWSER_URL);
  set_browser_launch_error (self, NULL);
}

static void
browser_launch_error_cb (PassportBrowserSignIn *browser,
                         GParamSpec            *pspec,
                         PassportFlow          *self)
{
  /* Said at once: the sign-in goes on waiting for the link to be opened
   * by hand, which the page then asks for. */
  if (browser == self->browser)
    set_browser_launch_error (self, passport_browser_sign_in_get_launch_error (browser));
}

static void
browser_url_cb (PassportBrowserSignIn *browser,
                GParamSpec            *pspec,
                PassportFlow          *self)
{
  if (browser == self->browser)
    _passport_flow_set_string (self, &self->browser_url, passport_browser_sign_in_get_url (browser),
                               PROP_BROWSER_URL);
}

/* A browser sign-in, set up and kept as the flow's (its URL is the
 * "browser-url" property); the caller starts it. */
PassportBrowserSignIn *
_passport_flow_new_browser (PassportFlow *self,
                            const char   *provider_id,
                            const char   *login_hint)
{
  _passport_flow_drop_browser (self);
  self->browser = passport_browser_sign_in_new (self->server, provider_id, login_hint);
  if (self->browser_timeout > 0)
    passport_browser_sign_in_set_timeout_seconds (self->browser, self->browser_timeout);
  if (self->browser_command != NULL)
    passport_browser_sign_in_set_command (self->browser, self->browser_command);
  g_signal_connect_object (self->browser, "notify::url", G_CALLBACK (browser_url_cb), self, 0);
  g_signal_connect_object (self->browser, "notify::launch-error", G_CALLBACK (browser_launch_error_cb), self, 0);
  _passport_flow_set_string (self, &self->browser_provider, provider_id, PROP_BROWSER_PROVIDER);
  /* The caller starts it now, and its timeout runs from there. */
  set_browser_deadline (self, g_get_monotonic_time () +
                              (gint64) passport_browser_sign_in_get_timeout_seconds (self->browser) * G_USEC_PER_SEC);
  return self->browser;
}

/* Signing in ------------------------------------------------------------------ */

/* A session nobody keeps any more, revoked before the action ends (so a
 * process that exits then has sent it); offline, its tokens lapse on their
 * own. The action then ends with @outcome (NULL: done), unless it was
 * given up meanwhile. */
typedef struct
{
  PassportFlow *self;
  GCancellable *step;
  GError *outcome;
} Unkept;

static void
unkept_revoked_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Unkept *unkept = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_session_revoke_finish (PASSPORT_SESSION (source), result, &error))
    g_debug ("could not revoke a session given up: %s", error->message);
  if (!g_cancellable_is_cancelled (unkept->step))
    {
      if (unkept->outcome != NULL)
        _passport_flow_fail (unkept->self, unkept->outcome);
      else
        _passport_flow_action_done (unkept->self);
    }
  g_clear_error (&unkept->outcome);
  g_object_unref (unkept->step);
  g_object_unref (unkept->self);
  g_free (unkept);
}

static void
revoke_unkept (PassportFlow    *self,
               PassportSession *session,
               GError          *outcome)
{
  Unkept *unkept = g_new0 (Unkept, 1);

  unkept->self = g_object_ref (self);
  unkept->step = g_object_ref (self->cancellable);
  unkept->outcome = outcome;
  /* Its own tokens: a shared session would revoke what the store holds. */
  passport_session_share (session, NULL, NULL);
  passport_session_revoke_async (session, NULL, unkept_revoked_cb, unkept);
}

static void
again_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) fresh =
    passport_browser_sign_in_start_finish (PASSPORT_BROWSER_SIGN_IN (source), result, &error);
  g_autoptr(PassportSession) old = NULL;

  if (PASSPORT_BROWSER_SIGN_IN (source) != self->browser || _passport_flow_is_cancelled (error))
    return;
  _passport_flow_drop_browser (self);

  if (fresh == NULL)
    {
      _passport_flow_fail (self, error);
      return;
    }
  if (self->session == NULL ||
      g_strcmp0 (passport_session_get_subject (fresh), passport_flow_get_account_id (self)) != 0)
    {
      /* Not this account: its session is of no use here. */
      revoke_unkept (self, fresh, g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_OTHER_ACCOUNT,
                                                       passport_error_code_describe (PASSPORT_ERROR_OTHER_ACCOUNT)));
      return;
    }

  /* The fresh session takes the old one's place; the account, the state
   * and the pages stay. The store gets the new tokens, the old ones are
   * revoked (contract 4). */
  old = g_object_ref (self->session);
  detach_session (self);
  attach_session (self, fresh);
  save_session (self);
  revoke_unkept (self, old, NULL);
}

void
passport_flow_sign_in_again_async (PassportFlow        *self,
                                   const char          *provider_id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autofree char *provider = g_strdup (provider_id);
  PassportBrowserSignIn *browser;
  GCancellable *step;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (provider == NULL && self->account != NULL &&
      g_list_model_get_n_items (passport_account_get_identities (self->account)) > 0)
    {
      g_autoptr(PassportIdentity) first = g_list_model_get_item (passport_account_get_identities (self->account), 0);

      provider = g_strdup (passport_identity_get_provider (first));
    }
  /* Not while a step waits on the session's long poll (confirmation, the
   * conflict): those go on with the session they have. */
  if (self->session == NULL || self->account == NULL || provider == NULL ||
      !passport_server_has_account_api (self->server) ||
      (self->state != PASSPORT_FLOW_STATE_SIGNED_IN && self->state != PASSPORT_FLOW_STATE_NEEDS_TERMS &&
       self->state != PASSPORT_FLOW_STATE_NEEDS_EMAIL))
    {
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_sign_in_again_async,
                                    "sign_in_again");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_sign_in_again_async);
  step = _passport_flow_begin_step (self, NULL);
  browser = _passport_flow_new_browser (self, provider, passport_account_get_email (self->account));
  /* OpenID Connect max_age=0: the user signs in again whatever the
   * browser remembers, and the id_token shows when. */
  passport_browser_sign_in_set_max_age (browser, 0);
  passport_browser_sign_in_start_async (browser, step, again_cb, g_object_ref (self));
}

gboolean
passport_flow_sign_in_again_finish (PassportFlow  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_sign_in_again_async, error);
}

static void
browser_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session =
    passport_browser_sign_in_start_finish (PASSPORT_BROWSER_SIGN_IN (source), result, &error);

  if (PASSPORT_BROWSER_SIGN_IN (source) != self->browser || _passport_flow_is_cancelled (error))
    return;

  if (session == NULL)
    {
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      _passport_flow_fail (self, error);
      return;
    }
  _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNING_IN);
  _passport_flow_take_session (self, session, TRUE);
}

void
passport_flow_sign_in_with_provider_async (PassportFlow        *self,
                                           const char          *provider_in,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autofree char *provider_id = g_strdup (provider_in);
  PassportBrowserSignIn *browser;
  GCancellable *step;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  /* A plain OpenID provider has one sign-in page of its own: no network
   * to choose, so @provider_in may be NULL there. */
  if ((self->state != PASSPORT_FLOW_STATE_SIGNED_OUT &&
       self->state != PASSPORT_FLOW_STATE_AWAITING_BROWSER) ||
      (provider_in == NULL && passport_server_has_account_api (self->server)))
    {
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_sign_in_with_provider_async,
                                    "sign_in_with_provider");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_sign_in_with_provider_async);
  step = _passport_flow_begin_step (self, NULL);
  browser = _passport_flow_new_browser (self, provider_id, NULL);
  passport_browser_sign_in_start_async (browser, step, browser_cb, g_object_ref (self));
  _passport_flow_transition (self, PASSPORT_FLOW_STATE_AWAITING_BROWSER);
}

gboolean
passport_flow_sign_in_with_provider_finish (PassportFlow  *self,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_sign_in_with_provider_async, error);
}

/* Sign-in with another device (contract 11) ----------------------------------- */

static void
device_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session =
    passport_device_sign_in_start_finish (PASSPORT_DEVICE_SIGN_IN (source), result, &error);

  if (PASSPORT_DEVICE_SIGN_IN (source) != self->device || _passport_flow_is_cancelled (error))
    return;

  if (session == NULL)
    {
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      _passport_flow_fail (self, error);
      return;
    }
  _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNING_IN);
  _passport_flow_take_session (self, session, TRUE);
}

void
passport_flow_sign_in_with_device_async (PassportFlow        *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(PassportDeviceSignIn) device = NULL;
  GCancellable *step;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if ((self->state != PASSPORT_FLOW_STATE_SIGNED_OUT &&
       self->state != PASSPORT_FLOW_STATE_AWAITING_BROWSER) ||
      self->server == NULL)
    {
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_sign_in_with_device_async,
                                    "sign_in_with_device");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data,
                               passport_flow_sign_in_with_device_async);
  /* From the browser's wait: that sign-in ends here. */
  if (self->state == PASSPORT_FLOW_STATE_AWAITING_BROWSER)
    _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
  step = _passport_flow_begin_step (self, NULL);
  device = passport_device_sign_in_new (self->server);
  _passport_flow_set_object (self, &self->device, device, PROP_DEVICE_SIGN_IN);
  passport_device_sign_in_start_async (device, step, device_cb, g_object_ref (self));
  _passport_flow_transition (self, PASSPORT_FLOW_STATE_AWAITING_DEVICE);
}

gboolean
passport_flow_sign_in_with_device_finish (PassportFlow  *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_sign_in_with_device_async, error);
}

void
passport_flow_reopen_browser (PassportFlow *self)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  /* The outcome is the browser's launch-error, which the flow follows. */
  if (self->browser != NULL)
    passport_browser_sign_in_open_browser (self->browser);
}

static void
password_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = passport_session_sign_in_with_password_finish (result, &error);

  if (session == NULL)
    {
      if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_MFA_REQUIRED) &&
          passport_error_get_mfa_token (error) != NULL)
        {
          guint expires_in = passport_error_get_mfa_expires_in (error);

          /* The password was right: the second step. The token stays here
           * and is never logged; the action ends with MFA_REQUIRED, which
           * is a step, not a failure to show. */
          passport_secure_clear (&self->mfa_token);
          self->mfa_token = g_strdup (passport_error_get_mfa_token (error));
          self->mfa_deadline = g_get_monotonic_time () +
                               (gint64) (expires_in > 0 ? expires_in : 300) * G_USEC_PER_SEC;
          _passport_flow_transition (self, PASSPORT_FLOW_STATE_NEEDS_CODE);
          _passport_flow_notify (self, PROP_MFA_DEADLINE);
          _passport_flow_set_error (self, NULL);
          _passport_flow_action_ended (self, error);
          return;
        }
      if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_MFA_REQUIRED))
        {
          /* mfa_required without its token: nothing to go on with. */
          g_clear_error (&error);
          error = g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                                       passport_error_code_describe (PASSPORT_ERROR_BAD_RESPONSE));
        }
      if (!_passport_flow_is_cancelled (error))
        _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_GRANT))
        {
          /* The password grant's invalid_grant can mean only this. */
          g_clear_error (&error);
          error = passport_error_new_for_user (PASSPORT_ERROR_INVALID_GRANT,
                                               _("The e-mail or password is wrong."));
        }
      _passport_flow_fail (self, error);
      return;
    }
  _passport_flow_take_session (self, session, TRUE);
}

void
passport_flow_sign_in_with_password_async (PassportFlow        *self,
                                           const char          *email_in,
                                           const char          *password_in,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  GCancellable *step;
  g_autofree char *email = NULL;
  g_autoptr(PassportSecret) password = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (email_in != NULL && password_in != NULL);

  /* Copies first: a notify below may make the UI clear the fields the
   * arguments point into. */
  email = g_strdup (email_in);
  password = g_strdup (password_in);

  if (self->state != PASSPORT_FLOW_STATE_SIGNED_OUT)
    {
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_sign_in_with_password_async,
                                    "sign_in_with_password");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_sign_in_with_password_async);
  step = _passport_flow_begin_step (self, NULL);
  _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNING_IN);
  passport_session_sign_in_with_password_async (self->server, email, password, step,
                                                password_cb, g_object_ref (self));
}

gboolean
passport_flow_sign_in_with_password_finish (PassportFlow  *self,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_sign_in_with_password_async, error);
}

static void
code_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = passport_session_sign_in_with_password_finish (result, &error);

  if (session != NULL)
    {
      /* Used up at the server: leaving NEEDS_CODE wipes it. */
      _passport_flow_take_session (self, session, TRUE);
      return;
    }

  if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_GRANT))
    {
      /* The otp grant's invalid_grant: a wrong or used code; the step stays. */
      g_clear_error (&error);
      error = passport_error_new_for_user (PASSPORT_ERROR_INVALID_GRANT,
                                           _("That code is wrong or was already used. Try again."));
    }
  else if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_EXPIRED_TOKEN) ||
           g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_REQUEST))
    /* The step is over: start again from the password. */
    _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
  _passport_flow_fail (self, error);
}

void
passport_flow_submit_code_async (PassportFlow        *self,
                                 const char          *code_in,
                                 gboolean             is_recovery,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GCancellable *step;
  g_autoptr(PassportSecret) code = NULL;
  g_autoptr(PassportSecret) mfa_token = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (code_in != NULL);

  /* "123 456" as the authenticator app shows it; a recovery code is taken
   * with its spaces and dashes by the server (contract 8.1). */
  code = is_recovery ? g_strdup (code_in) : passport_otp_code_normalize (code_in);

  if (self->state != PASSPORT_FLOW_STATE_NEEDS_CODE || self->mfa_token == NULL)
    {
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_submit_code_async,
                                    "submit_code");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_submit_code_async);
  step = _passport_flow_begin_step (self, NULL);
  /* The step stays while the code is checked ("busy" says so), so a wrong
   * code leaves it as it was. */
  mfa_token = g_strdup (self->mfa_token);
  passport_session_sign_in_with_otp_async (self->server, mfa_token, code, is_recovery, step,
                                           code_cb, g_object_ref (self));
}

gboolean
passport_flow_submit_code_finish (PassportFlow  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_submit_code_async, error);
}

/* Signing out ------------------------------------------------------------------ */

static void
sign_out_deleted_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_credential_store_delete_finish (PASSPORT_CREDENTIAL_STORE (source), result, &error) &&
      !_passport_flow_is_cancelled (error))
    g_debug ("could not delete the stored session: %s", error->message);

  _passport_flow_clear_session (self);
  _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
  _passport_flow_action_done (self);
}

/* Only the account signed out: the server's other accounts stay. */
static void
delete_stored_account (PassportFlow *self)
{
  const char *account_id = passport_flow_get_account_id (self);

  if (account_id == NULL)
    {
      _passport_flow_clear_session (self);
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      _passport_flow_action_done (self);
      return;
    }
  if (self->accounts != NULL)
    passport_accounts_mark_signed_out (self->accounts, self->server_url, account_id);
  passport_credential_store_delete_async (self->store, self->server_url, account_id, NULL,
                                          sign_out_deleted_cb, g_object_ref (self));
}

static void
sign_out_flushed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;

  passport_flow_flush_finish (self, result, NULL);
  delete_stored_account (self);
}

static void
sign_out_revoked_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Offline: the item is deleted anyway; the token expires on its own. */
  if (!passport_session_revoke_finish (PASSPORT_SESSION (source), result, &error))
    g_debug ("could not revoke the session: %s", error->message);

  /* A save still in flight would bring the item back after the delete. */
  passport_flow_flush_async (self, NULL, sign_out_flushed_cb, g_object_ref (self));
}

void
passport_flow_sign_out_async (PassportFlow        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_sign_out_async);
  _passport_flow_begin_step (self, NULL);
  if (self->watch != NULL)
    passport_account_watch_stop (self->watch);
  if (self->state == PASSPORT_FLOW_STATE_EMAIL_CONFLICT && self->conflict != NULL)
    passport_conflict_reset (self->conflict);
  if (self->session != NULL)
    passport_session_revoke_async (self->session, NULL, sign_out_revoked_cb, g_object_ref (self));
  else if (self->server_url != NULL)
    delete_stored_account (self);
  else
    {
      _passport_flow_clear_session (self);
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_NEEDS_SERVER);
      _passport_flow_action_done (self);
    }
}

gboolean
passport_flow_sign_out_finish (PassportFlow  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_sign_out_async, error);
}
