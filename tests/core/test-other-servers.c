/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client against servers that are not passportd: a plain OpenID
 * provider without the account API, and a server answering garbage
 * (malformed or mistyped JSON, huge bodies, slow answers, wrong id_tokens).
 * Both are real HTTP servers (SoupServer on loopback) inside the test:
 * passportd cannot be made to misbehave like this. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "passport-core.h"
#include "passport-pkce.h"
#include "core-test-util.h"
#include "fake-oidc.h"

static PassportServer *
discover (const char  *url,
          GError     **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  passport_server_discover_async (url, NULL, core_test_result_cb, &res);
  return passport_server_discover_finish (core_test_await (&res), error);
}

static PassportSession *
password_sign_in (PassportServer  *server,
                  GError         **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  passport_session_sign_in_with_password_async (server, "plain@example.com", "secret-password",
                                                NULL, core_test_result_cb, &res);
  return passport_session_sign_in_with_password_finish (core_test_await (&res), error);
}

/* A plain OpenID provider */

static void
test_plain_oidc (void)
{
  g_autoptr(Fake) fake = fake_new (FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) server = discover (fake->base, &error);
  g_autoptr(PassportSession) session = NULL;
  g_autoptr(PassportClient) client = NULL;
  g_autoptr(PassportAccount) account = NULL;

  g_assert_no_error (error);
  g_assert_false (passport_server_has_account_api (server));
  g_assert_null (passport_server_get_api_endpoint (server));
  g_assert_cmpuint (g_list_model_get_n_items (passport_server_get_providers (server)), ==, 0);

  {
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(PassportTerms) terms = NULL;

    passport_server_get_terms_async (server, NULL, core_test_result_cb, &res);
    terms = passport_server_get_terms_finish (server, core_test_await (&res), &error);
    g_assert_null (terms);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_NOT_SUPPORTED);
    g_clear_error (&error);
  }

  session = password_sign_in (server, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (passport_session_get_subject (session), ==, "plain-user");
  g_assert_cmpstr (passport_session_get_email (session), ==, "plain@example.com");

  client = passport_client_new (session);
  {
    g_autoptr(GAsyncResult) res = NULL;

    passport_client_get_userinfo_async (client, NULL, core_test_result_cb, &res);
    account = passport_client_get_userinfo_finish (client, core_test_await (&res), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (passport_account_get_id (account), ==, "plain-user");
    g_assert_cmpstr (passport_account_get_display_name (account), ==, "Plain User");
  }
  {
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(PassportAccount) me = NULL;

    passport_client_get_me_async (client, 0, 0, NULL, core_test_result_cb, &res);
    me = passport_client_get_me_finish (client, core_test_await (&res), &error);
    g_assert_null (me);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_NOT_SUPPORTED);
  }
}

/* Discovery */

static void
check_discovery (FakeAnswer *(*setup) (Fake *),
                 int      code)
{
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) server = NULL;

  setup (fake);
  server = discover (fake->base, &error);
  g_assert_null (server);
  g_assert_error (error, PASSPORT_ERROR, code);
}

#define DISCO "/.well-known/openid-configuration"

static FakeAnswer *disco_malformed (Fake *f) { return fake_set (f, DISCO, 200, "{\"issuer\": \"x\""); }
static FakeAnswer *disco_html (Fake *f)
{
  FakeAnswer *a = fake_set (f, DISCO, 200, "<html><body>Welcome</body></html>");
  a->content_type = g_strdup ("text/html");
  return a;
}
static FakeAnswer *disco_wrong_types (Fake *f)
{
  return fake_set (f, DISCO, 200, "{\"issuer\":[1],\"authorization_endpoint\":2,\"token_endpoint\":false}");
}
static FakeAnswer *disco_empty (Fake *f) { return fake_set (f, DISCO, 200, ""); }
static FakeAnswer *disco_array (Fake *f) { return fake_set (f, DISCO, 200, "[]"); }
static FakeAnswer *disco_404 (Fake *f) { return fake_set (f, DISCO, 404, "not found"); }
static FakeAnswer *disco_500 (Fake *f) { return fake_set (f, DISCO, 500, "oops"); }
static FakeAnswer *disco_huge (Fake *f)
{
  FakeAnswer *a = fake_set (f, DISCO, 200, NULL);
  a->huge = 4 * 1024 * 1024;
  return a;
}
static FakeAnswer *disco_huge_chunked (Fake *f)
{
  FakeAnswer *a = disco_huge (f);
  a->chunked = TRUE;
  return a;
}
static FakeAnswer *disco_slow (Fake *f)
{
  g_autofree char *good = fake_good_answer (f, DISCO);
  FakeAnswer *a = fake_set (f, DISCO, 200, good);
  a->delay_ms = 3000;
  return a;
}
static FakeAnswer *disco_issuer (Fake *f)
{
  return fake_set (f, DISCO, 200,
                   "{\"issuer\":\"https://passport.example\",\"authorization_endpoint\":\"https://passport.example/a\","
                   "\"token_endpoint\":\"https://passport.example/t\"}");
}
static FakeAnswer *providers_garbage (Fake *f)
{
  return fake_set (f, "/api/providers", 200, "{\"providers\":[{\"id\":\"g\",\"name\":7}]}");
}
static FakeAnswer *providers_slow (Fake *f)
{
  FakeAnswer *a = fake_set (f, "/api/providers", 200, "{\"providers\":[]}");
  a->delay_ms = 3000;
  return a;
}

static void
test_discovery_garbage (void)
{
  check_discovery (disco_malformed, PASSPORT_ERROR_BAD_RESPONSE);
  check_discovery (disco_html, PASSPORT_ERROR_BAD_RESPONSE);
  check_discovery (disco_wrong_types, PASSPORT_ERROR_BAD_RESPONSE);
  check_discovery (disco_empty, PASSPORT_ERROR_BAD_RESPONSE);
  check_discovery (disco_array, PASSPORT_ERROR_BAD_RESPONSE);
  check_discovery (disco_404, PASSPORT_ERROR_NOT_A_PASSPORT_SERVER);
  check_discovery (disco_500, PASSPORT_ERROR_SERVER_ERROR);
  check_discovery (disco_huge, PASSPORT_ERROR_BAD_RESPONSE);
  check_discovery (disco_huge_chunked, PASSPORT_ERROR_BAD_RESPONSE);
  check_discovery (disco_slow, PASSPORT_ERROR_TIMEOUT);
  check_discovery (disco_issuer, PASSPORT_ERROR_ISSUER_MISMATCH);
  check_discovery (providers_garbage, PASSPORT_ERROR_BAD_RESPONSE);
  check_discovery (providers_slow, PASSPORT_ERROR_TIMEOUT);
}

static void
test_discovery_refused_urls (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) server = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  guint16 port;
  g_autofree char *closed = NULL;

  /* Refused before any traffic. */
  server = discover ("http://passport.example", &error);
  g_assert_null (server);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INSECURE_URL);
  g_clear_error (&error);

  /* A port nobody listens on: bind one, close it, try it. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);
  closed = g_strdup_printf ("http://127.0.0.1:%u", port);
  server = discover (closed, &error);
  g_assert_null (server);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_UNREACHABLE);
}

static void
test_discovery_retry_after (void)
{
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) server = NULL;
  FakeAnswer *a = fake_set (fake, DISCO, 503, "{\"error\":\"server_error\"}");

  a->retry_after = g_strdup ("30");
  server = discover (fake->base, &error);
  g_assert_null (server);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_SERVER_ERROR);
  g_assert_cmpuint (passport_error_get_retry_after (error), ==, 30);
}

/* Tokens */

static void
check_token (Fake       *fake,
             int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) server = discover (fake->base, &error);
  g_autoptr(PassportSession) session = NULL;

  g_assert_no_error (error);
  session = password_sign_in (server, &error);
  g_assert_null (session);
  g_assert_error (error, PASSPORT_ERROR, code);
}

static void
test_token_garbage (void)
{
  const struct { int status; const char *body; int code; } cases[] = {
    { 200, "{\"access_token\":\"a\"", PASSPORT_ERROR_BAD_RESPONSE },
    { 200, "{\"access_token\":1,\"token_type\":\"Bearer\",\"expires_in\":1}", PASSPORT_ERROR_BAD_RESPONSE },
    { 200, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":\"soon\"}", PASSPORT_ERROR_BAD_RESPONSE },
    { 200, "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":60,\"id_token\":\"x.y.z\"}", PASSPORT_ERROR_INVALID_ID_TOKEN },
    { 200, "", PASSPORT_ERROR_BAD_RESPONSE },
    { 400, "{\"error\":\"invalid_grant\",\"error_description\":\"bad\"}", PASSPORT_ERROR_INVALID_GRANT },
    { 400, "{\"error\":\"unauthorized_client\"}", PASSPORT_ERROR_UNAUTHORIZED_CLIENT },
    { 502, "<html>bad gateway</html>", PASSPORT_ERROR_SERVER_ERROR },
  };

  /* A redirect of the token request is not followed (it would carry the
   * password along). */
  {
    g_autoptr(Fake) fake = fake_new (TRUE);
    g_autoptr(Fake) elsewhere = fake_new (TRUE);
    g_autofree char *target = g_strconcat (elsewhere->base, "/token", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(PassportServer) server = discover (fake->base, &error);
    g_autoptr(PassportSession) session = NULL;
    FakeAnswer *a = fake_set (fake, "/token", 307, NULL);

    a->location = g_strdup (target);
    session = password_sign_in (server, &error);
    g_assert_null (session);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
    g_assert_null (elsewhere->access_token);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Fake) fake = fake_new (TRUE);

      fake_set (fake, "/token", cases[i].status, cases[i].body);
      check_token (fake, cases[i].code);
    }

  {
    g_autoptr(Fake) fake = fake_new (TRUE);
    FakeAnswer *a = fake_set (fake, "/token", 429, "{\"error\":\"too_many_requests\"}");

    a->retry_after = g_strdup ("120");
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PassportServer) server = discover (fake->base, &error);
      g_autoptr(PassportSession) session = password_sign_in (server, &error);

      g_assert_null (session);
      g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS);
      g_assert_cmpuint (passport_error_get_retry_after (error), ==, 120);
    }
  }
}

static void
test_id_token_checks (void)
{
  {
    g_autoptr(Fake) fake = fake_new (TRUE);

    fake->token_aud = g_strdup ("someone-else");
    check_token (fake, PASSPORT_ERROR_INVALID_ID_TOKEN);
  }
  {
    g_autoptr(Fake) fake = fake_new (TRUE);

    fake->token_iss = g_strdup ("https://evil.example");
    check_token (fake, PASSPORT_ERROR_INVALID_ID_TOKEN);
  }
  {
    g_autoptr(Fake) fake = fake_new (TRUE);

    fake->token_without_id = TRUE;
    check_token (fake, PASSPORT_ERROR_INVALID_ID_TOKEN);
  }
}

/* Account API */

static void
check_me (FakeAnswer *(*setup) (Fake *),
          int      code)
{
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) server = discover (fake->base, &error);
  g_autoptr(PassportSession) session = password_sign_in (server, &error);
  g_autoptr(PassportClient) client = NULL;
  g_autoptr(PassportAccount) account = NULL;
  g_autoptr(GAsyncResult) res = NULL;

  g_assert_no_error (error);
  setup (fake);
  client = passport_client_new (session);
  passport_client_get_me_async (client, 0, 0, NULL, core_test_result_cb, &res);
  account = passport_client_get_me_finish (client, core_test_await (&res), &error);
  g_assert_null (account);
  g_assert_error (error, PASSPORT_ERROR, code);
}

static FakeAnswer *me_malformed (Fake *f) { return fake_set (f, "/api/me", 200, "{\"id\":"); }
static FakeAnswer *me_wrong_types (Fake *f)
{
  return fake_set (f, "/api/me", 200,
                   "{\"id\":\"acc\",\"display_name\":\"A\",\"email\":null,\"email_verified\":\"false\","
                   "\"pending_email\":null,\"has_password\":false,\"terms\":{\"accepted\":true},"
                   "\"identities\":[],\"revision\":1}");
}
static FakeAnswer *me_huge (Fake *f)
{
  FakeAnswer *a = fake_set (f, "/api/me", 200, NULL);
  a->huge = 2 * 1024 * 1024;
  a->chunked = TRUE;
  return a;
}
static FakeAnswer *me_slow (Fake *f)
{
  g_autofree char *good = fake_good_answer (f, "/api/me");
  FakeAnswer *a = fake_set (f, "/api/me", 200, good);
  a->delay_ms = 3000;
  return a;
}
static FakeAnswer *me_no_body (Fake *f) { return fake_set (f, "/api/me", 200, NULL); }
static FakeAnswer *me_401 (Fake *f) { return fake_set (f, "/api/me", 401, "{\"error\":\"invalid_token\"}"); }

static void
test_me_garbage (void)
{
  check_me (me_malformed, PASSPORT_ERROR_BAD_RESPONSE);
  check_me (me_wrong_types, PASSPORT_ERROR_BAD_RESPONSE);
  check_me (me_huge, PASSPORT_ERROR_BAD_RESPONSE);
  check_me (me_slow, PASSPORT_ERROR_TIMEOUT);
  check_me (me_no_body, PASSPORT_ERROR_BAD_RESPONSE);
  /* Still 401 after the one forced refresh. */
  check_me (me_401, PASSPORT_ERROR_INVALID_TOKEN);
}

/* TLS: a server with a certificate nobody vouches for is refused, with
 * its own error, not treated like a network failure or let through. */
static void
test_tls_untrusted (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("passport-tls-XXXXXX", &error);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autoptr(GSubprocess) openssl = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SoupServer) https = NULL;
  g_autoptr(PassportServer) server = NULL;
  g_autofree char *url = NULL;
  GSList *uris;

  /* A build without a TLS backend (glib-networking), such as the Windows
   * cross-build, cannot speak https at all. */
  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no TLS backend");
      g_rmdir (dir);
      return;
    }
  g_assert_no_error (error);
  openssl = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              &error, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                              "-keyout", key, "-out", cert, "-days", "1",
                              "-subj", "/CN=127.0.0.1", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (openssl, NULL, &error));
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);

  https = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_listen_local (https, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (https);
  url = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  server = discover (url, &error);
  g_assert_null (server);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_TLS);

  soup_server_disconnect (https);
  g_unlink (key);
  g_unlink (cert);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  /* Slow answers take 3 s; the client gives up after 1. */
  g_setenv ("PASSPORT_HTTP_TIMEOUT", "1", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/other/plain-oidc", test_plain_oidc);
  g_test_add_func ("/other/discovery/garbage", test_discovery_garbage);
  g_test_add_func ("/other/discovery/refused-urls", test_discovery_refused_urls);
  g_test_add_func ("/other/discovery/retry-after", test_discovery_retry_after);
  g_test_add_func ("/other/token/garbage", test_token_garbage);
  g_test_add_func ("/other/token/id-token", test_id_token_checks);
  g_test_add_func ("/other/me/garbage", test_me_garbage);
  g_test_add_func ("/other/tls-untrusted", test_tls_untrusted);

  return g_test_run ();
}
