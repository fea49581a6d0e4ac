/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "passport-provider.h"

#include "passport-terms.h"

G_BEGIN_DECLS

/* The OAuth client id of the desktop app (a public, first-party client). */
#define PASSPORT_CLIENT_ID "passport-desktop"

#define PASSPORT_TYPE_SERVER (passport_server_get_type ())
G_DECLARE_FINAL_TYPE (PassportServer, passport_server, PASSPORT, SERVER, GObject)

/* A passport server (or a plain OpenID provider) after discovery.
 * Properties (all read-only): base-url, issuer, authorization-endpoint,
 * token-endpoint, revocation-endpoint (nullable), userinfo-endpoint
 * (nullable), api-endpoint (NULL for a plain OpenID provider: no account
 * management), providers (GListModel of PassportProvider, empty without an
 * api-endpoint).
 *
 * The server owns the HTTP session used by everything that talks to it
 * (sessions, clients): every request has a deadline, answers are capped in
 * size and parsed strictly. Disposing it cancels its requests. */

/* Normalises what a user typed as a server address: adds https:// when no
 * scheme is given, lower-cases scheme and host, drops a default port and a
 * trailing slash. Refuses query, fragment and user info
 * (PASSPORT_ERROR_NOT_A_PASSPORT_SERVER), and plain http:// to anything but
 * a loopback host (PASSPORT_ERROR_INSECURE_URL). Returns a new string. */
char           *passport_server_normalize_url          (const char  *url,
                                                        GError     **error);

/* Reads {base_url}/.well-known/openid-configuration, checks that `issuer`
 * equals the normalised @base_url, and when the document names a
 * passport_api_endpoint, loads the providers list too.
 * Errors: PASSPORT_ERROR_INSECURE_URL, _ISSUER_MISMATCH,
 * _NOT_A_PASSPORT_SERVER, _BAD_RESPONSE and the transport codes. */
void            passport_server_discover_async         (const char          *base_url,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);

/* Returns a new reference, or NULL with @error. */
PassportServer *passport_server_discover_finish        (GAsyncResult  *result,
                                                        GError       **error);

/* Getters: strings are owned by @self. */
const char     *passport_server_get_base_url           (PassportServer *self);
const char     *passport_server_get_issuer             (PassportServer *self);
const char     *passport_server_get_authorization_endpoint (PassportServer *self);
const char     *passport_server_get_token_endpoint     (PassportServer *self);
const char     *passport_server_get_revocation_endpoint (PassportServer *self);
const char     *passport_server_get_userinfo_endpoint  (PassportServer *self);
const char     *passport_server_get_api_endpoint       (PassportServer *self);

/* Whether the server offers the account API (passport_api_endpoint). */
gboolean        passport_server_has_account_api        (PassportServer *self);

/* Whether the server sends `iss` in authorization responses (RFC 9207). */
gboolean        passport_server_get_sends_iss          (PassportServer *self);

/* The providers as a GListModel of PassportProvider, owned by @self. */
GListModel     *passport_server_get_providers          (PassportServer *self);

/* Loads the providers list again (it is loaded by discovery already).
 * Updates the `providers` model in place. */
void            passport_server_reload_providers_async  (PassportServer      *self,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
gboolean        passport_server_reload_providers_finish (PassportServer  *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

/* GET /terms in the user's languages (Accept-Language from the locale).
 * PASSPORT_ERROR_NOT_SUPPORTED without an account API. */
void            passport_server_get_terms_async        (PassportServer      *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);

/* Returns a new reference, or NULL with @error. */
PassportTerms  *passport_server_get_terms_finish       (PassportServer  *self,
                                                        GAsyncResult    *result,
                                                        GError         **error);

/* Fetches @provider's icon (its icon_url): https, or http on a loopback
 * host, an image answer of at most 256 KiB. Fails with NOT_SUPPORTED when
 * the provider has no icon. */
void            passport_server_fetch_icon_async       (PassportServer      *self,
                                                        PassportProvider    *provider,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
/* Returns the image bytes (a new reference), or NULL with @error. */
GBytes         *passport_server_fetch_icon_finish      (PassportServer  *self,
                                                        GAsyncResult    *result,
                                                        GError         **error);

G_END_DECLS
