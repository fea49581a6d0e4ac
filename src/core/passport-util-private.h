/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

/* g_set_str() is GLib 2.76; the build caps the API at 2.74. */
static inline gboolean
passport_set_str (char       **dest,
                  const char  *src)
{
  if (g_strcmp0 (*dest, src) == 0)
    return FALSE;
  g_free (*dest);
  *dest = g_strdup (src);
  return TRUE;
}

/* Wipes and frees a string that held a secret (token, code, password). */
static inline void
passport_wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

static inline void
passport_clear_secret (char **secret)
{
  passport_wipe_free (*secret);
  *secret = NULL;
}

G_END_DECLS
