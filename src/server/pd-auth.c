// SPDX-License-Identifier: GPL-3.0-or-later
//
// Who a request is: the account of its bearer access token, answering 401
// when there is none (missing, expired or revoked token, deleted account).
#include "config.h"

#include "pd.h"

char *
pd_authenticate (Pd                *pd,
                 SoupServerMessage *msg,
                 char             **family)
{
  const char *token = pd_bearer_token (msg);
  g_autofree char *hash = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (token == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_token", "An access token is required", NULL);
      return NULL;
    }

  hash = pd_sha256_hex (token);
  stmt = pd_db_prepare (pd, "SELECT f.account_id, f.id FROM access_tokens a"
                            " JOIN token_families f ON f.id = a.family_id"
                            " WHERE a.hash = ? AND a.revoked = 0 AND f.revoked = 0 AND a.expires_at > ?",
                        "si", hash, pd_now ());
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      pd_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_token",
                        "The access token is missing, expired or revoked", NULL);
      return NULL;
    }

  if (family != NULL)
    *family = pd_db_column_text (stmt, 1);
  return pd_db_column_text (stmt, 0);
}

/* The account of the token, or NULL after answering 401 (it was deleted). */
PdAccount *
pd_account_load_or_401 (Pd                *pd,
                        SoupServerMessage *msg,
                        const char        *account_id)
{
  PdAccount *a = pd_account_load (pd, account_id);

  if (a == NULL)
    pd_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_token", "No such account", NULL);
  return a;
}
