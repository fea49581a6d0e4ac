/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "passport-credential-store.h"

G_DEFINE_INTERFACE (PassportCredentialStore, passport_credential_store, G_TYPE_OBJECT)

PassportStoredAccount *
passport_stored_account_new (const char *server_url,
                             const char *account_id)
{
  PassportStoredAccount *stored = g_new0 (PassportStoredAccount, 1);

  stored->server_url = g_strdup (server_url);
  stored->account_id = g_strdup (account_id != NULL ? account_id : "");
  return stored;
}

void
passport_stored_account_free (PassportStoredAccount *stored)
{
  if (stored == NULL)
    return;
  g_free (stored->server_url);
  g_free (stored->account_id);
  g_free (stored);
}

static void
passport_credential_store_default_init (PassportCredentialStoreInterface *iface)
{
}

void
passport_credential_store_save_async (PassportCredentialStore *self,
                                      const char              *server_url,
                                      const char              *account_id,
                                      const char              *secret,
                                      GCancellable            *cancellable,
                                      GAsyncReadyCallback      callback,
                                      gpointer                 user_data)
{
  g_return_if_fail (PASSPORT_IS_CREDENTIAL_STORE (self));
  g_return_if_fail (server_url != NULL);
  g_return_if_fail (secret != NULL);

  PASSPORT_CREDENTIAL_STORE_GET_IFACE (self)->save_async (self, server_url, account_id, secret,
                                                          cancellable, callback, user_data);
}

gboolean
passport_credential_store_save_finish (PassportCredentialStore  *self,
                                       GAsyncResult             *result,
                                       GError                  **error)
{
  g_return_val_if_fail (PASSPORT_IS_CREDENTIAL_STORE (self), FALSE);
  return PASSPORT_CREDENTIAL_STORE_GET_IFACE (self)->save_finish (self, result, error);
}

void
passport_credential_store_load_async (PassportCredentialStore *self,
                                      const char              *server_url,
                                      const char              *account_id,
                                      GCancellable            *cancellable,
                                      GAsyncReadyCallback      callback,
                                      gpointer                 user_data)
{
  g_return_if_fail (PASSPORT_IS_CREDENTIAL_STORE (self));
  g_return_if_fail (server_url != NULL);

  PASSPORT_CREDENTIAL_STORE_GET_IFACE (self)->load_async (self, server_url, account_id, cancellable,
                                                          callback, user_data);
}

char *
passport_credential_store_load_finish (PassportCredentialStore  *self,
                                       GAsyncResult             *result,
                                       char                    **account_id,
                                       GError                  **error)
{
  g_return_val_if_fail (PASSPORT_IS_CREDENTIAL_STORE (self), NULL);
  if (account_id != NULL)
    *account_id = NULL;
  return PASSPORT_CREDENTIAL_STORE_GET_IFACE (self)->load_finish (self, result, account_id, error);
}

void
passport_credential_store_delete_async (PassportCredentialStore *self,
                                        const char              *server_url,
                                        const char              *account_id,
                                        GCancellable            *cancellable,
                                        GAsyncReadyCallback      callback,
                                        gpointer                 user_data)
{
  g_return_if_fail (PASSPORT_IS_CREDENTIAL_STORE (self));
  g_return_if_fail (server_url != NULL);

  PASSPORT_CREDENTIAL_STORE_GET_IFACE (self)->delete_async (self, server_url, account_id, cancellable,
                                                            callback, user_data);
}

gboolean
passport_credential_store_delete_finish (PassportCredentialStore  *self,
                                         GAsyncResult             *result,
                                         GError                  **error)
{
  g_return_val_if_fail (PASSPORT_IS_CREDENTIAL_STORE (self), FALSE);
  return PASSPORT_CREDENTIAL_STORE_GET_IFACE (self)->delete_finish (self, result, error);
}

void
passport_credential_store_list_async (PassportCredentialStore *self,
                                      GCancellable            *cancellable,
                                      GAsyncReadyCallback      callback,
                                      gpointer                 user_data)
{
  g_return_if_fail (PASSPORT_IS_CREDENTIAL_STORE (self));
  PASSPORT_CREDENTIAL_STORE_GET_IFACE (self)->list_async (self, cancellable, callback, user_data);
}

GPtrArray *
passport_credential_store_list_finish (PassportCredentialStore  *self,
                                       GAsyncResult             *result,
                                       GError                  **error)
{
  g_return_val_if_fail (PASSPORT_IS_CREDENTIAL_STORE (self), NULL);
  return PASSPORT_CREDENTIAL_STORE_GET_IFACE (self)->list_finish (self, result, error);
}
