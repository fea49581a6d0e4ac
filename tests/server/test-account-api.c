// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: every call of section 4 of the contract and every error row,
 * with the state after it read back through GET /me; bad input; the long
 * poll; the revision; resend delay; the confirmation page. */
#include "config.h"

#include <string.h>

#include "pd-test-server.h"

#define PASSWORD "a sturdy passphrase 7"
#define PASSWORD2 "another sturdy passphrase 8"

static PdServer *shared;

/* A fresh account: social sign-in (unverified) and its access token. */
typedef struct
{
  PdClient *client;
  JsonObject *tokens;
  char *email;      /* the identity's address */
  const char *access;
} Account;

static Account *
account_new (PdServer   *server,
             const char *who,
             gboolean    verified,
             gboolean    accept_terms)
{
  Account *a = g_new0 (Account, 1);

  a->email = pd_unique_email (who);
  a->tokens = pd_social_tokens (server, "google", a->email, "Ivan Petrov", verified);
  a->access = json_object_get_string_member (a->tokens, "access_token");
  a->client = pd_client_new (server);
  if (accept_terms)
    pd_accept_terms (a->client, a->access);
  return a;
}

static void
account_free (Account *a)
{
  pd_client_free (a->client);
  json_object_unref (a->tokens);
  g_free (a->email);
  g_free (a);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Account, account_free)

static PdResponse *
me (Account *a)
{
  return pd_get_me (a->client, a->access);
}

static gint64
int_member (PdResponse *r,
            const char *member)
{
  JsonNode *node = json_object_get_member (pd_response_object (r), member);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);
  return json_node_get_int (node);
}

static gboolean
bool_member (PdResponse *r,
             const char *member)
{
  JsonNode *node = json_object_get_member (pd_response_object (r), member);

  g_assert_nonnull (node);
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_BOOLEAN);
  return json_node_get_boolean (node);
}

static gboolean
is_null_member (PdResponse *r,
                const char *member)
{
  JsonNode *node = json_object_get_member (pd_response_object (r), member);

  g_assert_nonnull (node); /* present, as the contract shows it */
  return JSON_NODE_HOLDS_NULL (node);
}

static JsonObject *
pending (PdResponse *r)
{
  JsonNode *node = json_object_get_member (pd_response_object (r), "pending_email");

  g_assert_nonnull (node);
  if (JSON_NODE_HOLDS_NULL (node))
    return NULL;
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

/* The unchanged account after a refused request. */
static void
assert_unchanged (Account    *a,
                  PdResponse *before)
{
  g_autoptr(PdResponse) after = me (a);

  g_assert_cmpint (int_member (after, "revision"), ==, int_member (before, "revision"));
  g_assert_cmpstr (pd_response_string (after, "email"), ==, pd_response_string (before, "email"));
  g_assert_cmpint (bool_member (after, "has_password"), ==, bool_member (before, "has_password"));
  g_assert_cmpint (pending (after) == NULL, ==, pending (before) == NULL);
}

static PdResponse *
bind (Account    *a,
      const char *email,
      const char *password)
{
  g_autofree char *body = pd_json_strings ("email", email, "password", password, NULL);

  return pd_client_post_json (a->client, "/api/v1/me/email", a->access, body);
}

static gboolean
has_cyrillic (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x0400 && c <= 0x04FF)
        return TRUE;
    }
  return FALSE;
}

static gboolean
contains_ci (const char *haystack,
             const char *needle)
{
  g_autofree char *h = g_utf8_casefold (haystack, -1);
  g_autofree char *n = g_utf8_casefold (needle, -1);

  return strstr (h, n) != NULL;
}

static gboolean
array_has (JsonArray  *array,
           const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

/* --------------------------------------------------------------- */

static void
test_unauthorized (void)
{
  g_autoptr(Account) a = account_new (shared, "unauth", FALSE, FALSE);
  g_autoptr(PdClient) client = pd_client_new (shared);
  struct { const char *method; const char *path; const char *body; } calls[] = {
    { "GET", "/api/v1/me", NULL },
    { "GET", "/api/v1/me?wait=1&after_revision=0", NULL },
    { "POST", "/api/v1/me/terms", "{\"version\":\"x\"}" },
    { "POST", "/api/v1/me/email", "{\"email\":\"a@example.com\",\"password\":\"x\"}" },
    { "POST", "/api/v1/me/email/resend", "{}" },
    { "DELETE", "/api/v1/me/email/pending", NULL },
    { "PUT", "/api/v1/me/email", "{\"email\":\"a@example.com\",\"password\":\"x\"}" },
    { "POST", "/api/v1/me/password", "{\"current_password\":\"x\",\"new_password\":\"y\"}" },
  };
  g_autoptr(PdResponse) revoke = NULL;
  const char *tokens[] = { NULL, "garbage-token", "revoked" };

  revoke = pd_client_post_form (client, "/oauth/revoke", NULL, "token", a->access, "client_id", PD_CLIENT_ID, NULL);
  g_assert_cmpuint (revoke->status, ==, 200);

  for (guint t = 0; t < G_N_ELEMENTS (tokens); t++)
    for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
      {
        const char *token = g_strcmp0 (tokens[t], "revoked") == 0 ? a->access : tokens[t];
        g_autoptr(GBytes) body = calls[i].body ? g_bytes_new_static (calls[i].body, strlen (calls[i].body)) : NULL;
        g_autoptr(PdResponse) r = pd_client_send (client, calls[i].method, calls[i].path, token,
                                                  body ? "application/json" : NULL, body, NULL);
        const char *www;

        g_test_message ("%s %s with %s", calls[i].method, calls[i].path, tokens[t] ? tokens[t] : "no token");
        pd_assert_response (r, 401, "invalid_token");
        www = pd_response_header (r, "WWW-Authenticate");
        g_assert_nonnull (www);
        g_assert_true (g_str_has_prefix (www, "Bearer"));
        g_assert_nonnull (strstr (www, "error=\"invalid_token\""));
      }

  /* a malformed Authorization header */
  {
    const char *headers[] = { "Authorization", "Basic dXNlcjpwYXNz", NULL };
    g_autoptr(PdResponse) r = pd_client_send (client, "GET", "/api/v1/me", NULL, NULL, NULL, headers);

    g_assert_cmpuint (r->status, ==, 401);
  }
}

static void
test_public_calls (void)
{
  /* providers and terms need no token */
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(PdResponse) p = pd_client_get (client, "/api/v1/providers", NULL);
  g_autoptr(PdResponse) t = pd_client_get (client, "/api/v1/terms", NULL);

  pd_assert_response (p, 200, NULL);
  pd_assert_response (t, 200, NULL);
}

static void
test_me_fresh (void)
{
  g_autoptr(Account) a = account_new (shared, "fresh", TRUE, FALSE);
  g_autoptr(PdResponse) r = me (a);
  g_autofree char *version = pd_terms_version (a->client);
  JsonObject *terms;
  JsonArray *identities;
  JsonObject *identity;

  g_assert_nonnull (pd_response_string (r, "id"));
  g_assert_cmpstr (pd_response_string (r, "display_name"), ==, "Ivan Petrov");
  g_assert_true (is_null_member (r, "email"));
  g_assert_false (bool_member (r, "email_verified"));
  g_assert_null (pending (r));
  g_assert_false (bool_member (r, "has_password"));
  terms = json_object_get_object_member (pd_response_object (r), "terms");
  g_assert_nonnull (terms);
  g_assert_false (json_object_get_boolean_member (terms, "accepted"));
  g_assert_cmpstr (json_object_get_string_member (terms, "version"), ==, version);
  identities = json_object_get_array_member (pd_response_object (r), "identities");
  g_assert_nonnull (identities);
  g_assert_cmpuint (json_array_get_length (identities), ==, 1);
  identity = json_array_get_object_element (identities, 0);
  g_assert_cmpstr (json_object_get_string_member (identity, "provider"), ==, "google");
  g_assert_cmpstr (json_object_get_string_member (identity, "email"), ==, a->email);
  g_assert_true (json_object_get_boolean_member (identity, "email_verified"));
  g_assert_cmpint (int_member (r, "revision"), >=, 0);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "application/json");
}

static void
test_terms (void)
{
  g_autoptr(Account) a = account_new (shared, "terms", FALSE, FALSE);
  g_autoptr(PdResponse) before = me (a);
  g_autofree char *version = pd_terms_version (a->client);
  g_autofree char *body = pd_json_strings ("version", version, NULL);
  g_autoptr(PdResponse) old = pd_client_post_json (a->client, "/api/v1/me/terms", a->access, "{\"version\":\"1999-01\"}");
  g_autoptr(PdResponse) wrong_type = pd_client_post_json (a->client, "/api/v1/me/terms", a->access, "{\"version\":2025}");
  g_autoptr(PdResponse) empty = pd_client_post_json (a->client, "/api/v1/me/terms", a->access, "{}");
  g_autoptr(PdResponse) ok = NULL;
  g_autoptr(PdResponse) after = NULL;
  JsonObject *terms;

  pd_assert_response (old, 409, "terms_outdated");
  g_assert_cmpstr (pd_response_string (old, "version"), ==, version);
  pd_assert_response (wrong_type, 400, "invalid_request");
  pd_assert_response (empty, 400, "invalid_request");
  assert_unchanged (a, before);

  ok = pd_client_post_json (a->client, "/api/v1/me/terms", a->access, body);
  pd_assert_response (ok, 200, NULL);
  terms = json_object_get_object_member (pd_response_object (ok), "terms");
  g_assert_true (json_object_get_boolean_member (terms, "accepted"));
  g_assert_cmpstr (json_object_get_string_member (terms, "version"), ==, version);
  g_assert_cmpint (int_member (ok, "revision"), ==, int_member (before, "revision") + 1);

  after = me (a);
  terms = json_object_get_object_member (pd_response_object (after), "terms");
  g_assert_true (json_object_get_boolean_member (terms, "accepted"));
  g_assert_cmpint (int_member (after, "revision"), ==, int_member (ok, "revision"));
}

static void
test_bind_needs_terms (void)
{
  g_autoptr(Account) a = account_new (shared, "noterms", FALSE, FALSE);
  g_autoptr(PdResponse) before = me (a);
  g_autoptr(PdResponse) r = bind (a, a->email, PASSWORD);
  g_autofree char *version = pd_terms_version (a->client);
  guint mails = pd_maildir_count (shared);

  pd_assert_response (r, 403, "terms_not_accepted");
  g_assert_cmpstr (pd_response_string (r, "version"), ==, version);
  assert_unchanged (a, before);
  g_assert_cmpuint (pd_maildir_count (shared), ==, mails);
}

static void
test_bind_verified (void)
{
  g_autoptr(Account) a = account_new (shared, "verified", TRUE, TRUE);
  g_autoptr(PdResponse) before = me (a);
  guint mails = pd_maildir_count (shared);
  g_autofree char *upper = g_ascii_strup (a->email, -1);
  g_autoptr(PdResponse) r = bind (a, upper, PASSWORD);
  g_autoptr(PdResponse) after = NULL;
  g_autoptr(PdResponse) again = NULL;
  g_autoptr(PdResponse) grant = NULL;

  pd_assert_response (r, 200, NULL);
  g_assert_cmpstr (pd_response_string (r, "email"), ==, a->email);
  g_assert_true (bool_member (r, "email_verified"));
  g_assert_true (bool_member (r, "has_password"));
  g_assert_null (pending (r));
  g_assert_cmpint (int_member (r, "revision"), ==, int_member (before, "revision") + 1);
  /* no mail */
  g_assert_cmpuint (pd_maildir_count (shared), ==, mails);

  after = me (a);
  g_assert_cmpstr (pd_response_string (after, "email"), ==, a->email);
  grant = pd_token_password (a->client, a->email, PASSWORD);
  pd_assert_response (grant, 200, NULL);

  /* a second POST: the account already has its address */
  {
    g_autofree char *second = pd_unique_email ("second");

    again = bind (a, second, PASSWORD);
  }
  pd_assert_response (again, 409, "email_already_bound");
  assert_unchanged (a, after);
}

static void
test_bind_unverified (void)
{
  g_autoptr(Account) a = account_new (shared, "unverified", FALSE, TRUE);
  g_autoptr(PdResponse) before = me (a);
  guint mails = pd_maildir_count (shared);
  g_autoptr(PdResponse) r = bind (a, a->email, PASSWORD);
  g_autoptr(PdResponse) page = NULL;
  g_autoptr(PdResponse) after = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *header = NULL;
  g_autofree char *link = NULL;
  g_autofree char *type = NULL;
  JsonObject *p;
  g_autoptr(GDateTime) sent = NULL;
  g_autoptr(GDateTime) resend = NULL;
  g_autoptr(GDateTime) expires = NULL;

  pd_assert_response (r, 202, NULL);
  g_assert_true (is_null_member (r, "email"));
  g_assert_false (bool_member (r, "email_verified"));
  p = pending (r);
  g_assert_nonnull (p);
  g_assert_cmpstr (json_object_get_string_member (p, "address"), ==, a->email);
  sent = g_date_time_new_from_iso8601 (json_object_get_string_member (p, "sent_at"), NULL);
  resend = g_date_time_new_from_iso8601 (json_object_get_string_member (p, "resend_after"), NULL);
  expires = g_date_time_new_from_iso8601 (json_object_get_string_member (p, "expires_at"), NULL);
  g_assert_nonnull (sent);
  g_assert_nonnull (resend);
  g_assert_nonnull (expires);
  /* default delay 60 s, lifetime 24 h */
  g_assert_cmpint (g_date_time_difference (resend, sent) / G_USEC_PER_SEC, ==, 60);
  g_assert_cmpint (g_date_time_difference (expires, sent) / G_USEC_PER_SEC, ==, 86400);
  g_assert_cmpint (int_member (r, "revision"), ==, int_member (before, "revision") + 1);

  /* the mail */
  g_assert_cmpuint (pd_maildir_count (shared), ==, mails + 1);
  mail = pd_maildir_newest_to (shared, a->email);
  g_assert_nonnull (mail);
  header = pd_mail_header (mail, "X-Passport-Account");
  g_assert_cmpstr (header, ==, pd_response_string (r, "id"));
  type = pd_mail_header (mail, "Content-Type");
  g_assert_nonnull (type);
  g_assert_true (contains_ci (type, "text/plain"));
  g_assert_true (contains_ci (type, "charset=utf-8"));
  {
    const char *names[] = { "Subject", "Date", "Message-ID" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *value = pd_mail_header (mail, names[i]);

        g_assert_nonnull (value);
      }
  }
  link = pd_mail_link (mail);
  g_assert_nonnull (link);
  {
    g_autofree char *prefix = g_strconcat (shared->url, "/api/v1/email/confirm?token=", NULL);
    g_autofree char *token = pd_url_param (link, "token");
    g_autofree guchar *raw = NULL;
    gsize len = 0;

    g_assert_true (g_str_has_prefix (link, prefix));
    g_assert_nonnull (token);
    /* ≥ 128 bits */
    raw = pd_base64url_decode (token, &len);
    if (raw != NULL)
      g_assert_cmpuint (len, >=, 16);
    else
      g_assert_cmpuint (strlen (token), >=, 22);
  }

  /* not usable yet */
  {
    g_autoptr(PdResponse) grant = pd_token_password (a->client, a->email, PASSWORD);

    pd_assert_response (grant, 400, "invalid_grant");
  }

  page = pd_client_get (a->client, link, NULL);
  pd_assert_response (page, 200, NULL);
  g_assert_cmpstr (soup_message_headers_get_content_type (page->headers, NULL), ==, "text/html");
  g_assert_nonnull (strstr (page->text, a->email));
  g_assert_false (has_cyrillic (page->text));

  after = me (a);
  g_assert_cmpstr (pd_response_string (after, "email"), ==, a->email);
  g_assert_true (bool_member (after, "email_verified"));
  g_assert_true (bool_member (after, "has_password"));
  g_assert_null (pending (after));
  g_assert_cmpint (int_member (after, "revision"), ==, int_member (r, "revision") + 1);
}

static void
test_bind_errors (void)
{
  g_autoptr(Account) a = account_new (shared, "zorro", FALSE, TRUE);
  g_autoptr(Account) holder = account_new (shared, "holder", TRUE, TRUE);
  g_autoptr(PdResponse) before = NULL;
  g_autofree char *long_local = g_strnfill (250, 'a');
  g_autofree char *too_long_email = g_strconcat (long_local, "@example.com", NULL);
  g_autofree char *long_password = g_strnfill (129, 'x');
  g_autofree char *local = NULL;
  g_autofree char *contains_email = NULL;
  const char *bad_emails[] = {
    "no-at-sign", "a@b", "two@@example.com", "a@b@example.com", "sp ace@example.com",
    "@example.com", "tab\t@example.com", "", too_long_email,
  };
  guint mails;

  /* a bound address */
  {
    g_autoptr(PdResponse) r = bind (holder, holder->email, PASSWORD);

    pd_assert_response (r, 200, NULL);
  }
  before = me (a);
  mails = pd_maildir_count (shared);

  for (guint i = 0; i < G_N_ELEMENTS (bad_emails); i++)
    {
      g_autoptr(PdResponse) r = bind (a, bad_emails[i], PASSWORD);

      g_test_message ("email '%s'", bad_emails[i]);
      pd_assert_response (r, 422, "invalid_email");
    }

  /* weak passwords, with their reasons */
  {
    g_autoptr(PdResponse) r = bind (a, a->email, "abc");
    JsonArray *reasons;

    pd_assert_response (r, 422, "weak_password");
    reasons = json_object_get_array_member (pd_response_object (r), "reasons");
    g_assert_nonnull (reasons);
    g_assert_true (array_has (reasons, "too_short"));
    g_assert_cmpint (int_member (r, "min_length"), ==, 8);
  }
  {
    g_autoptr(PdResponse) r = bind (a, a->email, long_password);

    pd_assert_response (r, 422, "weak_password");
    g_assert_true (array_has (json_object_get_array_member (pd_response_object (r), "reasons"), "too_long"));
  }
  {
    g_autoptr(PdResponse) r = bind (a, a->email, "password");

    pd_assert_response (r, 422, "weak_password");
    g_assert_true (array_has (json_object_get_array_member (pd_response_object (r), "reasons"), "too_common"));
  }
  {
    /* the local part of the address, in other case */
    g_autofree char *at = NULL;

    local = g_strndup (a->email, strchr (a->email, '@') - a->email);
    at = g_ascii_strup (local, -1);
    contains_email = g_strconcat ("x", at, "!9", NULL);
    {
      g_autoptr(PdResponse) r = bind (a, a->email, contains_email);

      pd_assert_response (r, 422, "weak_password");
      g_assert_true (array_has (json_object_get_array_member (pd_response_object (r), "reasons"), "contains_email"));
    }
  }
  {
    g_autoptr(PdResponse) r = bind (a, a->email, "zz-petrov-tea-42");

    pd_assert_response (r, 422, "weak_password");
    g_assert_true (array_has (json_object_get_array_member (pd_response_object (r), "reasons"), "contains_name"));
  }

  /* somebody else's address */
  {
    g_autofree char *upper = g_ascii_strup (holder->email, -1);
    g_autoptr(PdResponse) r = bind (a, upper, PASSWORD);

    pd_assert_response (r, 409, "email_exists");
  }

  assert_unchanged (a, before);
  g_assert_cmpuint (pd_maildir_count (shared), ==, mails);
}

static void
test_malformed_bodies (void)
{
  g_autoptr(Account) a = account_new (shared, "malformed", FALSE, TRUE);
  g_autoptr(PdResponse) before = me (a);
  const char *bodies[] = {
    "not json",
    "{\"email\": ",
    "[\"a@example.com\", \"pw\"]",
    "\"just a string\"",
    "{\"email\": 5, \"password\": \"a sturdy passphrase 7\"}",
    "{\"email\": \"x@example.com\", \"password\": null}",
    "{\"email\": [\"x@example.com\"], \"password\": \"a sturdy passphrase 7\"}",
    "{\"password\": \"a sturdy passphrase 7\"}",
    "{\"email\": \"x@example.com\"}",
    "{'email': 'x@example.com', 'password': 'a sturdy passphrase 7'}",
    "{\"email\": \"x@example.com\", \"password\": \"a sturdy passphrase 7\"} trailing",
    "",
    /* escapes that are not UTF-8 once decoded (found by fuzz-pd-json) */
    "{\"email\": \"x\\udc00@example.com\", \"password\": \"a sturdy passphrase 7\"}",
    "{\"email\": \"x\\ud800@example.com\", \"password\": \"a sturdy passphrase 7\"}",
    "{\"email\": \"x@example.com\", \"password\": \"a sturdy \\udfff passphrase 7\"}",
    "{\"email\": \"x\\ud8J0@example.com\", \"password\": \"a sturdy passphrase 7\"}",
    "{\"email\": \"x\\u12@example.com\", \"password\": \"a sturdy passphrase 7\"}",
    /* an escape RFC 8259 does not have: json-glib reads "\201" as the
     * octal byte 0x81 (found by fuzz-pd-json) */
    "{\"email\": \"x\\201@example.com\", \"password\": \"a sturdy passphrase 7\"}",
    "{\"email\": \"x\\x41@example.com\", \"password\": \"a sturdy passphrase 7\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(PdResponse) r = pd_client_post_json (a->client, "/api/v1/me/email", a->access, bodies[i]);

      g_test_message ("body %s", bodies[i]);
      pd_assert_response (r, 400, "invalid_request");
    }

  /* bad UTF-8 in a string */
  {
    static const char raw[] = "{\"email\": \"x\xff\xfe@example.com\", \"password\": \"a sturdy passphrase 7\"}";
    g_autoptr(GBytes) body = g_bytes_new_static (raw, sizeof raw - 1);
    g_autoptr(PdResponse) r = pd_client_send (a->client, "POST", "/api/v1/me/email", a->access,
                                              "application/json", body, NULL);

    g_assert_true (r->status == 400 || r->status == 422);
    pd_assert_response (r, r->status, r->status == 400 ? "invalid_request" : "invalid_email");
  }

  /* a huge body */
  {
    GString *huge = g_string_new ("{\"email\": \"x@example.com\", \"password\": \"");
    g_autoptr(GBytes) body = NULL;
    g_autoptr(PdResponse) r = NULL;

    for (guint i = 0; i < 80 * 1024; i++)
      g_string_append_c (huge, 'p');
    g_string_append (huge, "\"}");
    body = g_string_free_to_bytes (huge);
    r = pd_client_send (a->client, "POST", "/api/v1/me/email", a->access, "application/json", body, NULL);
    g_assert_true (r->status == 413 || r->status == 400);
    pd_assert_response (r, r->status, r->status == 400 ? "invalid_request" : NULL);
    g_assert_nonnull (pd_response_string (r, "error"));
  }

  /* deep nesting */
  {
    GString *deep = g_string_new (NULL);
    g_autoptr(GBytes) body = NULL;
    g_autoptr(PdResponse) r = NULL;

    for (guint i = 0; i < 20000; i++)
      g_string_append_c (deep, '[');
    body = g_string_free_to_bytes (deep);
    r = pd_client_send (a->client, "POST", "/api/v1/me/email", a->access, "application/json", body, NULL);
    pd_assert_response (r, 400, "invalid_request");
  }

  assert_unchanged (a, before);

  /* unknown fields: ignored or refused, never a crash */
  {
    g_autoptr(PdResponse) r = pd_client_post_json (a->client, "/api/v1/me/email", a->access,
                                                   "{\"email\": \"unknown-fields@example.com\", "
                                                   "\"password\": \"a sturdy passphrase 7\", \"admin\": true}");

    g_assert_true (r->status == 202 || r->status == 400);
    if (r->status == 400)
      pd_assert_response (r, 400, "invalid_request");
  }
  /* still alive */
  {
    g_autoptr(PdResponse) r = me (a);
  }
}

static void
test_resend (void)
{
  /* the default delay, 60 s, on a clock of its own */
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "resend", FALSE, TRUE);
  g_autoptr(PdResponse) none = pd_client_post_json (a->client, "/api/v1/me/email/resend", a->access, "{}");
  g_autoptr(PdResponse) r = NULL;
  g_autoptr(PdResponse) early = NULL;
  g_autoptr(PdResponse) still_early = NULL;
  g_autoptr(PdResponse) later = NULL;
  g_autoptr(PdResponse) old_page = NULL;
  g_autoptr(PdResponse) new_page = NULL;
  g_autoptr(PdResponse) after_old = NULL;
  g_autoptr(PdResponse) after = NULL;
  g_autofree char *first_mail = NULL;
  g_autofree char *second_mail = NULL;
  g_autofree char *old_link = NULL;
  g_autofree char *new_link = NULL;
  gint64 retry_after;

  pd_assert_response (none, 409, "no_pending_email");

  r = bind (a, a->email, PASSWORD);
  pd_assert_response (r, 202, NULL);
  first_mail = pd_maildir_newest_to (server, a->email);
  old_link = pd_mail_link (first_mail);

  early = pd_client_post_json (a->client, "/api/v1/me/email/resend", a->access, "{}");
  pd_assert_response (early, 429, "too_many_requests");
  retry_after = int_member (early, "retry_after");
  g_assert_cmpint (retry_after, >=, 58);
  g_assert_cmpint (retry_after, <=, 60);
  g_assert_nonnull (pd_response_header (early, "Retry-After"));
  g_assert_cmpuint (pd_maildir_count (server), ==, 1);

  pd_server_advance_clock (server, retry_after - 2);
  still_early = pd_client_post_json (a->client, "/api/v1/me/email/resend", a->access, "{}");
  pd_assert_response (still_early, 429, "too_many_requests");
  g_assert_cmpint (int_member (still_early, "retry_after"), <=, 2);
  g_assert_cmpuint (pd_maildir_count (server), ==, 1);

  pd_server_advance_clock (server, 3);
  later = pd_client_post_json (a->client, "/api/v1/me/email/resend", a->access, "{}");
  pd_assert_response (later, 202, NULL);
  g_assert_nonnull (pending (later));
  g_assert_cmpint (int_member (later, "revision"), ==, int_member (r, "revision") + 1);
  g_assert_cmpuint (pd_maildir_count (server), ==, 2);
  second_mail = pd_maildir_newest_to (server, a->email);
  new_link = pd_mail_link (second_mail);
  g_assert_cmpstr (new_link, !=, old_link);

  /* the old link stopped working */
  old_page = pd_client_get (a->client, old_link, NULL);
  g_assert_cmpuint (old_page->status, >=, 400);
  after_old = me (a);
  g_assert_true (is_null_member (after_old, "email"));
  g_assert_nonnull (pending (after_old));

  new_page = pd_client_get (a->client, new_link, NULL);
  pd_assert_response (new_page, 200, NULL);
  after = me (a);
  g_assert_cmpstr (pd_response_string (after, "email"), ==, a->email);
  pd_server_stop (server);
}

static void
test_cancel_pending (void)
{
  g_autoptr(Account) a = account_new (shared, "cancel", FALSE, TRUE);
  g_autoptr(PdResponse) r = bind (a, a->email, PASSWORD);
  g_autoptr(PdResponse) cancel = NULL;
  g_autoptr(PdResponse) page = NULL;
  g_autoptr(PdResponse) after = NULL;
  g_autoptr(PdResponse) resend = NULL;
  g_autoptr(PdResponse) grant = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *link = NULL;

  pd_assert_response (r, 202, NULL);
  mail = pd_maildir_newest_to (shared, a->email);
  link = pd_mail_link (mail);

  cancel = pd_client_delete (a->client, "/api/v1/me/email/pending", a->access);
  pd_assert_response (cancel, 200, NULL);
  g_assert_null (pending (cancel));
  g_assert_false (bool_member (cancel, "has_password"));
  g_assert_cmpint (int_member (cancel, "revision"), ==, int_member (r, "revision") + 1);

  /* the link no longer confirms anything */
  page = pd_client_get (a->client, link, NULL);
  g_assert_cmpuint (page->status, >=, 400);
  after = me (a);
  g_assert_true (is_null_member (after, "email"));
  g_assert_null (pending (after));
  g_assert_false (bool_member (after, "has_password"));
  grant = pd_token_password (a->client, a->email, PASSWORD);
  pd_assert_response (grant, 400, "invalid_grant");

  resend = pd_client_post_json (a->client, "/api/v1/me/email/resend", a->access, "{}");
  pd_assert_response (resend, 409, "no_pending_email");
}

static PdResponse *
put_email (Account    *a,
           const char *email,
           const char *password)
{
  g_autofree char *body = pd_json_strings ("email", email, "password", password, NULL);

  return pd_client_put_json (a->client, "/api/v1/me/email", a->access, body);
}

static void
test_change_email (void)
{
  g_autoptr(Account) a = account_new (shared, "changer", TRUE, TRUE);
  g_autoptr(Account) other = account_new (shared, "other", TRUE, TRUE);
  g_autoptr(Account) next = account_new (shared, "next", FALSE, TRUE);
  g_autofree char *new_email = pd_unique_email ("changed");
  g_autoptr(PdResponse) before = NULL;
  g_autoptr(PdResponse) r = NULL;
  g_autoptr(PdResponse) page = NULL;
  g_autoptr(PdResponse) after = NULL;

  /* nothing bound yet */
  {
    g_autoptr(PdResponse) no = put_email (a, new_email, PASSWORD);

    pd_assert_response (no, 409, "no_email");
  }
  {
    g_autoptr(PdResponse) b1 = bind (a, a->email, PASSWORD);
    g_autoptr(PdResponse) b2 = bind (other, other->email, PASSWORD);

    pd_assert_response (b1, 200, NULL);
    pd_assert_response (b2, 200, NULL);
  }
  before = me (a);

  {
    g_autoptr(PdResponse) wrong = put_email (a, new_email, "not my password at all");
    g_autoptr(PdResponse) invalid = put_email (a, "not-an-address", PASSWORD);
    g_autoptr(PdResponse) taken = put_email (a, other->email, PASSWORD);
    g_autoptr(PdResponse) malformed = pd_client_put_json (a->client, "/api/v1/me/email", a->access, "{\"email\": 1}");

    pd_assert_response (wrong, 403, "invalid_password");
    pd_assert_response (invalid, 422, "invalid_email");
    pd_assert_response (taken, 409, "email_exists");
    pd_assert_response (malformed, 400, "invalid_request");
  }
  assert_unchanged (a, before);

  r = put_email (a, new_email, PASSWORD);
  pd_assert_response (r, 202, NULL);
  g_assert_cmpstr (json_object_get_string_member (pending (r), "address"), ==, new_email);
  /* the old address stays bound and usable until the new one is confirmed */
  g_assert_cmpstr (pd_response_string (r, "email"), ==, a->email);
  {
    g_autoptr(PdResponse) grant = pd_token_password (a->client, a->email, PASSWORD);
    g_autoptr(PdResponse) grab = bind (next, a->email, PASSWORD);

    pd_assert_response (grant, 200, NULL);
    pd_assert_response (grab, 409, "email_exists");
  }

  page = pd_confirm_newest (a->client, new_email);
  pd_assert_response (page, 200, NULL);
  after = me (a);
  g_assert_cmpstr (pd_response_string (after, "email"), ==, new_email);
  g_assert_null (pending (after));
  g_assert_cmpint (int_member (after, "revision"), ==, int_member (r, "revision") + 1);

  {
    g_autoptr(PdResponse) old_grant = pd_token_password (a->client, a->email, PASSWORD);
    g_autoptr(PdResponse) new_grant = pd_token_password (a->client, new_email, PASSWORD);
    g_autoptr(PdResponse) grab = bind (next, a->email, PASSWORD2);

    pd_assert_response (old_grant, 400, "invalid_grant");
    pd_assert_response (new_grant, 200, NULL);
    /* the old address is free now */
    pd_assert_response (grab, 202, NULL);
  }
}

static void
test_change_password (void)
{
  g_autoptr(Account) a = account_new (shared, "passwd", TRUE, TRUE);
  g_autoptr(Account) social = account_new (shared, "nopasswd", TRUE, TRUE);
  g_autofree char *wrong = pd_json_strings ("current_password", "not it at all", "new_password", PASSWORD2, NULL);
  g_autofree char *weak = pd_json_strings ("current_password", PASSWORD, "new_password", "short", NULL);
  g_autofree char *good = pd_json_strings ("current_password", PASSWORD, "new_password", PASSWORD2, NULL);
  g_autoptr(PdResponse) before = NULL;

  {
    g_autoptr(PdResponse) b = bind (a, a->email, PASSWORD);

    pd_assert_response (b, 200, NULL);
  }
  before = me (a);
  {
    g_autoptr(PdResponse) r1 = pd_client_post_json (a->client, "/api/v1/me/password", a->access, wrong);
    g_autoptr(PdResponse) r2 = pd_client_post_json (a->client, "/api/v1/me/password", a->access, weak);
    g_autoptr(PdResponse) r3 = pd_client_post_json (a->client, "/api/v1/me/password", a->access, "{\"current_password\": 5}");
    g_autoptr(PdResponse) r4 = pd_client_post_json (social->client, "/api/v1/me/password", social->access, good);

    pd_assert_response (r1, 403, "invalid_password");
    pd_assert_response (r2, 422, "weak_password");
    g_assert_true (array_has (json_object_get_array_member (pd_response_object (r2), "reasons"), "too_short"));
    pd_assert_response (r3, 400, "invalid_request");
    /* an account without a password has no current password to give */
    g_assert_cmpuint (r4->status, ==, 403);
  }
  assert_unchanged (a, before);
  {
    g_autoptr(PdResponse) ok = pd_client_post_json (a->client, "/api/v1/me/password", a->access, good);
    g_autoptr(PdResponse) old_grant = NULL;
    g_autoptr(PdResponse) new_grant = NULL;

    g_assert_cmpuint (ok->status, ==, 204);
    g_assert_cmpuint (g_bytes_get_size (ok->body), ==, 0);
    old_grant = pd_token_password (a->client, a->email, PASSWORD);
    new_grant = pd_token_password (a->client, a->email, PASSWORD2);
    pd_assert_response (old_grant, 400, "invalid_grant");
    pd_assert_response (new_grant, 200, NULL);
  }
}

/* --------------------------------------------------------------- */
/* Long poll                                                        */
/* --------------------------------------------------------------- */

typedef struct
{
  PdServer *server;
  char *path;
  const char *access;
  PdResponse *response;
  gint64 elapsed;
} Poll;

static gpointer
poll_thread (gpointer data)
{
  Poll *poll = data;
  g_autoptr(PdClient) client = pd_client_new (poll->server);
  gint64 start = g_get_monotonic_time ();

  poll->response = pd_client_get (client, poll->path, poll->access);
  poll->elapsed = g_get_monotonic_time () - start;
  return NULL;
}

static void
test_long_poll (void)
{
  g_autoptr(Account) a = account_new (shared, "poll", FALSE, FALSE);
  g_autoptr(PdResponse) before = me (a);
  gint64 rev = int_member (before, "revision");

  /* nothing changes: the unchanged account after `wait` */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/me?wait=2&after_revision=%" G_GINT64_FORMAT, rev);
    gint64 start = g_get_monotonic_time ();
    g_autoptr(PdResponse) r = pd_client_get (a->client, path, a->access);
    gint64 elapsed = g_get_monotonic_time () - start;

    pd_assert_response (r, 200, NULL);
    g_assert_cmpint (int_member (r, "revision"), ==, rev);
    g_assert_cmpint (elapsed, >=, 2 * G_USEC_PER_SEC);
    g_assert_cmpint (elapsed, <, 6 * G_USEC_PER_SEC);
  }
  /* an older revision: at once */
  {
    g_autofree char *path = g_strdup_printf ("/api/v1/me?wait=30&after_revision=%" G_GINT64_FORMAT, rev - 1);
    gint64 start = g_get_monotonic_time ();
    g_autoptr(PdResponse) r = pd_client_get (a->client, path, a->access);

    pd_assert_response (r, 200, NULL);
    g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  }
  /* a change: early */
  {
    Poll poll = { shared, g_strdup_printf ("/api/v1/me?wait=30&after_revision=%" G_GINT64_FORMAT, rev), a->access, NULL, 0 };
    GThread *thread = g_thread_new ("poll", poll_thread, &poll);

    g_usleep (500 * 1000);
    pd_accept_terms (a->client, a->access);
    g_thread_join (thread);
    pd_assert_response (poll.response, 200, NULL);
    g_assert_cmpint (int_member (poll.response, "revision"), ==, rev + 1);
    g_assert_cmpint (poll.elapsed, <, 10 * G_USEC_PER_SEC);
    g_assert_cmpint (poll.elapsed, >=, 400 * 1000);
    pd_response_free (poll.response);
    g_free (poll.path);
  }
  /* the confirmation link, opened elsewhere, wakes the poll */
  {
    g_autoptr(PdResponse) r = bind (a, a->email, PASSWORD);
    gint64 rev2;
    Poll poll = { shared, NULL, a->access, NULL, 0 };
    GThread *thread;

    pd_assert_response (r, 202, NULL);
    rev2 = int_member (r, "revision");
    poll.path = g_strdup_printf ("/api/v1/me?wait=30&after_revision=%" G_GINT64_FORMAT, rev2);
    thread = g_thread_new ("poll", poll_thread, &poll);
    g_usleep (500 * 1000);
    {
      g_autoptr(PdClient) browser = pd_client_new (shared);
      g_autoptr(PdResponse) page = pd_confirm_newest (browser, a->email);

      pd_assert_response (page, 200, NULL);
    }
    g_thread_join (thread);
    pd_assert_response (poll.response, 200, NULL);
    g_assert_cmpint (int_member (poll.response, "revision"), ==, rev2 + 1);
    g_assert_cmpstr (pd_response_string (poll.response, "email"), ==, a->email);
    g_assert_cmpint (poll.elapsed, <, 10 * G_USEC_PER_SEC);
    pd_response_free (poll.response);
    g_free (poll.path);
  }
  /* bad parameters */
  {
    g_autoptr(PdResponse) r = pd_client_get (a->client, "/api/v1/me?wait=abc&after_revision=0", a->access);

    pd_assert_response (r, 400, "invalid_request");
  }
}

/* --------------------------------------------------------------- */
/* The confirmation page                                            */
/* --------------------------------------------------------------- */

static void
test_confirm_page_ru (void)
{
  g_autoptr(Account) a = account_new (shared, "russian", FALSE, TRUE);
  g_autoptr(PdResponse) r = NULL;
  g_autoptr(PdResponse) page = NULL;
  g_autoptr(PdResponse) again = NULL;
  g_autoptr(PdResponse) after = NULL;
  g_autofree char *mail = NULL;
  g_autofree char *link = NULL;
  g_autofree char *body = NULL;
  g_autoptr(PdClient) browser = pd_client_new (shared);

  /* the mail is in the language of the request that caused it */
  pd_client_set_language (a->client, "ru-RU,ru;q=0.9");
  r = bind (a, a->email, PASSWORD);
  pd_assert_response (r, 202, NULL);
  mail = pd_maildir_newest_to (shared, a->email);
  body = pd_mail_body (mail);
  g_assert_true (has_cyrillic (body));
  /* the expiry as a reader writes it, not 2026-11-27T10:43:03Z (finding 24) */
  g_assert_true (g_regex_match_simple ("до \\d{1,2} (января|февраля|марта|апреля|мая|июня|июля|августа|"
                                       "сентября|октября|ноября|декабря) \\d{4}, \\d{2}:\\d{2} UTC",
                                       body, 0, 0));
  g_assert_false (g_regex_match_simple ("\\d{4}-\\d{2}-\\d{2}T", body, 0, 0));
  link = pd_mail_link (mail);

  pd_client_set_language (browser, "ru");
  page = pd_client_get (browser, link, NULL);
  pd_assert_response (page, 200, NULL);
  g_assert_true (has_cyrillic (page->text));
  g_assert_nonnull (strstr (page->text, "lang=\"ru\""));
  /* the app has moved on by itself: the page says so (finding 24) */
  g_assert_nonnull (strstr (page->text, "Passport продолжит сам"));
  after = me (a);

  /* used twice: refused, nothing changes */
  again = pd_client_get (browser, link, NULL);
  g_assert_cmpuint (again->status, >=, 400);
  g_assert_true (has_cyrillic (again->text));
  assert_unchanged (a, after);
}

static void
test_confirm_page_errors (void)
{
  g_autoptr(Account) a = account_new (shared, "errors", FALSE, TRUE);
  g_autoptr(PdClient) browser = pd_client_new (shared);
  g_autoptr(PdResponse) r = bind (a, a->email, PASSWORD);
  g_autoptr(PdResponse) ok = NULL;
  g_autoptr(PdResponse) used = NULL;
  g_autoptr(PdResponse) garbage = NULL;
  g_autoptr(PdResponse) missing = NULL;
  g_autofree char *mail = pd_maildir_newest_to (shared, a->email);
  g_autofree char *link = pd_mail_link (mail);
  g_autofree char *bad = g_strconcat (shared->url, "/api/v1/email/confirm?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);

  pd_assert_response (r, 202, NULL);
  ok = pd_client_get (browser, link, NULL);
  pd_assert_response (ok, 200, NULL);
  g_assert_false (has_cyrillic (ok->text));

  used = pd_client_get (browser, link, NULL);
  g_assert_cmpuint (used->status, >=, 400);
  g_assert_cmpstr (soup_message_headers_get_content_type (used->headers, NULL), ==, "text/html");
  g_assert_true (contains_ci (used->text, "used"));

  garbage = pd_client_get (browser, bad, NULL);
  g_assert_cmpuint (garbage->status, >=, 400);
  g_assert_cmpstr (soup_message_headers_get_content_type (garbage->headers, NULL), ==, "text/html");
  missing = pd_client_get (browser, "/api/v1/email/confirm", NULL);
  g_assert_cmpuint (missing->status, >=, 400);
}

static void
test_confirm_expired (void)
{
  /* the default lifetime, 24 h, on a clock of its own */
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "expired", FALSE, TRUE);
  g_autoptr(Account) b = account_new (server, "in-time", FALSE, TRUE);
  g_autoptr(PdResponse) r = bind (a, a->email, PASSWORD);
  g_autoptr(PdResponse) rb = bind (b, b->email, PASSWORD);
  g_autoptr(PdResponse) in_time = NULL;
  g_autoptr(PdResponse) page = NULL;
  g_autoptr(PdResponse) refreshed = NULL;
  g_autoptr(PdResponse) after = NULL;
  g_autoptr(PdResponse) grant = NULL;
  g_autoptr(PdResponse) grant_b = NULL;
  JsonObject *p;
  g_autoptr(GDateTime) sent = NULL;
  g_autoptr(GDateTime) expires = NULL;

  pd_assert_response (r, 202, NULL);
  pd_assert_response (rb, 202, NULL);
  p = pending (r);
  sent = g_date_time_new_from_iso8601 (json_object_get_string_member (p, "sent_at"), NULL);
  expires = g_date_time_new_from_iso8601 (json_object_get_string_member (p, "expires_at"), NULL);
  g_assert_cmpint (g_date_time_difference (expires, sent), ==, 86400 * G_TIME_SPAN_SECOND);

  /* a link works to the end of its day ... */
  pd_server_advance_clock (server, 86400 - 3);
  in_time = pd_confirm_newest (b->client, b->email);
  pd_assert_response (in_time, 200, NULL);
  grant_b = pd_token_password (b->client, b->email, PASSWORD);
  pd_assert_response (grant_b, 200, NULL);

  /* ... and not after */
  pd_server_advance_clock (server, 5);
  page = pd_confirm_newest (a->client, a->email);
  g_assert_cmpuint (page->status, >=, 400);
  g_assert_true (contains_ci (page->text, "expired"));
  /* a day later the access token is long gone; the refresh token is not */
  refreshed = pd_token_refresh (a->client, json_object_get_string_member (a->tokens, "refresh_token"));
  pd_assert_response (refreshed, 200, NULL);
  after = pd_get_me (a->client, pd_response_string (refreshed, "access_token"));
  g_assert_true (is_null_member (after, "email"));
  grant = pd_token_password (a->client, a->email, PASSWORD);
  pd_assert_response (grant, 400, "invalid_grant");
  pd_server_stop (server);
}

static void
test_confirm_taken (void)
{
  /* two accounts wait for the same address; the first link wins */
  g_autoptr(Account) a = account_new (shared, "taken-a", FALSE, TRUE);
  g_autoptr(Account) b = account_new (shared, "taken-b", FALSE, TRUE);
  g_autofree char *address = pd_unique_email ("contested");
  g_autoptr(PdResponse) ra = bind (a, address, PASSWORD);
  g_autofree char *mail_a = pd_maildir_newest_to (shared, address);
  g_autoptr(PdResponse) rb = bind (b, address, PASSWORD2);
  g_autofree char *mail_b = pd_maildir_newest_to (shared, address);
  g_autofree char *link_a = pd_mail_link (mail_a);
  g_autofree char *link_b = pd_mail_link (mail_b);
  g_autoptr(PdClient) browser = pd_client_new (shared);
  g_autoptr(PdResponse) page_a = NULL;
  g_autoptr(PdResponse) page_b = NULL;
  g_autoptr(PdResponse) me_a = NULL;
  g_autoptr(PdResponse) me_b = NULL;

  pd_assert_response (ra, 202, NULL);
  pd_assert_response (rb, 202, NULL);
  g_assert_cmpstr (link_a, !=, link_b);

  page_a = pd_client_get (browser, link_a, NULL);
  pd_assert_response (page_a, 200, NULL);
  page_b = pd_client_get (browser, link_b, NULL);
  g_assert_cmpuint (page_b->status, >=, 400);
  g_assert_true (contains_ci (page_b->text, "another account"));

  me_a = me (a);
  me_b = me (b);
  g_assert_cmpstr (pd_response_string (me_a, "email"), ==, address);
  g_assert_true (is_null_member (me_b, "email"));
  g_assert_false (bool_member (me_b, "has_password"));
}

static void
test_public_url_link (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--public-url", "https://passport.example.test", NULL);
  g_autoptr(Account) a = account_new (server, "public", FALSE, TRUE);
  g_autoptr(PdResponse) r = bind (a, a->email, PASSWORD);
  g_autofree char *mail = NULL;
  g_autofree char *link = NULL;

  pd_assert_response (r, 202, NULL);
  mail = pd_maildir_newest_to (server, a->email);
  link = pd_mail_link (mail);
  g_assert_true (g_str_has_prefix (link, "https://passport.example.test/api/v1/email/confirm?token="));
  pd_server_stop (server);
}

static void
assert_too_many (PdResponse *r)
{
  guint64 header = 0;

  pd_assert_response (r, 429, "too_many_requests");
  g_assert_cmpint (int_member (r, "retry_after"), >=, 1);
  g_assert_nonnull (pd_response_header (r, "Retry-After"));
  g_assert_true (g_ascii_string_to_unsigned (pd_response_header (r, "Retry-After"), 10, 1, G_MAXINT, &header, NULL));
}

static void
test_too_many_requests (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--resend-delay", "30",
                                                "--max-failed-passwords", "2",
                                                NULL);

  /* POST /me/email again while a link was just sent: the resend delay */
  {
    g_autoptr(Account) a = account_new (server, "rebind", FALSE, TRUE);
    g_autoptr(PdResponse) first = bind (a, a->email, PASSWORD);
    g_autofree char *other = pd_unique_email ("rebind-other");
    g_autoptr(PdResponse) second = NULL;
    g_autoptr(PdResponse) after = NULL;

    pd_assert_response (first, 202, NULL);
    second = bind (a, other, PASSWORD);
    assert_too_many (second);
    g_assert_cmpint (int_member (second, "retry_after"), <=, 30);
    after = me (a);
    g_assert_cmpstr (json_object_get_string_member (pending (after), "address"), ==, a->email);
    g_assert_cmpint (int_member (after, "revision"), ==, int_member (first, "revision"));
    g_assert_cmpuint (pd_maildir_count (server), ==, 1);
  }

  /* failed current passwords: POST /me/password and PUT /me/email */
  {
    g_autoptr(Account) a = account_new (server, "guesser", TRUE, TRUE);
    g_autofree char *wrong = pd_json_strings ("current_password", "guess number one", "new_password", PASSWORD2, NULL);
    g_autofree char *right = pd_json_strings ("current_password", PASSWORD, "new_password", PASSWORD2, NULL);
    g_autofree char *new_email = pd_unique_email ("guesser-new");
    g_autoptr(PdResponse) b = bind (a, a->email, PASSWORD);
    g_autoptr(PdResponse) limited = NULL;
    g_autoptr(PdResponse) limited_right = NULL;
    g_autoptr(PdResponse) limited_put = NULL;
    g_autoptr(PdResponse) grant = NULL;

    pd_assert_response (b, 200, NULL);
    for (guint i = 0; i < 2; i++)
      {
        g_autoptr(PdResponse) r = pd_client_post_json (a->client, "/api/v1/me/password", a->access, wrong);

        pd_assert_response (r, 403, "invalid_password");
      }
    limited = pd_client_post_json (a->client, "/api/v1/me/password", a->access, wrong);
    assert_too_many (limited);
    limited_right = pd_client_post_json (a->client, "/api/v1/me/password", a->access, right);
    assert_too_many (limited_right);
    limited_put = put_email (a, new_email, PASSWORD);
    assert_too_many (limited_put);
    /* nothing changed */
    grant = pd_token_password (a->client, a->email, PASSWORD);
    g_assert_true (grant->status == 200 || grant->status == 429);
  }
  pd_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  shared = pd_server_start (NULL);

  g_test_add_func ("/api/unauthorized", test_unauthorized);
  g_test_add_func ("/api/public", test_public_calls);
  g_test_add_func ("/api/me/fresh", test_me_fresh);
  g_test_add_func ("/api/terms", test_terms);
  g_test_add_func ("/api/email/needs-terms", test_bind_needs_terms);
  g_test_add_func ("/api/email/verified", test_bind_verified);
  g_test_add_func ("/api/email/unverified", test_bind_unverified);
  g_test_add_func ("/api/email/errors", test_bind_errors);
  g_test_add_func ("/api/email/malformed", test_malformed_bodies);
  g_test_add_func ("/api/email/resend", test_resend);
  g_test_add_func ("/api/email/cancel", test_cancel_pending);
  g_test_add_func ("/api/email/change", test_change_email);
  g_test_add_func ("/api/password", test_change_password);
  g_test_add_func ("/api/long-poll", test_long_poll);
  g_test_add_func ("/api/too-many-requests", test_too_many_requests);
  g_test_add_func ("/api/confirm/ru", test_confirm_page_ru);
  g_test_add_func ("/api/confirm/errors", test_confirm_page_errors);
  g_test_add_func ("/api/confirm/expired", test_confirm_expired);
  g_test_add_func ("/api/confirm/taken", test_confirm_taken);
  g_test_add_func ("/api/confirm/public-url", test_public_url_link);

  ret = g_test_run ();
  pd_server_stop (shared);
  pd_server_free (shared);
  return ret;
}
