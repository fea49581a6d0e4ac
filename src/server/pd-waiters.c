// SPDX-License-Identifier: GPL-3.0-or-later
//
// The long polls of GET /me?wait=…: each waits, paused, until its account
// changes past the revision it knows, its time is up, or the server stops.
#include "config.h"

#include "pd.h"

typedef struct
{
  Pd *pd;
  SoupServerMessage *msg;
  char *account_id;
  char *family;        /* the session of the request */
  gint64 after;
  guint timeout_id;
  gulong disconnect_id;
} Waiter;

static void
waiter_free (Waiter *w)
{
  g_clear_handle_id (&w->timeout_id, g_source_remove);
  g_clear_signal_handler (&w->disconnect_id, w->msg);
  g_object_unref (w->msg);
  g_free (w->account_id);
  g_free (w->family);
  g_free (w);
}

static void
waiter_remove (Waiter *w)
{
  GList *list = g_hash_table_lookup (w->pd->waiters, w->account_id);

  list = g_list_remove (list, w);
  if (list == NULL)
    g_hash_table_remove (w->pd->waiters, w->account_id);
  else
    g_hash_table_replace (w->pd->waiters, g_strdup (w->account_id), list);
}

static void
waiter_answer (Waiter *w)
{
  SoupServerMessage *msg = g_object_ref (w->msg);

  waiter_remove (w);
  pd_respond_account (w->pd, msg, SOUP_STATUS_OK, w->account_id);
  waiter_free (w);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
}

static gboolean
waiter_timeout (gpointer data)
{
  Waiter *w = data;

  w->timeout_id = 0;
  waiter_answer (w);
  return G_SOURCE_REMOVE;
}

static void
waiter_disconnected (SoupServerMessage *msg,
                     gpointer           data)
{
  Waiter *w = data;

  waiter_remove (w);
  waiter_free (w);
}

void
pd_waiters_add (Pd                *pd,
                SoupServerMessage *msg,
                const char        *account_id,
                const char        *family,
                gint64             after,
                gint64             wait)
{
  Waiter *w = g_new0 (Waiter, 1);

  w->pd = pd;
  w->msg = g_object_ref (msg);
  w->account_id = g_strdup (account_id);
  w->family = g_strdup (family);
  w->after = after;
  /* not g_timeout_add_seconds(): it rounds to a shared second boundary and
   * may answer up to a second before `wait` has passed */
  w->timeout_id = g_timeout_add ((guint) (wait * 1000), waiter_timeout, w);
  if (g_signal_lookup ("disconnected", SOUP_TYPE_SERVER_MESSAGE) != 0)
    w->disconnect_id = g_signal_connect (msg, "disconnected", G_CALLBACK (waiter_disconnected), w);
  g_hash_table_replace (pd->waiters, g_strdup (account_id),
                        g_list_append (g_hash_table_lookup (pd->waiters, account_id), w));
  soup_server_message_pause (msg);
}

/* One read of the account and one JSON text for all its long polls, and the
 * waiter list taken out of the table once: answering 1000 waiters was 1000
 * loads of the account (two reads each) and a quadratic list walk. */
void
pd_account_changed (Pd         *pd,
                    const char *account_id)
{
  GList *list = NULL;
  GList *waiting = NULL;
  g_autofree char *key = NULL;
  g_autoptr(JsonObject) account = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GBytes) body = NULL;
  gint64 revision = G_MAXINT64;

  if (!g_hash_table_steal_extended (pd->waiters, account_id, (gpointer *) &key, (gpointer *) &list))
    return;

  account = pd_account_json (pd, account_id);
  if (account != NULL)
    {
      revision = json_object_get_int_member (account, "revision");
      node = json_node_init_object (json_node_alloc (), account);
      body = pd_json_bytes (node);
    }

  for (GList *l = list; l != NULL; l = l->next)
    {
      Waiter *w = l->data;
      SoupServerMessage *msg;

      if (account != NULL && revision <= w->after)
        {
          waiting = g_list_prepend (waiting, w);
          continue;
        }

      msg = g_object_ref (w->msg);
      if (body != NULL)
        pd_respond_json_bytes (msg, SOUP_STATUS_OK, body);
      else
        pd_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_token", "No such account", NULL);
      waiter_free (w);
      soup_server_message_unpause (msg);
      g_object_unref (msg);
    }
  g_list_free (list);

  if (waiting != NULL)
    g_hash_table_insert (pd->waiters, g_steal_pointer (&key), g_list_reverse (waiting));
}

/* Answers a waiter taken out of the table 401: its session ended. */
static void
waiter_sign_out (Waiter *w)
{
  SoupServerMessage *msg = g_object_ref (w->msg);

  pd_respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "invalid_token",
                    "The access token is missing, expired or revoked", NULL);
  waiter_free (w);
  soup_server_message_unpause (msg);
  g_object_unref (msg);
}

void
pd_waiters_sign_out (Pd         *pd,
                     const char *account_id)
{
  GList *list = NULL;
  g_autofree char *key = NULL;

  if (!g_hash_table_steal_extended (pd->waiters, account_id, (gpointer *) &key, (gpointer *) &list))
    return;

  for (GList *l = list; l != NULL; l = l->next)
    waiter_sign_out (l->data);
  g_list_free (list);
}

void
pd_waiters_sign_out_revoked (Pd         *pd,
                             const char *account_id)
{
  GList *list = NULL;
  GList *waiting = NULL;
  g_autofree char *key = NULL;

  if (!g_hash_table_steal_extended (pd->waiters, account_id, (gpointer *) &key, (gpointer *) &list))
    return;

  for (GList *l = list; l != NULL; l = l->next)
    {
      Waiter *w = l->data;
      g_autoptr(sqlite3_stmt) stmt =
        pd_db_prepare (pd, "SELECT 1 FROM token_families WHERE id = ? AND revoked = 0", "s", w->family);

      if (w->family == NULL || sqlite3_step (stmt) == SQLITE_ROW)
        waiting = g_list_prepend (waiting, w);
      else
        waiter_sign_out (w);
    }
  g_list_free (list);

  if (waiting != NULL)
    g_hash_table_insert (pd->waiters, g_steal_pointer (&key), g_list_reverse (waiting));
}

void
pd_waiters_flush (Pd *pd)
{
  GHashTableIter iter;
  gpointer value;
  GList *all = NULL;

  g_hash_table_iter_init (&iter, pd->waiters);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    all = g_list_concat (all, g_list_copy (value));

  for (GList *l = all; l != NULL; l = l->next)
    waiter_answer (l->data);
  g_list_free (all);
}

guint
pd_waiters_count (Pd         *pd,
                  const char *account_id)
{
  return g_list_length (g_hash_table_lookup (pd->waiters, account_id));
}
