// SPDX-License-Identifier: GPL-3.0-or-later
//
// OpenID Connect / OAuth 2.0 half of the contract: discovery, the stand-in
// social sign-in, the token endpoint (code + PKCE, refresh rotation with
// reuse detection, password grant with throttling), revocation, userinfo.
#include "config.h"

#include <string.h>

#include "pd.h"

typedef struct
{
  const char *id;
  gboolean first_party;      /* may use the password grant */
  const char *exact_redirect; /* NULL: loopback, any port, path /callback */
  const char *name;           /* for people: the session list's client_name */
} PdClient;

static const PdClient clients[] = {
  { "passport-desktop", TRUE, NULL, "Passport" },
  { "passport-test-thirdparty", FALSE, "https://thirdparty.example/cb", "Third-Party Test Client" },
};

static const PdClient *
find_client (const char *id)
{
  for (guint i = 0; id != NULL && i < G_N_ELEMENTS (clients); i++)
    if (g_str_equal (clients[i].id, id))
      return &clients[i];
  return NULL;
}

gboolean
pd_client_known (const char *client_id)
{
  return find_client (client_id) != NULL;
}

static gboolean
redirect_allowed (const PdClient *client,
                  const char     *redirect_uri)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (redirect_uri == NULL)
    return FALSE;
  if (client->exact_redirect != NULL)
    return g_str_equal (client->exact_redirect, redirect_uri);

  /* RFC 8252 §7.3: a loopback IP literal, any port, the registered path. */
  uri = g_uri_parse (redirect_uri, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "http") != 0)
    return FALSE;
  host = g_uri_get_host (uri);
  if (g_strcmp0 (host, "127.0.0.1") != 0 && g_strcmp0 (host, "::1") != 0)
    return FALSE;
  return g_uri_get_port (uri) > 0 &&
         g_uri_get_userinfo (uri) == NULL &&
         g_uri_get_query (uri) == NULL &&
         g_uri_get_fragment (uri) == NULL &&
         g_strcmp0 (g_uri_get_path (uri), "/callback") == 0;
}

/* redirect_uri?k=v&… with the values form-encoded. */
static char *
redirect_with (const char *redirect_uri,
               ...)
{
  GString *out = g_string_new (redirect_uri);
  va_list args;
  const char *key;
  char sep = '?';

  va_start (args, redirect_uri);
  while ((key = va_arg (args, const char *)) != NULL)
    {
      const char *value = va_arg (args, const char *);
      if (value == NULL)
        continue;
      g_string_append_c (out, sep);
      g_string_append_uri_escaped (out, key, NULL, FALSE);
      g_string_append_c (out, '=');
      g_string_append_uri_escaped (out, value, NULL, FALSE);
      sep = '&';
    }
  va_end (args);

  return g_string_free (out, FALSE);
}

static void
respond_html_error (SoupServerMessage *msg,
                    PdLang             lang,
                    guint              status,
                    PdText             text)
{
  g_autoptr(GString) body = g_string_new ("<p class=\"error\">");
  g_autofree char *page = NULL;

  pd_html_escape (body, pd_text (lang, text));
  g_string_append (body, "</p>");
  page = pd_html_page (lang, pd_text (lang, PD_T_BAD_REQUEST_TITLE), body->str);
  pd_respond_html (msg, status, page);
}

/* Discovery and keys ---------------------------------------------------- */

static void
add_strings (JsonObject *object,
             const char *member,
             ...)
{
  JsonArray *array = json_array_new ();
  va_list args;
  const char *s;

  va_start (args, member);
  while ((s = va_arg (args, const char *)) != NULL)
    json_array_add_string_element (array, s);
  va_end (args);

  json_object_set_array_member (object, member, array);
}

static char *
url (Pd         *pd,
     const char *path)
{
  return g_strconcat (pd->public_url, path, NULL);
}

static void
set_url (Pd         *pd,
         JsonObject *o,
         const char *member,
         const char *path)
{
  g_autofree char *u = url (pd, path);
  json_object_set_string_member (o, member, u);
}

void
pd_handle_discovery (Pd                *pd,
                     SoupServerMessage *msg)
{
  g_autoptr(JsonObject) o = json_object_new ();

  json_object_set_string_member (o, "issuer", pd->public_url);
  set_url (pd, o, "authorization_endpoint", "/oauth/authorize");
  set_url (pd, o, "token_endpoint", "/oauth/token");
  set_url (pd, o, "revocation_endpoint", "/oauth/revoke");
  set_url (pd, o, "userinfo_endpoint", "/oauth/userinfo");
  set_url (pd, o, "jwks_uri", "/oauth/jwks");
  set_url (pd, o, "passport_api_endpoint", "/api/v1");
  if (pd_feature_on (pd, PD_FEATURE_DEVICE))
    set_url (pd, o, "device_authorization_endpoint", "/oauth/device");
  add_strings (o, "scopes_supported", "openid", "profile", "email", "passport", NULL);
  add_strings (o, "response_types_supported", "code", NULL);
  add_strings (o, "grant_types_supported", "authorization_code", "refresh_token", "password",
               pd_feature_on (pd, PD_FEATURE_OTP) ? PD_GRANT_OTP : NULL, NULL);
  if (pd_feature_on (pd, PD_FEATURE_DEVICE))
    json_array_add_string_element (json_object_get_array_member (o, "grant_types_supported"),
                                   PD_GRANT_DEVICE);
  add_strings (o, "code_challenge_methods_supported", "S256", NULL);
  add_strings (o, "token_endpoint_auth_methods_supported", "none", NULL);
  add_strings (o, "subject_types_supported", "public", NULL);
  add_strings (o, "id_token_signing_alg_values_supported", "RS256", NULL);
  add_strings (o, "claims_supported", "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce",
               "name", "email", "email_verified", NULL);
  json_object_set_boolean_member (o, "authorization_response_iss_parameter_supported", TRUE);
  json_object_set_array_member (o, "passport_features", pd_features_json (pd));

  pd_respond_object (msg, SOUP_STATUS_OK, o);
}

void
pd_handle_jwks (Pd                *pd,
                SoupServerMessage *msg)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    pd->jwks, strlen (pd->jwks));
}

/* Authorization endpoint and the stand-in social page --------------------- */

void
pd_render_social_form (Pd                *pd,
                       SoupServerMessage *msg,
                       const char        *redirect_uri,
                       PdLang             lang,
                       const PdProvider  *provider,
                       const char        *flow_id,
                       const char        *csrf,
                       const char        *email,
                       const char        *name,
                       gboolean           verified,
                       gboolean           email_error)
{
  g_autoptr(GString) b = g_string_new (NULL);
  g_autofree char *title = pd_text_fill (lang, PD_T_SIGN_IN_WITH, provider->name, NULL);
  g_autofree char *page = NULL;

  g_string_append (b, "<p>");
  pd_html_escape (b, pd_text (lang, PD_T_SOCIAL_INTRO));
  g_string_append (b, "</p>\n<form method=\"post\" action=\"/oauth/social\">\n"
                      "<input type=\"hidden\" name=\"flow\" value=\"");
  pd_html_escape (b, flow_id);
  g_string_append (b, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
  pd_html_escape (b, csrf);
  g_string_append (b, "\">\n<label for=\"email\">");
  pd_html_escape (b, pd_text (lang, PD_T_EMAIL));
  g_string_append (b, "</label>\n<input id=\"email\" name=\"email\" type=\"email\" required autofocus value=\"");
  pd_html_escape (b, email);
  g_string_append (b, "\">\n");
  if (email_error)
    {
      g_string_append (b, "<p class=\"error\" role=\"alert\">");
      pd_html_escape (b, pd_text (lang, PD_T_EMAIL_INVALID));
      g_string_append (b, "</p>\n");
    }
  g_string_append (b, "<label for=\"name\">");
  pd_html_escape (b, pd_text (lang, PD_T_NAME));
  g_string_append (b, "</label>\n<input id=\"name\" name=\"name\" type=\"text\" value=\"");
  pd_html_escape (b, name);
  g_string_append_printf (b, "\">\n<label><input id=\"verified\" name=\"verified\" type=\"checkbox\" value=\"1\"%s> ",
                          verified ? " checked" : "");
  pd_html_escape (b, pd_text (lang, PD_T_VERIFIED));
  g_string_append (b, "</label>\n<button id=\"continue\" name=\"action\" value=\"continue\" type=\"submit\">");
  pd_html_escape (b, pd_text (lang, PD_T_CONTINUE));
  g_string_append (b, "</button>\n<button id=\"cancel\" name=\"action\" value=\"cancel\" type=\"submit\" formnovalidate>");
  pd_html_escape (b, pd_text (lang, PD_T_CANCEL));
  g_string_append (b, "</button>\n</form>");

  page = pd_html_page (lang, title, b->str);
  pd_respond_html_form (msg, email_error ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_OK, page, redirect_uri);
}

/* OpenID Connect Core §3.1.2.1: max_age, when given, is a number of
 * seconds (absent is fine too). */
static gboolean
max_age_valid (const char *max_age)
{
  return max_age == NULL ||
         g_ascii_string_to_unsigned (max_age, 10, 0, G_MAXINT32, NULL, NULL);
}

void
pd_handle_authorize (Pd                *pd,
                     SoupServerMessage *msg,
                     GHashTable        *query)
{
  PdLang lang = pd_request_lang (msg);
  const char *client_id = query ? g_hash_table_lookup (query, "client_id") : NULL;
  const char *redirect_uri = query ? g_hash_table_lookup (query, "redirect_uri") : NULL;
  const char *state, *nonce, *challenge, *method, *scope, *response_type, *provider_id, *max_age;
  const PdClient *client = find_client (client_id);
  const PdProvider *provider;
  g_autofree char *iss_error = NULL;
  g_autofree char *flow_id = NULL;
  g_autofree char *csrf = NULL;
  g_autofree char *csrf_hash = NULL;
  g_autofree char *cookie = NULL;

  /* RFC 6749 §4.1.2.1: never redirect to an unverified redirect URI. */
  if (client == NULL)
    {
      respond_html_error (msg, lang, SOUP_STATUS_BAD_REQUEST, PD_T_BAD_CLIENT);
      return;
    }
  if (!redirect_allowed (client, redirect_uri))
    {
      respond_html_error (msg, lang, SOUP_STATUS_BAD_REQUEST, PD_T_BAD_REDIRECT);
      return;
    }

  state = g_hash_table_lookup (query, "state");
  nonce = g_hash_table_lookup (query, "nonce");
  challenge = g_hash_table_lookup (query, "code_challenge");
  method = g_hash_table_lookup (query, "code_challenge_method");
  scope = g_hash_table_lookup (query, "scope");
  response_type = g_hash_table_lookup (query, "response_type");
  provider_id = g_hash_table_lookup (query, "provider");
  max_age = g_hash_table_lookup (query, "max_age");

  if (g_strcmp0 (response_type, "code") != 0 ||
      !max_age_valid (max_age) ||
      challenge == NULL || strlen (challenge) != 43 ||
      g_strcmp0 (method, "S256") != 0 ||
      scope == NULL || strstr (scope, "openid") == NULL ||
      (provider_id != NULL && pd_find_provider (pd, provider_id) == NULL))
    {
      const char *description =
        g_strcmp0 (response_type, "code") != 0 ? "response_type must be code" :
        (challenge == NULL || g_strcmp0 (method, "S256") != 0) ? "PKCE with S256 is required" :
        (challenge != NULL && strlen (challenge) != 43) ? "code_challenge is malformed" :
        (scope == NULL || strstr (scope, "openid") == NULL) ? "scope must include openid" :
        !max_age_valid (max_age) ? "max_age must be a number of seconds" :
        "unknown provider";
      g_autofree char *location = redirect_with (redirect_uri,
                                                 "error", "invalid_request",
                                                 "error_description", description,
                                                 "state", state,
                                                 "iss", pd->public_url,
                                                 NULL);
      pd_respond_redirect (msg, location);
      return;
    }

  if (provider_id == NULL)
    {
      /* Let the user choose a network: links to this request + provider. */
      g_autoptr(GString) b = g_string_new ("<p>");
      g_autofree char *page = NULL;

      pd_html_escape (b, pd_text (lang, PD_T_CHOOSE_PROVIDER));
      g_string_append (b, "</p>\n<ul>\n");
      for (guint i = 0; i < pd->providers->len; i++)
        {
          const PdProvider *p = g_ptr_array_index (pd->providers, i);
          g_autofree char *with_provider = NULL;
          g_autofree char *encoded = soup_form_encode_hash (query);
          g_autofree char *href = NULL;

          with_provider = g_strconcat (encoded, "&provider=", NULL);
          href = g_strconcat ("/oauth/authorize?", with_provider, NULL);
          g_string_append (b, "<li><a href=\"");
          pd_html_escape (b, href);
          g_string_append_uri_escaped (b, p->id, NULL, FALSE);
          g_string_append (b, "\">");
          pd_html_escape (b, p->name);
          g_string_append (b, "</a></li>\n");
        }
      g_string_append (b, "</ul>");
      page = pd_html_page (lang, pd_text (lang, PD_T_CHOOSE_TITLE), b->str);
      pd_respond_html (msg, SOUP_STATUS_OK, page);
      return;
    }

  provider = pd_find_provider (pd, provider_id);
  flow_id = pd_random_token (16);
  csrf = pd_random_token (32);
  csrf_hash = pd_sha256_hex (csrf);

  pd_db_exec (pd,
              "INSERT INTO auth_requests (id, csrf_hash, client_id, redirect_uri, state, nonce,"
              " code_challenge, scope, provider, language, expires_at)"
              " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              "ssssssssssi", flow_id, csrf_hash, client->id, redirect_uri, state, nonce,
              challenge, scope, provider->id, pd_lang_code (lang),
              pd_now () + PD_AUTH_REQUEST_TTL);

  cookie = g_strdup_printf ("pd_csrf=%s; Path=/oauth; HttpOnly; SameSite=Strict", csrf);
  soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie", cookie);
  pd_render_social_form (pd, msg, redirect_uri, lang, provider, flow_id, csrf,
                         g_hash_table_lookup (query, "login_hint"), NULL,
                         provider->verified_default, FALSE);
}

char *
pd_identity_subject (const char *provider,
                     const char *email)
{
  g_autofree char *subject_input = g_strconcat (provider, ":", email, NULL);
  char *subject = pd_sha256_hex (subject_input);

  subject[32] = '\0';
  return subject;
}

/* The stand-in identity: one per provider + e-mail. Returns the account id. */
char *
pd_identity_sign_in (Pd         *pd,
                     const char *provider,
                     const char *email,
                     const char *name,
                     gboolean    verified,
                     const char *language)
{
  g_autofree char *subject = pd_identity_subject (provider, email);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  char *account_id = NULL;

  stmt = pd_db_prepare (pd, "SELECT account_id, email_verified FROM identities"
                            " WHERE provider = ? AND subject = ?", "ss", provider, subject);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      account_id = pd_db_column_text (stmt, 0);
      if ((sqlite3_column_int (stmt, 1) != 0) != verified)
        {
          pd_db_exec (pd, "UPDATE identities SET email_verified = ? WHERE provider = ? AND subject = ?",
                      "iss", (gint64) verified, provider, subject);
          pd_db_exec (pd, "UPDATE accounts SET revision = revision + 1 WHERE id = ?", "s", account_id);
          pd_account_changed (pd, account_id);
        }
      return account_id;
    }

  {
    g_autofree char *random = pd_random_token (12);
    g_autofree char *display = NULL;

    account_id = g_strconcat ("acc_", random, NULL);
    if (name != NULL && *g_strstrip ((char *) name) != '\0')
      display = g_strdup (name);
    else
      display = g_strndup (email, strcspn (email, "@"));

    pd_db_begin (pd);
    pd_db_exec (pd, "INSERT INTO accounts (id, display_name, language, created_at) VALUES (?, ?, ?, ?)",
                "sssi", account_id, display, language, pd_now ());
    pd_db_exec (pd, "INSERT INTO identities (provider, subject, account_id, email, email_verified, linked_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)", "ssssii", provider, subject, account_id, email,
                (gint64) verified, pd_now ());
    pd_db_commit (pd);
    g_info ("new account from a %s identity", provider);
  }

  return account_id;
}

/* A browser sign-in that passed: the flow is used up, a code goes back. */
typedef struct
{
  char *flow_id;
  char *csrf;
  char *account_id;
  char *client_id;
  char *redirect_uri;
  char *state;
  char *nonce;
  char *challenge;
  char *scope;
  PdLang lang;
} SocialFlow;

static void social_flow_free (SocialFlow *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SocialFlow, social_flow_free)

static void
social_flow_free (SocialFlow *f)
{
  g_free (f->flow_id);
  g_free (f->csrf);
  g_free (f->account_id);
  g_free (f->client_id);
  g_free (f->redirect_uri);
  g_free (f->state);
  g_free (f->nonce);
  g_free (f->challenge);
  g_free (f->scope);
  g_free (f);
}

static void
social_finish (Pd                *pd,
               SoupServerMessage *msg,
               SocialFlow        *f)
{
  g_autofree char *code = NULL;
  g_autofree char *code_hash = NULL;
  g_autofree char *location = NULL;

  /* a second post of the flow (the code step done twice at once) */
  pd_db_exec (pd, "DELETE FROM auth_requests WHERE id = ?", "s", f->flow_id);
  if (sqlite3_changes (pd->db) != 1)
    {
      respond_html_error (msg, f->lang, SOUP_STATUS_BAD_REQUEST, PD_T_FLOW_EXPIRED);
      return;
    }

  code = pd_random_token (32);
  code_hash = pd_sha256_hex (code);
  pd_db_exec (pd,
              "INSERT INTO codes (hash, account_id, client_id, redirect_uri, code_challenge, nonce,"
              " scope, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              "sssssssi", code_hash, f->account_id, f->client_id, f->redirect_uri, f->challenge, f->nonce,
              f->scope, pd_now () + PD_CODE_TTL);

  location = redirect_with (f->redirect_uri, "code", code, "state", f->state, "iss", pd->public_url, NULL);
  pd_respond_redirect (msg, location);
  explicit_bzero (code, strlen (code));
}

/* The second step of a browser sign-in for an account with two-step
 * sign-in: one field for a TOTP or a recovery code. */
static void
render_code_form (Pd                *pd,
                  SoupServerMessage *msg,
                  SocialFlow        *f,
                  PdText             error,
                  guint              status)
{
  g_autoptr(GString) b = g_string_new (NULL);
  g_autofree char *page = NULL;

  g_string_append (b, "<p>");
  pd_html_escape (b, pd_text (f->lang, PD_T_OTP_INTRO));
  g_string_append (b, "</p>\n<form method=\"post\" action=\"/oauth/social\">\n"
                      "<input type=\"hidden\" name=\"flow\" value=\"");
  pd_html_escape (b, f->flow_id);
  g_string_append (b, "\">\n<input type=\"hidden\" name=\"csrf\" value=\"");
  pd_html_escape (b, f->csrf);
  g_string_append (b, "\">\n<label for=\"code\">");
  pd_html_escape (b, pd_text (f->lang, PD_T_OTP_CODE));
  g_string_append (b, "</label>\n<input id=\"code\" name=\"code\" type=\"text\" autocomplete=\"one-time-code\""
                      " spellcheck=\"false\" required autofocus>\n");
  if (status != SOUP_STATUS_OK)
    {
      g_string_append (b, "<p class=\"error\" id=\"code-error\" role=\"alert\">");
      pd_html_escape (b, pd_text (f->lang, error));
      g_string_append (b, "</p>\n");
    }
  g_string_append (b, "<button id=\"continue\" name=\"action\" value=\"continue\" type=\"submit\">");
  pd_html_escape (b, pd_text (f->lang, PD_T_CONTINUE));
  g_string_append (b, "</button>\n<button id=\"cancel\" name=\"action\" value=\"cancel\" type=\"submit\" formnovalidate>");
  pd_html_escape (b, pd_text (f->lang, PD_T_CANCEL));
  g_string_append (b, "</button>\n</form>");

  page = pd_html_page (f->lang, pd_text (f->lang, PD_T_OTP_TITLE), b->str);
  pd_respond_html_form (msg, status, page, f->redirect_uri);
}

static void
social_code_checked (Pd                *pd,
                     SoupServerMessage *msg,
                     const char        *account_id,
                     PdCodeResult       result,
                     gint64             retry_after,
                     gpointer           data)
{
  SocialFlow *f = data;

  if (result == PD_CODE_OK)
    social_finish (pd, msg, f);
  else if (result == PD_CODE_THROTTLED)
    {
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (retry_after, 1));

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", value);
      render_code_form (pd, msg, f, PD_T_OTP_TOO_MANY, PD_STATUS_TOO_MANY_REQUESTS);
    }
  else
    render_code_form (pd, msg, f, PD_T_OTP_WRONG, SOUP_STATUS_BAD_REQUEST);
}

void
pd_handle_social (Pd                *pd,
                  SoupServerMessage *msg)
{
  PdLang lang = pd_request_lang (msg);
  g_autoptr(GHashTable) form = pd_request_form (msg);
  const char *flow_id, *csrf, *action, *email_in, *name;
  g_autofree char *cookie = pd_cookie (msg, "pd_csrf");
  g_autofree char *csrf_hash = NULL;
  g_autofree char *redirect_uri = NULL, *state = NULL, *nonce = NULL, *challenge = NULL;
  g_autofree char *scope = NULL, *provider_id = NULL, *client_id = NULL, *language = NULL;
  g_autofree char *stored_csrf_hash = NULL;
  g_autofree char *email = NULL;
  g_autofree char *location = NULL;
  g_autoptr(SocialFlow) flow = NULL;
  gboolean verified;

  if (form == NULL)
    {
      respond_html_error (msg, lang, SOUP_STATUS_BAD_REQUEST, PD_T_FLOW_EXPIRED);
      return;
    }

  flow_id = g_hash_table_lookup (form, "flow");
  csrf = g_hash_table_lookup (form, "csrf");
  action = g_hash_table_lookup (form, "action");
  email_in = g_hash_table_lookup (form, "email");
  name = g_hash_table_lookup (form, "name");
  verified = g_strcmp0 (g_hash_table_lookup (form, "verified"), "1") == 0;

  /* the stand-in page of a link_url (section 10): pd-identities.c */
  if (pd_identity_link_social (pd, msg, form))
    return;

  {
    g_autoptr(sqlite3_stmt) stmt =
      pd_db_prepare (pd, "SELECT csrf_hash, client_id, redirect_uri, state, nonce, code_challenge,"
                         " scope, provider, language FROM auth_requests WHERE id = ? AND expires_at >= ?",
                     "si", flow_id, pd_now ());
    if (flow_id == NULL || sqlite3_step (stmt) != SQLITE_ROW)
      {
        respond_html_error (msg, lang, SOUP_STATUS_BAD_REQUEST, PD_T_FLOW_EXPIRED);
        return;
      }
    stored_csrf_hash = pd_db_column_text (stmt, 0);
    client_id = pd_db_column_text (stmt, 1);
    redirect_uri = pd_db_column_text (stmt, 2);
    state = pd_db_column_text (stmt, 3);
    nonce = pd_db_column_text (stmt, 4);
    challenge = pd_db_column_text (stmt, 5);
    scope = pd_db_column_text (stmt, 6);
    provider_id = pd_db_column_text (stmt, 7);
    language = pd_db_column_text (stmt, 8);
  }

  /* Double-submit: the form field must equal the cookie, and belong to the flow. */
  csrf_hash = csrf ? pd_sha256_hex (csrf) : NULL;
  if (csrf == NULL || cookie == NULL || !pd_constant_equal (csrf, cookie) ||
      !pd_constant_equal (csrf_hash, stored_csrf_hash))
    {
      respond_html_error (msg, lang, SOUP_STATUS_FORBIDDEN, PD_T_CSRF);
      return;
    }

  if (g_strcmp0 (action, "cancel") == 0)
    {
      pd_db_exec (pd, "DELETE FROM auth_requests WHERE id = ?", "s", flow_id);
      location = redirect_with (redirect_uri,
                                "error", "access_denied",
                                "error_description", "The user cancelled the sign-in",
                                "state", state,
                                "iss", pd->public_url,
                                NULL);
      pd_respond_redirect (msg, location);
      return;
    }

  flow = g_new0 (SocialFlow, 1);
  flow->flow_id = g_strdup (flow_id);
  flow->csrf = g_strdup (csrf);
  flow->client_id = g_strdup (client_id);
  flow->redirect_uri = g_strdup (redirect_uri);
  flow->state = g_strdup (state);
  flow->nonce = g_strdup (nonce);
  flow->challenge = g_strdup (challenge);
  flow->scope = g_strdup (scope);
  flow->lang = lang;

  /* the second step, when the identity's account has two-step sign-in */
  {
    g_autoptr(sqlite3_stmt) step =
      pd_db_prepare (pd, "SELECT account_id FROM auth_request_otp WHERE flow_id = ?", "s", flow_id);

    if (sqlite3_step (step) == SQLITE_ROW)
      {
        const char *typed = g_hash_table_lookup (form, "code");

        flow->account_id = pd_db_column_text (step, 0);
        if (g_strcmp0 (action, "continue") != 0 || typed == NULL || *g_strstrip ((char *) typed) == '\0')
          render_code_form (pd, msg, flow, PD_T_OTP_WRONG, SOUP_STATUS_BAD_REQUEST);
        else
          {
            /* the callback's data owns the id: no argument may read flow
             * after g_steal_pointer() in an unspecified order */
            const char *account_id = flow->account_id;
            SocialFlow *data = g_steal_pointer (&flow);

            pd_otp_check_code (pd, msg, account_id, typed, social_code_checked,
                               data, (GDestroyNotify) social_flow_free);
          }
        return;
      }
  }

  email = email_in ? g_utf8_strdown (g_strstrip ((char *) email_in), -1) : NULL;
  if (g_strcmp0 (action, "continue") != 0 || !pd_email_valid (email))
    {
      const PdProvider *provider = pd_find_provider (pd, provider_id);
      PdProvider fallback = { provider_id, provider_id, FALSE };
      pd_render_social_form (pd, msg, redirect_uri, lang, provider ? provider : &fallback, flow_id, csrf,
                             email_in, name, verified, TRUE);
      return;
    }

  flow->account_id = pd_identity_sign_in (pd, provider_id, email, name, verified, language);
  if (pd_otp_enabled (pd, flow->account_id))
    {
      pd_db_exec (pd, "INSERT OR REPLACE INTO auth_request_otp (flow_id, account_id) VALUES (?, ?)",
                  "ss", flow_id, flow->account_id);
      render_code_form (pd, msg, flow, PD_T_OTP_WRONG, SOUP_STATUS_OK);
      return;
    }
  social_finish (pd, msg, flow);
}

/* Tokens ------------------------------------------------------------------ */

static void
revoke_family (Pd         *pd,
               const char *family_id)
{
  if (family_id == NULL)
    return;
  pd_db_exec (pd, "UPDATE token_families SET revoked = 1 WHERE id = ?", "s", family_id);
  g_info ("token family revoked");
}

gint64
pd_family_auth_time (Pd         *pd,
                     const char *family)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (family == NULL)
    return 0;
  stmt = pd_db_prepare (pd, "SELECT created_at FROM token_families WHERE id = ?", "s", family);
  return sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
}

JsonObject *
pd_issue_tokens (Pd         *pd,
                 const char *account_id,
                 const char *client_id,
                 const char *scope,
                 const char *family_in,
                 const char *nonce,
                 char      **family_out)
{
  g_autofree char *family = family_in ? g_strdup (family_in) : pd_random_token (16);
  g_autofree char *access = pd_random_token (32);
  g_autofree char *refresh = pd_random_token (32);
  g_autofree char *access_hash = pd_sha256_hex (access);
  g_autofree char *refresh_hash = pd_sha256_hex (refresh);
  gint64 now = pd_now ();
  gint64 auth_time = pd_family_auth_time (pd, family_in);  /* 0: a new session */
  /* the family lives (is not pruned) while its newest tokens do */
  gint64 family_expires = now + MAX (pd->access_token_ttl, PD_REFRESH_TTL);
  JsonObject *o = json_object_new ();

  if (family_in == NULL)
    pd_db_exec (pd, "INSERT INTO token_families (id, account_id, client_id, scope, created_at, expires_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)", "ssssii", family, account_id, client_id, scope, now,
                family_expires);
  else
    pd_db_exec (pd, "UPDATE token_families SET expires_at = MAX (expires_at, ?) WHERE id = ?",
                "is", family_expires, family);
  pd_db_exec (pd, "INSERT INTO access_tokens (hash, family_id, expires_at) VALUES (?, ?, ?)",
              "ssi", access_hash, family, now + pd->access_token_ttl);
  pd_db_exec (pd, "INSERT INTO refresh_tokens (hash, family_id, expires_at) VALUES (?, ?, ?)",
              "ssi", refresh_hash, family, now + PD_REFRESH_TTL);

  json_object_set_string_member (o, "access_token", access);
  json_object_set_string_member (o, "token_type", "Bearer");
  json_object_set_int_member (o, "expires_in", pd->access_token_ttl);
  json_object_set_string_member (o, "refresh_token", refresh);
  json_object_set_string_member (o, "scope", scope);

  {
    g_autoptr(sqlite3_stmt) stmt = pd_db_prepare (pd, "SELECT email, display_name FROM accounts WHERE id = ?",
                                                  "s", account_id);
    g_autoptr(JsonObject) claims = json_object_new ();
    g_autofree char *jwt = NULL;

    json_object_set_string_member (claims, "iss", pd->public_url);
    json_object_set_string_member (claims, "sub", account_id);
    json_object_set_string_member (claims, "aud", client_id);
    json_object_set_int_member (claims, "iat", now);
    json_object_set_int_member (claims, "exp", now + pd->access_token_ttl);
    /* The user signs in on the page at every authorization request (there
     * is no sign-in cookie to skip it), so max_age=0 needs nothing more;
     * auth_time is when the grant began this session, as the proof rule
     * counts it. */
    json_object_set_int_member (claims, "auth_time", auth_time > 0 ? auth_time : now);
    if (nonce != NULL)
      json_object_set_string_member (claims, "nonce", nonce);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      {
        json_object_set_string_member (claims, "name", (const char *) sqlite3_column_text (stmt, 1));
        if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
          {
            json_object_set_string_member (claims, "email", (const char *) sqlite3_column_text (stmt, 0));
            json_object_set_boolean_member (claims, "email_verified", TRUE);
          }
        else
          {
            /* Nothing bound yet: the address the social network gave, as
             * verified as that network says. */
            g_autoptr(sqlite3_stmt) identity =
              pd_db_prepare (pd, "SELECT email, email_verified FROM identities WHERE account_id = ?"
                                 " ORDER BY email_verified DESC, provider LIMIT 1", "s", account_id);
            if (sqlite3_step (identity) == SQLITE_ROW)
              {
                json_object_set_string_member (claims, "email", (const char *) sqlite3_column_text (identity, 0));
                json_object_set_boolean_member (claims, "email_verified", sqlite3_column_int (identity, 1) != 0);
              }
          }
      }
    jwt = pd_jwt_sign (pd, claims);
    json_object_set_string_member (o, "id_token", jwt);
  }

  if (family_out != NULL)
    *family_out = g_steal_pointer (&family);

  explicit_bzero (access, strlen (access));
  explicit_bzero (refresh, strlen (refresh));
  return o;
}

static void
respond_tokens (SoupServerMessage *msg,
                JsonObject        *tokens)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Pragma", "no-cache");
  pd_respond_object (msg, SOUP_STATUS_OK, tokens);
}

static gboolean
verifier_well_formed (const char *verifier)
{
  gsize len = verifier ? strlen (verifier) : 0;

  if (len < 43 || len > 128)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (verifier[i]) && strchr ("-._~", verifier[i]) == NULL)
      return FALSE;
  return TRUE;
}

static void
grant_code (Pd                *pd,
            SoupServerMessage *msg,
            const PdClient    *client,
            GHashTable        *form)
{
  const char *code = g_hash_table_lookup (form, "code");
  const char *redirect_uri = g_hash_table_lookup (form, "redirect_uri");
  const char *verifier = g_hash_table_lookup (form, "code_verifier");
  g_autofree char *code_hash = NULL;
  g_autofree char *account_id = NULL, *client_id = NULL, *stored_redirect = NULL;
  g_autofree char *challenge = NULL, *nonce = NULL, *scope = NULL, *family = NULL;
  g_autofree char *computed = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  gint64 expires_at;

  if (code == NULL || redirect_uri == NULL || verifier == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "code, redirect_uri and code_verifier are required", NULL);
      return;
    }

  code_hash = pd_sha256_hex (code);
  {
    g_autoptr(sqlite3_stmt) stmt =
      pd_db_prepare (pd, "SELECT account_id, client_id, redirect_uri, code_challenge, nonce, scope,"
                         " expires_at, family_id FROM codes WHERE hash = ?", "s", code_hash);
    if (sqlite3_step (stmt) != SQLITE_ROW)
      {
        pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The code is not valid", NULL);
        return;
      }
    account_id = pd_db_column_text (stmt, 0);
    client_id = pd_db_column_text (stmt, 1);
    stored_redirect = pd_db_column_text (stmt, 2);
    challenge = pd_db_column_text (stmt, 3);
    nonce = pd_db_column_text (stmt, 4);
    scope = pd_db_column_text (stmt, 5);
    expires_at = sqlite3_column_int64 (stmt, 6);
    family = pd_db_column_text (stmt, 7);
  }

  if (family != NULL)
    {
      /* RFC 6749 §4.1.2: a replayed code revokes what it was exchanged for. */
      revoke_family (pd, family);
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The code was already used", NULL);
      return;
    }
  if (expires_at < pd_now ())
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The code has expired", NULL);
      return;
    }
  if (!g_str_equal (client_id, client->id) || !g_str_equal (stored_redirect, redirect_uri))
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                        "The code was issued to another client or redirect_uri", NULL);
      return;
    }
  computed = verifier_well_formed (verifier) ? pd_sha256_b64url (verifier) : NULL;
  if (computed == NULL || !pd_constant_equal (computed, challenge))
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                        "The code_verifier does not match", NULL);
      return;
    }

  tokens = pd_issue_tokens (pd, account_id, client->id, scope, NULL, nonce, &family);
  pd_db_exec (pd, "UPDATE codes SET family_id = ? WHERE hash = ?", "ss", family, code_hash);
  pd_session_started (pd, msg, family, "browser", g_hash_table_lookup (form, "device_name"));
  respond_tokens (msg, tokens);
}

static void
grant_refresh (Pd                *pd,
               SoupServerMessage *msg,
               const PdClient    *client,
               GHashTable        *form)
{
  const char *refresh = g_hash_table_lookup (form, "refresh_token");
  g_autofree char *hash = NULL;
  g_autofree char *family = NULL, *client_id = NULL, *account_id = NULL, *scope = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  gboolean retired, revoked;
  gint64 expires_at;

  if (refresh == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request", "refresh_token is required", NULL);
      return;
    }

  hash = pd_sha256_hex (refresh);
  {
    g_autoptr(sqlite3_stmt) stmt =
      pd_db_prepare (pd, "SELECT r.family_id, r.retired, r.expires_at, f.revoked, f.client_id,"
                         " f.account_id, f.scope FROM refresh_tokens r"
                         " JOIN token_families f ON f.id = r.family_id WHERE r.hash = ?", "s", hash);
    if (sqlite3_step (stmt) != SQLITE_ROW)
      {
        pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The refresh token is not valid", NULL);
        return;
      }
    family = pd_db_column_text (stmt, 0);
    retired = sqlite3_column_int (stmt, 1) != 0;
    expires_at = sqlite3_column_int64 (stmt, 2);
    revoked = sqlite3_column_int (stmt, 3) != 0;
    client_id = pd_db_column_text (stmt, 4);
    account_id = pd_db_column_text (stmt, 5);
    scope = pd_db_column_text (stmt, 6);
  }

  if (retired)
    {
      /* RFC 9700 §4.14.2: reuse of a rotated token ends the whole family. */
      revoke_family (pd, family);
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                        "The refresh token was already used", NULL);
      return;
    }
  if (revoked || expires_at < pd_now () || !g_str_equal (client_id, client->id))
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The refresh token is not valid", NULL);
      return;
    }

  pd_db_exec (pd, "UPDATE refresh_tokens SET retired = 1 WHERE hash = ?", "s", hash);
  tokens = pd_issue_tokens (pd, account_id, client->id, scope, family, NULL, NULL);
  pd_session_used (pd, msg, family);
  respond_tokens (msg, tokens);
}

/* The password grant: the hashes are checked in a worker thread. */
typedef struct
{
  Pd *pd;
  SoupServerMessage *msg;
  char *account_id;   /* NULL: no such user, verified against the dummy hash */
  char *hash;
  char *password;
  char *throttle_key;
  char *client_id;
  char *scope;
  char *device_name;
  gboolean ok;
  /* an app password (section 8.4), when the password has the form of one */
  char *app_password;      /* normalised */
  GPtrArray *app_hashes;   /* always PD_APP_PASSWORDS_MAX, padded with the dummy hash */
  GPtrArray *app_ids;      /* the same order; NULL for the padding */
  char *app_id;            /* the one that matched */
} PasswordGrant;

static void
password_grant_free (PasswordGrant *g)
{
  g_object_unref (g->msg);
  g_free (g->account_id);
  g_free (g->hash);
  if (g->password != NULL)
    explicit_bzero (g->password, strlen (g->password));
  g_free (g->password);
  g_free (g->throttle_key);
  g_free (g->client_id);
  g_free (g->scope);
  g_free (g->device_name);
  if (g->app_password != NULL)
    explicit_bzero (g->app_password, strlen (g->app_password));
  g_free (g->app_password);
  g_clear_pointer (&g->app_hashes, g_ptr_array_unref);
  g_clear_pointer (&g->app_ids, g_ptr_array_unref);
  g_free (g->app_id);
  g_free (g);
}

static void
password_verify_thread (GTask        *task,
                        gpointer      source,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  PasswordGrant *g = task_data;

  g->ok = pd_password_verify (g->hash, g->password) && g->account_id != NULL;

  /* every candidate is tried, the padding too, so the time tells neither
   * which matched nor how many the account has */
  if (!g->ok && g->app_password != NULL)
    for (guint i = 0; i < g->app_hashes->len; i++)
      if (pd_password_verify (g_ptr_array_index (g->app_hashes, i), g->app_password) &&
          g->app_id == NULL && g_ptr_array_index (g->app_ids, i) != NULL)
        g->app_id = g_strdup (g_ptr_array_index (g->app_ids, i));

  g_task_return_boolean (task, TRUE);
}

/* An app password matched: tokens without the second step, their session
 * marked as started by it (so revoking it ends the session). FALSE when it
 * was revoked while its hash was checked. */
static gboolean
app_password_sign_in (PasswordGrant *g)
{
  Pd *pd = g->pd;
  g_autoptr(JsonObject) tokens = NULL;
  g_autofree char *family = NULL;

  pd_db_begin (pd);
  if (!pd_app_password_used (pd, g->account_id, g->app_id))
    {
      pd_db_rollback (pd);
      return FALSE;
    }
  pd_throttle_clear (pd, g->throttle_key);
  tokens = pd_issue_tokens (pd, g->account_id, g->client_id, g->scope, NULL, NULL, &family);
  pd_db_exec (pd, "UPDATE token_families SET app_password_id = ? WHERE id = ?", "ss", g->app_id, family);
  pd_session_started (pd, g->msg, family, "app_password", g->device_name);
  pd_db_commit (pd);
  g_info ("signed in with an app password");
  respond_tokens (g->msg, tokens);
  return TRUE;
}

static void
password_verified (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PasswordGrant *g = g_task_get_task_data (G_TASK (result));
  Pd *pd = g->pd;

  /* the account was deleted while its hash was checked (section 12) */
  if (g->account_id != NULL)
    {
      g_autoptr(sqlite3_stmt) stmt = pd_db_prepare (pd, "SELECT 1 FROM accounts WHERE id = ?",
                                                    "s", g->account_id);

      if (sqlite3_step (stmt) != SQLITE_ROW)
        g->ok = FALSE;
    }

  if (g->ok && pd_otp_enabled (pd, g->account_id))
    {
      /* the failure count stays until the second step is passed too */
      pd_mfa_required (pd, g->msg, g->account_id, g->client_id, g->scope, g->device_name);
    }
  else if (g->ok)
    {
      g_autoptr(JsonObject) tokens = NULL;
      g_autofree char *family = NULL;

      pd_throttle_clear (pd, g->throttle_key);
      tokens = pd_issue_tokens (pd, g->account_id, g->client_id, g->scope, NULL, NULL, &family);
      pd_session_started (pd, g->msg, family, "password", g->device_name);
      respond_tokens (g->msg, tokens);
    }
  else if (g->app_id != NULL && app_password_sign_in (g))
    ;
  else
    {
      pd_throttle_fail (pd, g->throttle_key);
      pd_respond_error (g->msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                        "The e-mail or password is not correct", NULL);
    }

  soup_server_message_unpause (g->msg);
}

static void
grant_password (Pd                *pd,
                SoupServerMessage *msg,
                const PdClient    *client,
                GHashTable        *form)
{
  const char *username = g_hash_table_lookup (form, "username");
  const char *password = g_hash_table_lookup (form, "password");
  const char *scope = g_hash_table_lookup (form, "scope");
  g_autofree char *email = NULL;
  g_autoptr(GTask) task = NULL;
  PasswordGrant *g;
  gint64 wait;

  if (!client->first_party)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "unauthorized_client",
                        "This client may not use the password grant", NULL);
      return;
    }
  if (username == NULL || password == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "username and password are required", NULL);
      return;
    }

  email = g_utf8_strdown (username, -1);
  {
    g_autofree char *key = g_strconcat ("grant:", email, NULL);
    wait = pd_throttle_check (pd, key);
    if (wait > 0)
      {
        pd_respond_too_many (msg, wait, TRUE);
        return;
      }
  }

  g = g_new0 (PasswordGrant, 1);
  g->pd = pd;
  g->msg = g_object_ref (msg);
  g->throttle_key = g_strconcat ("grant:", email, NULL);
  g->password = g_strdup (password);
  g->client_id = g_strdup (client->id);
  g->scope = g_strdup (scope != NULL ? scope : "openid profile email passport");
  g->device_name = g_strdup (g_hash_table_lookup (form, "device_name"));
  task = g_task_new (NULL, NULL, password_verified, NULL);
  g_task_set_task_data (task, g, (GDestroyNotify) password_grant_free);

  {
    g_autoptr(sqlite3_stmt) stmt = pd_db_prepare (pd, "SELECT id, password_hash FROM accounts WHERE email = ?",
                                                  "s", email);
    if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 1) != SQLITE_NULL)
      {
        g->account_id = pd_db_column_text (stmt, 0);
        g->hash = pd_db_column_text (stmt, 1);
      }
    else
      {
        /* Same work for an unknown user, so timing does not tell. */
        g->hash = g_strdup (pd->dummy_hash);
      }
  }

  /* Only a password of the form of an app password is checked against
   * them: 20 hashes, whoever the account, so the work depends on the
   * typed password alone. */
  if (pd_feature_on (pd, PD_FEATURE_APP_PASSWORDS))
    g->app_password = pd_app_password_normalize (password);
  if (g->app_password != NULL)
    {
      g->app_hashes = g_ptr_array_new_with_free_func (g_free);
      g->app_ids = g_ptr_array_new_with_free_func (g_free);
      pd_app_passwords_candidates (pd, g->account_id, g->app_hashes, g->app_ids);
    }

  soup_server_message_pause (msg);
  g_task_run_in_thread (task, password_verify_thread);
}

void
pd_handle_token (Pd                *pd,
                 SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = NULL;
  const char *grant_type;
  const PdClient *client;

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      pd_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request", "Use POST", NULL);
      return;
    }

  form = pd_request_form (msg);
  if (form == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "The body must be application/x-www-form-urlencoded", NULL);
      return;
    }

  client = find_client (g_hash_table_lookup (form, "client_id"));
  if (client == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_client", "Unknown client_id", NULL);
      return;
    }

  grant_type = g_hash_table_lookup (form, "grant_type");
  if (g_strcmp0 (grant_type, "authorization_code") == 0)
    grant_code (pd, msg, client, form);
  else if (g_strcmp0 (grant_type, "refresh_token") == 0)
    grant_refresh (pd, msg, client, form);
  else if (g_strcmp0 (grant_type, "password") == 0)
    grant_password (pd, msg, client, form);
  else if (g_strcmp0 (grant_type, PD_GRANT_OTP) == 0 && pd_feature_on (pd, PD_FEATURE_OTP))
    pd_grant_otp (pd, msg, client->id, form);
  else if (g_strcmp0 (grant_type, PD_GRANT_DEVICE) == 0 && pd_feature_on (pd, PD_FEATURE_DEVICE))
    pd_grant_device (pd, msg, client->id, form);
  else if (grant_type == NULL)
    pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request", "grant_type is required", NULL);
  else
    pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "unsupported_grant_type",
                      "This grant type is not supported", NULL);
}

void
pd_handle_revoke (Pd                *pd,
                  SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = NULL;
  const char *token;
  g_autofree char *hash = NULL;

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      pd_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request", "Use POST", NULL);
      return;
    }

  form = pd_request_form (msg);
  if (form == NULL || (token = g_hash_table_lookup (form, "token")) == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request", "token is required", NULL);
      return;
    }
  if (find_client (g_hash_table_lookup (form, "client_id")) == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_client", "Unknown client_id", NULL);
      return;
    }

  hash = pd_sha256_hex (token);
  {
    /* A refresh token takes its whole family with it (RFC 7009 §2.1). */
    g_autoptr(sqlite3_stmt) stmt = pd_db_prepare (pd, "SELECT family_id FROM refresh_tokens WHERE hash = ?",
                                                  "s", hash);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      revoke_family (pd, (const char *) sqlite3_column_text (stmt, 0));
  }
  pd_db_exec (pd, "UPDATE access_tokens SET revoked = 1 WHERE hash = ?", "s", hash);

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

void
pd_handle_userinfo (Pd                *pd,
                    SoupServerMessage *msg)
{
  g_autofree char *account_id = pd_authenticate (pd, msg, NULL);
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (account_id == NULL)
    return;

  stmt = pd_db_prepare (pd, "SELECT display_name, email FROM accounts WHERE id = ?", "s", account_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      pd_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_token", "No such account", NULL);
      return;
    }

  o = json_object_new ();
  json_object_set_string_member (o, "sub", account_id);
  json_object_set_string_member (o, "name", (const char *) sqlite3_column_text (stmt, 0));
  if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
    json_object_set_string_member (o, "email", (const char *) sqlite3_column_text (stmt, 1));
  else
    json_object_set_null_member (o, "email");
  json_object_set_boolean_member (o, "email_verified", sqlite3_column_type (stmt, 1) != SQLITE_NULL);
  pd_respond_object (msg, SOUP_STATUS_OK, o);
}

const char *
pd_client_name (const char *client_id)
{
  const PdClient *client = find_client (client_id);

  return client != NULL ? client->name : client_id;
}
