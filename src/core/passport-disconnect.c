/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "passport-disconnect.h"
#include "passport-flow.h"

typedef struct
{
  PassportAccounts *accounts;
  PassportFlow *flow;
  char *server_url;
  char *account_id;
  gboolean forget;
  GError *error;
} Disconnect;

static void
disconnect_free (gpointer data)
{
  Disconnect *disconnect = data;

  g_clear_object (&disconnect->flow);
  g_clear_object (&disconnect->accounts);
  g_free (disconnect->server_url);
  g_free (disconnect->account_id);
  g_clear_error (&disconnect->error);
  g_free (disconnect);
}

static void
disconnect_written_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Disconnect *disconnect = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!passport_accounts_flush_finish (PASSPORT_ACCOUNTS (source), result, &error))
    g_debug ("cannot write the list of accounts: %s", error->message);
  if (disconnect->error != NULL)
    g_task_return_error (task, g_steal_pointer (&disconnect->error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
disconnect_flushed_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Disconnect *disconnect = g_task_get_task_data (task);
  PassportAccounts *self = disconnect->accounts;

  passport_flow_flush_finish (PASSPORT_FLOW (source), result, NULL);
  if (disconnect->forget)
    passport_accounts_forget (self, disconnect->server_url, disconnect->account_id);
  passport_accounts_flush_async (self, NULL, disconnect_written_cb, g_object_ref (task));
}

static void
disconnect_signed_out_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Disconnect *disconnect = g_task_get_task_data (task);

  if (!passport_flow_sign_out_finish (PASSPORT_FLOW (source), result, &disconnect->error))
    g_debug ("signing the account out: %s", disconnect->error->message);
  passport_flow_flush_async (PASSPORT_FLOW (source), NULL, disconnect_flushed_cb, g_object_ref (task));
}

static void
disconnect_opened_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* Unreachable or not, the sign-out deletes the stored session. */
  if (!passport_flow_open_account_finish (PASSPORT_FLOW (source), result, &error))
    g_debug ("opening the account to sign it out: %s", error->message);
  if (g_task_return_error_if_cancelled (task))
    return;
  passport_flow_sign_out_async (PASSPORT_FLOW (source), NULL, disconnect_signed_out_cb,
                                g_object_ref (task));
}

void
passport_disconnect_account_async (PassportAccounts    *self,
                                   const char          *server_url,
                                   const char          *account_id,
                                   gboolean             forget,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Disconnect *disconnect;

  g_return_if_fail (PASSPORT_IS_ACCOUNTS (self));
  g_return_if_fail (server_url != NULL && account_id != NULL && *account_id != '\0');

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_disconnect_account_async);
  disconnect = g_new0 (Disconnect, 1);
  disconnect->accounts = g_object_ref (self);
  disconnect->flow = passport_flow_new (passport_accounts_get_store (self));
  disconnect->server_url = g_strdup (server_url);
  disconnect->account_id = g_strdup (account_id);
  disconnect->forget = forget;
  g_task_set_task_data (task, disconnect, disconnect_free);
  passport_flow_set_accounts (disconnect->flow, self);
  passport_flow_open_account_async (disconnect->flow, server_url, account_id, cancellable,
                                    disconnect_opened_cb, g_steal_pointer (&task));
}

gboolean
passport_disconnect_account_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
