// SPDX-License-Identifier: GPL-3.0-or-later
//
// The account API (section 4 of the contract) and the confirmation page.
#include "config.h"

#include <string.h>

#include "pd.h"

/* Validation ------------------------------------------------------------- */

static gboolean
respond_if_weak (SoupServerMessage *msg,
                 const char        *password,
                 const char        *email,
                 const char        *name)
{
  g_auto(GStrv) reasons = pd_password_weak_reasons (password, email, name);
  g_autoptr(JsonObject) extra = NULL;
  JsonArray *array;

  if (reasons == NULL)
    return FALSE;

  extra = json_object_new ();
  array = json_array_new ();
  for (guint i = 0; reasons[i] != NULL; i++)
    json_array_add_string_element (array, reasons[i]);
  json_object_set_array_member (extra, "reasons", array);
  json_object_set_int_member (extra, "min_length", PD_MIN_PASSWORD);
  pd_respond_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "weak_password",
                    "The password is too weak", extra);
  return TRUE;
}

/* Too many failed passwords for this account: answers 429. */
static gboolean
respond_if_throttled (Pd                *pd,
                      SoupServerMessage *msg,
                      const char        *account_id)
{
  g_autofree char *key = g_strconcat ("account:", account_id, NULL);
  gint64 wait = pd_throttle_check (pd, key);

  if (wait <= 0)
    return FALSE;
  pd_respond_too_many (msg, wait, TRUE);
  return TRUE;
}

static void
bump_revision (Pd         *pd,
               const char *account_id)
{
  pd_db_exec (pd, "UPDATE accounts SET revision = revision + 1 WHERE id = ?", "s", account_id);
}

/* GET /me, answered now or by a long poll ----------------------------- */

static gboolean
parse_int_param (GHashTable *query,
                 const char *name,
                 gint64      min,
                 gint64      max,
                 gint64     *out)
{
  const char *value = query ? g_hash_table_lookup (query, name) : NULL;
  guint64 n;

  if (value == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (value, 10, min, max, &n, NULL))
    return FALSE;
  *out = (gint64) n;
  return TRUE;
}

static void
get_me (Pd                *pd,
        SoupServerMessage *msg,
        const char        *account_id,
        const char        *family,
        GHashTable        *query)
{
  gint64 wait = 0, after = -1;
  g_autoptr(PdAccount) a = NULL;

  if (!parse_int_param (query, "wait", 0, PD_LONG_POLL_MAX, &wait) ||
      !parse_int_param (query, "after_revision", 0, G_MAXINT64, &after))
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "wait must be 0 to 60 and after_revision a revision", NULL);
      return;
    }

  a = pd_account_load_or_401 (pd, msg, account_id);
  if (a == NULL)
    return;
  if (after < 0)
    after = a->revision;

  if (wait == 0 || a->revision > after)
    {
      g_autoptr(JsonObject) o = pd_account_to_json (pd, a);

      pd_respond_object (msg, SOUP_STATUS_OK, o);
      return;
    }

  /* each waiter holds a connection: one account may not hold them all */
  if (pd_waiters_count (pd, account_id) >= pd->max_waiters_per_account)
    {
      pd_respond_unavailable (msg, PD_WAITERS_RETRY_AFTER, "Too many long polls wait on this account");
      return;
    }

  pd_waiters_add (pd, msg, account_id, family, after, wait);
}

/* Password work off the main loop ----------------------------------------- */

typedef struct _Op Op;
struct _Op
{
  Pd *pd;
  SoupServerMessage *msg;
  char *account_id;
  char *family;        /* token family of the request */
  PdLang lang;
  char *email;
  char *password;      /* verified against verify_hash when that is set */
  char *verify_hash;
  char *hash_input;    /* hashed into new_hash when set (and verification passed) */
  gboolean verified;
  char *new_hash;
  void (*done) (Op *op);
};

static void
wipe (char *s)
{
  if (s != NULL)
    explicit_bzero (s, strlen (s));
  g_free (s);
}

static void
op_free (Op *op)
{
  g_object_unref (op->msg);
  g_free (op->account_id);
  g_free (op->family);
  g_free (op->email);
  wipe (op->password);
  g_free (op->verify_hash);
  wipe (op->hash_input);
  g_free (op->new_hash);
  g_free (op);
}

static void
op_thread (GTask        *task,
           gpointer      source,
           gpointer      data,
           GCancellable *cancellable)
{
  Op *op = data;

  op->verified = op->verify_hash == NULL || pd_password_verify (op->verify_hash, op->password);
  if (op->verified && op->hash_input != NULL)
    op->new_hash = pd_password_hash (op->hash_input);
  g_task_return_boolean (task, TRUE);
}

static void
op_finished (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Op *op = g_task_get_task_data (G_TASK (result));

  op->done (op);
  soup_server_message_unpause (op->msg);
}

static void
op_run (Op *op)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, op_finished, NULL);

  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  soup_server_message_pause (op->msg);
  g_task_run_in_thread (task, op_thread);
}

static Op *
op_new (Pd                *pd,
        SoupServerMessage *msg,
        const char        *account_id,
        void             (*done) (Op *op))
{
  Op *op = g_new0 (Op, 1);

  op->pd = pd;
  op->msg = g_object_ref (msg);
  op->account_id = g_strdup (account_id);
  op->lang = pd_request_lang (msg);
  op->done = done;
  return op;
}

/* After the account's own password was checked: a wrong one counts against
 * the account's throttle and answers 403; a right one clears the count. */
static gboolean
password_accepted (Op *op)
{
  g_autofree char *key = g_strconcat ("account:", op->account_id, NULL);

  if (!op->verified)
    {
      pd_throttle_fail (op->pd, key);
      pd_respond_error (op->msg, SOUP_STATUS_FORBIDDEN, "invalid_password", "The password is not correct", NULL);
      return FALSE;
    }
  pd_throttle_clear (op->pd, key);
  return TRUE;
}

/* A new pending address with a fresh link, mailed. Replaces an older one. */
static gboolean
start_pending (Pd         *pd,
               const char *account_id,
               const char *address,
               const char *password_hash,
               PdLang      lang)
{
  g_autofree char *token = pd_random_token (32);
  g_autofree char *token_hash = pd_sha256_hex (token);
  g_autofree char *link = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = pd_now ();

  pd_db_begin (pd);
  pd_db_exec (pd, "INSERT OR IGNORE INTO spent_confirmations (token_hash, outcome, at)"
                  " SELECT token_hash, 'replaced', ? FROM pending_emails WHERE account_id = ?",
              "is", now, account_id);
  pd_db_exec (pd, "INSERT OR REPLACE INTO pending_emails (account_id, address, password_hash, token_hash,"
                  " sent_at, resend_after, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
              "ssssiii", account_id, address, password_hash, token_hash, now,
              now + pd->resend_delay, now + pd->confirm_ttl);
  pd_db_exec (pd, "UPDATE accounts SET revision = revision + 1, language = ? WHERE id = ?",
              "ss", pd_lang_code (lang), account_id);

  link = g_strconcat (pd->public_url, "/api/v1/email/confirm?token=", token, NULL);
  if (!pd_mail_send_confirmation (pd, account_id, address, link, lang, &error))
    {
      g_warning ("cannot deliver the confirmation mail: %s", error->message);
      pd_db_rollback (pd);
      explicit_bzero (link, strlen (link));
      return FALSE;
    }

  pd_db_commit (pd);
  explicit_bzero (link, strlen (link));
  explicit_bzero (token, strlen (token));
  pd_account_changed (pd, account_id);
  return TRUE;
}

static void
respond_mail_failed (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "30");
  pd_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "server_error",
                    "The confirmation mail could not be sent", NULL);
}

static gboolean
respond_if_resend_too_soon (SoupServerMessage *msg,
                            PdAccount         *a)
{
  gint64 now = pd_now ();

  if (a->pending == NULL || a->resend_after <= now)
    return FALSE;
  pd_respond_too_many (msg, a->resend_after - now, TRUE);
  return TRUE;
}

static gboolean
email_bound_elsewhere (Pd         *pd,
                       const char *email,
                       const char *account_id)
{
  g_autoptr(sqlite3_stmt) stmt = pd_db_prepare (pd, "SELECT id FROM accounts WHERE email = ?", "s", email);

  return sqlite3_step (stmt) == SQLITE_ROW &&
         g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), account_id) != 0;
}

static void
respond_email_exists (SoupServerMessage *msg)
{
  pd_respond_error (msg, SOUP_STATUS_CONFLICT, "email_exists", "A user with this email already exists", NULL);
}

/* POST /me/terms */
static void
post_terms (Pd                *pd,
            SoupServerMessage *msg,
            const char        *account_id)
{
  g_autoptr(JsonObject) body = pd_request_json (msg);
  const char *version;

  if (body == NULL ||
      !pd_json_only_members (msg, body, (const char *[]) { "version", NULL }) ||
      !pd_json_get_string (msg, body, "version", TRUE, &version))
    return;

  if (!g_str_equal (version, PD_TERMS_VERSION))
    {
      g_autoptr(JsonObject) extra = json_object_new ();
      json_object_set_string_member (extra, "version", PD_TERMS_VERSION);
      pd_respond_error (msg, SOUP_STATUS_CONFLICT, "terms_outdated",
                        "A newer user agreement must be accepted", extra);
      return;
    }

  if (pd_db_exec (pd, "UPDATE accounts SET terms_version = ?, revision = revision + 1"
                      " WHERE id = ? AND terms_version IS NOT ?", "sss",
                  version, account_id, version) == SQLITE_DONE &&
      sqlite3_changes (pd->db) > 0)
    pd_account_changed (pd, account_id);

  pd_respond_account (pd, msg, SOUP_STATUS_OK, account_id);
}

/* The {email, password} body of POST and PUT /me/email; answers 400 and
 * returns FALSE when it is not one. */
static gboolean
read_email_password (SoupServerMessage  *msg,
                     JsonObject         *body,
                     const char        **email,
                     const char        **password)
{
  return body != NULL &&
         pd_json_only_members (msg, body, (const char *[]) { "email", "password", NULL }) &&
         pd_json_get_string (msg, body, "email", TRUE, email) &&
         pd_json_get_string (msg, body, "password", TRUE, password);
}

/* The address lower-cased and trimmed, or NULL after answering 422. */
static char *
valid_email_or_422 (SoupServerMessage *msg,
                    const char        *email_in)
{
  g_autofree char *email = g_strstrip (g_utf8_strdown (email_in, -1));

  if (!pd_email_valid (email))
    {
      pd_respond_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid_email",
                        "This is not a deliverable e-mail address", NULL);
      return NULL;
    }
  return g_steal_pointer (&email);
}

/* POST /me/email */
static void
bind_email_done (Op *op)
{
  Pd *pd = op->pd;
  g_autoptr(PdAccount) a = pd_account_load (pd, op->account_id);
  g_autoptr(sqlite3_stmt) verified = NULL;

  if (a == NULL)
    {
      pd_respond_error (op->msg, SOUP_STATUS_UNAUTHORIZED, "invalid_token", "No such account", NULL);
      return;
    }
  /* The account may have changed while the password was hashed. */
  if (a->email != NULL)
    {
      pd_respond_error (op->msg, SOUP_STATUS_CONFLICT, "email_already_bound",
                        "This account already has a confirmed e-mail", NULL);
      return;
    }

  verified = pd_db_prepare (pd, "SELECT 1 FROM identities WHERE account_id = ? AND email = ?"
                                " AND email_verified = 1", "ss", op->account_id, op->email);
  if (sqlite3_step (verified) == SQLITE_ROW)
    {
      /* The network vouches for the address: bind it now. The UNIQUE
       * constraint decides a race with another account. */
      int rc;

      pd_db_begin (pd);
      rc = pd_db_exec (pd, "UPDATE accounts SET email = ?, password_hash = ?, revision = revision + 1"
                           " WHERE id = ? AND email IS NULL", "sss", op->email, op->new_hash, op->account_id);
      if (rc != SQLITE_DONE)
        {
          pd_db_rollback (pd);
          respond_email_exists (op->msg);
          return;
        }
      pd_db_exec (pd, "INSERT OR IGNORE INTO spent_confirmations (token_hash, outcome, at)"
                      " SELECT token_hash, 'replaced', ? FROM pending_emails WHERE account_id = ?",
                  "is", pd_now (), op->account_id);
      pd_db_exec (pd, "DELETE FROM pending_emails WHERE account_id = ?", "s", op->account_id);
      pd_db_commit (pd);
      pd_account_changed (pd, op->account_id);
      pd_respond_account (pd, op->msg, SOUP_STATUS_OK, op->account_id);
      return;
    }

  if (email_bound_elsewhere (pd, op->email, op->account_id))
    {
      respond_email_exists (op->msg);
      return;
    }

  if (!start_pending (pd, op->account_id, op->email, op->new_hash, op->lang))
    {
      respond_mail_failed (op->msg);
      return;
    }
  pd_respond_account (pd, op->msg, SOUP_STATUS_ACCEPTED, op->account_id);
}

/* PUT /me/email */
static void
change_email_done (Op *op)
{
  Pd *pd = op->pd;

  if (!password_accepted (op))
    return;

  if (email_bound_elsewhere (pd, op->email, op->account_id))
    {
      respond_email_exists (op->msg);
      return;
    }
  if (!start_pending (pd, op->account_id, op->email, NULL, op->lang))
    {
      respond_mail_failed (op->msg);
      return;
    }
  pd_respond_account (pd, op->msg, SOUP_STATUS_ACCEPTED, op->account_id);
}

/* Whether the account is in the state the method needs: POST binds a first
 * address once the terms are accepted, PUT changes a bound one. Else
 * answers 403 or 409. */
static gboolean
email_method_allowed (SoupServerMessage *msg,
                      PdAccount         *a,
                      gboolean           change)
{
  if (change && (a->email == NULL || a->password_hash == NULL))
    {
      pd_respond_error (msg, SOUP_STATUS_CONFLICT, "no_email",
                        "No e-mail is bound yet; use POST /me/email", NULL);
      return FALSE;
    }
  if (!change && g_strcmp0 (a->terms_version, PD_TERMS_VERSION) != 0)
    {
      g_autoptr(JsonObject) extra = json_object_new ();
      json_object_set_string_member (extra, "version", PD_TERMS_VERSION);
      pd_respond_error (msg, SOUP_STATUS_FORBIDDEN, "terms_not_accepted",
                        "The user agreement must be accepted first", extra);
      return FALSE;
    }
  if (!change && a->email != NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_CONFLICT, "email_already_bound",
                        "This account already has a confirmed e-mail; use PUT /me/email", NULL);
      return FALSE;
    }
  return TRUE;
}

/* POST /me/email binds a first address and sets the password; PUT changes
 * the bound address once the password is checked. The same body, the same
 * address check; the answers come in the contract's order. */
static void
email_request (Pd                *pd,
               SoupServerMessage *msg,
               const char        *account_id,
               gboolean           change)
{
  g_autoptr(JsonObject) body = pd_request_json (msg);
  g_autoptr(PdAccount) a = NULL;
  g_autofree char *email = NULL;
  const char *email_in, *password;
  Op *op;

  if (!read_email_password (msg, body, &email_in, &password))
    return;

  a = pd_account_load_or_401 (pd, msg, account_id);
  if (a == NULL || !email_method_allowed (msg, a, change))
    return;

  email = valid_email_or_422 (msg, email_in);
  if (email == NULL)
    return;
  if (!change && respond_if_weak (msg, password, email, a->display_name))
    return;
  if ((change && g_str_equal (email, a->email)) || email_bound_elsewhere (pd, email, account_id))
    {
      respond_email_exists (msg);
      return;
    }
  if (change && respond_if_throttled (pd, msg, account_id))
    return;
  if (respond_if_resend_too_soon (msg, a))
    return;

  op = op_new (pd, msg, account_id, change ? change_email_done : bind_email_done);
  op->email = g_steal_pointer (&email);
  if (change)
    {
      op->password = g_strdup (password);
      op->verify_hash = g_strdup (a->password_hash);
    }
  else
    op->hash_input = g_strdup (password);
  op_run (op);
}

/* POST /me/email/resend */
static void
resend_email (Pd                *pd,
              SoupServerMessage *msg,
              const char        *account_id)
{
  g_autoptr(PdAccount) a = pd_account_load_or_401 (pd, msg, account_id);
  g_autofree char *password_hash = NULL;

  if (a == NULL)
    return;
  if (a->pending == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_CONFLICT, "no_pending_email", "No address waits for confirmation", NULL);
      return;
    }
  if (respond_if_resend_too_soon (msg, a))
    return;

  {
    g_autoptr(sqlite3_stmt) stmt = pd_db_prepare (pd, "SELECT password_hash FROM pending_emails WHERE account_id = ?",
                                                  "s", account_id);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      password_hash = pd_db_column_text (stmt, 0);
  }

  if (!start_pending (pd, account_id, a->pending, password_hash, pd_request_lang (msg)))
    {
      respond_mail_failed (msg);
      return;
    }
  pd_respond_account (pd, msg, SOUP_STATUS_ACCEPTED, account_id);
}

/* DELETE /me/email/pending */
static void
cancel_pending (Pd                *pd,
                SoupServerMessage *msg,
                const char        *account_id)
{
  pd_db_begin (pd);
  pd_db_exec (pd, "INSERT OR IGNORE INTO spent_confirmations (token_hash, outcome, at)"
                  " SELECT token_hash, 'replaced', ? FROM pending_emails WHERE account_id = ?",
              "is", pd_now (), account_id);
  pd_db_exec (pd, "DELETE FROM pending_emails WHERE account_id = ?", "s", account_id);
  if (sqlite3_changes (pd->db) > 0)
    {
      bump_revision (pd, account_id);
      pd_db_commit (pd);
      pd_account_changed (pd, account_id);
    }
  else
    pd_db_commit (pd);

  pd_respond_account (pd, msg, SOUP_STATUS_OK, account_id);
}

/* POST /me/password */
static void
change_password_done (Op *op)
{
  Pd *pd = op->pd;

  if (!password_accepted (op))
    return;

  pd_db_exec (pd, "UPDATE accounts SET password_hash = ?, revision = revision + 1 WHERE id = ?",
              "ss", op->new_hash, op->account_id);
  /* A new password ends every other session of the account: whoever knew
   * the old one may hold tokens. The session that changed it stays. */
  pd_db_exec (pd, "UPDATE token_families SET revoked = 1 WHERE account_id = ? AND revoked = 0 AND id IS NOT ?",
              "ss", op->account_id, op->family);
  pd_account_changed (pd, op->account_id);
  soup_server_message_set_status (op->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void
post_password (Pd                *pd,
               SoupServerMessage *msg,
               const char        *account_id,
               const char        *family)
{
  g_autoptr(JsonObject) body = pd_request_json (msg);
  g_autoptr(PdAccount) a = NULL;
  const char *current, *new_password;
  Op *op;

  if (body == NULL ||
      !pd_json_only_members (msg, body, (const char *[]) { "current_password", "new_password", NULL }) ||
      !pd_json_get_string (msg, body, "current_password", TRUE, &current) ||
      !pd_json_get_string (msg, body, "new_password", TRUE, &new_password))
    return;

  a = pd_account_load_or_401 (pd, msg, account_id);
  if (a == NULL)
    return;

  if (respond_if_throttled (pd, msg, account_id))
    return;
  if (a->password_hash == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_FORBIDDEN, "invalid_password", "The account has no password yet", NULL);
      return;
    }
  if (respond_if_weak (msg, new_password, a->email, a->display_name))
    return;

  op = op_new (pd, msg, account_id, change_password_done);
  op->family = g_strdup (family);
  op->password = g_strdup (current);
  op->verify_hash = g_strdup (a->password_hash);
  op->hash_input = g_strdup (new_password);
  op_run (op);
}

/* GET /email/confirm?token=… */
static void
confirm_page (Pd                *pd,
              SoupServerMessage *msg,
              GHashTable        *query)
{
  PdLang lang = pd_request_lang (msg);
  const char *token = query ? g_hash_table_lookup (query, "token") : NULL;
  g_autofree char *hash = token ? pd_sha256_hex (token) : NULL;
  g_autofree char *account_id = NULL, *address = NULL, *password_hash = NULL;
  g_autoptr(GString) body = g_string_new ("<p>");
  g_autofree char *page = NULL;
  PdText title = PD_T_CONFIRM_FAIL_TITLE, text = PD_T_CONFIRM_INVALID;
  guint status = SOUP_STATUS_NOT_FOUND;
  gboolean found = FALSE;
  gint64 expires_at = 0;

  if (hash != NULL)
    {
      g_autoptr(sqlite3_stmt) stmt =
        pd_db_prepare (pd, "SELECT account_id, address, password_hash, expires_at FROM pending_emails"
                           " WHERE token_hash = ?", "s", hash);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          found = TRUE;
          account_id = pd_db_column_text (stmt, 0);
          address = pd_db_column_text (stmt, 1);
          password_hash = pd_db_column_text (stmt, 2);
          expires_at = sqlite3_column_int64 (stmt, 3);
        }
      else
        {
          g_autoptr(sqlite3_stmt) spent =
            pd_db_prepare (pd, "SELECT outcome FROM spent_confirmations WHERE token_hash = ?", "s", hash);
          if (sqlite3_step (spent) == SQLITE_ROW)
            {
              text = PD_T_CONFIRM_USED;
              status = SOUP_STATUS_GONE;
            }
        }
    }

  if (found && expires_at < pd_now ())
    {
      text = PD_T_CONFIRM_EXPIRED;
      status = SOUP_STATUS_GONE;
    }
  else if (found)
    {
      int rc;

      pd_db_begin (pd);
      /* Binding the new address releases the old one in the same statement;
       * the UNIQUE constraint decides against an account that took it meanwhile. */
      if (password_hash != NULL)
        rc = pd_db_exec (pd, "UPDATE accounts SET email = ?, password_hash = ?, revision = revision + 1"
                             " WHERE id = ?", "sss", address, password_hash, account_id);
      else
        rc = pd_db_exec (pd, "UPDATE accounts SET email = ?, revision = revision + 1 WHERE id = ?",
                         "ss", address, account_id);

      if (rc == SQLITE_DONE)
        {
          title = PD_T_CONFIRM_OK_TITLE;
          text = PD_T_CONFIRM_OK;
          status = SOUP_STATUS_OK;
        }
      else
        {
          text = PD_T_CONFIRM_TAKEN;
          status = SOUP_STATUS_CONFLICT;
          bump_revision (pd, account_id);
        }
      pd_db_exec (pd, "INSERT OR REPLACE INTO spent_confirmations (token_hash, outcome, at) VALUES (?, ?, ?)",
                  "ssi", hash, rc == SQLITE_DONE ? "confirmed" : "taken", pd_now ());
      pd_db_exec (pd, "DELETE FROM pending_emails WHERE account_id = ?", "s", account_id);
      pd_db_commit (pd);
      pd_account_changed (pd, account_id);
      g_info ("confirmation link used: %s", rc == SQLITE_DONE ? "confirmed" : "address taken");
    }

  if (text == PD_T_CONFIRM_OK)
    {
      /* Escape first, then fill, so the address can be emphasised. */
      g_autofree char *escaped = g_string_free (pd_html_escape (g_string_new (NULL), address), FALSE);
      g_autofree char *strong = g_strconcat ("<strong>", escaped, "</strong>", NULL);
      g_autoptr(GString) t = pd_html_escape (g_string_new (NULL), pd_text (lang, text));
      g_string_replace (t, "%s", strong, 1);
      g_string_append (body, t->str);
    }
  else
    pd_html_escape (body, pd_text (lang, text));
  g_string_append (body, "</p>");

  page = pd_html_page (lang, pd_text (lang, title), body->str);
  pd_respond_html (msg, status, page);
}

/* GET /providers, GET /terms */
static void
get_providers (Pd                *pd,
               SoupServerMessage *msg)
{
  g_autoptr(JsonObject) o = json_object_new ();
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < pd->providers->len; i++)
    {
      const PdProvider *p = g_ptr_array_index (pd->providers, i);
      JsonObject *item = json_object_new ();

      json_object_set_string_member (item, "id", p->id);
      json_object_set_string_member (item, "name", p->name);
      if (pd_provider_has_icon (p->id))
        {
          g_autofree char *icon = g_strdup_printf ("%s/static/providers/%s.svg", pd->public_url, p->id);
          json_object_set_string_member (item, "icon_url", icon);
        }
      else
        json_object_set_null_member (item, "icon_url");
      json_array_add_object_element (array, item);
    }
  json_object_set_array_member (o, "providers", array);
  pd_respond_object (msg, SOUP_STATUS_OK, o);
}

static void
get_terms (Pd                *pd,
           SoupServerMessage *msg)
{
  PdLang lang = pd_request_lang (msg);
  g_autoptr(JsonObject) o = json_object_new ();
  g_autofree char *terms_url = g_strconcat (pd->public_url, "/terms", NULL);

  json_object_set_string_member (o, "version", PD_TERMS_VERSION);
  json_object_set_string_member (o, "url", terms_url);
  json_object_set_string_member (o, "text", pd_text (lang, PD_T_TERMS_TEXT));
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Content-Language",
                                pd_lang_code (lang));
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Vary", "Accept-Language");
  pd_respond_object (msg, SOUP_STATUS_OK, o);
}

static void
method_not_allowed (SoupServerMessage *msg)
{
  pd_respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request",
                    "This method is not allowed here", NULL);
}

void
pd_handle_api (Pd                *pd,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query)
{
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *account_id = NULL;
  g_autofree char *family = NULL;

  if (g_str_equal (path, "/providers") || g_str_equal (path, "/terms") ||
      g_str_equal (path, "/email/confirm"))
    {
      if (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD"))
        method_not_allowed (msg);
      else if (g_str_equal (path, "/providers"))
        get_providers (pd, msg);
      else if (g_str_equal (path, "/terms"))
        get_terms (pd, msg);
      else
        confirm_page (pd, msg, query);
      return;
    }
  /* (public) section 10: the page of a link_url; pd-identities.c */
  if (g_str_equal (path, "/identities/link"))
    {
      pd_handle_identity_link_page (pd, msg, query);
      return;
    }
  /* (public) section 7; pd-reset.c */
  if (g_str_has_prefix (path, "/password/"))
    {
      pd_handle_password (pd, msg, path, query);
      return;
    }

  if (!g_str_equal (path, "/me") && !g_str_equal (path, "/me/terms") &&
      !g_str_equal (path, "/me/email") && !g_str_equal (path, "/me/email/resend") &&
      !g_str_equal (path, "/me/email/pending") && !g_str_equal (path, "/me/password") &&
      !(pd_feature_on (pd, PD_FEATURE_OTP) &&
        (g_str_equal (path, "/me/otp") || g_str_equal (path, "/me/otp/setup") ||
         g_str_equal (path, "/me/otp/confirm") || g_str_equal (path, "/me/otp/recovery-codes"))) &&
      !(pd_feature_on (pd, PD_FEATURE_APP_PASSWORDS) && pd_app_passwords_path (path)) &&
      !(pd_feature_on (pd, PD_FEATURE_SESSIONS) && pd_sessions_path (path)) &&
      !(pd_feature_on (pd, PD_FEATURE_IDENTITIES) && pd_identities_path (path)))
    {
      pd_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint", NULL);
      return;
    }
  /* section 12: a server without it has no DELETE /me */
  if (g_str_equal (path, "/me") && g_str_equal (method, "DELETE") &&
      !pd_feature_on (pd, PD_FEATURE_DELETE_ACCOUNT))
    {
      pd_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint", NULL);
      return;
    }

  account_id = pd_authenticate (pd, msg, &family);
  if (account_id == NULL)
    return;

  if (g_str_equal (path, "/me") && g_str_equal (method, "GET"))
    get_me (pd, msg, account_id, family, query);
  else if (g_str_equal (path, "/me/terms") && g_str_equal (method, "POST"))
    post_terms (pd, msg, account_id);
  else if (g_str_equal (path, "/me/email") && g_str_equal (method, "POST"))
    email_request (pd, msg, account_id, FALSE);
  else if (g_str_equal (path, "/me/email") && g_str_equal (method, "PUT"))
    email_request (pd, msg, account_id, TRUE);
  else if (g_str_equal (path, "/me/email/resend") && g_str_equal (method, "POST"))
    resend_email (pd, msg, account_id);
  else if (g_str_equal (path, "/me/email/pending") && g_str_equal (method, "DELETE"))
    cancel_pending (pd, msg, account_id);
  else if (g_str_equal (path, "/me/password") && g_str_equal (method, "POST"))
    post_password (pd, msg, account_id, family);
  else if (g_str_has_prefix (path, "/me/otp") && pd_handle_otp (pd, msg, path, account_id, family))
    return;
  else if (pd_app_passwords_path (path) && pd_handle_app_passwords (pd, msg, path, account_id, family))
    return;
  else if (g_str_equal (path, "/me") && g_str_equal (method, "DELETE"))
    pd_handle_delete_account (pd, msg, account_id, family);
  else if (pd_sessions_path (path) && pd_handle_sessions (pd, msg, path, query, account_id, family))
    return;
  else if (pd_identities_path (path) && pd_handle_identities (pd, msg, path, account_id, family))
    return;
  else
    method_not_allowed (msg);
}
