// SPDX-License-Identifier: GPL-3.0-or-later
//
// Two-step sign-in (contract sections 8.2 and 8.3, feature `otp`) and the
// proof rule of section 4 that its calls, and later others, ask for. The
// codes themselves are in pd-otp.c. Argon2id (recovery codes and
// passwords) runs in worker threads; the rest on the main loop.
#include "config.h"

#include <string.h>

#include <openssl/rand.h>

#include "pd.h"

#define OTP_ISSUER "Passport"

static const char *const proof_members[] = { "password", "otp", "recovery_code", NULL };

static void
wipe (char *s)
{
  if (s != NULL)
    explicit_bzero (s, strlen (s));
  g_free (s);
}

static char *
account_key (const char *account_id)
{
  return g_strconcat ("account:", account_id, NULL);
}

static void
bump_revision (Pd         *pd,
               const char *account_id)
{
  pd_db_exec (pd, "UPDATE accounts SET revision = revision + 1 WHERE id = ?", "s", account_id);
}

/* The otp row ------------------------------------------------------------ */

typedef struct
{
  gboolean exists;
  gboolean confirmed;
  gint64 expires_at;   /* of an unconfirmed set-up */
  gint64 last_step;
  char *sealed;
} OtpRow;

static void
otp_row_clear (OtpRow *row)
{
  g_clear_pointer (&row->sealed, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OtpRow, otp_row_clear)

static void
otp_row_load (Pd         *pd,
              const char *account_id,
              OtpRow     *row)
{
  g_autoptr(sqlite3_stmt) stmt =
    pd_db_prepare (pd, "SELECT confirmed, expires_at, last_step, secret FROM otp WHERE account_id = ?",
                   "s", account_id);

  memset (row, 0, sizeof *row);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return;
  row->exists = TRUE;
  row->confirmed = sqlite3_column_int (stmt, 0) != 0;
  row->expires_at = sqlite3_column_int64 (stmt, 1);
  row->last_step = sqlite3_column_int64 (stmt, 2);
  row->sealed = pd_db_column_text (stmt, 3);
}

gboolean
pd_otp_enabled (Pd         *pd,
                const char *account_id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!pd_feature_on (pd, PD_FEATURE_OTP))
    return FALSE;
  stmt = pd_db_prepare (pd, "SELECT 1 FROM otp WHERE account_id = ? AND confirmed = 1", "s", account_id);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

void
pd_otp_account_json (Pd         *pd,
                     const char *account_id,
                     JsonObject *account)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  JsonObject *o;

  if (!pd_feature_on (pd, PD_FEATURE_OTP))
    return;

  stmt = pd_db_prepare (pd, "SELECT (SELECT confirmed FROM otp WHERE account_id = ?1),"
                            " (SELECT COUNT(*) FROM recovery_codes WHERE account_id = ?1)",
                        "s", account_id);
  o = json_object_new ();
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gboolean enabled = sqlite3_column_int (stmt, 0) == 1;

      json_object_set_boolean_member (o, "enabled", enabled);
      json_object_set_int_member (o, "recovery_codes_left", enabled ? sqlite3_column_int64 (stmt, 1) : 0);
    }
  json_object_set_object_member (account, "otp", o);
}

/* A TOTP code for the account's secret in @row (confirmed or not): the
 * step it is taken for is kept so that it never works again. Also loses
 * a race against a request that took the same or a later step. */
static gboolean
take_totp (Pd         *pd,
           const char *account_id,
           OtpRow     *row,
           const char *otp)
{
  g_autoptr(GBytes) secret = pd_secret_open (pd->secret_key, account_id, row->sealed);
  gint64 step;

  if (secret == NULL)
    {
      /* the key file was replaced: the secret cannot be read any more */
      g_warning ("a TOTP secret does not open with the server key");
      return FALSE;
    }
  step = pd_totp_check (g_bytes_get_data (secret, NULL), g_bytes_get_size (secret), otp,
                        pd_now (), row->last_step);
  if (step < 0)
    return FALSE;
  pd_db_exec (pd, "UPDATE otp SET last_step = ? WHERE account_id = ? AND last_step < ?",
              "isi", step, account_id, step);
  if (sqlite3_changes (pd->db) != 1)
    return FALSE;
  row->last_step = step;
  return TRUE;
}

/* Work in a worker thread: a password, a recovery code, new codes --------- */

typedef struct _Work Work;
struct _Work
{
  Pd *pd;
  SoupServerMessage *msg;
  char *account_id;
  char *family;
  /* in */
  char *password;          /* checked against password_hash */
  char *password_hash;
  char *recovery;          /* normalised; checked against the account's codes */
  GPtrArray *code_hashes;  /* char*, the account's recovery codes */
  GArray *code_rowids;     /* gint64, the same order */
  GStrv new_codes;         /* hashed into new_hashes */
  /* out */
  gboolean password_ok;
  gint64 recovery_rowid;   /* -1: none matched */
  GPtrArray *new_hashes;
  /* what follows */
  void (*done) (Work *work);
  gpointer data;
  GDestroyNotify destroy;
  gpointer proof_done;     /* PdProofDone of a proof */
  /* otp grant */
  char *mfa_hash;
  char *client_id;
  char *scope;
  char *email;
  char *device_name;
};

static void
work_free (Work *w)
{
  g_object_unref (w->msg);
  g_free (w->account_id);
  g_free (w->family);
  wipe (w->password);
  g_free (w->password_hash);
  wipe (w->recovery);
  g_clear_pointer (&w->code_hashes, g_ptr_array_unref);
  g_clear_pointer (&w->code_rowids, g_array_unref);
  if (w->new_codes != NULL)
    for (guint i = 0; w->new_codes[i] != NULL; i++)
      explicit_bzero (w->new_codes[i], strlen (w->new_codes[i]));
  g_strfreev (w->new_codes);
  g_clear_pointer (&w->new_hashes, g_ptr_array_unref);
  if (w->destroy != NULL)
    w->destroy (w->data);
  g_free (w->mfa_hash);
  g_free (w->client_id);
  g_free (w->scope);
  g_free (w->email);
  g_free (w->device_name);
  g_free (w);
}

static Work *
work_new (Pd                *pd,
          SoupServerMessage *msg,
          const char        *account_id)
{
  Work *w = g_new0 (Work, 1);

  w->pd = pd;
  w->msg = g_object_ref (msg);
  w->account_id = g_strdup (account_id);
  w->recovery_rowid = -1;
  return w;
}

static void
work_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  Work *w = data;

  if (w->password != NULL)
    w->password_ok = pd_password_verify (w->password_hash, w->password);

  /* every code is tried, so the time does not say which one matched */
  if (w->recovery != NULL)
    for (guint i = 0; i < w->code_hashes->len; i++)
      if (pd_password_verify (g_ptr_array_index (w->code_hashes, i), w->recovery) &&
          w->recovery_rowid < 0)
        w->recovery_rowid = g_array_index (w->code_rowids, gint64, i);

  if (w->new_codes != NULL)
    {
      w->new_hashes = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; w->new_codes[i] != NULL; i++)
        {
          g_autofree char *plain = pd_recovery_code_normalize (w->new_codes[i]);

          g_ptr_array_add (w->new_hashes, pd_password_hash (plain));
          explicit_bzero (plain, strlen (plain));
        }
    }

  g_task_return_boolean (task, TRUE);
}

/* libsoup does not count pauses: a proof checked in a thread may be
 * followed by more work in a thread (new recovery codes, a new app
 * password's hash) before the answer, so the message is held until the
 * last work lets it go. */
void
pd_message_hold (SoupServerMessage *msg)
{
  guint holds = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (msg), "pd-holds"));

  if (holds == 0)
    soup_server_message_pause (msg);
  g_object_set_data (G_OBJECT (msg), "pd-holds", GUINT_TO_POINTER (holds + 1));
}

void
pd_message_release (SoupServerMessage *msg)
{
  guint holds = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (msg), "pd-holds"));

  g_object_set_data (G_OBJECT (msg), "pd-holds", GUINT_TO_POINTER (holds - 1));
  if (holds == 1)
    soup_server_message_unpause (msg);
}

static void
work_finished (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Work *w = g_task_get_task_data (G_TASK (result));
  SoupServerMessage *msg = g_object_ref (w->msg);

  w->done (w);
  pd_message_release (msg);
  g_object_unref (msg);
}

/* Runs the work, then w->done on the main loop; @w is freed after. */
static void
work_run (Work *w,
          void (*done) (Work *w))
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, work_finished, NULL);

  w->done = done;
  g_task_set_task_data (task, w, (GDestroyNotify) work_free);
  pd_message_hold (w->msg);
  g_task_run_in_thread (task, work_thread);
}

/* The account's recovery codes, for the thread to check @input against;
 * FALSE when @input cannot be one (no look-up then). */
static gboolean
work_set_recovery (Work       *w,
                   const char *input)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  w->recovery = pd_recovery_code_normalize (input);
  if (w->recovery == NULL)
    return FALSE;
  w->code_hashes = g_ptr_array_new_with_free_func (g_free);
  w->code_rowids = g_array_new (FALSE, FALSE, sizeof (gint64));
  stmt = pd_db_prepare (w->pd, "SELECT rowid, hash FROM recovery_codes WHERE account_id = ?",
                        "s", w->account_id);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 rowid = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (w->code_rowids, rowid);
      g_ptr_array_add (w->code_hashes, pd_db_column_text (stmt, 1));
    }
  return TRUE;
}

/* After the thread: uses up the recovery code that matched (a request
 * that used it meanwhile wins) and moves the revision; the caller tells
 * the waiting long polls once that is committed. */
static gboolean
use_recovery_code (Work *w)
{
  if (w->recovery_rowid < 0)
    return FALSE;
  pd_db_exec (w->pd, "DELETE FROM recovery_codes WHERE rowid = ? AND account_id = ?",
              "is", w->recovery_rowid, w->account_id);
  if (sqlite3_changes (w->pd->db) != 1)
    return FALSE;
  bump_revision (w->pd, w->account_id);
  return TRUE;
}

static GStrv
new_recovery_codes (void)
{
  GStrv codes = g_new0 (char *, PD_RECOVERY_CODES + 1);

  for (guint i = 0; i < PD_RECOVERY_CODES; i++)
    codes[i] = pd_recovery_code_new ();
  return codes;
}

/* Replaces the account's recovery codes with the hashed new set. */
static void
store_recovery_codes (Work *w)
{
  pd_db_exec (w->pd, "DELETE FROM recovery_codes WHERE account_id = ?", "s", w->account_id);
  for (guint i = 0; i < w->new_hashes->len; i++)
    pd_db_exec (w->pd, "INSERT INTO recovery_codes (account_id, hash) VALUES (?, ?)",
                "ss", w->account_id, (const char *) g_ptr_array_index (w->new_hashes, i));
}

static void
respond_recovery_codes (Work *w)
{
  g_autoptr(JsonObject) o = json_object_new ();
  JsonArray *array = json_array_new ();

  for (guint i = 0; w->new_codes[i] != NULL; i++)
    json_array_add_string_element (array, w->new_codes[i]);
  json_object_set_array_member (o, "recovery_codes", array);
  pd_respond_object (w->msg, SOUP_STATUS_OK, o);
}

/* The proof rule (section 4) ---------------------------------------------- */

static void
respond_reauth (SoupServerMessage *msg,
                gboolean           has_password,
                gboolean           otp_on)
{
  g_autoptr(JsonObject) extra = json_object_new ();
  JsonArray *accepted = json_array_new ();

  if (has_password)
    json_array_add_string_element (accepted, "password");
  if (otp_on)
    {
      json_array_add_string_element (accepted, "otp");
      json_array_add_string_element (accepted, "recovery_code");
    }
  if (!has_password)
    json_array_add_string_element (accepted, "sign_in");
  json_object_set_array_member (extra, "accepted", accepted);
  pd_respond_error (msg, SOUP_STATUS_FORBIDDEN, "reauth_required",
                    "This call needs a proof that the owner is present", extra);
}

static void
proof_passed (Pd                *pd,
              SoupServerMessage *msg,
              const char        *account_id,
              PdProofDone        done,
              gpointer           data)
{
  g_autofree char *key = account_key (account_id);

  pd_throttle_clear (pd, key);
  done (pd, msg, account_id, data);
}

static void
proof_password_checked (Work *w)
{
  g_autofree char *key = account_key (w->account_id);

  if (!w->password_ok)
    {
      pd_throttle_fail (w->pd, key);
      pd_respond_error (w->msg, SOUP_STATUS_FORBIDDEN, "invalid_password", "The password is not correct", NULL);
      return;
    }
  proof_passed (w->pd, w->msg, w->account_id, (PdProofDone) w->proof_done, w->data);
}

static void
proof_recovery_checked (Work *w)
{
  g_autofree char *key = account_key (w->account_id);

  if (!pd_otp_enabled (w->pd, w->account_id) || !use_recovery_code (w))
    {
      pd_throttle_fail (w->pd, key);
      pd_respond_error (w->msg, SOUP_STATUS_FORBIDDEN, "invalid_otp", "The code is not correct", NULL);
      return;
    }
  pd_account_changed (w->pd, w->account_id);
  proof_passed (w->pd, w->msg, w->account_id, (PdProofDone) w->proof_done, w->data);
}

/* TRUE when a Work took @data (it frees it). */
static gboolean
proof_check (Pd                *pd,
             SoupServerMessage *msg,
             const char        *account_id,
             const char        *family,
             JsonObject        *body,
             PdProofDone        done,
             gpointer           data,
             GDestroyNotify     destroy)
{
  const char *password = NULL, *otp = NULL, *recovery = NULL;
  g_autoptr(PdAccount) a = NULL;
  g_auto(OtpRow) row = { 0 };
  g_autofree char *key = account_key (account_id);
  gboolean otp_on;
  guint given;
  gint64 wait;
  Work *w;


  if (!pd_json_get_string (msg, body, "password", FALSE, &password) ||
      !pd_json_get_string (msg, body, "otp", FALSE, &otp) ||
      !pd_json_get_string (msg, body, "recovery_code", FALSE, &recovery))
    return FALSE;
  given = (password != NULL) + (otp != NULL) + (recovery != NULL);
  if (given > 1)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "Send at most one of password, otp and recovery_code", NULL);
      return FALSE;
    }

  a = pd_account_load_or_401 (pd, msg, account_id);
  if (a == NULL)
    return FALSE;
  otp_row_load (pd, account_id, &row);
  otp_on = pd_feature_on (pd, PD_FEATURE_OTP) && row.exists && row.confirmed;

  if (given == 0)
    {
      /* a fresh sign-in stands for an account without a password */
      if (a->password_hash == NULL && pd_family_auth_time (pd, family) >= pd_now () - PD_PROOF_MAX_AGE)
        {
          done (pd, msg, account_id, data);
          return FALSE;
        }
      respond_reauth (msg, a->password_hash != NULL, otp_on);
      return FALSE;
    }

  /* a member this account cannot use */
  if ((password != NULL && a->password_hash == NULL) || (password == NULL && !otp_on))
    {
      respond_reauth (msg, a->password_hash != NULL, otp_on);
      return FALSE;
    }

  wait = pd_throttle_check (pd, key);
  if (wait > 0)
    {
      pd_respond_too_many (msg, wait, TRUE);
      return FALSE;
    }

  if (otp != NULL)
    {
      if (!take_totp (pd, account_id, &row, otp))
        {
          pd_throttle_fail (pd, key);
          pd_respond_error (msg, SOUP_STATUS_FORBIDDEN, "invalid_otp", "The code is not correct", NULL);
          return FALSE;
        }
      proof_passed (pd, msg, account_id, done, data);
      return FALSE;
    }

  w = work_new (pd, msg, account_id);
  w->proof_done = (gpointer) done;
  w->data = data;
  w->destroy = destroy;
  if (password != NULL)
    {
      w->password = g_strdup (password);
      w->password_hash = g_strdup (a->password_hash);
      work_run (w, proof_password_checked);
      return TRUE;
    }
  if (!work_set_recovery (w, recovery))
    {
      /* not even the form of a code: a wrong code, without the hashing */
      w->destroy = NULL;
      work_free (w);
      pd_throttle_fail (pd, key);
      pd_respond_error (msg, SOUP_STATUS_FORBIDDEN, "invalid_otp", "The code is not correct", NULL);
      return FALSE;
    }
  work_run (w, proof_recovery_checked);
  return TRUE;
}

void
pd_proof_check (Pd                *pd,
                SoupServerMessage *msg,
                const char        *account_id,
                const char        *family,
                JsonObject        *body,
                PdProofDone        done,
                gpointer           data,
                GDestroyNotify     destroy)
{
  if (!proof_check (pd, msg, account_id, family, body, done, data, destroy) && destroy != NULL)
    destroy (data);
}

/* A code typed on a page ---------------------------------------------------- */

static void
code_recovery_checked (Work *w)
{
  g_autofree char *key = account_key (w->account_id);
  PdCodeResult result = PD_CODE_WRONG;

  if (pd_otp_enabled (w->pd, w->account_id) && use_recovery_code (w))
    {
      pd_account_changed (w->pd, w->account_id);
      pd_throttle_clear (w->pd, key);
      result = PD_CODE_OK;
    }
  else
    pd_throttle_fail (w->pd, key);
  ((PdCodeDone) w->proof_done) (w->pd, w->msg, w->account_id, result, 0, w->data);
}

/* TRUE when a Work took @data (it frees it). */
static gboolean
check_code (Pd                *pd,
            SoupServerMessage *msg,
            const char        *account_id,
            const char        *code,
            PdCodeDone         done,
            gpointer           data,
            GDestroyNotify     destroy)
{
  g_autofree char *key = account_key (account_id);
  g_autoptr(GString) digits = g_string_new (NULL);
  gint64 wait = pd_throttle_check (pd, key);
  Work *w;

  if (wait > 0)
    {
      done (pd, msg, account_id, PD_CODE_THROTTLED, wait, data);
      return FALSE;
    }

  for (const char *p = code != NULL ? code : ""; *p != '\0'; p++)
    if (*p != ' ')
      g_string_append_c (digits, *p);
  if (digits->len == PD_OTP_DIGITS && strspn (digits->str, "0123456789") == PD_OTP_DIGITS)
    {
      g_auto(OtpRow) row = { 0 };
      gboolean ok;

      otp_row_load (pd, account_id, &row);
      ok = row.exists && row.confirmed && take_totp (pd, account_id, &row, digits->str);
      if (ok)
        pd_throttle_clear (pd, key);
      else
        pd_throttle_fail (pd, key);
      done (pd, msg, account_id, ok ? PD_CODE_OK : PD_CODE_WRONG, 0, data);
      return FALSE;
    }

  w = work_new (pd, msg, account_id);
  if (!work_set_recovery (w, code))
    {
      work_free (w);
      pd_throttle_fail (pd, key);
      done (pd, msg, account_id, PD_CODE_WRONG, 0, data);
      return FALSE;
    }
  w->proof_done = (gpointer) done;
  w->data = data;
  w->destroy = destroy;
  work_run (w, code_recovery_checked);
  return TRUE;
}

void
pd_otp_check_code (Pd                *pd,
                   SoupServerMessage *msg,
                   const char        *account_id,
                   const char        *code,
                   PdCodeDone         done,
                   gpointer           data,
                   GDestroyNotify     destroy)
{
  if (!check_code (pd, msg, account_id, code, done, data, destroy) && destroy != NULL)
    destroy (data);
}

/* /me/otp ----------------------------------------------------------------- */

/* The body of a call that takes only a proof: may be empty. */
static JsonObject *
proof_body (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(JsonObject) o = NULL;

  if (body->length == 0)
    return json_object_new ();
  o = pd_request_json (msg);
  if (o == NULL || !pd_json_only_members (msg, o, proof_members))
    return NULL;
  return g_steal_pointer (&o);
}

static void
respond_conflict (SoupServerMessage *msg,
                  const char        *error,
                  const char        *description)
{
  pd_respond_error (msg, SOUP_STATUS_CONFLICT, error, description, NULL);
}

/* Recovery codes and turning off need two-step sign-in on: checked before
 * the proof, and again once it is done (it may have been turned off
 * meanwhile). FALSE after answering 409 otp_not_enabled. */
static gboolean
otp_enabled_or_refuse (Pd                *pd,
                       SoupServerMessage *msg,
                       const char        *account_id)
{
  if (pd_otp_enabled (pd, account_id))
    return TRUE;
  respond_conflict (msg, "otp_not_enabled", "Two-step sign-in is off");
  return FALSE;
}

static void
setup_proved (Pd                *pd,
              SoupServerMessage *msg,
              const char        *account_id,
              gpointer           data)
{
  g_autoptr(PdAccount) a = pd_account_load (pd, account_id);
  g_autoptr(JsonObject) o = json_object_new ();
  g_auto(OtpRow) row = { 0 };
  guchar secret[PD_OTP_SECRET_LEN];
  g_autofree char *b32 = NULL, *sealed = NULL, *label = NULL, *uri = NULL, *expires = NULL;
  gint64 expires_at = pd_now () + PD_OTP_SETUP_TTL;

  /* turned on by another request while the password was checked */
  otp_row_load (pd, account_id, &row);
  if (a == NULL || (row.exists && row.confirmed))
    {
      respond_conflict (msg, "otp_already_enabled", "Two-step sign-in is on; turn it off first");
      return;
    }

  if (RAND_bytes (secret, sizeof secret) != 1)
    g_error ("the system random number generator failed");
  b32 = pd_base32 (secret, sizeof secret);
  sealed = pd_secret_seal (pd->secret_key, account_id, secret, sizeof secret);
  explicit_bzero (secret, sizeof secret);

  /* a new set-up replaces an unconfirmed one; no revision (section 4) */
  pd_db_exec (pd, "INSERT OR REPLACE INTO otp (account_id, secret, confirmed, expires_at, last_step)"
                  " VALUES (?, ?, 0, ?, -1)", "ssi", account_id, sealed, expires_at);

  label = g_uri_escape_string (a->email != NULL ? a->email : a->display_name, NULL, FALSE);
  uri = g_strdup_printf ("otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d",
                         OTP_ISSUER, label, b32, OTP_ISSUER, PD_OTP_DIGITS, PD_OTP_PERIOD);
  expires = pd_rfc3339 (expires_at);
  json_object_set_string_member (o, "secret", b32);
  json_object_set_string_member (o, "otpauth_uri", uri);
  json_object_set_string_member (o, "expires_at", expires);
  pd_respond_object (msg, SOUP_STATUS_OK, o);
  explicit_bzero (b32, strlen (b32));
  explicit_bzero (uri, strlen (uri));
}

static void
post_setup (Pd                *pd,
            SoupServerMessage *msg,
            const char        *account_id,
            const char        *family)
{
  g_autoptr(JsonObject) body = proof_body (msg);

  if (body == NULL)
    return;
  if (pd_otp_enabled (pd, account_id))
    {
      respond_conflict (msg, "otp_already_enabled", "Two-step sign-in is on; turn it off first");
      return;
    }
  pd_proof_check (pd, msg, account_id, family, body, setup_proved, NULL, NULL);
}

static void
confirm_hashed (Work *w)
{
  g_auto(OtpRow) row = { 0 };

  /* the set-up this code confirmed may have been replaced meanwhile */
  otp_row_load (w->pd, w->account_id, &row);
  if (!row.exists || row.confirmed || g_strcmp0 (row.sealed, w->data) != 0)
    {
      respond_conflict (w->msg, "no_otp_setup", "No set-up waits for confirmation");
      return;
    }

  pd_db_begin (w->pd);
  pd_db_exec (w->pd, "UPDATE otp SET confirmed = 1, expires_at = NULL WHERE account_id = ?",
              "s", w->account_id);
  store_recovery_codes (w);
  bump_revision (w->pd, w->account_id);
  pd_db_commit (w->pd);
  pd_account_changed (w->pd, w->account_id);
  g_info ("two-step sign-in turned on");
  respond_recovery_codes (w);
}

static void
post_confirm (Pd                *pd,
              SoupServerMessage *msg,
              const char        *account_id)
{
  g_autoptr(JsonObject) body = pd_request_json (msg);
  g_auto(OtpRow) row = { 0 };
  g_autofree char *key = account_key (account_id);
  const char *otp;
  gint64 wait;
  Work *w;

  if (body == NULL ||
      !pd_json_only_members (msg, body, (const char *[]) { "otp", NULL }) ||
      !pd_json_get_string (msg, body, "otp", TRUE, &otp))
    return;

  otp_row_load (pd, account_id, &row);
  if (!row.exists || row.confirmed || row.expires_at < pd_now ())
    {
      respond_conflict (msg, "no_otp_setup", "No set-up waits for confirmation");
      return;
    }

  wait = pd_throttle_check (pd, key);
  if (wait > 0)
    {
      pd_respond_too_many (msg, wait, TRUE);
      return;
    }
  if (!take_totp (pd, account_id, &row, otp))
    {
      pd_throttle_fail (pd, key);
      pd_respond_error (msg, SOUP_STATUS_FORBIDDEN, "invalid_otp", "The code is not correct", NULL);
      return;
    }
  pd_throttle_clear (pd, key);

  w = work_new (pd, msg, account_id);
  w->new_codes = new_recovery_codes ();
  w->data = g_steal_pointer (&row.sealed);
  w->destroy = g_free;
  work_run (w, confirm_hashed);
}

static void
regenerate_hashed (Work *w)
{
  if (!pd_otp_enabled (w->pd, w->account_id))
    {
      respond_conflict (w->msg, "otp_not_enabled", "Two-step sign-in is off");
      return;
    }
  pd_db_begin (w->pd);
  store_recovery_codes (w);
  bump_revision (w->pd, w->account_id);
  pd_db_commit (w->pd);
  pd_account_changed (w->pd, w->account_id);
  respond_recovery_codes (w);
}

static void
regenerate_proved (Pd                *pd,
                   SoupServerMessage *msg,
                   const char        *account_id,
                   gpointer           data)
{
  Work *w;

  if (!otp_enabled_or_refuse (pd, msg, account_id))
    return;
  w = work_new (pd, msg, account_id);
  w->new_codes = new_recovery_codes ();
  work_run (w, regenerate_hashed);
}

static void
post_recovery_codes (Pd                *pd,
                     SoupServerMessage *msg,
                     const char        *account_id,
                     const char        *family)
{
  g_autoptr(JsonObject) body = proof_body (msg);

  if (body == NULL)
    return;
  if (!otp_enabled_or_refuse (pd, msg, account_id))
    return;
  pd_proof_check (pd, msg, account_id, family, body, regenerate_proved, NULL, NULL);
}

static void
disable_proved (Pd                *pd,
                SoupServerMessage *msg,
                const char        *account_id,
                gpointer           data)
{
  if (!otp_enabled_or_refuse (pd, msg, account_id))
    return;
  pd_db_begin (pd);
  pd_db_exec (pd, "DELETE FROM otp WHERE account_id = ?", "s", account_id);
  pd_db_exec (pd, "DELETE FROM recovery_codes WHERE account_id = ?", "s", account_id);
  pd_db_exec (pd, "DELETE FROM mfa_tokens WHERE account_id = ?", "s", account_id);
  bump_revision (pd, account_id);
  pd_db_commit (pd);
  pd_account_changed (pd, account_id);
  g_info ("two-step sign-in turned off");
  pd_respond_account (pd, msg, SOUP_STATUS_OK, account_id);
}

static void
delete_otp (Pd                *pd,
            SoupServerMessage *msg,
            const char        *account_id,
            const char        *family)
{
  g_autoptr(JsonObject) body = proof_body (msg);

  if (body == NULL)
    return;
  if (!otp_enabled_or_refuse (pd, msg, account_id))
    return;
  pd_proof_check (pd, msg, account_id, family, body, disable_proved, NULL, NULL);
}

gboolean
pd_handle_otp (Pd                *pd,
               SoupServerMessage *msg,
               const char        *path,
               const char        *account_id,
               const char        *family)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, "/me/otp/setup") && g_str_equal (method, "POST"))
    post_setup (pd, msg, account_id, family);
  else if (g_str_equal (path, "/me/otp/confirm") && g_str_equal (method, "POST"))
    post_confirm (pd, msg, account_id);
  else if (g_str_equal (path, "/me/otp/recovery-codes") && g_str_equal (method, "POST"))
    post_recovery_codes (pd, msg, account_id, family);
  else if (g_str_equal (path, "/me/otp") && g_str_equal (method, "DELETE"))
    delete_otp (pd, msg, account_id, family);
  else
    return FALSE;
  return TRUE;
}

/* Signing in (8.3) -------------------------------------------------------- */

void
pd_mfa_required (Pd                *pd,
                 SoupServerMessage *msg,
                 const char        *account_id,
                 const char        *client_id,
                 const char        *scope,
                 const char        *device_name)
{
  g_autofree char *token = pd_random_token (32);
  g_autofree char *hash = pd_sha256_hex (token);
  g_autoptr(JsonObject) extra = json_object_new ();

  pd_db_exec (pd, "INSERT INTO mfa_tokens (hash, account_id, client_id, scope, device_name, expires_at)"
                  " VALUES (?, ?, ?, ?, ?, ?)", "sssssi", hash, account_id, client_id, scope,
              device_name, pd_now () + PD_MFA_TOKEN_TTL);
  json_object_set_string_member (extra, "mfa_token", token);
  json_object_set_int_member (extra, "expires_in", PD_MFA_TOKEN_TTL);
  pd_respond_error (msg, SOUP_STATUS_FORBIDDEN, "mfa_required",
                    "Two-step sign-in is on: send a code with the otp grant", extra);
  explicit_bzero (token, strlen (token));
}

static void
respond_expired_token (SoupServerMessage *msg)
{
  pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "expired_token",
                    "The mfa_token is unknown, used or expired: sign in with the password again", NULL);
}

/* Wrong codes count per account and with the password grant's count of
 * the bound address, so that passwords and codes share one limit. */
static void
grant_failed (Work *w)
{
  g_autofree char *key = account_key (w->account_id);

  pd_throttle_fail (w->pd, key);
  if (w->email != NULL)
    {
      g_autofree char *grant_key = g_strconcat ("grant:", w->email, NULL);
      pd_throttle_fail (w->pd, grant_key);
    }
  pd_respond_error (w->msg, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "The code is not correct", NULL);
}

static gboolean
grant_passed (Work *w)
{
  g_autofree char *key = account_key (w->account_id);
  g_autoptr(JsonObject) tokens = NULL;
  g_autofree char *family = NULL;

  /* the first successful grant uses the token up; a second one racing it
   * gets expired_token */
  pd_db_exec (w->pd, "DELETE FROM mfa_tokens WHERE hash = ?", "s", w->mfa_hash);
  if (sqlite3_changes (w->pd->db) != 1)
    {
      respond_expired_token (w->msg);
      return FALSE;
    }
  pd_throttle_clear (w->pd, key);
  if (w->email != NULL)
    {
      g_autofree char *grant_key = g_strconcat ("grant:", w->email, NULL);
      pd_throttle_clear (w->pd, grant_key);
    }
  tokens = pd_issue_tokens (w->pd, w->account_id, w->client_id, w->scope, NULL, NULL, &family);
  pd_session_started (w->pd, w->msg, family, "password", w->device_name);
  soup_message_headers_replace (soup_server_message_get_response_headers (w->msg), "Pragma", "no-cache");
  pd_respond_object (w->msg, SOUP_STATUS_OK, tokens);
  return TRUE;
}

static void
grant_recovery_checked (Work *w)
{
  if (!pd_otp_enabled (w->pd, w->account_id))
    {
      respond_expired_token (w->msg);
      return;
    }
  pd_db_begin (w->pd);
  if (!use_recovery_code (w))
    {
      pd_db_rollback (w->pd);
      grant_failed (w);
      return;
    }
  if (!grant_passed (w))
    {
      pd_db_rollback (w->pd);
      return;
    }
  pd_db_commit (w->pd);
  pd_account_changed (w->pd, w->account_id);
}

void
pd_grant_otp (Pd                *pd,
              SoupServerMessage *msg,
              const char        *client_id,
              GHashTable        *form)
{
  const char *mfa_token = g_hash_table_lookup (form, "mfa_token");
  const char *otp = g_hash_table_lookup (form, "otp");
  const char *recovery = g_hash_table_lookup (form, "recovery_code");
  g_autofree char *hash = NULL, *key = NULL;
  g_auto(OtpRow) row = { 0 };
  Work *w;
  gint64 wait;

  if (mfa_token == NULL || (otp == NULL) == (recovery == NULL))
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "mfa_token and one of otp and recovery_code are required", NULL);
      return;
    }

  hash = pd_sha256_hex (mfa_token);
  w = work_new (pd, msg, NULL);
  w->mfa_hash = g_strdup (hash);
  {
    g_autoptr(sqlite3_stmt) stmt =
      pd_db_prepare (pd, "SELECT t.account_id, t.client_id, t.scope, a.email, t.device_name FROM mfa_tokens t"
                         " JOIN accounts a ON a.id = t.account_id WHERE t.hash = ? AND t.expires_at > ?",
                     "si", hash, pd_now ());
    if (sqlite3_step (stmt) == SQLITE_ROW)
      {
        w->account_id = pd_db_column_text (stmt, 0);
        w->client_id = pd_db_column_text (stmt, 1);
        w->scope = pd_db_column_text (stmt, 2);
        w->email = pd_db_column_text (stmt, 3);
        /* the otp grant's own device_name, else the password grant's */
        w->device_name = g_hash_table_contains (form, "device_name")
                         ? g_strdup (g_hash_table_lookup (form, "device_name"))
                         : pd_db_column_text (stmt, 4);
      }
  }
  if (w->account_id == NULL || !g_str_equal (w->client_id, client_id) ||
      !pd_otp_enabled (pd, w->account_id))
    {
      work_free (w);
      respond_expired_token (msg);
      return;
    }

  key = account_key (w->account_id);
  wait = pd_throttle_check (pd, key);
  if (wait > 0)
    {
      work_free (w);
      pd_respond_too_many (msg, wait, TRUE);
      return;
    }

  if (otp != NULL)
    {
      otp_row_load (pd, w->account_id, &row);
      if (take_totp (pd, w->account_id, &row, otp))
        grant_passed (w);
      else
        grant_failed (w);
      work_free (w);
      return;
    }

  if (!work_set_recovery (w, recovery))
    {
      grant_failed (w);
      work_free (w);
      return;
    }
  work_run (w, grant_recovery_checked);
}
