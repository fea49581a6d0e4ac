/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PASSPORT_TYPE_CREDENTIAL_STORE (passport_credential_store_get_type ())
G_DECLARE_INTERFACE (PassportCredentialStore, passport_credential_store, PASSPORT, CREDENTIAL_STORE, GObject)

/* Where the session of one server is remembered: one secret (the line of
 * JSON from passport_session_serialize(), never a password) per server URL,
 * with the account id beside it. Implementations: PassportSecretStore (the
 * system keyring) and PassportMemoryStore ("don't remember me").
 * Errors: PASSPORT_ERROR_KEYRING_UNAVAILABLE, PASSPORT_ERROR_KEYRING_LOCKED. */
struct _PassportCredentialStoreInterface
{
  GTypeInterface parent_iface;

  void     (*save_async)    (PassportCredentialStore *self,
                             const char              *server_url,
                             const char              *account_id,
                             const char              *secret,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data);
  gboolean (*save_finish)   (PassportCredentialStore *self,
                             GAsyncResult            *result,
                             GError                 **error);
  void     (*load_async)    (PassportCredentialStore *self,
                             const char              *server_url,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data);
  char *   (*load_finish)   (PassportCredentialStore *self,
                             GAsyncResult            *result,
                             char                   **account_id,
                             GError                 **error);
  void     (*delete_async)  (PassportCredentialStore *self,
                             const char              *server_url,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data);
  gboolean (*delete_finish) (PassportCredentialStore *self,
                             GAsyncResult            *result,
                             GError                 **error);
};

/* Stores @secret for @server_url, replacing what was there. */
void     passport_credential_store_save_async    (PassportCredentialStore *self,
                                                  const char              *server_url,
                                                  const char              *account_id,
                                                  const char              *secret,
                                                  GCancellable            *cancellable,
                                                  GAsyncReadyCallback      callback,
                                                  gpointer                 user_data);
gboolean passport_credential_store_save_finish   (PassportCredentialStore  *self,
                                                  GAsyncResult             *result,
                                                  GError                  **error);

/* Looks up the secret stored for @server_url. */
void     passport_credential_store_load_async    (PassportCredentialStore *self,
                                                  const char              *server_url,
                                                  GCancellable            *cancellable,
                                                  GAsyncReadyCallback      callback,
                                                  gpointer                 user_data);
/* Returns the secret (free with passport_secure_free()), or NULL without
 * an error when nothing is stored, or NULL with @error. @account_id (may be
 * NULL) receives the stored account id (g_free). */
char    *passport_credential_store_load_finish   (PassportCredentialStore  *self,
                                                  GAsyncResult             *result,
                                                  char                    **account_id,
                                                  GError                  **error);

/* Forgets what is stored for @server_url; nothing stored is not an error. */
void     passport_credential_store_delete_async  (PassportCredentialStore *self,
                                                  const char              *server_url,
                                                  GCancellable            *cancellable,
                                                  GAsyncReadyCallback      callback,
                                                  gpointer                 user_data);
gboolean passport_credential_store_delete_finish (PassportCredentialStore  *self,
                                                  GAsyncResult             *result,
                                                  GError                  **error);

G_END_DECLS
