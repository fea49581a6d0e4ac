// SPDX-License-Identifier: GPL-3.0-or-later
//
// Account deletion (contract section 12, feature `delete_account`):
// DELETE /me with a proof removes the account row, and every table that
// refers to an account does so ON DELETE CASCADE, so its identities,
// pending address, sessions and their tokens, codes, two-step data, app
// passwords and reset links go in the same statement. The triggers of
// schema 7 keep the id in deleted_accounts and refuse it to a new account.
#include "config.h"

#include "pd.h"

static void
delete_proved (Pd                *pd,
               SoupServerMessage *msg,
               const char        *account_id,
               gpointer           data)
{
  g_autoptr(PdAccount) a = pd_account_load_or_401 (pd, msg, account_id);
  int rc;

  /* gone meanwhile: another DELETE won */
  if (a == NULL)
    return;

  pd_db_begin (pd);
  rc = pd_db_exec (pd, "DELETE FROM accounts WHERE id = ?", "s", account_id);
  if (rc != SQLITE_DONE)
    {
      pd_db_rollback (pd);
      g_warning ("cannot delete an account: %s", sqlite3_errstr (rc));
      pd_respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "server_error",
                        "The account could not be deleted", NULL);
      return;
    }
  /* the failure counts of the account and of its address: the address
   * may be someone else's from now on */
  {
    g_autofree char *account_key = g_strconcat ("account:", account_id, NULL);

    pd_throttle_clear (pd, account_key);
    if (a->email != NULL)
      {
        g_autofree char *grant_key = g_strconcat ("grant:", a->email, NULL);

        pd_throttle_clear (pd, grant_key);
      }
  }
  pd_db_commit (pd);

  /* every session ended: their long polls get 401 */
  pd_waiters_sign_out (pd, account_id);
  g_info ("account deleted");
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

void
pd_handle_delete_account (Pd                *pd,
                          SoupServerMessage *msg,
                          const char        *account_id,
                          const char        *family)
{
  static const char *const proof_members[] = { "password", "otp", "recovery_code", NULL };
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  g_autoptr(JsonObject) body = NULL;

  /* the proof is the whole body; none may be sent as no body at all */
  if (request->length == 0)
    body = json_object_new ();
  else if ((body = pd_request_json (msg)) == NULL ||
           !pd_json_only_members (msg, body, proof_members))
    return;

  pd_proof_check (pd, msg, account_id, family, body, delete_proved, NULL, NULL);
}
