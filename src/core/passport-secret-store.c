/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "passport-error.h"
#include "passport-secret-store.h"
#include "passport-secure.h"

struct _PassportSecretStore
{
  GObject parent_instance;
};

static void credential_store_iface_init (PassportCredentialStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PassportSecretStore, passport_secret_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PASSPORT_TYPE_CREDENTIAL_STORE,
                                                      credential_store_iface_init))

static const SecretSchema session_schema = {
  "io.github.passportdesk.Passport.Session",
  SECRET_SCHEMA_NONE,
  {
    { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "account", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

const SecretSchema *
passport_secret_store_get_schema (void)
{
  return &session_schema;
}

static void
passport_secret_store_class_init (PassportSecretStoreClass *klass)
{
}

static void
passport_secret_store_init (PassportSecretStore *self)
{
}

PassportSecretStore *
passport_secret_store_new (void)
{
  return g_object_new (PASSPORT_TYPE_SECRET_STORE, NULL);
}

/* Everything libsecret or D-Bus can say becomes one of our two codes (the
 * page explains them and offers to continue without remembering);
 * cancellation stays cancellation. */
static GError *
map_error (GError *error)
{
  GError *mapped;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      error->domain == PASSPORT_ERROR)
    return error;

  g_debug ("Keyring error: %s", error->message);
  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    mapped = g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_KEYRING_LOCKED,
                                  passport_error_code_describe (PASSPORT_ERROR_KEYRING_LOCKED));
  else
    mapped = g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_KEYRING_UNAVAILABLE,
                                  passport_error_code_describe (PASSPORT_ERROR_KEYRING_UNAVAILABLE));
  g_error_free (error);
  return mapped;
}

static void
store_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, map_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
secret_save_async (PassportCredentialStore *store,
                   const char              *server_url,
                   const char              *account_id,
                   const char              *secret,
                   GCancellable            *cancellable,
                   GAsyncReadyCallback      callback,
                   gpointer                 user_data)
{
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);
  g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *label = NULL;

  g_task_set_source_tag (task, secret_save_async);
  /* One item per account of a server, replaced in place: another process
   * reading it meanwhile (passportctl beside the app) never finds it gone,
   * and the other accounts' items stay. */
  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) server_url);
  g_hash_table_insert (attributes, (gpointer) "account", (gpointer) (account_id ? account_id : ""));
  /* TRANSLATORS: the label of the keyring item; %s is the server address */
  label = g_strdup_printf (_("Passport session for %s"), server_url);
  secret_password_storev (&session_schema, attributes, SECRET_COLLECTION_DEFAULT, label,
                          secret, cancellable, store_cb, g_steal_pointer (&task));
}

static gboolean
secret_boolean_finish (PassportCredentialStore  *store,
                       GAsyncResult             *result,
                       GError                  **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void search_again (GTask *task);

static void
retrieve_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  SecretRetrievable *item = SECRET_RETRIEVABLE (source);
  g_autoptr (GHashTable) attributes = secret_retrievable_get_attributes (item);
  GError *error = NULL;
  SecretValue *value;

  value = secret_retrievable_retrieve_secret_finish (item, result, &error);
  if (error != NULL && g_task_get_task_data (task) == NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Replaced by another process between the search and the read: look
       * once more. */
      g_debug ("keyring item changed while read (%s); searching again", error->message);
      g_error_free (error);
      g_task_set_task_data (task, GINT_TO_POINTER (1), NULL);
      search_again (g_steal_pointer (&task));
      return;
    }
  if (error != NULL)
    {
      g_task_return_error (task, map_error (error));
      return;
    }
  if (value == NULL)
    {
      /* Found but not unlocked: the collection is locked and the user did
       * not (or could not) unlock it. */
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_KEYRING_LOCKED, "%s",
                               passport_error_code_describe (PASSPORT_ERROR_KEYRING_LOCKED));
      return;
    }

  passport_credential_store_return_loaded (task, g_strdup (g_hash_table_lookup (attributes, "account")),
                                           g_strdup (secret_value_get_text (value)));
  secret_value_unref (value);
}

static void
search_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GCancellable *cancellable;
  GError *error = NULL;
  GList *items;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, map_error (error));
      return;
    }

  if (items == NULL)
    {
      /* Nothing stored: not an error. */
      passport_credential_store_return_loaded (task, NULL, NULL);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  secret_retrievable_retrieve_secret (items->data, cancellable, retrieve_cb, g_steal_pointer (&task));
  g_list_free_full (items, g_object_unref);
}

static void
search_again (GTask *task)
{
  g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  const char *server_url = g_object_get_data (G_OBJECT (task), "server-url");
  const char *account_id = g_object_get_data (G_OBJECT (task), "account-id");

  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) server_url);
  if (account_id != NULL)
    g_hash_table_insert (attributes, (gpointer) "account", (gpointer) account_id);
  secret_password_searchv (&session_schema, attributes,
                           SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                           g_task_get_cancellable (task), search_cb, task);
}

static void
secret_load_async (PassportCredentialStore *store,
                   const char              *server_url,
                   const char              *account_id,
                   GCancellable            *cancellable,
                   GAsyncReadyCallback      callback,
                   gpointer                 user_data)
{
  GTask *task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, secret_load_async);
  g_object_set_data_full (G_OBJECT (task), "server-url", g_strdup (server_url), g_free);
  g_object_set_data_full (G_OBJECT (task), "account-id", g_strdup (account_id), g_free);
  search_again (task);
}

static void
clear_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error means nothing was stored: fine. */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_task_return_error (task, map_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
secret_delete_async (PassportCredentialStore *store,
                     const char              *server_url,
                     const char              *account_id,
                     GCancellable            *cancellable,
                     GAsyncReadyCallback      callback,
                     gpointer                 user_data)
{
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);
  g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_task_set_source_tag (task, secret_delete_async);
  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) server_url);
  if (account_id != NULL)
    g_hash_table_insert (attributes, (gpointer) "account", (gpointer) account_id);
  secret_password_clearv (&session_schema, attributes, cancellable, clear_cb,
                          g_steal_pointer (&task));
}

static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  GList *items = secret_password_search_finish (result, &error);
  GPtrArray *list;

  if (error != NULL)
    {
      g_task_return_error (task, map_error (error));
      return;
    }
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) passport_stored_account_free);
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr (GHashTable) attributes = secret_retrievable_get_attributes (l->data);
      const char *server = g_hash_table_lookup (attributes, "server");

      if (server != NULL)
        g_ptr_array_add (list, passport_stored_account_new (server, g_hash_table_lookup (attributes,
                                                                                          "account")));
    }
  g_list_free_full (items, g_object_unref);
  g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

/* The attributes are readable in a locked collection: listing neither
 * unlocks nor reads a secret. */
static void
secret_list_async (PassportCredentialStore *store,
                   GCancellable            *cancellable,
                   GAsyncReadyCallback      callback,
                   gpointer                 user_data)
{
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);
  g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_task_set_source_tag (task, secret_list_async);
  secret_password_searchv (&session_schema, attributes, SECRET_SEARCH_ALL, cancellable, list_cb,
                           g_steal_pointer (&task));
}

static GPtrArray *
secret_list_finish (PassportCredentialStore  *store,
                    GAsyncResult             *result,
                    GError                  **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The health check --------------------------------------------------------- */

/* libsecret keeps secrets in a file unlocked through the Secret portal
 * inside Flatpak (it looks for /.flatpak-info), or when told to
 * (SECRET_BACKEND=file); the Secret Service on the session bus otherwise. */
static gboolean
uses_file_backend (void)
{
  const char *backend = g_getenv ("SECRET_BACKEND");

  if (backend != NULL)
    return g_str_equal (backend, "file");
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/* The Secret Service's default collection (the "login" keyring), for the
 * health check and for unlocking: NULL without an error when there is none
 * yet (the first save makes one). */
static void
default_collection_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  SecretCollection *collection = secret_collection_for_alias_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, collection, g_object_unref);
}

static void
default_collection_service_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  g_autoptr (SecretService) service = secret_service_get_finish (result, &error);

  if (service == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  secret_collection_for_alias (service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE,
                               g_task_get_cancellable (task), default_collection_cb, g_object_ref (task));
}

static void
default_collection_async (GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, default_collection_async);
  secret_service_get (SECRET_SERVICE_NONE, cancellable, default_collection_service_cb, task);
}

static SecretCollection *
default_collection_finish (GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
check_listed_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  GList *items = secret_password_search_finish (result, &error);

  g_list_free_full (items, g_object_unref);
  if (error != NULL)
    g_debug ("keyring (file backend): %s", error->message);
  g_task_return_int (task, error != NULL ? PASSPORT_KEYRING_MISSING
                          : g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) ? PASSPORT_KEYRING_SANDBOXED
                          : PASSPORT_KEYRING_AVAILABLE);
}

static void
check_collection_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SecretCollection) collection = default_collection_finish (result, &error);

  if (error != NULL)
    {
      g_debug ("keyring: %s", error->message);
      g_task_return_int (task, PASSPORT_KEYRING_MISSING);
      return;
    }
  /* No default collection yet: the first save makes one (asking for its
   * password): nothing is wrong now. */
  g_task_return_int (task, collection != NULL && secret_collection_get_locked (collection)
                             ? PASSPORT_KEYRING_LOCKED : PASSPORT_KEYRING_AVAILABLE);
}

static void
secret_check_async (PassportCredentialStore *store,
                    GCancellable            *cancellable,
                    GAsyncReadyCallback      callback,
                    gpointer                 user_data)
{
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, secret_check_async);
  if (uses_file_backend ())
    {
      g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

      /* Listing our items (no secret read) opens the file through the
       * portal: it works or says why not. */
      secret_password_searchv (&session_schema, attributes, SECRET_SEARCH_NONE, cancellable,
                               check_listed_cb, g_steal_pointer (&task));
      return;
    }
  default_collection_async (cancellable, check_collection_cb, g_steal_pointer (&task));
}

static PassportKeyringHealth
secret_check_finish (PassportCredentialStore *store,
                     GAsyncResult            *result)
{
  gssize health = g_task_propagate_int (G_TASK (result), NULL);

  return health < 0 ? PASSPORT_KEYRING_MISSING : (PassportKeyringHealth) health;
}

static void
unlocked_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  GList *unlocked = NULL;
  int count = secret_service_unlock_finish (SECRET_SERVICE (source), result, &unlocked, &error);

  g_list_free_full (unlocked, g_object_unref);
  if (error != NULL)
    g_task_return_error (task, map_error (error));
  else if (count == 0)
    /* Dismissed, or a wrong password given up on. */
    g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_KEYRING_LOCKED, "%s",
                             passport_error_code_describe (PASSPORT_ERROR_KEYRING_LOCKED));
  else
    g_task_return_boolean (task, TRUE);
}

static void
unlock_collection_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  g_autoptr (SecretCollection) collection = default_collection_finish (result, &error);
  GList *objects;

  if (error != NULL)
    {
      g_task_return_error (task, map_error (error));
      return;
    }
  if (collection == NULL || !secret_collection_get_locked (collection))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  objects = g_list_append (NULL, collection);
  /* The keyring asks the user for the password itself (its prompter). */
  secret_service_unlock (secret_collection_get_service (collection), objects,
                         g_task_get_cancellable (task), unlocked_cb, g_object_ref (task));
  g_list_free (objects);
}

static void
secret_unlock_async (PassportCredentialStore *store,
                     GCancellable            *cancellable,
                     GAsyncReadyCallback      callback,
                     gpointer                 user_data)
{
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, secret_unlock_async);
  if (uses_file_backend ())
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  default_collection_async (cancellable, unlock_collection_cb, g_steal_pointer (&task));
}

static gboolean
secret_unlock_finish (PassportCredentialStore  *store,
                      GAsyncResult             *result,
                      GError                  **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
credential_store_iface_init (PassportCredentialStoreInterface *iface)
{
  iface->save_async = secret_save_async;
  iface->save_finish = secret_boolean_finish;
  iface->load_async = secret_load_async;
  iface->load_finish = passport_credential_store_loaded_finish;
  iface->delete_async = secret_delete_async;
  iface->delete_finish = secret_boolean_finish;
  iface->list_async = secret_list_async;
  iface->list_finish = secret_list_finish;
  iface->check_async = secret_check_async;
  iface->check_finish = secret_check_finish;
  iface->unlock_async = secret_unlock_async;
  iface->unlock_finish = secret_unlock_finish;
}
