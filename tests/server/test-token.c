// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: the token endpoint (refresh rotation and reuse detection,
 * the password grant and its throttling, malformed requests, clients),
 * revocation and userinfo. */
#include "config.h"

#include <string.h>

#include "pd-test-server.h"

#define PASSWORD "correct horse battery staple 42"

static PdServer *shared;

static const char *
str (JsonObject *object,
     const char *member)
{
  return json_object_get_string_member_with_default (object, member, NULL);
}

static void
assert_unauthorized (PdResponse *r)
{
  const char *www;

  g_assert_cmpuint (r->status, ==, 401);
  www = pd_response_header (r, "WWW-Authenticate");
  g_assert_nonnull (www);
  g_assert_true (g_str_has_prefix (www, "Bearer"));
  g_assert_nonnull (strstr (www, "error=\"invalid_token\""));
}

/* --------------------------------------------------------------- */
/* Refresh                                                          */
/* --------------------------------------------------------------- */

static void
test_refresh_rotation (void)
{
  g_autoptr(JsonObject) t0 = pd_social_tokens (shared, "google", "rotate@example.com", "Ro Tate", FALSE);
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) r1 = pd_token_refresh (client, str (t0, "refresh_token"));
  g_autoptr(PdResponse) r2 = NULL;
  g_autoptr(PdResponse) me0 = NULL;
  g_autoptr(PdResponse) me2 = NULL;
  JsonObject *o1;

  pd_assert_response (r1, 200, NULL);
  o1 = pd_response_object (r1);
  g_assert_nonnull (str (o1, "access_token"));
  g_assert_nonnull (str (o1, "refresh_token"));
  g_assert_cmpstr (str (o1, "access_token"), !=, str (t0, "access_token"));
  g_assert_cmpstr (str (o1, "refresh_token"), !=, str (t0, "refresh_token"));
  g_assert_cmpint (g_ascii_strcasecmp (str (o1, "token_type"), "Bearer"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o1, "expires_in"), >, 0);
  g_assert_nonnull (str (o1, "scope"));
  g_assert_nonnull (strstr (pd_response_header (r1, "Cache-Control"), "no-store"));

  /* the new token refreshes again, and both give the same account */
  r2 = pd_token_refresh (client, str (o1, "refresh_token"));
  pd_assert_response (r2, 200, NULL);
  me0 = pd_get_me (client, str (t0, "access_token"));
  me2 = pd_get_me (client, pd_response_string (r2, "access_token"));
  g_assert_cmpstr (pd_response_string (me0, "id"), ==, pd_response_string (me2, "id"));
}

static void
test_refresh_reuse (void)
{
  g_autoptr(JsonObject) t0 = pd_social_tokens (shared, "google", "reuse@example.com", "Re Use", FALSE);
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) r1 = pd_token_refresh (client, str (t0, "refresh_token"));
  g_autoptr(PdResponse) r2 = NULL;
  g_autoptr(PdResponse) replay = NULL;
  g_autoptr(PdResponse) me_a2 = NULL;
  g_autoptr(PdResponse) me_a0 = NULL;
  g_autoptr(PdResponse) after = NULL;
  g_autoptr(PdResponse) info = NULL;
  g_autoptr(JsonObject) other = pd_social_tokens (shared, "google", "bystander@example.com", "By Stander", FALSE);
  g_autoptr(PdResponse) other_me = NULL;
  g_autoptr(PdResponse) other_refresh = NULL;

  pd_assert_response (r1, 200, NULL);
  r2 = pd_token_refresh (client, pd_response_string (r1, "refresh_token"));
  pd_assert_response (r2, 200, NULL);
  {
    g_autoptr(PdResponse) ok = pd_get_me (client, pd_response_string (r2, "access_token"));
  }

  /* the retired first refresh token again: refused, and the family is gone */
  replay = pd_token_refresh (client, str (t0, "refresh_token"));
  pd_assert_response (replay, 400, "invalid_grant");
  me_a2 = pd_client_get (client, "/api/v1/me", pd_response_string (r2, "access_token"));
  assert_unauthorized (me_a2);
  me_a0 = pd_client_get (client, "/api/v1/me", str (t0, "access_token"));
  assert_unauthorized (me_a0);
  info = pd_client_get (client, "/oauth/userinfo", pd_response_string (r2, "access_token"));
  g_assert_cmpuint (info->status, ==, 401);
  after = pd_token_refresh (client, pd_response_string (r2, "refresh_token"));
  pd_assert_response (after, 400, "invalid_grant");

  /* another session is not touched */
  other_me = pd_get_me (client, str (other, "access_token"));
  other_refresh = pd_token_refresh (client, str (other, "refresh_token"));
  pd_assert_response (other_refresh, 200, NULL);
}

static void
test_refresh_garbage (void)
{
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) garbage = pd_token_refresh (client, "definitely-not-a-refresh-token");
  g_autoptr(PdResponse) missing = pd_client_post_form (client, "/oauth/token", NULL,
                                                       "grant_type", "refresh_token",
                                                       "client_id", PD_CLIENT_ID,
                                                       NULL);
  g_autoptr(JsonObject) t = pd_social_tokens (shared, "vk", "access-as-refresh@example.com", "A", FALSE);
  g_autoptr(PdResponse) access_as_refresh = pd_token_refresh (client, str (t, "access_token"));

  pd_assert_response (garbage, 400, "invalid_grant");
  pd_assert_response (missing, 400, "invalid_request");
  pd_assert_response (access_as_refresh, 400, "invalid_grant");
}

static void
test_access_token_expiry (void)
{
  /* the default lifetime, 900 s, on a clock of its own */
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(JsonObject) t = pd_social_tokens (server, "google", "expiry@example.com", "Ex", FALSE);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) alive = NULL;
  g_autoptr(PdResponse) me = NULL;
  g_autoptr(PdResponse) refreshed = NULL;
  g_autoptr(PdResponse) me2 = NULL;

  g_assert_cmpint (json_object_get_int_member (t, "expires_in"), ==, 900);
  pd_server_advance_clock (server, 898);
  alive = pd_get_me (client, str (t, "access_token"));
  pd_server_advance_clock (server, 3);
  me = pd_client_get (client, "/api/v1/me", str (t, "access_token"));
  assert_unauthorized (me);
  /* the refresh token outlives it */
  refreshed = pd_token_refresh (client, str (t, "refresh_token"));
  pd_assert_response (refreshed, 200, NULL);
  me2 = pd_get_me (client, pd_response_string (refreshed, "access_token"));
  pd_server_stop (server);
}

/* --------------------------------------------------------------- */
/* Password grant                                                   */
/* --------------------------------------------------------------- */

static void
test_password_confirmation (void)
{
  g_autofree char *email = pd_unique_email ("confirm");
  g_autoptr(JsonObject) t = pd_social_tokens (shared, "google", email, "Con Firm", FALSE);
  const char *access = str (t, "access_token");
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autofree char *body = pd_json_strings ("email", email, "password", PASSWORD, NULL);
  g_autoptr(PdResponse) bind = NULL;
  g_autoptr(PdResponse) before = NULL;
  g_autoptr(PdResponse) page = NULL;
  g_autoptr(PdResponse) after = NULL;
  g_autoptr(PdResponse) upper = NULL;
  g_autoptr(PdResponse) me = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autofree char *upper_email = g_ascii_strup (email, -1);

  pd_accept_terms (client, access);
  bind = pd_client_post_json (client, "/api/v1/me/email", access, body);
  pd_assert_response (bind, 202, NULL);

  /* stored, but not usable before the address is confirmed */
  before = pd_token_password (client, email, PASSWORD);
  pd_assert_response (before, 400, "invalid_grant");

  page = pd_confirm_newest (client, email);
  g_assert_cmpuint (page->status, ==, 200);

  after = pd_token_password (client, email, PASSWORD);
  pd_assert_response (after, 200, NULL);
  g_assert_nonnull (pd_response_string (after, "access_token"));
  g_assert_nonnull (pd_response_string (after, "refresh_token"));
  g_assert_nonnull (pd_response_string (after, "id_token"));
  me = pd_get_me (client, pd_response_string (after, "access_token"));
  g_assert_cmpstr (pd_response_string (me, "email"), ==, email);

  claims = pd_jwt_payload (pd_response_string (after, "id_token"));
  g_assert_cmpstr (str (claims, "iss"), ==, shared->url);
  g_assert_cmpstr (str (claims, "email"), ==, email);
  g_assert_true (json_object_get_boolean_member (claims, "email_verified"));
  g_assert_false (json_object_has_member (claims, "nonce"));

  /* addresses compare case-insensitively */
  upper = pd_token_password (client, upper_email, PASSWORD);
  pd_assert_response (upper, 200, NULL);
}

static void
test_password_wrong_identical (void)
{
  g_autofree char *email = pd_unique_email ("wrongpw");
  g_autoptr(JsonObject) t = pd_account_with_password (shared, "vk", email, "Wrong Pw", PASSWORD);
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) wrong = pd_token_password (client, email, "not the password at all");
  g_autoptr(PdResponse) unknown = pd_token_password (client, "nobody-here@example.com", "not the password at all");
  g_autoptr(PdResponse) ok = pd_token_password (client, email, PASSWORD);

  pd_assert_response (wrong, 400, "invalid_grant");
  pd_assert_response (unknown, 400, "invalid_grant");
  /* one answer for both, so the endpoint reveals no account */
  g_assert_cmpstr (wrong->text, ==, unknown->text);
  pd_assert_response (ok, 200, NULL);
}

static void
test_password_throttling (void)
{
  /* the default window, 900 s, on a clock of its own */
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", "--max-failed-passwords", "3", NULL);
  g_autofree char *email = pd_unique_email ("throttle");
  g_autoptr(JsonObject) t = pd_account_with_password (server, "google", email, "Thr Ottle", PASSWORD);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) limited = NULL;
  g_autoptr(PdResponse) limited_right = NULL;
  g_autoptr(PdResponse) unknown_limited = NULL;
  g_autoptr(PdResponse) unknown_still = NULL;
  g_autoptr(PdResponse) unknown_later = NULL;
  g_autoptr(PdResponse) later = NULL;
  const char *retry_after;
  guint64 seconds = 0;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(PdResponse) r = pd_token_password (client, email, "wrong password number x");

      pd_assert_response (r, 400, "invalid_grant");
    }
  limited = pd_token_password (client, email, "wrong password number x");
  pd_assert_response (limited, 429, "too_many_requests");
  retry_after = pd_response_header (limited, "Retry-After");
  g_assert_nonnull (retry_after);
  g_assert_true (g_ascii_string_to_unsigned (retry_after, 10, 1, 900, &seconds, NULL));
  g_assert_cmpuint (seconds, >=, 890);
  g_assert_cmpint (json_object_get_int_member (pd_response_object (limited), "retry_after"), ==, seconds);

  /* while throttled, to the last seconds, even the right password is refused */
  pd_server_advance_clock (server, seconds - 2);
  limited_right = pd_token_password (client, email, PASSWORD);
  pd_assert_response (limited_right, 429, "too_many_requests");
  g_assert_nonnull (pd_response_header (limited_right, "Retry-After"));

  /* an unknown user is throttled the same way (no account revealed) */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(PdResponse) r = pd_token_password (client, "ghost@example.com", "wrong password number x");

      pd_assert_response (r, 400, "invalid_grant");
    }
  unknown_limited = pd_token_password (client, "ghost@example.com", "wrong password number x");
  pd_assert_response (unknown_limited, 429, "too_many_requests");

  /* after the window, the right password works; the unknown address, throttled
   * later, waits for its own window */
  pd_server_advance_clock (server, 3);
  later = pd_token_password (client, email, PASSWORD);
  pd_assert_response (later, 200, NULL);
  unknown_still = pd_token_password (client, "ghost@example.com", "wrong password number x");
  pd_assert_response (unknown_still, 429, "too_many_requests");
  pd_server_advance_clock (server, 901);
  unknown_later = pd_token_password (client, "ghost@example.com", "wrong password number x");
  pd_assert_response (unknown_later, 400, "invalid_grant");
  pd_server_stop (server);
}

static void
test_password_no_password_yet (void)
{
  /* an account from a social network only: no password to check */
  g_autofree char *email = pd_unique_email ("social-only");
  g_autoptr(JsonObject) t = pd_social_tokens (shared, "google", email, "So Cial", TRUE);
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) r = pd_token_password (client, email, PASSWORD);

  pd_assert_response (r, 400, "invalid_grant");
}

static void
test_password_third_party (void)
{
  g_autofree char *email = pd_unique_email ("thirdparty");
  g_autoptr(JsonObject) t = pd_account_with_password (shared, "google", email, "Third Party", PASSWORD);
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) r = pd_client_post_form (client, "/oauth/token", NULL,
                                                 "grant_type", "password",
                                                 "client_id", "passport-test-thirdparty",
                                                 "username", email,
                                                 "password", PASSWORD,
                                                 "scope", "openid",
                                                 NULL);

  pd_assert_response (r, 400, "unauthorized_client");
}

/* --------------------------------------------------------------- */
/* Malformed requests                                               */
/* --------------------------------------------------------------- */

static void
test_unsupported_grant (void)
{
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) cc = pd_client_post_form (client, "/oauth/token", NULL,
                                                  "grant_type", "client_credentials",
                                                  "client_id", PD_CLIENT_ID,
                                                  NULL);
  /* (the device_code grant was the example until passportd had it: section 11) */
  g_autoptr(PdResponse) implicit = pd_client_post_form (client, "/oauth/token", NULL,
                                                        "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                                        "client_id", PD_CLIENT_ID,
                                                        NULL);
  g_autoptr(PdResponse) missing = pd_client_post_form (client, "/oauth/token", NULL,
                                                       "client_id", PD_CLIENT_ID,
                                                       NULL);

  pd_assert_response (cc, 400, "unsupported_grant_type");
  pd_assert_response (implicit, 400, "unsupported_grant_type");
  pd_assert_response (missing, 400, "invalid_request");
}

static void
test_invalid_client (void)
{
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) unknown = pd_client_post_form (client, "/oauth/token", NULL,
                                                       "grant_type", "password",
                                                       "client_id", "no-such-client",
                                                       "username", "a@example.com",
                                                       "password", "whatever-long",
                                                       NULL);
  g_autoptr(PdResponse) missing = pd_client_post_form (client, "/oauth/token", NULL,
                                                       "grant_type", "refresh_token",
                                                       "refresh_token", "x",
                                                       NULL);

  /* RFC 6749 §5.2: 400, or 401 */
  g_assert_true (unknown->status == 400 || unknown->status == 401);
  pd_assert_response (unknown, unknown->status, "invalid_client");
  g_assert_true (missing->status == 400 || missing->status == 401);
  g_assert_true (g_strcmp0 (pd_response_string (missing, "error"), "invalid_client") == 0 ||
                 g_strcmp0 (pd_response_string (missing, "error"), "invalid_request") == 0);
}

static void
test_token_malformed (void)
{
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) json = pd_client_post_json (client, "/oauth/token", NULL,
                                                    "{\"grant_type\":\"password\",\"client_id\":\"passport-desktop\"}");
  g_autoptr(PdResponse) get = pd_client_get (client, "/oauth/token?grant_type=password", NULL);
  g_autoptr(GBytes) junk = g_bytes_new_static ("%%%&&&===", 9);
  g_autoptr(PdResponse) bad_form = pd_client_send (client, "POST", "/oauth/token", NULL,
                                                   "application/x-www-form-urlencoded", junk, NULL);

  /* the form is not read from JSON: no client_id or no grant_type */
  g_assert_true (json->status == 400 || json->status == 401);
  g_assert_true (g_strcmp0 (pd_response_string (json, "error"), "invalid_request") == 0 ||
                 g_strcmp0 (pd_response_string (json, "error"), "invalid_client") == 0);
  g_assert_true (get->status == 405 || get->status == 400);
  g_assert_true (bad_form->status == 400 || bad_form->status == 401);
  g_assert_nonnull (pd_response_string (bad_form, "error"));

  /* A value that is not UTF-8 once decoded is no form (found by fuzz-pd-form). */
  {
    const char *forms[] = {
      "grant_type=password&client_id=passport-desktop&username=x%FF%40example.com&password=pw",
      "grant_type=password&client_id=passport-desktop&username=x%40example.com&password=%ED%B0%80",
      "grant_type=password&client_id=passport-desktop&username=x%40example.com&password=pw&%C0=1",
    };

    for (guint i = 0; i < G_N_ELEMENTS (forms); i++)
      {
        g_autoptr(GBytes) body = g_bytes_new_static (forms[i], strlen (forms[i]));
        g_autoptr(PdResponse) r = pd_client_send (client, "POST", "/oauth/token", NULL,
                                                  "application/x-www-form-urlencoded", body, NULL);

        g_test_message ("form %s", forms[i]);
        pd_assert_response (r, 400, "invalid_request");
      }
  }
}

/* --------------------------------------------------------------- */
/* Revocation and userinfo                                          */
/* --------------------------------------------------------------- */

static PdResponse *
revoke_token (PdClient   *client,
        const char *token,
        const char *hint)
{
  if (hint != NULL)
    return pd_client_post_form (client, "/oauth/revoke", NULL,
                                "token", token, "token_type_hint", hint, "client_id", PD_CLIENT_ID, NULL);
  return pd_client_post_form (client, "/oauth/revoke", NULL, "token", token, "client_id", PD_CLIENT_ID, NULL);
}

static void
test_revoke (void)
{
  g_autoptr(JsonObject) t = pd_social_tokens (shared, "yandex", "revoke@example.com", "Re Voke", FALSE);
  g_autoptr(JsonObject) t2 = pd_social_tokens (shared, "yandex", "revoke2@example.com", "Re Voke", FALSE);
  g_autoptr(PdClient) client = pd_client_new (shared);

  /* the access token */
  {
    g_autoptr(PdResponse) r = revoke_token (client, str (t, "access_token"), "access_token");
    g_autoptr(PdResponse) me = NULL;
    g_autoptr(PdResponse) again = NULL;

    g_assert_cmpuint (r->status, ==, 200);
    me = pd_client_get (client, "/api/v1/me", str (t, "access_token"));
    assert_unauthorized (me);
    /* twice: still 200 */
    again = revoke_token (client, str (t, "access_token"), NULL);
    g_assert_cmpuint (again->status, ==, 200);
  }
  /* the refresh token, with a wrong hint */
  {
    g_autoptr(PdResponse) r = revoke_token (client, str (t, "refresh_token"), "access_token");
    g_autoptr(PdResponse) refresh = NULL;

    g_assert_cmpuint (r->status, ==, 200);
    refresh = pd_token_refresh (client, str (t, "refresh_token"));
    pd_assert_response (refresh, 400, "invalid_grant");
  }
  /* unknown tokens: 200 all the same (RFC 7009 §2.2) */
  {
    g_autoptr(PdResponse) r = revoke_token (client, "never-issued-token", "refresh_token");
    g_autoptr(PdResponse) r2 = revoke_token (client, "never-issued-token", NULL);

    g_assert_cmpuint (r->status, ==, 200);
    g_assert_cmpuint (r2->status, ==, 200);
  }
  /* a request without the token is malformed */
  {
    g_autoptr(PdResponse) r = pd_client_post_form (client, "/oauth/revoke", NULL, "client_id", PD_CLIENT_ID, NULL);

    pd_assert_response (r, 400, "invalid_request");
  }
  /* the other session lives on */
  {
    g_autoptr(PdResponse) me = pd_get_me (client, str (t2, "access_token"));
  }
}

static void
test_userinfo (void)
{
  g_autofree char *email = pd_unique_email ("userinfo");
  g_autoptr(JsonObject) t = pd_account_with_password (shared, "google", email, "User Info", PASSWORD);
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) info = pd_client_get (client, "/oauth/userinfo", str (t, "access_token"));
  g_autoptr(PdResponse) none = pd_client_get (client, "/oauth/userinfo", NULL);
  g_autoptr(PdResponse) garbage = pd_client_get (client, "/oauth/userinfo", "garbage-token");
  g_autoptr(JsonObject) claims = pd_jwt_payload (str (t, "id_token"));

  pd_assert_response (info, 200, NULL);
  g_assert_cmpstr (pd_response_string (info, "sub"), ==, str (claims, "sub"));
  g_assert_cmpstr (pd_response_string (info, "name"), ==, "User Info");
  g_assert_cmpstr (pd_response_string (info, "email"), ==, email);
  g_assert_true (json_object_get_boolean_member (pd_response_object (info), "email_verified"));

  g_assert_cmpuint (none->status, ==, 401);
  g_assert_nonnull (pd_response_header (none, "WWW-Authenticate"));
  g_assert_true (g_str_has_prefix (pd_response_header (none, "WWW-Authenticate"), "Bearer"));
  assert_unauthorized (garbage);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  shared = pd_server_start (NULL);

  g_test_add_func ("/token/refresh/rotation", test_refresh_rotation);
  g_test_add_func ("/token/refresh/reuse", test_refresh_reuse);
  g_test_add_func ("/token/refresh/garbage", test_refresh_garbage);
  g_test_add_func ("/token/access-expiry", test_access_token_expiry);
  g_test_add_func ("/token/password/confirmation", test_password_confirmation);
  g_test_add_func ("/token/password/wrong-identical", test_password_wrong_identical);
  g_test_add_func ("/token/password/throttling", test_password_throttling);
  g_test_add_func ("/token/password/social-only", test_password_no_password_yet);
  g_test_add_func ("/token/password/third-party", test_password_third_party);
  g_test_add_func ("/token/unsupported-grant", test_unsupported_grant);
  g_test_add_func ("/token/invalid-client", test_invalid_client);
  g_test_add_func ("/token/malformed", test_token_malformed);
  g_test_add_func ("/revoke", test_revoke);
  g_test_add_func ("/userinfo", test_userinfo);

  ret = g_test_run ();
  pd_server_stop (shared);
  pd_server_free (shared);
  return ret;
}
