// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: device authorization (contract section 11, RFC 8628). The
 * device's side is the token endpoint polled as a client would; the
 * user's side is a browser (a cookie jar) on the verification page /device,
 * through the code, the sign-in (e-mail and password with the second step,
 * or the stand-in social page) and Approve or Deny. Lifetimes pass on the
 * server's test clock. */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "pd-test-server.h"

#define PASSWORD "a sturdy passphrase 7"
#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"
#define SCOPE "openid profile email passport"
#define THIRD_PARTY "passport-test-thirdparty"
#define ALPHABET "BCDFGHJKLMNPQRSTVWXZ"

/* --------------------------------------------------------------- */
/* The device's side                                                */
/* --------------------------------------------------------------- */

static PdResponse *
device_request (PdClient   *client,
                const char *device_name)
{
  if (device_name != NULL)
    return pd_client_post_form (client, "/oauth/device", NULL, "client_id", PD_CLIENT_ID,
                                "scope", SCOPE, "device_name", device_name, NULL);
  return pd_client_post_form (client, "/oauth/device", NULL, "client_id", PD_CLIENT_ID,
                              "scope", SCOPE, NULL);
}

/* A request that must succeed: its answer's object (owned). */
static JsonObject *
device_start (PdClient   *client,
              const char *device_name)
{
  g_autoptr(PdResponse) r = device_request (client, device_name);

  pd_assert_response (r, 200, NULL);
  return json_object_ref (pd_response_object (r));
}

static PdResponse *
poll_as (PdClient   *client,
         const char *client_id,
         JsonObject *request)
{
  return pd_client_post_form (client, "/oauth/token", NULL, "grant_type", DEVICE_GRANT,
                              "client_id", client_id,
                              "device_code", json_object_get_string_member (request, "device_code"), NULL);
}

static PdResponse *
poll (PdClient   *client,
      JsonObject *request)
{
  return poll_as (client, PD_CLIENT_ID, request);
}

static gboolean
contains (const char *haystack,
          gsize       haystack_len,
          const char *needle,
          gsize       needle_len)
{
  for (gsize i = 0; i + needle_len <= haystack_len; i++)
    if (memcmp (haystack + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

static void
assert_user_code (const char *code)
{
  g_assert_nonnull (code);
  g_assert_cmpuint (strlen (code), ==, 9);
  g_assert_cmpint (code[4], ==, '-');
  for (guint i = 0; i < 9; i++)
    if (i != 4)
      g_assert_nonnull (strchr (ALPHABET, code[i]));
}

/* "BCDF-GHJK" → "bcdfghjk", as a user might type it */
static char *
code_typed_lower (JsonObject *request)
{
  const char *code = json_object_get_string_member (request, "user_code");
  g_autofree char *joined = g_strdup_printf ("%.4s%s", code, code + 5);

  return g_ascii_strdown (joined, -1);
}

/* --------------------------------------------------------------- */
/* The browser's side                                               */
/* --------------------------------------------------------------- */

/* The text of the element with @id (no nested tags), unescaped. */
static char *
element_text (const char *html,
              const char *id)
{
  g_autofree char *pattern = g_strdup_printf ("id=\"%s\"[^>]*>([^<]*)<", id);
  g_autoptr(GRegex) re = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) m = NULL;
  g_autofree char *raw = NULL;

  if (!g_regex_match (re, html, 0, &m))
    return NULL;
  raw = g_match_info_fetch (m, 1);
  return pd_html_unescape (raw);
}

static gboolean
has_id (PdResponse *r,
        const char *id)
{
  g_autofree char *needle = g_strdup_printf ("id=\"%s\"", id);

  return strstr (r->text, needle) != NULL;
}

static void
assert_page (PdResponse *r,
             guint       status)
{
  if (r->status != status)
    g_error ("expected %u, got %u: %.600s", status, r->status, r->text);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "text/html");
  g_assert_cmpstr (pd_response_header (r, "Cache-Control"), ==, "no-store");
  g_assert_cmpstr (pd_response_header (r, "Referrer-Policy"), ==, "no-referrer");
  g_assert_nonnull (strstr (pd_response_header (r, "Content-Security-Policy"), "frame-ancestors 'none'"));
}

/* A browser on /device: its cookie jar, and the hidden fields of the
 * page it shows now. */
typedef struct
{
  PdClient *client;
  char *csrf;
  char *flow;
} Browser;

static Browser *
browser_new (PdServer *server)
{
  Browser *b = g_new0 (Browser, 1);

  b->client = pd_client_new (server);
  return b;
}

static void
browser_free (Browser *b)
{
  pd_client_free (b->client);
  g_free (b->csrf);
  g_free (b->flow);
  g_free (b);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Browser, browser_free)

/* Takes the hidden fields of a page that has a form. */
static void
browser_take (Browser    *b,
              PdResponse *r)
{
  g_autofree char *csrf = pd_html_input_value (r->text, "name", "csrf");
  g_autofree char *flow = pd_html_input_value (r->text, "name", "flow");

  if (csrf != NULL)
    {
      g_free (b->csrf);
      b->csrf = g_steal_pointer (&csrf);
    }
  if (flow != NULL)
    {
      g_free (b->flow);
      b->flow = g_steal_pointer (&flow);
    }
}

static PdResponse *
browser_get (Browser    *b,
             const char *path)
{
  PdResponse *r = pd_client_get (b->client, path, NULL);

  browser_take (b, r);
  return r;
}

/* POST /device with csrf (and flow, once there is one) and the fields. */
static PdResponse *
browser_post (Browser    *b,
              const char *first_field,
              ...)
{
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  va_list args;
  PdResponse *r;

  g_hash_table_insert (fields, (gpointer) "csrf", b->csrf);
  if (b->flow != NULL)
    g_hash_table_insert (fields, (gpointer) "flow", b->flow);
  va_start (args, first_field);
  for (const char *name = first_field; name != NULL; name = va_arg (args, const char *))
    g_hash_table_insert (fields, (gpointer) name, va_arg (args, char *));
  va_end (args);
  r = pd_client_post_formv (b->client, "/device", NULL, fields);
  browser_take (b, r);
  return r;
}

/* The page of a code, then the code sent: the sign-in page. */
static void
browser_enter_code (Browser    *b,
                    JsonObject *request)
{
  g_autofree char *typed = code_typed_lower (request);
  g_autoptr(PdResponse) page = browser_get (b, "/device");
  g_autoptr(PdResponse) sign_in = NULL;

  assert_page (page, 200);
  sign_in = browser_post (b, "action", "code", "user_code", typed, NULL);
  assert_page (sign_in, 200);
  g_assert_true (has_id (sign_in, "password"));
  g_assert_nonnull (b->flow);
}

/* Signed in with the stand-in page of @provider as @email: the page that follows. */
static PdResponse *
browser_social (Browser    *b,
                const char *provider,
                const char *email)
{
  g_autoptr(PdResponse) stand_in = browser_post (b, "action", "provider", "provider", provider, NULL);

  assert_page (stand_in, 200);
  g_assert_true (has_id (stand_in, "verified"));
  return browser_post (b, "action", "continue", "email", email, "name", "Ivan", "verified", "1", NULL);
}

static gint64
family_count (PdServer   *server,
              const char *sql_where)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT(*) FROM token_families WHERE %s", sql_where);
  gint64 n;

  g_assert_cmpint (sqlite3_open (server->database, &db), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* --------------------------------------------------------------- */
/* Tests                                                            */
/* --------------------------------------------------------------- */

static void
test_discovery (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) r = pd_client_get (client, "/.well-known/openid-configuration", NULL);
  g_autofree char *endpoint = g_strconcat (server->issuer, "/oauth/device", NULL);
  JsonObject *o;
  JsonArray *grants, *features;
  gboolean grant = FALSE, feature = FALSE;

  pd_assert_response (r, 200, NULL);
  o = pd_response_object (r);
  g_assert_cmpstr (pd_response_string (r, "device_authorization_endpoint"), ==, endpoint);
  grants = json_object_get_array_member (o, "grant_types_supported");
  for (guint i = 0; i < json_array_get_length (grants); i++)
    grant = grant || g_str_equal (json_array_get_string_element (grants, i), DEVICE_GRANT);
  features = json_object_get_array_member (o, "passport_features");
  for (guint i = 0; i < json_array_get_length (features); i++)
    feature = feature || g_str_equal (json_array_get_string_element (features, i), "device");
  g_assert_true (grant);
  g_assert_true (feature);
}

static void
test_request_shape (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) r = device_request (client, "ivan-laptop (Debian GNU/Linux 12)");
  g_autofree char *uri = g_strconcat (server->issuer, "/device", NULL);
  g_autofree char *complete = NULL;
  g_autofree guchar *raw = NULL;
  gsize raw_len = 0;
  const char *code;

  pd_assert_response (r, 200, NULL);
  g_assert_cmpstr (pd_response_header (r, "Cache-Control"), ==, "no-store");
  code = pd_response_string (r, "user_code");
  assert_user_code (code);
  g_assert_cmpstr (pd_response_string (r, "verification_uri"), ==, uri);
  complete = g_strdup_printf ("%s?user_code=%.4s%s", uri, code, code + 5);
  g_assert_cmpstr (pd_response_string (r, "verification_uri_complete"), ==, complete);
  g_assert_cmpint (json_object_get_int_member (pd_response_object (r), "expires_in"), ==, 600);
  g_assert_cmpint (json_object_get_int_member (pd_response_object (r), "interval"), ==, 5);
  raw = pd_base64url_decode (pd_response_string (r, "device_code"), &raw_len);
  g_assert_nonnull (raw);
  g_assert_cmpuint (raw_len, >=, 16);

  /* stored hashed: the device_code is nowhere in the database file */
  pd_server_stop (server);
  {
    g_autofree char *contents = NULL;
    g_autofree char *wal_name = g_strconcat (server->database, "-wal", NULL);
    g_autofree char *wal = NULL;
    gsize len = 0, wal_len = 0;
    const char *device_code = pd_response_string (r, "device_code");

    g_assert_true (g_file_get_contents (server->database, &contents, &len, NULL));
    g_assert_false (contains (contents, len, device_code, strlen (device_code)));
    if (g_file_get_contents (wal_name, &wal, &wal_len, NULL))
      g_assert_false (contains (wal, wal_len, device_code, strlen (device_code)));
    /* but its user code is: a row was written */
    g_assert_true (contains (contents, len, complete + strlen (uri) + strlen ("?user_code="), 8));
  }
}

static void
test_request_errors (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) no_client = pd_client_post_form (client, "/oauth/device", NULL, "scope", SCOPE, NULL);
  g_autoptr(PdResponse) unknown = pd_client_post_form (client, "/oauth/device", NULL, "client_id", "nobody",
                                                        "scope", SCOPE, NULL);
  g_autoptr(PdResponse) third = pd_client_post_form (client, "/oauth/device", NULL, "client_id", THIRD_PARTY,
                                                      "scope", SCOPE, NULL);
  g_autoptr(PdResponse) no_scope = pd_client_post_form (client, "/oauth/device", NULL,
                                                         "client_id", PD_CLIENT_ID, NULL);
  g_autoptr(PdResponse) bad_scope = pd_client_post_form (client, "/oauth/device", NULL, "client_id", PD_CLIENT_ID,
                                                          "scope", "openid admin", NULL);
  g_autoptr(PdResponse) no_openid = pd_client_post_form (client, "/oauth/device", NULL, "client_id", PD_CLIENT_ID,
                                                          "scope", "profile email", NULL);
  g_autoptr(PdResponse) get = pd_client_get (client, "/oauth/device", NULL);
  g_autoptr(PdResponse) no_code = pd_client_post_form (client, "/oauth/token", NULL, "grant_type", DEVICE_GRANT,
                                                        "client_id", PD_CLIENT_ID, NULL);
  g_autoptr(PdResponse) unknown_code = pd_client_post_form (client, "/oauth/token", NULL,
                                                             "grant_type", DEVICE_GRANT, "client_id", PD_CLIENT_ID,
                                                             "device_code", "not-a-code", NULL);

  pd_assert_response (no_client, 400, "invalid_request");
  pd_assert_response (unknown, 401, "invalid_client");
  pd_assert_response (third, 400, "unauthorized_client");
  pd_assert_response (no_scope, 400, "invalid_request");
  pd_assert_response (bad_scope, 400, "invalid_scope");
  pd_assert_response (no_openid, 400, "invalid_scope");
  pd_assert_response (get, 405, "invalid_request");
  pd_assert_response (no_code, 400, "invalid_request");
  pd_assert_response (unknown_code, 400, "invalid_grant");
}

/* 40 live requests (the clock moved past the per-IP minute every 10):
 * each code well formed and none twice. */
static void
test_user_codes (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) letters = g_hash_table_new (g_direct_hash, g_direct_equal);

  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(JsonObject) request = NULL;
      const char *code;

      if (i > 0 && i % 10 == 0)
        pd_server_advance_clock (server, 61);
      request = device_start (client, NULL);
      code = json_object_get_string_member (request, "user_code");
      assert_user_code (code);
      g_assert_false (g_hash_table_contains (seen, code));
      g_hash_table_add (seen, g_strdup (code));
      for (guint k = 0; k < 9; k++)
        g_hash_table_add (letters, GINT_TO_POINTER ((int) code[k]));
    }
  /* 320 letters drawn from 20 (and the dash): all of them show up */
  g_assert_cmpuint (g_hash_table_size (letters), ==, 21);
}

static void
test_pending_slow_down (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(JsonObject) request = device_start (client, NULL);
  g_autoptr(PdResponse) first = NULL, again = NULL, six = NULL, fourteen = NULL;
  g_autoptr(PdResponse) twenty = NULL, later = NULL, slow = NULL;

  /* the first poll is never too soon, even at once */
  first = poll (client, request);
  pd_assert_response (first, 400, "authorization_pending");
  again = poll (client, request);
  pd_assert_response (again, 400, "slow_down");
  /* the interval is 10 now: 6 s is too soon, and makes it 15 */
  pd_server_advance_clock (server, 6);
  six = poll (client, request);
  pd_assert_response (six, 400, "slow_down");
  pd_server_advance_clock (server, 14);
  fourteen = poll (client, request);
  pd_assert_response (fourteen, 400, "slow_down");
  /* 20 s after the previous poll, with the interval at 20 */
  pd_server_advance_clock (server, 20);
  twenty = poll (client, request);
  pd_assert_response (twenty, 400, "authorization_pending");
  /* it stays 20: 19 s is too soon */
  pd_server_advance_clock (server, 19);
  slow = poll (client, request);
  pd_assert_response (slow, 400, "slow_down");
  pd_server_advance_clock (server, 25);
  later = poll (client, request);
  pd_assert_response (later, 400, "authorization_pending");
}

/* The whole way with e-mail, password and the second step. */
static void
test_approve (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *email = pd_unique_email ("device");
  g_autoptr(JsonObject) account = pd_account_with_password (server, "google", email, "Ivan Petrov", PASSWORD);
  g_autofree char *secret = pd_enable_otp (server, json_object_get_string_member (account, "access_token"),
                                           PASSWORD, NULL);
  g_autoptr(JsonObject) request = device_start (client, "ivan-laptop\t (Debian <GNU>/Linux 12)");
  g_autoptr(Browser) b = browser_new (server);
  g_autofree char *typed = code_typed_lower (request);
  g_autofree char *path = g_strconcat ("/device?user_code=", typed, NULL);
  g_autoptr(PdResponse) page = NULL, pending = NULL, sign_in = NULL, wrong = NULL, unknown = NULL;
  g_autoptr(PdResponse) step = NULL, wrong_code = NULL, confirm = NULL, still = NULL, approved = NULL;
  g_autoptr(PdResponse) tokens = NULL, used = NULL, me = NULL, again = NULL;
  g_autofree char *prefilled = NULL, *wrong_text = NULL, *unknown_text = NULL, *code = NULL;
  g_autofree char *device_name = NULL, *requested = NULL, *account_shown = NULL;
  g_autoptr(JsonObject) payload = NULL, me_payload = NULL;

  /* the link of verification_uri_complete: the code pre-filled, nothing more */
  page = browser_get (b, path);
  assert_page (page, 200);
  prefilled = pd_html_input_value (page->text, "id", "user_code");
  g_assert_cmpstr (prefilled, ==, json_object_get_string_member (request, "user_code"));
  g_assert_false (has_id (page, "approve"));
  g_assert_null (b->flow);
  pending = poll (client, request);
  pd_assert_response (pending, 400, "authorization_pending");

  /* sent as it was pre-filled (with its dash): the sign-in */
  sign_in = browser_post (b, "action", "code", "user_code", prefilled, NULL);
  assert_page (sign_in, 200);
  g_assert_true (has_id (sign_in, "email"));
  g_assert_true (has_id (sign_in, "password"));
  g_assert_true (has_id (sign_in, "provider-google"));
  g_assert_false (has_id (sign_in, "approve"));

  /* one message for any wrong pair */
  wrong = browser_post (b, "action", "password", "email", email, "password", "not the password", NULL);
  assert_page (wrong, 400);
  unknown = browser_post (b, "action", "password", "email", "nobody-here@example.com", "password", PASSWORD, NULL);
  assert_page (unknown, 400);
  wrong_text = element_text (wrong->text, "sign-in-error");
  unknown_text = element_text (unknown->text, "sign-in-error");
  g_assert_nonnull (wrong_text);
  g_assert_cmpstr (wrong_text, ==, unknown_text);
  /* an app password is a wrong password here (section 8.4) */
  {
    g_autofree char *body = pd_json_strings ("name", "Thunderbird", "password", PASSWORD, NULL);
    g_autoptr(PdResponse) created = pd_client_post_json (client, "/api/v1/me/app-passwords",
                                                         json_object_get_string_member (account, "access_token"),
                                                         body);
    g_autoptr(PdResponse) app = NULL;
    g_autofree char *app_text = NULL;

    pd_assert_response (created, 201, NULL);
    app = browser_post (b, "action", "password", "email", email,
                        "password", pd_response_string (created, "password"), NULL);
    assert_page (app, 400);
    app_text = element_text (app->text, "sign-in-error");
    g_assert_cmpstr (app_text, ==, wrong_text);
  }

  /* the password (the address in capitals): the second step */
  {
    g_autofree char *upper = g_ascii_strup (email, -1);
    step = browser_post (b, "action", "password", "email", upper, "password", PASSWORD, NULL);
  }
  assert_page (step, 200);
  g_assert_true (has_id (step, "code"));
  g_assert_false (has_id (step, "approve"));
  wrong_code = browser_post (b, "action", "continue", "code", "000000", NULL);
  assert_page (wrong_code, 400);
  g_assert_true (has_id (wrong_code, "code-error"));
  g_assert_false (has_id (wrong_code, "approve"));

  code = pd_totp_code (secret, pd_server_align_step (server, client));
  confirm = browser_post (b, "action", "continue", "code", code, NULL);
  assert_page (confirm, 200);
  g_assert_true (has_id (confirm, "approve"));
  g_assert_true (has_id (confirm, "deny"));
  g_assert_nonnull (strstr (confirm->text, "Passport"));
  g_assert_nonnull (strstr (confirm->text, "Approve only if you started this yourself just now."));
  device_name = element_text (confirm->text, "device-name");
  g_assert_cmpstr (device_name, ==, "ivan-laptop (Debian <GNU>/Linux 12)");
  g_assert_nonnull (strstr (confirm->text, "&lt;GNU&gt;"));
  requested = element_text (confirm->text, "requested");
  g_assert_nonnull (strstr (requested, " UTC"));
  account_shown = element_text (confirm->text, "account");
  g_assert_cmpstr (account_shown, ==, email);

  /* signed in and shown the question: still nothing until Approve */
  still = poll (client, request);
  pd_assert_response (still, 400, "authorization_pending");
  pd_server_advance_clock (server, 5);
  approved = browser_post (b, "action", "approve", NULL);
  assert_page (approved, 200);
  g_assert_true (has_id (approved, "approved"));

  tokens = poll (client, request);
  pd_assert_response (tokens, 200, NULL);
  g_assert_nonnull (pd_response_string (tokens, "refresh_token"));
  g_assert_cmpstr (pd_response_string (tokens, "scope"), ==, SCOPE);
  payload = pd_jwt_payload (pd_response_string (tokens, "id_token"));
  me_payload = pd_jwt_payload (json_object_get_string_member (account, "id_token"));
  g_assert_cmpstr (json_object_get_string_member (payload, "sub"), ==,
                   json_object_get_string_member (me_payload, "sub"));
  me = pd_get_me (client, pd_response_string (tokens, "access_token"));
  g_assert_cmpstr (pd_response_string (me, "email"), ==, email);

  /* the session: method device, with the request's device_name */
  g_assert_cmpint (family_count (server, "method = 'device'"
                                 " AND device_name = 'ivan-laptop (Debian <GNU>/Linux 12)'"), ==, 1);
  {
    g_autoptr(PdResponse) list = pd_client_get (client, "/api/v1/me/sessions",
                                                pd_response_string (tokens, "access_token"));
    JsonArray *sessions;
    gboolean found = FALSE;

    pd_assert_response (list, 200, NULL);
    sessions = json_object_get_array_member (pd_response_object (list), "sessions");
    for (guint i = 0; i < json_array_get_length (sessions); i++)
      {
        JsonObject *session = json_array_get_object_element (sessions, i);

        if (!json_object_get_boolean_member (session, "current"))
          continue;
        found = TRUE;
        g_assert_cmpstr (json_object_get_string_member (session, "method"), ==, "device");
        g_assert_cmpstr (json_object_get_string_member (session, "device_name"), ==,
                         "ivan-laptop (Debian <GNU>/Linux 12)");
        g_assert_cmpstr (json_object_get_string_member (session, "client_id"), ==, PD_CLIENT_ID);
      }
    g_assert_true (found);
  }

  /* used up */
  pd_server_advance_clock (server, 5);
  used = poll (client, request);
  pd_assert_response (used, 400, "invalid_grant");
  /* and the page's form is done with */
  again = browser_post (b, "action", "approve", NULL);
  assert_page (again, 410);
  g_assert_cmpint (family_count (server, "method = 'device'"), ==, 1);
}

/* The stand-in social page, then Deny. */
static void
test_deny (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(JsonObject) request = device_start (client, NULL);
  g_autoptr(Browser) b = browser_new (server);
  g_autoptr(PdResponse) confirm = NULL, denied = NULL, refused = NULL, used = NULL;
  g_autofree char *device_name = NULL;

  browser_enter_code (b, request);
  confirm = browser_social (b, "vk", "deny@example.com");
  assert_page (confirm, 200);
  g_assert_true (has_id (confirm, "deny"));
  device_name = element_text (confirm->text, "device-name");
  g_assert_cmpstr (device_name, ==, "(no name given)");
  denied = browser_post (b, "action", "deny", NULL);
  assert_page (denied, 200);
  g_assert_true (has_id (denied, "denied"));

  refused = poll (client, request);
  pd_assert_response (refused, 400, "access_denied");
  pd_server_advance_clock (server, 5);
  used = poll (client, request);
  pd_assert_response (used, 400, "invalid_grant");
  g_assert_cmpint (family_count (server, "1"), ==, 0);
}

static void
test_expired (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(JsonObject) request = device_start (client, NULL);
  g_autoptr(JsonObject) approved = device_start (client, NULL);
  g_autoptr(Browser) b = browser_new (server);
  g_autoptr(PdResponse) live = NULL, expired = NULL, late = NULL, page = NULL, late_code = NULL;
  g_autoptr(PdResponse) confirm = NULL, ok = NULL, after = NULL;
  g_autofree char *typed = code_typed_lower (request);

  /* one approved but never fetched expires too */
  browser_enter_code (b, approved);
  confirm = browser_social (b, "google", "late@example.com");
  assert_page (confirm, 200);
  ok = browser_post (b, "action", "approve", NULL);
  assert_page (ok, 200);

  pd_server_advance_clock (server, 599);
  live = poll (client, request);
  pd_assert_response (live, 400, "authorization_pending");
  pd_server_advance_clock (server, 2);
  expired = poll (client, request);
  pd_assert_response (expired, 400, "expired_token");
  pd_server_advance_clock (server, 10);
  late = poll (client, request);
  pd_assert_response (late, 400, "expired_token");
  after = poll (client, approved);
  pd_assert_response (after, 400, "expired_token");

  /* its code no longer opens anything on the page */
  page = browser_get (b, "/device");
  assert_page (page, 200);
  g_clear_pointer (&b->flow, g_free);
  late_code = browser_post (b, "action", "code", "user_code", typed, NULL);
  assert_page (late_code, 400);
  g_assert_true (has_id (late_code, "code-error"));
}

static void
test_other_client (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(JsonObject) request = device_start (client, NULL);
  g_autoptr(Browser) b = browser_new (server);
  g_autoptr(PdResponse) other = NULL, confirm = NULL, ok = NULL, mine = NULL;

  other = poll_as (client, THIRD_PARTY, request);
  pd_assert_response (other, 400, "invalid_grant");

  /* even approved, and it stays the right client's */
  browser_enter_code (b, request);
  confirm = browser_social (b, "google", "other-client@example.com");
  ok = browser_post (b, "action", "approve", NULL);
  assert_page (ok, 200);
  g_clear_pointer (&other, pd_response_free);
  other = poll_as (client, THIRD_PARTY, request);
  pd_assert_response (other, 400, "invalid_grant");
  mine = poll (client, request);
  pd_assert_response (mine, 200, NULL);
}

static void
test_rate_limit (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) eleventh = NULL, later = NULL, bad = NULL;

  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(JsonObject) request = device_start (client, NULL);
      g_assert_nonnull (request);
    }
  eleventh = device_request (client, NULL);
  pd_assert_response (eleventh, 429, "too_many_requests");
  g_assert_nonnull (pd_response_header (eleventh, "Retry-After"));
  g_assert_cmpint (json_object_get_int_member (pd_response_object (eleventh), "retry_after"), >=, 1);
  g_assert_cmpint (json_object_get_int_member (pd_response_object (eleventh), "retry_after"), <=, 60);
  g_assert_cmpint (g_ascii_strtoll (pd_response_header (eleventh, "Retry-After"), NULL, 10), ==,
                   json_object_get_int_member (pd_response_object (eleventh), "retry_after"));
  /* the refused ones do not count; the minute passes */
  pd_server_advance_clock (server, 61);
  later = device_request (client, NULL);
  pd_assert_response (later, 200, NULL);
  bad = pd_client_post_form (client, "/oauth/device", NULL, "client_id", PD_CLIENT_ID, "scope", "nope", NULL);
  pd_assert_response (bad, 400, "invalid_scope");
}

static void
test_wrong_codes (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(JsonObject) request = device_start (client, NULL);
  g_autoptr(Browser) b = browser_new (server);
  g_autoptr(PdResponse) page = browser_get (b, "/device");
  g_autoptr(PdResponse) sixth = NULL, get = NULL, right = NULL, later = NULL;
  g_autofree char *typed = code_typed_lower (request);

  assert_page (page, 200);
  for (guint i = 0; i < 5; i++)
    {
      /* a well-formed wrong code, then malformed ones */
      g_autoptr(PdResponse) r = browser_post (b, "action", "code",
                                              "user_code", i == 0 ? "BBBB-BBBB" : "12345", NULL);
      assert_page (r, 400);
      g_assert_true (has_id (r, "code-error"));
    }
  sixth = browser_post (b, "action", "code", "user_code", "BCDF-GHJK", NULL);
  assert_page (sixth, 429);
  g_assert_nonnull (pd_response_header (sixth, "Retry-After"));
  g_assert_cmpint (g_ascii_strtoll (pd_response_header (sixth, "Retry-After"), NULL, 10), <=, 600);
  get = browser_get (b, "/device");
  assert_page (get, 429);
  /* even the right code, until the window passes */
  right = browser_post (b, "action", "code", "user_code", typed, NULL);
  assert_page (right, 429);
  g_assert_null (b->flow);

  pd_server_advance_clock (server, 600);
  {
    /* typed as people do: spaces, a dash, any case */
    const char *code = json_object_get_string_member (request, "user_code");
    g_autofree char *spaced = g_strdup_printf (" %.2s %c%c-%c %s ", code, g_ascii_tolower (code[2]),
                                               code[3], g_ascii_tolower (code[5]), code + 6);

    later = browser_post (b, "action", "code", "user_code", spaced, NULL);
  }
  assert_page (later, 200);
  g_assert_nonnull (b->flow);
}

/* The page's forms need the page's own cookie. */
static void
test_csrf (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(JsonObject) request = device_start (client, NULL);
  g_autoptr(Browser) b = browser_new (server);
  g_autoptr(Browser) other = browser_new (server);
  g_autoptr(PdResponse) page = browser_get (b, "/device");
  g_autoptr(PdResponse) other_page = browser_get (other, "/device");
  g_autoptr(PdResponse) no_cookie = NULL, forged = NULL, stolen_flow = NULL;
  g_autofree char *typed = code_typed_lower (request);

  /* a form posted from elsewhere: no cookie */
  no_cookie = pd_client_post_form (client, "/device", NULL, "csrf", b->csrf, "action", "code",
                                   "user_code", typed, NULL);
  assert_page (no_cookie, 403);
  /* the cookie's value but another field */
  forged = pd_client_post_form (b->client, "/device", NULL, "csrf", "forged", "action", "code",
                                "user_code", typed, NULL);
  assert_page (forged, 403);
  browser_enter_code (b, request);
  /* another browser cannot go on with this browser's flow */
  g_free (other->flow);
  other->flow = g_strdup (b->flow);
  stolen_flow = browser_post (other, "action", "provider", "provider", "google", NULL);
  assert_page (stolen_flow, 403);
}

static void
test_russian (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(JsonObject) request = device_start (client, "ноутбук Ивана");
  g_autoptr(Browser) b = browser_new (server);
  g_autoptr(PdResponse) page = NULL, confirm = NULL, done = NULL;
  g_autofree char *device_name = NULL;

  pd_client_set_language (b->client, "ru-RU,ru;q=0.9,en;q=0.5");
  page = browser_get (b, "/device");
  assert_page (page, 200);
  g_assert_nonnull (strstr (page->text, "<html lang=\"ru\">"));
  g_assert_nonnull (strstr (page->text, "Введите код, который показывает ваше устройство."));
  browser_enter_code (b, request);
  confirm = browser_social (b, "yandex", "ru-device@example.com");
  assert_page (confirm, 200);
  g_assert_nonnull (strstr (confirm->text, "Разрешайте, только если вы сами только что начали этот вход."));
  g_assert_nonnull (strstr (confirm->text, ">Разрешить</button>"));
  g_assert_nonnull (strstr (confirm->text, ">Запретить</button>"));
  device_name = element_text (confirm->text, "device-name");
  g_assert_cmpstr (device_name, ==, "ноутбук Ивана");
  done = browser_post (b, "action", "approve", NULL);
  assert_page (done, 200);
  g_assert_nonnull (strstr (done->text, "Готово"));
}

/* Requests and a page's progress are in the database: a restart keeps them. */
static void
test_restart (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdServer) again = NULL;
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(JsonObject) request = device_start (client, NULL);
  g_autoptr(Browser) b = browser_new (server);
  g_autoptr(PdResponse) confirm = NULL, pending = NULL, ok = NULL, tokens = NULL;

  browser_enter_code (b, request);
  confirm = browser_social (b, "google", "restart@example.com");
  assert_page (confirm, 200);
  pd_server_stop (server);
  again = pd_server_restart (server);

  pending = poll (client, request);
  pd_assert_response (pending, 400, "authorization_pending");
  ok = browser_post (b, "action", "approve", NULL);
  assert_page (ok, 200);
  pd_server_advance_clock (again, 5);
  tokens = poll (client, request);
  pd_assert_response (tokens, 200, NULL);
}

static gboolean
array_has (JsonArray  *array,
           const char *value)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    if (g_str_equal (json_array_get_string_element (array, i), value))
      return TRUE;
  return FALSE;
}

static void
test_feature_off (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--features=-device", NULL);
  g_autoptr(PdServer) on = NULL;
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) discovery = pd_client_get (client, "/.well-known/openid-configuration", NULL);
  g_autoptr(PdResponse) start = device_request (client, NULL);
  g_autoptr(PdResponse) page = pd_client_get (client, "/device", NULL);
  g_autoptr(PdResponse) post = pd_client_post_form (client, "/device", NULL, "user_code", "BCDFGHJK", NULL);
  g_autoptr(PdResponse) grant = pd_client_post_form (client, "/oauth/token", NULL, "grant_type", DEVICE_GRANT,
                                                      "client_id", PD_CLIENT_ID, "device_code", "x", NULL);
  g_autoptr(PdResponse) only = NULL;
  JsonObject *o;

  pd_assert_response (discovery, 200, NULL);
  o = pd_response_object (discovery);
  g_assert_false (json_object_has_member (o, "device_authorization_endpoint"));
  g_assert_false (array_has (json_object_get_array_member (o, "grant_types_supported"), DEVICE_GRANT));
  g_assert_false (array_has (json_object_get_array_member (o, "passport_features"), "device"));
  g_assert_true (array_has (json_object_get_array_member (o, "passport_features"), "otp"));
  pd_assert_response (start, 404, "not_found");
  pd_assert_response (page, 404, "not_found");
  pd_assert_response (post, 404, "not_found");
  pd_assert_response (grant, 400, "unsupported_grant_type");

  /* named alone, it is the only one */
  pd_server_stop (server);
  on = pd_server_restart_with (server, "--features=device");
  g_clear_pointer (&client, pd_client_free);
  client = pd_client_new (on);
  only = pd_client_get (client, "/.well-known/openid-configuration", NULL);
  pd_assert_response (only, 200, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pd_response_object (only),
                                                                         "passport_features")), ==, 1);
  g_assert_true (array_has (json_object_get_array_member (pd_response_object (only), "passport_features"),
                            "device"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/device/discovery", test_discovery);
  g_test_add_func ("/device/request-shape", test_request_shape);
  g_test_add_func ("/device/request-errors", test_request_errors);
  g_test_add_func ("/device/user-codes", test_user_codes);
  g_test_add_func ("/device/pending-slow-down", test_pending_slow_down);
  g_test_add_func ("/device/approve", test_approve);
  g_test_add_func ("/device/deny", test_deny);
  g_test_add_func ("/device/expired", test_expired);
  g_test_add_func ("/device/other-client", test_other_client);
  g_test_add_func ("/device/rate-limit", test_rate_limit);
  g_test_add_func ("/device/wrong-codes", test_wrong_codes);
  g_test_add_func ("/device/csrf", test_csrf);
  g_test_add_func ("/device/russian", test_russian);
  g_test_add_func ("/device/restart", test_restart);
  g_test_add_func ("/device/feature-off", test_feature_off);
  return g_test_run ();
}
