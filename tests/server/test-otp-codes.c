// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd's two-step codes (contract section 8.1) without a server:
 * HOTP and TOTP against the RFCs' test vectors (RFC 4226 appendix D,
 * RFC 6238 appendix B's SHA-1 rows, also cut to 6 digits), the ±1 step
 * window at its edges, no code twice, base32 (RFC 4648 §10), recovery
 * codes and their input, and the sealing of the secret with the server
 * key and its file. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "pd.h"

#define RFC_SECRET "12345678901234567890"
#define RFC_SECRET_LEN 20

/* The code of @step computed here from the secret with GHmac, apart from
 * pd-otp.c (RFC 4226 §5.3 written out again). */
static char *
code_at (const guchar *secret,
         gsize         len,
         gint64        step)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, secret, len);
  guchar counter[8] = { 0 };
  guchar digest[20];
  gsize digest_len = sizeof digest;
  guint offset;
  guint32 value;

  for (int i = 0; i < 8; i++)
    counter[i] = (guchar) (((guint64) step >> (56 - 8 * i)) & 0xff);
  g_hmac_update (hmac, counter, 8);
  g_hmac_get_digest (hmac, digest, &digest_len);
  offset = digest[19] & 0xf;
  value = ((digest[offset] & 0x7fu) << 24) | ((guint32) digest[offset + 1] << 16) |
          ((guint32) digest[offset + 2] << 8) | digest[offset + 3];
  return g_strdup_printf ("%06u", value % 1000000);
}

static void
test_hotp_rfc4226 (void)
{
  static const guint32 expected[] = {
    755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpuint (pd_hotp ((const guchar *) RFC_SECRET, RFC_SECRET_LEN, i, 6), ==, expected[i]);
}

static void
test_totp_rfc6238 (void)
{
  /* RFC 6238 appendix B, SHA-1 rows: the time and its 8-digit code. */
  static const struct { gint64 time; guint32 code8; const char *code6; } rows[] = {
    { 59, 94287082, "287082" },
    { 1111111109, 7081804, "081804" },
    { 1111111111, 14050471, "050471" },
    { 1234567890, 89005924, "005924" },
    { 2000000000, 69279037, "279037" },
    { 20000000000, 65353130, "353130" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      gint64 step = pd_totp_step (rows[i].time);
      g_autofree char *code = pd_totp_code ((const guchar *) RFC_SECRET, RFC_SECRET_LEN, step);
      g_autofree char *mine = code_at ((const guchar *) RFC_SECRET, RFC_SECRET_LEN, step);

      g_assert_cmpuint (pd_hotp ((const guchar *) RFC_SECRET, RFC_SECRET_LEN, (guint64) step, 8),
                        ==, rows[i].code8);
      g_assert_cmpstr (code, ==, rows[i].code6);
      g_assert_cmpstr (mine, ==, rows[i].code6);
      /* The code is taken at its own time. */
      g_assert_cmpint (pd_totp_check ((const guchar *) RFC_SECRET, RFC_SECRET_LEN,
                                      rows[i].code6, rows[i].time, -1), ==, step);
    }
  g_assert_cmpint (pd_totp_step (59), ==, 1);
  g_assert_cmpint (pd_totp_step (60), ==, 2);
}

static gint64
check_step (gint64 code_step,
            gint64 now,
            gint64 last_step)
{
  g_autofree char *code = code_at ((const guchar *) RFC_SECRET, RFC_SECRET_LEN, code_step);

  return pd_totp_check ((const guchar *) RFC_SECRET, RFC_SECRET_LEN, code, now, last_step);
}

static void
test_totp_window (void)
{
  gint64 step = 37037036; /* 1111111080 … 1111111109 */
  gint64 first = step * 30, last = step * 30 + 29;

  /* The current step and one on each side, at both ends of the step. */
  for (gint64 now = first; now <= last; now += 29)
    {
      g_assert_cmpint (check_step (step - 1, now, -1), ==, step - 1);
      g_assert_cmpint (check_step (step, now, -1), ==, step);
      g_assert_cmpint (check_step (step + 1, now, -1), ==, step + 1);
      g_assert_cmpint (check_step (step - 2, now, -1), ==, -1);
      g_assert_cmpint (check_step (step + 2, now, -1), ==, -1);
    }
  /* One second on: the window has moved by a step. */
  g_assert_cmpint (check_step (step - 1, last + 1, -1), ==, -1);
  g_assert_cmpint (check_step (step + 2, last + 1, -1), ==, step + 2);
  g_assert_cmpint (check_step (step + 1, first - 1, -1), ==, -1);
  g_assert_cmpint (check_step (step - 2, first - 1, -1), ==, step - 2);
  /* Near the epoch there is no step before the first. */
  g_assert_cmpint (check_step (0, 0, -1), ==, 0);
  g_assert_cmpint (check_step (1, 0, -1), ==, 1);
}

static void
test_totp_no_reuse (void)
{
  gint64 step = 37037036, now = step * 30 + 10;

  /* The accepted step is kept: its code, and any earlier, never again. */
  g_assert_cmpint (check_step (step, now, -1), ==, step);
  g_assert_cmpint (check_step (step, now, step), ==, -1);
  g_assert_cmpint (check_step (step - 1, now, step), ==, -1);
  g_assert_cmpint (check_step (step + 1, now, step), ==, step + 1);
  /* The next step's code, taken early, voids the current one's. */
  g_assert_cmpint (check_step (step, now, step + 1), ==, -1);
  g_assert_cmpint (check_step (step + 1, now + 30, step + 1), ==, -1);
  g_assert_cmpint (check_step (step + 2, now + 30, step + 1), ==, step + 2);
}

static void
test_totp_input (void)
{
  static const char *bad[] = { "", "08180", "0818044", "08180a", " 081804", "081804 ",
                               "-81804", "０８１８０４" };
  gint64 now = 1111111109;

  g_assert_cmpint (pd_totp_check ((const guchar *) RFC_SECRET, RFC_SECRET_LEN, "081804", now, -1),
                   ==, pd_totp_step (now));
  g_assert_cmpint (pd_totp_check ((const guchar *) RFC_SECRET, RFC_SECRET_LEN, NULL, now, -1), ==, -1);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_cmpint (pd_totp_check ((const guchar *) RFC_SECRET, RFC_SECRET_LEN, bad[i], now, -1),
                     ==, -1);
}

static void
test_base32 (void)
{
  static const char *rows[][2] = {
    { "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
    { "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI" },
    { RFC_SECRET, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *b32 = pd_base32 ((const guchar *) rows[i][0], strlen (rows[i][0]));

      g_assert_cmpstr (b32, ==, rows[i][1]);
    }
}

static void
test_recovery_codes (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint letters[256] = { 0 };

  for (guint i = 0; i < 1000; i++)
    {
      char *code = pd_recovery_code_new ();
      g_autofree char *plain = NULL;

      g_assert_cmpuint (strlen (code), ==, 14);
      g_assert_cmpint (code[4], ==, '-');
      g_assert_cmpint (code[9], ==, '-');
      for (guint j = 0; j < 14; j++)
        if (j != 4 && j != 9)
          {
            g_assert_nonnull (strchr ("BCDFGHJKLMNPQRSTVWXZ", code[j]));
            letters[(guchar) code[j]]++;
          }
      plain = pd_recovery_code_normalize (code);
      g_assert_cmpuint (strlen (plain), ==, 12);
      g_assert_true (g_hash_table_add (seen, code));
    }
  /* 12 000 letters: every one of the 20 comes (600 expected each). */
  for (const char *p = "BCDFGHJKLMNPQRSTVWXZ"; *p != '\0'; p++)
    g_assert_cmpuint (letters[(guchar) *p], >, 400);
}

static void
test_recovery_input (void)
{
  static const char *good[] = { "BCDF-GHJK-LMNP", "bcdf-ghjk-lmnp", "bcdfghjklmnp",
                                " Bcdf ghjk - lmnp ", "BCDF--GHJK--LMNP" };
  static const char *bad[] = { "", "BCDF-GHJK-LMN", "BCDF-GHJK-LMNPQ", "ACDF-GHJK-LMNP",
                               "BCDF-GHJK-LMN1", "BCDF_GHJK_LMNP", "BCDF\tGHJK-LMNP",
                               "BCDF-GHJK-LMNÑ" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *plain = pd_recovery_code_normalize (good[i]);

      g_assert_cmpstr (plain, ==, "BCDFGHJKLMNP");
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_null (pd_recovery_code_normalize (bad[i]));
  g_assert_null (pd_recovery_code_normalize (NULL));
}

static void
test_seal (void)
{
  guchar key[PD_SECRET_KEY_LEN], other[PD_SECRET_KEY_LEN];
  guchar secret[PD_OTP_SECRET_LEN];
  g_autofree char *sealed = NULL;
  g_autofree char *again = NULL;
  g_autofree char *b32 = NULL;
  g_autoptr(GBytes) opened = NULL;
  g_autoptr(GBytes) wrong = NULL;

  g_assert_true (pd_secret_key_load (NULL, key, NULL));
  g_assert_true (pd_secret_key_load (NULL, other, NULL));
  g_assert_true (memcmp (key, other, sizeof key) != 0);
  memcpy (secret, RFC_SECRET, sizeof secret);

  sealed = pd_secret_seal (key, "acc_1", secret, sizeof secret);
  again = pd_secret_seal (key, "acc_1", secret, sizeof secret);
  g_assert_true (g_str_has_prefix (sealed, "v1."));
  g_assert_cmpstr (sealed, !=, again); /* a fresh nonce each time */
  b32 = pd_base32 (secret, sizeof secret);
  g_assert_null (strstr (sealed, b32));

  opened = pd_secret_open (key, "acc_1", sealed);
  g_assert_nonnull (opened);
  g_assert_cmpmem (g_bytes_get_data (opened, NULL), g_bytes_get_size (opened), secret, sizeof secret);

  /* Another key, another account, a changed letter: nothing. */
  g_assert_null (pd_secret_open (other, "acc_1", sealed));
  g_assert_null (pd_secret_open (key, "acc_2", sealed));
  for (gsize i = 3; i < strlen (sealed); i += 7)
    {
      g_autofree char *changed = g_strdup (sealed);

      changed[i] = changed[i] == 'A' ? 'B' : 'A';
      wrong = pd_secret_open (key, "acc_1", changed);
      g_assert_null (wrong);
    }
  g_assert_null (pd_secret_open (key, "acc_1", "v1."));
  g_assert_null (pd_secret_open (key, "acc_1", "v1.!!!!"));
  g_assert_null (pd_secret_open (key, "acc_1", "v2.AAAA"));
  g_assert_null (pd_secret_open (key, "acc_1", NULL));
}

static void
test_key_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pd-otp-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "passportd.sqlite3.key", NULL);
  g_autofree char *bad = g_build_filename (dir, "short.key", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "x.key", NULL);
  guchar key[PD_SECRET_KEY_LEN], again[PD_SECRET_KEY_LEN];
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_nonnull (dir);
  g_assert_true (pd_secret_key_load (path, key, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (st.st_size, ==, PD_SECRET_KEY_LEN);

  /* Read back the same, and made private again when it was not. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_true (pd_secret_key_load (path, again, &error));
  g_assert_cmpmem (key, sizeof key, again, sizeof again);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (g_file_set_contents (bad, "short", -1, NULL));
  g_assert_false (pd_secret_key_load (bad, again, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_false (pd_secret_key_load (missing, again, &error));
  g_assert_nonnull (error);

  g_unlink (path);
  g_unlink (bad);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/otp-codes/hotp-rfc4226", test_hotp_rfc4226);
  g_test_add_func ("/otp-codes/totp-rfc6238", test_totp_rfc6238);
  g_test_add_func ("/otp-codes/totp-window", test_totp_window);
  g_test_add_func ("/otp-codes/totp-no-reuse", test_totp_no_reuse);
  g_test_add_func ("/otp-codes/totp-input", test_totp_input);
  g_test_add_func ("/otp-codes/base32", test_base32);
  g_test_add_func ("/otp-codes/recovery-codes", test_recovery_codes);
  g_test_add_func ("/otp-codes/recovery-input", test_recovery_input);
  g_test_add_func ("/otp-codes/seal", test_seal);
  g_test_add_func ("/otp-codes/key-file", test_key_file);

  return g_test_run ();
}
