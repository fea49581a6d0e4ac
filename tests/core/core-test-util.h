/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Small helpers shared by the core tests: waiting for async results on
 * the main context. */

#include <gio/gio.h>

static inline void
core_test_result_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

/* Spins the default main context until *@result is set; returns it (the
 * caller unrefs). */
static inline GAsyncResult *
core_test_await (GAsyncResult **result)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  while (*result == NULL)
    g_main_context_iteration (context, TRUE);
  return *result;
}

/* Spins the main context for @ms milliseconds. */
static inline void
core_test_sleep (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (context, FALSE);
      g_usleep (1000);
    }
}
