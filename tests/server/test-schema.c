// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: a database file of an older schema is brought forward at
 * start and keeps what the contract needs: a live session, and the code it
 * came from, whose replay must still revoke it (section 2). */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "pd-test-server.h"

static void
exec_sql (const char *database,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (database, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static gint64
user_version (const char *database)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 version;

  g_assert_cmpint (sqlite3_open (database, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return version;
}

/* Version 1 had no indexes but identities_account and failed_passwords_key,
 * no token_families.expires_at and no trigger: a version 2 file is taken
 * back to it. Its access tokens go: the refresh token alone keeps a
 * session (the upgrade once took such a family for expired). What versions
 * 6, 7 and 9 added (app passwords; sessions and deleted accounts; when an
 * identity was linked, one per provider) goes too, as their ALTER TABLE
 * cannot run twice. */
static const char version_1[] =
  "DELETE FROM access_tokens;"
  "DROP INDEX identities_account_provider; ALTER TABLE identities DROP COLUMN linked_at;"
  "DROP TRIGGER accounts_never_reused; DROP TRIGGER accounts_deleted; DROP TABLE deleted_accounts;"
  "DROP TRIGGER token_families_new_session; DROP INDEX token_families_public_id;"
  "ALTER TABLE token_families DROP COLUMN public_id; ALTER TABLE token_families DROP COLUMN method;"
  "ALTER TABLE token_families DROP COLUMN device_name; ALTER TABLE token_families DROP COLUMN last_used_at;"
  "ALTER TABLE token_families DROP COLUMN ip;"
  "DROP INDEX token_families_app_password; ALTER TABLE token_families DROP COLUMN app_password_id;"
  "DROP TABLE app_passwords;"
  "DROP TRIGGER token_families_codes;"
  "DROP INDEX token_families_account; DROP INDEX token_families_expiry; DROP INDEX token_families_revoked;"
  "DROP INDEX codes_account; DROP INDEX codes_family; DROP INDEX codes_expiry;"
  "DROP INDEX refresh_tokens_family; DROP INDEX access_tokens_family; DROP INDEX access_tokens_expiry;"
  "DROP INDEX auth_requests_expiry; DROP INDEX spent_confirmations_at; DROP INDEX failed_passwords_at;"
  "ALTER TABLE token_families DROP COLUMN expires_at;"
  "PRAGMA user_version = 1;";

static void
test_upgrade_keeps_sessions (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdServer) again = NULL;
  g_autoptr(PdAuthRequest) req = NULL;
  g_autofree char *code = pd_browser_social_sign_in (server, "google", "upgrade@example.com", "U", FALSE, &req);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) t0 = pd_token_code (client, code, req->redirect_uri, req->verifier);
  g_autoptr(PdResponse) t1 = NULL;
  g_autoptr(PdResponse) t2 = NULL;
  g_autoptr(PdResponse) replay = NULL;
  g_autoptr(PdResponse) t3 = NULL;
  g_autoptr(JsonObject) pruned = NULL;

  pd_assert_response (t0, 200, NULL);
  t1 = pd_token_refresh (client, pd_response_string (t0, "refresh_token"));
  pd_assert_response (t1, 200, NULL);
  pd_server_stop (server);

  exec_sql (server->database, version_1);
  g_assert_cmpint (user_version (server->database), ==, 1);
  again = pd_server_restart (server);

  /* the session is live: pruning keeps it, and its code */
  pruned = pd_server_prune (again);
  g_assert_cmpint (pd_prune_count (pruned, "token_families"), ==, 0);
  g_assert_cmpint (pd_prune_count (pruned, "codes"), ==, 0);
  t2 = pd_token_refresh (client, pd_response_string (t1, "refresh_token"));
  pd_assert_response (t2, 200, NULL);

  /* the code's replay still ends it */
  replay = pd_token_code (client, code, req->redirect_uri, req->verifier);
  pd_assert_response (replay, 400, "invalid_grant");
  t3 = pd_token_refresh (client, pd_response_string (t2, "refresh_token"));
  pd_assert_response (t3, 400, "invalid_grant");

  pd_server_stop (again);
  /* brought to the newest version (9: linked sign-in methods) */
  g_assert_cmpint (user_version (server->database), ==, 9);
  exec_sql (server->database, "SELECT id, account_id, name, hash, created_at, last_used_at FROM app_passwords;"
                              "SELECT app_password_id FROM token_families;"
                              "SELECT id, deleted_at FROM deleted_accounts;"
                              "SELECT code_hash, user_code, client_id, scope, device_name, created_at, expires_at,"
                              " poll_interval, last_poll_at, status, account_id FROM device_requests;"
                              "SELECT id, csrf_hash, code_hash, provider, account_id, signed_in FROM device_flows;"
                              "SELECT key, at FROM rate_events;"
                              "SELECT id, account_id, provider, ticket_hash, created_at, expires_at, status, error,"
                              " latest, spent, flow_id, csrf_hash FROM identity_links;");
  /* the session kept from before version 7 got a public id, a method
   * (its code says browser) and its last use (created_at at the upgrade,
   * then the time of the refresh after it: not the same second when the
   * restart took the clock past one) */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    g_assert_cmpint (sqlite3_open (server->database, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT public_id, method, last_used_at >= created_at"
                                             " FROM token_families", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_true (g_str_has_prefix ((const char *) sqlite3_column_text (stmt, 0), "ses_"));
    g_assert_cmpint (strlen ((const char *) sqlite3_column_text (stmt, 0)), ==, 4 + 32);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "browser");
    g_assert_cmpint (sqlite3_column_int (stmt, 2), ==, 1);
    sqlite3_finalize (stmt);
    /* the identity from before version 9 was linked when its account
     * was made, by that first sign-in */
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT i.linked_at = a.created_at FROM identities i"
                                             " JOIN accounts a ON a.id = i.account_id", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    sqlite3_finalize (stmt);
    /* one identity per provider and account */
    g_assert_cmpint (sqlite3_exec (db, "INSERT INTO identities (provider, subject, account_id, email)"
                                       " SELECT provider, 'another', account_id, email FROM identities",
                                   NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
    sqlite3_close (db);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/schema/upgrade-keeps-sessions", test_upgrade_keeps_sessions);
  return g_test_run ();
}
