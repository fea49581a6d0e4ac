/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "passport-memory-store.h"
#include "passport-secure.h"

typedef struct
{
  char *server_url;
  char *account_id;
  char *secret;
} Entry;

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_free (entry->server_url);
  g_free (entry->account_id);
  passport_secure_free (entry->secret);
  g_free (entry);
}

struct _PassportMemoryStore
{
  GObject parent_instance;

  GPtrArray *entries; /* of Entry, oldest first */
};

static void credential_store_iface_init (PassportCredentialStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PassportMemoryStore, passport_memory_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PASSPORT_TYPE_CREDENTIAL_STORE,
                                                      credential_store_iface_init))

static void
passport_memory_store_finalize (GObject *object)
{
  PassportMemoryStore *self = PASSPORT_MEMORY_STORE (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);

  G_OBJECT_CLASS (passport_memory_store_parent_class)->finalize (object);
}

static void
passport_memory_store_class_init (PassportMemoryStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = passport_memory_store_finalize;
}

static void
passport_memory_store_init (PassportMemoryStore *self)
{
  self->entries = g_ptr_array_new_with_free_func (entry_free);
}

PassportMemoryStore *
passport_memory_store_new (void)
{
  return g_object_new (PASSPORT_TYPE_MEMORY_STORE, NULL);
}

/* The index of the entry of @account_id on @server_url (any account when
 * NULL), or -1. */
static int
find_entry (PassportMemoryStore *self,
            const char          *server_url,
            const char          *account_id)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (g_str_equal (entry->server_url, server_url) &&
          (account_id == NULL || g_str_equal (entry->account_id, account_id)))
        return (int) i;
    }
  return -1;
}

static void
memory_save_async (PassportCredentialStore *store,
                   const char              *server_url,
                   const char              *account_id,
                   const char              *secret,
                   GCancellable            *cancellable,
                   GAsyncReadyCallback      callback,
                   gpointer                 user_data)
{
  PassportMemoryStore *self = PASSPORT_MEMORY_STORE (store);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  Entry *entry = g_new0 (Entry, 1);

  int found;

  g_task_set_source_tag (task, memory_save_async);
  entry->server_url = g_strdup (server_url);
  entry->account_id = g_strdup (account_id != NULL ? account_id : "");
  entry->secret = g_strdup (secret);
  found = find_entry (self, server_url, entry->account_id);
  if (found >= 0)
    g_ptr_array_remove_index (self->entries, (guint) found);
  g_ptr_array_add (self->entries, entry);
  g_task_return_boolean (task, TRUE);
}

static gboolean
memory_boolean_finish (PassportCredentialStore  *store,
                       GAsyncResult             *result,
                       GError                  **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
memory_load_async (PassportCredentialStore *store,
                   const char              *server_url,
                   const char              *account_id,
                   GCancellable            *cancellable,
                   GAsyncReadyCallback      callback,
                   gpointer                 user_data)
{
  PassportMemoryStore *self = PASSPORT_MEMORY_STORE (store);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  int found = find_entry (self, server_url, account_id);
  Entry *entry = found >= 0 ? g_ptr_array_index (self->entries, (guint) found) : NULL;

  g_task_set_source_tag (task, memory_load_async);
  if (entry != NULL)
    passport_credential_store_return_loaded (task, g_strdup (entry->account_id), g_strdup (entry->secret));
  else
    passport_credential_store_return_loaded (task, NULL, NULL);
}

static void
memory_delete_async (PassportCredentialStore *store,
                     const char              *server_url,
                     const char              *account_id,
                     GCancellable            *cancellable,
                     GAsyncReadyCallback      callback,
                     gpointer                 user_data)
{
  PassportMemoryStore *self = PASSPORT_MEMORY_STORE (store);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  int found;

  g_task_set_source_tag (task, memory_delete_async);
  while ((found = find_entry (self, server_url, account_id)) >= 0)
    g_ptr_array_remove_index (self->entries, (guint) found);
  g_task_return_boolean (task, TRUE);
}

static void
memory_list_async (PassportCredentialStore *store,
                   GCancellable            *cancellable,
                   GAsyncReadyCallback      callback,
                   gpointer                 user_data)
{
  PassportMemoryStore *self = PASSPORT_MEMORY_STORE (store);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) passport_stored_account_free);

  g_task_set_source_tag (task, memory_list_async);
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      g_ptr_array_add (list, passport_stored_account_new (entry->server_url, entry->account_id));
    }
  g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

static GPtrArray *
memory_list_finish (PassportCredentialStore  *store,
                    GAsyncResult             *result,
                    GError                  **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Nothing outlives the process: the "continue without remembering" store. */
static void
memory_check_async (PassportCredentialStore *store,
                    GCancellable            *cancellable,
                    GAsyncReadyCallback      callback,
                    gpointer                 user_data)
{
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, memory_check_async);
  g_task_return_int (task, PASSPORT_KEYRING_NO_BACKEND);
}

static PassportKeyringHealth
memory_check_finish (PassportCredentialStore *store,
                     GAsyncResult            *result)
{
  return (PassportKeyringHealth) g_task_propagate_int (G_TASK (result), NULL);
}

static void
credential_store_iface_init (PassportCredentialStoreInterface *iface)
{
  iface->save_async = memory_save_async;
  iface->save_finish = memory_boolean_finish;
  iface->load_async = memory_load_async;
  iface->load_finish = passport_credential_store_loaded_finish;
  iface->delete_async = memory_delete_async;
  iface->delete_finish = memory_boolean_finish;
  iface->list_async = memory_list_async;
  iface->list_finish = memory_list_finish;
  iface->check_async = memory_check_async;
  iface->check_finish = memory_check_finish;
}
