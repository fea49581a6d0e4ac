// SPDX-License-Identifier: GPL-3.0-or-later
//
// The keyring's health as the flow shows it (available, locked, missing),
// checked when the flow is made and on request, and unlocking it.
#include "config.h"

#include "passport-flow-private.h"

PassportKeyringHealth
passport_flow_get_keyring_health (PassportFlow *self)
{
  g_return_val_if_fail (PASSPORT_IS_FLOW (self), PASSPORT_KEYRING_AVAILABLE);
  return self->keyring_health;
}

static void
keyring_checked_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PassportFlow) self = user_data;
  PassportKeyringHealth health =
    passport_credential_store_check_finish (PASSPORT_CREDENTIAL_STORE (source), result);

  if (g_task_had_error (G_TASK (result)) || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  g_clear_object (&self->keyring_check);
  if (self->keyring_health == health)
    return;
  self->keyring_health = health;
  _passport_flow_notify (self, PROP_KEYRING_HEALTH);
}

void
passport_flow_check_keyring (PassportFlow *self)
{
  g_return_if_fail (PASSPORT_IS_FLOW (self));

  if (self->keyring_check != NULL)
    g_cancellable_cancel (self->keyring_check);
  g_clear_object (&self->keyring_check);
  self->keyring_check = g_cancellable_new ();
  passport_credential_store_check_async (self->store, self->keyring_check, keyring_checked_cb,
                                         g_object_ref (self));
}

static void
unlocked_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportFlow *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!passport_credential_store_unlock_finish (PASSPORT_CREDENTIAL_STORE (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  _passport_flow_set_keyring_unavailable (self, FALSE);
  passport_flow_check_keyring (self);
  g_task_return_boolean (task, TRUE);
}

void
passport_flow_unlock_keyring_async (PassportFlow        *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PASSPORT_IS_FLOW (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_flow_unlock_keyring_async);
  passport_credential_store_unlock_async (self->store, cancellable, unlocked_cb, g_steal_pointer (&task));
}

gboolean
passport_flow_unlock_keyring_finish (PassportFlow  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
