// SPDX-License-Identifier: GPL-3.0-or-later
//
// Password reset, section 7 of the contract: the request that answers alike
// for every address (limits counted before any look-up, the look-up and
// the mail after the answer), the page in the mail, and the form that sets
// the new password and ends every session.
#include "config.h"

#include <string.h>

#include "pd.h"

static void
wipe (char *s)
{
  if (s != NULL)
    explicit_bzero (s, strlen (s));
  g_free (s);
}

/* POST /password/reset ----------------------------------------------------- */

/* Seconds until @key may ask again: 0 while fewer than @max requests fall
 * in the last @window seconds, else until the @max-th newest leaves it. */
static gint64
limit_wait (Pd         *pd,
            const char *key,
            gint64      max,
            gint64      window)
{
  gint64 now = pd_now ();
  g_autoptr(sqlite3_stmt) stmt =
    pd_db_prepare (pd, "SELECT at FROM reset_requests WHERE key = ? AND at > ?"
                       " ORDER BY at DESC LIMIT 1 OFFSET ?", "sii", key, now - window, max - 1);

  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return MAX (1, sqlite3_column_int64 (stmt, 0) + window - now);
}

typedef struct
{
  Pd *pd;
  char *email;
  PdLang lang;
} ResetJob;

static void
reset_job_free (gpointer  data,
                GClosure *closure)
{
  ResetJob *job = data;

  g_free (job->email);
  g_free (job);
}

/* After the 202 is written: the look-up, and for a bound address a new
 * link (voiding the older ones) and its mail. */
static void
reset_job_run (SoupServerMessage *msg,
               ResetJob          *job)
{
  Pd *pd = job->pd;
  g_autofree char *account_id = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *link = NULL;
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(sqlite3_stmt) stmt = pd_db_prepare (pd, "SELECT id FROM accounts WHERE email = ?", "s", job->email);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      account_id = pd_db_column_text (stmt, 0);
  }
  if (account_id == NULL)
    return;  /* unknown, or only pending somewhere: no mail */

  token = pd_random_token (32);
  token_hash = pd_sha256_hex (token);
  link = g_strconcat (pd->public_url, "/api/v1/password/new?token=", token, NULL);

  pd_db_begin (pd);
  pd_db_exec (pd, "UPDATE reset_tokens SET spent = 'replaced' WHERE account_id = ? AND spent IS NULL",
              "s", account_id);
  pd_db_exec (pd, "INSERT INTO reset_tokens (token_hash, account_id, expires_at) VALUES (?, ?, ?)",
              "ssi", token_hash, account_id, pd_now () + PD_RESET_TTL);
  if (pd_mail_send_reset (pd, account_id, job->email, link, job->lang, &error))
    {
      pd_db_commit (pd);
      g_info ("password reset link sent");
    }
  else
    {
      /* the older link keeps working: nothing replaced it */
      pd_db_rollback (pd);
      g_warning ("cannot deliver the password reset mail: %s", error->message);
    }
  explicit_bzero (link, strlen (link));
  explicit_bzero (token, strlen (token));
}

static void
post_reset (Pd                *pd,
            SoupServerMessage *msg)
{
  g_autoptr(JsonObject) body = pd_request_json (msg);
  const char *email_in;
  const char *ip = soup_server_message_get_remote_host (msg);
  g_autofree char *email = NULL;
  g_autofree char *address_key = NULL;
  g_autofree char *ip_key = NULL;
  g_autoptr(JsonObject) empty = json_object_new ();
  ResetJob *job;
  gint64 wait;

  if (body == NULL ||
      !pd_json_only_members (msg, body, (const char *[]) { "email", NULL }) ||
      !pd_json_get_string (msg, body, "email", TRUE, &email_in))
    return;

  email = g_strstrip (g_utf8_strdown (email_in, -1));
  if (!pd_email_valid (email))
    {
      pd_respond_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid_email",
                        "This is not an e-mail address", NULL);
      return;
    }

  /* Counted before any look-up, so that they reveal nothing: every
   * well-formed request counts, whatever the address; a refused one not. */
  address_key = g_strconcat ("address:", email, NULL);
  ip_key = g_strconcat ("ip:", ip != NULL ? ip : "", NULL);
  wait = MAX (limit_wait (pd, address_key, 1, PD_RESET_ADDRESS_WINDOW),
              limit_wait (pd, ip_key, PD_RESET_IP_MAX, PD_RESET_IP_WINDOW));
  if (wait > 0)
    {
      pd_respond_too_many (msg, wait, TRUE);
      return;
    }
  pd_db_exec (pd, "INSERT INTO reset_requests (key, at) VALUES (?, ?), (?, ?)", "sisi",
              address_key, pd_now (), ip_key, pd_now ());

  pd_respond_object (msg, SOUP_STATUS_ACCEPTED, empty);

  /* the same answer at the same time for every address: the look-up and
   * the mail wait until it is written */
  job = g_new0 (ResetJob, 1);
  job->pd = pd;
  job->email = g_steal_pointer (&email);
  job->lang = pd_request_lang (msg);
  g_signal_connect_data (msg, "finished", G_CALLBACK (reset_job_run), job, reset_job_free, 0);
}

/* The link: GET and POST /password/new ---------------------------------------- */

typedef enum
{
  LINK_WORKS,
  LINK_UNKNOWN,  /* 404 */
  LINK_DEAD,     /* 410: expired, used or replaced */
} LinkState;

static LinkState
link_state (Pd          *pd,
            const char  *token,
            char       **account_id)
{
  g_autofree char *hash = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (token == NULL || *token == '\0')
    return LINK_UNKNOWN;
  hash = pd_sha256_hex (token);
  stmt = pd_db_prepare (pd, "SELECT account_id, expires_at, spent FROM reset_tokens WHERE token_hash = ?",
                        "s", hash);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return LINK_UNKNOWN;
  if (sqlite3_column_type (stmt, 2) != SQLITE_NULL || sqlite3_column_int64 (stmt, 1) < pd_now ())
    return LINK_DEAD;
  if (account_id != NULL)
    *account_id = pd_db_column_text (stmt, 0);
  return LINK_WORKS;
}

static void
respond_text_page (SoupServerMessage *msg,
                   guint              status,
                   PdText             title,
                   PdText             text)
{
  PdLang lang = pd_request_lang (msg);
  g_autoptr(GString) body = g_string_new ("<p id=\"message\">");
  g_autofree char *page = NULL;

  pd_html_escape (body, pd_text (lang, text));
  g_string_append (body, "</p>");
  page = pd_html_page (lang, pd_text (lang, title), body->str);
  pd_respond_html (msg, status, page);
}

static void
respond_dead (SoupServerMessage *msg,
              LinkState          state)
{
  respond_text_page (msg, state == LINK_DEAD ? SOUP_STATUS_GONE : SOUP_STATUS_NOT_FOUND,
                     PD_T_RESET_DEAD_TITLE, PD_T_RESET_DEAD);
}

static PdText
reason_text (const char *reason)
{
  if (g_str_equal (reason, "too_short"))
    return PD_T_WEAK_TOO_SHORT;
  if (g_str_equal (reason, "too_long"))
    return PD_T_WEAK_TOO_LONG;
  if (g_str_equal (reason, "too_common"))
    return PD_T_WEAK_TOO_COMMON;
  if (g_str_equal (reason, "contains_email"))
    return PD_T_WEAK_CONTAINS_EMAIL;
  return PD_T_WEAK_CONTAINS_NAME;
}

/* The form: new password, the same again, Save; @reasons (may be NULL)
 * and @mismatch under the fields. The link's token rides along as the
 * form's anti-CSRF token. */
static void
respond_form (SoupServerMessage *msg,
              guint              status,
              const char        *token,
              GStrv              reasons,
              gboolean           mismatch)
{
  PdLang lang = pd_request_lang (msg);
  g_autoptr(GString) b = g_string_new (NULL);
  g_autofree char *page = NULL;

  /* "new" is this page's own path: the form works under any public URL prefix */
  g_string_append (b, "<form method=\"post\" action=\"new\">\n"
                      "<input type=\"hidden\" name=\"token\" value=\"");
  pd_html_escape (b, token);
  g_string_append (b, "\">\n<label for=\"password\">");
  pd_html_escape (b, pd_text (lang, PD_T_RESET_NEW_PASSWORD));
  g_string_append (b, "</label>\n<input id=\"password\" name=\"password\" type=\"password\""
                      " autocomplete=\"new-password\" required>\n<label for=\"password_again\">");
  pd_html_escape (b, pd_text (lang, PD_T_RESET_AGAIN));
  g_string_append (b, "</label>\n<input id=\"password_again\" name=\"password_again\" type=\"password\""
                      " autocomplete=\"new-password\" required>\n");
  if (reasons != NULL || mismatch)
    {
      g_string_append (b, "<ul id=\"reasons\" class=\"error\">");
      for (guint i = 0; reasons != NULL && reasons[i] != NULL; i++)
        {
          g_autofree char *text = pd_text_fill (lang, reason_text (reasons[i]),
                                                G_STRINGIFY (PD_MIN_PASSWORD), NULL);
          g_string_append_printf (b, "<li class=\"%s\">", reasons[i]);
          pd_html_escape (b, text);
          g_string_append (b, "</li>");
        }
      if (mismatch)
        {
          g_string_append (b, "<li class=\"mismatch\">");
          pd_html_escape (b, pd_text (lang, PD_T_PASSWORD_MISMATCH));
          g_string_append (b, "</li>");
        }
      g_string_append (b, "</ul>\n");
    }
  g_string_append (b, "<button id=\"save\" type=\"submit\">");
  pd_html_escape (b, pd_text (lang, PD_T_RESET_SAVE));
  g_string_append (b, "</button>\n</form>");

  page = pd_html_page (lang, pd_text (lang, PD_T_RESET_TITLE), b->str);
  pd_respond_html (msg, status, page);
}

/* GET /password/new?token=…: only looks; mail scanners open links too. */
static void
get_new (Pd                *pd,
         SoupServerMessage *msg,
         GHashTable        *query)
{
  const char *token = query != NULL ? g_hash_table_lookup (query, "token") : NULL;
  LinkState state = link_state (pd, token, NULL);

  if (state != LINK_WORKS)
    respond_dead (msg, state);
  else
    respond_form (msg, SOUP_STATUS_OK, token, NULL, FALSE);
}

typedef struct
{
  Pd *pd;
  SoupServerMessage *msg;
  char *token;
  char *account_id;
  char *password;
  char *hash;
} NewPassword;

static void
new_password_free (NewPassword *n)
{
  g_object_unref (n->msg);
  wipe (n->token);
  g_free (n->account_id);
  wipe (n->password);
  g_free (n->hash);
  g_free (n);
}

static void
new_password_thread (GTask        *task,
                     gpointer      source,
                     gpointer      data,
                     GCancellable *cancellable)
{
  NewPassword *n = data;

  n->hash = pd_password_hash (n->password);
  g_task_return_boolean (task, TRUE);
}

/* The hash is ready: the link is used up now, if it still works (another
 * submission may have used it meanwhile), and everything else follows in
 * the same transaction. */
static void
new_password_hashed (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  NewPassword *n = g_task_get_task_data (G_TASK (result));
  Pd *pd = n->pd;
  g_autofree char *token_hash = pd_sha256_hex (n->token);
  g_autofree char *email = NULL;

  pd_db_begin (pd);
  pd_db_exec (pd, "UPDATE reset_tokens SET spent = 'used'"
                  " WHERE token_hash = ? AND account_id = ? AND spent IS NULL AND expires_at >= ?",
              "ssi", token_hash, n->account_id, pd_now ());
  if (sqlite3_changes (pd->db) == 0)
    {
      pd_db_rollback (pd);
      respond_dead (n->msg, LINK_DEAD);
      soup_server_message_unpause (n->msg);
      return;
    }

  {
    g_autoptr(sqlite3_stmt) stmt = pd_db_prepare (pd, "SELECT email FROM accounts WHERE id = ?", "s", n->account_id);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      email = pd_db_column_text (stmt, 0);
  }
  pd_db_exec (pd, "UPDATE accounts SET password_hash = ?, revision = revision + 1 WHERE id = ?",
              "ss", n->hash, n->account_id);
  /* whoever asked for the other links, or holds a session, is out */
  pd_db_exec (pd, "UPDATE reset_tokens SET spent = 'replaced' WHERE account_id = ? AND spent IS NULL",
              "s", n->account_id);
  pd_db_exec (pd, "UPDATE token_families SET revoked = 1 WHERE account_id = ? AND revoked = 0",
              "s", n->account_id);
  /* and app passwords die with them (section 7), and a link ticket (10) */
  pd_db_exec (pd, "DELETE FROM app_passwords WHERE account_id = ?", "s", n->account_id);
  pd_identity_links_void (pd, n->account_id);
  /* the failure counter: per account, and per e-mail for the password grant */
  {
    g_autofree char *account_key = g_strconcat ("account:", n->account_id, NULL);
    pd_throttle_clear (pd, account_key);
    if (email != NULL)
      {
        g_autofree char *grant_key = g_strconcat ("grant:", email, NULL);
        pd_throttle_clear (pd, grant_key);
      }
  }
  pd_db_commit (pd);
  g_info ("password reset: password changed, every session ended");

  pd_waiters_sign_out (pd, n->account_id);
  respond_text_page (n->msg, SOUP_STATUS_OK, PD_T_RESET_CHANGED_TITLE, PD_T_RESET_CHANGED);
  soup_server_message_unpause (n->msg);
}

/* POST /password/new (form: token, password, password_again) */
static void
post_new (Pd                *pd,
          SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = pd_request_form (msg);
  const char *token = form != NULL ? g_hash_table_lookup (form, "token") : NULL;
  const char *password = form != NULL ? g_hash_table_lookup (form, "password") : NULL;
  const char *again = form != NULL ? g_hash_table_lookup (form, "password_again") : NULL;
  g_autofree char *account_id = NULL;
  g_autoptr(PdAccount) a = NULL;
  g_auto(GStrv) reasons = NULL;
  gboolean mismatch;
  LinkState state = link_state (pd, token, &account_id);
  g_autoptr(GTask) task = NULL;
  NewPassword *n;

  if (state != LINK_WORKS || (a = pd_account_load (pd, account_id)) == NULL)
    {
      respond_dead (msg, state == LINK_WORKS ? LINK_UNKNOWN : state);
      return;
    }

  if (password == NULL)
    password = "";
  mismatch = g_strcmp0 (password, again) != 0;
  reasons = pd_password_weak_reasons (password, a->email, a->display_name);
  if (reasons != NULL || mismatch)
    {
      /* the link stays valid */
      respond_form (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, token, reasons, mismatch);
      return;
    }

  n = g_new0 (NewPassword, 1);
  n->pd = pd;
  n->msg = g_object_ref (msg);
  n->token = g_strdup (token);
  n->account_id = g_steal_pointer (&account_id);
  n->password = g_strdup (password);
  task = g_task_new (NULL, NULL, new_password_hashed, NULL);
  g_task_set_task_data (task, n, (GDestroyNotify) new_password_free);
  soup_server_message_pause (msg);
  g_task_run_in_thread (task, new_password_thread);
}

void
pd_handle_password (Pd                *pd,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);
  gboolean get = g_str_equal (method, "GET") || g_str_equal (method, "HEAD");
  gboolean post = g_str_equal (method, "POST");

  if (!pd_feature_on (pd, PD_FEATURE_PASSWORD_RESET) ||
      (!g_str_equal (path, "/password/reset") && !g_str_equal (path, "/password/new")))
    pd_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint", NULL);
  else if (g_str_equal (path, "/password/reset") && post)
    post_reset (pd, msg);
  else if (g_str_equal (path, "/password/new") && get)
    get_new (pd, msg, query);
  else if (g_str_equal (path, "/password/new") && post)
    post_new (pd, msg);
  else
    pd_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request",
                      "This method is not allowed here", NULL);
}
