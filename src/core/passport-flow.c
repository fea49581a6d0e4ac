// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportFlow: the state machine of architecture.md. Every step is one
// async call on the client, the session or the store; the outcome moves the
// state and the properties the UI binds to. The account's state after a
// sign-in or a restart comes from GET /me, never from a local copy.
#include "config.h"

#include <glib/gi18n-lib.h>

#include "passport-browser-sign-in.h"
#include "passport-client.h"
#include "passport-error.h"
#include "passport-flow.h"
#include "passport-memory-store.h"
#include "passport-secure.h"
#include "passport-session.h"

#define LONG_POLL_SECONDS 50
#define POLL_BACKOFF_MAX_SECONDS 60

typedef void (*RetryFunc) (PassportFlow *self);

struct _PassportFlow
{
  GObject parent_instance;

  PassportCredentialStore *store;
  PassportFlowState state;
  PassportConflictStep conflict_step;
  gboolean busy;          /* action_busy or a save in flight */
  gboolean action_busy;
  guint pending_saves;
  GError *error;

  char *server_url;
  PassportServer *server;
  PassportSession *session;
  PassportClient *client;
  PassportAccount *account;
  PassportTerms *terms;
  gulong tokens_changed_id;

  /* The account that holds the address we want (freeing it). Never stored. */
  char *conflict_email;
  PassportSession *other_session;
  PassportClient *other_client;
  PassportAccount *other_account;
  char *other_password;
  char *other_new_email;

  PassportBrowserSignIn *browser;
  char *browser_url;
  char *browser_provider;
  char *browser_command;
  guint browser_timeout;

  gint64 retry_after;
  gboolean remember;
  gboolean keyring_unavailable;
  char *pending_password;

  GCancellable *cancellable;      /* the running step of the action */
  GTask *task;                    /* the running public action, finished by action_done()/fail() */
  GCancellable *caller_cancellable;
  gulong caller_cancelled_id;
  GPtrArray *flush_tasks;         /* passport_flow_flush_async() callers waiting for saves */
  GCancellable *poll_cancellable; /* the long poll of this or the other account */
  guint poll_backoff;
  GSource *poll_retry_source;
  RetryFunc retry;
};

G_DEFINE_FINAL_TYPE (PassportFlow, passport_flow, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_CONFLICT_STEP,
  PROP_BUSY,
  PROP_ERROR,
  PROP_SERVER,
  PROP_ACCOUNT,
  PROP_TERMS,
  PROP_CONFLICT_EMAIL,
  PROP_OTHER_ACCOUNT,
  PROP_BROWSER_URL,
  PROP_BROWSER_PROVIDER,
  PROP_RETRY_AFTER,
  PROP_REMEMBER,
  PROP_KEYRING_UNAVAILABLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_poll (PassportFlow *self);
static void load_account (PassportFlow *self);
static void do_bind_email (PassportFlow *self, const char *email, const char *password);
static void other_session_ready (PassportFlow *self, PassportSession *other);

/* Enums ------------------------------------------------------------------- */

GType
passport_flow_state_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { PASSPORT_FLOW_STATE_NEEDS_SERVER, "PASSPORT_FLOW_STATE_NEEDS_SERVER", "needs-server" },
    { PASSPORT_FLOW_STATE_CONNECTING, "PASSPORT_FLOW_STATE_CONNECTING", "connecting" },
    { PASSPORT_FLOW_STATE_SIGNED_OUT, "PASSPORT_FLOW_STATE_SIGNED_OUT", "signed-out" },
    { PASSPORT_FLOW_STATE_AWAITING_BROWSER, "PASSPORT_FLOW_STATE_AWAITING_BROWSER", "awaiting-browser" },
    { PASSPORT_FLOW_STATE_SIGNING_IN, "PASSPORT_FLOW_STATE_SIGNING_IN", "signing-in" },
    { PASSPORT_FLOW_STATE_NEEDS_TERMS, "PASSPORT_FLOW_STATE_NEEDS_TERMS", "needs-terms" },
    { PASSPORT_FLOW_STATE_NEEDS_EMAIL, "PASSPORT_FLOW_STATE_NEEDS_EMAIL", "needs-email" },
    { PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, "PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION", "awaiting-confirmation" },
    { PASSPORT_FLOW_STATE_EMAIL_CONFLICT, "PASSPORT_FLOW_STATE_EMAIL_CONFLICT", "email-conflict" },
    { PASSPORT_FLOW_STATE_SIGNED_IN, "PASSPORT_FLOW_STATE_SIGNED_IN", "signed-in" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("PassportFlowState", values));
  return type;
}

GType
passport_conflict_step_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    { PASSPORT_CONFLICT_STEP_NONE, "PASSPORT_CONFLICT_STEP_NONE", "none" },
    { PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN, "PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN", "other-sign-in" },
    { PASSPORT_CONFLICT_STEP_OTHER_SIGNING_IN, "PASSPORT_CONFLICT_STEP_OTHER_SIGNING_IN", "other-signing-in" },
    { PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL, "PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL", "other-new-email" },
    { PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION, "PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION", "other-awaiting-confirmation" },
    { PASSPORT_CONFLICT_STEP_FREED, "PASSPORT_CONFLICT_STEP_FREED", "freed" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("PassportConflictStep", values));
  return type;
}

const char *
passport_flow_state_to_string (PassportFlowState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PASSPORT_TYPE_FLOW_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  return value != NULL ? value->value_nick : "unknown";
}

/* Property plumbing --------------------------------------------------------- */

static void
notify (PassportFlow *self,
        guint         prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
update_busy (PassportFlow *self)
{
  gboolean busy = self->action_busy || self->pending_saves > 0;

  if (self->busy == busy)
    return;
  self->busy = busy;
  notify (self, PROP_BUSY);
}

/* Busy covers the running action and any keyring write still in flight, so
 * a caller that waits for !busy (passportctl exiting) never loses a rotated
 * refresh token. */
static void
set_busy (PassportFlow *self,
          gboolean      busy)
{
  self->action_busy = busy;
  update_busy (self);
}

static void
set_string (PassportFlow *self,
            char        **field,
            const char   *value,
            guint         prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  notify (self, prop);
}

static void
set_object (PassportFlow *self,
            gpointer      field,
            gpointer      value,
            guint         prop)
{
  if (g_set_object ((GObject **) field, value))
    notify (self, prop);
}

static void
set_error (PassportFlow *self,
           const GError *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  notify (self, PROP_ERROR);
}

static void
set_retry_after_seconds (PassportFlow *self,
                         gint64        seconds)
{
  gint64 deadline = seconds > 0 ? g_get_monotonic_time () + seconds * G_USEC_PER_SEC : 0;

  if (self->retry_after == deadline)
    return;
  self->retry_after = deadline;
  notify (self, PROP_RETRY_AFTER);
}

static void
set_conflict_step (PassportFlow         *self,
                   PassportConflictStep  step)
{
  if (self->conflict_step == step)
    return;
  self->conflict_step = step;
  notify (self, PROP_CONFLICT_STEP);
}

static void
stop_poll (PassportFlow *self)
{
  g_cancellable_cancel (self->poll_cancellable);
  g_clear_object (&self->poll_cancellable);
  if (self->poll_retry_source != NULL)
    {
      g_source_destroy (self->poll_retry_source);
      g_clear_pointer (&self->poll_retry_source, g_source_unref);
    }
  self->poll_backoff = 0;
}

static void
drop_other_session (PassportFlow *self,
                    gboolean      revoke)
{
  if (self->other_session != NULL && revoke)
    /* The second session was only for freeing the address; do not leave
     * its tokens valid at the server. Nothing waits for the answer. */
    passport_session_revoke_async (self->other_session, NULL, NULL, NULL);
  g_clear_object (&self->other_client);
  g_clear_object (&self->other_session);
  set_object (self, &self->other_account, NULL, PROP_OTHER_ACCOUNT);
  passport_secure_clear (&self->other_password);
  g_clear_pointer (&self->other_new_email, g_free);
}

static void
set_state (PassportFlow      *self,
           PassportFlowState  state)
{
  /* The browser sign-in belongs to AWAITING_BROWSER, or to the conflict
   * when the other account signs in with its social network. */
  if (state != PASSPORT_FLOW_STATE_AWAITING_BROWSER && state != PASSPORT_FLOW_STATE_EMAIL_CONFLICT)
    {
      g_clear_object (&self->browser);
      set_string (self, &self->browser_url, NULL, PROP_BROWSER_URL);
    }

  if (state != PASSPORT_FLOW_STATE_EMAIL_CONFLICT)
    {
      drop_other_session (self, TRUE);
      set_conflict_step (self, PASSPORT_CONFLICT_STEP_NONE);
    }

  if (self->state == state)
    return;

  stop_poll (self);
  self->state = state;
  notify (self, PROP_STATE);

  if (state == PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION)
    start_poll (self);
}

/* The action's outcome goes to whoever started it. The task is dropped
 * before it returns, so a callback that starts the next action finds none. */
static void
complete_action (PassportFlow *self,
                 const GError *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (self->caller_cancellable != NULL)
    {
      g_clear_signal_handler (&self->caller_cancelled_id, self->caller_cancellable);
      g_clear_object (&self->caller_cancellable);
    }
  if (task == NULL)
    return;
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     PassportFlow *self)
{
  passport_flow_cancel (self);
}

/* A public action starts: it owns the flow until it finishes; one still
 * running ends as cancelled. */
static void
start_action (PassportFlow        *self,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (self->task != NULL)
    {
      g_autoptr(GError) superseded = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                          "Another action started");
      complete_action (self, superseded);
    }
  self->task = task;
  if (cancellable != NULL)
    {
      self->caller_cancellable = g_object_ref (cancellable);
      self->caller_cancelled_id = g_signal_connect (cancellable, "cancelled",
                                                    G_CALLBACK (caller_cancelled_cb), self);
    }
}

/* An action that does not fit the state: nothing changes, the caller is told. */
static void
refuse_action (PassportFlow        *self,
               GAsyncReadyCallback  callback,
               gpointer             user_data,
               gpointer             source_tag,
               const char          *name)
{
  g_debug ("%s refused in state %s", name, passport_flow_state_to_string (self->state));
  g_task_report_new_error (self, callback, user_data, source_tag,
                           PASSPORT_ERROR, PASSPORT_ERROR_ACTION_UNAVAILABLE, "%s",
                           passport_error_code_describe (PASSPORT_ERROR_ACTION_UNAVAILABLE));
}

static gboolean
finish_action (PassportFlow  *self,
               GAsyncResult  *result,
               gpointer       source_tag,
               GError       **error)
{
  g_return_val_if_fail (PASSPORT_IS_FLOW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The action reached its outcome; the properties have moved already. */
static void
action_done (PassportFlow *self)
{
  set_busy (self, FALSE);
  complete_action (self, NULL);
}

/* The action ended with @error as its answer, which is not shown as a
 * failure (a conflict is a step of its own). */
static void
action_ended (PassportFlow *self,
              const GError *error)
{
  set_busy (self, FALSE);
  complete_action (self, error);
}

/* A fresh cancellable for the next step of an action; the previous one is
 * cancelled. */
static GCancellable *
begin_action (PassportFlow *self,
              RetryFunc     retry)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->retry = retry;
  set_error (self, NULL);
  set_busy (self, TRUE);
  return self->cancellable;
}

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
clear_session (PassportFlow *self)
{
  if (self->session != NULL && self->tokens_changed_id != 0)
    g_clear_signal_handler (&self->tokens_changed_id, self->session);
  g_clear_object (&self->client);
  g_clear_object (&self->session);
  set_object (self, &self->account, NULL, PROP_ACCOUNT);
  set_object (self, &self->terms, NULL, PROP_TERMS);
  set_string (self, &self->conflict_email, NULL, PROP_CONFLICT_EMAIL);
  passport_secure_clear (&self->pending_password);
}

static void
forget_stored_session (PassportFlow *self)
{
  if (self->server_url != NULL)
    passport_credential_store_delete_async (self->store, self->server_url, NULL, NULL, NULL);
}

/* An action failed: keep the state (the page shows the error and a way
 * forward), except when the session is gone for good. */
static void
fail (PassportFlow *self,
      const GError *error)
{
  /* Whoever cancelled has told the caller, and set busy for what follows. */
  if (is_cancelled (error))
    return;

  if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED))
    {
      forget_stored_session (self);
      clear_session (self);
      set_state (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
    }

  if (error->domain == PASSPORT_ERROR && passport_error_get_retry_after (error) > 0)
    set_retry_after_seconds (self, passport_error_get_retry_after (error));

  /* The error first: whoever sees busy fall must see how it ended. */
  set_error (self, error);
  action_ended (self, error);
}

/* The account decides the state. */
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

static void
update_resend_countdown (PassportFlow *self)
{
  GDateTime *resend_after = self->account ? passport_account_get_pending_resend_after (self->account) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  if (resend_after != NULL && g_date_time_compare (resend_after, now) > 0)
    set_retry_after_seconds (self, (g_date_time_difference (resend_after, now) + G_USEC_PER_SEC - 1)
                                   / G_USEC_PER_SEC);
  else if (self->state == PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION)
    set_retry_after_seconds (self, 0);
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
      fail (self, error);
      return;
    }
  set_object (self, &self->terms, terms, PROP_TERMS);
  action_done (self);
}

static void
fetch_terms (PassportFlow *self)
{
  GCancellable *cancellable = begin_action (self, fetch_terms);

  passport_server_get_terms_async (self->server, cancellable, terms_cb, g_object_ref (self));
}

/* Takes @account as the current one and moves to its state. TRUE when that
 * state has more to load first (the agreement's text): the running action
 * goes on, and finishes when it is there. */
static gboolean
apply_account (PassportFlow    *self,
               PassportAccount *account)
{
  PassportFlowState state;

  if (self->account == NULL)
    set_object (self, &self->account, account, PROP_ACCOUNT);
  else if (self->account != account)
    passport_account_update (self->account, account);

  state = state_for_account (self->account);
  set_state (self, state);
  update_resend_countdown (self);

  if (state == PASSPORT_FLOW_STATE_NEEDS_TERMS && self->terms == NULL)
    {
      fetch_terms (self);
      return TRUE;
    }
  return FALSE;
}

/* Long poll while something waits for a mail link ------------------------- */

static void poll_once (PassportFlow *self);

static gboolean
poll_retry_cb (gpointer data)
{
  PassportFlow *self = data;

  g_clear_pointer (&self->poll_retry_source, g_source_unref);
  poll_once (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_poll_retry (PassportFlow *self)
{
  self->poll_backoff = self->poll_backoff == 0 ? 2 : MIN (self->poll_backoff * 2, POLL_BACKOFF_MAX_SECONDS);
  self->poll_retry_source = g_timeout_source_new_seconds (self->poll_backoff);
  g_source_set_callback (self->poll_retry_source, poll_retry_cb, self, NULL);
  g_source_attach (self->poll_retry_source, g_main_context_get_thread_default ());
}

static void bind_freed_address (PassportFlow *self);

static void
other_poll_result (PassportFlow    *self,
                   PassportAccount *next)
{
  const char *email;

  passport_account_update (self->other_account, next);
  email = passport_account_get_email (self->other_account);

  if (passport_account_get_pending_email (self->other_account) != NULL)
    {
      poll_once (self);
      return;
    }

  if (email != NULL && g_ascii_strcasecmp (email, self->conflict_email) != 0)
    {
      /* The other account confirmed its new address: ours is free. */
      set_conflict_step (self, PASSPORT_CONFLICT_STEP_FREED);
      bind_freed_address (self);
    }
  else
    /* The pending change was cancelled or the link failed. */
    set_conflict_step (self, PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL);
}

static void
poll_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) next = passport_client_get_me_finish (PASSPORT_CLIENT (source), result, &error);

  if (next == NULL)
    {
      if (is_cancelled (error))
        return;
      if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED) &&
          PASSPORT_CLIENT (source) == self->client)
        {
          fail (self, error);
          return;
        }
      /* Offline or a server hiccup: keep waiting, with backoff. */
      g_debug ("long poll failed (%s); retrying", error->message);
      schedule_poll_retry (self);
      return;
    }
  self->poll_backoff = 0;

  if (PASSPORT_CLIENT (source) == self->other_client)
    {
      other_poll_result (self, next);
      return;
    }
  if (PASSPORT_CLIENT (source) != self->client)
    return;

  apply_account (self, next);
  if (self->state == PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION && self->poll_cancellable != NULL)
    poll_once (self);
}

static void
poll_once (PassportFlow *self)
{
  PassportClient *client;
  PassportAccount *account;

  if (self->state == PASSPORT_FLOW_STATE_EMAIL_CONFLICT &&
      self->conflict_step == PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION)
    {
      client = self->other_client;
      account = self->other_account;
    }
  else if (self->state == PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION)
    {
      client = self->client;
      account = self->account;
    }
  else
    return;

  if (client == NULL || account == NULL)
    return;
  if (self->poll_cancellable == NULL)
    self->poll_cancellable = g_cancellable_new ();

  passport_client_get_me_async (client, LONG_POLL_SECONDS, passport_account_get_revision (account),
                                self->poll_cancellable, poll_cb, g_object_ref (self));
}

static void
start_poll (PassportFlow *self)
{
  stop_poll (self);
  poll_once (self);
}

/* Signing in and restoring -------------------------------------------------- */

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
      fail (self, error);
      if (self->state == PASSPORT_FLOW_STATE_SIGNING_IN && !is_cancelled (error))
        {
          /* Keep the session (it is stored); Retry fetches the account again. */
          self->retry = load_account;
        }
      return;
    }

  if (!passport_server_has_account_api (self->server))
    {
      /* A plain OpenID provider: sign-in and the profile, nothing to manage. */
      set_object (self, &self->account, account, PROP_ACCOUNT);
      set_state (self, PASSPORT_FLOW_STATE_SIGNED_IN);
      action_done (self);
      return;
    }
  if (!apply_account (self, account))
    action_done (self);
}

static void
load_account (PassportFlow *self)
{
  GCancellable *cancellable = begin_action (self, load_account);

  if (self->state != PASSPORT_FLOW_STATE_SIGNING_IN && self->account == NULL)
    set_state (self, PASSPORT_FLOW_STATE_SIGNING_IN);

  if (passport_server_has_account_api (self->server))
    passport_client_get_me_async (self->client, 0, -1, cancellable, me_cb, g_object_ref (self));
  else
    passport_client_get_userinfo_async (self->client, cancellable, me_cb, g_object_ref (self));
}

static void set_keyring_unavailable (PassportFlow *self, gboolean unavailable);
static void complete_flushes (PassportFlow *self);

static void
save_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean saved = passport_credential_store_save_finish (PASSPORT_CREDENTIAL_STORE (source), result, &error);

  if (!saved && !is_cancelled (error))
    {
      /* The session works, but cannot be remembered: the flag asks the
       * user. Not the action's error: the action itself did not fail. */
      g_debug ("cannot store the session: %s", error->message);
      set_keyring_unavailable (self, TRUE);
    }

  self->pending_saves--;
  update_busy (self);
  if (self->pending_saves == 0)
    complete_flushes (self);
}

static void
set_keyring_unavailable (PassportFlow *self,
                         gboolean      unavailable)
{
  if (self->keyring_unavailable == unavailable)
    return;
  self->keyring_unavailable = unavailable;
  notify (self, PROP_KEYRING_UNAVAILABLE);
}

static void
complete_flushes (PassportFlow *self)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->flush_tasks);

  self->flush_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiting->len; i++)
    g_task_return_boolean (g_ptr_array_index (waiting, i), TRUE);
}

static void
save_session (PassportFlow *self)
{
  g_autoptr(PassportSecret) serialized = NULL;

  if (self->session == NULL || self->server_url == NULL)
    return;
  serialized = passport_session_serialize (self->session);
  if (serialized == NULL)
    return;
  self->pending_saves++;
  update_busy (self);
  passport_credential_store_save_async (self->store, self->server_url,
                                        passport_session_get_subject (self->session),
                                        serialized, NULL, save_cb, g_object_ref (self));
}

static void
tokens_changed_cb (PassportSession *session,
                   PassportFlow    *self)
{
  /* The old refresh token is retired at the server: store the new one now. */
  save_session (self);
}

/* The only way a session enters the flow: a new sign-in (@save) or one
 * restored from the store. The account decides the state. */
static void
take_session (PassportFlow    *self,
              PassportSession *session,
              gboolean         save)
{
  clear_session (self);
  self->session = g_object_ref (session);
  self->client = passport_client_new (session);
  self->tokens_changed_id = g_signal_connect (session, "tokens-changed",
                                              G_CALLBACK (tokens_changed_cb), self);
  if (save)
    save_session (self);
  load_account (self);
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
  gboolean for_other = self->state == PASSPORT_FLOW_STATE_EMAIL_CONFLICT;

  if (PASSPORT_BROWSER_SIGN_IN (source) != self->browser)
    return;

  if (session == NULL)
    {
      if (is_cancelled (error))
        return;
      if (for_other)
        set_conflict_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
      else
        set_state (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      fail (self, error);
      return;
    }

  g_clear_object (&self->browser);
  set_string (self, &self->browser_url, NULL, PROP_BROWSER_URL);

  if (for_other)
    {
      other_session_ready (self, session);
      return;
    }
  set_state (self, PASSPORT_FLOW_STATE_SIGNING_IN);
  take_session (self, session, TRUE);
}

static gboolean
launch_command (const char  *url,
                gpointer     user_data,
                GError     **error)
{
  const char *command = user_data;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) full = NULL;

  if (!g_shell_parse_argv (command, NULL, &argv, error))
    return FALSE;
  g_strv_builder_addv (builder, (const char **) argv);
  g_strv_builder_add (builder, url);
  full = g_strv_builder_end (builder);

  return g_spawn_async (NULL, full, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                        NULL, NULL, NULL, error);
}

static void
browser_url_cb (PassportBrowserSignIn *browser,
                GParamSpec            *pspec,
                PassportFlow          *self)
{
  if (browser == self->browser)
    set_string (self, &self->browser_url, passport_browser_sign_in_get_url (browser), PROP_BROWSER_URL);
}

static void
start_browser (PassportFlow *self,
               const char   *provider_id,
               const char   *login_hint)
{
  GCancellable *cancellable = begin_action (self, NULL);

  g_clear_object (&self->browser);
  self->browser = passport_browser_sign_in_new (self->server, provider_id, login_hint);
  if (self->browser_timeout > 0)
    passport_browser_sign_in_set_timeout_seconds (self->browser, self->browser_timeout);
  if (self->browser_command != NULL)
    passport_browser_sign_in_set_launcher (self->browser, launch_command,
                                           g_strdup (self->browser_command), g_free);
  g_signal_connect_object (self->browser, "notify::url", G_CALLBACK (browser_url_cb), self, 0);
  set_string (self, &self->browser_provider, provider_id, PROP_BROWSER_PROVIDER);
  passport_browser_sign_in_start_async (self->browser, cancellable, browser_cb, g_object_ref (self));
}

/* Server ------------------------------------------------------------------- */

static void
restore_load_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSecret) secret =
    passport_credential_store_load_finish (PASSPORT_CREDENTIAL_STORE (source), result, NULL, &error);
  g_autoptr(PassportSession) session = NULL;

  if (is_cancelled (error))
    return;

  if (error != NULL)
    {
      /* No keyring (or a locked one): nothing to restore; the user can
       * still sign in, and is asked before anything is kept in memory only.
       * The server is connected: the action succeeded. */
      g_debug ("cannot read the keyring: %s", error->message);
      set_state (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      set_keyring_unavailable (self, TRUE);
      action_done (self);
      return;
    }

  if (secret == NULL)
    {
      set_state (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      action_done (self);
      return;
    }

  session = passport_session_new_from_serialized (self->server, secret, &error);
  if (session == NULL)
    {
      /* Unreadable or from another server: forget it. */
      g_debug ("stored session unusable: %s", error->message);
      forget_stored_session (self);
      set_state (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      action_done (self);
      return;
    }

  set_state (self, PASSPORT_FLOW_STATE_SIGNING_IN);
  take_session (self, session, FALSE);
}

static void retry_server (PassportFlow *self);
static void do_set_server_url (PassportFlow *self, const char *url);

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
      if (is_cancelled (error))
        return;
      set_state (self, PASSPORT_FLOW_STATE_NEEDS_SERVER);
      fail (self, error);
      self->retry = retry_server;
      return;
    }

  set_object (self, &self->server, server, PROP_SERVER);
  passport_credential_store_load_async (self->store, self->server_url, self->cancellable,
                                        restore_load_cb, g_object_ref (self));
}

static void
retry_server (PassportFlow *self)
{
  g_autofree char *url = g_strdup (self->server_url);

  if (url != NULL)
    do_set_server_url (self, url);
  else
    action_done (self);
}

static void
do_set_server_url (PassportFlow *self,
                   const char   *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = passport_server_normalize_url (url, &error);
  GCancellable *cancellable = begin_action (self, retry_server);

  if (normalized == NULL)
    {
      fail (self, error);
      return;
    }

  clear_session (self);
  g_free (self->server_url);
  self->server_url = g_steal_pointer (&normalized);
  set_object (self, &self->server, NULL, PROP_SERVER);
  set_state (self, PASSPORT_FLOW_STATE_CONNECTING);
  passport_server_discover_async (self->server_url, cancellable, discover_cb, g_object_ref (self));
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

  start_action (self, cancellable, callback, user_data, passport_flow_set_server_url_async);
  do_set_server_url (self, url);
}

gboolean
passport_flow_set_server_url_finish (PassportFlow  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return finish_action (self, result, passport_flow_set_server_url_async, error);
}

/* Ends what runs: its step is cancelled, its caller told. */
static void
cancel_running (PassportFlow *self)
{
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
  set_error (self, NULL);
  complete_action (self, cancelled);
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
  cancel_running (self);
  self->retry = NULL;
  clear_session (self);
  set_object (self, &self->server, NULL, PROP_SERVER);
  set_state (self, PASSPORT_FLOW_STATE_NEEDS_SERVER);
}

/* Sign-in ------------------------------------------------------------------- */

void
passport_flow_sign_in_with_provider_async (PassportFlow        *self,
                                           const char          *provider_in,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autofree char *provider_id = g_strdup (provider_in);

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (provider_in != NULL);

  if (self->state != PASSPORT_FLOW_STATE_SIGNED_OUT &&
      self->state != PASSPORT_FLOW_STATE_AWAITING_BROWSER)
    {
      refuse_action (self, callback, user_data, passport_flow_sign_in_with_provider_async, "sign_in_with_provider");
      return;
    }
  start_action (self, cancellable, callback, user_data, passport_flow_sign_in_with_provider_async);
  start_browser (self, provider_id, NULL);
  set_state (self, PASSPORT_FLOW_STATE_AWAITING_BROWSER);
}

gboolean
passport_flow_sign_in_with_provider_finish (PassportFlow  *self,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  return finish_action (self, result, passport_flow_sign_in_with_provider_async, error);
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
      if (!is_cancelled (error))
        set_state (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      fail (self, error);
      return;
    }
  take_session (self, session, TRUE);
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
      refuse_action (self, callback, user_data, passport_flow_sign_in_with_password_async, "sign_in_with_password");
      return;
    }
  start_action (self, cancellable, callback, user_data, passport_flow_sign_in_with_password_async);
  step = begin_action (self, NULL);
  set_state (self, PASSPORT_FLOW_STATE_SIGNING_IN);
  passport_session_sign_in_with_password_async (self->server, email, password, step,
                                                password_cb, g_object_ref (self));
}

gboolean
passport_flow_sign_in_with_password_finish (PassportFlow  *self,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  return finish_action (self, result, passport_flow_sign_in_with_password_async, error);
}

void
passport_flow_reopen_browser (PassportFlow *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (self->browser == NULL)
    return;
  if (!passport_browser_sign_in_open_browser (self->browser, &error))
    set_error (self, error);
  else
    set_error (self, NULL);
}

void
passport_flow_cancel (PassportFlow *self)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  cancel_running (self);

  switch (self->state)
    {
    case PASSPORT_FLOW_STATE_CONNECTING:
      set_state (self, PASSPORT_FLOW_STATE_NEEDS_SERVER);
      break;
    case PASSPORT_FLOW_STATE_AWAITING_BROWSER:
    case PASSPORT_FLOW_STATE_SIGNING_IN:
      clear_session (self);
      set_state (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
      break;
    case PASSPORT_FLOW_STATE_EMAIL_CONFLICT:
      stop_poll (self);
      g_clear_object (&self->browser);
      set_string (self, &self->browser_url, NULL, PROP_BROWSER_URL);
      drop_other_session (self, TRUE);
      set_conflict_step (self, PASSPORT_CONFLICT_STEP_NONE);
      break;
    case PASSPORT_FLOW_STATE_NEEDS_SERVER:
    case PASSPORT_FLOW_STATE_SIGNED_OUT:
    case PASSPORT_FLOW_STATE_NEEDS_TERMS:
    case PASSPORT_FLOW_STATE_NEEDS_EMAIL:
    case PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION:
    case PASSPORT_FLOW_STATE_SIGNED_IN:
    default:
      break;
    }
}

void
passport_flow_retry_async (PassportFlow        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  RetryFunc retry;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  retry = self->retry;
  if (retry == NULL)
    {
      refuse_action (self, callback, user_data, passport_flow_retry_async, "retry");
      return;
    }
  start_action (self, cancellable, callback, user_data, passport_flow_retry_async);
  retry (self);
}

gboolean
passport_flow_retry_finish (PassportFlow  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_action (self, result, passport_flow_retry_async, error);
}

/* Account calls ---------------------------------------------------------- */

static void
account_call_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data);

typedef PassportAccount *(*AccountFinish) (PassportClient *, GAsyncResult *, GError **);

typedef struct
{
  PassportFlow *self;
  AccountFinish finish;
  gboolean binding;   /* POST /me/email: email_exists leads to the conflict */
} AccountCall;

static gpointer
account_call (PassportFlow  *self,
              AccountFinish  finish,
              gboolean       binding)
{
  AccountCall *call = g_new0 (AccountCall, 1);

  call->self = g_object_ref (self);
  call->finish = finish;
  call->binding = binding;
  return call;
}

static void
account_call_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AccountCall *call = user_data;
  g_autoptr(PassportFlow) self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) account = call->finish (PASSPORT_CLIENT (source), result, &error);
  gboolean binding = call->binding;

  g_free (call);

  if (account == NULL)
    {
      if (binding && g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_EMAIL_EXISTS))
        {
          /* Not a failure to show: the conflict is a step of its own. */
          set_conflict_step (self, PASSPORT_CONFLICT_STEP_NONE);
          set_state (self, PASSPORT_FLOW_STATE_EMAIL_CONFLICT);
          action_ended (self, error);
          return;
        }
      if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_TERMS_NOT_ACCEPTED))
        {
          /* A new agreement came in meanwhile: the action ends with that,
           * and the flow goes to the agreement and loads its text. */
          set_state (self, PASSPORT_FLOW_STATE_NEEDS_TERMS);
          set_object (self, &self->terms, NULL, PROP_TERMS);
          complete_action (self, error);
          fetch_terms (self);
          return;
        }
      fail (self, error);
      return;
    }

  if (binding && state_for_account (account) == PASSPORT_FLOW_STATE_SIGNED_IN)
    {
      /* Bound and confirmed: the typed password is no longer needed. */
      passport_secure_clear (&self->pending_password);
      set_string (self, &self->conflict_email, NULL, PROP_CONFLICT_EMAIL);
    }
  if (!apply_account (self, account))
    action_done (self);
}

/* Terms ----------------------------------------------------------------- */

static void
do_accept_terms (PassportFlow *self)
{
  GCancellable *step = begin_action (self, do_accept_terms);

  passport_client_accept_terms_async (self->client,
                                      self->terms ? passport_terms_get_version (self->terms)
                                                  : passport_account_get_terms_version (self->account),
                                      step, account_call_cb,
                                      account_call (self, passport_client_accept_terms_finish, FALSE));
}

void
passport_flow_accept_terms_async (PassportFlow        *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (self->state != PASSPORT_FLOW_STATE_NEEDS_TERMS || self->client == NULL)
    {
      refuse_action (self, callback, user_data, passport_flow_accept_terms_async, "accept_terms");
      return;
    }
  start_action (self, cancellable, callback, user_data, passport_flow_accept_terms_async);
  do_accept_terms (self);
}

gboolean
passport_flow_accept_terms_finish (PassportFlow  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return finish_action (self, result, passport_flow_accept_terms_async, error);
}

/* E-mail ----------------------------------------------------------------- */

static void
bind_again (PassportFlow *self)
{
  if (self->conflict_email != NULL && self->pending_password != NULL)
    {
      g_autofree char *email = g_strdup (self->conflict_email);
      g_autoptr(PassportSecret) password = g_strdup (self->pending_password);
      do_bind_email (self, email, password);
    }
  else
    action_done (self);
}

static PassportAccount *
bind_finish (PassportClient  *client,
             GAsyncResult    *result,
             GError         **error)
{
  /* 200 or 202: the account's pending_email says which. */
  return passport_client_bind_email_finish (client, result, NULL, error);
}

static void
do_bind_email (PassportFlow *self,
               const char   *email_in,
               const char   *password_in)
{
  g_autofree char *email = g_strdup (email_in);
  g_autoptr(PassportSecret) password = g_strdup (password_in);
  GCancellable *step;

  /* Kept so that nothing typed is lost on a conflict. */
  passport_secure_clear (&self->pending_password);
  self->pending_password = g_strdup (password);
  set_string (self, &self->conflict_email, email, PROP_CONFLICT_EMAIL);

  step = begin_action (self, bind_again);
  passport_client_bind_email_async (self->client, email, password, step, account_call_cb,
                                    account_call (self, bind_finish, TRUE));
}

void
passport_flow_bind_email_async (PassportFlow        *self,
                                const char          *email_in,
                                const char          *password_in,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autofree char *email = NULL;
  g_autoptr(PassportSecret) password = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (email_in != NULL && password_in != NULL);

  email = g_strdup (email_in);
  password = g_strdup (password_in);

  if ((self->state != PASSPORT_FLOW_STATE_NEEDS_EMAIL &&
       self->state != PASSPORT_FLOW_STATE_EMAIL_CONFLICT &&
       self->state != PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION) ||
      self->client == NULL)
    {
      refuse_action (self, callback, user_data, passport_flow_bind_email_async, "bind_email");
      return;
    }
  start_action (self, cancellable, callback, user_data, passport_flow_bind_email_async);
  do_bind_email (self, email, password);
}

gboolean
passport_flow_bind_email_finish (PassportFlow  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return finish_action (self, result, passport_flow_bind_email_async, error);
}

static void
do_resend_confirmation (PassportFlow *self)
{
  GCancellable *step = begin_action (self, do_resend_confirmation);

  passport_client_resend_confirmation_async (self->client, step, account_call_cb,
                                             account_call (self, passport_client_resend_confirmation_finish, FALSE));
}

void
passport_flow_resend_confirmation_async (PassportFlow        *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (self->state != PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION || self->client == NULL)
    {
      refuse_action (self, callback, user_data, passport_flow_resend_confirmation_async, "resend_confirmation");
      return;
    }
  start_action (self, cancellable, callback, user_data, passport_flow_resend_confirmation_async);
  do_resend_confirmation (self);
}

gboolean
passport_flow_resend_confirmation_finish (PassportFlow  *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  return finish_action (self, result, passport_flow_resend_confirmation_async, error);
}

static void
do_cancel_pending_email (PassportFlow *self)
{
  GCancellable *step = begin_action (self, do_cancel_pending_email);

  passport_client_cancel_pending_email_async (self->client, step, account_call_cb,
                                              account_call (self, passport_client_cancel_pending_email_finish, FALSE));
}

void
passport_flow_cancel_pending_email_async (PassportFlow        *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (self->state != PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION || self->client == NULL)
    {
      refuse_action (self, callback, user_data, passport_flow_cancel_pending_email_async, "cancel_pending_email");
      return;
    }
  start_action (self, cancellable, callback, user_data, passport_flow_cancel_pending_email_async);
  do_cancel_pending_email (self);
}

gboolean
passport_flow_cancel_pending_email_finish (PassportFlow  *self,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  return finish_action (self, result, passport_flow_cancel_pending_email_async, error);
}

typedef struct
{
  PassportFlow *self;
  char *email;
  char *password;
} ChangeEmail;

static void
change_email_free (ChangeEmail *change)
{
  g_object_unref (change->self);
  g_free (change->email);
  passport_secure_free (change->password);
  g_free (change);
}

static void
cancel_then_bind_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ChangeEmail *change = user_data;
  PassportFlow *self = change->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) account =
    passport_client_cancel_pending_email_finish (PASSPORT_CLIENT (source), result, &error);

  if (account == NULL)
    fail (self, error);
  else
    {
      /* Still AWAITING_CONFIRMATION for the UI: the bind follows at once. */
      passport_account_update (self->account, account);
      do_bind_email (self, change->email, change->password);
    }
  change_email_free (change);
}

/* The error of a password that was needed and not given. */
static void
fail_password_required (PassportFlow *self)
{
  g_autoptr(GError) error = g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_PASSWORD_REQUIRED,
                                                 passport_error_code_describe (PASSPORT_ERROR_PASSWORD_REQUIRED));
  fail (self, error);
}

void
passport_flow_change_email_async (PassportFlow        *self,
                                  const char          *email_in,
                                  const char          *password_in,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GCancellable *step;
  g_autofree char *email = NULL;
  g_autoptr(PassportSecret) password = NULL;
  const char *use_password;

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (email_in != NULL);

  email = g_strdup (email_in);
  password = g_strdup (password_in);

  if ((self->state != PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION &&
       self->state != PASSPORT_FLOW_STATE_SIGNED_IN) || self->account == NULL)
    {
      refuse_action (self, callback, user_data, passport_flow_change_email_async, "change_email");
      return;
    }
  start_action (self, cancellable, callback, user_data, passport_flow_change_email_async);

  use_password = password != NULL ? password : self->pending_password;
  if (use_password == NULL)
    {
      fail_password_required (self);
      return;
    }

  step = begin_action (self, NULL);
  if (passport_account_get_email (self->account) != NULL)
    {
      /* PUT /me/email: the bound address stays until the new one is confirmed. */
      passport_client_change_email_async (self->client, email, use_password, step, account_call_cb,
                                          account_call (self, passport_client_change_email_finish, FALSE));
    }
  else
    {
      /* Nothing bound yet: drop the pending address and bind the new one. */
      ChangeEmail *change = g_new0 (ChangeEmail, 1);
      change->self = g_object_ref (self);
      change->email = g_strdup (email);
      change->password = g_strdup (use_password);
      passport_client_cancel_pending_email_async (self->client, step, cancel_then_bind_cb, change);
    }
}

gboolean
passport_flow_change_email_finish (PassportFlow  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return finish_action (self, result, passport_flow_change_email_async, error);
}

/* The conflict: free an address held by another account -------------------- */

void
passport_flow_conflict_use_other_email (PassportFlow *self)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (self->state != PASSPORT_FLOW_STATE_EMAIL_CONFLICT)
    return;
  cancel_running (self);
  set_state (self, PASSPORT_FLOW_STATE_NEEDS_EMAIL);
}

void
passport_flow_conflict_start_freeing (PassportFlow *self)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (self->state != PASSPORT_FLOW_STATE_EMAIL_CONFLICT)
    return;
  set_error (self, NULL);
  set_conflict_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
}

static void
other_me_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) account = passport_client_get_me_finish (PASSPORT_CLIENT (source), result, &error);

  if (PASSPORT_CLIENT (source) != self->other_client)
    return;
  if (account == NULL)
    {
      if (!is_cancelled (error))
        {
          drop_other_session (self, TRUE);
          set_conflict_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
        }
      fail (self, error);
      return;
    }

  if (g_strcmp0 (passport_account_get_id (account),
                 self->account ? passport_account_get_id (self->account) : NULL) == 0)
    {
      /* Signed in to this very account again: nothing to free. */
      g_autoptr(GError) same = g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_SAME_ACCOUNT,
                                                    passport_error_code_describe (PASSPORT_ERROR_SAME_ACCOUNT));
      drop_other_session (self, TRUE);
      set_conflict_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
      fail (self, same);
      return;
    }

  set_object (self, &self->other_account, account, PROP_OTHER_ACCOUNT);
  if (passport_account_get_pending_email (account) != NULL && self->other_password != NULL)
    {
      set_conflict_step (self, PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION);
      start_poll (self);
    }
  else
    set_conflict_step (self, PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL);
  action_done (self);
}

/* After the password or the browser sign-in of the other account. */
static void
other_session_ready (PassportFlow    *self,
                     PassportSession *other)
{
  drop_other_session (self, FALSE);
  self->other_session = g_object_ref (other);
  self->other_client = passport_client_new (other);
  set_conflict_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGNING_IN);
  set_busy (self, TRUE);
  passport_client_get_me_async (self->other_client, 0, -1, self->cancellable, other_me_cb, g_object_ref (self));
}

typedef struct
{
  PassportFlow *self;
  char *password;
} OtherSignIn;

static void
other_password_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  OtherSignIn *data = user_data;
  g_autoptr(PassportFlow) self = data->self;
  g_autoptr(PassportSecret) password = data->password;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) other = passport_session_sign_in_with_password_finish (result, &error);

  g_free (data);
  if (other == NULL)
    {
      if (!is_cancelled (error))
        set_conflict_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
      fail (self, error);
      return;
    }
  other_session_ready (self, other);
  /* PUT /me/email of the other account asks for its current password. */
  self->other_password = g_steal_pointer (&password);
}

void
passport_flow_conflict_sign_in_with_password_async (PassportFlow        *self,
                                                    const char          *password,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data)
{
  GCancellable *step;
  OtherSignIn *data;

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (password != NULL);

  if (self->state != PASSPORT_FLOW_STATE_EMAIL_CONFLICT || self->conflict_email == NULL)
    {
      refuse_action (self, callback, user_data, passport_flow_conflict_sign_in_with_password_async,
                     "conflict_sign_in_with_password");
      return;
    }

  /* Copied before any notify can make the page clear its field. */
  data = g_new0 (OtherSignIn, 1);
  data->self = g_object_ref (self);
  data->password = g_strdup (password);
  start_action (self, cancellable, callback, user_data, passport_flow_conflict_sign_in_with_password_async);
  step = begin_action (self, NULL);
  set_conflict_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGNING_IN);
  passport_session_sign_in_with_password_async (self->server, self->conflict_email, data->password,
                                                step, other_password_cb, data);
}

gboolean
passport_flow_conflict_sign_in_with_password_finish (PassportFlow  *self,
                                                     GAsyncResult  *result,
                                                     GError       **error)
{
  return finish_action (self, result, passport_flow_conflict_sign_in_with_password_async, error);
}

void
passport_flow_conflict_sign_in_with_provider_async (PassportFlow        *self,
                                                    const char          *provider_in,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data)
{
  g_autofree char *provider_id = g_strdup (provider_in);

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (provider_in != NULL);

  if (self->state != PASSPORT_FLOW_STATE_EMAIL_CONFLICT)
    {
      refuse_action (self, callback, user_data, passport_flow_conflict_sign_in_with_provider_async,
                     "conflict_sign_in_with_provider");
      return;
    }
  start_action (self, cancellable, callback, user_data, passport_flow_conflict_sign_in_with_provider_async);
  set_conflict_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGNING_IN);
  start_browser (self, provider_id, self->conflict_email);
}

gboolean
passport_flow_conflict_sign_in_with_provider_finish (PassportFlow  *self,
                                                     GAsyncResult  *result,
                                                     GError       **error)
{
  return finish_action (self, result, passport_flow_conflict_sign_in_with_provider_async, error);
}

static void
other_change_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) account =
    passport_client_change_email_finish (PASSPORT_CLIENT (source), result, &error);

  if (PASSPORT_CLIENT (source) != self->other_client)
    return;
  if (account == NULL)
    {
      fail (self, error);
      return;
    }
  passport_account_update (self->other_account, account);
  set_conflict_step (self, PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION);
  start_poll (self);
  action_done (self);
}

void
passport_flow_conflict_set_other_email_async (PassportFlow        *self,
                                              const char          *new_email_in,
                                              const char          *password_in,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  GCancellable *step;
  g_autofree char *new_email = NULL;
  g_autoptr(PassportSecret) password = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (new_email_in != NULL);

  new_email = g_strdup (new_email_in);
  password = g_strdup (password_in);

  if (self->state != PASSPORT_FLOW_STATE_EMAIL_CONFLICT || self->other_client == NULL)
    {
      refuse_action (self, callback, user_data, passport_flow_conflict_set_other_email_async,
                     "conflict_set_other_email");
      return;
    }
  start_action (self, cancellable, callback, user_data, passport_flow_conflict_set_other_email_async);
  if (password != NULL)
    {
      passport_secure_clear (&self->other_password);
      self->other_password = g_strdup (password);
    }
  if (self->other_password == NULL)
    {
      fail_password_required (self);
      return;
    }

  g_free (self->other_new_email);
  self->other_new_email = g_strdup (new_email);
  step = begin_action (self, NULL);
  passport_client_change_email_async (self->other_client, new_email, self->other_password, step,
                                      other_change_cb, g_object_ref (self));
}

gboolean
passport_flow_conflict_set_other_email_finish (PassportFlow  *self,
                                               GAsyncResult  *result,
                                               GError       **error)
{
  return finish_action (self, result, passport_flow_conflict_set_other_email_async, error);
}

static void
other_resend_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) account =
    passport_client_resend_confirmation_finish (PASSPORT_CLIENT (source), result, &error);

  if (account == NULL)
    {
      fail (self, error);
      return;
    }
  if (self->other_account != NULL)
    passport_account_update (self->other_account, account);
  action_done (self);
}

void
passport_flow_conflict_resend_async (PassportFlow        *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GCancellable *step;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (self->state != PASSPORT_FLOW_STATE_EMAIL_CONFLICT || self->other_client == NULL)
    {
      refuse_action (self, callback, user_data, passport_flow_conflict_resend_async, "conflict_resend");
      return;
    }
  start_action (self, cancellable, callback, user_data, passport_flow_conflict_resend_async);
  step = begin_action (self, NULL);
  passport_client_resend_confirmation_async (self->other_client, step, other_resend_cb,
                                             g_object_ref (self));
}

gboolean
passport_flow_conflict_resend_finish (PassportFlow  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return finish_action (self, result, passport_flow_conflict_resend_async, error);
}

static void
bind_freed_address (PassportFlow *self)
{
  g_autofree char *email = g_strdup (self->conflict_email);
  g_autoptr(PassportSecret) password = g_strdup (self->pending_password);

  stop_poll (self);
  drop_other_session (self, TRUE);
  if (email == NULL || password == NULL)
    {
      set_state (self, PASSPORT_FLOW_STATE_NEEDS_EMAIL);
      return;
    }
  do_bind_email (self, email, password);
}

/* Signed in --------------------------------------------------------------- */

static void
change_password_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_client_change_password_finish (PASSPORT_CLIENT (source), result, &error))
    {
      fail (self, error);
      return;
    }
  action_done (self);
}

void
passport_flow_change_password_async (PassportFlow        *self,
                                     const char          *current_in,
                                     const char          *new_in,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GCancellable *step;
  g_autoptr(PassportSecret) current_password = NULL;
  g_autoptr(PassportSecret) new_password = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (current_in != NULL && new_in != NULL);

  current_password = g_strdup (current_in);
  new_password = g_strdup (new_in);

  if (self->state != PASSPORT_FLOW_STATE_SIGNED_IN || self->client == NULL)
    {
      refuse_action (self, callback, user_data, passport_flow_change_password_async, "change_password");
      return;
    }
  start_action (self, cancellable, callback, user_data, passport_flow_change_password_async);
  if (!passport_server_has_account_api (self->server))
    {
      g_autoptr(GError) error = g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_NOT_SUPPORTED,
                                                     passport_error_code_describe (PASSPORT_ERROR_NOT_SUPPORTED));
      fail (self, error);
      return;
    }
  if (*current_password == '\0')
    {
      fail_password_required (self);
      return;
    }
  step = begin_action (self, NULL);
  passport_client_change_password_async (self->client, current_password, new_password, step,
                                         change_password_cb, g_object_ref (self));
}

gboolean
passport_flow_change_password_finish (PassportFlow  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return finish_action (self, result, passport_flow_change_password_async, error);
}

static void
sign_out_deleted_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_credential_store_delete_finish (PASSPORT_CREDENTIAL_STORE (source), result, &error) &&
      !is_cancelled (error))
    g_debug ("could not delete the stored session: %s", error->message);

  clear_session (self);
  set_state (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
  action_done (self);
}

static void
sign_out_flushed_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;

  passport_flow_flush_finish (self, result, NULL);
  passport_credential_store_delete_async (self->store, self->server_url, NULL,
                                          sign_out_deleted_cb, g_object_ref (self));
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

  start_action (self, cancellable, callback, user_data, passport_flow_sign_out_async);
  begin_action (self, NULL);
  stop_poll (self);
  drop_other_session (self, TRUE);
  if (self->session != NULL)
    passport_session_revoke_async (self->session, NULL, sign_out_revoked_cb, g_object_ref (self));
  else if (self->server_url != NULL)
    passport_credential_store_delete_async (self->store, self->server_url, NULL,
                                            sign_out_deleted_cb, g_object_ref (self));
  else
    {
      clear_session (self);
      set_state (self, PASSPORT_FLOW_STATE_NEEDS_SERVER);
      action_done (self);
    }
}

gboolean
passport_flow_sign_out_finish (PassportFlow  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return finish_action (self, result, passport_flow_sign_out_async, error);
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
  if (self->pending_saves == 0)
    g_task_return_boolean (task, TRUE);
  else
    g_ptr_array_add (self->flush_tasks, g_steal_pointer (&task));
}

gboolean
passport_flow_flush_finish (PassportFlow  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish_action (self, result, passport_flow_flush_async, error);
}

void
passport_flow_continue_without_keyring (PassportFlow *self)
{
  g_autoptr(PassportMemoryStore) memory = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  memory = passport_memory_store_new ();
  g_set_object (&self->store, PASSPORT_CREDENTIAL_STORE (memory));
  if (self->remember)
    {
      self->remember = FALSE;
      notify (self, PROP_REMEMBER);
    }
  set_keyring_unavailable (self, FALSE);
  save_session (self);
}

/* Getters ------------------------------------------------------------------- */

PassportFlowState passport_flow_get_state (PassportFlow *self) { return self->state; }
PassportConflictStep passport_flow_get_conflict_step (PassportFlow *self) { return self->conflict_step; }
gboolean passport_flow_get_busy (PassportFlow *self) { return self->busy; }
const GError *passport_flow_get_error (PassportFlow *self) { return self->error; }
PassportServer *passport_flow_get_server (PassportFlow *self) { return self->server; }
PassportAccount *passport_flow_get_account (PassportFlow *self) { return self->account; }
PassportTerms *passport_flow_get_terms (PassportFlow *self) { return self->terms; }
const char *passport_flow_get_conflict_email (PassportFlow *self) { return self->conflict_email; }
PassportAccount *passport_flow_get_other_account (PassportFlow *self) { return self->other_account; }
const char *passport_flow_get_browser_url (PassportFlow *self) { return self->browser_url; }
const char *passport_flow_get_browser_provider (PassportFlow *self) { return self->browser_provider; }
gint64 passport_flow_get_retry_after (PassportFlow *self) { return self->retry_after; }
gboolean passport_flow_get_remember (PassportFlow *self) { return self->remember; }
gboolean passport_flow_get_keyring_unavailable (PassportFlow *self) { return self->keyring_unavailable; }
const char *passport_flow_get_pending_password (PassportFlow *self) { return self->pending_password; }
PassportSession *passport_flow_get_session (PassportFlow *self) { return self->session; }
gboolean passport_flow_get_other_needs_password (PassportFlow *self) { return self->other_session != NULL && self->other_password == NULL; }

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
  return self;
}

static void
passport_flow_dispose (GObject *object)
{
  PassportFlow *self = PASSPORT_FLOW (object);

  cancel_running (self);
  stop_poll (self);
  g_clear_object (&self->browser);
  drop_other_session (self, FALSE);
  clear_session (self);
  g_clear_object (&self->server);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (passport_flow_parent_class)->dispose (object);
}

static void
passport_flow_finalize (GObject *object)
{
  PassportFlow *self = PASSPORT_FLOW (object);

  g_clear_error (&self->error);
  g_clear_pointer (&self->flush_tasks, g_ptr_array_unref);
  g_free (self->server_url);
  g_free (self->conflict_email);
  g_free (self->browser_url);
  g_free (self->browser_provider);
  g_free (self->browser_command);
  passport_secure_clear (&self->pending_password);
  passport_secure_clear (&self->other_password);
  g_free (self->other_new_email);

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
    case PROP_CONFLICT_STEP: g_value_set_enum (value, self->conflict_step); break;
    case PROP_BUSY: g_value_set_boolean (value, self->busy); break;
    case PROP_ERROR: g_value_set_boxed (value, self->error); break;
    case PROP_SERVER: g_value_set_object (value, self->server); break;
    case PROP_ACCOUNT: g_value_set_object (value, self->account); break;
    case PROP_TERMS: g_value_set_object (value, self->terms); break;
    case PROP_CONFLICT_EMAIL: g_value_set_string (value, self->conflict_email); break;
    case PROP_OTHER_ACCOUNT: g_value_set_object (value, self->other_account); break;
    case PROP_BROWSER_URL: g_value_set_string (value, self->browser_url); break;
    case PROP_BROWSER_PROVIDER: g_value_set_string (value, self->browser_provider); break;
    case PROP_RETRY_AFTER: g_value_set_int64 (value, self->retry_after); break;
    case PROP_REMEMBER: g_value_set_boolean (value, self->remember); break;
    case PROP_KEYRING_UNAVAILABLE: g_value_set_boolean (value, self->keyring_unavailable); break;
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
  properties[PROP_CONFLICT_STEP] = g_param_spec_enum ("conflict-step", NULL, NULL, PASSPORT_TYPE_CONFLICT_STEP,
                                                      PASSPORT_CONFLICT_STEP_NONE, flags);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, flags);
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, flags);
  properties[PROP_SERVER] = g_param_spec_object ("server", NULL, NULL, PASSPORT_TYPE_SERVER, flags);
  properties[PROP_ACCOUNT] = g_param_spec_object ("account", NULL, NULL, PASSPORT_TYPE_ACCOUNT, flags);
  properties[PROP_TERMS] = g_param_spec_object ("terms", NULL, NULL, PASSPORT_TYPE_TERMS, flags);
  properties[PROP_CONFLICT_EMAIL] = g_param_spec_string ("conflict-email", NULL, NULL, NULL, flags);
  properties[PROP_OTHER_ACCOUNT] = g_param_spec_object ("other-account", NULL, NULL, PASSPORT_TYPE_ACCOUNT, flags);
  properties[PROP_BROWSER_URL] = g_param_spec_string ("browser-url", NULL, NULL, NULL, flags);
  properties[PROP_BROWSER_PROVIDER] = g_param_spec_string ("browser-provider", NULL, NULL, NULL, flags);
  properties[PROP_RETRY_AFTER] = g_param_spec_int64 ("retry-after", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_REMEMBER] = g_param_spec_boolean ("remember", NULL, NULL, TRUE, flags);
  properties[PROP_KEYRING_UNAVAILABLE] = g_param_spec_boolean ("keyring-unavailable", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_flow_init (PassportFlow *self)
{
  self->state = PASSPORT_FLOW_STATE_NEEDS_SERVER;
  self->remember = TRUE;
  self->flush_tasks = g_ptr_array_new_with_free_func (g_object_unref);
}
