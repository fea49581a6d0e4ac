// SPDX-License-Identifier: GPL-3.0-or-later
//
// The window's size kept across runs in GSettings ("window-width",
// "window-height"): the size the user chose, not one the content forced
// (a longer language, larger text), which would otherwise stay as the
// user's choice in every language afterwards (finding 12).
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Gives @window the saved size, and saves its size when it closes. */
void passport_window_size_remember (GtkWindow *window,
                                    GSettings *settings);

G_END_DECLS
