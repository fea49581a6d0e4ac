/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Every request has a deadline; a long poll gets its wait on top. */
#define PASSPORT_HTTP_TIMEOUT_SECONDS 30
#define PASSPORT_HTTP_LONG_POLL_EXTRA_SECONDS 15
/* No answer of the contract comes near this; a bigger one is refused. */
#define PASSPORT_HTTP_MAX_BODY (1024 * 1024)

/* PASSPORT_HTTP_TIMEOUT_SECONDS, or $PASSPORT_HTTP_TIMEOUT (1–3600). */
guint        passport_http_default_timeout    (void);

/* Makes ready, on the calling thread, the types that a first HTTP session
 * and a first D-Bus connection both need. Called before the first thread
 * that may connect starts (the credential stores: see passport-http.c). */
void         passport_http_ensure_types       (void);

/* The session a PassportServer owns: no redirect to other schemes, no
 * certificate exceptions, Accept-Language from the locale. */
SoupSession *passport_http_session_new        (void);

/* "ru-RU, ru;q=0.9, en;q=0.8" from g_get_language_names(); NULL for the
 * C locale. Newly allocated. */
char        *passport_http_accept_language    (void);

/* A POST with an application/x-www-form-urlencoded body from NULL-ended
 * name/value pairs (a NULL value skips the pair). The body buffer is wiped
 * when the message drops it, since it may hold a password or token.
 * NULL with PASSPORT_ERROR_BAD_RESPONSE when @url is not a valid URL. */
SoupMessage *passport_http_new_form_post      (const char  *url,
                                               GError     **error,
                                               const char  *first_name,
                                               ...) G_GNUC_NULL_TERMINATED;

/* A request accepting JSON, with @body (JSON text, may be NULL) as an
 * application/json body. Make @body with passport_http_wiping_bytes_new()
 * when it holds a secret. */
SoupMessage *passport_http_new_json_request   (const char  *method,
                                               const char  *url,
                                               GBytes      *body,
                                               GError     **error);

/* Takes @string; the bytes are wiped when freed. */
GBytes      *passport_http_wiping_bytes_new   (GString *string);

/* Appends @value as a JSON string literal (for bodies built by hand, so no
 * un-wiped copy of a password stays in a parser's tree). */
void         passport_http_append_json_string (GString    *out,
                                               const char *value);

/* Sends @msg, reads at most PASSPORT_HTTP_MAX_BODY and parses it.
 * @timeout_seconds: the whole exchange's deadline (0 = the default).
 * @owner_cancellable (nullable): cancelled when the object that started
 * the request goes away; @cancellable is the caller's. */
void         passport_http_send_async         (SoupSession         *session,
                                               SoupMessage         *msg,
                                               guint                timeout_seconds,
                                               GCancellable        *owner_cancellable,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);

/* TRUE for a 2xx answer, with *@json the parsed object (NULL for an empty
 * body, e.g. 204); pass @json NULL when the body does not matter (then a
 * body that is not JSON is no error). FALSE with @error: the API error of a non-2xx answer,
 * a transport error (mapped), or BAD_RESPONSE. *@status is set either way
 * (0 when no answer came). */
gboolean     passport_http_send_finish        (GAsyncResult  *result,
                                               guint         *status,
                                               JsonNode     **json,
                                               GError       **error);

/* The PASSPORT_ERROR for a non-2xx answer: the body's `error` mapped to its
 * code (else the status: 401 invalid token, 429 too many requests, 5xx
 * server error), with retry_after (body or Retry-After), reasons,
 * min_length and version attached. @headers and @body may be NULL. */
GError      *passport_http_error_from_response (guint               status,
                                                SoupMessageHeaders *headers,
                                                JsonNode           *body);

/* GIO, TLS, resolver and libsoup errors → OFFLINE, UNREACHABLE, TLS,
 * TIMEOUT, BAD_RESPONSE. G_IO_ERROR_CANCELLED is returned as a copy. */
GError      *passport_http_map_transport_error (const GError *error);

G_END_DECLS
