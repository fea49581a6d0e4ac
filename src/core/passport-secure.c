/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "passport-secure.h"

void
passport_secure_free (char *secret)
{
  if (secret == NULL)
    return;
  /* explicit_bzero, unlike memset, is not optimised away before free. */
  explicit_bzero (secret, strlen (secret));
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
  explicit_bzero (grouped->str, grouped->allocated_len);
  g_string_free (grouped, TRUE);
  return result;
}
