// SPDX-License-Identifier: GPL-3.0-or-later
//
// The database: one SQLite connection, WAL, foreign keys, a schema version in
// PRAGMA user_version migrated forward at start.
#include "config.h"

#include <gio/gio.h>

#include "pd.h"

/* Each entry moves the schema from version i to i + 1. Never edit a
 * released entry; append a new one. */
static const char *migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY, value TEXT NOT NULL);"
  "CREATE TABLE accounts ("
  "  id TEXT PRIMARY KEY,"
  "  display_name TEXT NOT NULL DEFAULT '',"
  "  email TEXT UNIQUE,"                         /* bound, confirmed, lower-case */
  "  password_hash TEXT,"
  "  terms_version TEXT,"
  "  language TEXT NOT NULL DEFAULT 'en',"
  "  revision INTEGER NOT NULL DEFAULT 1,"
  "  created_at INTEGER NOT NULL);"
  "CREATE TABLE identities ("
  "  provider TEXT NOT NULL,"
  "  subject TEXT NOT NULL,"
  "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
  "  email TEXT,"
  "  email_verified INTEGER NOT NULL DEFAULT 0,"
  "  PRIMARY KEY (provider, subject));"
  "CREATE INDEX identities_account ON identities(account_id);"
  "CREATE TABLE pending_emails ("
  "  account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,"
  "  address TEXT NOT NULL,"
  "  password_hash TEXT,"                        /* NULL for a change of address */
  "  token_hash TEXT NOT NULL UNIQUE,"
  "  sent_at INTEGER NOT NULL,"
  "  resend_after INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL);"
  "CREATE TABLE spent_confirmations ("          /* so a second click says 'already used' */
  "  token_hash TEXT PRIMARY KEY,"
  "  outcome TEXT NOT NULL,"
  "  at INTEGER NOT NULL);"
  "CREATE TABLE auth_requests ("
  "  id TEXT PRIMARY KEY,"
  "  csrf_hash TEXT NOT NULL,"
  "  client_id TEXT NOT NULL,"
  "  redirect_uri TEXT NOT NULL,"
  "  state TEXT,"
  "  nonce TEXT,"
  "  code_challenge TEXT NOT NULL,"
  "  scope TEXT NOT NULL,"
  "  provider TEXT,"
  "  language TEXT NOT NULL,"
  "  expires_at INTEGER NOT NULL);"
  "CREATE TABLE token_families ("
  "  id TEXT PRIMARY KEY,"
  "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
  "  client_id TEXT NOT NULL,"
  "  scope TEXT NOT NULL,"
  "  revoked INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL);"
  "CREATE TABLE codes ("
  "  hash TEXT PRIMARY KEY,"
  "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
  "  client_id TEXT NOT NULL,"
  "  redirect_uri TEXT NOT NULL,"
  "  code_challenge TEXT NOT NULL,"
  "  nonce TEXT,"
  "  scope TEXT NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  family_id TEXT);"                           /* set once redeemed */
  "CREATE TABLE refresh_tokens ("
  "  hash TEXT PRIMARY KEY,"
  "  family_id TEXT NOT NULL REFERENCES token_families(id) ON DELETE CASCADE,"
  "  retired INTEGER NOT NULL DEFAULT 0,"
  "  expires_at INTEGER NOT NULL);"
  "CREATE TABLE access_tokens ("
  "  hash TEXT PRIMARY KEY,"
  "  family_id TEXT NOT NULL REFERENCES token_families(id) ON DELETE CASCADE,"
  "  revoked INTEGER NOT NULL DEFAULT 0,"
  "  expires_at INTEGER NOT NULL);"
  "CREATE TABLE failed_passwords ("
  "  key TEXT NOT NULL,"
  "  at INTEGER NOT NULL);"
  "CREATE INDEX failed_passwords_key ON failed_passwords(key, at);",
};

gboolean
pd_db_open (Pd          *pd,
            const char  *path,
            GError     **error)
{
  char *errmsg = NULL;
  int version = 0;

  if (g_strcmp0 (path, ":memory:") != 0)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "cannot create %s: %s", dir, g_strerror (errno));
          return FALSE;
        }
    }

  if (sqlite3_open_v2 (path, &pd->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot open the database %s: %s",
                   path, pd->db ? sqlite3_errmsg (pd->db) : "out of memory");
      return FALSE;
    }

  sqlite3_busy_timeout (pd->db, 5000);
  if (sqlite3_exec (pd->db,
                    "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
                    NULL, NULL, &errmsg) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot configure the database: %s", errmsg);
      sqlite3_free (errmsg);
      return FALSE;
    }

  {
    g_autoptr(sqlite3_stmt) stmt = pd_db_prepare (pd, "PRAGMA user_version", "");
    if (sqlite3_step (stmt) == SQLITE_ROW)
      version = sqlite3_column_int (stmt, 0);
  }

  if (version > (int) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the database has schema version %d, newer than this passportd (%u)",
                   version, (guint) G_N_ELEMENTS (migrations));
      return FALSE;
    }

  for (; version < (int) G_N_ELEMENTS (migrations); version++)
    {
      g_autofree char *sql = g_strdup_printf ("BEGIN; %s PRAGMA user_version=%d; COMMIT;",
                                              migrations[version], version + 1);
      if (sqlite3_exec (pd->db, sql, NULL, NULL, &errmsg) != SQLITE_OK)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "cannot migrate the database to version %d: %s", version + 1, errmsg);
          sqlite3_free (errmsg);
          sqlite3_exec (pd->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      g_info ("database migrated to schema version %d", version + 1);
    }

  return TRUE;
}

void
pd_db_close (Pd *pd)
{
  if (pd->db != NULL)
    {
      sqlite3_close_v2 (pd->db);
      pd->db = NULL;
    }
}

static sqlite3_stmt *
prepare_va (Pd         *pd,
            const char *sql,
            const char *sig,
            va_list     args)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (pd->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("bad SQL (%s): %s", sqlite3_errmsg (pd->db), sql);

  for (int i = 0; sig[i] != '\0'; i++)
    {
      if (sig[i] == 's')
        {
          const char *s = va_arg (args, const char *);
          if (s == NULL)
            sqlite3_bind_null (stmt, i + 1);
          else
            sqlite3_bind_text (stmt, i + 1, s, -1, SQLITE_TRANSIENT);
        }
      else if (sig[i] == 'i')
        sqlite3_bind_int64 (stmt, i + 1, va_arg (args, gint64));
      else
        g_error ("bad bind signature %s", sig);
    }

  return stmt;
}

sqlite3_stmt *
pd_db_prepare (Pd         *pd,
               const char *sql,
               const char *sig,
               ...)
{
  va_list args;
  sqlite3_stmt *stmt;

  va_start (args, sig);
  stmt = prepare_va (pd, sql, sig, args);
  va_end (args);

  return stmt;
}

int
pd_db_exec (Pd         *pd,
            const char *sql,
            const char *sig,
            ...)
{
  va_list args;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  va_start (args, sig);
  stmt = prepare_va (pd, sql, sig, args);
  va_end (args);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;

  if (rc != SQLITE_DONE && (rc & 0xff) != SQLITE_CONSTRAINT)
    g_warning ("database: %s", sqlite3_errmsg (pd->db));

  return (rc & 0xff) == SQLITE_CONSTRAINT ? SQLITE_CONSTRAINT : rc;
}

gboolean
pd_db_begin (Pd *pd)
{
  return sqlite3_exec (pd->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
}

void
pd_db_commit (Pd *pd)
{
  if (sqlite3_exec (pd->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    g_warning ("database commit: %s", sqlite3_errmsg (pd->db));
}

void
pd_db_rollback (Pd *pd)
{
  sqlite3_exec (pd->db, "ROLLBACK", NULL, NULL, NULL);
}

char *
pd_db_column_text (sqlite3_stmt *stmt,
                   int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

char *
pd_db_get_meta (Pd         *pd,
                const char *key)
{
  g_autoptr(sqlite3_stmt) stmt = pd_db_prepare (pd, "SELECT value FROM meta WHERE key = ?", "s", key);

  if (sqlite3_step (stmt) == SQLITE_ROW)
    return pd_db_column_text (stmt, 0);
  return NULL;
}

void
pd_db_set_meta (Pd         *pd,
                const char *key,
                const char *value)
{
  pd_db_exec (pd, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", "ss", key, value);
}
