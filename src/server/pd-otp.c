// SPDX-License-Identifier: GPL-3.0-or-later
//
// Two-step sign-in's codes (contract section 8.1): TOTP (RFC 6238 over
// RFC 4226's HOTP, HMAC-SHA-1 with GLib's GHmac), recovery codes, the
// base32 of the secret, and the sealing of the secret at rest with the
// server key (AES-256-GCM from OpenSSL's libcrypto, which passportd links
// already for the id_token's key).
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "pd.h"

#define RECOVERY_ALPHABET "BCDFGHJKLMNPQRSTVWXZ"
#define RECOVERY_ALPHABET_LEN 20
#define SEAL_PREFIX "v1."
#define SEAL_NONCE_LEN 12
#define SEAL_TAG_LEN 16

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EVP_CIPHER_CTX, EVP_CIPHER_CTX_free)

guint32
pd_hotp (const guchar *secret,
         gsize         secret_len,
         guint64       counter,
         guint         digits)
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, secret, secret_len);
  guchar message[8];
  guchar digest[20];
  gsize digest_len = sizeof digest;
  guint offset;
  guint32 binary;
  guint32 modulus = 1;

  g_return_val_if_fail (digits >= 1 && digits <= 9, 0);

  /* RFC 4226 §5.3: the counter big-endian, then dynamic truncation. */
  for (int i = 7; i >= 0; i--)
    {
      message[i] = (guchar) (counter & 0xff);
      counter >>= 8;
    }
  g_hmac_update (hmac, message, sizeof message);
  g_hmac_get_digest (hmac, digest, &digest_len);

  offset = digest[19] & 0x0f;
  binary = ((guint32) (digest[offset] & 0x7f) << 24) |
           ((guint32) digest[offset + 1] << 16) |
           ((guint32) digest[offset + 2] << 8) |
           (guint32) digest[offset + 3];
  explicit_bzero (digest, sizeof digest);

  for (guint i = 0; i < digits; i++)
    modulus *= 10;
  return binary % modulus;
}

char *
pd_totp_code (const guchar *secret,
              gsize         secret_len,
              gint64        step)
{
  return g_strdup_printf ("%0*u", PD_OTP_DIGITS,
                          pd_hotp (secret, secret_len, (guint64) step, PD_OTP_DIGITS));
}

gint64
pd_totp_step (gint64 unix_seconds)
{
  return unix_seconds / PD_OTP_PERIOD;
}

gint64
pd_totp_check (const guchar *secret,
               gsize         secret_len,
               const char   *otp,
               gint64        now,
               gint64        last_step)
{
  gint64 current = pd_totp_step (now);
  gint64 accepted = -1;

  if (otp == NULL || strlen (otp) != PD_OTP_DIGITS)
    return -1;
  for (const char *p = otp; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return -1;

  /* The earliest step of the window that matches and is later than the
   * last accepted one; every step is computed, so the time taken does
   * not say which one matched. */
  for (gint64 step = current + PD_OTP_WINDOW; step >= current - PD_OTP_WINDOW; step--)
    {
      g_autofree char *code = NULL;

      if (step < 0)
        continue;
      code = pd_totp_code (secret, secret_len, step);
      if (pd_constant_equal (code, otp) && step > last_step)
        accepted = step;
      explicit_bzero (code, strlen (code));
    }

  return accepted;
}

char *
pd_base32 (const guchar *data,
           gsize         len)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  GString *out = g_string_sized_new ((len * 8 + 4) / 5 + 1);
  guint32 buffer = 0;
  guint bits = 0;

  /* RFC 4648 §6 without the padding (the otpauth URI's custom). */
  for (gsize i = 0; i < len; i++)
    {
      buffer = (buffer << 8) | data[i];
      bits += 8;
      while (bits >= 5)
        {
          g_string_append_c (out, alphabet[(buffer >> (bits - 5)) & 0x1f]);
          bits -= 5;
        }
    }
  if (bits > 0)
    g_string_append_c (out, alphabet[(buffer << (5 - bits)) & 0x1f]);

  return g_string_free (out, FALSE);
}

char *
pd_recovery_code_new (void)
{
  GString *out = g_string_sized_new (PD_RECOVERY_CODE_LEN + 3);
  guint n = 0;

  while (n < PD_RECOVERY_CODE_LEN)
    {
      guchar byte;

      if (RAND_bytes (&byte, 1) != 1)
        g_error ("the system random number generator failed");
      /* 240 = 12 × 20: rejecting the rest keeps every letter equally likely. */
      if (byte >= 240)
        continue;
      if (n > 0 && n % 4 == 0)
        g_string_append_c (out, '-');
      g_string_append_c (out, RECOVERY_ALPHABET[byte % RECOVERY_ALPHABET_LEN]);
      n++;
    }

  return g_string_free (out, FALSE);
}

char *
pd_recovery_code_normalize (const char *input)
{
  GString *out;

  if (input == NULL)
    return NULL;

  out = g_string_sized_new (PD_RECOVERY_CODE_LEN);
  for (const char *p = input; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      if (*p == '-' || *p == ' ')
        continue;
      if (strchr (RECOVERY_ALPHABET, c) == NULL || c == '\0' ||
          out->len >= PD_RECOVERY_CODE_LEN)
        {
          explicit_bzero (out->str, out->len);
          g_string_free (out, TRUE);
          return NULL;
        }
      g_string_append_c (out, c);
    }

  if (out->len != PD_RECOVERY_CODE_LEN)
    {
      explicit_bzero (out->str, out->len);
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* The server key ------------------------------------------------------ */

gboolean
pd_secret_key_load (const char *path,
                    guchar      key[PD_SECRET_KEY_LEN],
                    GError    **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  int fd;

  if (path == NULL)
    {
      /* :memory: — the secrets live as long as the database does. */
      if (RAND_bytes (key, PD_SECRET_KEY_LEN) != 1)
        g_error ("the system random number generator failed");
      return TRUE;
    }

  /* Made once, by whoever comes first: O_EXCL, so two servers starting on
   * one database never write two different keys. */
  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0)
    {
      guchar fresh[PD_SECRET_KEY_LEN];
      gboolean ok;

      if (RAND_bytes (fresh, sizeof fresh) != 1)
        g_error ("the system random number generator failed");
      ok = fchmod (fd, 0600) == 0 &&
           write (fd, fresh, sizeof fresh) == (ssize_t) sizeof fresh &&
           fsync (fd) == 0;
      explicit_bzero (fresh, sizeof fresh);
      if (close (fd) != 0)
        ok = FALSE;
      if (!ok)
        {
          int saved = errno;

          g_unlink (path);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "cannot write the secret key file %s: %s", path, g_strerror (saved));
          return FALSE;
        }
    }
  else if (errno != EEXIST)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create the secret key file %s: %s", path, g_strerror (saved));
      return FALSE;
    }

  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  if (len != PD_SECRET_KEY_LEN)
    {
      explicit_bzero (contents, len);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the secret key file %s does not hold %d bytes", path, PD_SECRET_KEY_LEN);
      return FALSE;
    }
  /* An older or hand-made file may be readable by others: it must not be. */
  g_chmod (path, 0600);
  memcpy (key, contents, PD_SECRET_KEY_LEN);
  explicit_bzero (contents, len);
  return TRUE;
}

char *
pd_secret_seal (const guchar  key[PD_SECRET_KEY_LEN],
                const char   *context,
                const guchar *plain,
                gsize         plain_len)
{
  g_autoptr(EVP_CIPHER_CTX) ctx = EVP_CIPHER_CTX_new ();
  g_autofree guchar *out = g_malloc (SEAL_NONCE_LEN + plain_len + SEAL_TAG_LEN);
  g_autofree char *b64 = NULL;
  int n = 0, fin = 0;

  if (ctx == NULL || RAND_bytes (out, SEAL_NONCE_LEN) != 1 ||
      EVP_EncryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, key, out) != 1 ||
      EVP_EncryptUpdate (ctx, NULL, &n, (const guchar *) context, (int) strlen (context)) != 1 ||
      EVP_EncryptUpdate (ctx, out + SEAL_NONCE_LEN, &n, plain, (int) plain_len) != 1 ||
      EVP_EncryptFinal_ex (ctx, out + SEAL_NONCE_LEN + n, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN,
                           out + SEAL_NONCE_LEN + plain_len) != 1)
    g_error ("AES-256-GCM failed");

  b64 = pd_base64url (out, SEAL_NONCE_LEN + plain_len + SEAL_TAG_LEN);
  return g_strconcat (SEAL_PREFIX, b64, NULL);
}

static gssize
base64url_decode (const char *text,
                  guchar     *out,
                  gsize       out_size)
{
  g_autoptr(GString) std = g_string_new (NULL);
  g_autofree guchar *raw = NULL;
  gsize len = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '-')
        g_string_append_c (std, '+');
      else if (*p == '_')
        g_string_append_c (std, '/');
      else if (g_ascii_isalnum (*p))
        g_string_append_c (std, *p);
      else
        return -1;
    }
  while (std->len % 4 != 0)
    g_string_append_c (std, '=');

  raw = g_base64_decode (std->str, &len);
  if (len > out_size)
    {
      explicit_bzero (raw, len);
      return -1;
    }
  memcpy (out, raw, len);
  explicit_bzero (raw, len);
  return (gssize) len;
}

GBytes *
pd_secret_open (const guchar  key[PD_SECRET_KEY_LEN],
                const char   *context,
                const char   *sealed)
{
  g_autoptr(EVP_CIPHER_CTX) ctx = NULL;
  guchar raw[SEAL_NONCE_LEN + 256 + SEAL_TAG_LEN];
  guchar plain[256];
  gssize raw_len;
  gsize plain_len;
  int n = 0, fin = 0;
  GBytes *result = NULL;

  if (sealed == NULL || !g_str_has_prefix (sealed, SEAL_PREFIX))
    return NULL;
  raw_len = base64url_decode (sealed + strlen (SEAL_PREFIX), raw, sizeof raw);
  if (raw_len < SEAL_NONCE_LEN + SEAL_TAG_LEN)
    return NULL;
  plain_len = (gsize) raw_len - SEAL_NONCE_LEN - SEAL_TAG_LEN;

  ctx = EVP_CIPHER_CTX_new ();
  if (ctx != NULL &&
      EVP_DecryptInit_ex (ctx, EVP_aes_256_gcm (), NULL, key, raw) == 1 &&
      EVP_DecryptUpdate (ctx, NULL, &n, (const guchar *) context, (int) strlen (context)) == 1 &&
      EVP_DecryptUpdate (ctx, plain, &n, raw + SEAL_NONCE_LEN, (int) plain_len) == 1 &&
      EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_LEN,
                           raw + SEAL_NONCE_LEN + plain_len) == 1 &&
      EVP_DecryptFinal_ex (ctx, plain + n, &fin) == 1)
    result = g_bytes_new (plain, plain_len);

  explicit_bzero (plain, sizeof plain);
  explicit_bzero (raw, sizeof raw);
  return result;
}
