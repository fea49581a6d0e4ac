// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: account deletion, section 12 of the contract: DELETE /me
 * takes a proof (section 4's errors), then ends every session (waiting
 * long polls get 401) and deletes the app passwords, the two-step data
 * and the reset links; frees the bound and the pending address at once;
 * the identity signs in to a new, empty account with a new id, and the old
 * id can never be inserted again. The feature turned off. */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "pd-test-server.h"

#define PASSWORD "a sturdy passphrase 7"
#define ME "/api/v1/me"

static const char *
access_of (JsonObject *tokens)
{
  return json_object_get_string_member (tokens, "access_token");
}

static const char *
refresh_of (JsonObject *tokens)
{
  return json_object_get_string_member (tokens, "refresh_token");
}

static PdResponse *
delete_me (PdClient   *client,
           const char *access,
           const char *json)
{
  g_autoptr(GBytes) body = json != NULL ? g_bytes_new (json, strlen (json)) : NULL;

  return pd_client_send (client, "DELETE", ME, access, json != NULL ? "application/json" : NULL, body, NULL);
}

static char *
account_id (PdClient   *client,
            const char *access)
{
  g_autoptr(PdResponse) me = pd_get_me (client, access);

  return g_strdup (pd_response_string (me, "id"));
}

static gboolean
features_list (PdClient   *client,
               const char *name)
{
  g_autoptr(PdResponse) r = pd_client_get (client, "/.well-known/openid-configuration", NULL);
  JsonArray *features;

  pd_assert_response (r, 200, NULL);
  features = json_object_get_array_member (pd_response_object (r), "passport_features");
  for (guint i = 0; i < json_array_get_length (features); i++)
    if (g_str_equal (json_array_get_string_element (features, i), name))
      return TRUE;
  return FALSE;
}

static void
assert_accepted (PdResponse *r,
                 const char *first,
                 ...)
{
  JsonArray *accepted;
  va_list args;
  guint n = 0;

  pd_assert_response (r, 403, "reauth_required");
  accepted = json_object_get_array_member (pd_response_object (r), "accepted");
  va_start (args, first);
  for (const char *s = first; s != NULL; s = va_arg (args, const char *), n++)
    {
      g_assert_cmpuint (n, <, json_array_get_length (accepted));
      g_assert_cmpstr (json_array_get_string_element (accepted, n), ==, s);
    }
  va_end (args);
  g_assert_cmpuint (json_array_get_length (accepted), ==, n);
}

/* The number of rows of @table whose @column is @value, read from the
 * database file as the server left it. */
static gint64
count_rows (const char *database,
            const char *table,
            const char *column,
            const char *value)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM %s WHERE %s = ?", table, column);
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (database, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, value, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

typedef struct
{
  PdServer *server;
  const char *access;
  guint status;
  gint64 took;
} Poll;

static gpointer
poll_thread (gpointer data)
{
  Poll *p = data;
  g_autoptr(PdClient) client = pd_client_new (p->server);
  gint64 start = g_get_monotonic_time ();
  g_autoptr(PdResponse) r = pd_client_get (client, ME "?wait=20", p->access);

  p->status = r->status;
  p->took = g_get_monotonic_time () - start;
  return NULL;
}

/* The reset link of the newest mail to @address, waiting for it. */
static char *
reset_token (PdServer   *server,
             const char *address)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_autofree char *mail = NULL, *body = NULL;
  g_auto(GStrv) lines = NULL;

  while ((mail = pd_maildir_newest_to (server, address)) == NULL ||
         strstr (mail, "/password/new?token=") == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_clear_pointer (&mail, g_free);
      g_usleep (10 * 1000);
    }
  body = pd_mail_body (mail);
  lines = g_strsplit (body, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "/password/new?token=") != NULL)
      return pd_url_param (g_strstrip (lines[i]), "token");
  g_assert_not_reached ();
}

/* --------------------------------------------------------------- */

static void
test_discovery (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);

  g_assert_true (features_list (client, "delete_account"));
}

/* The proof of section 4, and nothing is deleted without it */
static void
test_proof (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *email = pd_unique_email ("proof");
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "google", email, "Ivan", PASSWORD);
  g_autofree char *social_email = pd_unique_email ("social");
  g_autoptr(JsonObject) social = pd_social_tokens (server, "vk", social_email, "Social", TRUE);
  g_autofree char *wrong = pd_json_strings ("password", "not the password 1", NULL);
  g_autofree char *two = pd_json_strings ("password", PASSWORD, "otp", "123456", NULL);
  g_autofree char *extra = pd_json_strings ("password", PASSWORD, "reason", "bored", NULL);

  {
    g_autoptr(PdResponse) none = delete_me (client, access_of (tokens), "{}");
    g_autoptr(PdResponse) empty = delete_me (client, access_of (tokens), NULL);
    g_autoptr(PdResponse) bad = delete_me (client, access_of (tokens), wrong);
    g_autoptr(PdResponse) both = delete_me (client, access_of (tokens), two);
    g_autoptr(PdResponse) unknown = delete_me (client, access_of (tokens), extra);
    g_autoptr(PdResponse) not_json = delete_me (client, access_of (tokens), "password");
    g_autoptr(PdResponse) anonymous = delete_me (client, NULL, "{}");
    g_autoptr(PdResponse) otp = NULL;

    assert_accepted (none, "password", NULL);
    assert_accepted (empty, "password", NULL);
    pd_assert_response (bad, 403, "invalid_password");
    pd_assert_response (both, 400, "invalid_request");
    pd_assert_response (unknown, 400, "invalid_request");
    pd_assert_response (not_json, 400, "invalid_request");
    pd_assert_response (anonymous, 401, "invalid_token");

    /* a code without two-step sign-in is not a proof it can take */
    otp = delete_me (client, access_of (tokens), "{\"otp\":\"123456\"}");
    assert_accepted (otp, "password", NULL);
  }
  /* still there */
  {
    g_autoptr(PdResponse) me = pd_get_me (client, access_of (tokens));
    g_autoptr(PdResponse) grant = pd_token_password (client, email, PASSWORD);

    pd_assert_response (grant, 200, NULL);
  }

  /* without a password: a sign-in at most 5 minutes old */
  pd_server_advance_clock (server, 301);
  {
    g_autoptr(PdResponse) stale = delete_me (client, access_of (social), "{}");
    g_autoptr(PdResponse) password = delete_me (client, access_of (social), "{\"password\":\"anything at all\"}");
    g_autoptr(JsonObject) fresh = pd_social_tokens (server, "vk", social_email, "Social", TRUE);
    g_autoptr(PdResponse) d = NULL;
    g_autoptr(PdResponse) after = NULL;

    assert_accepted (stale, "sign_in", NULL);
    assert_accepted (password, "sign_in", NULL);
    d = delete_me (client, access_of (fresh), NULL);
    pd_assert_response (d, 204, NULL);
    after = pd_client_get (client, ME, access_of (social));
    pd_assert_response (after, 401, "invalid_token");
  }

  /* too many wrong passwords: 429 */
  {
    gboolean throttled = FALSE;

    for (guint i = 0; i < 10 && !throttled; i++)
      {
        g_autoptr(PdResponse) r = delete_me (client, access_of (tokens), wrong);

        throttled = r->status == 429;
        if (throttled)
          pd_assert_response (r, 429, "too_many_requests");
        else
          pd_assert_response (r, 403, "invalid_password");
      }
    g_assert_true (throttled);
  }
}

/* Everything goes at once; the address and the identity are free */
static void
test_delete (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *email = pd_unique_email ("gone");
  g_autofree char *pending = pd_unique_email ("pending");
  g_autofree char *bystander_email = pd_unique_email ("bystander");
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "google", email, "Ivan Petrov", PASSWORD);
  g_autoptr(JsonObject) bystander = pd_account_with_password (server, "vk", bystander_email, "B", PASSWORD);
  g_autoptr(JsonObject) second = NULL, other_device = NULL;
  g_autofree char *old_id = account_id (client, access_of (tokens));
  g_autofree char *app_password = NULL, *secret = NULL, *reset = NULL, *pending_mail = NULL;
  g_autofree char *pending_link = NULL;
  Poll poll = { server, NULL, 0, 0 };
  GThread *thread;

  /* sessions, an app password, two-step sign-in, a reset link, a pending
   * change of address */
  {
    g_autoptr(PdResponse) r = pd_token_password (client, email, PASSWORD);

    pd_assert_response (r, 200, NULL);
    second = json_object_ref (pd_response_object (r));
  }
  {
    g_autofree char *body = pd_json_strings ("name", "Thunderbird", "password", PASSWORD, NULL);
    g_autoptr(PdResponse) r = pd_client_post_json (client, "/api/v1/me/app-passwords", access_of (tokens), body);

    pd_assert_response (r, 201, NULL);
    app_password = g_strdup (pd_response_string (r, "password"));
  }
  {
    g_autoptr(PdResponse) r = pd_token_password (client, email, app_password);

    pd_assert_response (r, 200, NULL);
    other_device = json_object_ref (pd_response_object (r));
  }
  secret = pd_enable_otp (server, access_of (tokens), PASSWORD, NULL);
  {
    g_autofree char *body = pd_json_strings ("email", email, NULL);
    g_autoptr(PdResponse) r = pd_client_post_json (client, "/api/v1/password/reset", NULL, body);

    pd_assert_response (r, 202, NULL);
    reset = reset_token (server, email);
  }
  {
    g_autofree char *body = pd_json_strings ("email", pending, "password", PASSWORD, NULL);
    g_autoptr(PdResponse) r = pd_client_put_json (client, "/api/v1/me/email", access_of (tokens), body);

    pd_assert_response (r, 202, NULL);
    pending_mail = pd_maildir_newest_to (server, pending);
    g_assert_nonnull (pending_mail);
    pending_link = pd_mail_link (pending_mail);
  }
  g_assert_cmpint (count_rows (server->database, "otp", "account_id", old_id), ==, 1);
  g_assert_cmpint (count_rows (server->database, "app_passwords", "account_id", old_id), ==, 1);
  g_assert_cmpint (count_rows (server->database, "reset_tokens", "account_id", old_id), ==, 1);

  /* a long poll waits */
  poll.access = access_of (second);
  thread = g_thread_new ("poll", poll_thread, &poll);
  g_usleep (500 * 1000);

  {
    g_autofree char *proof = pd_json_strings ("password", PASSWORD, NULL);
    g_autoptr(PdResponse) d = delete_me (client, access_of (tokens), proof);

    pd_assert_response (d, 204, NULL);
    g_assert_cmpuint (d->body != NULL ? g_bytes_get_size (d->body) : 0, ==, 0);
  }
  g_thread_join (thread);
  g_assert_cmpuint (poll.status, ==, 401);
  g_assert_cmpint (poll.took, <, 5 * G_USEC_PER_SEC);

  /* every token is dead, and every way in */
  {
    JsonObject *all[] = { tokens, second, other_device };

    for (guint i = 0; i < G_N_ELEMENTS (all); i++)
      {
        g_autoptr(PdResponse) me = pd_client_get (client, ME, access_of (all[i]));
        g_autoptr(PdResponse) refresh = pd_token_refresh (client, refresh_of (all[i]));
        g_autoptr(PdResponse) again = delete_me (client, access_of (all[i]), "{}");

        pd_assert_response (me, 401, "invalid_token");
        pd_assert_response (refresh, 400, "invalid_grant");
        pd_assert_response (again, 401, "invalid_token");
      }
  }
  {
    g_autoptr(PdResponse) password = pd_token_password (client, email, PASSWORD);
    g_autoptr(PdResponse) app = pd_token_password (client, email, app_password);
    g_autoptr(PdResponse) confirm = pd_client_get (client, pending_link, NULL);
    g_autofree char *reset_path = g_strconcat ("/api/v1/password/new?token=", reset, NULL);
    g_autoptr(PdResponse) reset_page = pd_client_get (client, reset_path, NULL);

    pd_assert_response (password, 400, "invalid_grant");
    pd_assert_response (app, 400, "invalid_grant");
    g_assert_cmpuint (confirm->status, ==, 404);
    g_assert_cmpuint (reset_page->status, ==, 404);
  }
  /* nothing of it is left */
  {
    const char *tables[] = { "accounts", "identities", "pending_emails", "token_families", "codes",
                             "otp", "recovery_codes", "mfa_tokens", "app_passwords", "reset_tokens" };

    for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
      g_assert_cmpint (count_rows (server->database, tables[i],
                                   g_str_equal (tables[i], "accounts") ? "id" : "account_id", old_id), ==, 0);
    g_assert_cmpint (count_rows (server->database, "deleted_accounts", "id", old_id), ==, 1);
  }
  /* the bystander is untouched */
  {
    g_autoptr(PdResponse) me = pd_get_me (client, access_of (bystander));
    g_autoptr(PdResponse) refresh = pd_token_refresh (client, refresh_of (bystander));

    pd_assert_response (refresh, 200, NULL);
  }

  /* the pending address: another account binds it at once */
  {
    g_autoptr(JsonObject) other = pd_account_with_password (server, "yandex", pending, "P", PASSWORD);
    g_autoptr(PdResponse) me = pd_get_me (client, access_of (other));

    g_assert_cmpstr (pd_response_string (me, "email"), ==, pending);
  }
  /* the identity signs in to a new, empty account, which binds the old
   * address at once */
  {
    g_autoptr(JsonObject) fresh = pd_social_tokens (server, "google", email, "Ivan Petrov", TRUE);
    g_autoptr(PdResponse) me = pd_get_me (client, access_of (fresh));
    JsonObject *o = pd_response_object (me);
    g_autoptr(JsonObject) bound = NULL;
    g_autoptr(PdResponse) grant = NULL;

    g_assert_cmpstr (pd_response_string (me, "id"), !=, old_id);
    g_assert_true (json_object_get_null_member (o, "email"));
    g_assert_false (json_object_get_boolean_member (o, "has_password"));
    g_assert_false (json_object_get_boolean_member (json_object_get_object_member (o, "terms"), "accepted"));
    g_assert_false (json_object_get_boolean_member (json_object_get_object_member (o, "otp"), "enabled"));
    g_assert_cmpint (json_object_get_int_member (o, "revision"), ==, 1);
    {
      g_autoptr(PdResponse) apps = pd_client_get (client, "/api/v1/me/app-passwords", access_of (fresh));
      g_autoptr(PdResponse) sessions = pd_client_get (client, "/api/v1/me/sessions", access_of (fresh));

      pd_assert_response (apps, 200, NULL);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pd_response_object (apps),
                                                                              "app_passwords")), ==, 0);
      pd_assert_response (sessions, 200, NULL);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pd_response_object (sessions),
                                                                              "sessions")), ==, 1);
    }

    bound = pd_account_with_password (server, "google", email, "Ivan Petrov", "another passphrase 9");
    grant = pd_token_password (client, email, "another passphrase 9");
    pd_assert_response (grant, 200, NULL);
    /* no second step: the old account's two-step sign-in went with it */
    g_assert_nonnull (pd_response_string (grant, "access_token"));
  }

  /* the old id can never be an account again */
  pd_server_stop (server);
  {
    sqlite3 *db = NULL;
    g_autofree char *sql = g_strdup_printf ("INSERT INTO accounts (id, created_at) VALUES ('%s', 0)", old_id);
    char *message = NULL;

    g_assert_cmpint (sqlite3_open (server->database, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, &message), ==, SQLITE_CONSTRAINT);
    sqlite3_free (message);
    sqlite3_close (db);
  }
}

/* --features=-delete_account: DELETE /me is unknown, before the token */
static void
test_features_off (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--features=-delete_account", NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *email = pd_unique_email ("off");
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "google", email, "Ivan", PASSWORD);
  g_autofree char *proof = pd_json_strings ("password", PASSWORD, NULL);

  g_assert_false (features_list (client, "delete_account"));
  g_assert_true (features_list (client, "sessions"));
  {
    g_autoptr(PdResponse) d = delete_me (client, access_of (tokens), proof);
    g_autoptr(PdResponse) anonymous = delete_me (client, NULL, proof);
    g_autoptr(PdResponse) me = pd_get_me (client, access_of (tokens));
    g_autoptr(PdResponse) grant = pd_token_password (client, email, PASSWORD);

    pd_assert_response (d, 404, "not_found");
    pd_assert_response (anonymous, 404, "not_found");
    pd_assert_response (grant, 200, NULL);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/delete-account/discovery", test_discovery);
  g_test_add_func ("/delete-account/proof", test_proof);
  g_test_add_func ("/delete-account/delete", test_delete);
  g_test_add_func ("/delete-account/features-off", test_features_off);
  return g_test_run ();
}
