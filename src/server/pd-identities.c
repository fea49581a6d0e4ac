// SPDX-License-Identifier: GPL-3.0-or-later
//
// Linked sign-in methods (contract section 10, feature `identities`):
// POST /me/identities/link makes a ticket (a link_url) for one provider,
// the browser opens it and goes through that provider's stand-in sign-in
// page (pd-oauth.c's, posting to /oauth/social, which hands link flows
// here), and the identity signed in is attached to the account, or the
// attempt fails or is cancelled; GET /me shows the latest attempt.
// DELETE /me/identities/{provider} detaches one. An attempt is a row of
// identity_links (schema 9) kept by the SHA-256 of its ticket.
#include "config.h"

#include <string.h>

#include "pd.h"

#define LINK_PATH "/me/identities/link"
#define ITEM_PREFIX "/me/identities/"

static void
wipe (char *s)
{
  if (s != NULL)
    explicit_bzero (s, strlen (s));
  g_free (s);
}

gboolean
pd_identities_path (const char *path)
{
  return g_str_has_prefix (path, ITEM_PREFIX) && path[strlen (ITEM_PREFIX)] != '\0' &&
         strchr (path + strlen (ITEM_PREFIX), '/') == NULL;
}

static const char *
provider_name (Pd         *pd,
               const char *id)
{
  const PdProvider *provider = pd_find_provider (pd, id);

  return provider != NULL ? provider->name : id;
}

static gboolean
has_identity_of (Pd         *pd,
                 const char *account_id,
                 const char *provider)
{
  g_autoptr(sqlite3_stmt) stmt =
    pd_db_prepare (pd, "SELECT 1 FROM identities WHERE account_id = ? AND provider = ?",
                   "ss", account_id, provider);

  return sqlite3_step (stmt) == SQLITE_ROW;
}

static void
bump_revision (Pd         *pd,
               const char *account_id)
{
  pd_db_exec (pd, "UPDATE accounts SET revision = revision + 1 WHERE id = ?", "s", account_id);
}

/* GET /me ------------------------------------------------------------------ */

void
pd_identity_link_account_json (Pd         *pd,
                               const char *account_id,
                               JsonObject *account)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  JsonObject *link;

  if (!pd_feature_on (pd, PD_FEATURE_IDENTITIES))
    return;

  stmt = pd_db_prepare (pd, "SELECT id, provider, status, error, expires_at FROM identity_links"
                            " WHERE account_id = ? AND latest = 1", "s", account_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      json_object_set_null_member (account, "identity_link");
      return;
    }

  link = json_object_new ();
  json_object_set_string_member (link, "id", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (link, "provider", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (link, "status", (const char *) sqlite3_column_text (stmt, 2));
  if (sqlite3_column_type (stmt, 3) != SQLITE_NULL)
    json_object_set_string_member (link, "error", (const char *) sqlite3_column_text (stmt, 3));
  {
    g_autofree char *expires_at = pd_rfc3339 (sqlite3_column_int64 (stmt, 4));
    json_object_set_string_member (link, "expires_at", expires_at);
  }
  json_object_set_object_member (account, "identity_link", link);
}

/* POST /me/identities/link ------------------------------------------------- */

static gboolean
respond_if_already_linked (Pd                *pd,
                           SoupServerMessage *msg,
                           const char        *account_id,
                           const char        *provider)
{
  if (!has_identity_of (pd, account_id, provider))
    return FALSE;
  pd_respond_error (msg, SOUP_STATUS_CONFLICT, "already_linked",
                    "The account has an identity of this provider", NULL);
  return TRUE;
}

static void
link_proved (Pd                *pd,
             SoupServerMessage *msg,
             const char        *account_id,
             gpointer           data)
{
  const char *provider = data;
  g_autoptr(PdAccount) a = pd_account_load_or_401 (pd, msg, account_id);
  g_autoptr(JsonObject) o = NULL;
  g_autofree char *random = NULL;
  g_autofree char *id = NULL;
  g_autofree char *ticket_hash = NULL;
  g_autofree char *expires_at = NULL;
  char *ticket = NULL;
  char *link_url = NULL;
  gint64 now = pd_now ();

  if (a == NULL)
    return;
  /* linked meanwhile (the proof may have taken a worker thread) */
  if (respond_if_already_linked (pd, msg, account_id, provider))
    return;

  random = pd_random_token (12);
  id = g_strconcat ("lnk_", random, NULL);
  ticket = pd_random_token (32);
  ticket_hash = pd_sha256_hex (ticket);

  /* only the latest attempt is kept: this one voids the one before */
  pd_db_begin (pd);
  pd_db_exec (pd, "UPDATE identity_links SET latest = 0 WHERE account_id = ? AND latest = 1",
              "s", account_id);
  pd_db_exec (pd, "INSERT INTO identity_links (id, account_id, provider, ticket_hash, created_at, expires_at)"
                  " VALUES (?, ?, ?, ?, ?, ?)", "ssssii", id, account_id, provider, ticket_hash,
              now, now + PD_LINK_TTL);
  /* GET /me shows the new attempt */
  bump_revision (pd, account_id);
  pd_db_commit (pd);
  pd_account_changed (pd, account_id);

  link_url = g_strconcat (pd->public_url, "/api/v1/identities/link?ticket=", ticket, NULL);
  expires_at = pd_rfc3339 (now + PD_LINK_TTL);
  o = json_object_new ();
  json_object_set_string_member (o, "id", id);
  json_object_set_string_member (o, "link_url", link_url);
  json_object_set_string_member (o, "expires_at", expires_at);
  pd_respond_object (msg, SOUP_STATUS_CREATED, o);
  g_info ("identity link started for a %s identity", provider);
  wipe (ticket);
  wipe (link_url);
}

static void
post_link (Pd                *pd,
           SoupServerMessage *msg,
           const char        *account_id,
           const char        *family)
{
  static const char *const members[] = { "provider", "password", "otp", "recovery_code", NULL };
  g_autoptr(JsonObject) body = pd_request_json (msg);
  const char *provider;

  if (body == NULL || !pd_json_only_members (msg, body, members) ||
      !pd_json_get_string (msg, body, "provider", TRUE, &provider))
    return;
  /* the state first, so that a proof is not counted for a call that
   * could not succeed */
  if (pd_find_provider (pd, provider) == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "unknown_provider",
                        "No such provider in GET /providers", NULL);
      return;
    }
  if (respond_if_already_linked (pd, msg, account_id, provider))
    return;

  pd_proof_check (pd, msg, account_id, family, body, link_proved, g_strdup (provider), g_free);
}

/* DELETE /me/identities/{provider} ----------------------------------------- */

static void
delete_identity (Pd                *pd,
                 SoupServerMessage *msg,
                 const char        *account_id,
                 const char        *provider)
{
  g_autoptr(PdAccount) a = pd_account_load_or_401 (pd, msg, account_id);
  gint64 count = 0;

  if (a == NULL)
    return;
  if (!has_identity_of (pd, account_id, provider))
    {
      pd_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No identity of that provider", NULL);
      return;
    }
  {
    g_autoptr(sqlite3_stmt) stmt =
      pd_db_prepare (pd, "SELECT COUNT(*) FROM identities WHERE account_id = ?", "s", account_id);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      count = sqlite3_column_int64 (stmt, 0);
  }
  /* the account would have no way in left */
  if (count <= 1 && a->password_hash == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_CONFLICT, "last_sign_in_method",
                        "It is the only sign-in method: bind an e-mail first", NULL);
      return;
    }

  pd_db_begin (pd);
  pd_db_exec (pd, "DELETE FROM identities WHERE account_id = ? AND provider = ?", "ss", account_id, provider);
  bump_revision (pd, account_id);
  pd_db_commit (pd);
  pd_account_changed (pd, account_id);
  g_info ("a %s identity unlinked", provider);
  pd_respond_account (pd, msg, SOUP_STATUS_OK, account_id);
}

gboolean
pd_handle_identities (Pd                *pd,
                      SoupServerMessage *msg,
                      const char        *path,
                      const char        *account_id,
                      const char        *family)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, LINK_PATH) && g_str_equal (method, "POST"))
    post_link (pd, msg, account_id, family);
  else if (!g_str_equal (path, LINK_PATH) && g_str_equal (method, "DELETE"))
    delete_identity (pd, msg, account_id, path + strlen (ITEM_PREFIX));
  else
    return FALSE;
  return TRUE;
}

/* The page: GET {link_url}, then the stand-in sign-in ------------------------ */

static void
respond_page (SoupServerMessage *msg,
              PdLang             lang,
              guint              status,
              const char        *id,
              PdText             text,
              const char        *provider)
{
  g_autofree char *filled = pd_text_fill (lang, text, provider, NULL);
  g_autoptr(GString) b = g_string_new (NULL);
  g_autofree char *page = NULL;

  g_string_append_printf (b, "<p id=\"%s\"%s>", id, status >= 400 ? " class=\"error\"" : "");
  pd_html_escape (b, filled);
  g_string_append (b, "</p>");
  page = pd_html_page (lang, pd_text (lang, PD_T_LINK_TITLE), b->str);
  pd_respond_html (msg, status, page);
}

static void
respond_dead (SoupServerMessage *msg,
              PdLang             lang,
              guint              status)
{
  respond_page (msg, lang, status, "link-dead", PD_T_LINK_DEAD, NULL);
}

void
pd_handle_identity_link_page (Pd                *pd,
                              SoupServerMessage *msg,
                              GHashTable        *query)
{
  PdLang lang = pd_request_lang (msg);
  const char *ticket = query != NULL ? g_hash_table_lookup (query, "ticket") : NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *ticket_hash = NULL;
  g_autofree char *id = NULL;
  g_autofree char *provider_id = NULL;
  g_autofree char *flow_id = NULL;
  g_autofree char *csrf = NULL;
  g_autofree char *csrf_hash = NULL;
  g_autofree char *cookie = NULL;
  const PdProvider *provider;
  gboolean usable;

  if (!pd_feature_on (pd, PD_FEATURE_IDENTITIES))
    {
      pd_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint", NULL);
      return;
    }
  /* opening the page uses the ticket: a HEAD would too, without a page */
  if (!g_str_equal (soup_server_message_get_method (msg), "GET"))
    {
      pd_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request",
                        "This method is not allowed here", NULL);
      return;
    }

  ticket_hash = ticket != NULL ? pd_sha256_hex (ticket) : NULL;
  stmt = pd_db_prepare (pd, "SELECT id, provider, latest = 1 AND spent IS NULL AND status = 'pending'"
                            " AND expires_at >= ? FROM identity_links WHERE ticket_hash = ?",
                        "is", pd_now (), ticket_hash);
  if (ticket_hash == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    {
      respond_dead (msg, lang, SOUP_STATUS_NOT_FOUND);
      return;
    }
  id = pd_db_column_text (stmt, 0);
  provider_id = pd_db_column_text (stmt, 1);
  usable = sqlite3_column_int (stmt, 2) != 0;
  g_clear_pointer (&stmt, pd_db_release);
  if (!usable)
    {
      respond_dead (msg, lang, SOUP_STATUS_GONE);
      return;
    }

  /* single use: from here on the browser's flow and its csrf carry it */
  flow_id = pd_random_token (16);
  csrf = pd_random_token (32);
  csrf_hash = pd_sha256_hex (csrf);
  pd_db_exec (pd, "UPDATE identity_links SET spent = 'opened', flow_id = ?, csrf_hash = ?"
                  " WHERE id = ? AND spent IS NULL", "sss", flow_id, csrf_hash, id);
  if (sqlite3_changes (pd->db) != 1)
    {
      respond_dead (msg, lang, SOUP_STATUS_GONE);
      return;
    }

  provider = pd_find_provider (pd, provider_id);
  {
    PdProvider fallback = { provider_id, provider_id, FALSE };

    if (provider == NULL)
      provider = &fallback;
    cookie = g_strdup_printf ("pd_csrf=%s; Path=/oauth; HttpOnly; SameSite=Strict", csrf);
    soup_message_headers_append (soup_server_message_get_response_headers (msg), "Set-Cookie", cookie);
    pd_render_social_form (pd, msg, NULL, lang, provider, flow_id, csrf, NULL, NULL,
                           provider->verified_default, FALSE);
  }
  wipe (g_steal_pointer (&csrf));
  wipe (g_steal_pointer (&cookie));
}

/* The attempt ends: its status (and error), revision + 1, long polls woken. */
static void
link_finish (Pd         *pd,
             const char *id,
             const char *account_id,
             const char *status,
             const char *error)
{
  pd_db_exec (pd, "UPDATE identity_links SET status = ?, error = ? WHERE id = ?", "sss", status, error, id);
  bump_revision (pd, account_id);
}

gboolean
pd_identity_link_social (Pd                *pd,
                         SoupServerMessage *msg,
                         GHashTable        *form)
{
  PdLang lang = pd_request_lang (msg);
  const char *flow_id = g_hash_table_lookup (form, "flow");
  const char *csrf = g_hash_table_lookup (form, "csrf");
  const char *action = g_hash_table_lookup (form, "action");
  const char *email_in = g_hash_table_lookup (form, "email");
  gboolean verified = g_strcmp0 (g_hash_table_lookup (form, "verified"), "1") == 0;
  g_autofree char *cookie = pd_cookie (msg, "pd_csrf");
  g_autofree char *id = NULL;
  g_autofree char *account_id = NULL;
  g_autofree char *provider_id = NULL;
  g_autofree char *stored_csrf_hash = NULL;
  g_autofree char *csrf_hash = NULL;
  g_autofree char *email = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *owner = NULL;
  const char *name;
  gboolean usable;

  if (flow_id == NULL || !pd_feature_on (pd, PD_FEATURE_IDENTITIES))
    return FALSE;
  {
    g_autoptr(sqlite3_stmt) stmt =
      pd_db_prepare (pd, "SELECT id, account_id, provider, csrf_hash, latest = 1 AND spent = 'opened'"
                         " AND status = 'pending' AND expires_at >= ? FROM identity_links WHERE flow_id = ?",
                     "is", pd_now (), flow_id);

    if (sqlite3_step (stmt) != SQLITE_ROW)
      return FALSE;
    id = pd_db_column_text (stmt, 0);
    account_id = pd_db_column_text (stmt, 1);
    provider_id = pd_db_column_text (stmt, 2);
    stored_csrf_hash = pd_db_column_text (stmt, 3);
    usable = sqlite3_column_int (stmt, 4) != 0;
  }
  name = provider_name (pd, provider_id);

  /* double submit, as for a sign-in: the field equals the cookie, and
   * belongs to this flow */
  csrf_hash = csrf != NULL ? pd_sha256_hex (csrf) : NULL;
  if (csrf == NULL || cookie == NULL || !pd_constant_equal (csrf, cookie) ||
      !pd_constant_equal (csrf_hash, stored_csrf_hash))
    {
      g_autoptr(GString) b = g_string_new ("<p class=\"error\">");
      g_autofree char *page = NULL;

      pd_html_escape (b, pd_text (lang, PD_T_CSRF));
      g_string_append (b, "</p>");
      page = pd_html_page (lang, pd_text (lang, PD_T_BAD_REQUEST_TITLE), b->str);
      pd_respond_html (msg, SOUP_STATUS_FORBIDDEN, page);
      return TRUE;
    }
  /* replaced by a newer attempt, expired, or answered already */
  if (!usable)
    {
      respond_dead (msg, lang, SOUP_STATUS_GONE);
      return TRUE;
    }

  if (g_strcmp0 (action, "cancel") == 0)
    {
      link_finish (pd, id, account_id, "cancelled", NULL);
      pd_account_changed (pd, account_id);
      respond_page (msg, lang, SOUP_STATUS_OK, "cancelled", PD_T_LINK_CANCELLED, name);
      return TRUE;
    }

  email = email_in != NULL ? g_utf8_strdown (g_strstrip ((char *) email_in), -1) : NULL;
  if (g_strcmp0 (action, "continue") != 0 || !pd_email_valid (email))
    {
      const PdProvider *provider = pd_find_provider (pd, provider_id);
      PdProvider fallback = { provider_id, provider_id, FALSE };

      pd_render_social_form (pd, msg, NULL, lang, provider != NULL ? provider : &fallback, flow_id, csrf,
                             email_in, g_hash_table_lookup (form, "name"), verified, TRUE);
      return TRUE;
    }

  subject = pd_identity_subject (provider_id, email);
  {
    g_autoptr(sqlite3_stmt) stmt =
      pd_db_prepare (pd, "SELECT account_id FROM identities WHERE provider = ? AND subject = ?",
                     "ss", provider_id, subject);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      owner = pd_db_column_text (stmt, 0);
  }

  pd_db_begin (pd);
  /* the account got one of this provider meanwhile (another attempt), or
   * signs in with this very identity already */
  if (has_identity_of (pd, account_id, provider_id))
    {
      link_finish (pd, id, account_id, "failed", "already_linked");
      pd_db_commit (pd);
      pd_account_changed (pd, account_id);
      respond_page (msg, lang, SOUP_STATUS_CONFLICT, "already_linked", PD_T_LINK_ALREADY, name);
      return TRUE;
    }
  if (owner != NULL ||
      pd_db_exec (pd, "INSERT INTO identities (provider, subject, account_id, email, email_verified, linked_at)"
                      " VALUES (?, ?, ?, ?, ?, ?)", "ssssii", provider_id, subject, account_id, email,
                  (gint64) verified, pd_now ()) != SQLITE_DONE)
    {
      link_finish (pd, id, account_id, "failed", "identity_in_use");
      pd_db_commit (pd);
      pd_account_changed (pd, account_id);
      respond_page (msg, lang, SOUP_STATUS_CONFLICT, "identity_in_use", PD_T_LINK_IN_USE, name);
      return TRUE;
    }
  link_finish (pd, id, account_id, "linked", NULL);
  pd_db_commit (pd);
  pd_account_changed (pd, account_id);
  g_info ("a %s identity linked", provider_id);
  respond_page (msg, lang, SOUP_STATUS_OK, "linked", PD_T_LINK_DONE, name);
  return TRUE;
}

/* A password reset (section 7) ---------------------------------------------- */

void
pd_identity_links_void (Pd         *pd,
                        const char *account_id)
{
  /* whoever held a session may have started it: the ticket (or the page it
   * opened) stops working, and the attempt shows as lapsed now */
  pd_db_exec (pd, "UPDATE identity_links SET spent = 'void', expires_at = MIN(expires_at, ?)"
                  " WHERE account_id = ? AND status = 'pending' AND expires_at >= ?",
              "isi", pd_now () - 1, account_id, pd_now ());
}
