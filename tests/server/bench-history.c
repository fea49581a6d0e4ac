// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd benchmark (not a test): does a request's cost grow with the
 * history in the database? Two passportd in one run, one with a fresh
 * database, one whose database was given PD_BENCH_HISTORY (default 100000)
 * old authorization codes and as many old token families (half revoked,
 * half still live, each with a refresh and an expired access token; half
 * the codes redeemed into those families, half expired unredeemed) over
 * 1000 other accounts, written straight into the SQLite file between a first
 * start (which creates the schema) and a second. Prints the median time of
 * an authorization (GET /oauth/authorize and POST /oauth/social, up to the
 * code) and of a password change (POST /me/password: two argon2id), and
 * the ratio history / fresh.
 *
 *   meson test -C build --benchmark --verbose bench-history
 *
 * Before measuring, POST /_test/prune runs the pruning that the timer
 * would run (a passportd without it answers 404, and prunes nothing), and
 * what it deleted is printed; PD_BENCH_PRUNE=0 leaves the whole history
 * in place (with --test-clock the timer does not prune), to measure the
 * indexes alone. PD_BENCH_AUTHORIZATIONS (default 60) and
 * PD_BENCH_PASSWORDS (default 8) change the counts. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "pd-test-server.h"

#define EMAIL "history@example.com"
#define PASSWORD_A "quiet orange kettle 9"
#define PASSWORD_B "loud purple teapot 7"
#define OTHER_ACCOUNTS 1000

static guint
env_count (const char *name,
           guint       fallback)
{
  const char *value = g_getenv (name);
  guint64 n;

  if (value != NULL && g_ascii_string_to_unsigned (value, 10, 1, 10000000, &n, NULL))
    return (guint) n;
  return fallback;
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
median_ms (gint64 *times,
           guint   n)
{
  qsort (times, n, sizeof *times, compare_gint64);
  return times[n / 2] / 1000.0;
}

static void
exec_or_die (sqlite3    *db,
             const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static sqlite3_stmt *
prepare_or_die (sqlite3    *db,
                const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  return stmt;
}

static void
step_or_die (sqlite3      *db,
             sqlite3_stmt *stmt)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_error ("insert: %s", sqlite3_errmsg (db));
  sqlite3_reset (stmt);
}

/* Whether token_families has expires_at (schema 2 and later). */
static gboolean
families_have_expiry (sqlite3 *db)
{
  sqlite3_stmt *stmt = prepare_or_die (db, "SELECT 1 FROM pragma_table_info('token_families') WHERE name = 'expires_at'");
  gboolean found = sqlite3_step (stmt) == SQLITE_ROW;

  sqlite3_finalize (stmt);
  return found;
}

static void
insert_history (const char *database,
                guint       n)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *account, *family, *refresh, *access, *code;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const gint64 day = 86400;
  gboolean expiry;

  if (sqlite3_open (database, &db) != SQLITE_OK)
    g_error ("cannot open %s", database);
  sqlite3_busy_timeout (db, 5000);
  exec_or_die (db, "BEGIN");
  expiry = families_have_expiry (db);

  account = prepare_or_die (db, "INSERT INTO accounts (id, display_name, language, created_at) VALUES (?, 'Old', 'en', ?)");
  for (guint i = 0; i < OTHER_ACCOUNTS; i++)
    {
      g_autofree char *id = g_strdup_printf ("acc_history_%u", i);

      sqlite3_bind_text (account, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (account, 2, now - 400 * day);
      step_or_die (db, account);
    }

  family = prepare_or_die (db, expiry ?
                           "INSERT INTO token_families (id, account_id, client_id, scope, revoked, created_at, expires_at)"
                           " VALUES (?1, ?2, 'passport-desktop', 'openid profile email passport', ?3, ?4, ?5)" :
                           "INSERT INTO token_families (id, account_id, client_id, scope, revoked, created_at)"
                           " VALUES (?1, ?2, 'passport-desktop', 'openid profile email passport', ?3, ?4)");
  refresh = prepare_or_die (db, "INSERT INTO refresh_tokens (hash, family_id, expires_at) VALUES (?, ?, ?)");
  access = prepare_or_die (db, "INSERT INTO access_tokens (hash, family_id, expires_at) VALUES (?, ?, ?)");
  code = prepare_or_die (db, "INSERT INTO codes (hash, account_id, client_id, redirect_uri, code_challenge,"
                             " scope, expires_at, family_id) VALUES (?, ?, 'passport-desktop',"
                             " 'http://127.0.0.1:40000/callback', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',"
                             " 'openid profile email passport', ?, ?)");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("family_history_%u", i);
      g_autofree char *owner = g_strdup_printf ("acc_history_%u", i % OTHER_ACCOUNTS);
      g_autofree char *refresh_hash = g_strdup_printf ("refresh_history_%u", i);
      g_autofree char *access_hash = g_strdup_printf ("access_history_%u", i);
      g_autofree char *code_hash = g_strdup_printf ("code_history_%u", i);
      gboolean revoked = i % 2 == 1;
      gint64 created = now - (gint64) (i % 300) * day;
      gint64 refresh_expiry = revoked ? now - day : now + 30 * day;

      sqlite3_bind_text (family, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (family, 2, owner, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (family, 3, revoked);
      sqlite3_bind_int64 (family, 4, created);
      if (expiry)
        sqlite3_bind_int64 (family, 5, refresh_expiry);
      step_or_die (db, family);

      sqlite3_bind_text (refresh, 1, refresh_hash, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (refresh, 2, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (refresh, 3, refresh_expiry);
      step_or_die (db, refresh);

      sqlite3_bind_text (access, 1, access_hash, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (access, 2, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (access, 3, created + 900);
      step_or_die (db, access);

      /* the even codes were redeemed into the live families */
      sqlite3_bind_text (code, 1, code_hash, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (code, 2, owner, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (code, 3, created + 60);
      if (i % 2 == 0)
        sqlite3_bind_text (code, 4, id, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (code, 4);
      step_or_die (db, code);
    }

  sqlite3_finalize (account);
  sqlite3_finalize (family);
  sqlite3_finalize (refresh);
  sqlite3_finalize (access);
  sqlite3_finalize (code);
  exec_or_die (db, "COMMIT");
  sqlite3_close (db);
}

/* The pruning the timer would do, to the end; prints what went. */
static void
prune (PdServer   *server,
       const char *label)
{
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) r = pd_client_post_json (client, "/_test/prune", NULL, "{}");

  if (r->status == 200)
    printf ("%s: pruned before measuring: %s\n", label, r->text);
  else
    printf ("%s: no POST /_test/prune (%u): nothing pruned by the benchmark\n", label, r->status);
}

static double
time_authorizations (PdServer *server,
                     guint     n)
{
  g_autofree gint64 *times = g_new0 (gint64, n);

  for (guint i = 0; i < n + 3; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autofree char *code = pd_browser_social_sign_in (server, "google", EMAIL, "History", TRUE, NULL);

      if (i >= 3)  /* the first ones warm up */
        times[i - 3] = g_get_monotonic_time () - start;
    }
  return median_ms (times, n);
}

static double
time_password_changes (PdServer   *server,
                       const char *access,
                       guint       n)
{
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree gint64 *times = g_new0 (gint64, n);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *body = pd_json_strings ("current_password", i % 2 == 0 ? PASSWORD_A : PASSWORD_B,
                                               "new_password", i % 2 == 0 ? PASSWORD_B : PASSWORD_A, NULL);
      gint64 start = g_get_monotonic_time ();
      g_autoptr(PdResponse) r = pd_client_post_json (client, "/api/v1/me/password", access, body);

      times[i] = g_get_monotonic_time () - start;
      if (r->status != 204)
        g_error ("POST /me/password answered %u: %s", r->status, r->text);
    }
  /* back to the first password for the next round */
  if (n % 2 == 1)
    {
      g_autofree char *body = pd_json_strings ("current_password", PASSWORD_B, "new_password", PASSWORD_A, NULL);
      g_autoptr(PdResponse) r = pd_client_post_json (client, "/api/v1/me/password", access, body);

      g_assert_cmpuint (r->status, ==, 204);
    }
  return median_ms (times, n);
}

int
main (int   argc,
      char *argv[])
{
  guint history = env_count ("PD_BENCH_HISTORY", 100000);
  guint authorizations = env_count ("PD_BENCH_AUTHORIZATIONS", 60);
  guint passwords = env_count ("PD_BENCH_PASSWORDS", 8);
  g_autoptr(JsonObject) fresh_tokens = NULL;
  g_autoptr(JsonObject) old_tokens = NULL;
  PdServer *fresh, *first, *old;
  double auth[2], change[2];
  gint64 start;

  g_test_init (&argc, &argv, NULL);

  fresh = pd_server_start ("--log-level", "error", NULL);
  first = pd_server_start ("--log-level", "error", NULL);
  pd_server_stop (first);
  start = g_get_monotonic_time ();
  insert_history (first->database, history);
  printf ("history: %u old codes and %u old token families over %u other accounts, written in %.1f s\n",
          history, history, OTHER_ACCOUNTS, (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  old = pd_server_restart (first);

  fresh_tokens = pd_account_with_password (fresh, "google", EMAIL, "History", PASSWORD_A);
  old_tokens = pd_account_with_password (old, "google", EMAIL, "History", PASSWORD_A);
  if (g_strcmp0 (g_getenv ("PD_BENCH_PRUNE"), "0") != 0)
    {
      prune (fresh, "fresh");
      prune (old, "history");
    }
  else
    printf ("not pruned (PD_BENCH_PRUNE=0): the indexes alone\n");

  auth[0] = time_authorizations (fresh, authorizations);
  auth[1] = time_authorizations (old, authorizations);
  change[0] = time_password_changes (fresh, json_object_get_string_member (fresh_tokens, "access_token"), passwords);
  change[1] = time_password_changes (old, json_object_get_string_member (old_tokens, "access_token"), passwords);

  printf ("%-58s | %8s | %8s | %s\n", "median ms", "fresh", "history", "history / fresh");
  printf ("%-58s | %8.2f | %8.2f | %.2f\n", "authorization (GET /oauth/authorize + POST /oauth/social)",
          auth[0], auth[1], auth[1] / auth[0]);
  printf ("%-58s | %8.2f | %8.2f | %.2f\n", "password change (POST /me/password)",
          change[0], change[1], change[1] / change[0]);
  fflush (stdout);

  pd_server_stop (fresh);
  pd_server_stop (old);
  pd_server_free (fresh);
  pd_server_free (first);
  pd_server_free (old);
  return 0;
}
