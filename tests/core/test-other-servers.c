/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client against servers that are not passportd: a plain OpenID
 * provider without the account API, and a server answering garbage
 * (malformed or mistyped JSON, huge bodies, slow answers, wrong id_tokens).
 * Both are real HTTP servers (SoupServer on loopback) inside the test:
 * passportd cannot be made to misbehave like this. */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "passport-core.h"
#include "passport-pkce.h"
#include "core-test-util.h"

typedef struct
{
  int status;
  char *content_type;
  char *body;
  gsize huge;          /* send this many bytes of padding instead of @body */
  gboolean chunked;
  guint delay_ms;
  char *retry_after;
} Answer;

typedef struct
{
  SoupServer *server;
  char *base;
  gboolean with_api;
  GHashTable *answers;   /* path → Answer, overriding the good answers */
  char *token_aud;
  char *token_iss;
  gboolean token_without_id;
} Fake;

static void
answer_free (Answer *a)
{
  g_free (a->content_type);
  g_free (a->body);
  g_free (a->retry_after);
  g_free (a);
}

static gboolean
unpause_cb (gpointer data)
{
  g_object_set_data (data, "unpause-source", NULL);
  soup_server_message_unpause (data);
  return G_SOURCE_REMOVE;
}

static void
slow_finished_cb (SoupServerMessage *msg,
                  gpointer           data)
{
  /* The client gave up and hung up: nothing left to unpause. */
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (msg), "unpause-source"));

  if (id != 0)
    g_source_remove (id);
  g_object_set_data (G_OBJECT (msg), "unpause-source", NULL);
}

static char *
b64 (const char *text)
{
  return passport_base64url_encode ((const guint8 *) text, strlen (text));
}

static char *
make_token_answer (Fake *fake)
{
  g_autofree char *header = b64 ("{\"alg\":\"RS256\",\"kid\":\"test\"}");
  g_autofree char *claims = g_strdup_printf ("{\"iss\":\"%s\",\"sub\":\"plain-user\",\"aud\":\"%s\","
                                             "\"exp\":%" G_GINT64_FORMAT ",\"iat\":%" G_GINT64_FORMAT ","
                                             "\"email\":\"plain@example.com\"}",
                                             fake->token_iss ? fake->token_iss : fake->base,
                                             fake->token_aud ? fake->token_aud : "passport-desktop",
                                             g_get_real_time () / G_USEC_PER_SEC + 300,
                                             g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *payload = b64 (claims);

  if (fake->token_without_id)
    return g_strdup ("{\"access_token\":\"plain-at\",\"token_type\":\"Bearer\",\"expires_in\":300,"
                     "\"refresh_token\":\"plain-rt\"}");
  return g_strdup_printf ("{\"access_token\":\"plain-at\",\"token_type\":\"Bearer\",\"expires_in\":300,"
                          "\"refresh_token\":\"plain-rt\",\"scope\":\"openid\","
                          "\"id_token\":\"%s.%s.c2ln\"}", header, payload);
}

static char *
good_answer (Fake       *fake,
             const char *path)
{
  if (g_str_equal (path, "/.well-known/openid-configuration"))
    {
      g_autofree char *api = fake->with_api
        ? g_strdup_printf (",\"passport_api_endpoint\":\"%s/api\"", fake->base) : g_strdup ("");

      return g_strdup_printf ("{\"issuer\":\"%s\",\"authorization_endpoint\":\"%s/authorize\","
                              "\"token_endpoint\":\"%s/token\",\"userinfo_endpoint\":\"%s/userinfo\","
                              "\"jwks_uri\":\"%s/jwks\",\"response_types_supported\":[\"code\"],"
                              "\"code_challenge_methods_supported\":[\"S256\"]%s}",
                              fake->base, fake->base, fake->base, fake->base, fake->base, api);
    }
  if (g_str_equal (path, "/api/providers"))
    return g_strdup ("{\"providers\":[{\"id\":\"google\",\"name\":\"Google\",\"icon_url\":null}]}");
  if (g_str_equal (path, "/api/terms"))
    return g_strdup ("{\"version\":\"1\",\"url\":null,\"text\":\"Terms\"}");
  if (g_str_equal (path, "/token"))
    return make_token_answer (fake);
  if (g_str_equal (path, "/userinfo"))
    return g_strdup ("{\"sub\":\"plain-user\",\"name\":\"Plain User\",\"email\":\"plain@example.com\","
                     "\"email_verified\":true}");
  if (g_str_equal (path, "/api/me"))
    return g_strdup ("{\"id\":\"acc\",\"display_name\":\"A\",\"email\":null,\"email_verified\":false,"
                     "\"pending_email\":null,\"has_password\":false,\"terms\":{\"accepted\":true,"
                     "\"version\":\"1\"},\"identities\":[],\"revision\":1}");
  return NULL;
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  Fake *fake = data;
  Answer *answer = g_hash_table_lookup (fake->answers, path);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *good = NULL;

  if (answer == NULL)
    {
      good = good_answer (fake, path);
      if (good == NULL)
        {
          soup_server_message_set_status (msg, 404, NULL);
          return;
        }
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        good, strlen (good));
      return;
    }

  soup_server_message_set_status (msg, answer->status, NULL);
  if (answer->retry_after != NULL)
    soup_message_headers_replace (headers, "Retry-After", answer->retry_after);

  if (answer->huge > 0)
    {
      SoupMessageBody *body = soup_server_message_get_response_body (msg);
      g_autofree char *chunk = g_malloc (65536);

      memset (chunk, ' ', 65536);
      if (answer->chunked)
        soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_replace (headers, "Content-Type", "application/json");
      soup_message_body_append (body, SOUP_MEMORY_COPY, "{\"a\":\"", 6);
      for (gsize sent = 0; sent < answer->huge; sent += 65536)
        soup_message_body_append (body, SOUP_MEMORY_COPY, chunk, 65536);
      soup_message_body_append (body, SOUP_MEMORY_COPY, "\"}", 2);
      soup_message_body_complete (body);
    }
  else if (answer->body != NULL)
    soup_server_message_set_response (msg, answer->content_type ? answer->content_type
                                                                 : "application/json",
                                      SOUP_MEMORY_COPY, answer->body, strlen (answer->body));

  if (answer->delay_ms > 0)
    {
      guint id;

      soup_server_message_pause (msg);
      id = g_timeout_add_full (G_PRIORITY_DEFAULT, answer->delay_ms, unpause_cb,
                               g_object_ref (msg), g_object_unref);
      g_object_set_data (G_OBJECT (msg), "unpause-source", GUINT_TO_POINTER (id));
      g_signal_connect (msg, "finished", G_CALLBACK (slow_finished_cb), NULL);
      g_signal_connect (msg, "disconnected", G_CALLBACK (slow_finished_cb), NULL);
    }
}

static Fake *
fake_new (gboolean with_api)
{
  Fake *fake = g_new0 (Fake, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake->with_api = with_api;
  fake->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) answer_free);
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, handler, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake->server);
  fake->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return fake;
}

static void
fake_free (Fake *fake)
{
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  g_hash_table_unref (fake->answers);
  g_free (fake->base);
  g_free (fake->token_aud);
  g_free (fake->token_iss);
  g_free (fake);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fake, fake_free)

static Answer *
fake_set (Fake       *fake,
          const char *path,
          int         status,
          const char *body)
{
  Answer *answer = g_new0 (Answer, 1);

  answer->status = status;
  answer->body = g_strdup (body);
  g_hash_table_replace (fake->answers, g_strdup (path), answer);
  return answer;
}

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
check_discovery (Answer *(*setup) (Fake *),
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

static Answer *disco_malformed (Fake *f) { return fake_set (f, DISCO, 200, "{\"issuer\": \"x\""); }
static Answer *disco_html (Fake *f)
{
  Answer *a = fake_set (f, DISCO, 200, "<html><body>Welcome</body></html>");
  a->content_type = g_strdup ("text/html");
  return a;
}
static Answer *disco_wrong_types (Fake *f)
{
  return fake_set (f, DISCO, 200, "{\"issuer\":[1],\"authorization_endpoint\":2,\"token_endpoint\":false}");
}
static Answer *disco_empty (Fake *f) { return fake_set (f, DISCO, 200, ""); }
static Answer *disco_array (Fake *f) { return fake_set (f, DISCO, 200, "[]"); }
static Answer *disco_404 (Fake *f) { return fake_set (f, DISCO, 404, "not found"); }
static Answer *disco_500 (Fake *f) { return fake_set (f, DISCO, 500, "oops"); }
static Answer *disco_huge (Fake *f)
{
  Answer *a = fake_set (f, DISCO, 200, NULL);
  a->huge = 4 * 1024 * 1024;
  return a;
}
static Answer *disco_huge_chunked (Fake *f)
{
  Answer *a = disco_huge (f);
  a->chunked = TRUE;
  return a;
}
static Answer *disco_slow (Fake *f)
{
  g_autofree char *good = good_answer (f, DISCO);
  Answer *a = fake_set (f, DISCO, 200, good);
  a->delay_ms = 3000;
  return a;
}
static Answer *disco_issuer (Fake *f)
{
  return fake_set (f, DISCO, 200,
                   "{\"issuer\":\"https://passport.example\",\"authorization_endpoint\":\"https://passport.example/a\","
                   "\"token_endpoint\":\"https://passport.example/t\"}");
}
static Answer *providers_garbage (Fake *f)
{
  return fake_set (f, "/api/providers", 200, "{\"providers\":[{\"id\":\"g\",\"name\":7}]}");
}
static Answer *providers_slow (Fake *f)
{
  Answer *a = fake_set (f, "/api/providers", 200, "{\"providers\":[]}");
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
  Answer *a = fake_set (fake, DISCO, 503, "{\"error\":\"server_error\"}");

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

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Fake) fake = fake_new (TRUE);

      fake_set (fake, "/token", cases[i].status, cases[i].body);
      check_token (fake, cases[i].code);
    }

  {
    g_autoptr(Fake) fake = fake_new (TRUE);
    Answer *a = fake_set (fake, "/token", 429, "{\"error\":\"too_many_requests\"}");

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
check_me (Answer *(*setup) (Fake *),
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

static Answer *me_malformed (Fake *f) { return fake_set (f, "/api/me", 200, "{\"id\":"); }
static Answer *me_wrong_types (Fake *f)
{
  return fake_set (f, "/api/me", 200,
                   "{\"id\":\"acc\",\"display_name\":\"A\",\"email\":null,\"email_verified\":\"false\","
                   "\"pending_email\":null,\"has_password\":false,\"terms\":{\"accepted\":true},"
                   "\"identities\":[],\"revision\":1}");
}
static Answer *me_huge (Fake *f)
{
  Answer *a = fake_set (f, "/api/me", 200, NULL);
  a->huge = 2 * 1024 * 1024;
  a->chunked = TRUE;
  return a;
}
static Answer *me_slow (Fake *f)
{
  g_autofree char *good = good_answer (f, "/api/me");
  Answer *a = fake_set (f, "/api/me", 200, good);
  a->delay_ms = 3000;
  return a;
}
static Answer *me_no_body (Fake *f) { return fake_set (f, "/api/me", 200, NULL); }
static Answer *me_401 (Fake *f) { return fake_set (f, "/api/me", 401, "{\"error\":\"invalid_token\"}"); }

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

  return g_test_run ();
}
