// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: two-step sign-in, sections 8.2 and 8.3 of the contract and
 * the proof rule of section 4, row by row with the state after it. Codes
 * are computed here from the secret the server shows, with GHmac, at the
 * server's time: the test clock is first moved to the start of a 30 s
 * step, so that a code computed for "now" is the server's now for the
 * next half minute of real time, and steps are crossed only with
 * pd_server_advance_clock(). */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "pd-test-server.h"

#define PASSWORD "a sturdy passphrase 7"
#define OTP_GRANT "urn:passport:params:oauth:grant-type:otp"

/* --------------------------------------------------------------- */
/* Codes                                                            */
/* --------------------------------------------------------------- */

/* --------------------------------------------------------------- */
/* Accounts and calls                                               */
/* --------------------------------------------------------------- */

typedef struct
{
  PdServer *server;
  PdClient *client;
  JsonObject *tokens;
  char *email;
  char *secret;      /* base32, once set up */
  gint64 step;       /* the step the test stands in (align_step) */
  char **recovery;   /* the newest set */
} Account;

static Account *
account_new (PdServer   *server,
             const char *who)
{
  Account *a = g_new0 (Account, 1);

  a->server = server;
  a->email = pd_unique_email (who);
  a->tokens = pd_account_with_password (server, "google", a->email, "Ivan Petrov", PASSWORD);
  a->client = pd_client_new (server);
  return a;
}

static void
account_free (Account *a)
{
  pd_client_free (a->client);
  json_object_unref (a->tokens);
  g_free (a->email);
  g_free (a->secret);
  g_strfreev (a->recovery);
  g_free (a);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Account, account_free)

static const char *
access_of (Account *a)
{
  return json_object_get_string_member (a->tokens, "access_token");
}

/* New tokens for the same session, when the clock has passed the access
 * token's 15 minutes. */
static void
refresh (Account *a)
{
  g_autoptr(PdResponse) r = pd_token_refresh (a->client, json_object_get_string_member (a->tokens, "refresh_token"));

  pd_assert_response (r, 200, NULL);
  json_object_unref (a->tokens);
  a->tokens = json_object_ref (pd_response_object (r));
}

static JsonObject *
me (Account *a)
{
  g_autoptr(PdResponse) r = pd_get_me (a->client, access_of (a));

  return json_object_ref (pd_response_object (r));
}

static gint64
revision (Account *a)
{
  g_autoptr(JsonObject) o = me (a);

  return json_object_get_int_member (o, "revision");
}

static void
assert_otp_state (Account *a,
                  gboolean enabled,
                  gint64   left)
{
  g_autoptr(JsonObject) o = me (a);
  JsonObject *otp;

  g_assert_true (json_object_has_member (o, "otp"));
  otp = json_object_get_object_member (o, "otp");
  g_assert_cmpint (json_object_get_boolean_member (otp, "enabled"), ==, enabled);
  g_assert_cmpint (json_object_get_int_member (otp, "recovery_codes_left"), ==, left);
}

static PdResponse *
post (Account    *a,
      const char *path,
      const char *json)
{
  return pd_client_post_json (a->client, path, access_of (a), json);
}

static PdResponse *
delete_otp (Account    *a,
            const char *json)
{
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  return pd_client_send (a->client, "DELETE", "/api/v1/me/otp", access_of (a),
                         json[0] != '\0' ? "application/json" : NULL, body, NULL);
}

static char *
password_proof (void)
{
  return pd_json_strings ("password", PASSWORD, NULL);
}

static void
assert_accepted (PdResponse *r,
                 const char *expected)
{
  JsonArray *accepted;
  g_autoptr(GString) got = g_string_new (NULL);

  pd_assert_response (r, 403, "reauth_required");
  accepted = json_object_get_array_member (pd_response_object (r), "accepted");
  for (guint i = 0; i < json_array_get_length (accepted); i++)
    g_string_append_printf (got, "%s%s", i > 0 ? "," : "", json_array_get_string_element (accepted, i));
  g_assert_cmpstr (got->str, ==, expected);
}

static void
take_recovery_codes (Account    *a,
                     PdResponse *r)
{
  JsonArray *codes = json_object_get_array_member (pd_response_object (r), "recovery_codes");
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (json_array_get_length (codes), ==, 10);
  g_strfreev (a->recovery);
  a->recovery = g_new0 (char *, 11);
  for (guint i = 0; i < 10; i++)
    {
      const char *code = json_array_get_string_element (codes, i);

      g_assert_true (g_regex_match_simple ("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}"
                                           "-[BCDFGHJKLMNPQRSTVWXZ]{4}$", code, 0, 0));
      g_assert_true (g_hash_table_add (seen, (gpointer) code));
      a->recovery[i] = g_strdup (code);
    }
}

/* Set-up with the password, confirmed with the current step's code. */
static void
enable_otp (Account *a)
{
  g_autofree char *proof = password_proof ();
  g_autoptr(PdResponse) setup = post (a, "/api/v1/me/otp/setup", proof);
  g_autofree char *code = NULL, *body = NULL;
  g_autoptr(PdResponse) confirm = NULL;

  pd_assert_response (setup, 200, NULL);
  a->secret = g_strdup (pd_response_string (setup, "secret"));
  a->step = pd_server_align_step (a->server, a->client);
  code = pd_totp_code (a->secret, a->step);
  body = pd_json_strings ("otp", code, NULL);
  confirm = post (a, "/api/v1/me/otp/confirm", body);
  pd_assert_response (confirm, 200, NULL);
  take_recovery_codes (a, confirm);
}

static PdResponse *
password_grant (PdClient   *client,
                const char *email,
                const char *password,
                const char *scope)
{
  return pd_client_post_form (client, "/oauth/token", NULL,
                              "grant_type", "password", "client_id", PD_CLIENT_ID,
                              "username", email, "password", password, "scope", scope,
                              "device_name", "ivan-laptop (Debian GNU/Linux 12)", NULL);
}

static char *
mfa_token (Account *a)
{
  g_autoptr(PdResponse) r = password_grant (a->client, a->email, PASSWORD, "openid profile email passport");

  pd_assert_response (r, 403, "mfa_required");
  g_assert_cmpint (json_object_get_int_member (pd_response_object (r), "expires_in"), ==, 300);
  return g_strdup (pd_response_string (r, "mfa_token"));
}

static PdResponse *
otp_grant (PdClient   *client,
           const char *token,
           const char *field,
           const char *value)
{
  return pd_client_post_form (client, "/oauth/token", NULL,
                              "grant_type", OTP_GRANT, "client_id", PD_CLIENT_ID,
                              "mfa_token", token, field, value, NULL);
}

static PdResponse *
otp_grant_now (Account    *a,
               const char *token,
               gint64      step)
{
  g_autofree char *code = pd_totp_code (a->secret, step);

  return otp_grant (a->client, token, "otp", code);
}

/* --------------------------------------------------------------- */
/* Tests                                                            */
/* --------------------------------------------------------------- */

static void
test_discovery (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "disc");
  g_autoptr(PdResponse) r = pd_client_get (a->client, "/.well-known/openid-configuration", NULL);
  JsonObject *o = pd_response_object (r);
  JsonArray *features = json_object_get_array_member (o, "passport_features");
  JsonArray *grants = json_object_get_array_member (o, "grant_types_supported");
  gboolean listed = FALSE, grant = FALSE;

  for (guint i = 0; i < json_array_get_length (features); i++)
    listed = listed || g_str_equal (json_array_get_string_element (features, i), "otp");
  for (guint i = 0; i < json_array_get_length (grants); i++)
    grant = grant || g_str_equal (json_array_get_string_element (grants, i), OTP_GRANT);
  g_assert_true (listed);
  g_assert_true (grant);
  assert_otp_state (a, FALSE, 0);
}

static void
test_setup (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "setup");
  g_autofree char *proof = password_proof ();
  g_autofree char *wrong = pd_json_strings ("password", "not the password 1", NULL);
  g_autofree char *both = pd_json_strings ("password", PASSWORD, "otp", "123456", NULL);
  g_autofree char *expected_uri = NULL, *label = NULL, *code = NULL, *body = NULL;
  gint64 rev = revision (a);
  const char *secret;

  /* the proof: none, two, the wrong password, an otp while it is off */
  {
    g_autoptr(PdResponse) none = post (a, "/api/v1/me/otp/setup", "{}");
    g_autoptr(PdResponse) empty = post (a, "/api/v1/me/otp/setup", "");
    g_autoptr(PdResponse) two = post (a, "/api/v1/me/otp/setup", both);
    g_autoptr(PdResponse) bad = post (a, "/api/v1/me/otp/setup", wrong);
    g_autoptr(PdResponse) otp = post (a, "/api/v1/me/otp/setup", "{\"otp\": \"123456\"}");
    g_autoptr(PdResponse) unknown = post (a, "/api/v1/me/otp/setup", "{\"secret\": \"x\"}");

    assert_accepted (none, "password");
    assert_accepted (empty, "password");
    pd_assert_response (two, 400, "invalid_request");
    pd_assert_response (bad, 403, "invalid_password");
    assert_accepted (otp, "password");
    pd_assert_response (unknown, 400, "invalid_request");
  }

  {
    g_autoptr(PdResponse) setup = post (a, "/api/v1/me/otp/setup", proof);
    g_autoptr(GDateTime) expires = NULL;

    pd_assert_response (setup, 200, NULL);
    secret = pd_response_string (setup, "secret");
    g_assert_true (g_regex_match_simple ("^[A-Z2-7]{32}$", secret, 0, 0));
    a->secret = g_strdup (secret);
    label = g_uri_escape_string (a->email, NULL, FALSE);
    expected_uri = g_strdup_printf ("otpauth://totp/Passport:%s?secret=%s&issuer=Passport"
                                    "&algorithm=SHA1&digits=6&period=30", label, secret);
    g_assert_cmpstr (pd_response_string (setup, "otpauth_uri"), ==, expected_uri);
    g_assert_nonnull (strstr (expected_uri, "%40"));
    expires = g_date_time_new_from_iso8601 (pd_response_string (setup, "expires_at"), NULL);
    g_assert_nonnull (expires);
    g_assert_cmpint (g_date_time_to_unix (expires) - pd_server_now (a->client), >=, 598);
    g_assert_cmpint (g_date_time_to_unix (expires) - pd_server_now (a->client), <=, 600);
  }
  /* an unconfirmed set-up is not part of the account */
  g_assert_cmpint (revision (a), ==, rev);
  assert_otp_state (a, FALSE, 0);

  a->step = pd_server_align_step (server, a->client);
  /* a wrong code, then codes of steps outside the window */
  {
    g_autofree char *early = pd_totp_code (a->secret, a->step - 2);
    g_autofree char *late = pd_totp_code (a->secret, a->step + 2);
    g_autofree char *b1 = pd_json_strings ("otp", early, NULL);
    g_autofree char *b2 = pd_json_strings ("otp", late, NULL);
    g_autoptr(PdResponse) r1 = post (a, "/api/v1/me/otp/confirm", b1);
    g_autoptr(PdResponse) r2 = post (a, "/api/v1/me/otp/confirm", b2);
    g_autoptr(PdResponse) r3 = post (a, "/api/v1/me/otp/confirm", "{\"otp\": \"12345\"}");
    g_autoptr(PdResponse) r4 = post (a, "/api/v1/me/otp/confirm", "{}");

    pd_assert_response (r1, 403, "invalid_otp");
    pd_assert_response (r2, 403, "invalid_otp");
    pd_assert_response (r3, 403, "invalid_otp");
    pd_assert_response (r4, 400, "invalid_request");
  }
  code = pd_totp_code (a->secret, a->step);
  body = pd_json_strings ("otp", code, NULL);
  {
    g_autoptr(PdResponse) confirm = post (a, "/api/v1/me/otp/confirm", body);

    pd_assert_response (confirm, 200, NULL);
    take_recovery_codes (a, confirm);
  }
  g_assert_cmpint (revision (a), ==, rev + 1);
  assert_otp_state (a, TRUE, 10);

  /* again: no set-up waits; set-up while on */
  {
    g_autoptr(PdResponse) again = post (a, "/api/v1/me/otp/confirm", body);
    g_autoptr(PdResponse) setup = post (a, "/api/v1/me/otp/setup", proof);

    pd_assert_response (again, 409, "no_otp_setup");
    pd_assert_response (setup, 409, "otp_already_enabled");
  }
  /* the code that confirmed is used: not even a proof with it */
  {
    g_autoptr(PdResponse) r = post (a, "/api/v1/me/otp/recovery-codes", body);
    g_autofree char *next = pd_totp_code (a->secret, a->step + 1);
    g_autofree char *b = pd_json_strings ("otp", next, NULL);
    g_autoptr(PdResponse) ok = post (a, "/api/v1/me/otp/recovery-codes", b);
    g_autoptr(PdResponse) twice = post (a, "/api/v1/me/otp/recovery-codes", b);

    pd_assert_response (r, 403, "invalid_otp");
    /* the next step's code is in the window, once */
    pd_assert_response (ok, 200, NULL);
    pd_assert_response (twice, 403, "invalid_otp");
  }
  /* the session that set it up stays */
  g_assert_cmpint (revision (a), ==, rev + 2);
}

static void
test_setup_lapse (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "lapse");
  g_autofree char *proof = password_proof ();
  g_autofree char *first = NULL;

  /* a new set-up replaces the unconfirmed one */
  {
    g_autoptr(PdResponse) s1 = post (a, "/api/v1/me/otp/setup", proof);
    g_autoptr(PdResponse) s2 = post (a, "/api/v1/me/otp/setup", proof);

    pd_assert_response (s1, 200, NULL);
    pd_assert_response (s2, 200, NULL);
    first = g_strdup (pd_response_string (s1, "secret"));
    a->secret = g_strdup (pd_response_string (s2, "secret"));
    g_assert_cmpstr (first, !=, a->secret);
  }
  a->step = pd_server_align_step (server, a->client);  /* moves ≤ 31 s of the 600 */
  {
    g_autofree char *old = pd_totp_code (first, a->step);
    g_autofree char *b = pd_json_strings ("otp", old, NULL);
    g_autoptr(PdResponse) r = post (a, "/api/v1/me/otp/confirm", b);

    pd_assert_response (r, 403, "invalid_otp");
  }

  /* 10 minutes: the set-up lapses */
  {
    g_autoptr(PdResponse) setup = post (a, "/api/v1/me/otp/setup", proof);
    g_autofree char *code = NULL, *b = NULL;
    g_autoptr(PdResponse) late = NULL;
    g_autoptr(JsonObject) pruned = NULL;

    pd_assert_response (setup, 200, NULL);
    g_free (a->secret);
    a->secret = g_strdup (pd_response_string (setup, "secret"));
    pd_server_advance_clock (server, 601);
    a->step = pd_server_now (a->client) / 30;
    code = pd_totp_code (a->secret, a->step);
    b = pd_json_strings ("otp", code, NULL);
    late = post (a, "/api/v1/me/otp/confirm", b);
    pd_assert_response (late, 409, "no_otp_setup");
    pruned = pd_server_prune (server);
    g_assert_cmpint (pd_prune_count (pruned, "otp"), ==, 1);
  }
  /* within: 595 s after */
  refresh (a);
  {
    g_autoptr(PdResponse) setup = post (a, "/api/v1/me/otp/setup", proof);
    g_autofree char *code = NULL, *b = NULL;
    g_autoptr(PdResponse) confirm = NULL;
    g_autoptr(JsonObject) pruned = NULL;

    pd_assert_response (setup, 200, NULL);
    g_free (a->secret);
    a->secret = g_strdup (pd_response_string (setup, "secret"));
    pd_server_advance_clock (server, 595);
    pruned = pd_server_prune (server);
    g_assert_cmpint (pd_prune_count (pruned, "otp"), ==, 0);
    a->step = pd_server_now (a->client) / 30;
    code = pd_totp_code (a->secret, a->step);
    b = pd_json_strings ("otp", code, NULL);
    confirm = post (a, "/api/v1/me/otp/confirm", b);
    pd_assert_response (confirm, 200, NULL);
  }
  assert_otp_state (a, TRUE, 10);
}

static void
test_proof_without_password (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *email = pd_unique_email ("social");
  g_autoptr(JsonObject) tokens = pd_social_tokens (server, "google", email, "Olga", TRUE);
  const char *access = json_object_get_string_member (tokens, "access_token");

  /* a password the account does not have is no proof */
  {
    g_autofree char *proof = password_proof ();
    g_autoptr(PdResponse) r = pd_client_post_json (client, "/api/v1/me/otp/setup", access, proof);

    assert_accepted (r, "sign_in");
  }
  /* a sign-in at most 5 minutes old is */
  pd_server_advance_clock (server, 295);
  {
    g_autoptr(PdResponse) r = pd_client_post_json (client, "/api/v1/me/otp/setup", access, "{}");

    pd_assert_response (r, 200, NULL);
  }
  pd_server_advance_clock (server, 10);
  {
    g_autoptr(PdResponse) r = pd_client_post_json (client, "/api/v1/me/otp/setup", access, "{}");
    g_autoptr(JsonObject) refreshed = NULL;

    assert_accepted (r, "sign_in");
    /* a refresh does not renew it */
    {
      g_autoptr(PdResponse) t = pd_token_refresh (client, json_object_get_string_member (tokens, "refresh_token"));
      g_autoptr(PdResponse) again = NULL;

      pd_assert_response (t, 200, NULL);
      again = pd_client_post_json (client, "/api/v1/me/otp/setup", pd_response_string (t, "access_token"), "{}");
      assert_accepted (again, "sign_in");
    }
  }
  /* a new sign-in is */
  {
    g_autoptr(JsonObject) fresh = pd_social_tokens (server, "google", email, "Olga", TRUE);
    g_autoptr(PdResponse) r = pd_client_post_json (client, "/api/v1/me/otp/setup",
                                                   json_object_get_string_member (fresh, "access_token"), "{}");

    pd_assert_response (r, 200, NULL);
  }
}

static void
test_recovery_codes (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "codes");
  g_autofree char *proof = password_proof ();
  g_auto(GStrv) old = NULL;
  gint64 rev;

  /* off: 409, whatever the proof */
  {
    g_autoptr(PdResponse) r = post (a, "/api/v1/me/otp/recovery-codes", proof);
    g_autoptr(PdResponse) d = delete_otp (a, proof);

    pd_assert_response (r, 409, "otp_not_enabled");
    pd_assert_response (d, 409, "otp_not_enabled");
  }
  enable_otp (a);
  rev = revision (a);

  /* no proof: any of three; a recovery code as the proof is used up, and
   * input ignores case, dashes and spaces */
  {
    g_autoptr(PdResponse) none = post (a, "/api/v1/me/otp/recovery-codes", "{}");
    g_autofree char *typed = g_ascii_strdown (a->recovery[0], -1);
    g_autofree char *spaced = NULL;
    g_autofree char *b = NULL;
    g_autoptr(PdResponse) r = NULL;

    assert_accepted (none, "password,otp,recovery_code");
    g_strdelimit (typed, "-", ' ');
    spaced = g_strconcat (" ", typed, " ", NULL);
    b = pd_json_strings ("recovery_code", spaced, NULL);
    r = post (a, "/api/v1/me/otp/recovery-codes", b);
    pd_assert_response (r, 200, NULL);
    old = g_steal_pointer (&a->recovery);
    take_recovery_codes (a, r);
  }
  /* the code used: a step of revision; the new set: another */
  g_assert_cmpint (revision (a), ==, rev + 2);
  assert_otp_state (a, TRUE, 10);

  /* the old set is void, even its unused codes */
  {
    g_autofree char *b = pd_json_strings ("recovery_code", old[1], NULL);
    g_autoptr(PdResponse) r = post (a, "/api/v1/me/otp/recovery-codes", b);
    g_autofree char *junk = pd_json_strings ("recovery_code", "AEIO-UAEI-OUAE", NULL);
    g_autoptr(PdResponse) j = post (a, "/api/v1/me/otp/recovery-codes", junk);

    pd_assert_response (r, 403, "invalid_otp");
    pd_assert_response (j, 403, "invalid_otp");
  }
  /* a code of the new set works once as a proof */
  {
    g_autofree char *b = pd_json_strings ("recovery_code", a->recovery[9], NULL);
    g_autoptr(PdResponse) d1 = delete_otp (a, b);
    g_autoptr(PdResponse) d2 = NULL;

    pd_assert_response (d1, 200, NULL);
    g_assert_false (json_object_get_boolean_member (json_object_get_object_member (pd_response_object (d1), "otp"),
                                                    "enabled"));
    d2 = delete_otp (a, b);
    pd_assert_response (d2, 409, "otp_not_enabled");
  }
  assert_otp_state (a, FALSE, 0);
}

static void
test_disable (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "off");
  g_autofree char *proof = password_proof ();
  gint64 rev;

  enable_otp (a);
  rev = revision (a);
  {
    g_autoptr(PdResponse) none = delete_otp (a, "");
    g_autofree char *wrong = pd_json_strings ("password", "not the password 1", NULL);
    g_autoptr(PdResponse) bad = delete_otp (a, wrong);
    g_autoptr(PdResponse) ok = delete_otp (a, proof);
    JsonObject *o;

    assert_accepted (none, "password,otp,recovery_code");
    pd_assert_response (bad, 403, "invalid_password");
    pd_assert_response (ok, 200, NULL);
    o = pd_response_object (ok);
    g_assert_false (json_object_get_boolean_member (json_object_get_object_member (o, "otp"), "enabled"));
    g_assert_cmpint (json_object_get_int_member (o, "revision"), ==, rev + 1);
  }
  /* the password grant answers tokens again */
  {
    g_autoptr(PdResponse) r = pd_token_password (a->client, a->email, PASSWORD);

    pd_assert_response (r, 200, NULL);
  }
  /* secret and codes are gone */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open_v2 (server->database, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT (SELECT COUNT(*) FROM otp) + (SELECT COUNT(*) FROM recovery_codes)",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
}

static void
test_sign_in (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "signin");
  g_autofree char *token = NULL;
  gint64 rev;

  enable_otp (a);
  rev = revision (a);

  /* a wrong password: the usual answer, nothing about two-step sign-in */
  {
    g_autoptr(PdResponse) r = pd_token_password (a->client, a->email, "not the password 1");

    pd_assert_response (r, 400, "invalid_grant");
    g_assert_null (pd_response_string (r, "mfa_token"));
  }
  token = mfa_token (a);
  g_assert_cmpuint (strlen (token), >=, 22);  /* ≥ 128 bits in base64url */

  /* neither, both */
  {
    g_autoptr(PdResponse) neither = pd_client_post_form (a->client, "/oauth/token", NULL, "grant_type", OTP_GRANT,
                                                         "client_id", PD_CLIENT_ID, "mfa_token", token, NULL);
    g_autoptr(PdResponse) both = pd_client_post_form (a->client, "/oauth/token", NULL, "grant_type", OTP_GRANT,
                                                      "client_id", PD_CLIENT_ID, "mfa_token", token,
                                                      "otp", "123456", "recovery_code", a->recovery[0], NULL);

    pd_assert_response (neither, 400, "invalid_request");
    pd_assert_response (both, 400, "invalid_request");
  }
  /* the code of the set-up is used; a wrong one; then the right one with
   * the same token */
  {
    g_autoptr(PdResponse) used = otp_grant_now (a, token, a->step);
    g_autoptr(PdResponse) wrong = otp_grant_now (a, token, a->step - 5);
    g_autoptr(PdResponse) other = pd_client_post_form (a->client, "/oauth/token", NULL, "grant_type", OTP_GRANT,
                                                       "client_id", "passport-test-thirdparty", "mfa_token", token,
                                                       "otp", "123456", NULL);
    g_autoptr(PdResponse) ok = NULL;
    g_autoptr(PdResponse) again = NULL;

    pd_assert_response (used, 400, "invalid_grant");
    pd_assert_response (wrong, 400, "invalid_grant");
    pd_assert_response (other, 400, "expired_token");
    ok = otp_grant_now (a, token, a->step + 1);
    pd_assert_response (ok, 200, NULL);
    g_assert_cmpstr (pd_response_string (ok, "scope"), ==, "openid profile email passport");
    g_assert_nonnull (pd_response_string (ok, "refresh_token"));
    /* used up */
    again = otp_grant_now (a, token, a->step + 1);
    pd_assert_response (again, 400, "expired_token");
  }
  /* the accepted step is kept: the same code with a new token fails */
  {
    g_autofree char *t2 = mfa_token (a);
    g_autoptr(PdResponse) reuse = otp_grant_now (a, t2, a->step + 1);

    pd_assert_response (reuse, 400, "invalid_grant");
  }
  g_assert_cmpint (revision (a), ==, rev);

  /* a recovery code: one fewer, revision moves; twice: no */
  {
    g_autofree char *t3 = mfa_token (a);
    g_autofree char *t4 = mfa_token (a);
    g_autoptr(PdResponse) r = otp_grant (a->client, t3, "recovery_code", a->recovery[3]);
    g_autoptr(PdResponse) twice = otp_grant (a->client, t4, "recovery_code", a->recovery[3]);

    pd_assert_response (r, 200, NULL);
    pd_assert_response (twice, 400, "invalid_grant");
    assert_otp_state (a, TRUE, 9);
    g_assert_cmpint (revision (a), ==, rev + 1);
  }
  /* the scope is the password grant's */
  {
    g_autoptr(PdResponse) p = password_grant (a->client, a->email, PASSWORD, "openid");
    g_autoptr(PdResponse) r = NULL;

    pd_assert_response (p, 403, "mfa_required");
    r = otp_grant (a->client, pd_response_string (p, "mfa_token"), "recovery_code", a->recovery[4]);
    pd_assert_response (r, 200, NULL);
    g_assert_cmpstr (pd_response_string (r, "scope"), ==, "openid");
  }
  /* an unknown token */
  {
    g_autoptr(PdResponse) r = otp_grant (a->client, "bm90IGEgdG9rZW4gYXQgYWxsIHJlYWxseQ", "otp", "123456");

    pd_assert_response (r, 400, "expired_token");
  }
}

static void
test_mfa_token_expiry (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(Account) a = account_new (server, "expiry");
  g_autofree char *t1 = NULL, *t2 = NULL;
  g_autoptr(JsonObject) pruned = NULL;

  enable_otp (a);
  t1 = mfa_token (a);
  pd_server_advance_clock (server, 299);
  t2 = mfa_token (a);
  {
    g_autoptr(PdResponse) r = otp_grant (a->client, t1, "recovery_code", a->recovery[0]);

    pd_assert_response (r, 200, NULL);
  }
  pd_server_advance_clock (server, 2);
  {
    /* 301 s: t1 would be gone (it is used anyway); t2 is 2 s old */
    g_autoptr(PdResponse) r = otp_grant (a->client, t2, "recovery_code", a->recovery[1]);

    pd_assert_response (r, 200, NULL);
  }
  {
    g_autofree char *t3 = mfa_token (a);
    g_autoptr(PdResponse) r = NULL;

    pd_server_advance_clock (server, 301);
    r = otp_grant (a->client, t3, "recovery_code", a->recovery[2]);
    pd_assert_response (r, 400, "expired_token");
    /* the code was not used */
    assert_otp_state (a, TRUE, 8);
  }
  pruned = pd_server_prune (server);
  g_assert_cmpint (pd_prune_count (pruned, "mfa_tokens"), ==, 1);
}

static void
test_failure_counter (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "counter");
  g_autofree char *token = NULL;

  enable_otp (a);
  token = mfa_token (a);
  /* 5 wrong codes (the server's limit), then 429 even for a right one */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(PdResponse) r = otp_grant (a->client, token, "otp", "000000");

      pd_assert_response (r, 400, "invalid_grant");
    }
  {
    g_autoptr(PdResponse) r = otp_grant (a->client, token, "recovery_code", a->recovery[0]);
    g_autoptr(PdResponse) p = pd_token_password (a->client, a->email, PASSWORD);
    g_autofree char *proof = pd_json_strings ("otp", "000000", NULL);
    g_autoptr(PdResponse) q = post (a, "/api/v1/me/otp/recovery-codes", proof);

    pd_assert_response (r, 429, "too_many_requests");
    g_assert_nonnull (pd_response_header (r, "Retry-After"));
    g_assert_true (json_object_has_member (pd_response_object (r), "retry_after"));
    /* passwords and codes count together */
    pd_assert_response (p, 429, "too_many_requests");
    pd_assert_response (q, 429, "too_many_requests");
  }
  /* the window passes (and the mfa_token's 5 minutes with it) */
  pd_server_advance_clock (server, 901);
  {
    g_autoptr(PdResponse) old = otp_grant (a->client, token, "recovery_code", a->recovery[0]);
    g_autofree char *fresh = mfa_token (a);
    g_autoptr(PdResponse) r = otp_grant (a->client, fresh, "recovery_code", a->recovery[0]);

    pd_assert_response (old, 400, "expired_token");
    pd_assert_response (r, 200, NULL);
  }
}

static void
test_features_off (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--features=-otp", NULL);
  g_autoptr(Account) a = account_new (server, "nootp");
  g_autoptr(PdResponse) disc = pd_client_get (a->client, "/.well-known/openid-configuration", NULL);
  g_autoptr(JsonObject) o = me (a);
  JsonObject *d = pd_response_object (disc);
  g_autofree char *proof = password_proof ();
  const char *paths[] = { "/api/v1/me/otp/setup", "/api/v1/me/otp/confirm", "/api/v1/me/otp/recovery-codes" };

  for (guint i = 0; i < json_array_get_length (json_object_get_array_member (d, "passport_features")); i++)
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (d, "passport_features"), i),
                     !=, "otp");
  for (guint i = 0; i < json_array_get_length (json_object_get_array_member (d, "grant_types_supported")); i++)
    g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (d, "grant_types_supported"), i),
                     !=, OTP_GRANT);
  g_assert_false (json_object_has_member (o, "otp"));
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(PdResponse) r = post (a, paths[i], proof);

      pd_assert_response (r, 404, "not_found");
    }
  {
    g_autoptr(PdResponse) r = delete_otp (a, proof);
    g_autoptr(PdResponse) g = otp_grant (a->client, "abc", "otp", "123456");

    pd_assert_response (r, 404, "not_found");
    pd_assert_response (g, 400, "unsupported_grant_type");
  }
}

/* The stand-in page asks for the code of an account with two-step
 * sign-in (section 8: the client does nothing special there). */
static PdResponse *
submit_code (PdClient     *client,
             PdSocialPage *page,
             const char   *code)
{
  return pd_client_post_form (client, "/oauth/social", NULL, "flow", page->flow, "csrf", page->csrf,
                              "code", code, "action", "continue", NULL);
}

static PdSocialPage *
identity_step (Account       *a,
               PdClient      *browser,
               PdAuthRequest *request,
               PdResponse   **out)
{
  g_autofree char *url = pd_auth_request_url (a->server, request, "google");
  PdSocialPage *page = pd_browser_open (browser, url);

  *out = pd_browser_submit (browser, page, NULL, a->email, "Ivan Petrov", TRUE, "continue");
  return page;
}

static void
test_social_page (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "browser");
  gint64 rev;

  enable_otp (a);
  rev = revision (a);

  /* a TOTP code: wrong, then right; the code goes back as usual */
  {
    g_autoptr(PdClient) browser = pd_client_new (server);
    g_autoptr(PdAuthRequest) request = pd_auth_request_new ();
    g_autoptr(PdResponse) first = NULL;
    g_autoptr(PdSocialPage) page = identity_step (a, browser, request, &first);
    g_autoptr(PdResponse) wrong = NULL, right = NULL, again = NULL, tokens = NULL;
    g_autofree char *code = pd_totp_code (a->secret, a->step + 1);
    g_autofree char *spaced = g_strdup_printf ("%.3s %s", code, code + 3);
    g_autofree char *got = NULL, *state = NULL;

    g_assert_cmpuint (first->status, ==, 200);
    g_assert_nonnull (strstr (first->text, "id=\"code\""));
    g_assert_nonnull (strstr (first->text, "two-step sign-in"));
    g_assert_cmpstr (pd_response_header (first, "Cache-Control"), ==, "no-store");
    g_assert_null (pd_response_header (first, "Location"));

    wrong = submit_code (browser, page, "000000");
    g_assert_cmpuint (wrong->status, ==, 400);
    g_assert_nonnull (strstr (wrong->text, "id=\"code-error\""));
    right = submit_code (browser, page, spaced);
    g_assert_cmpuint (right->status, ==, 302);
    got = pd_location_param (right, "code");
    state = pd_location_param (right, "state");
    g_assert_nonnull (got);
    g_assert_cmpstr (state, ==, request->state);
    tokens = pd_token_code (browser, got, request->redirect_uri, request->verifier);
    pd_assert_response (tokens, 200, NULL);
    /* the flow is used up */
    again = submit_code (browser, page, spaced);
    g_assert_cmpuint (again->status, ==, 400);
    g_assert_null (pd_response_header (again, "Location"));
  }
  /* a used code again, then a recovery code in Russian */
  {
    g_autoptr(PdClient) browser = pd_client_new (server);
    g_autoptr(PdAuthRequest) request = pd_auth_request_new ();
    g_autoptr(PdResponse) first = NULL;
    g_autoptr(PdSocialPage) page = NULL;
    g_autoptr(PdResponse) used = NULL, right = NULL;
    g_autofree char *code = pd_totp_code (a->secret, a->step + 1);
    g_autofree char *lower = g_ascii_strdown (a->recovery[5], -1);

    pd_client_set_language (browser, "ru");
    page = identity_step (a, browser, request, &first);
    g_assert_cmpuint (first->status, ==, 200);
    g_assert_nonnull (strstr (first->text, "Двухэтапный вход"));
    used = submit_code (browser, page, code);
    g_assert_cmpuint (used->status, ==, 400);
    g_assert_nonnull (strstr (used->text, "Код неверен"));
    right = submit_code (browser, page, lower);
    g_assert_cmpuint (right->status, ==, 302);
    assert_otp_state (a, TRUE, 9);
    g_assert_cmpint (revision (a), ==, rev + 1);
  }
  /* wrong codes fill the account's count: 429 with Retry-After */
  {
    g_autoptr(PdClient) browser = pd_client_new (server);
    g_autoptr(PdAuthRequest) request = pd_auth_request_new ();
    g_autoptr(PdResponse) first = NULL;
    g_autoptr(PdSocialPage) page = identity_step (a, browser, request, &first);
    g_autoptr(PdResponse) full = NULL;

    for (guint i = 0; i < 5; i++)
      {
        g_autoptr(PdResponse) r = submit_code (browser, page, "BCDF-GHJK-LMNP");

        g_assert_cmpuint (r->status, ==, 400);
      }
    full = submit_code (browser, page, a->recovery[6]);
    g_assert_cmpuint (full->status, ==, 429);
    g_assert_nonnull (pd_response_header (full, "Retry-After"));
    assert_otp_state (a, TRUE, 9);
  }
  /* without two-step sign-in the page signs in at once */
  {
    g_autofree char *proof = password_proof ();
    g_autoptr(PdResponse) off = NULL;
    g_autoptr(PdClient) browser = pd_client_new (server);
    g_autoptr(PdAuthRequest) request = pd_auth_request_new ();
    g_autoptr(PdResponse) first = NULL;
    g_autoptr(PdSocialPage) page = NULL;

    pd_server_advance_clock (server, 901);
    refresh (a);
    off = delete_otp (a, proof);
    pd_assert_response (off, 200, NULL);
    page = identity_step (a, browser, request, &first);
    g_assert_cmpuint (first->status, ==, 302);
  }
}

static gboolean
contains (const char *hay,
          gsize       hay_len,
          const void *needle,
          gsize       len)
{
  for (gsize i = 0; i + len <= hay_len; i++)
    if (memcmp (hay + i, needle, len) == 0)
      return TRUE;
  return FALSE;
}

static void
test_secret_at_rest (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "rest");
  g_autofree char *key_path = g_strconcat (server->database, ".key", NULL);
  g_autofree char *db = NULL;
  gsize db_len = 0;
  struct stat st;

  enable_otp (a);
  g_assert_cmpint (stat (key_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, ==, 32);

  /* the database holds the secret sealed, neither in base32 nor raw */
  {
    sqlite3 *handle = NULL;
    sqlite3_stmt *stmt = NULL;
    g_autoptr(GBytes) raw = pd_base32_decode (a->secret);

    g_assert_cmpint (sqlite3_open_v2 (server->database, &handle, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (handle, "SELECT secret FROM otp", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_true (g_str_has_prefix ((const char *) sqlite3_column_text (stmt, 0), "v1."));
    sqlite3_finalize (stmt);
    sqlite3_close (handle);

    pd_server_stop (server);
    g_assert_true (g_file_get_contents (server->database, &db, &db_len, NULL));
    g_assert_false (contains (db, db_len, a->secret, strlen (a->secret)));
    g_assert_false (contains (db, db_len, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw)));
    for (guint i = 0; i < 10; i++)
      {
        g_autoptr(GString) plain = g_string_new (a->recovery[i]);

        g_assert_false (contains (db, db_len, plain->str, plain->len));
        g_string_replace (plain, "-", "", 0);
        g_assert_false (contains (db, db_len, plain->str, plain->len));
      }
  }
  /* the same key after a restart: the secret still works */
  {
    g_autoptr(PdServer) again = pd_server_restart (server);
    g_autoptr(PdClient) client = pd_client_new (again);
    g_autofree char *token = NULL;
    g_autoptr(PdResponse) r = NULL;
    gint64 step;

    {
      g_autoptr(PdResponse) p = pd_token_password (client, a->email, PASSWORD);

      pd_assert_response (p, 403, "mfa_required");
      token = g_strdup (pd_response_string (p, "mfa_token"));
    }
    step = pd_server_align_step (again, client);
    {
      g_autofree char *code = pd_totp_code (a->secret, step);

      r = otp_grant (client, token, "otp", code);
    }
    pd_assert_response (r, 200, NULL);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/otp/discovery", test_discovery);
  g_test_add_func ("/otp/setup", test_setup);
  g_test_add_func ("/otp/setup-lapse", test_setup_lapse);
  g_test_add_func ("/otp/proof-without-password", test_proof_without_password);
  g_test_add_func ("/otp/recovery-codes", test_recovery_codes);
  g_test_add_func ("/otp/disable", test_disable);
  g_test_add_func ("/otp/sign-in", test_sign_in);
  g_test_add_func ("/otp/mfa-token-expiry", test_mfa_token_expiry);
  g_test_add_func ("/otp/failure-counter", test_failure_counter);
  g_test_add_func ("/otp/social-page", test_social_page);
  g_test_add_func ("/otp/features-off", test_features_off);
  g_test_add_func ("/otp/secret-at-rest", test_secret_at_rest);
  return g_test_run ();
}
