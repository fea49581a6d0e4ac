/* SPDX-License-Identifier: GPL-3.0-or-later */

/* PassportKeychainStore: sessions in the macOS Keychain.
 *
 * UNBUILT: this file is developed on Linux, where there is no macOS SDK. It
 * has never been compiled against Apple's headers nor run; it was checked
 * with `gcc -fsyntax-only` against stand-in headers declaring what it uses,
 * and each call and constant was reviewed against Apple's documentation:
 * SecItemAdd, SecItemCopyMatching, SecItemUpdate, SecItemDelete,
 * kSecClassGenericPassword and its primary key (errSecDuplicateItem's page),
 * kSecAttrService, kSecAttrAccount, kSecAttrLabel, kSecValueData,
 * kSecReturnData, kSecReturnAttributes, kSecMatchLimit(One|All), the
 * Security framework result codes, SecCopyErrorMessageString, TN3137 "On
 * Mac keychain APIs and implementations", "Working with Concurrency", and
 * Core Foundation's CFData, CFString and CFDictionary references. The macOS
 * CI workflow (.github/workflows/macos.yml) is its first compiler.
 *
 * The items. One generic password per account of a server:
 *   kSecAttrService  APPLICATION_ID ("io.github.passportdesk.Passport")
 *   kSecAttrAccount  "<server URL> <account id>", for example
 *                    "https://id.example.com 8c0f...": a normalized server
 *                    URL holds no space, so the first space splits the two
 *                    back; the account id may hold anything
 *   kSecAttrLabel    "Passport session for <server URL>" (what Keychain
 *                    Access shows)
 *   kSecValueData    the serialized session, UTF-8, no NUL
 * Service and account are a generic password's primary key, so one
 * account's item is replaced in place: SecItemUpdate, or SecItemAdd when
 * there is none yet. Other accounts' items are left alone.
 *
 * Which keychain. SecItem without kSecUseDataProtectionKeychain works on the
 * file-based (login) keychain (TN3137). The data protection keychain would
 * need the app signed with a keychain-access-groups entitlement, which a
 * build from source does not have (errSecMissingEntitlement). In the
 * file-based keychain an item's access list trusts the program that created
 * it: another program (passportctl beside the app, or a rebuilt unsigned
 * binary) reading the secret makes macOS ask the user first, and where no
 * one can be asked (an SSH session) the call fails with
 * errSecInteractionNotAllowed, which is reported as a locked keyring.
 *
 * Threads. The calls block (IPC to the security daemon, and the unlock or
 * "allow access" prompt), so each operation runs in a GTask thread. On macOS
 * the Security framework is to be called from one thread at a time
 * ("Working with Concurrency"), hence one process-wide lock around every
 * SecItem call. */

/* memset_s() is declared by <string.h> only when asked for, before any
 * header includes it. */
#define __STDC_WANT_LIB_EXT1__ 1

#include "config.h"

#ifdef __APPLE__

#include <string.h>

#include <CoreFoundation/CoreFoundation.h>
#include <Security/Security.h>
#include <glib/gi18n-lib.h>

#include "passport-error.h"
#include "passport-keychain-store.h"
#include "passport-secure.h"

/* Core Foundation objects released when they go out of scope:
 * `g_auto (CFStringRef) name = CFStringCreate...`. */
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (CFTypeRef, CFRelease, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (CFStringRef, CFRelease, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (CFDataRef, CFRelease, NULL)
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (CFMutableDictionaryRef, CFRelease, NULL)

/* How often one delete is repeated (see delete_item()). */
#define MAX_DELETES 8

struct _PassportKeychainStore
{
  GObject parent_instance;
};

static void credential_store_iface_init (PassportCredentialStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PassportKeychainStore, passport_keychain_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PASSPORT_TYPE_CREDENTIAL_STORE,
                                                      credential_store_iface_init))

/* Every SecItem call of the process, one at a time. */
static GMutex keychain_lock;

static void
passport_keychain_store_class_init (PassportKeychainStoreClass *klass)
{
}

static void
passport_keychain_store_init (PassportKeychainStore *self)
{
}

PassportKeychainStore *
passport_keychain_store_new (void)
{
  return g_object_new (PASSPORT_TYPE_KEYCHAIN_STORE, NULL);
}

/* Core Foundation helpers */

static CFStringRef
cf_string_new (const char *text)
{
  /* NULL when @text is not UTF-8. */
  return CFStringCreateWithCString (kCFAllocatorDefault, text, kCFStringEncodingUTF8);
}

/* A UTF-8 copy of @string (g_free), or NULL. */
static char *
cf_string_dup (CFStringRef string)
{
  CFIndex size;
  char *text;

  /* kCFNotFound (negative) when the size would overflow. */
  size = CFStringGetMaximumSizeForEncoding (CFStringGetLength (string), kCFStringEncodingUTF8);
  if (size < 0)
    return NULL;
  text = g_malloc ((gsize) size + 1);
  if (!CFStringGetCString (string, text, size + 1, kCFStringEncodingUTF8))
    {
      g_free (text);
      return NULL;
    }
  return text;
}

/* Wipes and frees @size bytes at @buffer. */
static void
wipe_free (char  *buffer,
           gsize  size)
{
  if (buffer == NULL)
    return;
  memset_s (buffer, size, 0, size);
  g_free (buffer);
}

/* The secret held by @data as a string (passport_secure_free), or NULL
 * when it cannot be one (it holds a NUL: not an item of ours). The CFData
 * itself is the Security framework's and immutable: it is released as it
 * is, there is no call to wipe it. */
static char *
secret_from_data (CFDataRef data)
{
  CFIndex length = CFDataGetLength (data);
  char *secret;

  if (length < 0)
    return NULL;
  secret = g_malloc ((gsize) length + 1);
  CFDataGetBytes (data, CFRangeMake (0, length), (UInt8 *) secret);
  secret[length] = '\0';
  if (memchr (secret, '\0', (size_t) length) != NULL)
    {
      wipe_free (secret, (gsize) length + 1);
      return NULL;
    }
  return secret;
}

/* Items and queries */

/* The kSecAttrAccount of an item: "<server URL> <account id>". */
static char *
item_account_new (const char *server_url,
                  const char *account_id)
{
  return g_strconcat (server_url, " ", account_id != NULL ? account_id : "", NULL);
}

/* Splits an item's account at its first space; FALSE for one that has
 * none (not written by this store). */
static gboolean
item_account_parse (const char  *item_account,
                    char       **server_url,
                    char       **account_id)
{
  const char *space = strchr (item_account, ' ');

  if (space == NULL || space == item_account)
    return FALSE;
  *server_url = g_strndup (item_account, (gsize) (space - item_account));
  *account_id = g_strdup (space + 1);
  return TRUE;
}

static CFMutableDictionaryRef
dictionary_new (void)
{
  return CFDictionaryCreateMutable (kCFAllocatorDefault, 0,
                                    &kCFTypeDictionaryKeyCallBacks,
                                    &kCFTypeDictionaryValueCallBacks);
}

/* Every item of ours: class and service. */
static CFMutableDictionaryRef
service_query_new (void)
{
  CFMutableDictionaryRef query = dictionary_new ();
  g_auto (CFStringRef) service = cf_string_new (APPLICATION_ID);

  CFDictionarySetValue (query, kSecClass, kSecClassGenericPassword);
  CFDictionarySetValue (query, kSecAttrService, service);
  return query;
}

/* One account's item: class, service and account, the primary key. NULL
 * when the names are not UTF-8. */
static CFMutableDictionaryRef
item_query_new (const char *server_url,
                const char *account_id)
{
  g_autofree char *account = item_account_new (server_url, account_id);
  g_auto (CFStringRef) cf_account = cf_string_new (account);
  CFMutableDictionaryRef query;

  if (cf_account == NULL)
    return NULL;
  query = service_query_new ();
  CFDictionarySetValue (query, kSecAttrAccount, cf_account);
  return query;
}

/* Errors */

/* Sets @error for a failed call and returns FALSE. The code's own sentence
 * is the message (the page explains it and offers to continue without
 * remembering); the Keychain's words go to the debug log only. */
static gboolean
set_error_from_status (GError     **error,
                       OSStatus     status,
                       const char  *what)
{
  g_auto (CFStringRef) message = SecCopyErrorMessageString (status, NULL);
  g_autofree char *text = message != NULL ? cf_string_dup (message) : NULL;
  PassportErrorCode code;

  g_debug ("Keychain: %s failed: %d (%s)", what, (int) status, text != NULL ? text : "");
  switch (status)
    {
    case errSecInteractionNotAllowed: /* locked, and no one can be asked */
    case errSecAuthFailed:            /* the keychain's password was refused */
    case errSecUserCanceled:          /* the unlock or "allow" prompt was dismissed */
      code = PASSPORT_ERROR_KEYRING_LOCKED;
      break;
    default:                          /* no keychain, missing entitlement, ... */
      code = PASSPORT_ERROR_KEYRING_UNAVAILABLE;
      break;
    }
  g_set_error_literal (error, PASSPORT_ERROR, code, passport_error_code_describe (code));
  return FALSE;
}

/* The same for what the Keychain did not refuse but we cannot use. */
static gboolean
set_error_unusable (GError     **error,
                    const char  *why)
{
  g_debug ("Keychain: %s", why);
  g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_KEYRING_UNAVAILABLE,
                       passport_error_code_describe (PASSPORT_ERROR_KEYRING_UNAVAILABLE));
  return FALSE;
}

/* The blocking operations, each under keychain_lock */

static void
add_listed_item (GPtrArray *items,
                 CFTypeRef  item)
{
  CFStringRef account;
  g_autofree char *text = NULL;
  g_autofree char *server_url = NULL;
  g_autofree char *account_id = NULL;

  if (item == NULL || CFGetTypeID (item) != CFDictionaryGetTypeID ())
    return;
  account = CFDictionaryGetValue ((CFDictionaryRef) item, kSecAttrAccount);
  if (account == NULL || CFGetTypeID (account) != CFStringGetTypeID ())
    return;
  text = cf_string_dup (account);
  if (text != NULL && item_account_parse (text, &server_url, &account_id))
    g_ptr_array_add (items, passport_stored_account_new (server_url, account_id));
}

/* Every item of ours as PassportStoredAccount, read from the attributes
 * only (no secret is asked for); NULL with @error. */
static GPtrArray *
list_items (GError **error)
{
  g_auto (CFMutableDictionaryRef) query = service_query_new ();
  g_auto (CFTypeRef) result = NULL;
  g_autoptr (GPtrArray) items = NULL;
  OSStatus status;

  CFDictionarySetValue (query, kSecReturnAttributes, kCFBooleanTrue);
  CFDictionarySetValue (query, kSecMatchLimit, kSecMatchLimitAll);

  g_mutex_lock (&keychain_lock);
  status = SecItemCopyMatching (query, &result);
  g_mutex_unlock (&keychain_lock);

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) passport_stored_account_free);
  if (status == errSecItemNotFound)
    return g_steal_pointer (&items);
  if (status != errSecSuccess)
    {
      set_error_from_status (error, status, "listing items");
      return NULL;
    }

  /* kSecMatchLimitAll gives an array of attribute dictionaries; one
   * dictionary on its own is taken too, in case a keychain answers with
   * one match as kSecMatchLimitOne would. */
  if (result != NULL && CFGetTypeID (result) == CFArrayGetTypeID ())
    {
      CFArrayRef array = (CFArrayRef) result;
      CFIndex count = CFArrayGetCount (array);

      for (CFIndex i = 0; i < count; i++)
        add_listed_item (items, CFArrayGetValueAtIndex (array, i));
    }
  else
    {
      add_listed_item (items, result);
    }
  return g_steal_pointer (&items);
}

/* Sets *@account_id to the account id of any one item of @server_url, or to
 * NULL when there is none; FALSE with @error when the Keychain refused. */
static gboolean
find_any_account (const char  *server_url,
                  char       **account_id,
                  GError     **error)
{
  g_autoptr (GPtrArray) items = list_items (error);

  *account_id = NULL;
  if (items == NULL)
    return FALSE;
  for (guint i = 0; i < items->len; i++)
    {
      PassportStoredAccount *stored = g_ptr_array_index (items, i);

      if (g_str_equal (stored->server_url, server_url))
        {
          *account_id = g_strdup (stored->account_id);
          break;
        }
    }
  return TRUE;
}

/* Writes @secret as the item of @account_id on @server_url: updates it in
 * place, or adds it. Another process may add the same item between a
 * failed update and our add (errSecDuplicateItem): then it is updated once
 * more. */
static gboolean
write_item (const char  *server_url,
            const char  *account_id,
            const char  *secret,
            GError     **error)
{
  g_auto (CFMutableDictionaryRef) query = item_query_new (server_url, account_id);
  g_auto (CFMutableDictionaryRef) changes = NULL;
  g_auto (CFMutableDictionaryRef) item = NULL;
  g_auto (CFDataRef) value = NULL;
  g_auto (CFStringRef) label = NULL;
  g_autofree char *label_text = NULL;
  OSStatus status = errSecSuccess;

  if (query == NULL)
    return set_error_unusable (error, "server or account is not UTF-8");

  /* The CFData only points at the caller's bytes (kCFAllocatorNull: it
   * neither copies nor frees them), so the one copy on our side is the
   * caller's, wiped by the caller after this returns. */
  value = CFDataCreateWithBytesNoCopy (kCFAllocatorDefault, (const UInt8 *) secret,
                                       (CFIndex) strlen (secret), kCFAllocatorNull);
  if (value == NULL)
    return set_error_unusable (error, "no CFData for the secret");
  /* TRANSLATORS: the label of the keyring item; %s is the server address */
  label_text = g_strdup_printf (_("Passport session for %s"), server_url);
  label = cf_string_new (label_text);

  changes = dictionary_new ();
  CFDictionarySetValue (changes, kSecValueData, value);
  if (label != NULL)
    CFDictionarySetValue (changes, kSecAttrLabel, label);

  /* The item to add: the query's class, service and account, and the
   * changes. */
  item = CFDictionaryCreateMutableCopy (kCFAllocatorDefault, 0, query);
  CFDictionarySetValue (item, kSecValueData, value);
  if (label != NULL)
    CFDictionarySetValue (item, kSecAttrLabel, label);

  g_mutex_lock (&keychain_lock);
  for (int attempt = 0; attempt < 2; attempt++)
    {
      status = SecItemUpdate (query, changes);
      if (status != errSecItemNotFound)
        break;
      status = SecItemAdd (item, NULL);
      if (status != errSecDuplicateItem)
        break;
    }
  g_mutex_unlock (&keychain_lock);

  if (status != errSecSuccess)
    return set_error_from_status (error, status, "storing the session");
  return TRUE;
}

/* The secret of @account_id on @server_url: TRUE with *@secret NULL when
 * there is no such item. */
static gboolean
read_item (const char  *server_url,
           const char  *account_id,
           char       **secret,
           GError     **error)
{
  g_auto (CFMutableDictionaryRef) query = item_query_new (server_url, account_id);
  g_auto (CFTypeRef) result = NULL;
  OSStatus status;

  *secret = NULL;
  if (query == NULL)
    return set_error_unusable (error, "server or account is not UTF-8");
  CFDictionarySetValue (query, kSecReturnData, kCFBooleanTrue);
  CFDictionarySetValue (query, kSecMatchLimit, kSecMatchLimitOne);

  g_mutex_lock (&keychain_lock);
  status = SecItemCopyMatching (query, &result);
  g_mutex_unlock (&keychain_lock);

  if (status == errSecItemNotFound)
    return TRUE;
  if (status != errSecSuccess)
    return set_error_from_status (error, status, "reading the session");
  if (result == NULL || CFGetTypeID (result) != CFDataGetTypeID ())
    return set_error_unusable (error, "the item's data is not CFData");
  *secret = secret_from_data ((CFDataRef) result);
  if (*secret == NULL)
    g_debug ("Keychain: the item's data is not a session; taken as none");
  return TRUE;
}

/* Deletes the item of @account_id on @server_url; none is fine.
 * SecItemDelete is documented to delete every match, and service and
 * account name one item per keychain; but the same pair can sit in more
 * than one keychain of the search list, and the file-based keychain's
 * SecItem layer is known to differ from the documentation in places
 * (TN3137). Repeating the delete until nothing is found costs one call and
 * holds either way. */
static gboolean
delete_item (const char  *server_url,
             const char  *account_id,
             GError     **error)
{
  g_auto (CFMutableDictionaryRef) query = item_query_new (server_url, account_id);
  OSStatus status = errSecSuccess;

  if (query == NULL)
    return set_error_unusable (error, "server or account is not UTF-8");

  g_mutex_lock (&keychain_lock);
  for (int i = 0; i < MAX_DELETES && status == errSecSuccess; i++)
    status = SecItemDelete (query);
  g_mutex_unlock (&keychain_lock);

  if (status != errSecSuccess && status != errSecItemNotFound)
    return set_error_from_status (error, status, "deleting the session");
  return TRUE;
}

/* The tasks */

typedef struct
{
  char *server_url;
  char *account_id;   /* NULL: any account (load), every account (delete) */
  char *secret;       /* save only */
} Request;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_free (request->server_url);
  g_free (request->account_id);
  passport_secure_free (request->secret);
  g_free (request);
}

static GTask *
request_task_new (PassportCredentialStore *store,
                  const char              *server_url,
                  const char              *account_id,
                  const char              *secret,
                  GCancellable            *cancellable,
                  GAsyncReadyCallback      callback,
                  gpointer                 user_data,
                  gpointer                 source_tag)
{
  GTask *task = g_task_new (store, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  g_task_set_source_tag (task, source_tag);
  request->server_url = g_strdup (server_url);
  request->account_id = g_strdup (account_id);
  request->secret = g_strdup (secret);
  g_task_set_task_data (task, request, request_free);
  return task;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Request *request = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!write_item (request->server_url, request->account_id, request->secret, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
keychain_save_async (PassportCredentialStore *store,
                     const char              *server_url,
                     const char              *account_id,
                     const char              *secret,
                     GCancellable            *cancellable,
                     GAsyncReadyCallback      callback,
                     gpointer                 user_data)
{
  g_autoptr (GTask) task = request_task_new (store, server_url, account_id ? account_id : "",
                                             secret, cancellable, callback, user_data,
                                             keychain_save_async);

  g_task_run_in_thread (task, save_thread);
}

static gboolean
keychain_boolean_finish (PassportCredentialStore  *store,
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
  Request *request = task_data;
  g_autofree char *account_id = g_strdup (request->account_id);
  GError *error = NULL;
  char *secret = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (account_id == NULL && !find_any_account (request->server_url, &account_id, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (account_id != NULL && !read_item (request->server_url, account_id, &secret, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* Nothing stored is an empty answer, not an error. */
  passport_credential_store_return_loaded (task, secret != NULL ? g_steal_pointer (&account_id) : NULL, secret);
}

static void
keychain_load_async (PassportCredentialStore *store,
                     const char              *server_url,
                     const char              *account_id,
                     GCancellable            *cancellable,
                     GAsyncReadyCallback      callback,
                     gpointer                 user_data)
{
  g_autoptr (GTask) task = request_task_new (store, server_url, account_id, NULL,
                                             cancellable, callback, user_data,
                                             keychain_load_async);

  g_task_run_in_thread (task, load_thread);
}

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Request *request = task_data;
  g_autoptr (GPtrArray) items = NULL;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (request->account_id != NULL)
    {
      if (!delete_item (request->server_url, request->account_id, &error))
        g_task_return_error (task, error);
      else
        g_task_return_boolean (task, TRUE);
      return;
    }

  /* Every account of the server: the keychain cannot match the first half
   * of an account, so the items are listed and deleted one by one. */
  items = list_items (&error);
  if (items == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < items->len; i++)
    {
      PassportStoredAccount *stored = g_ptr_array_index (items, i);

      if (g_str_equal (stored->server_url, request->server_url) &&
          !delete_item (stored->server_url, stored->account_id, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
keychain_delete_async (PassportCredentialStore *store,
                       const char              *server_url,
                       const char              *account_id,
                       GCancellable            *cancellable,
                       GAsyncReadyCallback      callback,
                       gpointer                 user_data)
{
  g_autoptr (GTask) task = request_task_new (store, server_url, account_id, NULL,
                                             cancellable, callback, user_data,
                                             keychain_delete_async);

  g_task_run_in_thread (task, delete_thread);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GPtrArray *items;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  items = list_items (&error);
  if (items == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, items, (GDestroyNotify) g_ptr_array_unref);
}

static void
keychain_list_async (PassportCredentialStore *store,
                     GCancellable            *cancellable,
                     GAsyncReadyCallback      callback,
                     gpointer                 user_data)
{
  g_autoptr (GTask) task = g_task_new (store, cancellable, callback, user_data);

  g_task_set_source_tag (task, keychain_list_async);
  g_task_run_in_thread (task, list_thread);
}

static GPtrArray *
keychain_list_finish (PassportCredentialStore  *store,
                      GAsyncResult             *result,
                      GError                  **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
credential_store_iface_init (PassportCredentialStoreInterface *iface)
{
  iface->save_async = keychain_save_async;
  iface->save_finish = keychain_boolean_finish;
  iface->load_async = keychain_load_async;
  iface->load_finish = passport_credential_store_loaded_finish;
  iface->delete_async = keychain_delete_async;
  iface->delete_finish = keychain_boolean_finish;
  iface->list_async = keychain_list_async;
  iface->list_finish = keychain_list_finish;
}

#endif /* __APPLE__ */
