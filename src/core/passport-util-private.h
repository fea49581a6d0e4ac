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

/* Whether @token can be sent as "Authorization: Bearer @token": an RFC 6750
 * §2.1 b64token, 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
 * *"=". Anything else (CR LF above all) would break the header. */
static inline gboolean
passport_token_is_b64token (const char *token)
{
  const char *p = token;

  if (token == NULL)
    return FALSE;
  while (*p != '\0' && (g_ascii_isalnum (*p) || strchr ("-._~+/", *p) != NULL))
    p++;
  if (p == token)
    return FALSE;
  while (*p == '=')
    p++;
  return *p == '\0';
}

/* Whether @token is 1*VSCHAR (%x20-7E), what RFC 6749 Appendix A allows a
 * refresh token: no control characters, nothing beyond ASCII. */
static inline gboolean
passport_token_is_vschar (const char *token)
{
  if (token == NULL || *token == '\0')
    return FALSE;
  for (const char *p = token; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || (guchar) *p > 0x7e)
      return FALSE;
  return TRUE;
}

/* Timers and idles on the thread-default main context (where the GTasks
 * that started them will call back), not the global one. The caller holds
 * the returned reference; drop it with passport_clear_source(). */
static inline GSource *
passport_source_attach (GSource        *source,
                        GSourceFunc     func,
                        gpointer        data,
                        GDestroyNotify  notify)
{
  g_source_set_callback (source, func, data, notify);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

static inline void
passport_clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_source_unref (*source);
  *source = NULL;
}

G_END_DECLS
