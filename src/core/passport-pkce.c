/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib.h>
#if defined(G_OS_WIN32)
#include <windows.h>
#include <bcrypt.h>
#else
#include <sys/random.h>  /* getrandom(); getentropy() on macOS */
#endif

#include "passport-pkce.h"
#include "passport-secure.h"

#ifdef G_OS_WIN32
void
passport_random_bytes (guint8 *buffer,
                       gsize   len)
{
  /* The system-preferred CSPRNG (BCryptGenRandom, as RtlGenRandom and
   * CryptGenRandom end up in); requests here are a few dozen bytes. */
  NTSTATUS status;

  g_assert (len <= G_MAXULONG);
  status = BCryptGenRandom (NULL, buffer, (ULONG) len, BCRYPT_USE_SYSTEM_PREFERRED_RNG);
  if (!BCRYPT_SUCCESS (status))
    g_error ("BCryptGenRandom failed: 0x%lx", (unsigned long) status);
}
#elif defined(__APPLE__)
void
passport_random_bytes (guint8 *buffer,
                       gsize   len)
{
  /* macOS has no getrandom(2); getentropy(2) (macOS 10.12 and later) reads
   * the same kernel CSPRNG, at most 256 bytes a call. Unbuilt here: no
   * macOS SDK on this machine (see README). */
  for (gsize done = 0; done < len; done += MIN (len - done, 256))
    if (getentropy (buffer + done, MIN (len - done, 256)) != 0)
      g_error ("getentropy failed: %s", g_strerror (errno));
}
#else
void
passport_random_bytes (guint8 *buffer,
                       gsize   len)
{
  gsize done = 0;

  /* getrandom(2) blocks only until the pool is first seeded, and never
   * returns short reads for requests this small; loop anyway. */
  while (done < len)
    {
      gssize n = getrandom (buffer + done, len - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          /* No randomness means no secure sign-in: a predictable state or
           * verifier would be worse than stopping. */
          g_error ("getrandom failed: %s", g_strerror (errno));
        }
      done += (gsize) n;
    }
}
#endif

char *
passport_base64url_encode (const guint8 *data,
                           gsize         len)
{
  char *text = g_base64_encode (data, len);
  char *out = text;

  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '=')
        break;
      *out++ = (*p == '+') ? '-' : (*p == '/') ? '_' : *p;
    }
  *out = '\0';

  return text;
}

guint8 *
passport_base64url_decode (const char *text,
                           gsize      *out_len)
{
  g_autoptr(GString) std = NULL;
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (out_len != NULL, NULL);

  *out_len = 0;
  len = strlen (text);
  while (len > 0 && text[len - 1] == '=')
    len--;
  if (len % 4 == 1)
    return NULL;

  std = g_string_sized_new (len + 3);
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
      g_string_append_c (std, c);
    }
  while (std->len % 4 != 0)
    g_string_append_c (std, '=');

  return g_base64_decode (std->str, out_len);
}

char *
passport_random_token (gsize n_bytes)
{
  g_autofree guint8 *buffer = g_malloc (n_bytes);
  char *token;

  passport_random_bytes (buffer, n_bytes);
  token = passport_base64url_encode (buffer, n_bytes);
  explicit_bzero (buffer, n_bytes);

  return token;
}

char *
passport_pkce_new_verifier (void)
{
  /* 32 bytes give the 43-character verifier RFC 7636 §4.1 recommends. */
  return passport_random_token (32);
}

char *
passport_pkce_challenge_s256 (const char *verifier)
{
  g_autoptr(GChecksum) checksum = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_return_val_if_fail (verifier != NULL, NULL);

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (checksum, digest, &digest_len);

  return passport_base64url_encode (digest, digest_len);
}
