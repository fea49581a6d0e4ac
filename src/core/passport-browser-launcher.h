/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Opening a URL in a browser, for the browser sign-in. Failures come back
 * as PASSPORT_ERROR_BROWSER_LAUNCH; the URL (which carries the sign-in's
 * state) never reaches a message or a log. */

/* Runs @command (split like a shell) with @url appended. */
gboolean passport_browser_launch_command (const char  *command,
                                          const char  *url,
                                          GError     **error);

/* The command in $PASSPORT_BROWSER when set, else the desktop's default
 * browser (g_app_info_launch_default_for_uri, which goes through the
 * portal inside Flatpak). */
gboolean passport_browser_launch_default (const char  *url,
                                          GError     **error);

G_END_DECLS
