/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PASSPORT_TYPE_PASSWORD_QUALITY (passport_password_quality_get_type ())
G_DECLARE_FINAL_TYPE (PassportPasswordQuality, passport_password_quality, PASSPORT, PASSWORD_QUALITY, GObject)

/* Password strength as the user types: a score 0–100 from libpwquality,
 * and translated hints that use the same words as the server's
 * weak_password reasons (too_short, too_long, too_common, contains_email,
 * contains_name), so the page shows one kind of message whoever found the
 * problem. The server decides; this only helps before sending. */

/* Returns a new checker with the server's documented policy (at least 8,
 * at most 128 characters). */
PassportPasswordQuality *passport_password_quality_new (void);

/* Scores @password for an account with @email and @display_name (both
 * nullable). Returns 0–100 (0 when the password would be refused);
 * @reasons (nullable) receives the server-style reason codes found (a
 * NULL-terminated array, g_strfreev, empty when none). */
guint   passport_password_quality_check (PassportPasswordQuality   *self,
                                         const char                *password,
                                         const char                *email,
                                         const char                *display_name,
                                         char                    ***reasons);

/* The same in a worker thread: the dictionary check takes tens of
 * milliseconds, too long for a keystroke on the main loop. @password and
 * the others are copied (the password into wiped memory). */
void    passport_password_quality_check_async  (PassportPasswordQuality *self,
                                                const char              *password,
                                                const char              *email,
                                                const char              *display_name,
                                                GCancellable            *cancellable,
                                                GAsyncReadyCallback      callback,
                                                gpointer                 user_data);
/* The score, with @reasons as for _check(); G_MAXUINT with @error when
 * cancelled. */
guint   passport_password_quality_check_finish (PassportPasswordQuality  *self,
                                                GAsyncResult             *result,
                                                char                   ***reasons,
                                                GError                  **error);

/* The translated hint for one reason code (server or local); @min_length
 * is used by too_short (0 means the default 8). Unknown codes get a
 * generic hint. Returns a new string. */
char   *passport_password_quality_describe_reason  (const char *reason,
                                                    guint       min_length);

/* Translated hints for every reason in @reasons, e.g. from
 * passport_error_get_reasons() of a PASSPORT_ERROR_WEAK_PASSWORD error.
 * Returns a new NULL-terminated array (g_strfreev). */
char  **passport_password_quality_describe_reasons (const char * const *reasons,
                                                    guint               min_length);

G_END_DECLS
