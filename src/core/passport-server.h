/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "passport-provider.h"

#include "passport-terms.h"

G_BEGIN_DECLS

/* The default OAuth client id of the desktop app (a public, first-party
 * client); a provider that registers its own is set per server, see
 * passport_server_set_client_id(). */
#define PASSPORT_CLIENT_ID "passport-desktop"

#define PASSPORT_TYPE_SERVER (passport_server_get_type ())
G_DECLARE_FINAL_TYPE (PassportServer, passport_server, PASSPORT, SERVER, GObject)

/* A passport server (or a plain OpenID provider) after discovery.
 * Properties (all read-only): base-url, issuer, authorization-endpoint,
 * token-endpoint, revocation-endpoint (nullable), userinfo-endpoint
 * (nullable), api-endpoint (NULL for a plain OpenID provider: no account
 * management), providers (GListModel of PassportProvider, empty without an
 * api-endpoint), features (strv: discovery's passport_features, empty
 * when it has none or no api-endpoint).
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
/* RFC 8628's endpoint (contract 11), or NULL when the server has none. */
const char     *passport_server_get_device_authorization_endpoint (PassportServer *self);
const char     *passport_server_get_userinfo_endpoint  (PassportServer *self);
const char     *passport_server_get_api_endpoint       (PassportServer *self);

/* The name to show for the server, e.g. in "Sign in with %s" on a plain
 * OpenID provider: discovery names no server, so it is the host of the
 * issuer ("accounts.example.com"). Owned by @self. */
const char     *passport_server_get_name               (PassportServer *self);

/* Whether the server offers the account API (passport_api_endpoint). */
gboolean        passport_server_has_account_api        (PassportServer *self);

/* The optional features the server lists in `passport_features`
 * (contract section 1: "password_reset", "otp", …); empty, never NULL,
 * when it lists none. Owned by @self. */
const char * const *passport_server_get_features       (PassportServer *self);
/* Whether @feature is among them: what a server does not list is hidden. */
gboolean        passport_server_has_feature            (PassportServer *self,
                                                        const char     *feature);

/* Whether the server sends `iss` in authorization responses (RFC 9207). */
gboolean        passport_server_get_sends_iss          (PassportServer *self);

/* The scopes a sign-in asks for, from discovery: always "openid profile
 * email"; "offline_access" when `scopes_supported` lists it (a plain
 * provider issues no refresh token without it); "passport" only with a
 * passport_api_endpoint. Owned by @self. */
const char     *passport_server_get_scope              (PassportServer *self);

/* Whether the scope asks for offline_access (which needs prompt=consent,
 * OpenID Connect Core §11). */
gboolean        passport_server_get_asks_offline_access (PassportServer *self);

/* The OAuth client id used with this server: $PASSPORT_CLIENT_ID when set,
 * else PASSPORT_CLIENT_ID, until set otherwise (property "client-id",
 * read-write). A session keeps the client id it signed in with. */
const char     *passport_server_get_client_id          (PassportServer *self);
void            passport_server_set_client_id          (PassportServer *self,
                                                        const char     *client_id);

/* The name of this device sent with every sign-in (contract section 3,
 * `device_name`), which the server shows in its list of sessions:
 * $PASSPORT_DEVICE_NAME when set, else passport_device_name_default(),
 * until set otherwise; NULL or "" restores that. Only a passport server (one
 * with the account API) is sent it. */
const char     *passport_server_get_device_name        (PassportServer *self);
void            passport_server_set_device_name        (PassportServer *self,
                                                        const char     *device_name);
/* "host (system)", e.g. "ivan-laptop (Debian GNU/Linux 12 (bookworm))", or
 * the host name alone when the system does not say its name. A new
 * string. */
char           *passport_device_name_default           (void);

/* The loopback ports a browser sign-in may listen on: 0-0 means any free
 * port (RFC 8252 §7.3, the default); otherwise @first..@last, for providers
 * that register an exact redirect URI, the first free one taken. The
 * default comes from $PASSPORT_REDIRECT_PORT ("8065" or "8065-8070"). */
void            passport_server_set_redirect_ports     (PassportServer *self,
                                                        guint16         first,
                                                        guint16         last);
void            passport_server_get_redirect_ports     (PassportServer *self,
                                                        guint16        *first,
                                                        guint16        *last);

/* Parses "PORT" or "FIRST-LAST" (1-65535, FIRST <= LAST, at most 100
 * ports). FALSE with PASSPORT_ERROR_FAILED and a translated message when
 * @text is not such a port or range. */
gboolean        passport_redirect_ports_parse          (const char  *text,
                                                        guint16     *first,
                                                        guint16     *last,
                                                        GError     **error);

/* Per-server settings kept by the app (GSettings keys "client-ids" and
 * "redirect-ports", both a{ss} from a server's base URL to a client id, or
 * to a port or range): applies the entries for this server, when there are
 * any. An unusable port entry is ignored (with a debug message). Either dictionary
 * may be NULL. */
void            passport_server_apply_settings         (PassportServer *self,
                                                        GVariant       *client_ids,
                                                        GVariant       *redirect_ports);

/* The providers as a GListModel of PassportProvider, owned by @self. */
GListModel     *passport_server_get_providers          (PassportServer *self);

/* The provider whose id is @id, or NULL when the server offers none such.
 * Owned by @self. */
PassportProvider *passport_server_find_provider        (PassportServer *self,
                                                        const char     *id);

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

/* POST /password/reset (public, contract section 7): asks the server to
 * mail a reset link to @email if an account has it bound. The answer
 * (202) is the same whether or not one has; nothing follows it to wait
 * for. Errors: NOT_SUPPORTED (the server does not list password_reset;
 * nothing is sent), INVALID_EMAIL, TOO_MANY_REQUESTS (with retry_after),
 * INVALID_REQUEST and the transport codes. */
void            passport_server_request_password_reset_async  (PassportServer      *self,
                                                               const char          *email,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
gboolean        passport_server_request_password_reset_finish (PassportServer  *self,
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
