/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Opening a URL in a browser, for the browser sign-in. Failures come back
 * as PASSPORT_ERROR_BROWSER_LAUNCH; the URL (which carries the sign-in's
 * state) never reaches a message or a log. */

/* Opens @url with @command (split like a shell, the URL appended); when
 * @command is NULL, with the command in $PASSPORT_BROWSER (read now) when
 * set, else the desktop's default browser (g_app_info_launch_default_for_uri,
 * which goes through the portal inside Flatpak).
 *
 * The lookup and the spawn run in a worker thread, so the caller's main
 * loop never waits for them. Cancelling @cancellable before the worker has
 * started the browser stops it; a browser already started stays open. */
void     passport_browser_launch_async  (const char          *command,
                                         const char          *url,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);

/* TRUE when the browser was started; else FALSE with @error
 * (PASSPORT_ERROR_BROWSER_LAUNCH, or G_IO_ERROR_CANCELLED). */
gboolean passport_browser_launch_finish (GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
