/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every parser of a server answer, fed good, malformed and mistyped JSON:
 * a bad answer must be PASSPORT_ERROR_BAD_RESPONSE (or the specific code),
 * never a crash or a half-filled object. */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "passport-core.h"
#include "passport-secure.h"
#include "passport-http-private.h"
#include "passport-json-private.h"
#include "passport-server-private.h"
#include "passport-token-endpoint-private.h"

#define BASE "https://passport.example"

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

/* Replaces every `'` with `"` so the JSON below stays readable. */
static JsonNode *
parseq (const char *json)
{
  g_autofree char *text = g_strdelimit (g_strdup (json), "'", '"');
  return parse (text);
}

/* JSON text */

static void
test_json_text (void)
{
  const char *bad[] = {
    "", "[]", "\"x\"", "{", "{\"a\":1} trailing", "null", "42", "{'a':1}",
    "{\"a\":1,}", "{\"a\":[1,]}", "{a:1}", "{\"a\":01}", "{\"a\":NaN}", "{\"a\":.5}",
    "{\"a\":\"\\x\"}", "{\"a\":\"tab\there\"}", "{\"a\":tru}", "{\"a\" 1}",
    "{\"a\":1}{\"b\":2}", "/* c */ {\"a\":1}",
    /* UTF-16 surrogates out of pairs: json-glib would make them bytes that
     * are not UTF-8 (found by fuzz-json). */
    "{\"a\":\"\\udc00\"}", "{\"\\udc00x\":1}", "{\"a\":\"\\ud800\"}",
    "{\"a\":\"\\ud800x\"}", "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"\\ud800\\ud800\"}",
    "{\"a\":\"\\uDFFF\\uD800\"}",
  };
  g_autoptr(GString) deep = g_string_new ("{\"a\":");
  g_autoptr(GString) shallow = g_string_new ("{\"a\":");

  /* Deep nesting must fail cleanly, not exhaust the stack. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 20; i++)
    g_string_append_c (shallow, '[');
  for (guint i = 0; i < 20; i++)
    g_string_append_c (shallow, ']');
  g_string_append_c (shallow, '}');
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = passport_json_parse_object (deep->str, deep->len, &error);

    g_assert_null (node);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = passport_json_parse_object (shallow->str, shallow->len, &error);

    g_assert_no_error (error);
    g_assert_nonnull (node);
  }
  {
    const char *good = " {\"a\" : [1, -2.5e+3, true, false, null, \"\\u00e9\\n\\\"\"], \"b\":{},"
                       " \"\\ud83d\\ude00\":\"\\uD83D\\uDE00\\uffff\\ud7ff\\ue000\"} ";
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = passport_json_parse_object (good, strlen (good), &error);

    g_assert_no_error (error);
    g_assert_nonnull (node);
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = passport_json_parse_object (bad[i], strlen (bad[i]), &error);

      if (node != NULL)
        g_error ("accepted: %s", bad[i]);
      g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = passport_json_parse_object ("{\"a\":\"\xff\"}", 8, &error);

    g_assert_null (node);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
  }
}

/* Discovery */

#define DISCOVERY_OK \
  "{'issuer':'" BASE "'," \
  "'authorization_endpoint':'" BASE "/oauth/authorize'," \
  "'token_endpoint':'" BASE "/oauth/token'," \
  "'revocation_endpoint':'" BASE "/oauth/revoke'," \
  "'userinfo_endpoint':'" BASE "/oauth/userinfo'," \
  "'jwks_uri':'" BASE "/oauth/jwks'," \
  "'scopes_supported':['openid','profile','email','passport']," \
  "'response_types_supported':['code']," \
  "'grant_types_supported':['authorization_code','refresh_token','password']," \
  "'code_challenge_methods_supported':['S256']," \
  "'token_endpoint_auth_methods_supported':['none']," \
  "'authorization_response_iss_parameter_supported':true," \
  "'passport_api_endpoint':'" BASE "/api/v1'" \
  "}"

static void
test_discovery_ok (void)
{
  g_autoptr(JsonNode) node = parseq (DISCOVERY_OK);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) server = passport_server_new_from_discovery (BASE, node, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (passport_server_get_issuer (server), ==, BASE);
  g_assert_cmpstr (passport_server_get_token_endpoint (server), ==, BASE "/oauth/token");
  g_assert_cmpstr (passport_server_get_api_endpoint (server), ==, BASE "/api/v1");
  g_assert_true (passport_server_has_account_api (server));
  g_assert_true (passport_server_get_sends_iss (server));
}

/* passport_features (contract 1.1, section 1): a missing field is none;
 * unknown values are kept and asked about by name only; without the
 * account API no feature of it is offered. */
static void
test_discovery_features (void)
{
  const char *ok = DISCOVERY_OK;
  g_autofree char *listed = g_strdup_printf ("%.*s,'passport_features':['password_reset','teleport']}",
                                             (int) strlen (ok) - 1, ok);
  g_autofree char *mistyped = g_strdup_printf ("%.*s,'passport_features':'password_reset'}",
                                               (int) strlen (ok) - 1, ok);

  {
    g_autoptr(JsonNode) node = parseq (DISCOVERY_OK);
    g_autoptr(PassportServer) server = passport_server_new_from_discovery (BASE, node, NULL);

    g_assert_nonnull (passport_server_get_features (server));
    g_assert_cmpuint (g_strv_length ((char **) passport_server_get_features (server)), ==, 0);
    g_assert_false (passport_server_has_feature (server, "password_reset"));
  }
  {
    g_autoptr(JsonNode) node = parseq (listed);
    g_autoptr(GError) error = NULL;
    g_autoptr(PassportServer) server = passport_server_new_from_discovery (BASE, node, &error);
    g_auto(GStrv) features = NULL;

    g_assert_no_error (error);
    g_assert_true (passport_server_has_feature (server, "password_reset"));
    g_assert_false (passport_server_has_feature (server, "otp"));
    g_object_get (server, "features", &features, NULL);
    g_assert_true (g_strv_contains ((const char * const *) features, "password_reset"));
  }
  {
    g_autoptr(JsonNode) node = parseq (mistyped);
    g_autoptr(GError) error = NULL;

    g_assert_null (passport_server_new_from_discovery (BASE, node, &error));
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
  }
  {
    g_autoptr(JsonNode) node =
      parseq ("{'issuer':'" BASE "','authorization_endpoint':'" BASE "/a',"
              "'token_endpoint':'" BASE "/t','passport_features':['password_reset']}");
    g_autoptr(PassportServer) server = passport_server_new_from_discovery (BASE, node, NULL);

    g_assert_false (passport_server_has_feature (server, "password_reset"));
  }
}

static void
test_discovery_plain_oidc (void)
{
  g_autoptr(JsonNode) node =
    parseq ("{'issuer':'" BASE "/','authorization_endpoint':'" BASE "/a',"
            "'token_endpoint':'" BASE "/t'}");
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) server = passport_server_new_from_discovery (BASE, node, &error);

  g_assert_no_error (error);
  g_assert_false (passport_server_has_account_api (server));
  g_assert_null (passport_server_get_revocation_endpoint (server));
  g_assert_false (passport_server_get_sends_iss (server));
  /* The issuer is kept as published: tokens carry it so. */
  g_assert_cmpstr (passport_server_get_issuer (server), ==, BASE "/");
  /* Its name is the issuer's host. */
  g_assert_cmpstr (passport_server_get_name (server), ==, "passport.example");
}

/* Scopes from discovery: openid profile email always, offline_access when
 * listed (a plain provider issues no refresh token without it), passport
 * only with the account API. */
static void
test_discovery_scopes (void)
{
  const struct { const char *extra; const char *scope; gboolean offline; } cases[] = {
    { "", "openid profile email", FALSE },
    { ",'scopes_supported':['openid','email','profile']", "openid profile email", FALSE },
    { ",'scopes_supported':['openid','offline_access']", "openid profile email offline_access", TRUE },
    { ",'scopes_supported':['openid','passport']", "openid profile email", FALSE },
    { ",'scopes_supported':['openid','passport','offline_access'],'passport_api_endpoint':'" BASE "/api'",
      "openid profile email offline_access passport", TRUE },
    { ",'passport_api_endpoint':'" BASE "/api'", "openid profile email passport", FALSE },
  };

  g_unsetenv ("PASSPORT_CLIENT_ID");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{'issuer':'" BASE "','authorization_endpoint':'" BASE "/a',"
                                               "'token_endpoint':'" BASE "/t'%s}", cases[i].extra);
      g_autoptr(JsonNode) node = parseq (json);
      g_autoptr(GError) error = NULL;
      g_autoptr(PassportServer) server = passport_server_new_from_discovery (BASE, node, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (passport_server_get_scope (server), ==, cases[i].scope);
      g_assert_cmpint (passport_server_get_asks_offline_access (server), ==, cases[i].offline);
      g_assert_cmpstr (passport_server_get_client_id (server), ==, PASSPORT_CLIENT_ID);
    }
}

/* The app's per-server settings: only this server's entries apply; a
 * port entry that is not a port leaves the default. */
static void
test_server_settings (void)
{
  g_autoptr(JsonNode) node = parseq ("{'issuer':'" BASE "','authorization_endpoint':'" BASE "/a',"
                                     "'token_endpoint':'" BASE "/t'}");
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) server = NULL;
  g_autoptr(GVariant) ids = g_variant_ref_sink (g_variant_new_parsed ("{'https://other.example': 'other-client', '" BASE "': 'our-client'}"));
  g_autoptr(GVariant) ports = g_variant_ref_sink (g_variant_new_parsed ("{'" BASE "': '8065-8070'}"));
  g_autoptr(GVariant) bad_ports = g_variant_ref_sink (g_variant_new_parsed ("{'" BASE "': 'eighty'}"));
  guint16 first, last;

  g_unsetenv ("PASSPORT_CLIENT_ID");
  g_unsetenv ("PASSPORT_REDIRECT_PORT");
  server = passport_server_new_from_discovery (BASE, node, &error);
  g_assert_no_error (error);

  passport_server_apply_settings (server, NULL, NULL);
  g_assert_cmpstr (passport_server_get_client_id (server), ==, PASSPORT_CLIENT_ID);

  passport_server_apply_settings (server, ids, ports);
  g_assert_cmpstr (passport_server_get_client_id (server), ==, "our-client");
  passport_server_get_redirect_ports (server, &first, &last);
  g_assert_cmpuint (first, ==, 8065);
  g_assert_cmpuint (last, ==, 8070);

  passport_server_apply_settings (server, NULL, bad_ports);
  passport_server_get_redirect_ports (server, &first, &last);
  g_assert_cmpuint (first, ==, 8065);
}

static void
check_discovery_error (const char *json,
                       gint        code)
{
  g_autoptr(JsonNode) node = parseq (json);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) server = passport_server_new_from_discovery (BASE, node, &error);

  g_assert_null (server);
  g_assert_error (error, PASSPORT_ERROR, code);
}

static void
test_discovery_bad (void)
{
  const int BAD = PASSPORT_ERROR_BAD_RESPONSE;

  check_discovery_error ("{}", BAD);
  check_discovery_error ("{'issuer':42,'authorization_endpoint':'" BASE "/a','token_endpoint':'" BASE "/t'}", BAD);
  check_discovery_error ("{'issuer':'" BASE "','token_endpoint':'" BASE "/t'}", BAD);
  check_discovery_error ("{'issuer':'" BASE "','authorization_endpoint':['x'],'token_endpoint':'" BASE "/t'}", BAD);
  check_discovery_error ("{'issuer':'" BASE "','authorization_endpoint':'" BASE "/a','token_endpoint':'" BASE "/t','passport_api_endpoint':true}", BAD);
  check_discovery_error ("{'issuer':'" BASE "','authorization_endpoint':'" BASE "/a','token_endpoint':'" BASE "/t','code_challenge_methods_supported':'S256'}", BAD);
  check_discovery_error ("{'issuer':'" BASE "','authorization_endpoint':'" BASE "/a','token_endpoint':'" BASE "/t','code_challenge_methods_supported':[1]}", BAD);
  check_discovery_error ("{'issuer':'" BASE "','authorization_endpoint':'" BASE "/a','token_endpoint':'" BASE "/t','authorization_response_iss_parameter_supported':'yes'}", BAD);
  check_discovery_error ("{'issuer':'" BASE "','authorization_endpoint':'not a url','token_endpoint':'" BASE "/t'}",
                         PASSPORT_ERROR_INSECURE_URL);
  /* An endpoint in the clear to a real host. */
  check_discovery_error ("{'issuer':'" BASE "','authorization_endpoint':'" BASE "/a','token_endpoint':'http://passport.example/t'}",
                         PASSPORT_ERROR_INSECURE_URL);
  /* Another issuer. */
  check_discovery_error ("{'issuer':'https://evil.example','authorization_endpoint':'" BASE "/a','token_endpoint':'" BASE "/t'}",
                         PASSPORT_ERROR_ISSUER_MISMATCH);
  check_discovery_error ("{'issuer':'" BASE "/sub','authorization_endpoint':'" BASE "/a','token_endpoint':'" BASE "/t'}",
                         PASSPORT_ERROR_ISSUER_MISMATCH);
  /* No PKCE. */
  check_discovery_error ("{'issuer':'" BASE "','authorization_endpoint':'" BASE "/a','token_endpoint':'" BASE "/t','code_challenge_methods_supported':['plain']}",
                         PASSPORT_ERROR_NOT_A_PASSPORT_SERVER);

  {
    g_autoptr(JsonNode) node = parse ("[1,2]");
    g_autoptr(GError) error = NULL;

    g_assert_null (passport_server_new_from_discovery (BASE, node, &error));
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
  }
}

static void
test_normalize_url (void)
{
  const struct { const char *in; const char *out; int code; } cases[] = {
    { "passport.example", "https://passport.example", 0 },
    { "HTTPS://Passport.Example:443/", "https://passport.example", 0 },
    { "https://passport.example:8443/base/", "https://passport.example:8443/base", 0 },
    { "  https://passport.example  ", "https://passport.example", 0 },
    { "http://127.0.0.1:8765", "http://127.0.0.1:8765", 0 },
    { "http://127.1.2.3:80/", "http://127.1.2.3", 0 },
    { "http://localhost:1234", "http://localhost:1234", 0 },
    { "http://[::1]:1234/", "http://[::1]:1234", 0 },
    { "http://passport.example", NULL, PASSPORT_ERROR_INSECURE_URL },
    { "http://10.0.0.1", NULL, PASSPORT_ERROR_INSECURE_URL },
    { "http://128.0.0.1", NULL, PASSPORT_ERROR_INSECURE_URL },
    { "ftp://passport.example", NULL, PASSPORT_ERROR_NOT_A_PASSPORT_SERVER },
    { "https://user:pw@passport.example", NULL, PASSPORT_ERROR_NOT_A_PASSPORT_SERVER },
    { "https://passport.example/?q=1", NULL, PASSPORT_ERROR_NOT_A_PASSPORT_SERVER },
    { "https://passport.example/#f", NULL, PASSPORT_ERROR_NOT_A_PASSPORT_SERVER },
    { "https://", NULL, PASSPORT_ERROR_NOT_A_PASSPORT_SERVER },
    /* Typed as host:port (finding 7): a loopback server speaks plain http,
     * so that is what is meant; localhost is a host, not a scheme. */
    { "127.0.0.1:18765", "http://127.0.0.1:18765", 0 },
    { "localhost:18765", "http://localhost:18765", 0 },
    { "localhost", "http://localhost", 0 },
    { "[::1]:18765", "http://[::1]:18765", 0 },
    { "passport.example:8443", "https://passport.example:8443", 0 },
    { "passport.example:8443/base", "https://passport.example:8443/base", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = passport_server_normalize_url (cases[i].in, &error);

      if (cases[i].out != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (out, ==, cases[i].out);
        }
      else
        {
          g_assert_null (out);
          g_assert_error (error, PASSPORT_ERROR, cases[i].code);
        }
    }
}

/* Providers and terms */

static void
test_providers (void)
{
  g_autoptr(JsonNode) node =
    parseq ("{'providers':[{'id':'google','name':'Google','icon_url':'https://x/g.svg'},"
            "{'id':'vk','name':'VK','icon_url':null},{'id':'ya','name':'Yandex'}]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) providers = passport_server_parse_providers (node, &error);
  PassportProvider *p;

  g_assert_no_error (error);
  g_assert_cmpuint (providers->len, ==, 3);
  p = g_ptr_array_index (providers, 0);
  g_assert_cmpstr (passport_provider_get_id (p), ==, "google");
  g_assert_cmpstr (passport_provider_get_name (p), ==, "Google");
  g_assert_cmpstr (passport_provider_get_icon_url (p), ==, "https://x/g.svg");
  g_assert_null (passport_provider_get_icon_url (g_ptr_array_index (providers, 1)));

  {
    const char *bad[] = {
      "{}",
      "{'providers':{}}",
      "{'providers':['google']}",
      "{'providers':[{'id':1,'name':'x'}]}",
      "{'providers':[{'id':'x'}]}",
      "{'providers':[{'id':'x','name':null}]}",
      "{'providers':[{'id':'x','name':'X','icon_url':5}]}",
      "{'providers':[{'id':'','name':'X'}]}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(JsonNode) b = parseq (bad[i]);
        g_autoptr(GError) e = NULL;

        g_assert_null (passport_server_parse_providers (b, &e));
        g_assert_error (e, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
      }
  }
}

static void
test_terms (void)
{
  g_autoptr(JsonNode) node = parseq ("{'version':'2025-01','url':'https://x/terms','text':'Be nice.'}");
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportTerms) terms = passport_server_parse_terms (node, &error);
  const char *bad[] = {
    "{}", "{'version':1,'text':'t'}", "{'version':'v'}", "{'version':'v','text':['t']}",
    "{'version':'v','text':'t','url':{}}",
  };

  g_assert_no_error (error);
  g_assert_cmpstr (passport_terms_get_version (terms), ==, "2025-01");
  g_assert_cmpstr (passport_terms_get_url (terms), ==, "https://x/terms");
  g_assert_cmpstr (passport_terms_get_text (terms), ==, "Be nice.");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) b = parseq (bad[i]);
      g_autoptr(GError) e = NULL;

      g_assert_null (passport_server_parse_terms (b, &e));
      g_assert_error (e, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
    }
}

/* Account */

#define ACCOUNT_PENDING \
  "{'id':'acc_1','display_name':'Ivan Petrov','email':null,'email_verified':false," \
  "'pending_email':{'address':'ivan@example.com','sent_at':'2025-01-01T10:00:00Z'," \
  "'resend_after':'2025-01-01T10:01:00Z','expires_at':'2025-01-02T10:00:00Z'}," \
  "'has_password':false,'terms':{'accepted':true,'version':'2025-01'}," \
  "'identities':[{'provider':'google','email':'ivan@gmail.com','email_verified':true}]," \
  "'revision':12}"

#define ACCOUNT_BOUND \
  "{'id':'acc_1','display_name':'Ivan Petrov','email':'ivan@example.com','email_verified':true," \
  "'pending_email':null,'has_password':true,'terms':{'accepted':true,'version':'2025-01'}," \
  "'identities':[{'provider':'google','email':'ivan@gmail.com','email_verified':true}]," \
  "'revision':13}"

static void
test_account (void)
{
  g_autoptr(JsonNode) node = parseq (ACCOUNT_PENDING);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) account = passport_account_new_from_json (node, &error);
  g_autoptr(PassportIdentity) identity = NULL;
  g_autoptr(GDateTime) sent = g_date_time_new_utc (2025, 1, 1, 10, 0, 0);

  g_assert_no_error (error);
  g_assert_cmpstr (passport_account_get_id (account), ==, "acc_1");
  g_assert_cmpstr (passport_account_get_display_name (account), ==, "Ivan Petrov");
  g_assert_null (passport_account_get_email (account));
  g_assert_false (passport_account_get_email_verified (account));
  g_assert_cmpstr (passport_account_get_pending_email (account), ==, "ivan@example.com");
  g_assert_true (g_date_time_equal (passport_account_get_pending_sent_at (account), sent));
  g_assert_nonnull (passport_account_get_pending_resend_after (account));
  g_assert_nonnull (passport_account_get_pending_expires_at (account));
  g_assert_false (passport_account_get_has_password (account));
  g_assert_true (passport_account_get_terms_accepted (account));
  g_assert_cmpstr (passport_account_get_terms_version (account), ==, "2025-01");
  g_assert_cmpint (passport_account_get_revision (account), ==, 12);
  g_assert_cmpuint (g_list_model_get_n_items (passport_account_get_identities (account)), ==, 1);
  identity = g_list_model_get_item (passport_account_get_identities (account), 0);
  g_assert_cmpstr (passport_identity_get_provider (identity), ==, "google");
  g_assert_cmpstr (passport_identity_get_email (identity), ==, "ivan@gmail.com");
  g_assert_true (passport_identity_get_email_verified (identity));
}

static void
test_account_bad (void)
{
  const char *bad[] = {
    "{}",
    /* each of these breaks one field of ACCOUNT_BOUND */
    "{'display_name':'x','email':null,'email_verified':false,'pending_email':null,'has_password':false,'terms':{'accepted':false},'identities':[],'revision':1}",
    "{'id':7,'email':null,'email_verified':false,'pending_email':null,'has_password':false,'terms':{'accepted':false},'identities':[],'revision':1}",
    "{'id':'a','email':null,'email_verified':'no','pending_email':null,'has_password':false,'terms':{'accepted':false},'identities':[],'revision':1}",
    "{'id':'a','email_verified':false,'pending_email':null,'has_password':false,'terms':{'accepted':false},'identities':[],'revision':1}",
    "{'id':'a','email':false,'email_verified':false,'pending_email':null,'has_password':false,'terms':{'accepted':false},'identities':[],'revision':1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':'x@y.z','has_password':false,'terms':{'accepted':false},'identities':[],'revision':1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':{'address':'x@y.z'},'has_password':false,'terms':{'accepted':false},'identities':[],'revision':1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':{'address':'x@y.z','sent_at':'yesterday','resend_after':'2025-01-01T10:01:00Z','expires_at':'2025-01-02T10:00:00Z'},'has_password':false,'terms':{'accepted':false},'identities':[],'revision':1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':{'address':'x@y.z','sent_at':'2025-01-01T10:00:00','resend_after':'2025-01-01T10:01:00Z','expires_at':'2025-01-02T10:00:00Z'},'has_password':false,'terms':{'accepted':false},'identities':[],'revision':1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':null,'terms':{'accepted':false},'identities':[],'revision':1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':null,'has_password':false,'terms':true,'identities':[],'revision':1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':null,'has_password':false,'terms':{},'identities':[],'revision':1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':null,'has_password':false,'terms':{'accepted':false,'version':3},'identities':[],'revision':1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':null,'has_password':false,'terms':{'accepted':false},'identities':{},'revision':1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':null,'has_password':false,'terms':{'accepted':false},'identities':['google'],'revision':1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':null,'has_password':false,'terms':{'accepted':false},'identities':[{'email':'x'}],'revision':1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':null,'has_password':false,'terms':{'accepted':false},'identities':[],'revision':'1'}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':null,'has_password':false,'terms':{'accepted':false},'identities':[],'revision':1.5}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':null,'has_password':false,'terms':{'accepted':false},'identities':[],'revision':-1}",
    "{'id':'a','email':null,'email_verified':false,'pending_email':null,'has_password':false,'terms':{'accepted':false},'identities':[]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = parseq (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(PassportAccount) account = passport_account_new_from_json (node, &error);

      if (account != NULL)
        g_error ("case %u parsed", i);
      g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
    }

  {
    g_autoptr(JsonNode) node = parse ("[]");
    g_autoptr(GError) error = NULL;

    g_assert_null (passport_account_new_from_json (node, &error));
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
  }
}

/* The otp member comes only from a server with two-step sign-in (8). */
static void
test_account_otp (void)
{
#define ACCOUNT_OTP(otp) \
  "{'id':'a','email':null,'email_verified':false,'pending_email':null,'has_password':true," \
  "'terms':{'accepted':true},'identities':[],'revision':1", otp, "}"
  const char *bad[] = {
    ",'otp':true", ",'otp':{}", ",'otp':{'enabled':'yes'}",
    ",'otp':{'enabled':true,'recovery_codes_left':-1}",
    ",'otp':{'enabled':true,'recovery_codes_left':'3'}",
    ",'otp':{'enabled':true,'recovery_codes_left':99999999999}",
  };
  struct { const char *otp; gboolean enabled; guint left; } good[] = {
    { "", FALSE, 0 },
    { ",'otp':null", FALSE, 0 },
    { ",'otp':{'enabled':false,'recovery_codes_left':0}", FALSE, 0 },
    { ",'otp':{'enabled':true,'recovery_codes_left':2}", TRUE, 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *text = g_strconcat (ACCOUNT_OTP (good[i].otp), NULL);
      g_autoptr(JsonNode) node = parseq (text);
      g_autoptr(GError) error = NULL;
      g_autoptr(PassportAccount) account = passport_account_new_from_json (node, &error);

      g_assert_no_error (error);
      g_assert_cmpint (passport_account_get_otp_enabled (account), ==, good[i].enabled);
      g_assert_cmpuint (passport_account_get_recovery_codes_left (account), ==, good[i].left);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = g_strconcat (ACCOUNT_OTP (bad[i]), NULL);
      g_autoptr(JsonNode) node = parseq (text);
      g_autoptr(GError) error = NULL;
      g_autoptr(PassportAccount) account = passport_account_new_from_json (node, &error);

      if (account != NULL)
        g_error ("otp case %u parsed", i);
      g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
    }
}

/* An item of GET /me/sessions (9). */
static void
test_session_info (void)
{
  const char *bad[] = {
    "{}",
    "{'id':'','client_id':'c','device_name':null,'method':'browser','created_at':'2025-01-01T10:00:00Z','last_used_at':'2025-01-01T10:00:00Z','current':true}",
    "{'id':'s','client_id':'','device_name':null,'method':'browser','created_at':'2025-01-01T10:00:00Z','last_used_at':'2025-01-01T10:00:00Z','current':true}",
    "{'id':'s','client_id':'c','device_name':7,'method':'browser','created_at':'2025-01-01T10:00:00Z','last_used_at':'2025-01-01T10:00:00Z','current':true}",
    "{'id':'s','client_id':'c','device_name':null,'created_at':'2025-01-01T10:00:00Z','last_used_at':'2025-01-01T10:00:00Z','current':true}",
    "{'id':'s','client_id':'c','device_name':null,'method':'browser','created_at':'soon','last_used_at':'2025-01-01T10:00:00Z','current':true}",
    "{'id':'s','client_id':'c','device_name':null,'method':'browser','created_at':'2025-01-01T10:00:00Z','last_used_at':'2025-01-01T10:00:00Z','current':'yes'}",
  };
  g_autoptr(JsonNode) node =
    parseq ("{'id':'ses_1','client_id':'passport-desktop','client_name':'Passport',"
            "'device_name':'ivan-laptop (Debian GNU/Linux 12)','method':'password',"
            "'created_at':'2025-01-01T10:00:00Z','last_used_at':'2025-01-02T10:00:00Z',"
            "'ip':'203.0.113.7','current':true}");
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSessionInfo) info =
    passport_session_info_new_from_json (json_node_get_object (node), &error);

  g_assert_no_error (error);
  g_assert_cmpstr (passport_session_info_get_id (info), ==, "ses_1");
  g_assert_cmpstr (passport_session_info_get_client_name (info), ==, "Passport");
  g_assert_cmpstr (passport_session_info_get_device_name (info), ==, "ivan-laptop (Debian GNU/Linux 12)");
  g_assert_cmpstr (passport_session_info_get_method (info), ==, "password");
  g_assert_cmpstr (passport_session_info_get_ip (info), ==, "203.0.113.7");
  g_assert_true (passport_session_info_get_current (info));
  g_assert_nonnull (passport_session_info_get_last_used_at (info));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) b = parseq (bad[i]);
      g_autoptr(GError) e = NULL;
      g_autoptr(PassportSessionInfo) parsed =
        passport_session_info_new_from_json (json_node_get_object (b), &e);

      if (parsed != NULL)
        g_error ("session case %u parsed", i);
      g_assert_error (e, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
    }
}

/* The device name a sign-in sends: "host (system)". */
static void
test_device_name (void)
{
  g_autofree char *name = passport_device_name_default ();

  g_assert_true (g_str_has_prefix (name, g_get_host_name ()));
  g_assert_true (g_utf8_validate (name, -1, NULL));
}

/* A TOTP code as typed or pasted. */
static void
test_otp_code_normalize (void)
{
  const char *cases[][2] = {
    { "123456", "123456" }, { "123 456", "123456" }, { " 123\t456\n", "123456" },
    { "12-3456", "12-3456" }, { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = passport_otp_code_normalize (cases[i][0]);

      g_assert_cmpstr (out, ==, cases[i][1]);
    }
}

/* A key or an app password shown in fours. */
static void
test_group_in_fours (void)
{
  const char *cases[][2] = {
    { "", "" }, { "abc", "abc" }, { "abcd", "abcd" }, { "abcde", "abcd e" },
    { "qwhtzkmrpaxbnyel", "qwht zkmr paxb nyel" },
    { "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PassportSecret) out = passport_secure_group_in_fours (cases[i][0]);

      g_assert_cmpstr (out, ==, cases[i][1]);
    }
}

/* An item of GET /me/app-passwords (8.4). */
static void
test_app_password (void)
{
  const char *bad[] = {
    "{}",
    "{'id':'','name':'x','created_at':'2025-01-01T10:00:00Z','last_used_at':null}",
    "{'id':'ap_1','name':'','created_at':'2025-01-01T10:00:00Z','last_used_at':null}",
    "{'id':'ap_1','name':'x','created_at':'yesterday','last_used_at':null}",
    "{'id':'ap_1','name':'x','created_at':'2025-01-01T10:00:00Z','last_used_at':7}",
    "{'id':1,'name':'x','created_at':'2025-01-01T10:00:00Z','last_used_at':null}",
  };
  g_autoptr(JsonNode) node =
    parseq ("{'id':'ap_1','name':'Thunderbird','created_at':'2025-01-01T10:00:00Z',"
            "'last_used_at':'2025-01-02T10:00:00Z'}");
  g_autoptr(JsonNode) unused =
    parseq ("{'id':'ap_2','name':'Mutt','created_at':'2025-01-01T10:00:00Z','last_used_at':null}");
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAppPassword) item =
    passport_app_password_new_from_json (json_node_get_object (node), &error);
  g_autoptr(PassportAppPassword) never =
    passport_app_password_new_from_json (json_node_get_object (unused), &error);

  g_assert_no_error (error);
  g_assert_cmpstr (passport_app_password_get_id (item), ==, "ap_1");
  g_assert_cmpstr (passport_app_password_get_name (item), ==, "Thunderbird");
  g_assert_nonnull (passport_app_password_get_created_at (item));
  g_assert_nonnull (passport_app_password_get_last_used_at (item));
  g_assert_null (passport_app_password_get_last_used_at (never));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) b = parseq (bad[i]);
      g_autoptr(GError) e = NULL;
      g_autoptr(PassportAppPassword) parsed =
        passport_app_password_new_from_json (json_node_get_object (b), &e);

      if (parsed != NULL)
        g_error ("app password case %u parsed", i);
      g_assert_error (e, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
    }
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    data)
{
  GHashTable *seen = data;

  g_hash_table_add (seen, (gpointer) g_param_spec_get_name (pspec));
}

static void
count_items_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     gpointer    data)
{
  (*(guint *) data)++;
}

static void
test_account_update (void)
{
  g_autoptr(JsonNode) a = parseq (ACCOUNT_PENDING);
  g_autoptr(JsonNode) b = parseq (ACCOUNT_BOUND);
  g_autoptr(PassportAccount) account = passport_account_new_from_json (a, NULL);
  g_autoptr(PassportAccount) same = passport_account_new_from_json (a, NULL);
  g_autoptr(PassportAccount) bound = passport_account_new_from_json (b, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GListModel *identities = passport_account_get_identities (account);
  guint items_changed = 0;

  g_signal_connect (account, "notify", G_CALLBACK (count_notify), seen);
  g_signal_connect (identities, "items-changed", G_CALLBACK (count_items_changed), &items_changed);

  /* Nothing changed, nothing notified. */
  passport_account_update (account, same);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 0);

  passport_account_update (account, bound);
  g_assert_true (g_hash_table_contains (seen, "email"));
  g_assert_true (g_hash_table_contains (seen, "email-verified"));
  g_assert_true (g_hash_table_contains (seen, "pending-email"));
  g_assert_true (g_hash_table_contains (seen, "pending-sent-at"));
  g_assert_true (g_hash_table_contains (seen, "has-password"));
  g_assert_true (g_hash_table_contains (seen, "revision"));
  g_assert_false (g_hash_table_contains (seen, "id"));
  g_assert_false (g_hash_table_contains (seen, "display-name"));
  g_assert_false (g_hash_table_contains (seen, "terms-accepted"));
  g_assert_false (g_hash_table_contains (seen, "identities"));
  g_assert_cmpuint (items_changed, ==, 0);
  g_assert_true (passport_account_get_identities (account) == identities);
  g_assert_cmpstr (passport_account_get_email (account), ==, "ivan@example.com");
  g_assert_null (passport_account_get_pending_email (account));
  g_assert_null (passport_account_get_pending_sent_at (account));
  g_assert_cmpint (passport_account_get_revision (account), ==, 13);

  /* A new identity: the same list changes in place. */
  {
    g_autoptr(JsonNode) c =
      parseq ("{'id':'acc_1','display_name':'Ivan Petrov','email':'ivan@example.com','email_verified':true,"
              "'pending_email':null,'has_password':true,'terms':{'accepted':true,'version':'2025-01'},"
              "'identities':[{'provider':'google','email':'ivan@gmail.com','email_verified':true},"
              "{'provider':'vk','email':null,'email_verified':false}],'revision':14}");
    g_autoptr(PassportAccount) more = passport_account_new_from_json (c, NULL);

    passport_account_update (account, more);
    g_assert_cmpuint (items_changed, ==, 1);
    g_assert_cmpuint (g_list_model_get_n_items (identities), ==, 2);
  }
}

static void
test_userinfo (void)
{
  g_autoptr(JsonNode) node = parseq ("{'sub':'u1','name':'Ivan','email':'i@x.org','email_verified':true}");
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) account = passport_account_new_from_userinfo (node, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (passport_account_get_id (account), ==, "u1");
  g_assert_cmpstr (passport_account_get_email (account), ==, "i@x.org");
  g_assert_true (passport_account_get_terms_accepted (account));
  g_assert_false (passport_account_get_has_password (account));

  {
    const char *bad[] = { "{}", "{'sub':1}", "{'sub':''}", "{'sub':'u','email':2}", "{'sub':'u','name':[]}" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(JsonNode) b = parseq (bad[i]);
        g_autoptr(GError) e = NULL;

        g_assert_null (passport_account_new_from_userinfo (b, &e));
        g_assert_error (e, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
      }
  }

  /* email_verified as providers send it (AWS Cognito: strings); what is
   * not a readable claim counts as unverified, and fails nothing. */
  {
    const struct { const char *json; gboolean verified; } cases[] = {
      { "{'sub':'u','email_verified':true}", TRUE },
      { "{'sub':'u','email_verified':false}", FALSE },
      { "{'sub':'u','email_verified':'true'}", TRUE },
      { "{'sub':'u','email_verified':'false'}", FALSE },
      { "{'sub':'u','email_verified':'yes'}", FALSE },
      { "{'sub':'u','email_verified':1}", FALSE },
      { "{'sub':'u','email_verified':{}}", FALSE },
      { "{'sub':'u','email_verified':null}", FALSE },
      { "{'sub':'u'}", FALSE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(JsonNode) n = parseq (cases[i].json);
        g_autoptr(GError) e = NULL;
        g_autoptr(PassportAccount) a = passport_account_new_from_userinfo (n, &e);

        g_assert_no_error (e);
        g_assert_cmpint (passport_account_get_email_verified (a), ==, cases[i].verified);
      }
  }
}

static void
test_display_name_fallback (void)
{
  const struct { const char *json; const char *shown; } cases[] = {
    { "{'sub':'alice','name':'Alice','email':'a@x.org'}", "Alice" },
    { "{'sub':'alice','email':'a@x.org'}", "a@x.org" },
    { "{'sub':'alice','name':'','email':'a@x.org'}", "a@x.org" },
    { "{'sub':'alice'}", "alice" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) n = parseq (cases[i].json);
      g_autoptr(PassportAccount) a = passport_account_new_from_userinfo (n, NULL);
      g_autofree char *property = NULL;

      g_assert_cmpstr (passport_account_get_display_name (a), ==, cases[i].shown);
      g_object_get (a, "display-name", &property, NULL);
      g_assert_cmpstr (property, ==, cases[i].shown);
    }
}

/* Token response and id_token */

static void
test_token_response (void)
{
  g_autoptr(JsonNode) node =
    parseq ("{'access_token':'at','token_type':'bearer','expires_in':900,'refresh_token':'rt',"
            "'scope':'openid','id_token':'a.b.c'}");
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportTokenResponse) response = passport_token_response_parse (node, &error);
  const char *bad[] = {
    "{}",
    "{'token_type':'Bearer','expires_in':900}",
    "{'access_token':'','token_type':'Bearer','expires_in':900}",
    "{'access_token':5,'token_type':'Bearer','expires_in':900}",
    "{'access_token':'at','expires_in':900}",
    "{'access_token':'at','token_type':'MAC','expires_in':900}",
    "{'access_token':'at','token_type':'Bearer','expires_in':'900'}",
    "{'access_token':'at','token_type':'Bearer','expires_in':1.5}",
    "{'access_token':'at','token_type':'Bearer','expires_in':true}",
    "{'access_token':'at','token_type':'Bearer','expires_in':900,'refresh_token':7}",
    "{'access_token':'at','token_type':'Bearer','expires_in':900,'refresh_token':''}",
    "{'access_token':'at','token_type':'Bearer','expires_in':900,'id_token':{}}",
  };

  g_assert_no_error (error);
  g_assert_cmpstr (response->access_token, ==, "at");
  g_assert_cmpstr (response->refresh_token, ==, "rt");
  g_assert_cmpint (response->expires_in, ==, 900);
  g_assert_cmpstr (response->id_token, ==, "a.b.c");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) b = parseq (bad[i]);
      g_autoptr(GError) e = NULL;
      g_autoptr(PassportTokenResponse) r = passport_token_response_parse (b, &e);

      if (r != NULL)
        g_error ("case %u parsed", i);
      g_assert_error (e, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
    }
}

/* expires_in is capped (a huge one would overflow the expiry time), and
 * none, zero or a negative one means "unknown" (0): the token is used until
 * the server refuses it. */
static void
test_token_lifetime (void)
{
  const struct { const char *expires_in; gint64 expected; } cases[] = {
    { "900", 900 },
    { "9223372036854775807", PASSPORT_TOKEN_MAX_LIFETIME },
    { "31536001", PASSPORT_TOKEN_MAX_LIFETIME },
    { "1e30", PASSPORT_TOKEN_MAX_LIFETIME },
    { "3600.0", 3600 },
    { "0", 0 },
    { "-1", 0 },
    { "-9223372036854775808", 0 },
    { "-1e30", 0 },
    { "null", 0 },
    { NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(PassportTokenResponse) response = NULL;

      if (cases[i].expires_in != NULL)
        json = g_strdup_printf ("{\"access_token\":\"at\",\"token_type\":\"Bearer\","
                                "\"expires_in\":%s}", cases[i].expires_in);
      else
        json = g_strdup ("{\"access_token\":\"at\",\"token_type\":\"Bearer\"}");
      node = parse (json);
      response = passport_token_response_parse (node, &error);
      g_assert_no_error (error);
      g_assert_nonnull (response);
      if (response->expires_in != cases[i].expected)
        g_error ("expires_in %s: got %" G_GINT64_FORMAT, cases[i].expires_in, response->expires_in);
    }
}

/* Only what a Bearer header can carry (RFC 6750 §2.1 b64token) is taken as
 * an access token; a refresh token is visible ASCII (RFC 6749 A.17).
 * Anything else, CR LF above all, is refused before it reaches a header. */
static void
test_token_characters (void)
{
  const char *good[] = {
    "{'access_token':'aZ09-._~+/','token_type':'Bearer','expires_in':60}",
    "{'access_token':'abc==','token_type':'Bearer','expires_in':60,'refresh_token':'M.R3_B!*$ x'}",
  };
  const char *bad[] = {
    "{'access_token':'at\\r\\nX-Injected: 1','token_type':'Bearer','expires_in':60}",
    "{'access_token':'at\\n','token_type':'Bearer','expires_in':60}",
    "{'access_token':'at\\r','token_type':'Bearer','expires_in':60}",
    "{'access_token':'a b','token_type':'Bearer','expires_in':60}",
    "{'access_token':'a,b','token_type':'Bearer','expires_in':60}",
    "{'access_token':'a\\\"b','token_type':'Bearer','expires_in':60}",
    "{'access_token':'a=b','token_type':'Bearer','expires_in':60}",
    "{'access_token':'==','token_type':'Bearer','expires_in':60}",
    "{'access_token':'\\u00e9','token_type':'Bearer','expires_in':60}",
    "{'access_token':'at','token_type':'Bearer','expires_in':60,'refresh_token':'rt\\r\\nx'}",
    "{'access_token':'at','token_type':'Bearer','expires_in':60,'refresh_token':'rt\\t'}",
    "{'access_token':'at','token_type':'Bearer','expires_in':60,'refresh_token':'\\u00e9'}",
    "{'access_token':'at','token_type':'Bearer','expires_in':60,'refresh_token':'\\u007f'}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(JsonNode) node = parseq (good[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(PassportTokenResponse) response = passport_token_response_parse (node, &error);

      g_assert_no_error (error);
      g_assert_nonnull (response);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = parseq (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(PassportTokenResponse) response = passport_token_response_parse (node, &error);

      if (response != NULL)
        g_error ("case %u parsed: %s", i, bad[i]);
      g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
    }
}

static char *
make_jwt (const char *header,
          const char *payload)
{
  g_autofree char *h = g_strdelimit (g_strdup (header), "'", '"');
  g_autofree char *p = g_strdelimit (g_strdup (payload), "'", '"');
  g_autofree char *eh = passport_base64url_encode ((const guint8 *) h, strlen (h));
  g_autofree char *ep = passport_base64url_encode ((const guint8 *) p, strlen (p));

  return g_strdup_printf ("%s.%s.c2lnbmF0dXJl", eh, ep);
}

static void
check_id_token (const char *header,
                const char *payload,
                gboolean    ok)
{
  g_autofree char *jwt = make_jwt (header, payload);
  g_autoptr(GError) error = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *email = NULL;
  gboolean result;

  result = passport_id_token_check (jwt, BASE, "passport-desktop", "n0nce", 1700000000,
                                    &sub, &email, NULL, &error);
  if (ok)
    {
      g_assert_no_error (error);
      g_assert_true (result);
      g_assert_cmpstr (sub, ==, "user1");
    }
  else
    {
      if (result)
        g_error ("accepted: %s", payload);
      g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_ID_TOKEN);
    }
}

/* auth_time (OpenID Connect Core §2) comes out as given, 0 when absent. */
static void
check_auth_time (const char *payload,
                 gint64      expected)
{
  g_autofree char *jwt = make_jwt ("{'alg':'RS256'}", payload);
  g_autoptr(GError) error = NULL;
  gint64 auth_time = -1;

  g_assert_true (passport_id_token_check (jwt, BASE, "passport-desktop", NULL, 1700000000,
                                          NULL, NULL, &auth_time, &error));
  g_assert_no_error (error);
  g_assert_cmpint (auth_time, ==, expected);
}

static void
test_id_token (void)
{
  const char *rs = "{'alg':'RS256','kid':'k1'}";

  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':'passport-desktop','exp':1700000100,'iat':1700000000,'nonce':'n0nce','email':'i@x.org'}", TRUE);
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':['passport-desktop'],'exp':1700000100,'nonce':'n0nce'}", TRUE);
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':['passport-desktop','other'],'azp':'passport-desktop','exp':1700000100,'nonce':'n0nce'}", TRUE);
  check_auth_time ("{'iss':'" BASE "','sub':'user1','aud':'passport-desktop','exp':1700000100,'auth_time':1699999000}", 1699999000);
  check_auth_time ("{'iss':'" BASE "','sub':'user1','aud':'passport-desktop','exp':1700000100}", 0);
  /* within the clock skew */
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':'passport-desktop','exp':1699999990,'nonce':'n0nce'}", TRUE);

  check_id_token (rs, "{'iss':'https://evil.example','sub':'user1','aud':'passport-desktop','exp':1700000100,'nonce':'n0nce'}", FALSE);
  check_id_token (rs, "{'sub':'user1','aud':'passport-desktop','exp':1700000100,'nonce':'n0nce'}", FALSE);
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':'someone-else','exp':1700000100,'nonce':'n0nce'}", FALSE);
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':['a','b'],'exp':1700000100,'nonce':'n0nce'}", FALSE);
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':['passport-desktop','other'],'exp':1700000100,'nonce':'n0nce'}", FALSE);
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','exp':1700000100,'nonce':'n0nce'}", FALSE);
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':'passport-desktop','exp':1699990000,'nonce':'n0nce'}", FALSE);
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':'passport-desktop','nonce':'n0nce'}", FALSE);
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':'passport-desktop','exp':'soon','nonce':'n0nce'}", FALSE);
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':'passport-desktop','exp':1700000100,'nonce':'other'}", FALSE);
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':'passport-desktop','exp':1700000100}", FALSE);
  check_id_token (rs, "{'iss':'" BASE "','aud':'passport-desktop','exp':1700000100,'nonce':'n0nce'}", FALSE);
  check_id_token (rs, "{'iss':'" BASE "','sub':'','aud':'passport-desktop','exp':1700000100,'nonce':'n0nce'}", FALSE);
  check_id_token ("{'alg':'none'}", "{'iss':'" BASE "','sub':'user1','aud':'passport-desktop','exp':1700000100,'nonce':'n0nce'}", FALSE);
  check_id_token ("{}", "{'iss':'" BASE "','sub':'user1','aud':'passport-desktop','exp':1700000100,'nonce':'n0nce'}", FALSE);

  /* NumericDates out of range are refused, never added to or cast with
   * overflow; a fraction is allowed (RFC 7519 §2). */
  check_id_token (rs, "{'iss':'" BASE "','sub':'user1','aud':'passport-desktop','exp':1700000100.75,'iat':1699999999.5,'nonce':'n0nce'}", TRUE);
  {
    const char *dates[] = {
      "'exp':9223372036854775807",
      "'exp':9223372036854775747",
      "'exp':-9223372036854775808",
      "'exp':1e30",
      "'exp':-1e30",
      "'exp':1e300",
      "'exp':-1",
      "'exp':253402300800",
      "'exp':1700000100,'iat':9223372036854775807",
      "'exp':1700000100,'iat':-9223372036854775808",
      "'exp':1700000100,'iat':1e30",
      "'exp':1700000100,'iat':-1",
      "'exp':1700000100,'iat':'yesterday'",
      "'exp':1700000100,'auth_time':'now'",
      "'exp':1700000100,'auth_time':-1",
      "'exp':1700000100,'auth_time':1e30",
    };

    for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
      {
        g_autofree char *payload =
          g_strdup_printf ("{'iss':'" BASE "','sub':'user1','aud':'passport-desktop',%s,'nonce':'n0nce'}",
                           dates[i]);

        check_id_token (rs, payload, FALSE);
      }
  }

  {
    const char *garbage[] = { "", "abc", "a.b", "a.b.c.d", "!!!.???.x", "e30.e30.x" };

    for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
      {
        g_autoptr(GError) error = NULL;

        g_assert_false (passport_id_token_check (garbage[i], BASE, "passport-desktop", NULL,
                                                 1700000000, NULL, NULL, NULL, &error));
        g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_ID_TOKEN);
      }
  }
}

/* Error mapping */

static void
test_error_mapping (void)
{
  /* Every `error` of the contract, with the status it comes with. */
  const struct { const char *name; guint status; int code; } cases[] = {
    { "invalid_request", 400, PASSPORT_ERROR_INVALID_REQUEST },
    { "invalid_client", 401, PASSPORT_ERROR_INVALID_CLIENT },
    { "invalid_grant", 400, PASSPORT_ERROR_INVALID_GRANT },
    { "unauthorized_client", 400, PASSPORT_ERROR_UNAUTHORIZED_CLIENT },
    { "unsupported_grant_type", 400, PASSPORT_ERROR_UNSUPPORTED_GRANT_TYPE },
    { "invalid_token", 401, PASSPORT_ERROR_INVALID_TOKEN },
    { "access_denied", 403, PASSPORT_ERROR_ACCESS_DENIED },
    { "server_error", 500, PASSPORT_ERROR_SERVER_ERROR },
    { "terms_outdated", 409, PASSPORT_ERROR_TERMS_OUTDATED },
    { "terms_not_accepted", 403, PASSPORT_ERROR_TERMS_NOT_ACCEPTED },
    { "email_exists", 409, PASSPORT_ERROR_EMAIL_EXISTS },
    { "email_already_bound", 409, PASSPORT_ERROR_EMAIL_ALREADY_BOUND },
    { "invalid_email", 422, PASSPORT_ERROR_INVALID_EMAIL },
    { "weak_password", 422, PASSPORT_ERROR_WEAK_PASSWORD },
    { "too_many_requests", 429, PASSPORT_ERROR_TOO_MANY_REQUESTS },
    { "no_pending_email", 409, PASSPORT_ERROR_NO_PENDING_EMAIL },
    { "invalid_password", 403, PASSPORT_ERROR_INVALID_PASSWORD },
    { "no_email", 409, PASSPORT_ERROR_NO_EMAIL },
    /* unknown codes fall back on the status */
    { "something_new", 400, PASSPORT_ERROR_FAILED },
    { "something_new", 401, PASSPORT_ERROR_INVALID_TOKEN },
    { "something_new", 429, PASSPORT_ERROR_TOO_MANY_REQUESTS },
    { "something_new", 503, PASSPORT_ERROR_SERVER_ERROR },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"error\":\"%s\",\"error_description\":\"English\"}",
                                               cases[i].name);
      g_autoptr(JsonNode) node = parse (json);
      g_autoptr(GError) error = passport_http_error_from_response (cases[i].status, NULL, node);

      g_assert_error (error, PASSPORT_ERROR, cases[i].code);
      /* The server's English text is never the message. */
      g_assert_null (strstr (error->message, "English"));
      g_assert_cmpstr (error->message, ==, passport_error_code_describe (cases[i].code));
    }
}

static void
test_error_details (void)
{
  {
    g_autoptr(JsonNode) node =
      parseq ("{'error':'weak_password','reasons':['too_short','contains_email'],'min_length':8}");
    g_autoptr(GError) error = passport_http_error_from_response (422, NULL, node);
    const char * const *reasons = passport_error_get_reasons (error);

    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_WEAK_PASSWORD);
    g_assert_nonnull (reasons);
    g_assert_cmpstr (reasons[0], ==, "too_short");
    g_assert_cmpstr (reasons[1], ==, "contains_email");
    g_assert_null (reasons[2]);
    g_assert_cmpuint (passport_error_get_min_length (error), ==, 8);
  }
  {
    g_autoptr(JsonNode) node = parseq ("{'error':'terms_outdated','version':'2025-02'}");
    g_autoptr(GError) error = passport_http_error_from_response (409, NULL, node);

    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_TERMS_OUTDATED);
    g_assert_cmpstr (passport_error_get_version (error), ==, "2025-02");
  }
  {
    /* Proof (contract 4): what the server accepts travels with the error. */
    g_autoptr(JsonNode) node = parseq ("{'error':'reauth_required','accepted':['password','otp']}");
    g_autoptr(GError) error = passport_http_error_from_response (403, NULL, node);
    g_autoptr(GError) copy = NULL;
    const char * const *accepted = passport_error_get_accepted (error);

    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_REAUTH_REQUIRED);
    g_assert_nonnull (accepted);
    g_assert_cmpstr (accepted[0], ==, "password");
    g_assert_cmpstr (accepted[1], ==, "otp");
    g_assert_null (accepted[2]);
    copy = g_error_copy (error);
    g_assert_cmpstr (passport_error_get_accepted (copy)[1], ==, "otp");
  }
  {
    const char *codes[] = { "invalid_otp", "otp_already_enabled", "otp_not_enabled",
                            "no_otp_setup", "not_found", "app_password_limit" };

    for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
      {
        PassportErrorCode code = passport_error_code_from_string (codes[i]);

        g_assert_cmpint (code, !=, PASSPORT_ERROR_FAILED);
        g_assert_cmpstr (passport_error_code_to_string (code), ==, codes[i]);
      }
  }
  {
    g_autoptr(JsonNode) node = parseq ("{'error':'too_many_requests','retry_after':42}");
    g_autoptr(GError) error = passport_http_error_from_response (429, NULL, node);

    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS);
    g_assert_cmpuint (passport_error_get_retry_after (error), ==, 42);
  }
  {
    /* Retry-After from the header when the body has none. */
    g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
    g_autoptr(JsonNode) node = parseq ("{'error':'too_many_requests'}");
    g_autoptr(GError) error = NULL;

    soup_message_headers_append (headers, "Retry-After", "17");
    error = passport_http_error_from_response (429, headers, node);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS);
    g_assert_cmpuint (passport_error_get_retry_after (error), ==, 17);
  }
  {
    /* 503 without a body, Retry-After as an HTTP date. */
    g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
    g_autoptr(GDateTime) later = NULL;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autofree char *date = NULL;
    g_autoptr(GError) error = NULL;
    guint retry;

    later = g_date_time_add_seconds (now, 120);
    date = soup_date_time_to_string (later, SOUP_DATE_HTTP);
    soup_message_headers_append (headers, "Retry-After", date);
    error = passport_http_error_from_response (503, headers, NULL);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_SERVER_ERROR);
    retry = passport_error_get_retry_after (error);
    g_assert_cmpuint (retry, >=, 100);
    g_assert_cmpuint (retry, <=, 121);
  }
  {
    /* Mistyped details are dropped, the error itself stays. */
    g_autoptr(JsonNode) node =
      parseq ("{'error':'weak_password','reasons':'too_short','min_length':'8','retry_after':'x'}");
    g_autoptr(GError) error = passport_http_error_from_response (422, NULL, node);

    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_WEAK_PASSWORD);
    g_assert_null (passport_error_get_reasons (error));
    g_assert_cmpuint (passport_error_get_min_length (error), ==, 0);
  }
  {
    /* `error` of the wrong type: judged by the status. */
    g_autoptr(JsonNode) node = parseq ("{'error':401}");
    g_autoptr(GError) error = passport_http_error_from_response (401, NULL, node);

    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_TOKEN);
  }
}

static void
test_transport_mapping (void)
{
  const struct { GQuark domain; int code; int expected; } cases[] = {
    { 0, G_IO_ERROR_CONNECTION_REFUSED, PASSPORT_ERROR_UNREACHABLE },
    { 0, G_IO_ERROR_HOST_UNREACHABLE, PASSPORT_ERROR_UNREACHABLE },
    { 0, G_IO_ERROR_NETWORK_UNREACHABLE, PASSPORT_ERROR_OFFLINE },
    { 0, G_IO_ERROR_TIMED_OUT, PASSPORT_ERROR_TIMEOUT },
    { 0, G_IO_ERROR_CONNECTION_CLOSED, PASSPORT_ERROR_UNREACHABLE },
    { 0, G_IO_ERROR_PARTIAL_INPUT, PASSPORT_ERROR_BAD_RESPONSE },
    { 1, G_TLS_ERROR_BAD_CERTIFICATE, PASSPORT_ERROR_TLS },
    { 1, G_TLS_ERROR_HANDSHAKE, PASSPORT_ERROR_TLS },
    { 2, G_RESOLVER_ERROR_NOT_FOUND, PASSPORT_ERROR_UNREACHABLE },
    { 3, SOUP_SESSION_ERROR_PARSING, PASSPORT_ERROR_BAD_RESPONSE },
    { 3, SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS, PASSPORT_ERROR_BAD_RESPONSE },
  };
  GQuark domains[4] = { G_IO_ERROR, G_TLS_ERROR, G_RESOLVER_ERROR, SOUP_SESSION_ERROR };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) in = g_error_new_literal (domains[cases[i].domain], cases[i].code, "x");
      g_autoptr(GError) out = passport_http_map_transport_error (in);

      g_assert_error (out, PASSPORT_ERROR, cases[i].expected);
    }

  {
    g_autoptr(GError) in = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
    g_autoptr(GError) out = passport_http_map_transport_error (in);

    g_assert_error (out, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

static void
test_accept_language (void)
{
  g_autofree char *value = NULL;

  g_setenv ("LANGUAGE", "ru_RU:en", TRUE);
  g_setenv ("LC_ALL", "ru_RU.UTF-8", TRUE);
  value = passport_http_accept_language ();
  g_assert_nonnull (value);
  g_assert_true (g_str_has_prefix (value, "ru-RU, ru;q=0.9"));
  g_assert_nonnull (strstr (value, "en;q="));
  g_assert_null (strstr (value, "UTF-8"));
  g_assert_null (strstr (value, "C"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/parsers/json-text", test_json_text);
  g_test_add_func ("/parsers/discovery/ok", test_discovery_ok);
  g_test_add_func ("/parsers/discovery/plain-oidc", test_discovery_plain_oidc);
  g_test_add_func ("/parsers/discovery/features", test_discovery_features);
  g_test_add_func ("/parsers/discovery/bad", test_discovery_bad);
  g_test_add_func ("/parsers/normalize-url", test_normalize_url);
  g_test_add_func ("/parsers/providers", test_providers);
  g_test_add_func ("/parsers/terms", test_terms);
  g_test_add_func ("/parsers/account", test_account);
  g_test_add_func ("/parsers/account/bad", test_account_bad);
  g_test_add_func ("/parsers/account/update", test_account_update);
  g_test_add_func ("/parsers/account/otp", test_account_otp);
  g_test_add_func ("/parsers/app-password", test_app_password);
  g_test_add_func ("/parsers/otp-code-normalize", test_otp_code_normalize);
  g_test_add_func ("/parsers/group-in-fours", test_group_in_fours);
  g_test_add_func ("/parsers/session-info", test_session_info);
  g_test_add_func ("/parsers/device-name", test_device_name);
  g_test_add_func ("/parsers/discovery-scopes", test_discovery_scopes);
  g_test_add_func ("/parsers/server-settings", test_server_settings);
  g_test_add_func ("/parsers/userinfo", test_userinfo);
  g_test_add_func ("/parsers/display-name-fallback", test_display_name_fallback);
  g_test_add_func ("/parsers/token-response", test_token_response);
  g_test_add_func ("/parsers/token-lifetime", test_token_lifetime);
  g_test_add_func ("/parsers/token-characters", test_token_characters);
  g_test_add_func ("/parsers/id-token", test_id_token);
  g_test_add_func ("/parsers/error-mapping", test_error_mapping);
  g_test_add_func ("/parsers/error-details", test_error_details);
  g_test_add_func ("/parsers/transport-mapping", test_transport_mapping);
  /* Last: it changes the process locale. */
  g_test_add_func ("/parsers/accept-language", test_accept_language);

  return g_test_run ();
}
