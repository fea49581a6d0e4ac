/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "passport-server.h"
#include "passport-terms.h"

G_BEGIN_DECLS

/* The HTTP session every request to this server goes through. */
SoupSession    *passport_server_get_session          (PassportServer *self);

/* Cancelled when the server is disposed. */
GCancellable   *passport_server_get_cancellable      (PassportServer *self);

/* The device name a sign-in sends (NULL to a server without the account
 * API, which has no use for it). Owned by @self. */
const char     *passport_server_get_device_name_to_send (PassportServer *self);

/* Whether @url may be used: https, or http to a loopback host. */
gboolean        passport_server_url_is_secure        (const char *url);

/* Builds a server from a discovery document, checked against @base_url
 * (already normalised). No providers yet. Errors as discovery. */
PassportServer *passport_server_new_from_discovery   (const char  *base_url,
                                                      JsonNode    *document,
                                                      GError     **error);

/* Parses a GET /providers answer: a new array of PassportProvider. */
GPtrArray      *passport_server_parse_providers      (JsonNode  *node,
                                                      GError   **error);

/* Parses a GET /terms answer. */
PassportTerms  *passport_server_parse_terms          (JsonNode  *node,
                                                      GError   **error);

G_END_DECLS
