// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <adwaita.h>

#include "passport-flow.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_WINDOW (passport_window_get_type ())
G_DECLARE_FINAL_TYPE (PassportWindow, passport_window, PASSPORT, WINDOW, AdwApplicationWindow)

/* A window showing @flow (the window keeps a reference). */
PassportWindow *passport_window_new                   (GtkApplication *application,
                                                       PassportFlow   *flow);

PassportFlow   *passport_window_get_flow              (PassportWindow *self);

/* The stable name of the visible page ("server-page", "sign-in-page", …,
 * "progress-page"). */
const char     *passport_window_get_visible_page_name (PassportWindow *self);

/* The page named @name (see above), or NULL. Owned by the window. */
GtkWidget      *passport_window_get_page              (PassportWindow *self,
                                                       const char     *name);

/* Fills the server page's address field. */
void            passport_window_set_server_url        (PassportWindow *self,
                                                       const char     *url);

/* Shows @message as a toast. */
void            passport_window_show_toast            (PassportWindow *self,
                                                       const char     *message);

/* The message of the blocking-error bar, or NULL when it is hidden. */
const char     *passport_window_get_blocking_error    (PassportWindow *self);

G_END_DECLS
