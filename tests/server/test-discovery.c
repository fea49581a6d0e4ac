// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: the discovery document, the provider list and icons, the
 * terms in English and Russian, the JWKS. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "pd-test-server.h"

static PdServer *shared;

static gboolean
array_has_string (JsonArray  *array,
                  const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
          g_strcmp0 (json_node_get_string (node), value) == 0)
        return TRUE;
    }
  return FALSE;
}

static JsonArray *
array_member (JsonObject *object,
              const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    g_error ("%s is not an array", member);
  return json_node_get_array (node);
}

static void
assert_string_member (JsonObject *object,
                      const char *member,
                      const char *expected)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    g_error ("%s is missing or not a string", member);
  g_assert_cmpstr (json_node_get_string (node), ==, expected);
}

static void
check_discovery (PdServer   *server,
                 const char *public_url)
{
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) r = pd_client_get (client, "/.well-known/openid-configuration", NULL);
  JsonObject *doc;
  JsonArray *array;
  JsonNode *node;
  g_autofree char *authorize = g_strconcat (public_url, "/oauth/authorize", NULL);
  g_autofree char *token = g_strconcat (public_url, "/oauth/token", NULL);
  g_autofree char *revoke = g_strconcat (public_url, "/oauth/revoke", NULL);
  g_autofree char *userinfo = g_strconcat (public_url, "/oauth/userinfo", NULL);
  g_autofree char *jwks = g_strconcat (public_url, "/oauth/jwks", NULL);
  g_autofree char *api = g_strconcat (public_url, "/api/v1", NULL);

  pd_assert_response (r, 200, NULL);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "application/json");
  doc = pd_response_object (r);

  assert_string_member (doc, "issuer", public_url);
  assert_string_member (doc, "authorization_endpoint", authorize);
  assert_string_member (doc, "token_endpoint", token);
  assert_string_member (doc, "revocation_endpoint", revoke);
  assert_string_member (doc, "userinfo_endpoint", userinfo);
  assert_string_member (doc, "jwks_uri", jwks);
  assert_string_member (doc, "passport_api_endpoint", api);

  array = array_member (doc, "scopes_supported");
  g_assert_true (array_has_string (array, "openid"));
  g_assert_true (array_has_string (array, "profile"));
  g_assert_true (array_has_string (array, "email"));
  g_assert_true (array_has_string (array, "passport"));

  array = array_member (doc, "response_types_supported");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_true (array_has_string (array, "code"));

  array = array_member (doc, "grant_types_supported");
  g_assert_true (array_has_string (array, "authorization_code"));
  g_assert_true (array_has_string (array, "refresh_token"));
  g_assert_true (array_has_string (array, "password"));

  array = array_member (doc, "code_challenge_methods_supported");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_true (array_has_string (array, "S256"));

  array = array_member (doc, "token_endpoint_auth_methods_supported");
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  g_assert_true (array_has_string (array, "none"));

  node = json_object_get_member (doc, "authorization_response_iss_parameter_supported");
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_BOOLEAN);
  g_assert_true (json_node_get_boolean (node));
}

static void
test_discovery_fields (void)
{
  check_discovery (shared, shared->url);
}

static void
test_discovery_public_url (void)
{
  const char *public_url = "https://passport.example.test:8443";
  g_autoptr(PdServer) server = pd_server_start ("--public-url", public_url, NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) providers = NULL;
  g_autoptr(PdResponse) terms = NULL;
  g_autoptr(PdAuthRequest) request = pd_auth_request_new ();
  g_autoptr(PdSocialPage) page = NULL;
  g_autoptr(PdResponse) done = NULL;
  g_autofree char *url = NULL;
  g_autofree char *iss = NULL;
  JsonArray *list;
  guint icons = 0;

  check_discovery (server, public_url);

  /* icons are published under the public URL */
  providers = pd_client_get (client, "/api/v1/providers", NULL);
  pd_assert_response (providers, 200, NULL);
  list = array_member (pd_response_object (providers), "providers");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *p = json_array_get_object_element (list, i);
      const char *icon = json_object_get_string_member_with_default (p, "icon_url", NULL);

      if (icon != NULL)
        {
          g_assert_true (g_str_has_prefix (icon, public_url));
          icons++;
        }
    }
  g_assert_cmpuint (icons, >, 0);

  /* the iss of the redirect is the public issuer too */
  url = pd_auth_request_url (server, request, "google");
  page = pd_browser_open (client, url);
  done = pd_browser_submit (client, page, NULL, "public@example.com", "Pub Lic", FALSE, "continue");
  pd_assert_response (done, 302, NULL);
  iss = pd_location_param (done, "iss");
  g_assert_cmpstr (iss, ==, public_url);

  pd_server_stop (server);
}

static void
test_providers_default (void)
{
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) r = pd_client_get (client, "/api/v1/providers", NULL);
  const char *ids[] = { "google", "vk", "yandex" };
  const char *names[] = { "Google", "VK", "Yandex" };
  JsonArray *list;
  guint icons = 0;

  pd_assert_response (r, 200, NULL);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "application/json");
  list = array_member (pd_response_object (r), "providers");
  g_assert_cmpuint (json_array_get_length (list), ==, 3);

  for (guint i = 0; i < 3; i++)
    {
      JsonObject *p = json_array_get_object_element (list, i);
      JsonNode *icon;

      g_assert_nonnull (p);
      assert_string_member (p, "id", ids[i]);
      assert_string_member (p, "name", names[i]);
      icon = json_object_get_member (p, "icon_url");
      g_assert_nonnull (icon); /* present, possibly null */
      if (!JSON_NODE_HOLDS_NULL (icon))
        {
          const char *url = json_node_get_string (icon);
          g_autofree char *expected = g_strdup_printf ("%s/static/providers/%s.svg", shared->url, ids[i]);
          g_autoptr(PdResponse) svg = NULL;

          g_assert_cmpstr (url, ==, expected);
          svg = pd_client_get (client, url, NULL);
          pd_assert_response (svg, 200, NULL);
          g_assert_cmpstr (soup_message_headers_get_content_type (svg->headers, NULL), ==, "image/svg+xml");
          g_assert_nonnull (strstr (svg->text, "<svg"));
          icons++;
        }
    }
  g_assert_cmpuint (icons, >, 0);
}

static void
test_providers_configured (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--provider", "acme:Acme ID",
                                                "--provider", "vk:VK:verified",
                                                NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) r = pd_client_get (client, "/api/v1/providers", NULL);
  g_autoptr(PdResponse) missing = pd_client_get (client, "/static/providers/nonexistent.svg", NULL);
  JsonArray *list;

  pd_assert_response (r, 200, NULL);
  list = array_member (pd_response_object (r), "providers");
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  assert_string_member (json_array_get_object_element (list, 0), "id", "acme");
  assert_string_member (json_array_get_object_element (list, 0), "name", "Acme ID");
  assert_string_member (json_array_get_object_element (list, 1), "id", "vk");
  assert_string_member (json_array_get_object_element (list, 1), "name", "VK");

  g_assert_cmpuint (missing->status, ==, 404);

  /* a configured provider signs in; an unconfigured one is not offered */
  {
    g_autofree char *code = pd_browser_social_sign_in (server, "acme", "acme@example.com", "A", FALSE, NULL);

    g_assert_nonnull (code);
  }
  pd_server_stop (server);
}

static void
check_terms (PdResponse *r,
             char      **out_version)
{
  JsonObject *terms;

  pd_assert_response (r, 200, NULL);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "application/json");
  terms = pd_response_object (r);
  g_assert_nonnull (pd_response_string (r, "version"));
  g_assert_cmpstr (pd_response_string (r, "version"), !=, "");
  g_assert_nonnull (pd_response_string (r, "url"));
  g_assert_true (g_str_has_prefix (pd_response_string (r, "url"), "http"));
  g_assert_nonnull (pd_response_string (r, "text"));
  g_assert_cmpuint (strlen (pd_response_string (r, "text")), >, 20);
  g_assert_true (json_object_has_member (terms, "text"));
  *out_version = g_strdup (pd_response_string (r, "version"));
}

static gboolean
has_cyrillic (const char *text)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x0400 && c <= 0x04FF)
        return TRUE;
    }
  return FALSE;
}

static void
test_terms_languages (void)
{
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) en = NULL;
  g_autoptr(PdResponse) ru = NULL;
  g_autoptr(PdResponse) ru_region = NULL;
  g_autoptr(PdResponse) de = NULL;
  g_autofree char *v_en = NULL;
  g_autofree char *v_ru = NULL;
  g_autofree char *v_ru2 = NULL;
  g_autofree char *v_de = NULL;

  en = pd_client_get (client, "/api/v1/terms", NULL);
  check_terms (en, &v_en);
  g_assert_false (has_cyrillic (pd_response_string (en, "text")));

  pd_client_set_language (client, "ru");
  ru = pd_client_get (client, "/api/v1/terms", NULL);
  check_terms (ru, &v_ru);
  g_assert_true (has_cyrillic (pd_response_string (ru, "text")));
  g_assert_cmpstr (v_ru, ==, v_en);

  pd_client_set_language (client, "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7");
  ru_region = pd_client_get (client, "/api/v1/terms", NULL);
  check_terms (ru_region, &v_ru2);
  g_assert_cmpstr (pd_response_string (ru_region, "text"), ==, pd_response_string (ru, "text"));

  pd_client_set_language (client, "de-DE,de;q=0.9");
  de = pd_client_get (client, "/api/v1/terms", NULL);
  check_terms (de, &v_de);
  g_assert_cmpstr (pd_response_string (de, "text"), ==, pd_response_string (en, "text"));
}

static void
test_jwks (void)
{
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) r = pd_client_get (client, "/oauth/jwks", NULL);
  JsonArray *keys;
  guint rsa = 0;

  pd_assert_response (r, 200, NULL);
  keys = array_member (pd_response_object (r), "keys");
  g_assert_cmpuint (json_array_get_length (keys), >, 0);
  for (guint i = 0; i < json_array_get_length (keys); i++)
    {
      JsonObject *key = json_array_get_object_element (keys, i);
      const char *kty = json_object_get_string_member_with_default (key, "kty", NULL);
      const char *kid = json_object_get_string_member_with_default (key, "kid", NULL);
      const char *n = json_object_get_string_member_with_default (key, "n", NULL);
      const char *e = json_object_get_string_member_with_default (key, "e", NULL);
      g_autofree guchar *n_bytes = NULL;
      g_autofree guchar *e_bytes = NULL;
      gsize n_len = 0, e_len = 0;

      if (g_strcmp0 (kty, "RSA") != 0)
        continue;
      rsa++;
      g_assert_nonnull (kid);
      g_assert_cmpstr (kid, !=, "");
      g_assert_nonnull (n);
      g_assert_nonnull (e);
      /* no private parts */
      g_assert_false (json_object_has_member (key, "d"));
      g_assert_false (json_object_has_member (key, "p"));
      g_assert_false (json_object_has_member (key, "q"));
      if (json_object_has_member (key, "alg"))
        g_assert_cmpstr (json_object_get_string_member (key, "alg"), ==, "RS256");
      if (json_object_has_member (key, "use"))
        g_assert_cmpstr (json_object_get_string_member (key, "use"), ==, "sig");
      n_bytes = pd_base64url_decode (n, &n_len);
      e_bytes = pd_base64url_decode (e, &e_len);
      g_assert_nonnull (n_bytes);
      g_assert_nonnull (e_bytes);
      g_assert_cmpuint (n_len, >=, 256); /* at least 2048 bits */
      g_assert_cmpuint (e_len, >, 0);
    }
  g_assert_cmpuint (rsa, >, 0);
}

static void
test_jwks_key_persists (void)
{
  /* the key is generated at first start and kept in the database */
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) first = pd_client_get (client, "/oauth/jwks", NULL);
  g_autoptr(PdResponse) second = NULL;
  g_autoptr(PdClient) client2 = NULL;
  const char *args[] = { "--database", server->database, NULL };
  g_autoptr(PdServer) again = NULL;

  pd_assert_response (first, 200, NULL);
  pd_server_stop (server);

  /* a new process on the same database */
  again = pd_server_startv (args);
  client2 = pd_client_new (again);
  second = pd_client_get (client2, "/oauth/jwks", NULL);
  pd_assert_response (second, 200, NULL);
  g_assert_cmpstr (first->text, ==, second->text);
  pd_server_stop (again);
}

static void
test_sigint (void)
{
  /* SIGINT, like SIGTERM, is a clean stop with status 0 */
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (server->process, SIGINT);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_clear_object (&server->process);
}

static void
test_unknown_path (void)
{
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) r = pd_client_get (client, "/no/such/thing", NULL);

  g_assert_cmpuint (r->status, ==, 404);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  shared = pd_server_start (NULL);

  g_test_add_func ("/discovery/fields", test_discovery_fields);
  g_test_add_func ("/discovery/public-url", test_discovery_public_url);
  g_test_add_func ("/discovery/providers/default", test_providers_default);
  g_test_add_func ("/discovery/providers/configured", test_providers_configured);
  g_test_add_func ("/discovery/terms/languages", test_terms_languages);
  g_test_add_func ("/discovery/jwks", test_jwks);
  g_test_add_func ("/discovery/jwks/persists", test_jwks_key_persists);
  g_test_add_func ("/discovery/unknown-path", test_unknown_path);
  g_test_add_func ("/discovery/sigint", test_sigint);

  ret = g_test_run ();
  pd_server_stop (shared);
  pd_server_free (shared);
  return ret;
}
