// SPDX-License-Identifier: GPL-3.0-or-later
//
// Sessions (contract section 9, feature `sessions`): a session is a token
// family. The grants record how one began and each grant (sign-in or
// refresh) its time and peer address; /me/sessions lists the live ones
// and ends them. The id shown is the family's public_id (schema 7), never
// its row id.
#include "config.h"

#include <string.h>

#include "pd.h"

#define PATH "/me/sessions"

/* A family is live while it is not revoked and its refresh token works. */
#define LIVE " f.revoked = 0 AND EXISTS (SELECT 1 FROM refresh_tokens r" \
             " WHERE r.family_id = f.id AND r.retired = 0 AND r.expires_at >= ?)"

/* Characters dropped from a device_name besides the C0 and C1 controls:
 * those that reorder or break the text around them when it is shown
 * (bidirectional controls, line and paragraph separators). */
static gboolean
device_name_drops (gunichar c)
{
  return g_unichar_iscntrl (c) ||
         c == 0x061C || c == 0x200E || c == 0x200F ||
         (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
         c == 0x2028 || c == 0x2029;
}

char *
pd_device_name_normalize (const char *input)
{
  g_autofree char *valid = NULL;
  g_autoptr(GString) out = NULL;
  const char *start;
  guint n = 0;

  if (input == NULL)
    return NULL;
  valid = g_utf8_make_valid (input, -1);
  out = g_string_new (NULL);

  /* white space at the start is skipped, not counted */
  start = valid;
  while (*start != '\0' && (g_unichar_isspace (g_utf8_get_char (start)) ||
                            device_name_drops (g_utf8_get_char (start))))
    start = g_utf8_next_char (start);
  for (const char *p = start; *p != '\0' && n < PD_SESSION_DEVICE_NAME_MAX; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (device_name_drops (c))
        continue;
      g_string_append_unichar (out, c);
      n++;
    }
  while (out->len > 0)
    {
      const char *last = g_utf8_find_prev_char (out->str, out->str + out->len);

      if (!g_unichar_isspace (g_utf8_get_char (last)))
        break;
      g_string_truncate (out, last - out->str);
    }
  if (out->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The client's address as the server saw it: its peer (passportd trusts
 * no proxy header), an IPv4 address mapped into IPv6 written as IPv4. */
static char *
peer_address (SoupServerMessage *msg)
{
  const char *host = soup_server_message_get_remote_host (msg);

  if (host == NULL)
    return NULL;
  if (g_ascii_strncasecmp (host, "::ffff:", 7) == 0 && strchr (host + 7, '.') != NULL)
    host += 7;
  return g_strdup (host);
}

void
pd_session_started (Pd                *pd,
                    SoupServerMessage *msg,
                    const char        *family,
                    const char        *method,
                    const char        *device_name)
{
  g_autofree char *name = pd_device_name_normalize (device_name);
  g_autofree char *ip = peer_address (msg);

  g_return_if_fail (g_strv_contains ((const char * const[]) { "browser", "password", "app_password",
                                                              "device", NULL }, method));
  pd_db_exec (pd, "UPDATE token_families SET method = ?, device_name = ?, last_used_at = ?, ip = ?"
                  " WHERE id = ?", "ssiss", method, name, pd_now (), ip, family);
}

void
pd_session_used (Pd                *pd,
                 SoupServerMessage *msg,
                 const char        *family)
{
  g_autofree char *ip = peer_address (msg);

  pd_db_exec (pd, "UPDATE token_families SET last_used_at = ?, ip = ? WHERE id = ?",
              "iss", pd_now (), ip, family);
}

gboolean
pd_sessions_path (const char *path)
{
  return g_str_equal (path, PATH) || g_str_has_prefix (path, PATH "/");
}

/* The list ---------------------------------------------------------------- */

static void
set_time (JsonObject *o,
          const char *member,
          gint64      unix_seconds)
{
  g_autofree char *text = pd_rfc3339 (unix_seconds);

  json_object_set_string_member (o, member, text);
}

static void
set_string_or_null (JsonObject *o,
                    const char *member,
                    const char *value)
{
  if (value != NULL && *value != '\0')
    json_object_set_string_member (o, member, value);
  else
    json_object_set_null_member (o, member);
}

static void
get_list (Pd                *pd,
          SoupServerMessage *msg,
          const char        *account_id,
          const char        *family)
{
  g_autoptr(JsonObject) o = json_object_new ();
  JsonArray *array = json_array_new ();
  /* method is NULL only for a family some grant did not describe: the
   * likeliest, as the upgrade to schema 7 guessed; rowid orders those used
   * within one second, the newest first */
  g_autoptr(sqlite3_stmt) stmt =
    pd_db_prepare (pd, "SELECT f.public_id, f.client_id, f.device_name,"
                       " COALESCE (f.method, CASE WHEN f.app_password_id IS NOT NULL THEN 'app_password'"
                       "   WHEN EXISTS (SELECT 1 FROM codes WHERE family_id = f.id) THEN 'browser'"
                       "   ELSE 'password' END),"
                       " f.created_at, COALESCE (f.last_used_at, f.created_at) AS used, f.ip, f.id = ?"
                       " FROM token_families f WHERE f.account_id = ? AND" LIVE
                       " ORDER BY used DESC, f.rowid DESC", "ssi", family, account_id, pd_now ());

  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *s = json_object_new ();
      const char *client_id = (const char *) sqlite3_column_text (stmt, 1);

      json_object_set_string_member (s, "id", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_string_member (s, "client_id", client_id);
      json_object_set_string_member (s, "client_name", pd_client_name (client_id));
      set_string_or_null (s, "device_name", (const char *) sqlite3_column_text (stmt, 2));
      json_object_set_string_member (s, "method", (const char *) sqlite3_column_text (stmt, 3));
      set_time (s, "created_at", sqlite3_column_int64 (stmt, 4));
      set_time (s, "last_used_at", sqlite3_column_int64 (stmt, 5));
      set_string_or_null (s, "ip", (const char *) sqlite3_column_text (stmt, 6));
      json_object_set_boolean_member (s, "current", sqlite3_column_int (stmt, 7) != 0);
      json_array_add_object_element (array, s);
    }
  json_object_set_array_member (o, "sessions", array);
  pd_respond_object (msg, SOUP_STATUS_OK, o);
}

/* Ending them ------------------------------------------------------------- */

static void
delete_one (Pd                *pd,
            SoupServerMessage *msg,
            const char        *account_id,
            const char        *id)
{
  g_autofree char *target = NULL;

  {
    g_autoptr(sqlite3_stmt) stmt =
      pd_db_prepare (pd, "SELECT f.id FROM token_families f"
                         " WHERE f.public_id = ? AND f.account_id = ? AND" LIVE,
                     "ssi", id, account_id, pd_now ());

    if (sqlite3_step (stmt) == SQLITE_ROW)
      target = pd_db_column_text (stmt, 0);
  }
  /* an unknown id and another account's look alike */
  if (target == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such session", NULL);
      return;
    }

  pd_db_begin (pd);
  pd_db_exec (pd, "UPDATE access_tokens SET revoked = 1 WHERE family_id = ?", "s", target);
  pd_db_exec (pd, "UPDATE token_families SET revoked = 1 WHERE id = ?", "s", target);
  pd_db_commit (pd);

  pd_waiters_sign_out_revoked (pd, account_id);
  g_info ("session ended");
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void
delete_others (Pd                *pd,
               SoupServerMessage *msg,
               GHashTable        *query,
               const char        *account_id,
               const char        *family)
{
  g_autoptr(JsonObject) o = NULL;
  gint64 now = pd_now ();
  int revoked;

  if (query == NULL || g_strcmp0 (g_hash_table_lookup (query, "others"), "true") != 0)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "Only others=true: every session but this one", NULL);
      return;
    }

  pd_db_begin (pd);
  pd_db_exec (pd, "UPDATE access_tokens SET revoked = 1 WHERE family_id IN"
                  " (SELECT f.id FROM token_families f WHERE f.account_id = ? AND f.id != ? AND" LIVE ")",
              "ssi", account_id, family, now);
  pd_db_exec (pd, "UPDATE token_families SET revoked = 1 WHERE id IN"
                  " (SELECT f.id FROM token_families f WHERE f.account_id = ? AND f.id != ? AND" LIVE ")",
              "ssi", account_id, family, now);
  revoked = sqlite3_changes (pd->db);
  pd_db_commit (pd);

  if (revoked > 0)
    pd_waiters_sign_out_revoked (pd, account_id);
  g_info ("%d other sessions ended", revoked);
  o = json_object_new ();
  json_object_set_int_member (o, "revoked", revoked);
  pd_respond_object (msg, SOUP_STATUS_OK, o);
}

gboolean
pd_handle_sessions (Pd                *pd,
                    SoupServerMessage *msg,
                    const char        *path,
                    GHashTable        *query,
                    const char        *account_id,
                    const char        *family)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, PATH) && g_str_equal (method, "GET"))
    get_list (pd, msg, account_id, family);
  else if (g_str_equal (path, PATH) && g_str_equal (method, "DELETE"))
    delete_others (pd, msg, query, account_id, family);
  else if (g_str_has_prefix (path, PATH "/") && g_str_equal (method, "DELETE"))
    delete_one (pd, msg, account_id, path + strlen (PATH "/"));
  else
    return FALSE;
  return TRUE;
}
