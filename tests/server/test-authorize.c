// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: the authorization endpoint, the stand-in social page, and the
 * redemption of codes (single use, expiry, PKCE, redirect URI, reuse
 * revoking the first tokens), the id_token. */
#include "config.h"

#include <string.h>

#ifdef HAVE_LIBCRYPTO
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#endif

#include "pd-test-server.h"

static PdServer *shared;

typedef enum
{
  DROP_NONE = 0,
  DROP_CHALLENGE = 1 << 0,
  DROP_METHOD = 1 << 1,
  PLAIN_METHOD = 1 << 2,
  TOKEN_RESPONSE = 1 << 3,
  DROP_SCOPE_OPENID = 1 << 4,
} Mangle;

/* An authorization URL with parts changed. */
static char *
authorize_url (PdServer   *server,
               const char *client_id,
               const char *redirect_uri,
               const char *state,
               const char *challenge,
               const char *provider,
               Mangle      mangle)
{
  g_autoptr(GHashTable) q = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *encoded = NULL;

#define PUT(k, v) g_hash_table_insert (q, (gpointer) (k), (gpointer) (v))
  PUT ("response_type", (mangle & TOKEN_RESPONSE) ? "token" : "code");
  if (client_id != NULL)
    PUT ("client_id", client_id);
  if (redirect_uri != NULL)
    PUT ("redirect_uri", redirect_uri);
  PUT ("scope", (mangle & DROP_SCOPE_OPENID) ? "profile email" : "openid profile email passport");
  PUT ("state", state);
  PUT ("nonce", "n-0S6_WzA2Mj");
  if (!(mangle & DROP_CHALLENGE))
    PUT ("code_challenge", challenge);
  if (!(mangle & DROP_METHOD))
    PUT ("code_challenge_method", (mangle & PLAIN_METHOD) ? "plain" : "S256");
  if (provider != NULL)
    PUT ("provider", provider);
#undef PUT
  encoded = soup_form_encode_hash (q);
  return g_strdup_printf ("%s/oauth/authorize?%s", server->url, encoded);
}

static void
assert_html_error_page (PdResponse *r)
{
  g_assert_cmpuint (r->status, ==, 400);
  g_assert_null (pd_response_header (r, "Location"));
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "text/html");
}

static void
test_bad_client (void)
{
  g_autoptr(PdClient) browser = pd_client_new (shared);
  g_autoptr(PdAuthRequest) req = pd_auth_request_new ();
  const char *clients[] = { "no-such-client", "", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_autofree char *url = authorize_url (shared, clients[i], req->redirect_uri, req->state,
                                            req->challenge, "google", DROP_NONE);
      g_autoptr(PdResponse) r = pd_client_get (browser, url, NULL);

      assert_html_error_page (r);
      /* not even a page with a form to continue */
      g_assert_null (strstr (r->text, "name=\"csrf\""));
    }
}

static void
test_bad_redirect (void)
{
  g_autoptr(PdClient) browser = pd_client_new (shared);
  g_autoptr(PdAuthRequest) req = pd_auth_request_new ();
  const char *desktop_bad[] = {
    "http://127.0.0.1:4000/other",
    "http://127.0.0.1:4000/callback/extra",
    "https://127.0.0.1:4000/callback",
    "http://evil.example:4000/callback",
    "http://127.0.0.2:4000/callback",
    "http://127.0.0.1.evil.example:4000/callback",
    "http://user@127.0.0.1:4000/callback",
    "https://thirdparty.example/cb",
    "not a uri",
    "",
    NULL,
  };
  const char *thirdparty_bad[] = {
    "https://thirdparty.example/cb/",
    "https://thirdparty.example/cb?x=1",
    "http://thirdparty.example/cb",
    "https://thirdparty.example:444/cb",
    "http://127.0.0.1:4000/callback",
    NULL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (desktop_bad); i++)
    {
      g_autofree char *url = authorize_url (shared, PD_CLIENT_ID, desktop_bad[i], req->state,
                                            req->challenge, "google", DROP_NONE);
      g_autoptr(PdResponse) r = pd_client_get (browser, url, NULL);

      g_test_message ("redirect_uri %s", desktop_bad[i] ? desktop_bad[i] : "(none)");
      assert_html_error_page (r);
    }
  for (guint i = 0; i < G_N_ELEMENTS (thirdparty_bad); i++)
    {
      g_autofree char *url = authorize_url (shared, "passport-test-thirdparty", thirdparty_bad[i],
                                            req->state, req->challenge, "google", DROP_NONE);
      g_autoptr(PdResponse) r = pd_client_get (browser, url, NULL);

      g_test_message ("third-party redirect_uri %s", thirdparty_bad[i] ? thirdparty_bad[i] : "(none)");
      assert_html_error_page (r);
    }

  /* the third party's exact URI is fine */
  {
    g_autofree char *url = authorize_url (shared, "passport-test-thirdparty", "https://thirdparty.example/cb",
                                          req->state, req->challenge, "google", DROP_NONE);
    g_autoptr(PdSocialPage) page = pd_browser_open (browser, url);
    g_autoptr(PdResponse) done = pd_browser_submit (browser, page, NULL, "third@example.com", "T", FALSE, "continue");
    g_autofree char *base = NULL;
    g_autofree char *code = NULL;

    pd_assert_response (done, 302, NULL);
    base = pd_location_base (done);
    g_assert_cmpstr (base, ==, "https://thirdparty.example/cb");
    code = pd_location_param (done, "code");
    g_assert_nonnull (code);
  }
}

static void
assert_error_redirect (PdResponse    *r,
                       PdAuthRequest *req,
                       const char    *redirect_uri,
                       const char    *error)
{
  g_autofree char *base = NULL;
  g_autofree char *err = NULL;
  g_autofree char *state = NULL;
  g_autofree char *iss = NULL;
  g_autofree char *code = NULL;

  pd_assert_response (r, 302, NULL);
  base = pd_location_base (r);
  g_assert_cmpstr (base, ==, redirect_uri);
  err = pd_location_param (r, "error");
  state = pd_location_param (r, "state");
  iss = pd_location_param (r, "iss");
  code = pd_location_param (r, "code");
  g_assert_cmpstr (err, ==, error);
  g_assert_cmpstr (state, ==, req->state);
  g_assert_cmpstr (iss, ==, shared->url);
  g_assert_null (code);
}

static void
test_pkce_required (void)
{
  g_autoptr(PdClient) browser = pd_client_new (shared);
  g_autoptr(PdAuthRequest) req = pd_auth_request_new ();
  Mangle cases[] = { DROP_CHALLENGE, DROP_METHOD, PLAIN_METHOD, DROP_CHALLENGE | DROP_METHOD };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = authorize_url (shared, PD_CLIENT_ID, req->redirect_uri, req->state,
                                            req->challenge, "google", cases[i]);
      g_autoptr(PdResponse) r = pd_client_get (browser, url, NULL);

      g_test_message ("mangle %u", cases[i]);
      assert_error_redirect (r, req, req->redirect_uri, "invalid_request");
    }

  /* a malformed challenge (not 43 base64url characters) */
  {
    g_autofree char *url = authorize_url (shared, PD_CLIENT_ID, req->redirect_uri, req->state,
                                          "short", "google", DROP_NONE);
    g_autoptr(PdResponse) r = pd_client_get (browser, url, NULL);

    assert_error_redirect (r, req, req->redirect_uri, "invalid_request");
  }
}

static void
test_response_type (void)
{
  g_autoptr(PdClient) browser = pd_client_new (shared);
  g_autoptr(PdAuthRequest) req = pd_auth_request_new ();
  g_autofree char *url = authorize_url (shared, PD_CLIENT_ID, req->redirect_uri, req->state,
                                        req->challenge, "google", TOKEN_RESPONSE);
  g_autoptr(PdResponse) r = pd_client_get (browser, url, NULL);
  g_autofree char *err = NULL;
  g_autofree char *state = NULL;

  /* RFC 6749 names unsupported_response_type; the contract lists
   * invalid_request for every malformed request */
  pd_assert_response (r, 302, NULL);
  err = pd_location_param (r, "error");
  state = pd_location_param (r, "state");
  g_assert_true (g_strcmp0 (err, "invalid_request") == 0 || g_strcmp0 (err, "unsupported_response_type") == 0);
  g_assert_cmpstr (state, ==, req->state);
  g_assert_null (pd_location_param (r, "code"));
}

/* Contract 2 (1.1): max_age, a number of seconds, is taken (the stand-in
 * page signs the user in at every request anyway) and anything else is
 * refused; the id_token says when the session's sign-in was (auth_time),
 * and a refresh does not move it. */
static void
test_max_age (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PdClient) browser = pd_client_new (server);
  const char *bad[] = { "abc", "-1", "1.5", "", "99999999999999999999" };
  g_autoptr(PdAuthRequest) req = pd_auth_request_new ();
  g_autofree char *base_url = pd_auth_request_url (server, req, "google");
  g_autofree char *url = g_strconcat (base_url, "&max_age=0", NULL);
  g_autoptr(PdSocialPage) page = NULL;
  g_autoptr(PdResponse) done = NULL;
  g_autoptr(PdResponse) tokens = NULL;
  g_autoptr(PdResponse) refreshed = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autofree char *code = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(PdAuthRequest) bad_req = pd_auth_request_new ();
      g_autofree char *bad_base = pd_auth_request_url (server, bad_req, "google");
      g_autofree char *bad_url = g_strconcat (bad_base, "&max_age=", bad[i], NULL);
      g_autoptr(PdResponse) r = pd_client_get (browser, bad_url, NULL);
      g_autofree char *error = NULL;
      g_autofree char *state = NULL;

      g_test_message ("max_age=%s", bad[i]);
      pd_assert_response (r, 302, NULL);
      error = pd_location_param (r, "error");
      state = pd_location_param (r, "state");
      g_assert_cmpstr (error, ==, "invalid_request");
      g_assert_cmpstr (state, ==, bad_req->state);
      g_assert_null (pd_location_param (r, "code"));
    }

  page = pd_browser_open (browser, url);
  done = pd_browser_submit (browser, page, NULL, "fresh@example.com", "Fresh", TRUE, "continue");
  pd_assert_response (done, 302, NULL);
  code = pd_location_param (done, "code");
  g_assert_nonnull (code);
  tokens = pd_token_code (browser, code, req->redirect_uri, req->verifier);
  pd_assert_response (tokens, 200, NULL);
  first = pd_jwt_payload (pd_response_string (tokens, "id_token"));
  g_assert_true (json_object_has_member (first, "auth_time"));
  g_assert_cmpint (json_object_get_int_member (first, "auth_time"), ==,
                   json_object_get_int_member (first, "iat"));

  pd_server_advance_clock (server, 120);
  refreshed = pd_token_refresh (browser, pd_response_string (tokens, "refresh_token"));
  pd_assert_response (refreshed, 200, NULL);
  second = pd_jwt_payload (pd_response_string (refreshed, "id_token"));
  g_assert_cmpint (json_object_get_int_member (second, "iat"), ==,
                   json_object_get_int_member (first, "iat") + 120);
  g_assert_cmpint (json_object_get_int_member (second, "auth_time"), ==,
                   json_object_get_int_member (first, "auth_time"));
}

static void
sign_in_with_redirect (const char *redirect_uri)
{
  g_autoptr(PdClient) browser = pd_client_new (shared);
  g_autoptr(PdAuthRequest) req = pd_auth_request_new ();
  g_autofree char *url = NULL;
  g_autoptr(PdSocialPage) page = NULL;
  g_autoptr(PdResponse) done = NULL;
  g_autoptr(PdResponse) tokens = NULL;
  g_autofree char *base = NULL;
  g_autofree char *code = NULL;
  g_autofree char *state = NULL;
  g_autofree char *iss = NULL;

  g_free (req->redirect_uri);
  req->redirect_uri = g_strdup (redirect_uri);
  url = pd_auth_request_url (shared, req, "vk");
  page = pd_browser_open (browser, url);
  done = pd_browser_submit (browser, page, NULL, "port@example.com", "Port", FALSE, "continue");
  pd_assert_response (done, 302, NULL);
  base = pd_location_base (done);
  g_assert_cmpstr (base, ==, redirect_uri);
  code = pd_location_param (done, "code");
  state = pd_location_param (done, "state");
  iss = pd_location_param (done, "iss");
  g_assert_nonnull (code);
  g_assert_cmpstr (state, ==, req->state);
  g_assert_cmpstr (iss, ==, shared->url);

  tokens = pd_token_code (browser, code, redirect_uri, req->verifier);
  pd_assert_response (tokens, 200, NULL);
}

static void
test_any_loopback_port (void)
{
  sign_in_with_redirect ("http://127.0.0.1:1024/callback");
  sign_in_with_redirect ("http://127.0.0.1:49152/callback");
  sign_in_with_redirect ("http://127.0.0.1:65535/callback");
}

static void
test_ipv6_loopback (void)
{
  sign_in_with_redirect ("http://[::1]:43210/callback");
}

static void
test_cancel (void)
{
  g_autoptr(PdClient) browser = pd_client_new (shared);
  g_autoptr(PdAuthRequest) req = pd_auth_request_new ();
  g_autofree char *url = pd_auth_request_url (shared, req, "google");
  g_autoptr(PdSocialPage) page = pd_browser_open (browser, url);
  g_autoptr(PdResponse) done = pd_browser_submit (browser, page, NULL, "", "", FALSE, "cancel");
  g_autoptr(PdResponse) again = NULL;
  g_autofree char *description = NULL;

  assert_error_redirect (done, req, req->redirect_uri, "access_denied");
  description = pd_location_param (done, "error_description");
  g_assert_nonnull (description);

  /* the cancelled request is over: continuing it now does not give a code */
  again = pd_browser_submit (browser, page, NULL, "late@example.com", "Late", FALSE, "continue");
  g_assert_cmpuint (again->status, !=, 302);
  g_assert_cmpuint (again->status, >=, 400);
}

/* A pending sign-in lives 10 minutes (docs/passportd.md). */
static void
test_flow_expired (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PdAuthRequest) req1 = pd_auth_request_new ();
  g_autoptr(PdAuthRequest) req2 = pd_auth_request_new ();
  g_autofree char *url1 = pd_auth_request_url (server, req1, "google");
  g_autofree char *url2 = pd_auth_request_url (server, req2, "google");
  g_autoptr(PdClient) browser1 = pd_client_new (server);
  g_autoptr(PdClient) browser2 = pd_client_new (server);
  g_autoptr(PdSocialPage) page1 = pd_browser_open (browser1, url1);
  g_autoptr(PdSocialPage) page2 = pd_browser_open (browser2, url2);
  g_autoptr(PdResponse) in_time = NULL;
  g_autoptr(PdResponse) late = NULL;

  pd_server_advance_clock (server, 598);
  in_time = pd_browser_submit (browser1, page1, NULL, "flow@example.com", "Flow", FALSE, "continue");
  g_assert_cmpuint (in_time->status, ==, 302);
  pd_server_advance_clock (server, 4);
  late = pd_browser_submit (browser2, page2, NULL, "flow@example.com", "Flow", FALSE, "continue");
  pd_assert_response (late, 400, NULL);
  g_assert_nonnull (strstr (late->text, "has expired"));
}

static void
test_csrf (void)
{
  g_autoptr(PdAuthRequest) req1 = pd_auth_request_new ();
  g_autoptr(PdAuthRequest) req2 = pd_auth_request_new ();
  g_autofree char *url1 = pd_auth_request_url (shared, req1, "google");
  g_autofree char *url2 = pd_auth_request_url (shared, req2, "google");
  g_autoptr(PdClient) a = pd_client_new (shared);
  g_autoptr(PdClient) b = pd_client_new (shared);
  g_autoptr(PdClient) c = pd_client_new (shared);
  g_autoptr(PdSocialPage) page1 = pd_browser_open (a, url1);
  g_autoptr(PdSocialPage) page2 = pd_browser_open (b, url2);
  const char *set_cookie = pd_response_header (page1->response, "Set-Cookie");
  g_autofree char *set_cookie_lower = NULL;

  /* the cookie as documented */
  g_assert_nonnull (set_cookie);
  g_assert_nonnull (strstr (set_cookie, "pd_csrf="));
  set_cookie_lower = g_ascii_strdown (set_cookie, -1);
  g_assert_nonnull (strstr (set_cookie_lower, "httponly"));
  g_assert_nonnull (strstr (set_cookie_lower, "samesite=strict"));
  g_assert_nonnull (strstr (set_cookie, "Path=/oauth"));

  /* a field that does not equal the cookie */
  {
    g_autoptr(PdResponse) r = pd_browser_submit (a, page1, "forged-csrf-value", "x@example.com", "X", FALSE, "continue");

    g_assert_cmpuint (r->status, >=, 400);
    g_assert_null (pd_response_header (r, "Location"));
  }
  /* the right field but no cookie (a cross-site post) */
  {
    g_autoptr(PdResponse) r = pd_browser_submit (c, page1, NULL, "x@example.com", "X", FALSE, "continue");

    g_assert_cmpuint (r->status, >=, 400);
    g_assert_null (pd_response_header (r, "Location"));
  }
  /* b's own matching csrf pair, but for a's flow */
  {
    g_autoptr(PdSocialPage) mixed = g_new0 (PdSocialPage, 1);
    g_autoptr(PdResponse) r = NULL;

    mixed->flow = g_strdup (page1->flow);
    mixed->csrf = g_strdup (page2->csrf);
    r = pd_browser_submit (b, mixed, NULL, "x@example.com", "X", FALSE, "continue");
    g_assert_cmpuint (r->status, >=, 400);
    g_assert_null (pd_response_header (r, "Location"));
  }
  /* after all that, the genuine posts still work */
  {
    g_autoptr(PdResponse) r1 = pd_browser_submit (a, page1, NULL, "csrf1@example.com", "C", FALSE, "continue");
    g_autoptr(PdResponse) r2 = pd_browser_submit (b, page2, NULL, "csrf2@example.com", "C", FALSE, "continue");
    g_autofree char *code1 = NULL;
    g_autofree char *code2 = NULL;

    pd_assert_response (r1, 302, NULL);
    pd_assert_response (r2, 302, NULL);
    code1 = pd_location_param (r1, "code");
    code2 = pd_location_param (r2, "code");
    g_assert_nonnull (code1);
    g_assert_nonnull (code2);
  }
}

static void
test_provider_choice (void)
{
  g_autoptr(PdClient) browser = pd_client_new (shared);
  g_autoptr(PdAuthRequest) req = pd_auth_request_new ();
  g_autofree char *url = pd_auth_request_url (shared, req, NULL);
  g_autoptr(PdResponse) r = pd_client_get (browser, url, NULL);

  pd_assert_response (r, 200, NULL);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "text/html");
  g_assert_nonnull (strstr (r->text, "provider=google"));
  g_assert_nonnull (strstr (r->text, "provider=vk"));
  g_assert_nonnull (strstr (r->text, "provider=yandex"));

  /* an unknown provider is an error redirect, not a page */
  {
    g_autofree char *bad = pd_auth_request_url (shared, req, "myspace");
    g_autoptr(PdResponse) e = pd_client_get (browser, bad, NULL);

    assert_error_redirect (e, req, req->redirect_uri, "invalid_request");
  }
}

static void
test_html_escaped (void)
{
  /* the state and the login hint come back into the page: escaped */
  g_autoptr(PdClient) browser = pd_client_new (shared);
  g_autoptr(PdAuthRequest) req = pd_auth_request_new ();
  g_autofree char *url = NULL;
  g_autofree char *hinted = NULL;
  g_autoptr(PdResponse) r = NULL;

  g_free (req->state);
  req->state = g_strdup ("\"><script>alert(1)</script>");
  url = pd_auth_request_url (shared, req, "google");
  hinted = g_strconcat (url, "&login_hint=%22%3E%3Cscript%3Ealert(2)%3C%2Fscript%3E", NULL);
  r = pd_client_get (browser, hinted, NULL);
  pd_assert_response (r, 200, NULL);
  g_assert_null (strstr (r->text, "<script>alert"));
}

/* --------------------------------------------------------------- */
/* Code redemption                                                  */
/* --------------------------------------------------------------- */

static void
test_code_single_use (void)
{
  g_autoptr(PdAuthRequest) req = NULL;
  g_autofree char *code = pd_browser_social_sign_in (shared, "google", "once@example.com", "Once", FALSE, &req);
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) first = pd_token_code (client, code, req->redirect_uri, req->verifier);
  g_autoptr(PdResponse) info = NULL;
  g_autoptr(PdResponse) second = NULL;
  g_autoptr(PdResponse) info_after = NULL;
  g_autoptr(PdResponse) me_after = NULL;
  g_autoptr(PdResponse) refresh_after = NULL;
  const char *access;
  const char *refresh;

  pd_assert_response (first, 200, NULL);
  access = pd_response_string (first, "access_token");
  refresh = pd_response_string (first, "refresh_token");
  g_assert_nonnull (access);
  g_assert_nonnull (refresh);
  info = pd_client_get (client, "/oauth/userinfo", access);
  pd_assert_response (info, 200, NULL);

  /* replay: refused, and the first redemption's tokens are revoked */
  second = pd_token_code (client, code, req->redirect_uri, req->verifier);
  pd_assert_response (second, 400, "invalid_grant");
  info_after = pd_client_get (client, "/oauth/userinfo", access);
  g_assert_cmpuint (info_after->status, ==, 401);
  me_after = pd_client_get (client, "/api/v1/me", access);
  g_assert_cmpuint (me_after->status, ==, 401);
  refresh_after = pd_token_refresh (client, refresh);
  pd_assert_response (refresh_after, 400, "invalid_grant");
}

static void
test_code_wrong_verifier (void)
{
  g_autoptr(PdAuthRequest) req = NULL;
  g_autofree char *code = pd_browser_social_sign_in (shared, "google", "verifier@example.com", "V", FALSE, &req);
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autofree char *other = pd_random_string (64);
  g_autoptr(PdResponse) wrong = pd_token_code (client, code, req->redirect_uri, other);
  g_autoptr(PdResponse) missing = pd_client_post_form (client, "/oauth/token", NULL,
                                                       "grant_type", "authorization_code",
                                                       "client_id", PD_CLIENT_ID,
                                                       "code", code,
                                                       "redirect_uri", req->redirect_uri,
                                                       NULL);
  g_autoptr(PdResponse) challenge_as_verifier = pd_token_code (client, code, req->redirect_uri, req->challenge);

  pd_assert_response (wrong, 400, "invalid_grant");
  /* a missing verifier is malformed or a bad grant; either way no tokens */
  g_assert_cmpuint (missing->status, ==, 400);
  g_assert_true (g_strcmp0 (pd_response_string (missing, "error"), "invalid_request") == 0 ||
                 g_strcmp0 (pd_response_string (missing, "error"), "invalid_grant") == 0);
  pd_assert_response (challenge_as_verifier, 400, "invalid_grant");
  g_assert_null (pd_response_header (wrong, "Set-Cookie"));
}

static void
test_code_wrong_redirect (void)
{
  g_autoptr(PdAuthRequest) req = NULL;
  g_autofree char *code = pd_browser_social_sign_in (shared, "google", "redirect@example.com", "R", FALSE, &req);
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) other_port = pd_token_code (client, code, "http://127.0.0.1:1/callback", req->verifier);
  g_autoptr(PdResponse) other_path = NULL;
  g_autofree char *path = g_strconcat (req->redirect_uri, "2", NULL);

  pd_assert_response (other_port, 400, "invalid_grant");
  other_path = pd_token_code (client, code, path, req->verifier);
  pd_assert_response (other_path, 400, "invalid_grant");
}

static void
test_code_other_client (void)
{
  g_autoptr(PdAuthRequest) req = NULL;
  g_autofree char *code = pd_browser_social_sign_in (shared, "google", "otherclient@example.com", "O", FALSE, &req);
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) r = pd_client_post_form (client, "/oauth/token", NULL,
                                                 "grant_type", "authorization_code",
                                                 "client_id", "passport-test-thirdparty",
                                                 "code", code,
                                                 "redirect_uri", req->redirect_uri,
                                                 "code_verifier", req->verifier,
                                                 NULL);

  pd_assert_response (r, 400, "invalid_grant");
}

static void
test_code_garbage (void)
{
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdAuthRequest) req = pd_auth_request_new ();
  g_autoptr(PdResponse) r = pd_token_code (client, "not-a-code", req->redirect_uri, req->verifier);

  pd_assert_response (r, 400, "invalid_grant");
}

static void
test_code_expired (void)
{
  /* its own server: the shared one's clock stays with the real time */
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PdAuthRequest) req1 = NULL;
  g_autoptr(PdAuthRequest) req2 = NULL;
  g_autofree char *code1 = pd_browser_social_sign_in (server, "google", "expired@example.com", "E", FALSE, &req1);
  g_autofree char *code2 = pd_browser_social_sign_in (server, "google", "expired@example.com", "E", FALSE, &req2);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) r1 = NULL;
  g_autoptr(PdResponse) r2 = NULL;

  /* a code lives 60 s: still good a little before */
  pd_server_advance_clock (server, 58);
  r1 = pd_token_code (client, code1, req1->redirect_uri, req1->verifier);
  pd_assert_response (r1, 200, NULL);
  /* and gone after */
  pd_server_advance_clock (server, 4);
  r2 = pd_token_code (client, code2, req2->redirect_uri, req2->verifier);
  pd_assert_response (r2, 400, "invalid_grant");
}

/* Pruning (the timer's, run at once) deletes expired codes and flows but
 * keeps a redeemed code while its tokens live: a second redemption after
 * the code's 60 s still revokes them (contract, section 2). */
static void
test_code_reuse_after_prune (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdAuthRequest) req1 = NULL;
  g_autoptr(PdAuthRequest) req2 = NULL;
  g_autofree char *code1 = pd_browser_social_sign_in (server, "google", "prune@example.com", "P", FALSE, &req1);
  g_autofree char *code2 = pd_browser_social_sign_in (server, "google", "prune@example.com", "P", FALSE, &req2);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdAuthRequest) abandoned = pd_auth_request_new ();
  g_autofree char *abandoned_url = pd_auth_request_url (server, abandoned, "google");
  g_autoptr(PdSocialPage) page = pd_browser_open (client, abandoned_url);
  g_autoptr(PdResponse) first = pd_token_code (client, code1, req1->redirect_uri, req1->verifier);
  g_autoptr(PdResponse) me = NULL;
  g_autoptr(PdResponse) replay = NULL;
  g_autoptr(PdResponse) me_after = NULL;
  g_autoptr(PdResponse) refresh_after = NULL;
  g_autoptr(PdResponse) late = NULL;
  g_autoptr(PdResponse) replay_again = NULL;
  g_autoptr(PdResponse) submit = NULL;
  g_autoptr(JsonObject) pruned = NULL;
  g_autoptr(JsonObject) pruned_again = NULL;
  const char *access, *refresh;

  pd_assert_response (first, 200, NULL);
  access = pd_response_string (first, "access_token");
  refresh = pd_response_string (first, "refresh_token");

  /* past the code's 60 s and the sign-in page's 10 minutes */
  pd_server_advance_clock (server, 700);
  pruned = pd_server_prune (server);
  g_assert_cmpint (pd_prune_count (pruned, "codes"), ==, 1);          /* code2, never redeemed */
  g_assert_cmpint (pd_prune_count (pruned, "auth_requests"), ==, 1);  /* the abandoned page */
  g_assert_cmpint (pd_prune_count (pruned, "token_families"), ==, 0);  /* code1's tokens live */

  me = pd_client_get (client, "/api/v1/me", access);
  pd_assert_response (me, 200, NULL);
  replay = pd_token_code (client, code1, req1->redirect_uri, req1->verifier);
  pd_assert_response (replay, 400, "invalid_grant");
  me_after = pd_client_get (client, "/api/v1/me", access);
  g_assert_cmpuint (me_after->status, ==, 401);
  refresh_after = pd_token_refresh (client, refresh);
  pd_assert_response (refresh_after, 400, "invalid_grant");

  late = pd_token_code (client, code2, req2->redirect_uri, req2->verifier);
  pd_assert_response (late, 400, "invalid_grant");
  submit = pd_browser_submit (client, page, NULL, "prune@example.com", "P", FALSE, "continue");
  g_assert_cmpuint (submit->status, ==, 400);

  /* the revoked family goes now, its code with it; a replay is still refused */
  pruned_again = pd_server_prune (server);
  g_assert_cmpint (pd_prune_count (pruned_again, "token_families"), ==, 1);
  replay_again = pd_token_code (client, code1, req1->redirect_uri, req1->verifier);
  pd_assert_response (replay_again, 400, "invalid_grant");
}

/* Pruning keeps a live session: its expired access token goes, its refresh
 * token still works, and a retired refresh token presented again still
 * ends the session (section 3). */
static void
test_prune_keeps_sessions (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(JsonObject) t0 = pd_social_tokens (server, "google", "live@example.com", "L", FALSE);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) expired = NULL;
  g_autoptr(PdResponse) t1 = NULL;
  g_autoptr(PdResponse) me = NULL;
  g_autoptr(PdResponse) reuse = NULL;
  g_autoptr(PdResponse) t1_after = NULL;
  g_autoptr(JsonObject) pruned = NULL;

  /* past the access token's 15 minutes */
  pd_server_advance_clock (server, 1000);
  pruned = pd_server_prune (server);
  g_assert_cmpint (pd_prune_count (pruned, "access_tokens"), ==, 1);
  g_assert_cmpint (pd_prune_count (pruned, "token_families"), ==, 0);

  expired = pd_client_get (client, "/api/v1/me", json_object_get_string_member (t0, "access_token"));
  g_assert_cmpuint (expired->status, ==, 401);
  t1 = pd_token_refresh (client, json_object_get_string_member (t0, "refresh_token"));
  pd_assert_response (t1, 200, NULL);
  me = pd_client_get (client, "/api/v1/me", pd_response_string (t1, "access_token"));
  pd_assert_response (me, 200, NULL);

  g_clear_pointer (&pruned, json_object_unref);
  pruned = pd_server_prune (server);
  g_assert_cmpint (pd_prune_count (pruned, "token_families"), ==, 0);
  reuse = pd_token_refresh (client, json_object_get_string_member (t0, "refresh_token"));
  pd_assert_response (reuse, 400, "invalid_grant");
  t1_after = pd_token_refresh (client, pd_response_string (t1, "refresh_token"));
  pd_assert_response (t1_after, 400, "invalid_grant");
}

/* --------------------------------------------------------------- */
/* id_token                                                         */
/* --------------------------------------------------------------- */

static JsonObject *
jwt_header (const char *jwt)
{
  g_auto(GStrv) parts = g_strsplit (jwt, ".", -1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree guchar *raw = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  raw = pd_base64url_decode (parts[0], &len);
  g_assert_nonnull (raw);
  text = g_strndup ((const char *) raw, len);
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

#ifdef HAVE_LIBCRYPTO
static gboolean
rs256_verify (const char *jwt,
              const char *n_b64,
              const char *e_b64)
{
  const char *dot = strrchr (jwt, '.');
  g_autofree guchar *n = NULL;
  g_autofree guchar *e = NULL;
  g_autofree guchar *sig = NULL;
  gsize n_len = 0, e_len = 0, sig_len = 0;
  OSSL_PARAM_BLD *bld;
  OSSL_PARAM *params;
  BIGNUM *bn_n, *bn_e;
  EVP_PKEY_CTX *ctx;
  EVP_PKEY *pkey = NULL;
  EVP_MD_CTX *md;
  int ok;

  n = pd_base64url_decode (n_b64, &n_len);
  e = pd_base64url_decode (e_b64, &e_len);
  sig = pd_base64url_decode (dot + 1, &sig_len);
  g_assert_nonnull (n);
  g_assert_nonnull (e);
  g_assert_nonnull (sig);

  bn_n = BN_bin2bn (n, n_len, NULL);
  bn_e = BN_bin2bn (e, e_len, NULL);
  bld = OSSL_PARAM_BLD_new ();
  OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_N, bn_n);
  OSSL_PARAM_BLD_push_BN (bld, OSSL_PKEY_PARAM_RSA_E, bn_e);
  params = OSSL_PARAM_BLD_to_param (bld);
  ctx = EVP_PKEY_CTX_new_from_name (NULL, "RSA", NULL);
  g_assert_cmpint (EVP_PKEY_fromdata_init (ctx), ==, 1);
  g_assert_cmpint (EVP_PKEY_fromdata (ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params), ==, 1);

  md = EVP_MD_CTX_new ();
  g_assert_cmpint (EVP_DigestVerifyInit (md, NULL, EVP_sha256 (), NULL, pkey), ==, 1);
  ok = EVP_DigestVerify (md, sig, sig_len, (const guchar *) jwt, dot - jwt);

  EVP_MD_CTX_free (md);
  EVP_PKEY_free (pkey);
  EVP_PKEY_CTX_free (ctx);
  OSSL_PARAM_free (params);
  OSSL_PARAM_BLD_free (bld);
  BN_free (bn_n);
  BN_free (bn_e);
  return ok == 1;
}
#endif

static void
test_id_token (void)
{
  g_autoptr(PdAuthRequest) req = NULL;
  g_autofree char *code = pd_browser_social_sign_in (shared, "google", "Claims@Example.com", "Claire Claims", TRUE, &req);
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) tokens = pd_token_code (client, code, req->redirect_uri, req->verifier);
  g_autoptr(PdResponse) info = NULL;
  g_autoptr(PdResponse) jwks = NULL;
  g_autoptr(JsonObject) claims = NULL;
  g_autoptr(JsonObject) header = NULL;
  JsonObject *object;
  JsonNode *aud;
  const char *id_token;
  const char *kid;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean key_found = FALSE;

  pd_assert_response (tokens, 200, NULL);
  object = pd_response_object (tokens);
  g_assert_cmpint (g_ascii_strcasecmp (pd_response_string (tokens, "token_type"), "Bearer"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (object, "expires_in"), >, 0);
  g_assert_cmpint (json_object_get_int_member (object, "expires_in"), <=, 900);
  g_assert_nonnull (strstr (pd_response_string (tokens, "scope"), "openid"));
  /* RFC 6749 §5.1 */
  g_assert_nonnull (pd_response_header (tokens, "Cache-Control"));
  g_assert_nonnull (strstr (pd_response_header (tokens, "Cache-Control"), "no-store"));
  /* 32 random bytes in base64url */
  g_assert_cmpuint (strlen (pd_response_string (tokens, "access_token")), >=, 43);
  g_assert_cmpuint (strlen (pd_response_string (tokens, "refresh_token")), >=, 43);
  g_assert_cmpstr (pd_response_string (tokens, "access_token"), !=, pd_response_string (tokens, "refresh_token"));

  id_token = pd_response_string (tokens, "id_token");
  g_assert_nonnull (id_token);
  header = jwt_header (id_token);
  g_assert_cmpstr (json_object_get_string_member_with_default (header, "alg", NULL), ==, "RS256");
  kid = json_object_get_string_member_with_default (header, "kid", NULL);
  g_assert_nonnull (kid);

  claims = pd_jwt_payload (id_token);
  g_assert_cmpstr (json_object_get_string_member_with_default (claims, "iss", NULL), ==, shared->url);
  g_assert_nonnull (json_object_get_string_member_with_default (claims, "sub", NULL));
  aud = json_object_get_member (claims, "aud");
  g_assert_nonnull (aud);
  if (JSON_NODE_HOLDS_ARRAY (aud))
    {
      JsonArray *list = json_node_get_array (aud);

      g_assert_cmpuint (json_array_get_length (list), ==, 1);
      g_assert_cmpstr (json_array_get_string_element (list, 0), ==, PD_CLIENT_ID);
    }
  else
    g_assert_cmpstr (json_node_get_string (aud), ==, PD_CLIENT_ID);
  g_assert_cmpint (json_object_get_int_member (claims, "iat"), >=, now - 60);
  g_assert_cmpint (json_object_get_int_member (claims, "iat"), <=, now + 60);
  g_assert_cmpint (json_object_get_int_member (claims, "exp"), >, json_object_get_int_member (claims, "iat"));
  g_assert_cmpstr (json_object_get_string_member_with_default (claims, "nonce", NULL), ==, req->nonce);
  /* no e-mail is bound yet: the claim may be left out (OIDC §5.1) */
  if (json_object_has_member (claims, "email") && !json_object_get_null_member (claims, "email"))
    g_assert_cmpint (json_node_get_value_type (json_object_get_member (claims, "email")), ==, G_TYPE_STRING);
  if (json_object_has_member (claims, "email_verified"))
    g_assert_cmpint (json_node_get_value_type (json_object_get_member (claims, "email_verified")), ==, G_TYPE_BOOLEAN);

  /* userinfo agrees on sub */
  info = pd_client_get (client, "/oauth/userinfo", pd_response_string (tokens, "access_token"));
  pd_assert_response (info, 200, NULL);
  g_assert_cmpstr (pd_response_string (info, "sub"), ==, json_object_get_string_member (claims, "sub"));
  g_assert_cmpstr (pd_response_string (info, "name"), ==, "Claire Claims");
  g_assert_true (json_object_has_member (pd_response_object (info), "email_verified"));

  /* the signature checks out with the published key */
  jwks = pd_client_get (client, "/oauth/jwks", NULL);
  pd_assert_response (jwks, 200, NULL);
  {
    JsonArray *keys = json_object_get_array_member (pd_response_object (jwks), "keys");

    for (guint i = 0; i < json_array_get_length (keys); i++)
      {
        JsonObject *key = json_array_get_object_element (keys, i);

        if (g_strcmp0 (json_object_get_string_member_with_default (key, "kid", NULL), kid) != 0)
          continue;
        key_found = TRUE;
#ifdef HAVE_LIBCRYPTO
        {
          const char *n = json_object_get_string_member (key, "n");
          const char *e = json_object_get_string_member (key, "e");
          g_autofree char *tampered = g_strdup (id_token);
          char *payload = strchr (tampered, '.') + 1;

          g_assert_true (rs256_verify (id_token, n, e));
          /* flip one character of the payload: the signature fails */
          payload[2] = payload[2] == 'A' ? 'B' : 'A';
          g_assert_false (rs256_verify (tampered, n, e));
        }
#endif
      }
  }
  g_assert_true (key_found);
}

static void
test_same_identity_same_account (void)
{
  g_autoptr(JsonObject) t1 = pd_social_tokens (shared, "yandex", "same@example.com", "Same", FALSE);
  g_autoptr(JsonObject) t2 = pd_social_tokens (shared, "yandex", "SAME@example.com", "Same", FALSE);
  g_autoptr(JsonObject) t3 = pd_social_tokens (shared, "google", "same@example.com", "Same", FALSE);
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) me1 = pd_client_get (client, "/api/v1/me", json_object_get_string_member (t1, "access_token"));
  g_autoptr(PdResponse) me2 = pd_client_get (client, "/api/v1/me", json_object_get_string_member (t2, "access_token"));
  g_autoptr(PdResponse) me3 = pd_client_get (client, "/api/v1/me", json_object_get_string_member (t3, "access_token"));

  pd_assert_response (me1, 200, NULL);
  pd_assert_response (me2, 200, NULL);
  pd_assert_response (me3, 200, NULL);
  /* same provider + e-mail: the same identity and account */
  g_assert_cmpstr (pd_response_string (me1, "id"), ==, pd_response_string (me2, "id"));
  /* another provider is another identity, hence a new account */
  g_assert_cmpstr (pd_response_string (me1, "id"), !=, pd_response_string (me3, "id"));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  shared = pd_server_start (NULL);

  g_test_add_func ("/authorize/bad-client", test_bad_client);
  g_test_add_func ("/authorize/bad-redirect", test_bad_redirect);
  g_test_add_func ("/authorize/pkce-required", test_pkce_required);
  g_test_add_func ("/authorize/response-type", test_response_type);
  g_test_add_func ("/authorize/max-age", test_max_age);
  g_test_add_func ("/authorize/any-loopback-port", test_any_loopback_port);
  g_test_add_func ("/authorize/ipv6-loopback", test_ipv6_loopback);
  g_test_add_func ("/authorize/cancel", test_cancel);
  g_test_add_func ("/authorize/csrf", test_csrf);
  g_test_add_func ("/authorize/flow-expired", test_flow_expired);
  g_test_add_func ("/authorize/provider-choice", test_provider_choice);
  g_test_add_func ("/authorize/html-escaped", test_html_escaped);
  g_test_add_func ("/authorize/same-identity", test_same_identity_same_account);
  g_test_add_func ("/code/single-use", test_code_single_use);
  g_test_add_func ("/code/wrong-verifier", test_code_wrong_verifier);
  g_test_add_func ("/code/wrong-redirect", test_code_wrong_redirect);
  g_test_add_func ("/code/other-client", test_code_other_client);
  g_test_add_func ("/code/garbage", test_code_garbage);
  g_test_add_func ("/code/id-token", test_id_token);
  g_test_add_func ("/code/expired", test_code_expired);
  g_test_add_func ("/code/reuse-after-prune", test_code_reuse_after_prune);
  g_test_add_func ("/code/prune-keeps-sessions", test_prune_keeps_sessions);

  ret = g_test_run ();
  pd_server_stop (shared);
  pd_server_free (shared);
  return ret;
}
