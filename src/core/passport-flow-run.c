// SPDX-License-Identifier: GPL-3.0-or-later
//
// How a PassportFlow action runs: the GTask of whoever started it, a fresh
// cancellable per step, and the one way each ends (done, ended with its
// answer, failed, cancelled). The steps themselves are in
// passport-flow-session.c and passport-flow-actions.c.
#include "config.h"

#include "passport-error.h"
#include "passport-flow-private.h"

gboolean
_passport_flow_is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The outcome goes to whoever started the action. The task is dropped
 * before it returns, so a callback that starts the next action finds none. */
void
_passport_flow_complete_action (PassportFlow *self,
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

/* A public action owns the flow until it finishes; one still running ends
 * as cancelled. */
void
_passport_flow_start_action (PassportFlow        *self,
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
      _passport_flow_complete_action (self, superseded);
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
void
_passport_flow_refuse_action (PassportFlow        *self,
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

gboolean
_passport_flow_finish_action (PassportFlow  *self,
                              GAsyncResult  *result,
                              gpointer       source_tag,
                              GError       **error)
{
  g_return_val_if_fail (PASSPORT_IS_FLOW (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A fresh cancellable for the next step of an action (the previous one is
 * cancelled); @retry is what Retry does if this step fails. */
GCancellable *
_passport_flow_begin_step (PassportFlow         *self,
                           PassportFlowStepFunc  retry)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->retry = retry;
  _passport_flow_set_error (self, NULL);
  _passport_flow_set_busy (self, TRUE);
  return self->cancellable;
}

/* The action reached its outcome; the properties have moved already. */
void
_passport_flow_action_done (PassportFlow *self)
{
  _passport_flow_set_busy (self, FALSE);
  _passport_flow_complete_action (self, NULL);
}

/* The action ended with @error as its answer, not shown as a failure. */
void
_passport_flow_action_ended (PassportFlow *self,
                             const GError *error)
{
  _passport_flow_set_busy (self, FALSE);
  _passport_flow_complete_action (self, error);
}

/* An action failed: the state stays (the page shows the error and a way
 * forward), unless the session is gone for good. */
void
_passport_flow_fail (PassportFlow *self,
                     const GError *error)
{
  /* Whoever cancelled has told the caller, and set busy for what follows. */
  if (_passport_flow_is_cancelled (error))
    return;

  if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED))
    {
      _passport_flow_forget_stored_session (self);
      _passport_flow_clear_session (self);
      _passport_flow_transition (self, PASSPORT_FLOW_STATE_SIGNED_OUT);
    }

  if (error->domain == PASSPORT_ERROR && passport_error_get_retry_after (error) > 0)
    _passport_flow_set_retry_after_seconds (self, passport_error_get_retry_after (error));

  /* The error first: whoever sees busy fall must see how it ended. */
  _passport_flow_set_error (self, error);
  _passport_flow_action_ended (self, error);
}

void
_passport_flow_fail_with_code (PassportFlow      *self,
                               PassportErrorCode  code)
{
  g_autoptr(GError) error = g_error_new_literal (PASSPORT_ERROR, code, passport_error_code_describe (code));

  _passport_flow_fail (self, error);
}

/* Ends what runs: its step is cancelled, its caller told. */
void
_passport_flow_cancel_running (PassportFlow *self)
{
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  _passport_flow_set_busy (self, FALSE);
  _passport_flow_set_error (self, NULL);
  _passport_flow_complete_action (self, cancelled);
}
