/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <windows.h>
#include <wincred.h>

#include "passport-error.h"
#include "passport-secure.h"
#include "passport-wincred-store.h"

/* One credential's blob holds at most CRED_MAX_CREDENTIAL_BLOB_SIZE bytes,
 * 5 * 512 = 2560 since Windows Vista (mingw-w64's wincred.h still says
 * XP's 512); longer secrets are split into parts. */
#define PART_SIZE (5 * 512)
#define MAX_PARTS 64

struct _PassportWincredStore
{
  GObject parent_instance;

  char  *name;   /* the first word of every target name */
  GMutex lock;   /* one operation at a time in this process... */
  HANDLE mutex;  /* ...and in every process of this user's session */
};

enum
{
  PROP_0,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void credential_store_iface_init (PassportCredentialStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PassportWincredStore, passport_wincred_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PASSPORT_TYPE_CREDENTIAL_STORE,
                                                      credential_store_iface_init))

static void
passport_wincred_store_finalize (GObject *object)
{
  PassportWincredStore *self = PASSPORT_WINCRED_STORE (object);

  g_clear_pointer (&self->name, g_free);
  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->mutex, CloseHandle);

  G_OBJECT_CLASS (passport_wincred_store_parent_class)->finalize (object);
}

static void
passport_wincred_store_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  PassportWincredStore *self = PASSPORT_WINCRED_STORE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_wincred_store_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  PassportWincredStore *self = PASSPORT_WINCRED_STORE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_free (self->name);
      self->name = g_value_dup_string (value);
      if (self->name == NULL || self->name[0] == '\0')
        {
          g_free (self->name);
          self->name = g_strdup ("Passport");
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_wincred_store_constructed (GObject *object)
{
  PassportWincredStore *self = PASSPORT_WINCRED_STORE (object);
  g_autofree char *name = g_strdup_printf ("Local\\%s-credential-store", self->name);
  g_autofree gunichar2 *wname = g_utf8_to_utf16 (name, -1, NULL, NULL, NULL);

  G_OBJECT_CLASS (passport_wincred_store_parent_class)->constructed (object);

  /* The parts of one item are written one by one: two processes saving
   * the same account at once (the app and passportctl) would otherwise
   * mix their parts. A named mutex serialises them across the session. */
  self->mutex = wname != NULL ? CreateMutexW (NULL, FALSE, (LPCWSTR) wname) : NULL;
  if (self->mutex == NULL)
    g_debug ("Credential Manager: no mutex %s (%lu); locking in this process only",
             name, (unsigned long) GetLastError ());
}

static void
passport_wincred_store_class_init (PassportWincredStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = passport_wincred_store_constructed;
  object_class->finalize = passport_wincred_store_finalize;
  object_class->get_property = passport_wincred_store_get_property;
  object_class->set_property = passport_wincred_store_set_property;

  /**
   * PassportWincredStore:name:
   *
   * The first word of the target names ("Passport").
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "Passport",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_wincred_store_init (PassportWincredStore *self)
{
  g_mutex_init (&self->lock);
}

/* Held by a worker thread for one whole operation. */
typedef PassportWincredStore StoreLocker;

static StoreLocker *
store_lock (PassportWincredStore *self)
{
  g_mutex_lock (&self->lock);
  /* WAIT_ABANDONED (its last owner died) hands the mutex over too; the
   * items it left are read as they are. */
  if (self->mutex != NULL)
    WaitForSingleObject (self->mutex, INFINITE);
  return self;
}

static void
store_unlock (StoreLocker *self)
{
  if (self->mutex != NULL)
    ReleaseMutex (self->mutex);
  g_mutex_unlock (&self->lock);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreLocker, store_unlock)

PassportWincredStore *
passport_wincred_store_new (void)
{
  return g_object_new (PASSPORT_TYPE_WINCRED_STORE, NULL);
}

PassportWincredStore *
passport_wincred_store_new_with_name (const char *name)
{
  return g_object_new (PASSPORT_TYPE_WINCRED_STORE, "name", name, NULL);
}

/* What one operation works on; the secret is wiped when dropped. */
typedef struct
{
  char *server_url;
  char *account_id;
  char *secret;
} Op;

static void
op_free (gpointer data)
{
  Op *op = data;

  g_free (op->server_url);
  g_free (op->account_id);
  passport_secure_free (op->secret);
  g_free (op);
}

/* Runs @thread on an Op of the arguments, in a worker thread: the
 * Credential Manager's calls block. */
static void
run_op (PassportCredentialStore *store,
        const char              *server_url,
        const char              *account_id,
        const char              *secret,
        GCancellable            *cancellable,
        GAsyncReadyCallback      callback,
        gpointer                 user_data,
        gpointer                 source_tag,
        GTaskThreadFunc          thread)
{
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  g_task_set_source_tag (task, source_tag);
  op->server_url = g_strdup (server_url);
  op->account_id = g_strdup (account_id);
  op->secret = g_strdup (secret);
  g_task_set_task_data (task, op, op_free);
  g_task_run_in_thread (task, thread);
}

static char *
target_name (PassportWincredStore *self,
             const char           *server_url,
             const char           *account_id,
             guint                 part)
{
  if (part <= 1)
    return g_strdup_printf ("%s:%s:%s", self->name, server_url, account_id);
  return g_strdup_printf ("%s part %u:%s:%s", self->name, part, server_url, account_id);
}

static gunichar2 *
to_wide (const char *utf8)
{
  return g_utf8_to_utf16 (utf8, -1, NULL, NULL, NULL);
}

static char *
from_wide (const wchar_t *wide)
{
  if (wide == NULL)
    return NULL;
  return g_utf16_to_utf8 ((const gunichar2 *) wide, -1, NULL, NULL, NULL);
}

/* Anything the Credential Manager says becomes KEYRING_UNAVAILABLE (the
 * page offers to continue without remembering); the details go to the
 * debug log (they never hold the secret). */
static GError *
unavailable (const char *what,
             DWORD       code)
{
  g_autofree char *message = g_win32_error_message ((gint) code);

  g_debug ("Credential Manager: %s failed: %s (%lu)", what, message, (unsigned long) code);
  return g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_KEYRING_UNAVAILABLE,
                              passport_error_code_describe (PASSPORT_ERROR_KEYRING_UNAVAILABLE));
}

/* Appends the blob of @target to @buffer (at *@len, room for PART_SIZE
 * more). *@found is FALSE when there is no such credential. */
static gboolean
read_part (const char  *target,
           guint8      *buffer,
           gsize       *len,
           char       **user_name,
           gboolean    *found,
           GError     **error)
{
  g_autofree gunichar2 *wtarget = to_wide (target);
  PCREDENTIALW credential = NULL;

  *found = FALSE;
  if (wtarget == NULL)
    return TRUE;
  if (!CredReadW ((LPCWSTR) wtarget, CRED_TYPE_GENERIC, 0, &credential))
    {
      DWORD code = GetLastError ();

      if (code == ERROR_NOT_FOUND)
        return TRUE;
      g_propagate_error (error, unavailable ("CredReadW", code));
      return FALSE;
    }
  *found = TRUE;
  if (credential->CredentialBlobSize > PART_SIZE)
    {
      /* Not written by us: the parts are never larger. */
      SecureZeroMemory (credential->CredentialBlob, credential->CredentialBlobSize);
      CredFree (credential);
      g_propagate_error (error, unavailable ("CredReadW (blob too large)", ERROR_INVALID_DATA));
      return FALSE;
    }
  if (credential->CredentialBlobSize > 0)
    {
      memcpy (buffer + *len, credential->CredentialBlob, credential->CredentialBlobSize);
      *len += credential->CredentialBlobSize;
      SecureZeroMemory (credential->CredentialBlob, credential->CredentialBlobSize);
    }
  if (user_name != NULL)
    *user_name = from_wide (credential->UserName);
  CredFree (credential);
  return TRUE;
}

static gboolean
write_part (const char  *target,
            const char  *user_name,
            const char  *comment,
            const char  *data,
            gsize        len,
            GError     **error)
{
  g_autofree gunichar2 *wtarget = to_wide (target);
  g_autofree gunichar2 *wuser = to_wide (user_name);
  g_autofree gunichar2 *wcomment = to_wide (comment);
  CREDENTIALW credential = { 0 };

  if (wtarget == NULL || wuser == NULL || wcomment == NULL)
    {
      g_propagate_error (error, unavailable ("CredWriteW (not UTF-8)", ERROR_INVALID_PARAMETER));
      return FALSE;
    }
  credential.Type = CRED_TYPE_GENERIC;
  credential.TargetName = (LPWSTR) wtarget;
  credential.UserName = (LPWSTR) wuser;
  credential.Comment = (LPWSTR) wcomment;
  credential.CredentialBlobSize = (DWORD) len;
  credential.CredentialBlob = (LPBYTE) data;
  credential.Persist = CRED_PERSIST_LOCAL_MACHINE;
  if (!CredWriteW (&credential, 0))
    {
      g_propagate_error (error, unavailable ("CredWriteW", GetLastError ()));
      return FALSE;
    }
  return TRUE;
}

/* Deletes @target; *@found is FALSE when there was none. */
static gboolean
delete_part (const char  *target,
             gboolean    *found,
             GError     **error)
{
  g_autofree gunichar2 *wtarget = to_wide (target);

  *found = FALSE;
  if (wtarget == NULL)
    return TRUE;
  if (!CredDeleteW ((LPCWSTR) wtarget, CRED_TYPE_GENERIC, 0))
    {
      DWORD code = GetLastError ();

      if (code == ERROR_NOT_FOUND)
        return TRUE;
      g_propagate_error (error, unavailable ("CredDeleteW", code));
      return FALSE;
    }
  *found = TRUE;
  return TRUE;
}

/* The server URL of a main credential, or NULL for anything else under
 * @filter_prefix ("<name>:"): its target is "<name>:<server>:<user name>". */
static char *
server_of (const char *filter_prefix,
           const char *target,
           const char *user_name)
{
  gsize prefix_len = strlen (filter_prefix);
  gsize target_len = strlen (target);
  gsize user_len;

  if (user_name == NULL || !g_str_has_prefix (target, filter_prefix))
    return NULL;
  user_len = strlen (user_name);
  if (target_len < prefix_len + user_len + 2 ||
      target[target_len - user_len - 1] != ':' ||
      strcmp (target + target_len - user_len, user_name) != 0)
    return NULL;
  return g_strndup (target + prefix_len, target_len - prefix_len - user_len - 1);
}

/* Every main credential of this store (of @server_url only, when not NULL),
 * as PassportStoredAccount items. The blobs that CredEnumerateW hands over
 * are wiped unread. */
static GPtrArray *
enumerate (PassportWincredStore  *self,
           const char            *server_url,
           GError               **error)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) passport_stored_account_free);
  g_autofree char *prefix = g_strdup_printf ("%s:", self->name);
  g_autofree char *filter = server_url != NULL
    ? g_strdup_printf ("%s%s:*", prefix, server_url)
    : g_strdup_printf ("%s*", prefix);
  g_autofree gunichar2 *wfilter = to_wide (filter);
  PCREDENTIALW *credentials = NULL;
  DWORD count = 0;

  if (wfilter == NULL)
    return g_steal_pointer (&list);
  if (!CredEnumerateW ((LPCWSTR) wfilter, 0, &count, &credentials))
    {
      DWORD code = GetLastError ();

      if (code == ERROR_NOT_FOUND)
        return g_steal_pointer (&list);
      g_propagate_error (error, unavailable ("CredEnumerateW", code));
      return NULL;
    }
  for (DWORD i = 0; i < count; i++)
    {
      PCREDENTIALW credential = credentials[i];
      g_autofree char *target = from_wide (credential->TargetName);
      g_autofree char *user_name = from_wide (credential->UserName);
      g_autofree char *server = NULL;

      if (credential->CredentialBlob != NULL)
        SecureZeroMemory (credential->CredentialBlob, credential->CredentialBlobSize);
      if (credential->Type != CRED_TYPE_GENERIC || target == NULL)
        continue;
      server = server_of (prefix, target, user_name);
      /* "Passport:https://host:*" also matches https://host:8443's items. */
      if (server == NULL || (server_url != NULL && !g_str_equal (server, server_url)))
        continue;
      g_ptr_array_add (list, passport_stored_account_new (server, user_name));
    }
  CredFree (credentials);
  return g_steal_pointer (&list);
}

/* Deletes parts @first.. of an item until one is missing. */
static gboolean
delete_parts_from (PassportWincredStore  *self,
                   const char            *server_url,
                   const char            *account_id,
                   guint                  first,
                   GError               **error)
{
  for (guint part = first; part <= MAX_PARTS; part++)
    {
      g_autofree char *target = target_name (self, server_url, account_id, part);
      gboolean found;

      if (!delete_part (target, &found, error))
        return FALSE;
      if (!found)
        break;
    }
  return TRUE;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PassportWincredStore *self = source_object;
  Op *op = task_data;
  g_autofree char *comment = g_strdup_printf ("Passport session for %s", op->server_url);
  gsize len = strlen (op->secret);
  guint n_parts = len == 0 ? 1 : (guint) ((len + PART_SIZE - 1) / PART_SIZE);
  g_autoptr (StoreLocker) locker = NULL;
  GError *error = NULL;

  if (n_parts > MAX_PARTS)
    {
      g_debug ("Credential Manager: a secret of %" G_GSIZE_FORMAT " bytes is more than %d parts",
               len, MAX_PARTS);
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_KEYRING_UNAVAILABLE, "%s",
                               passport_error_code_describe (PASSPORT_ERROR_KEYRING_UNAVAILABLE));
      return;
    }

  locker = store_lock (self);
  /* Cancelled before anything was written, or not at all: the parts of
   * an item are never left half replaced by a cancellation. */
  if (g_task_return_error_if_cancelled (task))
    return;

  /* The extra parts first and the main credential last, so that a reader
   * never finds a main credential whose parts are still missing; then the
   * parts a longer secret left behind. */
  for (guint part = n_parts; part >= 1; part--)
    {
      g_autofree char *target = target_name (self, op->server_url, op->account_id, part);
      gsize offset = (gsize) (part - 1) * PART_SIZE;

      if (!write_part (target, op->account_id, comment, op->secret + offset,
                       MIN (PART_SIZE, len - offset), &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  if (!delete_parts_from (self, op->server_url, op->account_id, n_parts + 1, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
wincred_save_async (PassportCredentialStore *store,
                    const char              *server_url,
                    const char              *account_id,
                    const char              *secret,
                    GCancellable            *cancellable,
                    GAsyncReadyCallback      callback,
                    gpointer                 user_data)
{
  run_op (store, server_url, account_id != NULL ? account_id : "", secret, cancellable, callback, user_data,
          wincred_save_async, save_thread);
}

static gboolean
wincred_boolean_finish (PassportCredentialStore  *store,
                        GAsyncResult             *result,
                        GError                  **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PassportWincredStore *self = source_object;
  Op *op = task_data;
  g_autoptr (StoreLocker) locker = store_lock (self);
  g_autofree char *account_id = g_strdup (op->account_id);
  guint8 *buffer;
  gsize len = 0;
  gboolean stored = FALSE;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (account_id == NULL)
    {
      g_autoptr (GPtrArray) accounts = enumerate (self, op->server_url, &error);

      if (accounts == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      if (accounts->len > 0)
        account_id = g_strdup (((PassportStoredAccount *) g_ptr_array_index (accounts, 0))->account_id);
    }

  if (account_id == NULL)
    {
      passport_credential_store_return_loaded (task, NULL, NULL);
      return;
    }

  /* Room for every part at once: a growing buffer would leave copies of
   * the secret behind in freed memory. */
  buffer = g_malloc (PART_SIZE * MAX_PARTS + 1);
  for (guint part = 1; part <= MAX_PARTS; part++)
    {
      g_autofree char *target = target_name (self, op->server_url, account_id, part);
      gboolean found;

      if (g_cancellable_set_error_if_cancelled (cancellable, &error) ||
          !read_part (target, buffer, &len, NULL, &found, &error))
        {
          SecureZeroMemory (buffer, len);
          g_free (buffer);
          g_task_return_error (task, error);
          return;
        }
      if (!found)
        break;
      if (part == 1)
        stored = TRUE;
    }
  if (stored)
    passport_credential_store_return_loaded (task, g_steal_pointer (&account_id),
                                             g_strndup ((const char *) buffer, len));
  else
    passport_credential_store_return_loaded (task, NULL, NULL);
  SecureZeroMemory (buffer, len);
  g_free (buffer);
}

static void
wincred_load_async (PassportCredentialStore *store,
                    const char              *server_url,
                    const char              *account_id,
                    GCancellable            *cancellable,
                    GAsyncReadyCallback      callback,
                    gpointer                 user_data)
{
  run_op (store, server_url, account_id, NULL, cancellable, callback, user_data, wincred_load_async,
          load_thread);
}

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PassportWincredStore *self = source_object;
  Op *op = task_data;
  g_autoptr (StoreLocker) locker = store_lock (self);
  g_autoptr (GPtrArray) accounts = NULL;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (op->account_id != NULL)
    {
      accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) passport_stored_account_free);
      g_ptr_array_add (accounts, passport_stored_account_new (op->server_url, op->account_id));
    }
  else if ((accounts = enumerate (self, op->server_url, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The main credential first: from then on the item is gone for a
   * reader, whatever happens to the rest of its parts. */
  for (guint i = 0; i < accounts->len; i++)
    {
      PassportStoredAccount *stored = g_ptr_array_index (accounts, i);

      if (!delete_parts_from (self, stored->server_url, stored->account_id, 1, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      /* A main credential already gone may still have stray parts (a
       * save cut short); they go too. */
      if (!delete_parts_from (self, stored->server_url, stored->account_id, 2, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
wincred_delete_async (PassportCredentialStore *store,
                      const char              *server_url,
                      const char              *account_id,
                      GCancellable            *cancellable,
                      GAsyncReadyCallback      callback,
                      gpointer                 user_data)
{
  run_op (store, server_url, account_id, NULL, cancellable, callback, user_data, wincred_delete_async,
          delete_thread);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PassportWincredStore *self = source_object;
  g_autoptr (StoreLocker) locker = store_lock (self);
  GPtrArray *list;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if ((list = enumerate (self, NULL, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

static void
wincred_list_async (PassportCredentialStore *store,
                    GCancellable            *cancellable,
                    GAsyncReadyCallback      callback,
                    gpointer                 user_data)
{
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, wincred_list_async);
  g_task_run_in_thread (task, list_thread);
}

static GPtrArray *
wincred_list_finish (PassportCredentialStore  *store,
                     GAsyncResult             *result,
                     GError                  **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
credential_store_iface_init (PassportCredentialStoreInterface *iface)
{
  iface->save_async = wincred_save_async;
  iface->save_finish = wincred_boolean_finish;
  iface->load_async = wincred_load_async;
  iface->load_finish = passport_credential_store_loaded_finish;
  iface->delete_async = wincred_delete_async;
  iface->delete_finish = wincred_boolean_finish;
  iface->list_async = wincred_list_async;
  iface->list_finish = wincred_list_finish;
}
