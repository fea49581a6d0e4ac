/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "passport-session.h"
#include "passport-token-endpoint-private.h"

G_BEGIN_DECLS

/* A GAsyncReadyCallback for passport_token_request_async() and
 * passport_token_request_password_async() (whose source object is the
 * server): returns a new session of the answer, or its error, on the GTask
 * passed as @user_data, and drops that reference. The sign-ins chain their
 * own task through it. */
void             passport_session_complete_token_request (GObject      *source,
                                                          GAsyncResult *result,
                                                          gpointer      user_data);

/* A new session of a token answer (passport_token_request_finish()) of
 * @server: for a sign-in that looks at its answers itself (the device
 * flow). The tokens are taken from @response. */
PassportSession *passport_session_new_from_token_response (PassportServer        *server,
                                                           PassportTokenResponse *response);

/* How many refresh requests were sent (for tests of single flight). */
guint            passport_session_get_refresh_count    (PassportSession *self);

/* Shortens the retry backoff (for tests). */
void             passport_session_set_backoff_ms       (PassportSession *self,
                                                        guint            first_delay_ms);

G_END_DECLS
