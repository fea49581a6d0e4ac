/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "passport-server.h"
#include "passport-session.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_BROWSER_SIGN_IN (passport_browser_sign_in_get_type ())
G_DECLARE_FINAL_TYPE (PassportBrowserSignIn, passport_browser_sign_in, PASSPORT, BROWSER_SIGN_IN, GObject)

/* Opens @url in a browser. Return FALSE with @error when it could not.
 * Called on the sign-in's main context, so it must not block. */
typedef gboolean (*PassportBrowserLauncher) (const char  *url,
                                             gpointer     user_data,
                                             GError     **error);

/* One browser sign-in (RFC 8252, PKCE S256, state, nonce, RFC 9207 iss).
 *
 * Properties: server (construct-only), provider-id, login-hint
 * (construct-only, nullable), url (read-only; NULL until started, then the
 * authorization URL, for "Copy link"), timeout-seconds (default 600),
 * launch-error (GError boxed, read-only: set when opening the browser
 * failed; the sign-in keeps waiting so the user can open the URL
 * themselves). The browser is opened off the main loop (a worker thread),
 * so launch-error changes after start_async() has returned.
 *
 * Which browser: the launcher set with passport_browser_sign_in_set_launcher();
 * else the command set with passport_browser_sign_in_set_command(); else the
 * command in $PASSPORT_BROWSER (split like a shell, the URL appended); else
 * the desktop's default (g_app_info_launch_default_for_uri,
 * which goes through the portal inside Flatpak). */

/* Returns a new, not yet started sign-in. */
PassportBrowserSignIn *passport_browser_sign_in_new           (PassportServer *server,
                                                               const char     *provider_id,
                                                               const char     *login_hint);

/* Sets how the URL is opened (for tests, or a "print the URL" CLI). NULL
 * @launcher restores the default. @destroy frees @user_data. */
void                   passport_browser_sign_in_set_launcher  (PassportBrowserSignIn   *self,
                                                               PassportBrowserLauncher  launcher,
                                                               gpointer                 user_data,
                                                               GDestroyNotify           destroy);

void                   passport_browser_sign_in_set_timeout_seconds (PassportBrowserSignIn *self,
                                                                     guint                  seconds);
guint                  passport_browser_sign_in_get_timeout_seconds (PassportBrowserSignIn *self);

/* Asks the server for a sign-in no older than @max_age seconds (OpenID
 * Connect max_age; 0: the user signs in again even with a browser session
 * at the server), and refuses tokens whose id_token does not show one
 * (auth_time; PASSPORT_ERROR_INVALID_ID_TOKEN). -1, the default, asks
 * nothing. Before start only. */
void                   passport_browser_sign_in_set_max_age   (PassportBrowserSignIn *self,
                                                               gint                   max_age);

/* Starts the listener, builds the URL (notify::url), opens the browser,
 * waits for the callback (or the timeout: PASSPORT_ERROR_BROWSER_TIMEOUT;
 * the user cancelling: PASSPORT_ERROR_ACCESS_DENIED), exchanges the code
 * and checks the id_token (PASSPORT_ERROR_INVALID_ID_TOKEN). One start per
 * object. Cancel with @cancellable. */
void                   passport_browser_sign_in_start_async   (PassportBrowserSignIn *self,
                                                               GCancellable          *cancellable,
                                                               GAsyncReadyCallback    callback,
                                                               gpointer               user_data);

/* Returns a new session, or NULL with @error. */
PassportSession       *passport_browser_sign_in_start_finish  (PassportBrowserSignIn  *self,
                                                               GAsyncResult           *result,
                                                               GError                **error);

/* Opens the URL again ("Open again" button), without waiting for the
 * browser: the outcome is the launch-error property, cleared when the
 * browser started and set when it could not (the latest launch's outcome
 * wins). Cancelling the sign-in, or dropping it, cancels the launch. Does
 * nothing before the sign-in has started. */
void                   passport_browser_sign_in_open_browser  (PassportBrowserSignIn *self);

/* The authorization URL, NULL before start. Owned by @self. It holds no
 * secret (the PKCE verifier never leaves the process), but do not log it. */
const char            *passport_browser_sign_in_get_url       (PassportBrowserSignIn *self);
const char            *passport_browser_sign_in_get_provider_id (PassportBrowserSignIn *self);
const char            *passport_browser_sign_in_get_login_hint  (PassportBrowserSignIn *self);
PassportServer        *passport_browser_sign_in_get_server    (PassportBrowserSignIn *self);
/* The last launch error, or NULL. Owned by @self. */
const GError          *passport_browser_sign_in_get_launch_error (PassportBrowserSignIn *self);

/* Opens the sign-in in @command (split like a shell, the URL appended)
 * instead of the default browser; NULL restores the default. */
void                   passport_browser_sign_in_set_command   (PassportBrowserSignIn *self,
                                                               const char            *command);

G_END_DECLS
