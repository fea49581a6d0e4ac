// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportFlow, continued: what the user does with the account (the
// agreement, the e-mail, the password) and the conflict's steps, which the
// flow runs through its PassportConflict.
#include "config.h"

#include <glib/gi18n-lib.h>

#include "passport-error.h"
#include "passport-flow-private.h"
#include "passport-secure.h"

/* Calls that answer with the account ----------------------------------------- */

typedef PassportAccount *(*AccountFinish) (PassportClient *, GAsyncResult *, GError **);

typedef struct
{
  PassportFlow *self;
  AccountFinish finish;
  gboolean binding;   /* POST /me/email: email_exists leads to the conflict */
} AccountCall;

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

  if (account != NULL)
    {
      if (!_passport_flow_apply_account (self, account))
        _passport_flow_action_done (self);
    }
  else if (binding && g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_EMAIL_EXISTS))
    {
      /* Not a failure to show: the conflict is a step of its own. */
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_EMAIL_CONFLICT);
      _passport_flow_action_ended (self, error);
    }
  else if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_TERMS_NOT_ACCEPTED))
    {
      /* A new agreement came in meanwhile: the action ends with that, and
       * the flow goes to the agreement and loads its text. */
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_NEEDS_TERMS);
      _passport_flow_set_object (self, &self->terms, NULL, PROP_TERMS);
      _passport_flow_complete_action (self, error);
      _passport_flow_fetch_terms (self);
    }
  else
    _passport_flow_fail (self, error);
}

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

/* The agreement -------------------------------------------------------------- */

static void
accept_terms (PassportFlow *self)
{
  GCancellable *step = _passport_flow_begin_step (self, accept_terms);

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
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_accept_terms_async, "accept_terms");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_accept_terms_async);
  accept_terms (self);
}

gboolean
passport_flow_accept_terms_finish (PassportFlow  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_accept_terms_async, error);
}

/* The e-mail ----------------------------------------------------------------- */

static void
bind_again (PassportFlow *self)
{
  g_autofree char *email = g_strdup (self->bind_email);
  g_autoptr(PassportSecret) password = g_strdup (self->pending_password);

  if (email != NULL && password != NULL)
    _passport_flow_bind_email (self, email, password);
  else
    _passport_flow_action_done (self);
}

static PassportAccount *
bind_finish (PassportClient  *client,
             GAsyncResult    *result,
             GError         **error)
{
  /* 200 or 202: the account's pending_email says which. */
  return passport_client_bind_email_finish (client, result, NULL, error);
}

void
_passport_flow_bind_email (PassportFlow *self,
                           const char   *email_in,
                           const char   *password_in)
{
  g_autofree char *email = g_strdup (email_in);
  g_autoptr(PassportSecret) password = g_strdup (password_in);
  GCancellable *step;

  /* Kept so that nothing typed is lost on a conflict. */
  passport_secure_clear (&self->pending_password);
  self->pending_password = g_strdup (password);
  _passport_flow_set_string (self, &self->bind_email, email, PROP_CONFLICT_EMAIL);

  step = _passport_flow_begin_step (self, bind_again);
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
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_bind_email_async, "bind_email");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_bind_email_async);
  _passport_flow_bind_email (self, email, password);
}

gboolean
passport_flow_bind_email_finish (PassportFlow  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_bind_email_async, error);
}

static void
resend_confirmation (PassportFlow *self)
{
  GCancellable *step = _passport_flow_begin_step (self, resend_confirmation);

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
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_resend_confirmation_async,
                                    "resend_confirmation");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_resend_confirmation_async);
  resend_confirmation (self);
}

gboolean
passport_flow_resend_confirmation_finish (PassportFlow  *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_resend_confirmation_async, error);
}

static void
cancel_pending_email (PassportFlow *self)
{
  GCancellable *step = _passport_flow_begin_step (self, cancel_pending_email);

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
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_cancel_pending_email_async,
                                    "cancel_pending_email");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_cancel_pending_email_async);
  cancel_pending_email (self);
}

gboolean
passport_flow_cancel_pending_email_finish (PassportFlow  *self,
                                           GAsyncResult  *result,
                                           GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_cancel_pending_email_async, error);
}

static void
cancel_then_bind_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) change = user_data;
  PassportFlow *self = g_task_get_source_object (change);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) account =
    passport_client_cancel_pending_email_finish (PASSPORT_CLIENT (source), result, &error);
  const char *const *typed = g_task_get_task_data (change);

  if (account == NULL)
    {
      _passport_flow_fail (self, error);
      return;
    }
  /* Still AWAITING_CONFIRMATION for the UI: the bind follows at once. */
  passport_account_update (self->account, account);
  _passport_flow_bind_email (self, typed[0], typed[1]);
}

static void
typed_free (char **typed)
{
  g_free (typed[0]);
  passport_secure_free (typed[1]);
  g_free (typed);
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
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_change_email_async, "change_email");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_change_email_async);

  use_password = password != NULL ? password : self->pending_password;
  if (use_password == NULL)
    {
      _passport_flow_fail_with_code (self, PASSPORT_ERROR_PASSWORD_REQUIRED);
      return;
    }

  step = _passport_flow_begin_step (self, NULL);
  if (passport_account_get_email (self->account) != NULL)
    {
      /* PUT /me/email: the bound address stays until the new one is confirmed. */
      passport_client_change_email_async (self->client, email, use_password, step, account_call_cb,
                                          account_call (self, passport_client_change_email_finish, FALSE));
    }
  else
    {
      /* Nothing bound yet: drop the pending address and bind the new one. */
      GTask *change = g_task_new (self, NULL, NULL, NULL);
      char **typed = g_new0 (char *, 3);

      typed[0] = g_strdup (email);
      typed[1] = g_strdup (use_password);
      g_task_set_task_data (change, typed, (GDestroyNotify) typed_free);
      passport_client_cancel_pending_email_async (self->client, step, cancel_then_bind_cb, change);
    }
}

gboolean
passport_flow_change_email_finish (PassportFlow  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_change_email_async, error);
}

/* The password ----------------------------------------------------------------- */

static void
change_password_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_client_change_password_finish (PASSPORT_CLIENT (source), result, &error))
    _passport_flow_fail (self, error);
  else
    _passport_flow_action_done (self);
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
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_change_password_async,
                                    "change_password");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_change_password_async);
  if (!passport_server_has_account_api (self->server))
    _passport_flow_fail_with_code (self, PASSPORT_ERROR_NOT_SUPPORTED);
  else if (*current_password == '\0')
    _passport_flow_fail_with_code (self, PASSPORT_ERROR_PASSWORD_REQUIRED);
  else
    {
      step = _passport_flow_begin_step (self, NULL);
      passport_client_change_password_async (self->client, current_password, new_password, step,
                                             change_password_cb, g_object_ref (self));
    }
}

gboolean
passport_flow_change_password_finish (PassportFlow  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_change_password_async, error);
}

/* Forgot password (contract section 7) ------------------------------------------ */

/* Where a password is asked for: the sign-in form, and the other account's
 * sign-in while freeing an address; only on a server that offers it. */
gboolean
_passport_flow_can_reset_password (PassportFlow *self)
{
  gboolean at_password = self->state == PASSPORT_FLOW_STATE_SIGNED_OUT ||
                         (self->state == PASSPORT_FLOW_STATE_EMAIL_CONFLICT &&
                          passport_flow_get_conflict_step (self) == PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);

  return at_password && self->server != NULL &&
         passport_server_has_feature (self->server, "password_reset");
}

static void
password_reset_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_server_request_password_reset_finish (PASSPORT_SERVER (source), result, &error))
    _passport_flow_fail (self, error);
  else
    {
      /* Said whoever asked: the action, or Retry after a failure. */
      _passport_flow_emit_password_reset_sent (self, self->reset_email);
      _passport_flow_action_done (self);
    }
}

static void
request_password_reset (PassportFlow *self)
{
  GCancellable *step = _passport_flow_begin_step (self, request_password_reset);

  passport_server_request_password_reset_async (self->server, self->reset_email, step,
                                                password_reset_cb, g_object_ref (self));
}

void
passport_flow_request_password_reset_async (PassportFlow        *self,
                                            const char          *email_in,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autofree char *email = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (email_in != NULL);

  email = g_strstrip (g_strdup (email_in));
  if (!_passport_flow_can_reset_password (self))
    {
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_request_password_reset_async,
                                    "request_password_reset");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_request_password_reset_async);
  g_free (self->reset_email);
  self->reset_email = g_steal_pointer (&email);
  request_password_reset (self);
}

gboolean
passport_flow_request_password_reset_finish (PassportFlow  *self,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_request_password_reset_async, error);
}

/* Retry ------------------------------------------------------------------------ */

void
passport_flow_retry_async (PassportFlow        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  PassportFlowStepFunc retry;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  retry = self->retry;
  if (retry == NULL)
    {
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_retry_async, "retry");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_retry_async);
  retry (self);
}

gboolean
passport_flow_retry_finish (PassportFlow  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_retry_async, error);
}

/* The conflict ----------------------------------------------------------------- */

void
passport_flow_conflict_use_other_email (PassportFlow *self)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (self->state != PASSPORT_FLOW_STATE_EMAIL_CONFLICT)
    return;
  _passport_flow_cancel_running (self);
  _passport_flow_transition (self, PASSPORT_FLOW_STATE_NEEDS_EMAIL);
}

void
passport_flow_conflict_start_freeing (PassportFlow *self)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (self->conflict == NULL)
    return;
  _passport_flow_set_error (self, NULL);
  passport_conflict_start_freeing (self->conflict);
}

/* A conflict step ended: its outcome is the flow action's. */
static void
conflict_step_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (PASSPORT_CONFLICT (source) == self->conflict)
    _passport_flow_drop_browser (self);
  if (!passport_conflict_finish (PASSPORT_CONFLICT (source), result, &error))
    _passport_flow_fail (self, error);
  else
    {
      /* A resend moved the other account's delay. */
      _passport_flow_update_resend_countdown (self);
      _passport_flow_action_done (self);
    }
}

/* The conflict's steps need it, and one step at a time. */
static gboolean
conflict_action_fits (PassportFlow *self)
{
  return self->state == PASSPORT_FLOW_STATE_EMAIL_CONFLICT && self->conflict != NULL;
}

void
passport_flow_conflict_sign_in_with_password_async (PassportFlow        *self,
                                                    const char          *password,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data)
{
  g_autoptr(PassportSecret) copy = g_strdup (password);

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (password != NULL);

  if (!conflict_action_fits (self))
    {
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_conflict_sign_in_with_password_async,
                                    "conflict_sign_in_with_password");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data,
                               passport_flow_conflict_sign_in_with_password_async);
  passport_conflict_sign_in_with_password_async (self->conflict, copy, _passport_flow_begin_step (self, NULL),
                                                 conflict_step_cb, g_object_ref (self));
}

gboolean
passport_flow_conflict_sign_in_with_password_finish (PassportFlow  *self,
                                                     GAsyncResult  *result,
                                                     GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_conflict_sign_in_with_password_async, error);
}

void
passport_flow_conflict_sign_in_with_provider_async (PassportFlow        *self,
                                                    const char          *provider_in,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data)
{
  g_autofree char *provider_id = g_strdup (provider_in);
  PassportBrowserSignIn *browser;
  GCancellable *step;

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (provider_in != NULL);

  if (!conflict_action_fits (self))
    {
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_conflict_sign_in_with_provider_async,
                                    "conflict_sign_in_with_provider");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data,
                               passport_flow_conflict_sign_in_with_provider_async);
  step = _passport_flow_begin_step (self, NULL);
  browser = _passport_flow_new_browser (self, provider_id, self->bind_email);
  passport_conflict_sign_in_with_browser_async (self->conflict, browser, step, conflict_step_cb, g_object_ref (self));
}

gboolean
passport_flow_conflict_sign_in_with_provider_finish (PassportFlow  *self,
                                                     GAsyncResult  *result,
                                                     GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_conflict_sign_in_with_provider_async, error);
}

void
passport_flow_conflict_set_other_email_async (PassportFlow        *self,
                                              const char          *new_email_in,
                                              const char          *password_in,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_autofree char *new_email = g_strdup (new_email_in);
  g_autoptr(PassportSecret) password = g_strdup (password_in);

  g_return_if_fail (PASSPORT_IS_FLOW (self));
  g_return_if_fail (new_email_in != NULL);

  if (!conflict_action_fits (self) || passport_conflict_get_other_account (self->conflict) == NULL)
    {
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_conflict_set_other_email_async,
                                    "conflict_set_other_email");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_conflict_set_other_email_async);
  passport_conflict_set_other_email_async (self->conflict, new_email, password, _passport_flow_begin_step (self, NULL),
                                           conflict_step_cb, g_object_ref (self));
}

gboolean
passport_flow_conflict_set_other_email_finish (PassportFlow  *self,
                                               GAsyncResult  *result,
                                               GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_conflict_set_other_email_async, error);
}

void
passport_flow_conflict_resend_async (PassportFlow        *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (!conflict_action_fits (self) || passport_conflict_get_other_account (self->conflict) == NULL)
    {
      _passport_flow_refuse_action (self, callback, user_data, passport_flow_conflict_resend_async, "conflict_resend");
      return;
    }
  _passport_flow_start_action (self, cancellable, callback, user_data, passport_flow_conflict_resend_async);
  passport_conflict_resend_async (self->conflict, _passport_flow_begin_step (self, NULL),
                                  conflict_step_cb, g_object_ref (self));
}

gboolean
passport_flow_conflict_resend_finish (PassportFlow  *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return _passport_flow_finish_action (self, result, passport_flow_conflict_resend_async, error);
}

/* The account again (two-step set-up, app passwords, another device) ---------- */

static void
reload_account_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportFlow *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr(PassportAccount) account =
    passport_client_get_me_finish (PASSPORT_CLIENT (source), result, &error);

  if (account == NULL)
    {
      /* Signed out from elsewhere (another device's "sign out everywhere",
       * a password reset): the session is over here too, and the sign-in
       * page says why. A running action meets the same end on its own. */
      if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED) &&
          self->client == PASSPORT_CLIENT (source) && self->task == NULL)
        _passport_flow_fail (self, error);
      g_task_return_error (task, error);
      return;
    }
  /* Only for the session it was asked for, and only while signed in: an
   * answer that comes after a sign-out changes nothing. */
  if (self->client == PASSPORT_CLIENT (source) && self->state == PASSPORT_FLOW_STATE_SIGNED_IN)
    _passport_flow_apply_account (self, account);
  g_task_return_boolean (task, TRUE);
}

void
passport_flow_reload_account_async (PassportFlow        *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_flow_reload_account_async);
  if (self->state != PASSPORT_FLOW_STATE_SIGNED_IN || self->client == NULL ||
      self->server == NULL || !passport_server_has_account_api (self->server))
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_ACTION_UNAVAILABLE, "%s",
                               passport_error_code_describe (PASSPORT_ERROR_ACTION_UNAVAILABLE));
      return;
    }
  passport_client_get_me_async (self->client, 0, 0, cancellable, reload_account_cb,
                                g_steal_pointer (&task));
}

gboolean
passport_flow_reload_account_finish (PassportFlow  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Deleting the account (contract 12) --------------------------------------------- */

static void
delete_account_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportFlow *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!passport_client_delete_account_finish (PASSPORT_CLIENT (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Gone at the server: nothing of it is kept here either, not even in the
   * list of accounts (there is nothing to sign in to again). */
  if (self->client == PASSPORT_CLIENT (source))
    {
      _passport_flow_forget_stored_session (self);
      if (self->accounts != NULL && passport_flow_get_account_id (self) != NULL)
        passport_accounts_forget (self->accounts, self->server_url, passport_flow_get_account_id (self));
      _passport_flow_clear_session (self);
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
    }
  g_task_return_boolean (task, TRUE);
}

void
passport_flow_delete_account_async (PassportFlow        *self,
                                    PassportProofKind    proof_kind,
                                    const char          *proof,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_flow_delete_account_async);
  if (self->state != PASSPORT_FLOW_STATE_SIGNED_IN || self->client == NULL ||
      self->server == NULL || !passport_server_has_feature (self->server, "delete_account"))
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_ACTION_UNAVAILABLE, "%s",
                               passport_error_code_describe (PASSPORT_ERROR_ACTION_UNAVAILABLE));
      return;
    }
  passport_client_delete_account_async (self->client, proof_kind, proof, cancellable,
                                        delete_account_cb, g_steal_pointer (&task));
}

gboolean
passport_flow_delete_account_finish (PassportFlow  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
