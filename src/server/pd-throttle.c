// SPDX-License-Identifier: GPL-3.0-or-later
//
// Throttling of failed passwords: a sliding window per key, kept in the
// failed_passwords table. The password grant and the account API both use it.
// Request limits (device authorization) are the same kind of window over
// rate_events, with their own maximum and length.
#include "config.h"

#include "pd.h"

gint64
pd_throttle_check (Pd         *pd,
                   const char *key)
{
  gint64 now = pd_now ();
  gint64 since = now - pd->failed_password_window;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 count = 0;

  pd_db_exec (pd, "DELETE FROM failed_passwords WHERE at <= ?", "i", since);
  stmt = pd_db_prepare (pd, "SELECT COUNT(*) FROM failed_passwords WHERE key = ? AND at > ?", "si", key, since);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);

  if (count < pd->max_failed_passwords)
    return 0;

  {
    /* Allowed again when the failure that puts the count at the limit leaves the window. */
    g_autoptr(sqlite3_stmt) oldest =
      pd_db_prepare (pd, "SELECT at FROM failed_passwords WHERE key = ? AND at > ? ORDER BY at LIMIT 1 OFFSET ?",
                     "sii", key, since, count - pd->max_failed_passwords);
    if (sqlite3_step (oldest) == SQLITE_ROW)
      return MAX (1, sqlite3_column_int64 (oldest, 0) + pd->failed_password_window - now);
  }
  return pd->failed_password_window;
}

void
pd_throttle_fail (Pd         *pd,
                  const char *key)
{
  pd_db_exec (pd, "INSERT INTO failed_passwords (key, at) VALUES (?, ?)", "si", key, pd_now ());
}

void
pd_throttle_clear (Pd         *pd,
                   const char *key)
{
  pd_db_exec (pd, "DELETE FROM failed_passwords WHERE key = ?", "s", key);
}

gint64
pd_rate_wait (Pd         *pd,
              const char *key,
              guint       max,
              gint64      window)
{
  gint64 now = pd_now ();
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (max > 0 && window <= PD_RATE_KEEP, 0);

  /* allowed again when the max-th newest event leaves the window */
  stmt = pd_db_prepare (pd, "SELECT at FROM rate_events WHERE key = ? AND at > ?"
                            " ORDER BY at DESC LIMIT 1 OFFSET ?", "sii", key, now - window, (gint64) max - 1);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  return MAX (1, sqlite3_column_int64 (stmt, 0) + window - now);
}

void
pd_rate_count (Pd         *pd,
               const char *key)
{
  pd_db_exec (pd, "INSERT INTO rate_events (key, at) VALUES (?, ?)", "si", key, pd_now ());
}
