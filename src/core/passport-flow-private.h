/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* PassportFlow is one object over several files, the way gnome-text-editor
 * splits EditorPage: passport-flow.c (the object, its properties and the
 * transition between states), passport-flow-run.c (the plumbing every
 * action goes through), passport-flow-session.c (connecting, signing in,
 * restoring, storing and signing out), passport-flow-actions.c (what the
 * user does with the account, and the conflict), passport-flow-group.c (the
 * flow as a GActionGroup) and passport-flow-keyring.c (the keyring's
 * health). Only these include this header. */

#include "passport-account-watch.h"
#include "passport-browser-sign-in.h"
#include "passport-client.h"
#include "passport-conflict.h"
#include "passport-error.h"
#include "passport-flow.h"

G_BEGIN_DECLS

typedef void (*PassportFlowStepFunc) (PassportFlow *self);

struct _PassportFlow
{
  GObject parent_instance;

  PassportCredentialStore *store;
  PassportAccounts *accounts;     /* the list of accounts to keep up to date, or NULL */
  gboolean signed_in_here;        /* the session is a new sign-in: its account becomes the
                                   * active one once known */
  PassportKeyringHealth keyring_health;
  GCancellable *keyring_check;    /* the health check running */
  PassportFlowState state;
  gboolean busy;              /* action_busy or a save in flight */
  gboolean action_busy;
  guint pending_saves;
  guint pending_forgets;          /* stored sessions being deleted */
  GError *error;

  char *server_url;
  char *account_id;               /* the stored account worked on: the session's subject,
                                   * the one opened, NULL for any of the server's, "" for
                                   * none (an account being added) */
  PassportServer *server;
  PassportSession *session;
  PassportClient *client;
  PassportAccount *account;
  PassportTerms *terms;
  gulong tokens_changed_id;

  PassportAccountWatch *watch;    /* AWAITING_CONFIRMATION: the long poll */
  PassportConflict *conflict;     /* EMAIL_CONFLICT: freeing the address */
  char *bind_email;               /* the address being bound, kept across a conflict */
  char *pending_password;         /* typed in the bind form, kept likewise */
  char *reset_email;              /* the address of the last password reset asked for */

  PassportBrowserSignIn *browser;
  char *browser_url;
  char *browser_provider;
  GError *browser_launch_error;
  char *browser_command;
  guint browser_timeout;
  gint64 browser_deadline;        /* monotonic µs the running browser sign-in gives up at */

  PassportDeviceSignIn *device;   /* AWAITING_DEVICE: the sign-in with another device */

  char *mfa_token;                /* NEEDS_CODE: the password grant's (a secret) */
  gint64 mfa_deadline;            /* NEEDS_CODE: monotonic µs it expires at */

  gint64 retry_after;
  gboolean remember;
  gboolean session_remembered;
  gboolean keyring_unavailable;

  GCancellable *cancellable;      /* the running step of the action */
  GTask *task;                    /* the running public action */
  GCancellable *caller_cancellable;
  gulong caller_cancelled_id;
  GPtrArray *flush_tasks;         /* passport_flow_flush_async() callers */
  GSimpleActionGroup *actions;    /* passport_flow_get_actions(), made on demand */
  guint retry_after_timer;        /* re-checks the actions when a wait ends */
  GSource *reconnect_source;      /* CONNECTING to a known server that is down */
  guint reconnect_backoff;
  GNetworkMonitor *network_monitor;
  gulong network_changed_id;
  PassportFlowStepFunc retry;
};

enum
{
  PROP_0,
  PROP_STATE,
  PROP_CONFLICT,
  PROP_CONFLICT_STEP,
  PROP_BUSY,
  PROP_ERROR,
  PROP_SERVER,
  PROP_SERVER_URL,
  PROP_ACCOUNT_ID,
  PROP_ACCOUNT,
  PROP_TERMS,
  PROP_CONFLICT_EMAIL,
  PROP_OTHER_ACCOUNT,
  PROP_BROWSER_URL,
  PROP_BROWSER_PROVIDER,
  PROP_BROWSER_LAUNCH_ERROR,
  PROP_BROWSER_DEADLINE,
  PROP_RETRY_AFTER,
  PROP_MFA_DEADLINE,
  PROP_REMEMBER,
  PROP_SESSION_REMEMBERED,
  PROP_KEYRING_UNAVAILABLE,
  PROP_KEYRING_HEALTH,
  PROP_DEVICE_SIGN_IN,
  N_PROPS
};

/* passport-flow.c: properties */
void          _passport_flow_notify            (PassportFlow *self, guint prop);
void          _passport_flow_set_string        (PassportFlow *self, char **field, const char *value, guint prop);
void          _passport_flow_set_object        (PassportFlow *self, gpointer field, gpointer value, guint prop);
void          _passport_flow_set_error         (PassportFlow *self, const GError *error);
void          _passport_flow_set_busy          (PassportFlow *self, gboolean busy);
void          _passport_flow_update_busy       (PassportFlow *self);
void          _passport_flow_set_retry_after_seconds (PassportFlow *self, gint64 seconds);
void          _passport_flow_set_keyring_unavailable (PassportFlow *self, gboolean unavailable);
void          _passport_flow_update_session_remembered (PassportFlow *self);
void          _passport_flow_update_resend_countdown (PassportFlow *self);
void          _passport_flow_emit_password_reset_sent (PassportFlow *self, const char *email);

/* passport-flow-group.c */
void          _passport_flow_update_actions    (PassportFlow *self);

/* passport-flow.c: the one way the state changes; each state's enter and
 * leave work (the long poll, the conflict, the browser) happens here. */
void          _passport_flow_transition        (PassportFlow *self, PassportFlowState state);
void          _passport_flow_drop_browser      (PassportFlow *self);
PassportBrowserSignIn *_passport_flow_new_browser (PassportFlow *self, const char *provider_id,
                                                   const char *login_hint);

/* passport-flow-run.c: actions. A public action is started with
 * _start_action (or refused); its steps run with the cancellable of
 * _begin_step; it ends with _action_done, _action_ended (an answer that
 * is not shown as a failure) or _fail (shown in "error"). */
void          _passport_flow_start_action      (PassportFlow *self, GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data,
                                                gpointer source_tag);
void          _passport_flow_refuse_action     (PassportFlow *self, GAsyncReadyCallback callback,
                                                gpointer user_data, gpointer source_tag,
                                                const char *name);
gboolean      _passport_flow_finish_action     (PassportFlow *self, GAsyncResult *result,
                                                gpointer source_tag, GError **error);
GCancellable *_passport_flow_begin_step        (PassportFlow *self, PassportFlowStepFunc retry);
void          _passport_flow_complete_action   (PassportFlow *self, const GError *error);
void          _passport_flow_action_done       (PassportFlow *self);
void          _passport_flow_action_ended      (PassportFlow *self, const GError *error);
void          _passport_flow_fail              (PassportFlow *self, const GError *error);
void          _passport_flow_fail_with_code    (PassportFlow *self, PassportErrorCode code);
void          _passport_flow_cancel_running    (PassportFlow *self);
gboolean      _passport_flow_is_cancelled      (const GError *error);

/* passport-flow-session.c */
void          _passport_flow_take_session      (PassportFlow *self, PassportSession *session, gboolean save);
void          _passport_flow_clear_session     (PassportFlow *self);
void          _passport_flow_forget_stored_session (PassportFlow *self);
void          _passport_flow_set_account_id        (PassportFlow *self,
                                                    const char   *account_id);
gboolean      _passport_flow_apply_account     (PassportFlow *self, PassportAccount *account);
void          _passport_flow_fetch_terms       (PassportFlow *self);
void          _passport_flow_complete_flushes  (PassportFlow *self);
void          _passport_flow_stop_reconnecting (PassportFlow *self);

/* passport-flow-actions.c */
void          _passport_flow_bind_email        (PassportFlow *self, const char *email, const char *password);
gboolean      _passport_flow_can_reset_password (PassportFlow *self);

G_END_DECLS
