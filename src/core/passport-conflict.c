// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportConflict: freeing an address that another account holds, through
// a second, never stored session to that account (architecture.md step 6).
#include "config.h"

#include <glib/gi18n-lib.h>

#include "passport-account-watch.h"
#include "passport-client.h"
#include "passport-conflict.h"
#include "passport-enums.h"
#include "passport-error.h"
#include "passport-secure.h"
#include "passport-session.h"

struct _PassportConflict
{
  GObject parent_instance;

  PassportServer *server;
  PassportAccount *account;   /* ours */
  char *email;
  PassportConflictStep step;

  PassportSession *other_session;
  PassportClient *other_client;
  PassportAccount *other_account;
  char *other_password;       /* what it signed in with; PUT /me/email asks for it */
  PassportAccountWatch *watch;
};

G_DEFINE_FINAL_TYPE (PassportConflict, passport_conflict, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STEP,
  PROP_EMAIL,
  PROP_OTHER_ACCOUNT,
  PROP_OTHER_NEEDS_PASSWORD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_FREED,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_step (PassportConflict     *self,
          PassportConflictStep  step)
{
  if (self->step == step)
    return;
  self->step = step;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP]);
}

static void
set_other_account (PassportConflict *self,
                   PassportAccount  *account)
{
  if (g_set_object (&self->other_account, account))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OTHER_ACCOUNT]);
}

static void
set_other_password (PassportConflict *self,
                    const char       *password)
{
  passport_secure_clear (&self->other_password);
  self->other_password = g_strdup (password);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OTHER_NEEDS_PASSWORD]);
}

static void
drop_other_session (PassportConflict *self,
                    gboolean          revoke)
{
  if (self->other_session != NULL && revoke)
    /* It was only for freeing the address: do not leave its tokens valid
     * at the server. Nothing waits for the answer. */
    passport_session_revoke_async (self->other_session, NULL, NULL, NULL);
  if (self->watch != NULL)
    {
      passport_account_watch_stop (self->watch);
      g_signal_handlers_disconnect_by_data (self->watch, self);
      g_clear_object (&self->watch);
    }
  g_clear_object (&self->other_client);
  g_clear_object (&self->other_session);
  set_other_account (self, NULL);
  set_other_password (self, NULL);
}

/* Waiting for the other account's link ------------------------------------- */

static void
watch_changed_cb (PassportAccountWatch *watch,
                  PassportConflict     *self)
{
  const char *email = passport_account_get_email (self->other_account);

  if (passport_account_get_pending_email (self->other_account) != NULL)
    return;

  passport_account_watch_stop (watch);
  if (email != NULL && g_ascii_strcasecmp (email, self->email) != 0)
    {
      /* The other account confirmed its new address: ours is free. */
      set_step (self, PASSPORT_CONFLICT_STEP_FREED);
      g_signal_emit (self, signals[SIGNAL_FREED], 0);
    }
  else
    /* The change was cancelled elsewhere, or its link failed. */
    set_step (self, PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL);
}

static void
watch_failed_cb (PassportAccountWatch *watch,
                 const GError         *error,
                 PassportConflict     *self)
{
  g_autoptr(PassportConflict) hold = g_object_ref (self);

  drop_other_session (self, FALSE);
  set_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
}

static void
await_confirmation (PassportConflict *self)
{
  if (self->watch == NULL)
    {
      self->watch = passport_account_watch_new (self->other_client, self->other_account);
      g_signal_connect (self->watch, "changed", G_CALLBACK (watch_changed_cb), self);
      g_signal_connect (self->watch, "failed", G_CALLBACK (watch_failed_cb), self);
    }
  set_step (self, PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION);
  passport_account_watch_start (self->watch);
}

/* Signing in to the other account ------------------------------------------ */

static GTask *
new_task (PassportConflict    *self,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data,
          gpointer             tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  return task;
}

static void
other_me_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportConflict *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) other = passport_client_get_me_finish (PASSPORT_CLIENT (source), result, &error);

  if (PASSPORT_CLIENT (source) != self->other_client)
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Replaced by another sign-in");
  else if (other != NULL &&
           g_strcmp0 (passport_account_get_id (other), passport_account_get_id (self->account)) == 0)
    error = g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_SAME_ACCOUNT,
                                 passport_error_code_describe (PASSPORT_ERROR_SAME_ACCOUNT));

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          drop_other_session (self, TRUE);
          set_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  set_other_account (self, other);
  if (passport_account_get_pending_email (other) != NULL && self->other_password != NULL)
    await_confirmation (self);
  else
    set_step (self, PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL);
  g_task_return_boolean (task, TRUE);
}

/* A session to the other account exists: whose is it, and what waits? */
static void
take_other_session (PassportConflict *self,
                    PassportSession  *session,
                    const char       *password,
                    GTask            *task)
{
  drop_other_session (self, FALSE);
  self->other_session = g_object_ref (session);
  self->other_client = passport_client_new (session);
  set_other_password (self, password);
  passport_client_get_me_async (self->other_client, 0, -1, g_task_get_cancellable (task),
                                other_me_cb, task);
}

static void
password_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportConflict *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(PassportSession) other = passport_session_sign_in_with_password_finish (result, &error);
  const char *password;

  if (other == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
      if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_GRANT))
        {
          /* The e-mail is the taken one, so only the password can be wrong. */
          g_clear_error (&error);
          error = passport_error_new_for_user (PASSPORT_ERROR_INVALID_GRANT,
                                               _("The password of the account that uses this e-mail is wrong."));
        }
      g_task_return_error (task, error);
      return;
    }
  password = g_task_get_task_data (task);
  take_other_session (self, other, password, g_steal_pointer (&task));
}

void
passport_conflict_sign_in_with_password_async (PassportConflict    *self,
                                               const char          *password,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PASSPORT_IS_CONFLICT (self));
  g_return_if_fail (password != NULL);

  task = new_task (self, cancellable, callback, user_data, passport_conflict_sign_in_with_password_async);
  g_task_set_task_data (task, g_strdup (password), (GDestroyNotify) passport_secure_free);
  set_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGNING_IN);
  passport_session_sign_in_with_password_async (self->server, self->email, password, cancellable,
                                                password_cb, task);
}

static void
browser_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportConflict *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(PassportSession) other =
    passport_browser_sign_in_start_finish (PASSPORT_BROWSER_SIGN_IN (source), result, &error);

  if (other == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
      g_task_return_error (task, error);
      return;
    }
  /* Signed in with its social network: no password at hand. */
  take_other_session (self, other, NULL, g_steal_pointer (&task));
}

void
passport_conflict_sign_in_with_browser_async (PassportConflict      *self,
                                              PassportBrowserSignIn *browser,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data)
{
  GTask *task;

  g_return_if_fail (PASSPORT_IS_CONFLICT (self));
  g_return_if_fail (PASSPORT_IS_BROWSER_SIGN_IN (browser));

  task = new_task (self, cancellable, callback, user_data, passport_conflict_sign_in_with_browser_async);
  set_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGNING_IN);
  passport_browser_sign_in_start_async (browser, cancellable, browser_cb, task);
}

/* Giving the other account another address --------------------------------- */

static void
change_email_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportConflict *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(PassportAccount) other = passport_client_change_email_finish (PASSPORT_CLIENT (source), result, &error);

  if (other == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (PASSPORT_CLIENT (source) == self->other_client)
    {
      passport_account_update (self->other_account, other);
      await_confirmation (self);
    }
  g_task_return_boolean (task, TRUE);
}

void
passport_conflict_set_other_email_async (PassportConflict    *self,
                                         const char          *new_email,
                                         const char          *password,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PASSPORT_IS_CONFLICT (self));
  g_return_if_fail (new_email != NULL);

  task = new_task (self, cancellable, callback, user_data, passport_conflict_set_other_email_async);
  if (self->other_client == NULL)
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_ACTION_UNAVAILABLE, "%s",
                               passport_error_code_describe (PASSPORT_ERROR_ACTION_UNAVAILABLE));
      return;
    }
  if (password != NULL)
    set_other_password (self, password);
  if (self->other_password == NULL)
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_PASSWORD_REQUIRED, "%s",
                               passport_error_code_describe (PASSPORT_ERROR_PASSWORD_REQUIRED));
      return;
    }
  passport_client_change_email_async (self->other_client, new_email, self->other_password, cancellable,
                                      change_email_cb, g_steal_pointer (&task));
}

static void
resend_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportConflict *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(PassportAccount) other =
    passport_client_resend_confirmation_finish (PASSPORT_CLIENT (source), result, &error);

  if (other == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->other_account != NULL && PASSPORT_CLIENT (source) == self->other_client)
    passport_account_update (self->other_account, other);
  g_task_return_boolean (task, TRUE);
}

void
passport_conflict_resend_async (PassportConflict    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PASSPORT_IS_CONFLICT (self));

  task = new_task (self, cancellable, callback, user_data, passport_conflict_resend_async);
  if (self->other_client == NULL)
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_ACTION_UNAVAILABLE, "%s",
                               passport_error_code_describe (PASSPORT_ERROR_ACTION_UNAVAILABLE));
      return;
    }
  passport_client_resend_confirmation_async (self->other_client, cancellable, resend_cb,
                                             g_steal_pointer (&task));
}

gboolean
passport_conflict_finish (PassportConflict  *self,
                          GAsyncResult      *result,
                          GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Steps without a server call ------------------------------------------------ */

void
passport_conflict_start_freeing (PassportConflict *self)
{
  g_return_if_fail (PASSPORT_IS_CONFLICT (self));

  if (self->step == PASSPORT_CONFLICT_STEP_NONE)
    set_step (self, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
}

void
passport_conflict_reset (PassportConflict *self)
{
  g_return_if_fail (PASSPORT_IS_CONFLICT (self));

  drop_other_session (self, TRUE);
  set_step (self, PASSPORT_CONFLICT_STEP_NONE);
}

PassportConflictStep passport_conflict_get_step (PassportConflict *self) { return self->step; }
const char *passport_conflict_get_email (PassportConflict *self) { return self->email; }
PassportAccount *passport_conflict_get_other_account (PassportConflict *self) { return self->other_account; }

gboolean
passport_conflict_get_other_needs_password (PassportConflict *self)
{
  return self->other_session != NULL && self->other_password == NULL;
}

/* GObject ------------------------------------------------------------------- */

PassportConflict *
passport_conflict_new (PassportServer  *server,
                       PassportAccount *account,
                       const char      *email)
{
  PassportConflict *self;

  g_return_val_if_fail (PASSPORT_IS_SERVER (server), NULL);
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (email != NULL, NULL);

  self = g_object_new (PASSPORT_TYPE_CONFLICT, NULL);
  self->server = g_object_ref (server);
  self->account = g_object_ref (account);
  self->email = g_strdup (email);
  return self;
}

static void
passport_conflict_dispose (GObject *object)
{
  PassportConflict *self = PASSPORT_CONFLICT (object);

  drop_other_session (self, FALSE);
  g_clear_object (&self->server);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (passport_conflict_parent_class)->dispose (object);
}

static void
passport_conflict_finalize (GObject *object)
{
  PassportConflict *self = PASSPORT_CONFLICT (object);

  g_free (self->email);
  passport_secure_clear (&self->other_password);

  G_OBJECT_CLASS (passport_conflict_parent_class)->finalize (object);
}

static void
passport_conflict_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PassportConflict *self = PASSPORT_CONFLICT (object);

  switch (prop_id)
    {
    case PROP_STEP: g_value_set_enum (value, self->step); break;
    case PROP_EMAIL: g_value_set_string (value, self->email); break;
    case PROP_OTHER_ACCOUNT: g_value_set_object (value, self->other_account); break;
    case PROP_OTHER_NEEDS_PASSWORD: g_value_set_boolean (value, passport_conflict_get_other_needs_password (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_conflict_class_init (PassportConflictClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = passport_conflict_dispose;
  object_class->finalize = passport_conflict_finalize;
  object_class->get_property = passport_conflict_get_property;

  properties[PROP_STEP] = g_param_spec_enum ("step", NULL, NULL, PASSPORT_TYPE_CONFLICT_STEP,
                                             PASSPORT_CONFLICT_STEP_NONE, flags);
  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL, flags);
  properties[PROP_OTHER_ACCOUNT] = g_param_spec_object ("other-account", NULL, NULL, PASSPORT_TYPE_ACCOUNT, flags);
  properties[PROP_OTHER_NEEDS_PASSWORD] = g_param_spec_boolean ("other-needs-password", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_FREED] = g_signal_new ("freed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
passport_conflict_init (PassportConflict *self)
{
}
