// SPDX-License-Identifier: GPL-3.0-or-later
//
// The account record: one row of accounts with its pending address, and the
// account as the API shows it (GET /me).
#include "config.h"

#include "pd.h"

void
pd_account_free (PdAccount *a)
{
  g_free (a->id);
  g_free (a->display_name);
  g_free (a->email);
  g_free (a->password_hash);
  g_free (a->terms_version);
  g_free (a->language);
  g_free (a->pending);
  g_free (a);
}

PdAccount *
pd_account_load (Pd         *pd,
                 const char *id)
{
  g_autoptr(sqlite3_stmt) stmt =
    pd_db_prepare (pd, "SELECT a.display_name, a.email, a.password_hash, a.terms_version, a.language,"
                       " a.revision, p.address, p.password_hash IS NOT NULL, p.sent_at, p.resend_after,"
                       " p.expires_at FROM accounts a LEFT JOIN pending_emails p ON p.account_id = a.id"
                       " WHERE a.id = ?", "s", id);
  PdAccount *a;

  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;

  a = g_new0 (PdAccount, 1);
  a->id = g_strdup (id);
  a->display_name = pd_db_column_text (stmt, 0);
  a->email = pd_db_column_text (stmt, 1);
  a->password_hash = pd_db_column_text (stmt, 2);
  a->terms_version = pd_db_column_text (stmt, 3);
  a->language = pd_db_column_text (stmt, 4);
  a->revision = sqlite3_column_int64 (stmt, 5);
  a->pending = pd_db_column_text (stmt, 6);
  a->pending_has_password = sqlite3_column_int (stmt, 7) != 0;
  a->sent_at = sqlite3_column_int64 (stmt, 8);
  a->resend_after = sqlite3_column_int64 (stmt, 9);
  a->expires_at = sqlite3_column_int64 (stmt, 10);
  return a;
}

static void
set_time (JsonObject *o,
          const char *member,
          gint64      t)
{
  g_autofree char *s = pd_rfc3339 (t);
  json_object_set_string_member (o, member, s);
}

JsonObject *
pd_account_json (Pd         *pd,
                 const char *account_id)
{
  g_autoptr(PdAccount) a = pd_account_load (pd, account_id);

  if (a == NULL)
    return NULL;
  return pd_account_to_json (pd, a);
}

JsonObject *
pd_account_to_json (Pd        *pd,
                    PdAccount *a)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  JsonObject *o, *terms;
  JsonArray *identities;

  o = json_object_new ();
  json_object_set_string_member (o, "id", a->id);
  json_object_set_string_member (o, "display_name", a->display_name);
  if (a->email != NULL)
    json_object_set_string_member (o, "email", a->email);
  else
    json_object_set_null_member (o, "email");
  json_object_set_boolean_member (o, "email_verified", a->email != NULL);

  if (a->pending != NULL)
    {
      JsonObject *p = json_object_new ();
      json_object_set_string_member (p, "address", a->pending);
      set_time (p, "sent_at", a->sent_at);
      set_time (p, "resend_after", a->resend_after);
      set_time (p, "expires_at", a->expires_at);
      json_object_set_object_member (o, "pending_email", p);
    }
  else
    json_object_set_null_member (o, "pending_email");

  json_object_set_boolean_member (o, "has_password", a->password_hash != NULL);

  terms = json_object_new ();
  json_object_set_boolean_member (terms, "accepted", g_strcmp0 (a->terms_version, PD_TERMS_VERSION) == 0);
  json_object_set_string_member (terms, "version", PD_TERMS_VERSION);
  json_object_set_object_member (o, "terms", terms);

  identities = json_array_new ();
  stmt = pd_db_prepare (pd, "SELECT provider, email, email_verified, linked_at FROM identities"
                            " WHERE account_id = ? ORDER BY provider, email", "s", a->id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      JsonObject *i = json_object_new ();
      json_object_set_string_member (i, "provider", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_string_member (i, "email", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_boolean_member (i, "email_verified", sqlite3_column_int (stmt, 2) != 0);
      set_time (i, "linked_at", sqlite3_column_int64 (stmt, 3));
      json_array_add_object_element (identities, i);
    }
  json_object_set_array_member (o, "identities", identities);
  pd_otp_account_json (pd, a->id, o);
  pd_identity_link_account_json (pd, a->id, o);
  json_object_set_int_member (o, "revision", a->revision);

  return o;
}

void
pd_respond_account (Pd                *pd,
                    SoupServerMessage *msg,
                    guint              status,
                    const char        *account_id)
{
  g_autoptr(JsonObject) o = pd_account_json (pd, account_id);

  if (o == NULL)
    pd_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_token", "No such account", NULL);
  else
    pd_respond_object (msg, status, o);
}
