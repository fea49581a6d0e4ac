// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "passport-window-size.h"

static gboolean
on_close_request (GtkWindow *window,
                  GSettings *settings)
{
  int width = 0, height = 0;
  int min_width = 0, min_height = 0;

  if (gtk_window_is_maximized (window) || gtk_window_is_fullscreen (window))
    return FALSE;
  gtk_window_get_default_size (window, &width, &height);
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_VERTICAL, width, &min_height, NULL, NULL, NULL);
  /* At the content's minimum the window may have been pushed there: the
   * size the user chose before stays. */
  if (width > min_width)
    g_settings_set_int (settings, "window-width", width);
  if (height > min_height)
    g_settings_set_int (settings, "window-height", height);
  return FALSE;
}

void
passport_window_size_remember (GtkWindow *window,
                               GSettings *settings)
{
  g_return_if_fail (GTK_IS_WINDOW (window));
  g_return_if_fail (G_IS_SETTINGS (settings));

  gtk_window_set_default_size (window,
                               g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  g_signal_connect_data (window, "close-request", G_CALLBACK (on_close_request),
                         g_object_ref (settings), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
}
