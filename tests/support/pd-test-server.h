// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------ */
/* passportd as a child process                                        */
/* ------------------------------------------------------------------ */

typedef struct
{
  GSubprocess *process;
  char *dir;       /* temporary directory, removed by pd_server_free() */
  char *database;  /* DIR/db.sqlite3 */
  char *maildir;   /* DIR/Maildir */
  char *url;       /* the bound base URL, from the first stdout line */
  char *issuer;    /* --public-url when given, else url */
  guint port;
  gint64 clock_offset; /* seconds its clock runs ahead (pd_server_advance_clock) */
} PdServer;

/* Starts $PASSPORTD on 127.0.0.1 and an ephemeral port with a fresh
 * database and Maildir in a new temporary directory and the test clock
 * (--test-clock), plus the given NULL-terminated extra arguments. Fails the
 * test when no URL arrives within 10 seconds. pd_server_start (NULL) adds
 * nothing. */
PdServer   *pd_server_start           (const char *first_arg,
                                       ...);
/* The same with the extra arguments as a NULL-terminated array. */
PdServer   *pd_server_startv          (const char * const *args);
/* SIGTERM, wait, and assert a clean exit (status 0). Idempotent. */
void        pd_server_stop            (PdServer   *server);
/* A new passportd on the address and with the database of @stopped (after
 * pd_server_stop()): the same server come back, its URL asserted equal, its
 * clock as far ahead as the stopped one's. */
PdServer   *pd_server_restart         (PdServer   *stopped);
/* The same with one more argument (such as "--features=-otp"; NULL for
 * none): the same database under another configuration. */
PdServer   *pd_server_restart_with    (PdServer   *stopped,
                                       const char *extra_arg);
/* Stops the server if needed and removes its directory. */
void        pd_server_free            (PdServer   *server);
/* Moves the server's clock @seconds forward (POST /_test/clock): every
 * lifetime of the contract (codes, links, resend delay, throttling windows,
 * access tokens) passes at once. A long poll's wait is real time. */
void        pd_server_advance_clock   (PdServer   *server,
                                       gint64      seconds);
/* Runs the server's pruning now, to the end (POST /_test/prune), as its
 * timer would. Returns the rows deleted by table (owned). */
JsonObject *pd_server_prune           (PdServer   *server);
/* A count of pd_server_prune()'s answer, 0 when absent. */
gint64      pd_prune_count            (JsonObject *counts,
                                       const char *table);
/* base URL + path (path starting with '/'); an absolute URL is copied. */
char       *pd_server_url             (PdServer   *server,
                                       const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdServer, pd_server_free)

/* ------------------------------------------------------------------ */
/* Responses                                                           */
/* ------------------------------------------------------------------ */

typedef struct
{
  guint status;
  SoupMessageHeaders *headers;  /* response headers */
  GBytes *body;
  char *text;                   /* body as a NUL-terminated string */
  JsonNode *json;               /* parsed body, or NULL when not JSON */
} PdResponse;

void        pd_response_free          (PdResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdResponse, pd_response_free)

/* The body's top-level object; fails the test when the body is not one. */
JsonObject *pd_response_object        (PdResponse *response);
/* A string member of the top-level object, NULL when absent or null. */
const char *pd_response_string        (PdResponse *response,
                                       const char *member);
/* Asserts the status and, when error is not NULL, that the body is an error
 * object with that `error` and a string `error_description`. */
#define pd_assert_response(r, st, err) \
  pd_assert_response_impl ((r), (st), (err), __FILE__, __LINE__)
void        pd_assert_response_impl   (PdResponse *response,
                                       guint       status,
                                       const char *error,
                                       const char *file,
                                       int         line);
/* A header of the response, or NULL. */
const char *pd_response_header        (PdResponse *response,
                                       const char *name);

/* ------------------------------------------------------------------ */
/* A scripted HTTP client (sync; one per thread)                        */
/* ------------------------------------------------------------------ */

typedef struct
{
  PdServer *server;           /* not owned */
  SoupSession *session;
  SoupCookieJar *jar;
  char *accept_language;      /* sent when not NULL */
} PdClient;

PdClient   *pd_client_new             (PdServer   *server);
void        pd_client_free            (PdClient   *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdClient, pd_client_free)
void        pd_client_set_language    (PdClient   *client,
                                       const char *accept_language);

/* The general request: path relative to the server URL (or an absolute
 * URL), optional bearer token, optional body with its content type, optional
 * extra request headers (NULL-terminated name/value pairs array). Never
 * follows redirects. */
PdResponse *pd_client_send            (PdClient   *client,
                                       const char *method,
                                       const char *path,
                                       const char *bearer,
                                       const char *content_type,
                                       GBytes     *body,
                                       const char * const *extra_headers);
PdResponse *pd_client_get             (PdClient   *client,
                                       const char *path,
                                       const char *bearer);
PdResponse *pd_client_delete          (PdClient   *client,
                                       const char *path,
                                       const char *bearer);
/* Form fields as NULL-terminated name/value pairs; a NULL value cannot be
 * passed (the list ends at the first NULL name). */
PdResponse *pd_client_post_form       (PdClient   *client,
                                       const char *path,
                                       const char *bearer,
                                       const char *first_field,
                                       ...) G_GNUC_NULL_TERMINATED;
PdResponse *pd_client_post_formv      (PdClient   *client,
                                       const char *path,
                                       const char *bearer,
                                       GHashTable *fields);
PdResponse *pd_client_post_json       (PdClient   *client,
                                       const char *path,
                                       const char *bearer,
                                       const char *json);
PdResponse *pd_client_put_json        (PdClient   *client,
                                       const char *path,
                                       const char *bearer,
                                       const char *json);

/* ------------------------------------------------------------------ */
/* Browser sign-in (authorize → stand-in page → POST /oauth/social)    */
/* ------------------------------------------------------------------ */

#define PD_CLIENT_ID "passport-desktop"

typedef struct
{
  char *client_id;
  char *redirect_uri;
  char *state;
  char *nonce;
  char *verifier;
  char *challenge;
} PdAuthRequest;

/* A fresh request for passport-desktop, http://127.0.0.1:PORT/callback
 * (random port), random state, nonce and PKCE verifier (S256). */
PdAuthRequest *pd_auth_request_new    (void);
void        pd_auth_request_free      (PdAuthRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdAuthRequest, pd_auth_request_free)
/* The authorization URL for it, with provider when not NULL. */
char       *pd_auth_request_url       (PdServer      *server,
                                       PdAuthRequest *request,
                                       const char    *provider);
/* base64url (no padding) of SHA-256 of verifier. */
char       *pd_pkce_challenge         (const char    *verifier);

/* The stand-in social page as the browser sees it. */
typedef struct
{
  PdResponse *response;
  char *flow;
  char *csrf;
} PdSocialPage;

void        pd_social_page_free       (PdSocialPage  *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdSocialPage, pd_social_page_free)
/* GET url; asserts 200 HTML with the hidden flow and csrf inputs. */
PdSocialPage *pd_browser_open         (PdClient      *client,
                                       const char    *url);
/* POST /oauth/social from that page. action is "continue" or "cancel".
 * csrf NULL means the page's. */
PdResponse *pd_browser_submit         (PdClient      *client,
                                       PdSocialPage  *page,
                                       const char    *csrf,
                                       const char    *email,
                                       const char    *name,
                                       gboolean       verified,
                                       const char    *action);
/* The value of a query parameter of the Location header of a 302, or NULL. */
char       *pd_location_param         (PdResponse    *response,
                                       const char    *name);
/* The Location header without its query. */
char       *pd_location_base          (PdResponse    *response);
/* Value of a query parameter of a URL. */
char       *pd_url_param              (const char    *url,
                                       const char    *name);

/* The whole browser sign-in for passport-desktop; asserts success and
 * that state and iss come back right. Returns the code; the request (for
 * redirect_uri, verifier, nonce) through out_request when not NULL. */
char       *pd_browser_social_sign_in (PdServer       *server,
                                       const char     *provider,
                                       const char     *email,
                                       const char     *name,
                                       gboolean        verified,
                                       PdAuthRequest **out_request);

/* ------------------------------------------------------------------ */
/* Token endpoint                                                      */
/* ------------------------------------------------------------------ */

PdResponse *pd_token_code             (PdClient      *client,
                                       const char    *code,
                                       const char    *redirect_uri,
                                       const char    *verifier);
PdResponse *pd_token_refresh          (PdClient      *client,
                                       const char    *refresh_token);
PdResponse *pd_token_password         (PdClient      *client,
                                       const char    *username,
                                       const char    *password);
/* Browser sign-in + code redemption; asserts 200 and returns the token
 * response object (owned by the caller). */
JsonObject *pd_social_tokens          (PdServer      *server,
                                       const char    *provider,
                                       const char    *email,
                                       const char    *name,
                                       gboolean       verified);

/* ------------------------------------------------------------------ */
/* Account set-up                                                      */
/* ------------------------------------------------------------------ */

/* The current terms version (GET /api/v1/terms). */
char       *pd_terms_version          (PdClient      *client);
/* POST /me/terms with the current version; asserts 200. */
void        pd_accept_terms           (PdClient      *client,
                                       const char    *access_token);
/* GET /api/v1/me; asserts 200 and returns the response. */
PdResponse *pd_get_me                 (PdClient      *client,
                                       const char    *access_token);
/* An account with a bound, confirmed e-mail and a password: social sign-in
 * (verified) on provider, terms, POST /me/email → 200. Returns the tokens. */
JsonObject *pd_account_with_password  (PdServer      *server,
                                       const char    *provider,
                                       const char    *email,
                                       const char    *name,
                                       const char    *password);
/* GET the confirmation link of the newest mail to address; asserts that
 * the mail exists. Returns the page response. */
PdResponse *pd_confirm_newest         (PdClient      *client,
                                       const char    *address);

/* ------------------------------------------------------------------ */
/* Maildir                                                             */
/* ------------------------------------------------------------------ */

/* File names in MAILDIR/new, oldest first (by mtime, then name). */
GPtrArray  *pd_maildir_list           (PdServer      *server);
/* Number of files in MAILDIR/new. */
guint       pd_maildir_count          (PdServer      *server);
/* The contents of the newest mail To: address (case-insensitive), or NULL. */
char       *pd_maildir_newest_to      (PdServer      *server,
                                       const char    *address);
/* A header's value (unfolded), or NULL. */
char       *pd_mail_header            (const char    *mail,
                                       const char    *name);
/* The confirmation link (the line holding /api/v1/email/confirm?token=). */
char       *pd_mail_link              (const char    *mail);
/* Body (after the first empty line). */
char       *pd_mail_body              (const char    *mail);

/* ------------------------------------------------------------------ */
/* Small things                                                        */
/* ------------------------------------------------------------------ */

/* Decodes base64url without padding; NULL on error. */
guchar     *pd_base64url_decode       (const char    *text,
                                       gsize         *out_len);
char       *pd_base64url_encode       (const guchar  *data,
                                       gsize          len);
/* The payload of a JWT as a JSON object (owned), asserting the shape. */
JsonObject *pd_jwt_payload            (const char    *jwt);
/* A JSON object text of string members: name, value, ..., NULL. */
char       *pd_json_strings           (const char    *first_member,
                                       ...) G_GNUC_NULL_TERMINATED;
/* A random alphanumeric string. */
char       *pd_random_string          (guint          len);
/* Undoes passportd's HTML escaping (&amp; &quot; &#39; &lt; &gt;). */
char       *pd_html_unescape          (const char    *text);
/* The value of the <input> whose @attr is @value_of_attr (name="csrf",
 * id="user_code") in a page, unescaped; NULL when there is none. */
char       *pd_html_input_value       (const char    *html,
                                       const char    *attr,
                                       const char    *value_of_attr);
/* A unique e-mail address such as "who-3f9a@example.com". */
char       *pd_unique_email           (const char    *who);

/* ------------------------------------------------------------------ */
/* Two-step sign-in codes (contract 8.1), computed apart from passportd */
/* ------------------------------------------------------------------ */

/* RFC 4648 base32 without padding; fails the test on a bad character. */
GBytes     *pd_base32_decode          (const char *text);
/* RFC 6238 with HMAC-SHA-1, 6 digits, for the 30 s step @step. */
char       *pd_totp_code              (const char *secret_b32,
                                       gint64      step);
/* The server's time now (its test clock), Unix seconds. */
gint64      pd_server_now             (PdClient   *client);
/* Moves the server's clock to 1 s past the start of its next step and
 * returns that step: the test then has about 28 s of real time in it. */
gint64      pd_server_align_step      (PdServer   *server,
                                       PdClient   *client);
/* Turns two-step sign-in on for the account of @access_token through the
 * server's API, as another device would: set-up with @password as the
 * proof, confirmed with the code of the server's next step. Returns the
 * base32 secret; the 10 recovery codes through @out_recovery when given. */
char       *pd_enable_otp             (PdServer   *server,
                                       const char *access_token,
                                       const char *password,
                                       GStrv      *out_recovery);

/* ------------------------------------------------------------------ */
/* Device authorization (contract 11): the other device's browser      */
/* ------------------------------------------------------------------ */

/* Plays the user on another device: opens /device, types @user_code,
 * signs in with @email and @password, then presses Approve (or Deny).
 * Blocking (run it where nothing else needs the main loop). Returns the
 * last page's status (200 when it went through). */
guint       pd_device_decide          (PdServer   *server,
                                       const char *user_code,
                                       const char *email,
                                       const char *password,
                                       gboolean    approve);

G_END_DECLS
