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

typedef struct
{
  char *server_url;
  char *account_id;
  char *secret;
  GPtrArray *others;   /* accounts of other items of this server, to clear */
} SaveData;

static void
save_data_free (gpointer data)
{
  SaveData *save = data;

  g_free (save->server_url);
  g_free (save->account_id);
  passport_secure_free (save->secret);
  g_clear_pointer (&save->others, g_ptr_array_unref);
  g_free (save);
}

static void save_next (GTask *task);

static void
save_clear_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_clear_finish (result, &error) && error != NULL)
    {
      g_task_return_error (task, map_error (error));
      return;
    }
  save_next (g_steal_pointer (&task));
}

/* Clears the other accounts' items one by one, then stores ours. Our own
 * item is replaced in place, never cleared first: another process reading
 * it meanwhile (passportctl beside the app) must not find it gone. */
static void
save_next (GTask *task)
{
  SaveData *save = g_task_get_task_data (task);
  g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *label = NULL;

  g_hash_table_insert (attributes, (gpointer) "server", save->server_url);
  if (save->others->len > 0)
    {
      g_autofree char *other = g_ptr_array_steal_index (save->others, save->others->len - 1);

      g_hash_table_insert (attributes, (gpointer) "account", other);
      secret_password_clearv (&session_schema, attributes, g_task_get_cancellable (task),
                              save_clear_cb, task);
      return;
    }

  g_hash_table_insert (attributes, (gpointer) "account", save->account_id);
  /* TRANSLATORS: the label of the keyring item; %s is the server address */
  label = g_strdup_printf (_("Passport session for %s"), save->server_url);
  secret_password_storev (&session_schema, attributes, SECRET_COLLECTION_DEFAULT, label,
                          save->secret, g_task_get_cancellable (task), store_cb, task);
}

static void
save_search_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  SaveData *save = g_task_get_task_data (task);
  GError *error = NULL;
  GList *items = secret_password_search_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, map_error (error));
      return;
    }
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr (GHashTable) attributes = secret_retrievable_get_attributes (l->data);
      const char *account = g_hash_table_lookup (attributes, "account");

      if (g_strcmp0 (account, save->account_id) != 0)
        g_ptr_array_add (save->others, g_strdup (account ? account : ""));
    }
  g_list_free_full (items, g_object_unref);
  save_next (g_steal_pointer (&task));
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
  g_autoptr (GHashTable) by_server = g_hash_table_new (g_str_hash, g_str_equal);
  SaveData *save = g_new0 (SaveData, 1);

  g_task_set_source_tag (task, secret_save_async);
  save->server_url = g_strdup (server_url);
  save->account_id = g_strdup (account_id ? account_id : "");
  save->secret = g_strdup (secret);
  save->others = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, save, save_data_free);

  /* One item per server: another account signed in on the same server
   * replaces the old item instead of leaving a second one behind. */
  g_hash_table_insert (by_server, (gpointer) "server", save->server_url);
  secret_password_searchv (&session_schema, by_server, SECRET_SEARCH_ALL, cancellable,
                           save_search_cb, g_steal_pointer (&task));
}

static gboolean
secret_boolean_finish (PassportCredentialStore  *store,
                       GAsyncResult             *result,
                       GError                  **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  char *account_id;
  char *secret;
} Found;

static void
found_free (gpointer data)
{
  Found *found = data;

  g_free (found->account_id);
  passport_secure_free (found->secret);
  g_free (found);
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
  Found *found;

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

  found = g_new0 (Found, 1);
  found->secret = g_strdup (secret_value_get_text (value));
  found->account_id = g_strdup (g_hash_table_lookup (attributes, "account"));
  secret_value_unref (value);
  g_task_return_pointer (task, found, found_free);
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
      g_task_return_pointer (task, g_new0 (Found, 1), found_free);
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

  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) server_url);
  secret_password_searchv (&session_schema, attributes,
                           SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS,
                           g_task_get_cancellable (task), search_cb, task);
}

static void
secret_load_async (PassportCredentialStore *store,
                   const char              *server_url,
                   GCancellable            *cancellable,
                   GAsyncReadyCallback      callback,
                   gpointer                 user_data)
{
  GTask *task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, secret_load_async);
  g_object_set_data_full (G_OBJECT (task), "server-url", g_strdup (server_url), g_free);
  search_again (task);
}

static char *
secret_load_finish (PassportCredentialStore  *store,
                    GAsyncResult             *result,
                    char                    **account_id,
                    GError                  **error)
{
  Found *found = g_task_propagate_pointer (G_TASK (result), error);
  char *secret;

  if (found == NULL)
    return NULL;
  secret = g_steal_pointer (&found->secret);
  if (account_id != NULL && secret != NULL)
    *account_id = g_steal_pointer (&found->account_id);
  found_free (found);
  return secret;
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
                     GCancellable            *cancellable,
                     GAsyncReadyCallback      callback,
                     gpointer                 user_data)
{
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);
  g_autoptr (GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_task_set_source_tag (task, secret_delete_async);
  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) server_url);
  secret_password_clearv (&session_schema, attributes, cancellable, clear_cb,
                          g_steal_pointer (&task));
}

static void
credential_store_iface_init (PassportCredentialStoreInterface *iface)
{
  iface->save_async = secret_save_async;
  iface->save_finish = secret_boolean_finish;
  iface->load_async = secret_load_async;
  iface->load_finish = secret_load_finish;
  iface->delete_async = secret_delete_async;
  iface->delete_finish = secret_boolean_finish;
}
