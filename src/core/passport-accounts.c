/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "passport-accounts.h"
#include "passport-error.h"

#define MAIN_GROUP "Passport"
#define ACTIVE_KEY "active"

struct _PassportAccounts
{
  GObject parent_instance;

  PassportCredentialStore *store;
  GFile *file;
  GKeyFile *keyfile;
  GHashTable *stored;     /* "server\naccount" of the store's items; NULL: unknown */
  GPtrArray *items;       /* of PassportKnownAccount */

  GCancellable *cancellable;
  gboolean writing;
  gboolean dirty;         /* changed while a write was running */
  GError *write_error;    /* of the last write */
  GPtrArray *flushes;     /* GTasks waiting for the writes */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PassportAccounts, passport_accounts, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
get_item_type (GListModel *model)
{
  return PASSPORT_TYPE_KNOWN_ACCOUNT;
}

static guint
get_n_items (GListModel *model)
{
  return PASSPORT_ACCOUNTS (model)->items->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  PassportAccounts *self = PASSPORT_ACCOUNTS (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
passport_accounts_dispose (GObject *object)
{
  PassportAccounts *self = PASSPORT_ACCOUNTS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (passport_accounts_parent_class)->dispose (object);
}

static void
passport_accounts_finalize (GObject *object)
{
  PassportAccounts *self = PASSPORT_ACCOUNTS (object);

  g_clear_object (&self->file);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->keyfile, g_key_file_unref);
  g_clear_pointer (&self->stored, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->flushes, g_ptr_array_unref);
  g_clear_error (&self->write_error);

  G_OBJECT_CLASS (passport_accounts_parent_class)->finalize (object);
}

static void
passport_accounts_class_init (PassportAccountsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = passport_accounts_dispose;
  object_class->finalize = passport_accounts_finalize;
}

static void
passport_accounts_init (PassportAccounts *self)
{
  self->keyfile = g_key_file_new ();
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->flushes = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
}

char *
passport_accounts_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "passport", "accounts.ini", NULL);
}

PassportAccounts *
passport_accounts_new (PassportCredentialStore *store,
                       const char              *path)
{
  PassportAccounts *self;
  g_autofree char *default_path = NULL;

  g_return_val_if_fail (PASSPORT_IS_CREDENTIAL_STORE (store), NULL);

  self = g_object_new (PASSPORT_TYPE_ACCOUNTS, NULL);
  self->store = g_object_ref (store);
  if (path == NULL)
    path = default_path = passport_accounts_default_path ();
  self->file = g_file_new_for_path (path);
  return self;
}

static char *
stored_key (const char *server_url,
            const char *account_id)
{
  return g_strconcat (server_url, "\n", account_id, NULL);
}

/* Server URLs may hold what a group name may not ("[::1]"): the group is
 * named by a digest, and the URL is a key inside it. */
static char *
group_name (const char *server_url,
            const char *account_id)
{
  g_autofree char *key = stored_key (server_url, account_id);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);

  return g_strdup_printf ("account %.16s", digest);
}

/* Builds the list again from the key file and the store's items, and says
 * so: the key file's accounts in their order, then stored ones it does not
 * know (an older version's, or another program's). */
static void
rebuild (PassportAccounts *self)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) groups = g_key_file_get_groups (self->keyfile, NULL);
  g_autofree char *active = g_key_file_get_string (self->keyfile, MAIN_GROUP, ACTIVE_KEY, NULL);
  guint removed = self->items->len;

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *server = g_key_file_get_string (self->keyfile, groups[i], "server", NULL);
      g_autofree char *account = g_key_file_get_string (self->keyfile, groups[i], "account", NULL);
      g_autofree char *email = NULL;
      g_autofree char *name = NULL;
      g_autofree char *key = NULL;
      PassportKnownAccountState state;

      if (!g_str_has_prefix (groups[i], "account ") || server == NULL || account == NULL)
        continue;
      key = stored_key (server, account);
      if (g_hash_table_contains (listed, key))
        continue;
      email = g_key_file_get_string (self->keyfile, groups[i], "email", NULL);
      name = g_key_file_get_string (self->keyfile, groups[i], "name", NULL);
      if (self->stored == NULL)
        state = PASSPORT_KNOWN_ACCOUNT_UNKNOWN;
      else if (g_hash_table_contains (self->stored, key))
        state = PASSPORT_KNOWN_ACCOUNT_SIGNED_IN;
      else
        state = PASSPORT_KNOWN_ACCOUNT_NEEDS_SIGN_IN;
      g_ptr_array_add (items, passport_known_account_new (server, account, email, name, state,
                                                          g_strcmp0 (active, groups[i]) == 0));
      g_hash_table_add (listed, g_steal_pointer (&key));
    }

  if (self->stored != NULL)
    {
      g_autoptr(GList) keys = g_hash_table_get_keys (self->stored);

      keys = g_list_sort (keys, (GCompareFunc) g_strcmp0);
      for (GList *l = keys; l != NULL; l = l->next)
        {
          g_auto(GStrv) parts = NULL;
          g_autofree char *group = NULL;

          if (g_hash_table_contains (listed, l->data))
            continue;
          parts = g_strsplit (l->data, "\n", 2);
          group = group_name (parts[0], parts[1]);
          g_ptr_array_add (items, passport_known_account_new (parts[0], parts[1], NULL, NULL,
                                                              PASSPORT_KNOWN_ACCOUNT_SIGNED_IN,
                                                              g_strcmp0 (active, group) == 0));
        }
    }

  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&items);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, self->items->len);
}

/* Writing ---------------------------------------------------------------------- */

static void write_now (PassportAccounts *self);

static void
complete_flushes (PassportAccounts *self)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->flushes);

  self->flushes = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiting->len; i++)
    {
      GTask *task = g_ptr_array_index (waiting, i);

      if (self->write_error != NULL)
        g_task_return_error (task, g_error_copy (self->write_error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PassportAccounts) self = user_data;
  g_autoptr(GError) error = NULL;

  self->writing = FALSE;
  g_clear_error (&self->write_error);
  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_warning ("Cannot write the list of accounts: %s", error->message);
      self->write_error = g_steal_pointer (&error);
    }
  if (self->dirty)
    write_now (self);
  else
    complete_flushes (self);
}

static void
made_directory_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PassportAccounts) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  char *data;

  if (!g_file_make_directory_finish (G_FILE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    g_debug ("cannot make %s: %s", g_file_peek_path (G_FILE (source)), error->message);

  data = g_key_file_to_data (self->keyfile, &length, NULL);
  bytes = g_bytes_new_take (data, length);
  /* Only the user reads it: it says who they are and where. */
  g_file_replace_contents_bytes_async (self->file, bytes, NULL, FALSE, G_FILE_CREATE_PRIVATE,
                                       self->cancellable, written_cb, g_object_ref (self));
}

static void
write_now (PassportAccounts *self)
{
  g_autoptr(GFile) parent = g_file_get_parent (self->file);

  self->writing = TRUE;
  self->dirty = FALSE;
  g_file_make_directory_async (parent, G_PRIORITY_DEFAULT, self->cancellable, made_directory_cb,
                               g_object_ref (self));
}

static void
changed (PassportAccounts *self)
{
  rebuild (self);
  if (self->writing)
    self->dirty = TRUE;
  else
    write_now (self);
}

void
passport_accounts_flush_async (PassportAccounts    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PASSPORT_IS_ACCOUNTS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_accounts_flush_async);
  if (!self->writing)
    g_task_return_boolean (task, TRUE);
  else
    g_ptr_array_add (self->flushes, g_steal_pointer (&task));
}

gboolean
passport_accounts_flush_finish (PassportAccounts  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reading ---------------------------------------------------------------------- */

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportAccounts *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stored =
    passport_credential_store_list_finish (PASSPORT_CREDENTIAL_STORE (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&self->stored, g_hash_table_unref);
  if (stored == NULL)
    g_debug ("cannot list the stored accounts: %s", error->message);
  else
    {
      self->stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; i < stored->len; i++)
        {
          PassportStoredAccount *item = g_ptr_array_index (stored, i);

          if (*item->account_id != '\0')
            g_hash_table_add (self->stored, stored_key (item->server_url, item->account_id));
        }
    }
  rebuild (self);
  g_task_return_boolean (task, TRUE);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportAccounts *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      g_autoptr(GKeyFile) keyfile = g_key_file_new ();

      if (!g_key_file_load_from_data (keyfile, contents, length, G_KEY_FILE_KEEP_COMMENTS, &error))
        {
          /* Not ours to repair by overwriting: say where, and stop. */
          g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_FAILED,
                                   _("The list of accounts in %s cannot be read: %s"),
                                   g_file_peek_path (self->file), error->message);
          return;
        }
      g_key_file_unref (self->keyfile);
      self->keyfile = g_steal_pointer (&keyfile);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_FAILED,
                               _("The list of accounts in %s cannot be read: %s"),
                               g_file_peek_path (self->file), error->message);
      return;
    }
  passport_credential_store_list_async (self->store, g_task_get_cancellable (task), listed_cb,
                                        g_object_ref (task));
}

void
passport_accounts_load_async (PassportAccounts    *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PASSPORT_IS_ACCOUNTS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_accounts_load_async);
  g_file_load_contents_async (self->file, cancellable, loaded_cb, g_object_ref (task));
}

gboolean
passport_accounts_load_finish (PassportAccounts  *self,
                               GAsyncResult      *result,
                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Changes ---------------------------------------------------------------------- */

void
passport_accounts_remember (PassportAccounts *self,
                            const char       *server_url,
                            const char       *account_id,
                            const char       *email,
                            const char       *name,
                            gboolean          make_active)
{
  g_autofree char *group = NULL;

  g_return_if_fail (PASSPORT_IS_ACCOUNTS (self));
  g_return_if_fail (server_url != NULL && account_id != NULL && *account_id != '\0');

  group = group_name (server_url, account_id);
  {
    g_autofree char *key = stored_key (server_url, account_id);
    g_autofree char *old_email = g_key_file_get_string (self->keyfile, group, "email", NULL);
    g_autofree char *old_name = g_key_file_get_string (self->keyfile, group, "name", NULL);
    g_autofree char *active = g_key_file_get_string (self->keyfile, MAIN_GROUP, ACTIVE_KEY, NULL);

    /* Called whenever the account is read: write only what is news. */
    if (g_key_file_has_group (self->keyfile, group) && g_strcmp0 (old_email, email) == 0 &&
        g_strcmp0 (old_name, name) == 0 && (!make_active || g_strcmp0 (active, group) == 0) &&
        self->stored != NULL && g_hash_table_contains (self->stored, key))
      return;
  }
  g_key_file_set_string (self->keyfile, group, "server", server_url);
  g_key_file_set_string (self->keyfile, group, "account", account_id);
  if (email != NULL)
    g_key_file_set_string (self->keyfile, group, "email", email);
  else
    g_key_file_remove_key (self->keyfile, group, "email", NULL);
  if (name != NULL)
    g_key_file_set_string (self->keyfile, group, "name", name);
  else
    g_key_file_remove_key (self->keyfile, group, "name", NULL);
  if (make_active)
    g_key_file_set_string (self->keyfile, MAIN_GROUP, ACTIVE_KEY, group);
  if (self->stored == NULL)
    self->stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (self->stored, stored_key (server_url, account_id));
  changed (self);
}

void
passport_accounts_mark_signed_out (PassportAccounts *self,
                                   const char       *server_url,
                                   const char       *account_id)
{
  g_autofree char *key = NULL;

  g_return_if_fail (PASSPORT_IS_ACCOUNTS (self));
  g_return_if_fail (server_url != NULL && account_id != NULL);

  key = stored_key (server_url, account_id);
  if (self->stored != NULL && g_hash_table_remove (self->stored, key))
    rebuild (self);
}

void
passport_accounts_forget (PassportAccounts *self,
                          const char       *server_url,
                          const char       *account_id)
{
  g_autofree char *group = NULL;
  g_autofree char *active = NULL;
  g_autofree char *key = NULL;

  g_return_if_fail (PASSPORT_IS_ACCOUNTS (self));
  g_return_if_fail (server_url != NULL && account_id != NULL);

  group = group_name (server_url, account_id);
  active = g_key_file_get_string (self->keyfile, MAIN_GROUP, ACTIVE_KEY, NULL);
  g_key_file_remove_group (self->keyfile, group, NULL);
  if (g_strcmp0 (active, group) == 0)
    g_key_file_remove_key (self->keyfile, MAIN_GROUP, ACTIVE_KEY, NULL);
  key = stored_key (server_url, account_id);
  if (self->stored != NULL)
    g_hash_table_remove (self->stored, key);
  changed (self);
}

void
passport_accounts_set_active (PassportAccounts *self,
                              const char       *server_url,
                              const char       *account_id)
{
  g_autofree char *group = NULL;

  g_return_if_fail (PASSPORT_IS_ACCOUNTS (self));
  g_return_if_fail (server_url != NULL && account_id != NULL);

  group = group_name (server_url, account_id);
  if (!g_key_file_has_group (self->keyfile, group))
    {
      /* A stored account the file did not know yet. */
      g_key_file_set_string (self->keyfile, group, "server", server_url);
      g_key_file_set_string (self->keyfile, group, "account", account_id);
    }
  g_key_file_set_string (self->keyfile, MAIN_GROUP, ACTIVE_KEY, group);
  changed (self);
}

PassportKnownAccount *
passport_accounts_get_active (PassportAccounts *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNTS (self), NULL);

  for (guint i = 0; i < self->items->len; i++)
    if (passport_known_account_get_active (g_ptr_array_index (self->items, i)))
      return g_ptr_array_index (self->items, i);
  return NULL;
}

PassportKnownAccount *
passport_accounts_find (PassportAccounts  *self,
                        const char        *server_url,
                        const char        *query,
                        GError           **error)
{
  PassportKnownAccount *found = NULL;

  g_return_val_if_fail (PASSPORT_IS_ACCOUNTS (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  for (guint i = 0; i < self->items->len; i++)
    {
      PassportKnownAccount *item = g_ptr_array_index (self->items, i);

      if (server_url != NULL && g_strcmp0 (passport_known_account_get_server_url (item), server_url) != 0)
        continue;
      if (!passport_known_account_matches (item, query))
        continue;
      if (found != NULL)
        {
          g_set_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_REQUEST,
                       _("%s is known on more than one server: say which with --server."), query);
          return NULL;
        }
      found = item;
    }
  if (found == NULL)
    g_set_error (error, PASSPORT_ERROR, PASSPORT_ERROR_NOT_FOUND,
                 _("No account %s is known here."), query);
  return found;
}

PassportCredentialStore *
passport_accounts_get_store (PassportAccounts *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNTS (self), NULL);
  return self->store;
}
