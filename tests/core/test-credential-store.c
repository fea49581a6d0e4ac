/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The credential-store conformance test: what every PassportCredentialStore
 * must do, run against the backend named by $PASSPORT_TEST_STORE:
 *
 *   memory    PassportMemoryStore
 *   secret    PassportSecretStore (libsecret; run inside run-isolated.sh,
 *             with a private gnome-keyring)
 *   wincred   PassportWincredStore (Windows, or wine), under target names
 *             of its own so the user's items are never touched
 *
 * Store, look up, replace, delete and list, with several accounts on
 * several servers (one URL a prefix of another); secrets at the Credential
 * Manager's blob size (2560 bytes) and past it; two writers at once.
 */
#include "config.h"

#include <string.h>

#include "passport-core.h"
#include "passport-memory-store.h"
#include "passport-secure.h"
#ifdef G_OS_WIN32
#include <windows.h>
#include <wincred.h>
#include "passport-wincred-store.h"
#else
#include "passport-secret-store.h"
#endif

#include "core-test-util.h"

/* The Credential Manager's largest blob (CRED_MAX_CREDENTIAL_BLOB_SIZE). */
#define BLOB_SIZE 2560

static const char *backend;
static char *wincred_name;

static PassportCredentialStore *
new_store (void)
{
  if (g_str_equal (backend, "memory"))
    return PASSPORT_CREDENTIAL_STORE (passport_memory_store_new ());
#ifdef G_OS_WIN32
  if (g_str_equal (backend, "wincred"))
    return PASSPORT_CREDENTIAL_STORE (passport_wincred_store_new_with_name (wincred_name));
#else
  if (g_str_equal (backend, "secret"))
    return PASSPORT_CREDENTIAL_STORE (passport_secret_store_new ());
#endif
  g_error ("unknown PASSPORT_TEST_STORE '%s'", backend);
  return NULL;
}

/* Whether two store objects of the backend share their items (as two
 * processes would), or each has its own (memory). */
static gboolean
backend_is_shared (void)
{
  return !g_str_equal (backend, "memory");
}

static char *
load (PassportCredentialStore  *store,
      const char               *server_url,
      const char               *account_id,
      char                    **account_out)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  char *secret;

  passport_credential_store_load_async (store, server_url, account_id, NULL,
                                        core_test_result_cb, &res);
  secret = passport_credential_store_load_finish (store, core_test_await (&res), account_out, &error);
  g_assert_no_error (error);
  return secret;
}

static void
save (PassportCredentialStore *store,
      const char              *server_url,
      const char              *account_id,
      const char              *secret)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;

  passport_credential_store_save_async (store, server_url, account_id, secret, NULL,
                                        core_test_result_cb, &res);
  g_assert_true (passport_credential_store_save_finish (store, core_test_await (&res), &error));
  g_assert_no_error (error);
}

static void
delete (PassportCredentialStore *store,
        const char              *server_url,
        const char              *account_id)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;

  passport_credential_store_delete_async (store, server_url, account_id, NULL,
                                          core_test_result_cb, &res);
  g_assert_true (passport_credential_store_delete_finish (store, core_test_await (&res), &error));
  g_assert_no_error (error);
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* "server account" lines of the listing, sorted, joined by commas. */
static char *
list (PassportCredentialStore *store)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  passport_credential_store_list_async (store, NULL, core_test_result_cb, &res);
  items = passport_credential_store_list_finish (store, core_test_await (&res), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < items->len; i++)
    {
      PassportStoredAccount *stored = g_ptr_array_index (items, i);

      g_ptr_array_add (lines, g_strdup_printf ("%s %s", stored->server_url, stored->account_id));
    }
  g_ptr_array_sort (lines, compare_lines);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv (",", (char **) lines->pdata);
}

/* A secret of exactly @len bytes that shows where it was cut: printable,
 * and different at every position modulo 61. */
static char *
make_secret (gsize len,
             char  tag)
{
  char *secret = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    secret[i] = (char) ('A' + (i % 61 == 0 ? tag - 'A' : (int) (i % 58)));
  secret[len] = '\0';
  return secret;
}

static void
assert_empty (PassportCredentialStore *store)
{
  g_autofree char *listed = list (store);

  g_assert_cmpstr (listed, ==, "");
}

static void
test_store_lookup (void)
{
  g_autoptr (PassportCredentialStore) store = new_store ();
  g_autofree char *secret = NULL;
  g_autofree char *account = NULL;

  assert_empty (store);
  secret = load (store, "https://a.example", NULL, &account);
  g_assert_null (secret);
  g_assert_null (account);

  save (store, "https://a.example", "acc_1", "{\"r\":\"one\"}");
  secret = load (store, "https://a.example", "acc_1", &account);
  g_assert_cmpstr (secret, ==, "{\"r\":\"one\"}");
  g_assert_cmpstr (account, ==, "acc_1");
  g_clear_pointer (&secret, passport_secure_free);
  g_clear_pointer (&account, g_free);

  /* any account of the server */
  secret = load (store, "https://a.example", NULL, &account);
  g_assert_cmpstr (secret, ==, "{\"r\":\"one\"}");
  g_assert_cmpstr (account, ==, "acc_1");
  g_clear_pointer (&secret, passport_secure_free);
  g_clear_pointer (&account, g_free);

  /* another account, another server, a server whose URL this one starts */
  secret = load (store, "https://a.example", "acc_2", &account);
  g_assert_null (secret);
  g_assert_null (account);
  secret = load (store, "https://b.example", "acc_1", NULL);
  g_assert_null (secret);
  secret = load (store, "https://a.ex", NULL, NULL);
  g_assert_null (secret);

  delete (store, "https://a.example", "acc_1");
  assert_empty (store);
}

static void
test_replace (void)
{
  g_autoptr (PassportCredentialStore) store = new_store ();
  g_autoptr (PassportCredentialStore) other = new_store ();
  g_autofree char *secret = NULL;
  g_autofree char *listed = NULL;

  save (store, "https://a.example", "acc_1", "first");
  save (store, "https://a.example", "acc_2", "second");
  save (store, "https://a.example", "acc_1", "first again");
  secret = load (store, "https://a.example", "acc_1", NULL);
  g_assert_cmpstr (secret, ==, "first again");
  g_clear_pointer (&secret, passport_secure_free);
  secret = load (store, "https://a.example", "acc_2", NULL);
  g_assert_cmpstr (secret, ==, "second");
  g_clear_pointer (&secret, passport_secure_free);
  listed = list (store);
  g_assert_cmpstr (listed, ==, "https://a.example acc_1,https://a.example acc_2");

  /* what one store object wrote, another reads (another process would) */
  if (backend_is_shared ())
    {
      secret = load (other, "https://a.example", "acc_1", NULL);
      g_assert_cmpstr (secret, ==, "first again");
    }

  delete (store, "https://a.example", NULL);
  assert_empty (store);
}

static void
test_delete_and_list (void)
{
  g_autoptr (PassportCredentialStore) store = new_store ();
  g_autofree char *listed = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *account = NULL;

  save (store, "https://a.example", "acc_1", "a1");
  save (store, "https://a.example", "acc_2", "a2");
  save (store, "https://a.example:8443", "acc_1", "port");
  save (store, "http://127.0.0.1:9000", "user:with:colons", "colons");
  save (store, "https://b.example", "acc_1", "b1");

  listed = list (store);
  g_assert_cmpstr (listed, ==,
                   "http://127.0.0.1:9000 user:with:colons,"
                   "https://a.example acc_1,https://a.example acc_2,"
                   "https://a.example:8443 acc_1,https://b.example acc_1");
  g_clear_pointer (&listed, g_free);
  secret = load (store, "http://127.0.0.1:9000", NULL, &account);
  g_assert_cmpstr (secret, ==, "colons");
  g_assert_cmpstr (account, ==, "user:with:colons");
  g_clear_pointer (&secret, passport_secure_free);
  g_clear_pointer (&account, g_free);

  /* one account: the server's others stay */
  delete (store, "https://a.example", "acc_1");
  listed = list (store);
  g_assert_cmpstr (listed, ==,
                   "http://127.0.0.1:9000 user:with:colons,https://a.example acc_2,"
                   "https://a.example:8443 acc_1,https://b.example acc_1");
  g_clear_pointer (&listed, g_free);

  /* every account of a server, not of the server on another port */
  save (store, "https://a.example", "acc_3", "a3");
  delete (store, "https://a.example", NULL);
  listed = list (store);
  g_assert_cmpstr (listed, ==,
                   "http://127.0.0.1:9000 user:with:colons,"
                   "https://a.example:8443 acc_1,https://b.example acc_1");
  g_clear_pointer (&listed, g_free);
  secret = load (store, "https://a.example", NULL, NULL);
  g_assert_null (secret);
  secret = load (store, "https://a.example:8443", "acc_1", NULL);
  g_assert_cmpstr (secret, ==, "port");
  g_clear_pointer (&secret, passport_secure_free);

  /* nothing stored is not an error */
  delete (store, "https://c.example", "nobody");
  delete (store, "https://c.example", NULL);

  delete (store, "https://a.example:8443", NULL);
  delete (store, "https://b.example", NULL);
  delete (store, "http://127.0.0.1:9000", NULL);
  assert_empty (store);
}

/* Secrets at the Credential Manager's blob size, one byte past it, at two
 * blobs and past, and a big one; each replaced by a longer and a shorter
 * one, so that no part of an older secret is read back with a newer. */
static void
test_boundary_sizes (void)
{
  g_autoptr (PassportCredentialStore) store = new_store ();
  const gsize sizes[] = { 0, 1, BLOB_SIZE - 1, BLOB_SIZE, BLOB_SIZE + 1, 2 * BLOB_SIZE,
                          2 * BLOB_SIZE + 1, 100 * 1024, BLOB_SIZE + 1, 7, BLOB_SIZE };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *secret = make_secret (sizes[i], (char) ('A' + i));
      g_autofree char *loaded = NULL;
      g_autofree char *account = NULL;
      g_autofree char *listed = NULL;

      g_test_message ("a secret of %" G_GSIZE_FORMAT " bytes", sizes[i]);
      save (store, "https://a.example", "acc_1", secret);
      loaded = load (store, "https://a.example", "acc_1", &account);
      g_assert_nonnull (loaded);
      g_assert_cmpuint (strlen (loaded), ==, sizes[i]);
      g_assert_cmpstr (loaded, ==, secret);
      g_assert_cmpstr (account, ==, "acc_1");
      /* one item, however many pieces the backend made of it */
      listed = list (store);
      g_assert_cmpstr (listed, ==, "https://a.example acc_1");
    }
  delete (store, "https://a.example", "acc_1");
  assert_empty (store);
}

typedef struct
{
  PassportCredentialStore *store;
  char                    *secrets[2];  /* alternated */
  guint                    left;
  guint                    done;
  GError                  *error;
} Writer;

static void writer_next (Writer *writer);

static void
writer_saved_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Writer *writer = user_data;

  if (!passport_credential_store_save_finish (writer->store, result, &writer->error))
    {
      writer->left = 0;
      writer->done = TRUE;
      return;
    }
  writer_next (writer);
}

static void
writer_next (Writer *writer)
{
  if (writer->left == 0)
    {
      writer->done = TRUE;
      return;
    }
  writer->left--;
  passport_credential_store_save_async (writer->store, "https://a.example", "acc_1",
                                        writer->secrets[writer->left % 2], NULL,
                                        writer_saved_cb, writer);
}

/* Two writers replace one account's item at once, each alternating a
 * secret of several parts and a short one: what is read afterwards is one
 * writer's last secret, whole, never pieces of two. */
static void
test_concurrent_writers (void)
{
  g_autoptr (PassportCredentialStore) first = new_store ();
  g_autoptr (PassportCredentialStore) second = backend_is_shared () ? new_store () : g_object_ref (first);
  Writer writers[2] = {
    { first, { make_secret (3 * BLOB_SIZE + 17, 'X'), g_strdup ("x-short") }, 12, FALSE, NULL },
    { second, { make_secret (2 * BLOB_SIZE + 5, 'Y'), g_strdup ("y-short") }, 12, FALSE, NULL },
  };
  g_autofree char *loaded = NULL;
  g_autofree char *listed = NULL;

  writer_next (&writers[0]);
  writer_next (&writers[1]);
  while (!writers[0].done || !writers[1].done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (writers[0].error);
  g_assert_no_error (writers[1].error);

  /* each writer's last save was secrets[0] (left counts down to 0) */
  loaded = load (first, "https://a.example", "acc_1", NULL);
  g_assert_nonnull (loaded);
  g_assert_true (g_str_equal (loaded, writers[0].secrets[0]) ||
                 g_str_equal (loaded, writers[1].secrets[0]));
  listed = list (first);
  g_assert_cmpstr (listed, ==, "https://a.example acc_1");

  delete (first, "https://a.example", NULL);
  assert_empty (first);
  for (guint i = 0; i < 2; i++)
    for (guint j = 0; j < 2; j++)
      g_free (writers[i].secrets[j]);
}

#ifdef G_OS_WIN32
static gboolean
credential_exists (const char *target)
{
  g_autofree gunichar2 *wide = g_utf8_to_utf16 (target, -1, NULL, NULL, NULL);
  PCREDENTIALW credential = NULL;

  if (!CredReadW ((LPCWSTR) wide, CRED_TYPE_GENERIC, 0, &credential))
    return FALSE;
  CredFree (credential);
  return TRUE;
}

/* The Credential Manager's own view: the target names, the parts a
 * shorter secret no longer needs are gone, a secret of more than 64 parts
 * is refused cleanly (the old one stays), and a cancelled save writes
 * nothing. */
static void
test_wincred_items (void)
{
  g_autoptr (PassportCredentialStore) store = new_store ();
  g_autofree char *main_target = g_strdup_printf ("%s:https://a.example:acc_1", wincred_name);
  g_autofree char *part2 = g_strdup_printf ("%s part 2:https://a.example:acc_1", wincred_name);
  g_autofree char *part3 = g_strdup_printf ("%s part 3:https://a.example:acc_1", wincred_name);
  g_autofree char *long_secret = make_secret (2 * BLOB_SIZE + 1, 'L');
  g_autofree char *huge = make_secret (64 * BLOB_SIZE + 1, 'H');
  g_autofree char *loaded = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GAsyncResult) cancelled_res = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;

  save (store, "https://a.example", "acc_1", long_secret);
  g_assert_true (credential_exists (main_target));
  g_assert_true (credential_exists (part2));
  g_assert_true (credential_exists (part3));

  save (store, "https://a.example", "acc_1", "short");
  g_assert_true (credential_exists (main_target));
  g_assert_false (credential_exists (part2));
  g_assert_false (credential_exists (part3));

  passport_credential_store_save_async (store, "https://a.example", "acc_1", huge, NULL,
                                        core_test_result_cb, &res);
  g_assert_false (passport_credential_store_save_finish (store, core_test_await (&res), &error));
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_KEYRING_UNAVAILABLE);
  g_clear_error (&error);
  loaded = load (store, "https://a.example", "acc_1", NULL);
  g_assert_cmpstr (loaded, ==, "short");

  g_cancellable_cancel (cancellable);
  passport_credential_store_save_async (store, "https://b.example", "acc_1", "never", cancellable,
                                        core_test_result_cb, &cancelled_res);
  g_assert_false (passport_credential_store_save_finish (store, core_test_await (&cancelled_res),
                                                         &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  delete (store, "https://a.example", NULL);
  g_assert_false (credential_exists (main_target));
  assert_empty (store);
}
#endif

/* A store is made before it starts a thread that may connect (libsecret's
 * D-Bus): by then the types an HTTP session and a D-Bus connection both
 * need are ready, so the two cannot deadlock in GLib 2.74's class-init
 * lock (passport_http_ensure_types). In a fresh process, since another
 * case may have made them already. */
static void
test_types_ready_subprocess (void)
{
  g_autoptr(PassportCredentialStore) store = NULL;
  GType session = g_type_from_name ("SoupSession");

  g_assert_true (session == 0 || g_type_class_peek (session) == NULL);
  store = new_store ();
  session = g_type_from_name ("SoupSession");
  g_assert_cmpuint (session, !=, 0);
  g_assert_nonnull (g_type_class_peek (session));
  g_assert_cmpuint (g_type_from_name ("GInetSocketAddress"), !=, 0);
  g_assert_cmpuint (g_type_from_name ("GProxyAddress"), !=, 0);
}

static void
test_types_ready (void)
{
  g_test_trap_subprocess ("/credential-store/types-ready/subprocess", 30 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  backend = g_getenv ("PASSPORT_TEST_STORE");
  if (backend == NULL)
    backend = "memory";
  /* Target names of this run only, so a test never meets the user's items
   * or another run's. */
  wincred_name = g_strdup_printf ("PassportTest%u", g_random_int ());

  g_test_add_func ("/credential-store/store-lookup", test_store_lookup);
  g_test_add_func ("/credential-store/replace", test_replace);
  g_test_add_func ("/credential-store/delete-and-list", test_delete_and_list);
  g_test_add_func ("/credential-store/boundary-sizes", test_boundary_sizes);
  g_test_add_func ("/credential-store/concurrent-writers", test_concurrent_writers);
  g_test_add_func ("/credential-store/types-ready", test_types_ready);
  g_test_add_func ("/credential-store/types-ready/subprocess", test_types_ready_subprocess);
#ifdef G_OS_WIN32
  if (g_str_equal (backend, "wincred"))
    g_test_add_func ("/credential-store/wincred-items", test_wincred_items);
#endif

  status = g_test_run ();
  g_free (wincred_name);
  return status;
}
