/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "passport-server.h"
#include "passport-session.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_DEVICE_SIGN_IN (passport_device_sign_in_get_type ())
G_DECLARE_FINAL_TYPE (PassportDeviceSignIn, passport_device_sign_in, PASSPORT, DEVICE_SIGN_IN, GObject)

/* Sign-in with another device (contract 11, RFC 8628): the server gives a
 * short code and a link; the user opens the link on a phone (or any
 * browser), signs in there and approves; meanwhile this polls the token
 * endpoint, every `interval` seconds, 5 s more for good after each
 * slow_down.
 *
 * Properties (read-only, notified once the server has answered): user-code
 * ("BCDF-GHJK"), verification-uri, verification-uri-complete (nullable:
 * the link with the code in it, for a QR code), deadline (monotonic µs when
 * the code lapses), interval (seconds between polls now). */

PassportDeviceSignIn *passport_device_sign_in_new (PassportServer *server);

/* Asks for a code, then polls until the sign-in is approved (a new
 * session), denied (PASSPORT_ERROR_ACCESS_DENIED), lapses
 * (PASSPORT_ERROR_EXPIRED_TOKEN) or fails; PASSPORT_ERROR_NOT_SUPPORTED
 * when the server offers no device sign-in. One start per object; cancel
 * with @cancellable. Errors carry user text (passport_error_describe()). */
void                  passport_device_sign_in_start_async  (PassportDeviceSignIn *self,
                                                            GCancellable         *cancellable,
                                                            GAsyncReadyCallback   callback,
                                                            gpointer              user_data);
/* Returns the new session, or NULL with @error. */
PassportSession      *passport_device_sign_in_start_finish (PassportDeviceSignIn  *self,
                                                            GAsyncResult          *result,
                                                            GError               **error);

const char *passport_device_sign_in_get_user_code                 (PassportDeviceSignIn *self);
const char *passport_device_sign_in_get_verification_uri          (PassportDeviceSignIn *self);
const char *passport_device_sign_in_get_verification_uri_complete (PassportDeviceSignIn *self);
gint64      passport_device_sign_in_get_deadline                  (PassportDeviceSignIn *self);
guint       passport_device_sign_in_get_interval                  (PassportDeviceSignIn *self);

G_END_DECLS
