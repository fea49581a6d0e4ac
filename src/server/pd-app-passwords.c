// SPDX-License-Identifier: GPL-3.0-or-later
//
// App passwords (contract section 8.4, feature `app_passwords`): passwords
// for programs without a second step, each good only as the password of the
// password grant (pd-oauth.c), where it skips two-step sign-in. Everywhere
// else nothing looks at them, so there they are wrong passwords. Stored as
// argon2id hashes like the account's password; hashing runs in a worker
// thread.
#include "config.h"

#include <string.h>

#include "pd.h"

#define PATH "/me/app-passwords"

static void
wipe (char *s)
{
  if (s != NULL)
    explicit_bzero (s, strlen (s));
  g_free (s);
}

gboolean
pd_app_passwords_path (const char *path)
{
  return g_str_equal (path, PATH) || g_str_has_prefix (path, PATH "/");
}

char *
pd_app_password_normalize (const char *input)
{
  char out[PD_APP_PASSWORD_LEN + 1];
  gsize len = 0;

  if (input == NULL)
    return NULL;
  for (const char *p = input; *p != '\0'; p++)
    {
      char c = g_ascii_tolower (*p);

      if (*p == ' ')
        continue;
      if (c < 'a' || c > 'z' || len == PD_APP_PASSWORD_LEN)
        {
          explicit_bzero (out, sizeof out);
          return NULL;
        }
      out[len++] = c;
    }
  out[len] = '\0';
  if (len != PD_APP_PASSWORD_LEN)
    {
      explicit_bzero (out, sizeof out);
      return NULL;
    }

  {
    char *copy = g_strdup (out);

    explicit_bzero (out, sizeof out);
    return copy;
  }
}

void
pd_app_passwords_candidates (Pd         *pd,
                             const char *account_id,
                             GPtrArray  *hashes,
                             GPtrArray  *ids)
{
  if (account_id != NULL)
    {
      g_autoptr(sqlite3_stmt) stmt =
        pd_db_prepare (pd, "SELECT id, hash FROM app_passwords WHERE account_id = ? LIMIT ?",
                       "si", account_id, (gint64) PD_APP_PASSWORDS_MAX);

      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_ptr_array_add (ids, pd_db_column_text (stmt, 0));
          g_ptr_array_add (hashes, pd_db_column_text (stmt, 1));
        }
    }
  while (hashes->len < PD_APP_PASSWORDS_MAX)
    {
      g_ptr_array_add (ids, NULL);
      g_ptr_array_add (hashes, g_strdup (pd->dummy_hash));
    }
}

gboolean
pd_app_password_used (Pd         *pd,
                      const char *account_id,
                      const char *id)
{
  pd_db_exec (pd, "UPDATE app_passwords SET last_used_at = ? WHERE id = ? AND account_id = ?",
              "iss", pd_now (), id, account_id);
  return sqlite3_changes (pd->db) == 1;
}

/* The list ---------------------------------------------------------------- */

/* One app password as the contract shows it, from a row of id, name,
 * created_at, last_used_at. */
static JsonObject *
item_json (sqlite3_stmt *stmt)
{
  JsonObject *o = json_object_new ();
  g_autofree char *created = pd_rfc3339 (sqlite3_column_int64 (stmt, 2));

  json_object_set_string_member (o, "id", (const char *) sqlite3_column_text (stmt, 0));
  json_object_set_string_member (o, "name", (const char *) sqlite3_column_text (stmt, 1));
  json_object_set_string_member (o, "created_at", created);
  if (sqlite3_column_type (stmt, 3) == SQLITE_NULL)
    json_object_set_null_member (o, "last_used_at");
  else
    {
      g_autofree char *used = pd_rfc3339 (sqlite3_column_int64 (stmt, 3));

      json_object_set_string_member (o, "last_used_at", used);
    }
  return o;
}

static void
get_list (Pd                *pd,
          SoupServerMessage *msg,
          const char        *account_id)
{
  g_autoptr(JsonObject) o = json_object_new ();
  JsonArray *array = json_array_new ();
  /* newest first; rowid orders those made within one second */
  g_autoptr(sqlite3_stmt) stmt =
    pd_db_prepare (pd, "SELECT id, name, created_at, last_used_at FROM app_passwords"
                       " WHERE account_id = ? ORDER BY created_at DESC, rowid DESC", "s", account_id);

  while (sqlite3_step (stmt) == SQLITE_ROW)
    json_array_add_object_element (array, item_json (stmt));
  json_object_set_array_member (o, "app_passwords", array);
  pd_respond_object (msg, SOUP_STATUS_OK, o);
}

/* A new one ------------------------------------------------------------------ */

/* 1–64 characters (code points, not bytes) and no control characters. */
static gboolean
name_valid (const char *name)
{
  glong n = g_utf8_strlen (name, -1);

  if (n < 1 || n > PD_APP_PASSWORD_NAME_MAX)
    return FALSE;
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

/* Whether the account may have one more: answers 409 no_email (nothing to
 * sign in with) or app_password_limit, or 401 for an account deleted, and
 * returns FALSE. Checked before the proof, so that a wrong password is not
 * counted for a call that could not succeed, and again before the row is
 * written, as it may have changed meanwhile. */
static gboolean
room_for_one (Pd                *pd,
              SoupServerMessage *msg,
              const char        *account_id)
{
  g_autoptr(sqlite3_stmt) stmt =
    pd_db_prepare (pd, "SELECT email IS NOT NULL, (SELECT COUNT(*) FROM app_passwords WHERE account_id = ?1)"
                       " FROM accounts WHERE id = ?1", "s", account_id);

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      pd_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_token", "No such account", NULL);
      return FALSE;
    }
  if (sqlite3_column_int (stmt, 0) == 0)
    {
      pd_respond_error (msg, SOUP_STATUS_CONFLICT, "no_email",
                        "No e-mail is bound: an app password needs one to sign in with", NULL);
      return FALSE;
    }
  if (sqlite3_column_int64 (stmt, 1) >= PD_APP_PASSWORDS_MAX)
    {
      pd_respond_error (msg, SOUP_STATUS_CONFLICT, "app_password_limit",
                        "The account has 20 app passwords: revoke one first", NULL);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  Pd *pd;
  SoupServerMessage *msg;
  char *account_id;
  char *name;
  char *password;   /* shown once, in the answer */
  char *hash;
} Creation;

static void
creation_free (Creation *c)
{
  g_object_unref (c->msg);
  g_free (c->account_id);
  g_free (c->name);
  wipe (c->password);
  g_free (c->hash);
  g_free (c);
}

static void
creation_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  Creation *c = data;

  c->hash = pd_password_hash (c->password);
  g_task_return_boolean (task, TRUE);
}

static void
creation_hashed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Creation *c = g_task_get_task_data (G_TASK (result));
  Pd *pd = c->pd;

  if (room_for_one (pd, c->msg, c->account_id))
    {
      g_autofree char *random = pd_random_token (12);
      g_autofree char *id = g_strconcat ("ap_", random, NULL);
      g_autoptr(sqlite3_stmt) stmt = NULL;
      gint64 now = pd_now ();

      pd_db_exec (pd, "INSERT INTO app_passwords (id, account_id, name, hash, created_at)"
                      " VALUES (?, ?, ?, ?, ?)", "ssssi", id, c->account_id, c->name, c->hash, now);
      stmt = pd_db_prepare (pd, "SELECT id, name, created_at, last_used_at FROM app_passwords WHERE id = ?",
                            "s", id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_autoptr(JsonObject) o = item_json (stmt);

          json_object_set_string_member (o, "password", c->password);
          pd_respond_object (c->msg, SOUP_STATUS_CREATED, o);
          g_info ("app password created");
        }
      else
        pd_respond_error (c->msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "server_error",
                          "The app password could not be stored", NULL);
    }
  pd_message_release (c->msg);
}

static void
create_proved (Pd                *pd,
               SoupServerMessage *msg,
               const char        *account_id,
               gpointer           data)
{
  g_autoptr(GTask) task = NULL;
  Creation *c;

  if (!room_for_one (pd, msg, account_id))
    return;

  c = g_new0 (Creation, 1);
  c->pd = pd;
  c->msg = g_object_ref (msg);
  c->account_id = g_strdup (account_id);
  c->name = g_strdup (data);
  c->password = pd_random_letters (PD_APP_PASSWORD_LEN);
  task = g_task_new (NULL, NULL, creation_hashed, NULL);
  g_task_set_task_data (task, c, (GDestroyNotify) creation_free);
  pd_message_hold (msg);
  g_task_run_in_thread (task, creation_thread);
}

static void
post_create (Pd                *pd,
             SoupServerMessage *msg,
             const char        *account_id,
             const char        *family)
{
  g_autoptr(JsonObject) body = pd_request_json (msg);
  g_autofree char *name = NULL;
  const char *name_in;

  if (body == NULL ||
      !pd_json_only_members (msg, body, (const char *[]) { "name", "password", "otp", "recovery_code", NULL }) ||
      !pd_json_get_string (msg, body, "name", TRUE, &name_in))
    return;

  name = g_strstrip (g_strdup (name_in));
  if (!name_valid (name))
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "name must be 1 to 64 characters, without control characters", NULL);
      return;
    }
  if (!room_for_one (pd, msg, account_id))
    return;
  pd_proof_check (pd, msg, account_id, family, body, create_proved, g_steal_pointer (&name), g_free);
}

/* Revoking one ------------------------------------------------------------- */

static void
delete_one (Pd                *pd,
            SoupServerMessage *msg,
            const char        *account_id,
            const char        *id)
{
  int ended;

  pd_db_begin (pd);
  pd_db_exec (pd, "DELETE FROM app_passwords WHERE id = ? AND account_id = ?", "ss", id, account_id);
  if (sqlite3_changes (pd->db) != 1)
    {
      pd_db_rollback (pd);
      pd_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such app password", NULL);
      return;
    }
  /* the sessions it started end, with their refresh and access tokens */
  pd_db_exec (pd, "UPDATE token_families SET revoked = 1"
                  " WHERE app_password_id = ? AND account_id = ? AND revoked = 0", "ss", id, account_id);
  ended = sqlite3_changes (pd->db);
  pd_db_commit (pd);

  if (ended > 0)
    pd_waiters_sign_out_revoked (pd, account_id);
  g_info ("app password revoked; %d sessions ended", ended);
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

gboolean
pd_handle_app_passwords (Pd                *pd,
                         SoupServerMessage *msg,
                         const char        *path,
                         const char        *account_id,
                         const char        *family)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, PATH) && g_str_equal (method, "GET"))
    get_list (pd, msg, account_id);
  else if (g_str_equal (path, PATH) && g_str_equal (method, "POST"))
    post_create (pd, msg, account_id, family);
  else if (g_str_has_prefix (path, PATH "/") && g_str_equal (method, "DELETE"))
    delete_one (pd, msg, account_id, path + strlen (PATH "/"));
  else
    return FALSE;
  return TRUE;
}
