/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PASSPORT_TYPE_LOOPBACK (passport_loopback_get_type ())
G_DECLARE_FINAL_TYPE (PassportLoopback, passport_loopback, PASSPORT, LOOPBACK, GObject)

/* The one-shot redirect listener of a browser sign-in (RFC 8252 §7.3):
 * HTTP on 127.0.0.1 with an ephemeral port, path /callback. It accepts
 * exactly one valid callback (GET /callback with the expected `state` and
 * `iss`), answers the browser with a page of ours and stops listening.
 * The answer with the expected `state` but a wrong `iss` or no code ends
 * the wait with an error at once. Anything else (other paths or methods, a
 * wrong state, oversized requests) gets an error page and is otherwise
 * ignored.
 *
 * Returns a new listener that is already listening, or NULL with @error. */
PassportLoopback *passport_loopback_new              (GError **error);

/* The same on the first free port of @first..@last (for providers that
 * register an exact redirect URI); 0, 0 means any free port. All of them
 * busy: PASSPORT_ERROR_FAILED with a message that names the ports. */
PassportLoopback *passport_loopback_new_for_ports    (guint16   first,
                                                      guint16   last,
                                                      GError  **error);

/* "http://127.0.0.1:PORT/callback". Owned by @self. */
const char       *passport_loopback_get_redirect_uri (PassportLoopback *self);

/* The port the listener is bound to. */
guint16           passport_loopback_get_port         (PassportLoopback *self);

/* Waits for the one valid callback. @expected_iss is checked when not NULL
 * (RFC 9207; pass NULL only for servers that do not send `iss`).
 * Only one wait at a time. Cancelling (or disposing @self) stops the
 * listener. */
void              passport_loopback_wait_async       (PassportLoopback    *self,
                                                      const char          *expected_state,
                                                      const char          *expected_iss,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);

/* Returns the authorization code (free with passport_secure_free()), or
 * NULL with @error: PASSPORT_ERROR_ACCESS_DENIED when the user cancelled,
 * PASSPORT_ERROR_INVALID_REQUEST / _SERVER_ERROR for the other `error`
 * values the server may send, PASSPORT_ERROR_ISSUER_MISMATCH when the
 * answer to this sign-in (its `state`) has a missing or wrong `iss`,
 * PASSPORT_ERROR_BAD_RESPONSE when it has neither a code nor an error,
 * G_IO_ERROR_CANCELLED. A callback with another `state` is ignored. */
char             *passport_loopback_wait_finish      (PassportLoopback  *self,
                                                      GAsyncResult      *result,
                                                      GError           **error);

/* Stops listening now (also done after the one valid callback). */
void              passport_loopback_close            (PassportLoopback *self);

G_END_DECLS
