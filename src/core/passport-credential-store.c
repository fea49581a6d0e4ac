/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "passport-credential-store.h"
#include "passport-http-private.h"
#include "passport-secure.h"

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

/* What a load found. */
typedef struct
{
  char *account_id;
  char *secret;
} Loaded;

static void
loaded_free (gpointer data)
{
  Loaded *loaded = data;

  g_free (loaded->account_id);
  passport_secure_free (loaded->secret);
  g_free (loaded);
}

void
passport_credential_store_return_loaded (GTask *task,
                                         char  *account_id,
                                         char  *secret)
{
  Loaded *loaded = g_new0 (Loaded, 1);

  loaded->account_id = account_id;
  loaded->secret = secret;
  g_task_return_pointer (task, loaded, loaded_free);
}

char *
passport_credential_store_loaded_finish (PassportCredentialStore  *self,
                                         GAsyncResult             *result,
                                         char                    **account_id,
                                         GError                  **error)
{
  Loaded *loaded = g_task_propagate_pointer (G_TASK (result), error);
  char *secret;

  if (loaded == NULL)
    return NULL;
  secret = g_steal_pointer (&loaded->secret);
  if (account_id != NULL && secret != NULL)
    *account_id = g_steal_pointer (&loaded->account_id);
  loaded_free (loaded);
  return secret;
}

static void
default_check_async (PassportCredentialStore *self,
                     GCancellable            *cancellable,
                     GAsyncReadyCallback      callback,
                     gpointer                 user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, default_check_async);
  g_task_return_int (task, PASSPORT_KEYRING_AVAILABLE);
}

static PassportKeyringHealth
default_check_finish (PassportCredentialStore *self,
                      GAsyncResult            *result)
{
  gssize health = g_task_propagate_int (G_TASK (result), NULL);

  return health < 0 ? PASSPORT_KEYRING_MISSING : (PassportKeyringHealth) health;
}

static void
default_unlock_async (PassportCredentialStore *self,
                      GCancellable            *cancellable,
                      GAsyncReadyCallback      callback,
                      gpointer                 user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, default_unlock_async);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "This keyring cannot be unlocked from here");
}

static gboolean
default_unlock_finish (PassportCredentialStore  *self,
                       GAsyncResult             *result,
                       GError                  **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
passport_credential_store_default_init (PassportCredentialStoreInterface *iface)
{
  iface->check_async = default_check_async;
  iface->check_finish = default_check_finish;
  iface->unlock_async = default_unlock_async;
  iface->unlock_finish = default_unlock_finish;
  /* Before any store starts a thread that connects (libsecret's D-Bus):
   * the types both need, made here, on this thread (passport-http.c). */
  passport_http_ensure_types ();
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

void
passport_credential_store_check_async (PassportCredentialStore *self,
                                       GCancellable            *cancellable,
                                       GAsyncReadyCallback      callback,
                                       gpointer                 user_data)
{
  g_return_if_fail (PASSPORT_IS_CREDENTIAL_STORE (self));
  PASSPORT_CREDENTIAL_STORE_GET_IFACE (self)->check_async (self, cancellable, callback, user_data);
}

PassportKeyringHealth
passport_credential_store_check_finish (PassportCredentialStore *self,
                                        GAsyncResult            *result)
{
  g_return_val_if_fail (PASSPORT_IS_CREDENTIAL_STORE (self), PASSPORT_KEYRING_MISSING);
  return PASSPORT_CREDENTIAL_STORE_GET_IFACE (self)->check_finish (self, result);
}

void
passport_credential_store_unlock_async (PassportCredentialStore *self,
                                        GCancellable            *cancellable,
                                        GAsyncReadyCallback      callback,
                                        gpointer                 user_data)
{
  g_return_if_fail (PASSPORT_IS_CREDENTIAL_STORE (self));
  PASSPORT_CREDENTIAL_STORE_GET_IFACE (self)->unlock_async (self, cancellable, callback, user_data);
}

gboolean
passport_credential_store_unlock_finish (PassportCredentialStore  *self,
                                         GAsyncResult             *result,
                                         GError                  **error)
{
  g_return_val_if_fail (PASSPORT_IS_CREDENTIAL_STORE (self), FALSE);
  return PASSPORT_CREDENTIAL_STORE_GET_IFACE (self)->unlock_finish (self, result, error);
}

const char *
passport_keyring_health_to_string (PassportKeyringHealth health)
{
  switch (health)
    {
    case PASSPORT_KEYRING_AVAILABLE: return "available";
    case PASSPORT_KEYRING_LOCKED: return "locked";
    case PASSPORT_KEYRING_MISSING: return "missing";
    case PASSPORT_KEYRING_SANDBOXED: return "sandboxed";
    case PASSPORT_KEYRING_NO_BACKEND: return "no-backend";
    default: return "unknown";
    }
}

const char *
passport_keyring_health_describe (PassportKeyringHealth health)
{
  switch (health)
    {
    case PASSPORT_KEYRING_AVAILABLE:
      return NULL;
    case PASSPORT_KEYRING_LOCKED:
      return _("The keyring is locked. Unlock it with its password to remember your sign-in, "
               "or sign in without remembering it.");
    case PASSPORT_KEYRING_MISSING:
      return _("No keyring is running, so your sign-in cannot be remembered. Install and start one "
               "(GNOME Keyring, or KeePassXC with its Secret Service on), or sign in without "
               "remembering it.");
    case PASSPORT_KEYRING_SANDBOXED:
      return _("Your sign-in is kept in the keyring through the Secret portal of the sandbox.");
    case PASSPORT_KEYRING_NO_BACKEND:
    default:
      return _("Your sign-in is not remembered: it ends when Passport closes.");
    }
}
