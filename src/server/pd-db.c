// SPDX-License-Identifier: GPL-3.0-or-later
//
// The database: one SQLite connection, WAL, foreign keys, a schema version in
// PRAGMA user_version migrated forward at start. Statements are compiled once
// and kept (one cache per process: passportd has one connection); each
// request runs in one transaction (pd_db_request_begin/end), and what history
// leaves behind (expired codes and flows, retired token families, spent
// links) is pruned on a timer, so that no request pays for it.
#include "config.h"

#include <string.h>

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

  /* 1 → 2: an index for every foreign key and every column a statement
   * looks up or prunes by (IF NOT EXISTS: an older file may have some); a
   * family's expiry (when its last token can no longer be used), and a
   * family's codes going with it (they are kept for reuse detection) */
  "ALTER TABLE token_families ADD COLUMN expires_at INTEGER NOT NULL DEFAULT 0;"
  "UPDATE token_families SET expires_at = MAX("   /* MAX(x, NULL) is NULL */
  "  COALESCE((SELECT MAX(expires_at) FROM refresh_tokens WHERE family_id = token_families.id), 0),"
  "  COALESCE((SELECT MAX(expires_at) FROM access_tokens WHERE family_id = token_families.id), 0));"
  "CREATE INDEX IF NOT EXISTS token_families_account ON token_families(account_id, revoked);"
  "CREATE INDEX IF NOT EXISTS token_families_expiry ON token_families(expires_at);"
  "CREATE INDEX IF NOT EXISTS token_families_revoked ON token_families(id) WHERE revoked = 1;"
  "CREATE INDEX IF NOT EXISTS codes_account ON codes(account_id);"
  "CREATE INDEX IF NOT EXISTS codes_family ON codes(family_id);"
  "CREATE INDEX IF NOT EXISTS codes_expiry ON codes(expires_at) WHERE family_id IS NULL;"
  "CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens(family_id);"
  "CREATE INDEX IF NOT EXISTS access_tokens_family ON access_tokens(family_id);"
  "CREATE INDEX IF NOT EXISTS access_tokens_expiry ON access_tokens(expires_at);"
  "CREATE INDEX IF NOT EXISTS auth_requests_expiry ON auth_requests(expires_at);"
  "CREATE INDEX IF NOT EXISTS spent_confirmations_at ON spent_confirmations(at);"
  "CREATE INDEX IF NOT EXISTS failed_passwords_at ON failed_passwords(at);"
  "CREATE TRIGGER IF NOT EXISTS token_families_codes AFTER DELETE ON token_families"
  " BEGIN DELETE FROM codes WHERE family_id = OLD.id; END;"
  /* the codes of families that are gone already */
  "DELETE FROM codes WHERE family_id IS NOT NULL"
  " AND family_id NOT IN (SELECT id FROM token_families);",

  /* 2 → 3: password reset (section 7). A link's row stays after it is
   * used or replaced (spent), so that it answers 410 rather than 404 until
   * pruned a day past its expiry; the requests are counted by key
   * ("address:…", "ip:…") for the limits. IF NOT EXISTS: test-schema takes
   * a newer file back to version 1 without dropping them. */
  "CREATE TABLE IF NOT EXISTS reset_tokens ("
  "  token_hash TEXT PRIMARY KEY,"
  "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
  "  expires_at INTEGER NOT NULL,"
  "  spent TEXT);"                               /* NULL while it works; 'used', 'replaced' */
  "CREATE INDEX IF NOT EXISTS reset_tokens_account ON reset_tokens(account_id) WHERE spent IS NULL;"
  "CREATE INDEX IF NOT EXISTS reset_tokens_expiry ON reset_tokens(expires_at);"
  "CREATE TABLE IF NOT EXISTS reset_requests ("
  "  key TEXT NOT NULL,"
  "  at INTEGER NOT NULL);"
  "CREATE INDEX IF NOT EXISTS reset_requests_key ON reset_requests(key, at);"
  "CREATE INDEX IF NOT EXISTS reset_requests_at ON reset_requests(at);",

  /* 3 → 4: two-step sign-in (section 8). One otp row per account: a
   * set-up (confirmed 0, lapses at expires_at) or the secret in use; the
   * secret sealed with the server key (pd_secret_seal). Recovery codes
   * are argon2id hashes, deleted when used; an mfa_token row is deleted
   * when used and pruned when expired. */
  "CREATE TABLE IF NOT EXISTS otp ("
  "  account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,"
  "  secret TEXT NOT NULL,"
  "  confirmed INTEGER NOT NULL DEFAULT 0,"
  "  expires_at INTEGER,"
  "  last_step INTEGER NOT NULL DEFAULT -1);"
  "CREATE INDEX IF NOT EXISTS otp_setup_expiry ON otp(expires_at) WHERE confirmed = 0;"
  "CREATE TABLE IF NOT EXISTS recovery_codes ("
  "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
  "  hash TEXT NOT NULL);"
  "CREATE INDEX IF NOT EXISTS recovery_codes_account ON recovery_codes(account_id);"
  "CREATE TABLE IF NOT EXISTS mfa_tokens ("
  "  hash TEXT PRIMARY KEY,"
  "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
  "  client_id TEXT NOT NULL,"
  "  scope TEXT NOT NULL,"
  "  device_name TEXT,"
  "  expires_at INTEGER NOT NULL);"
  "CREATE INDEX IF NOT EXISTS mfa_tokens_account ON mfa_tokens(account_id);"
  "CREATE INDEX IF NOT EXISTS mfa_tokens_expiry ON mfa_tokens(expires_at);",

  /* 4 → 5: a browser sign-in waiting for the second step on the stand-in
   * page (the account it signs in); goes with its auth_requests row. */
  "CREATE TABLE IF NOT EXISTS auth_request_otp ("
  "  flow_id TEXT PRIMARY KEY REFERENCES auth_requests(id) ON DELETE CASCADE,"
  "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE);"
  "CREATE INDEX IF NOT EXISTS auth_request_otp_account ON auth_request_otp(account_id);",

  /* 5 → 6: app passwords (section 8.4), argon2id hashes like the
   * account's password, never pruned; a token family started by one
   * names it, so that revoking it ends those sessions. (test-schema takes
   * a newer file back to version 1 and drops these first.) */
  "CREATE TABLE IF NOT EXISTS app_passwords ("
  "  id TEXT PRIMARY KEY,"
  "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
  "  name TEXT NOT NULL,"
  "  hash TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  last_used_at INTEGER);"
  "CREATE INDEX IF NOT EXISTS app_passwords_account ON app_passwords(account_id, created_at);"
  "ALTER TABLE token_families ADD COLUMN app_password_id TEXT;"
  "CREATE INDEX IF NOT EXISTS token_families_app_password ON token_families(app_password_id)"
  " WHERE app_password_id IS NOT NULL;",

  /* 6 → 7: sessions (section 9) and account deletion (section 12). A
   * token family is a session: how it began (method; older families get
   * the likeliest), the device_name of its grant, the time and peer
   * address of its latest grant, and a public id that is not the row id:
   * a trigger gives every new family one (random, from SQLite's CSPRNG).
   * A deleted account's id stays in deleted_accounts, and an account with
   * such an id cannot be inserted again. (test-schema takes a newer file
   * back to version 1 and drops these first.) */
  "ALTER TABLE token_families ADD COLUMN public_id TEXT;"
  "ALTER TABLE token_families ADD COLUMN method TEXT;"
  "ALTER TABLE token_families ADD COLUMN device_name TEXT;"
  "ALTER TABLE token_families ADD COLUMN last_used_at INTEGER;"
  "ALTER TABLE token_families ADD COLUMN ip TEXT;"
  "UPDATE token_families SET public_id = 'ses_' || lower(hex(randomblob(16))),"
  "  last_used_at = created_at,"
  "  method = CASE WHEN app_password_id IS NOT NULL THEN 'app_password'"
  "    WHEN EXISTS (SELECT 1 FROM codes WHERE family_id = token_families.id) THEN 'browser'"
  "    ELSE 'password' END;"
  "CREATE UNIQUE INDEX IF NOT EXISTS token_families_public_id ON token_families(public_id);"
  "CREATE TRIGGER IF NOT EXISTS token_families_new_session AFTER INSERT ON token_families"
  " WHEN NEW.public_id IS NULL"
  " BEGIN UPDATE token_families SET public_id = 'ses_' || lower(hex(randomblob(16))),"
  "   last_used_at = COALESCE(NEW.last_used_at, NEW.created_at) WHERE id = NEW.id; END;"
  "CREATE TABLE IF NOT EXISTS deleted_accounts ("
  "  id TEXT PRIMARY KEY,"
  "  deleted_at INTEGER NOT NULL);"
  "CREATE TRIGGER IF NOT EXISTS accounts_deleted AFTER DELETE ON accounts"
  " BEGIN INSERT OR IGNORE INTO deleted_accounts (id, deleted_at)"
  "   VALUES (OLD.id, CAST(strftime('%s', 'now') AS INTEGER)); END;"
  "CREATE TRIGGER IF NOT EXISTS accounts_never_reused BEFORE INSERT ON accounts"
  " WHEN EXISTS (SELECT 1 FROM deleted_accounts WHERE id = NEW.id)"
  " BEGIN SELECT RAISE (ABORT, 'this account id was deleted'); END;",

  /* 7 → 8: device authorization (section 11). A request is kept by the
   * SHA-256 of its device_code, with its user code (8 letters, unique
   * among live requests: pd-device.c draws again while one has it), its
   * interval (grown by slow_down) and last poll; it is deleted when
   * tokens or a denial use it up, and pruned an hour after its expiry
   * (until then expired_token). A device_flows row is one browser's way
   * through /device from the right user code on, gone with its request.
   * rate_events counts requests per key for sliding-window limits
   * (pd_rate_wait), pruned after PD_RATE_KEEP. IF NOT EXISTS: test-schema
   * takes a newer file back to version 1 without dropping them. */
  "CREATE TABLE IF NOT EXISTS device_requests ("
  "  code_hash TEXT PRIMARY KEY,"
  "  user_code TEXT NOT NULL,"
  "  client_id TEXT NOT NULL,"
  "  scope TEXT NOT NULL,"
  "  device_name TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  poll_interval INTEGER NOT NULL,"
  "  last_poll_at INTEGER,"                      /* NULL before the first poll */
  "  status TEXT NOT NULL DEFAULT 'pending',"    /* pending, approved, denied */
  "  account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE);"  /* who approved */
  "CREATE INDEX IF NOT EXISTS device_requests_user_code ON device_requests(user_code, expires_at);"
  "CREATE INDEX IF NOT EXISTS device_requests_expiry ON device_requests(expires_at);"
  "CREATE INDEX IF NOT EXISTS device_requests_account ON device_requests(account_id)"
  " WHERE account_id IS NOT NULL;"
  "CREATE TABLE IF NOT EXISTS device_flows ("
  "  id TEXT PRIMARY KEY,"
  "  csrf_hash TEXT NOT NULL,"
  "  code_hash TEXT NOT NULL REFERENCES device_requests(code_hash) ON DELETE CASCADE,"
  "  provider TEXT,"                             /* the stand-in page chosen */
  "  account_id TEXT REFERENCES accounts(id) ON DELETE CASCADE,"
  "  signed_in INTEGER NOT NULL DEFAULT 0);"     /* the second step passed, when due */
  "CREATE INDEX IF NOT EXISTS device_flows_request ON device_flows(code_hash);"
  "CREATE INDEX IF NOT EXISTS device_flows_account ON device_flows(account_id)"
  " WHERE account_id IS NOT NULL;"
  "CREATE TABLE IF NOT EXISTS rate_events ("
  "  key TEXT NOT NULL,"
  "  at INTEGER NOT NULL);"
  "CREATE INDEX IF NOT EXISTS rate_events_key ON rate_events(key, at);"
  "CREATE INDEX IF NOT EXISTS rate_events_at ON rate_events(at);",

  /* 8 → 9: linked sign-in methods (section 10). An identity records when
   * it was attached (linked_at; one from before: its account's creation,
   * as the first sign-in attached it), and an account has at most one of
   * each provider (a unique index decides races). identity_links keeps the
   * attempts of POST /me/identities/link by the SHA-256 of their ticket:
   * the account's latest (latest = 1, one per account) is GET /me's
   * identity_link and stays; a replaced one answers 410 until pruned a day
   * after its expiry. spent: NULL while the ticket works, 'opened' once a
   * browser took it (its stand-in page's flow_id and the SHA-256 of its
   * csrf then), 'void' when a password reset ended it. Gone with the
   * account. IF NOT EXISTS: test-schema takes a newer file back to
   * version 1 and drops the column and the unique index first. */
  "ALTER TABLE identities ADD COLUMN linked_at INTEGER;"
  "UPDATE identities SET linked_at = (SELECT created_at FROM accounts WHERE id = identities.account_id);"
  "CREATE UNIQUE INDEX IF NOT EXISTS identities_account_provider ON identities(account_id, provider);"
  "CREATE TABLE IF NOT EXISTS identity_links ("
  "  id TEXT PRIMARY KEY,"                       /* lnk_…, not a secret */
  "  account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
  "  provider TEXT NOT NULL,"
  "  ticket_hash TEXT NOT NULL UNIQUE,"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL,"
  "  status TEXT NOT NULL DEFAULT 'pending',"    /* pending, linked, failed, cancelled */
  "  error TEXT,"                                /* of a failed one */
  "  latest INTEGER NOT NULL DEFAULT 1,"         /* 0 once a newer attempt replaced it */
  "  spent TEXT,"                                /* NULL, 'opened', 'void' */
  "  flow_id TEXT UNIQUE,"
  "  csrf_hash TEXT);"
  "CREATE INDEX IF NOT EXISTS identity_links_account ON identity_links(account_id);"
  "CREATE UNIQUE INDEX IF NOT EXISTS identity_links_latest ON identity_links(account_id) WHERE latest = 1;"
  "CREATE INDEX IF NOT EXISTS identity_links_expiry ON identity_links(expires_at) WHERE latest = 0;",
};

/* One compiled statement per SQL text, kept for the life of the connection.
 * A statement in use when the same SQL is asked for again (a nested use) is
 * not shared: that caller gets a fresh one, finalized after use. */
typedef struct
{
  sqlite3_stmt *stmt;
  gboolean in_use;
} CachedStmt;

static GHashTable *stmt_cache;   /* SQL text → CachedStmt* (owns them) */
/* Hashing the text of every statement cost more than running some of them:
 * the literal's address finds its entry first (checked against the text,
 * so an address reused by other SQL is only a miss), and the statement's
 * own address finds it when it is given back. */
static GHashTable *stmt_by_address;  /* const char *sql → CachedStmt* */
static GHashTable *stmt_by_stmt;     /* sqlite3_stmt* → CachedStmt* */
#define STMT_ADDRESSES_MAX 1024      /* SQL built at run time: start again */

static void
cached_stmt_free (CachedStmt *c)
{
  sqlite3_finalize (c->stmt);
  g_free (c);
}


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
      /* it holds the signing key and the password hashes */
      if (!pd_private_files (path, error))
        return FALSE;
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
  g_clear_pointer (&stmt_by_address, g_hash_table_unref);
  g_clear_pointer (&stmt_by_stmt, g_hash_table_unref);
  g_clear_pointer (&stmt_cache, g_hash_table_unref);
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
  CachedStmt *cached;

  if (stmt_cache == NULL)
    {
      stmt_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) cached_stmt_free);
      stmt_by_address = g_hash_table_new (NULL, NULL);
      stmt_by_stmt = g_hash_table_new (NULL, NULL);
    }
  cached = g_hash_table_lookup (stmt_by_address, sql);
  if (cached != NULL && strcmp (sqlite3_sql (cached->stmt), sql) != 0)
    cached = NULL;
  if (cached == NULL && (cached = g_hash_table_lookup (stmt_cache, sql)) != NULL)
    {
      if (g_hash_table_size (stmt_by_address) >= STMT_ADDRESSES_MAX)
        g_hash_table_remove_all (stmt_by_address);
      g_hash_table_insert (stmt_by_address, (gpointer) sql, cached);
    }

  if (cached != NULL && !cached->in_use)
    {
      cached->in_use = TRUE;
      stmt = cached->stmt;
    }
  else if (cached != NULL)
    {
      if (sqlite3_prepare_v2 (pd->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        g_error ("bad SQL (%s): %s", sqlite3_errmsg (pd->db), sql);
    }
  else
    {
      if (sqlite3_prepare_v3 (pd->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        g_error ("bad SQL (%s): %s", sqlite3_errmsg (pd->db), sql);
      cached = g_new0 (CachedStmt, 1);
      cached->stmt = stmt;
      cached->in_use = TRUE;
      g_hash_table_insert (stmt_cache, g_strdup (sql), cached);
      g_hash_table_insert (stmt_by_stmt, stmt, cached);
    }

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

void
pd_db_release (sqlite3_stmt *stmt)
{
  CachedStmt *cached;

  if (stmt == NULL)
    return;

  cached = stmt_by_stmt != NULL ? g_hash_table_lookup (stmt_by_stmt, stmt) : NULL;
  if (cached != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      cached->in_use = FALSE;
    }
  else
    sqlite3_finalize (stmt);
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

/* A statement without parameters or rows, from the cache: BEGIN and
 * COMMIT once a request, parsed once. SQLITE_DONE on success. */
static int
run (Pd         *pd,
     const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = pd_db_prepare (pd, sql, "");

  return sqlite3_step (stmt);
}

/* Inside the request's transaction a savepoint, so that a rollback undoes
 * only its own part; outside one (a worker's result) a transaction. */
gboolean
pd_db_begin (Pd *pd)
{
  if (!sqlite3_get_autocommit (pd->db))
    {
      pd->db_savepoints++;
      return run (pd, "SAVEPOINT pd") == SQLITE_DONE;
    }
  return run (pd, "BEGIN IMMEDIATE") == SQLITE_DONE;
}

void
pd_db_commit (Pd *pd)
{
  const char *sql = "COMMIT";

  if (pd->db_savepoints > 0)
    {
      pd->db_savepoints--;
      sql = "RELEASE pd";
    }
  if (run (pd, sql) != SQLITE_DONE)
    g_warning ("database commit: %s", sqlite3_errmsg (pd->db));
}

void
pd_db_rollback (Pd *pd)
{
  if (pd->db_savepoints > 0)
    {
      pd->db_savepoints--;
      run (pd, "ROLLBACK TO pd");
      run (pd, "RELEASE pd");
    }
  else
    run (pd, "ROLLBACK");
}

/* One transaction for the whole of a request's synchronous part: its
 * statements read one snapshot and take the lock once (they took it once
 * each, four times for GET /me). Writes join it, and their own
 * pd_db_begin() becomes a savepoint. */
void
pd_db_request_begin (Pd *pd)
{
  if (sqlite3_get_autocommit (pd->db))
    run (pd, "BEGIN");
}

void
pd_db_request_end (Pd *pd)
{
  if (pd->db_savepoints > 0)
    {
      g_critical ("a request left %u savepoints open", pd->db_savepoints);
      pd->db_savepoints = 0;
    }
  if (!sqlite3_get_autocommit (pd->db) && run (pd, "COMMIT") != SQLITE_DONE)
    {
      g_warning ("database commit: %s", sqlite3_errmsg (pd->db));
      run (pd, "ROLLBACK");
    }
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

/* Pruning --------------------------------------------------------------- */

/* What nothing can use any more. Each statement deletes at most @batch rows
 * (by rowid, as Debian's SQLite has no DELETE … LIMIT), so one run never
 * holds the main loop for long. What the contract still needs stays:
 *
 * - a code that was redeemed stays as long as its token family: a second
 *   redemption must still revoke what the first was exchanged for
 *   (section 2), whenever it comes;
 * - a family stays while a refresh or access token of it can still be used
 *   (token_families.expires_at), with its retired refresh tokens, whose
 *   reuse revokes it (section 3); a revoked one goes at once: all its
 *   tokens answer as unknown ones do;
 * - a spent confirmation link is remembered ("already used") for as long as
 *   the link could have lived; after that any link is past its 24 hours;
 * - a pending address is never pruned: GET /me shows it until it is
 *   confirmed or cancelled, and its link then says "expired";
 * - a password reset link, spent or not, answers 410 for PD_RESET_KEEP
 *   past its expiry, then 404 as an unknown one.
 *
 * The password-failure window is pruned by pd_throttle_check() as well. */
static const struct
{
  const char *what;
  const char *sql;   /* ?1 now, ?2 batch, ?3 the confirmation lifetime, ?4 the failure window */
} prune_steps[] = {
  { "auth_requests",
    "DELETE FROM auth_requests WHERE rowid IN"
    " (SELECT rowid FROM auth_requests WHERE expires_at < ?1 LIMIT ?2)" },
  { "codes",
    "DELETE FROM codes WHERE rowid IN"
    " (SELECT rowid FROM codes WHERE family_id IS NULL AND expires_at < ?1 LIMIT ?2)" },
  /* with its tokens (ON DELETE CASCADE) and its codes (the trigger) */
  { "token_families",
    "DELETE FROM token_families WHERE rowid IN"
    " (SELECT rowid FROM token_families WHERE revoked = 1 LIMIT ?2)" },
  { "token_families",
    "DELETE FROM token_families WHERE rowid IN"
    " (SELECT rowid FROM token_families WHERE expires_at < ?1 LIMIT ?2)" },
  { "access_tokens",
    "DELETE FROM access_tokens WHERE rowid IN"
    " (SELECT rowid FROM access_tokens WHERE expires_at < ?1 LIMIT ?2)" },
  { "spent_confirmations",
    "DELETE FROM spent_confirmations WHERE rowid IN"
    " (SELECT rowid FROM spent_confirmations WHERE at < ?1 - ?3 LIMIT ?2)" },
  { "failed_passwords",
    "DELETE FROM failed_passwords WHERE rowid IN"
    " (SELECT rowid FROM failed_passwords WHERE at <= ?1 - ?4 LIMIT ?2)" },
  /* a reset link answers 410 (rather than 404) for a day past its hour */
  { "reset_tokens",
    "DELETE FROM reset_tokens WHERE rowid IN"
    " (SELECT rowid FROM reset_tokens WHERE expires_at < ?1 - " G_STRINGIFY (PD_RESET_KEEP) " LIMIT ?2)" },
  /* the longest window of the reset limits is an hour */
  { "reset_requests",
    "DELETE FROM reset_requests WHERE rowid IN"
    " (SELECT rowid FROM reset_requests WHERE at <= ?1 - " G_STRINGIFY (PD_RESET_IP_WINDOW) " LIMIT ?2)" },
  { "otp",
    "DELETE FROM otp WHERE rowid IN"
    " (SELECT rowid FROM otp WHERE confirmed = 0 AND expires_at < ?1 LIMIT ?2)" },
  { "mfa_tokens",
    "DELETE FROM mfa_tokens WHERE rowid IN"
    " (SELECT rowid FROM mfa_tokens WHERE expires_at < ?1 LIMIT ?2)" },
  /* with their flows; expired_token until then, invalid_grant after */
  { "device_requests",
    "DELETE FROM device_requests WHERE rowid IN"
    " (SELECT rowid FROM device_requests WHERE expires_at < ?1 - " G_STRINGIFY (PD_DEVICE_KEEP) " LIMIT ?2)" },
  /* a replaced identity link answers 410 (rather than 404) for a day past
   * its expiry; the latest one is GET /me's identity_link and stays */
  { "identity_links",
    "DELETE FROM identity_links WHERE rowid IN"
    " (SELECT rowid FROM identity_links WHERE latest = 0 AND expires_at < ?1 - " G_STRINGIFY (PD_LINK_KEEP) " LIMIT ?2)" },
  { "rate_events",
    "DELETE FROM rate_events WHERE rowid IN"
    " (SELECT rowid FROM rate_events WHERE at <= ?1 - " G_STRINGIFY (PD_RATE_KEEP) " LIMIT ?2)" },
};

guint
pd_db_prune (Pd         *pd,
             guint       batch,
             JsonObject *counts)
{
  gint64 now = pd_now ();
  guint total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (prune_steps); i++)
    {
      int deleted = 0;

      pd_db_begin (pd);
      if (pd_db_exec (pd, prune_steps[i].sql, "iiii", now, (gint64) batch,
                      pd->confirm_ttl, pd->failed_password_window) == SQLITE_DONE)
        deleted = sqlite3_changes (pd->db);
      pd_db_commit (pd);

      total += deleted;
      if (counts != NULL)
        json_object_set_int_member (counts, prune_steps[i].what, deleted +
                                    (json_object_has_member (counts, prune_steps[i].what) ?
                                     json_object_get_int_member (counts, prune_steps[i].what) : 0));
    }

  if (total > 0)
    g_debug ("pruned %u rows", total);
  return total;
}

#define PRUNE_BATCH 1000

static gboolean
prune_more (gpointer data)
{
  Pd *pd = data;

  /* a full batch somewhere: go on when the main loop has nothing better */
  if (pd_db_prune (pd, PRUNE_BATCH, NULL) >= PRUNE_BATCH)
    return G_SOURCE_CONTINUE;
  pd->prune_idle_id = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
prune_tick (gpointer data)
{
  Pd *pd = data;

  if (pd->prune_idle_id == 0)
    pd->prune_idle_id = g_idle_add_full (G_PRIORITY_LOW, prune_more, pd, NULL);
  return G_SOURCE_CONTINUE;
}

void
pd_db_prune_start (Pd *pd)
{
  /* a code lives 60 s: once a minute keeps the tables at about a minute's
   * worth of sign-ins; and once at start for what an older run left */
  pd->prune_timer_id = g_timeout_add_seconds (PD_CODE_TTL, prune_tick, pd);
  prune_tick (pd);
}

void
pd_db_prune_stop (Pd *pd)
{
  g_clear_handle_id (&pd->prune_timer_id, g_source_remove);
  g_clear_handle_id (&pd->prune_idle_id, g_source_remove);
}
