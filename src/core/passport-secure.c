/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#ifdef __APPLE__
/* memset_s() (C11 Annex K) is declared only when asked for, before any
 * system header. */
#define __STDC_WANT_LIB_EXT1__ 1
#endif
#include <string.h>
#include <glib.h>
#ifdef G_OS_WIN32
#include <windows.h>
#endif

#include "passport-secure.h"

void
passport_secure_zero (void  *data,
                      gsize  len)
{
  if (data == NULL || len == 0)
    return;
#if defined(G_OS_WIN32)
  SecureZeroMemory (data, len);
#elif defined(__APPLE__)
  memset_s (data, len, 0, len);
#else
  explicit_bzero (data, len);
#endif
}

void
passport_secure_free (char *secret)
{
  if (secret == NULL)
    return;
  /* Unlike memset, not optimised away before free. */
  passport_secure_zero (secret, strlen (secret));
  g_free (secret);
}

void
passport_secure_clear (char **secret)
{
  passport_secure_free (*secret);
  *secret = NULL;
}

void
passport_secure_strfreev (char **secrets)
{
  if (secrets == NULL)
    return;
  for (char **p = secrets; *p != NULL; p++)
    passport_secure_free (*p);
  g_free (secrets);
}

char *
passport_secure_group_in_fours (const char *secret)
{
  GString *grouped = g_string_sized_new (strlen (secret) + strlen (secret) / 4 + 1);
  char *result;

  for (gsize i = 0; secret[i] != '\0'; i++)
    {
      if (i > 0 && i % 4 == 0)
        g_string_append_c (grouped, ' ');
      g_string_append_c (grouped, secret[i]);
    }
  result = g_strdup (grouped->str);
  /* A GString may have moved its buffer while growing: sized up front so
   * it did not, and the one buffer is wiped. */
  passport_secure_zero (grouped->str, grouped->allocated_len);
  g_string_free (grouped, TRUE);
  return result;
}
