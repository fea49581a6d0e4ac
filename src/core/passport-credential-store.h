/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PASSPORT_TYPE_CREDENTIAL_STORE (passport_credential_store_get_type ())
G_DECLARE_INTERFACE (PassportCredentialStore, passport_credential_store, PASSPORT, CREDENTIAL_STORE, GObject)

/* Where sessions are remembered: one secret (the line of JSON from
 * passport_session_serialize(), never a password) per account of a server,
 * keyed by the server URL and the account id (the token's subject), so one
 * store holds any number of accounts on any number of servers.
 * Implementations: PassportSecretStore (the system keyring through the
 * Secret Service, or the Secret portal inside Flatpak) and
 * PassportMemoryStore ("don't remember me"); others per platform.
 * Errors: PASSPORT_ERROR_KEYRING_UNAVAILABLE, PASSPORT_ERROR_KEYRING_LOCKED. */

/* What the store can do now, as the first page and `passportctl status`
 * show it before it matters. */
typedef enum
{
  PASSPORT_KEYRING_AVAILABLE,  /* sessions are remembered */
  PASSPORT_KEYRING_LOCKED,     /* the keyring is locked: unlocking asks for its password */
  PASSPORT_KEYRING_MISSING,    /* no keyring service answers (none installed or running) */
  PASSPORT_KEYRING_SANDBOXED,  /* inside Flatpak: kept through the Secret portal */
  PASSPORT_KEYRING_NO_BACKEND, /* nothing is remembered (no store on this system, or the
                                * user chose to continue without) */
} PassportKeyringHealth;

/* One stored item, as listed: no secret. */
typedef struct
{
  char *server_url;
  char *account_id;
} PassportStoredAccount;

PassportStoredAccount *passport_stored_account_new  (const char            *server_url,
                                                     const char            *account_id);
void                   passport_stored_account_free (PassportStoredAccount *stored);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PassportStoredAccount, passport_stored_account_free)

/* For backends: answers a load on @task with what was found. @account_id
 * and @secret (wiped when freed) are taken; NULL @secret: nothing stored. */
void  passport_credential_store_return_loaded (GTask                    *task,
                                               char                     *account_id,
                                               char                     *secret);
/* For backends: the load_finish of one that answers with
 * passport_credential_store_return_loaded(). */
char *passport_credential_store_loaded_finish (PassportCredentialStore  *self,
                                               GAsyncResult             *result,
                                               char                    **account_id,
                                               GError                  **error);
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
                             const char              *account_id,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data);
  char *   (*load_finish)   (PassportCredentialStore *self,
                             GAsyncResult            *result,
                             char                   **account_id,
                             GError                 **error);
  void     (*delete_async)  (PassportCredentialStore *self,
                             const char              *server_url,
                             const char              *account_id,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data);
  gboolean (*delete_finish) (PassportCredentialStore *self,
                             GAsyncResult            *result,
                             GError                 **error);
  void     (*list_async)    (PassportCredentialStore *self,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data);
  GPtrArray *(*list_finish) (PassportCredentialStore *self,
                             GAsyncResult            *result,
                             GError                 **error);
  /* Optional: by default AVAILABLE, and unlocking is not supported. */
  void     (*check_async)   (PassportCredentialStore *self,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data);
  PassportKeyringHealth (*check_finish) (PassportCredentialStore *self,
                                         GAsyncResult            *result);
  void     (*unlock_async)  (PassportCredentialStore *self,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data);
  gboolean (*unlock_finish) (PassportCredentialStore *self,
                             GAsyncResult            *result,
                             GError                 **error);
};

/* Stores @secret for @account_id on @server_url, replacing that account's
 * item only: other accounts, of this server or others, stay. */
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

/* Looks up the secret stored for @account_id on @server_url; with
 * @account_id NULL, for any one account of @server_url. */
void     passport_credential_store_load_async    (PassportCredentialStore *self,
                                                  const char              *server_url,
                                                  const char              *account_id,
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

/* Forgets what is stored for @account_id on @server_url (with @account_id
 * NULL: for every account of @server_url); nothing stored is not an error. */
void     passport_credential_store_delete_async  (PassportCredentialStore *self,
                                                  const char              *server_url,
                                                  const char              *account_id,
                                                  GCancellable            *cancellable,
                                                  GAsyncReadyCallback      callback,
                                                  gpointer                 user_data);
gboolean passport_credential_store_delete_finish (PassportCredentialStore  *self,
                                                  GAsyncResult             *result,
                                                  GError                  **error);

/* Every stored item, without reading a secret (a locked keyring is not
 * unlocked for it). */
void       passport_credential_store_list_async  (PassportCredentialStore *self,
                                                  GCancellable            *cancellable,
                                                  GAsyncReadyCallback      callback,
                                                  gpointer                 user_data);
/* Returns PassportStoredAccount items (g_ptr_array_unref), or NULL with
 * @error. */
GPtrArray *passport_credential_store_list_finish (PassportCredentialStore  *self,
                                                  GAsyncResult             *result,
                                                  GError                  **error);

/* Looks at the keyring without reading or writing a secret. Never fails:
 * what goes wrong is a state. */
void                  passport_credential_store_check_async   (PassportCredentialStore *self,
                                                               GCancellable            *cancellable,
                                                               GAsyncReadyCallback      callback,
                                                               gpointer                 user_data);
PassportKeyringHealth passport_credential_store_check_finish  (PassportCredentialStore *self,
                                                               GAsyncResult            *result);
/* Asks the keyring to unlock (it asks the user for its password). FALSE
 * with PASSPORT_ERROR_KEYRING_LOCKED when the user dismissed it, or
 * G_IO_ERROR_NOT_SUPPORTED. */
void                  passport_credential_store_unlock_async  (PassportCredentialStore *self,
                                                               GCancellable            *cancellable,
                                                               GAsyncReadyCallback      callback,
                                                               gpointer                 user_data);
gboolean              passport_credential_store_unlock_finish (PassportCredentialStore  *self,
                                                               GAsyncResult             *result,
                                                               GError                  **error);
/* A word for scripts: "available", "locked", "missing", "sandboxed",
 * "no-backend". */
const char           *passport_keyring_health_to_string       (PassportKeyringHealth health);
/* What it means and what the user can do, translated; NULL for AVAILABLE. */
const char           *passport_keyring_health_describe        (PassportKeyringHealth health);

G_END_DECLS
