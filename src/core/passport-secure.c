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
