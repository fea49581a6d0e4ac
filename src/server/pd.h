// SPDX-License-Identifier: GPL-3.0-or-later
//
// passportd: the reference passport server. One process, one GMainLoop,
// one SQLite connection on the main thread; only password hashing runs in
// worker threads. Shared state lives in Pd.
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define PD_BODY_LIMIT (64 * 1024)
#define PD_TERMS_VERSION "2025-01"
#define PD_CODE_TTL 60
#define PD_AUTH_REQUEST_TTL 600
#define PD_REFRESH_TTL (60 * 24 * 3600)
#define PD_LONG_POLL_MAX 60
#define PD_MIN_PASSWORD 8
#define PD_MAX_PASSWORD 128
#define PD_STATUS_TOO_MANY_REQUESTS 429 /* RFC 6585; libsoup 3.2 has no name for it */
#define PD_MAX_CONNECTIONS 1024        /* --max-connections */
#define PD_MAX_WAITERS_PER_ACCOUNT 32  /* --max-waiters-per-account */
#define PD_IDLE_TIMEOUT 5              /* --idle-timeout, seconds */
#define PD_WAITERS_RETRY_AFTER 10      /* Retry-After of a long poll refused for the cap */
#define PD_RESET_TTL 3600              /* a password reset link lives an hour */
#define PD_RESET_KEEP 86400            /* and answers 410, not 404, a day longer */
#define PD_RESET_ADDRESS_WINDOW 60     /* one reset request per address per minute */
#define PD_RESET_IP_WINDOW 3600        /* PD_RESET_IP_MAX per client IP per hour */
#define PD_RESET_IP_MAX 10
#define PD_SECRET_KEY_LEN 32           /* the server key that seals TOTP secrets */
#define PD_OTP_SETUP_TTL 600           /* an unconfirmed two-step set-up lapses */
#define PD_MFA_TOKEN_TTL 300           /* an mfa_token lives 5 minutes */
#define PD_PROOF_MAX_AGE 300           /* a sign-in this fresh is a proof without a password */
#define PD_GRANT_OTP "urn:passport:params:oauth:grant-type:otp"
#define PD_APP_PASSWORDS_MAX 20        /* app passwords an account may have */
#define PD_APP_PASSWORD_LEN 16         /* lower-case letters of one */
#define PD_APP_PASSWORD_NAME_MAX 64    /* characters of its name */
#define PD_SESSION_DEVICE_NAME_MAX 64  /* characters of a session's device_name (section 3) */
#define PD_GRANT_DEVICE "urn:ietf:params:oauth:grant-type:device_code"
#define PD_DEVICE_TTL 600              /* a device authorization request lives 10 minutes */
#define PD_DEVICE_KEEP 3600            /* and answers expired_token an hour longer */
#define PD_DEVICE_INTERVAL 5           /* seconds between polls, at first */
#define PD_DEVICE_SLOW_DOWN 5          /* added to the interval by each slow_down (RFC 8628 §3.5) */
#define PD_DEVICE_IP_MAX 10            /* requests per client IP */
#define PD_DEVICE_IP_WINDOW 60         /* per minute */
#define PD_DEVICE_WRONG_CODES_MAX 5    /* wrong user codes per client IP on /device */
#define PD_DEVICE_WRONG_CODES_WINDOW 600 /* in 10 minutes */
#define PD_USER_CODE_LEN 8             /* letters of a user code, without its dash */
#define PD_RATE_KEEP 3600              /* rate_events are kept as long as the longest window */
#define PD_LINK_TTL 600                /* an identity link ticket works 10 minutes */
#define PD_LINK_KEEP 86400             /* and a replaced one answers 410, not 404, a day longer */

typedef struct
{
  char *id;
  char *name;
  gboolean verified_default; /* the stand-in page's checkbox starts checked */
} PdProvider;

typedef struct
{
  /* configuration */
  char *public_url;          /* no trailing slash; the issuer */
  char *maildir;
  char *smtp;                /* HOST:PORT or NULL */
  gboolean dev_outbox;
  GPtrArray *providers;      /* PdProvider* */
  gint64 access_token_ttl;
  gint64 resend_delay;
  gint64 confirm_ttl;
  guint max_failed_passwords;
  gint64 failed_password_window;
  guint max_connections;
  guint max_waiters_per_account;
  guint idle_timeout;        /* seconds a connection may sit without a request */
  gboolean test_clock;       /* POST /_test/clock moves pd_now() */
  guint features;            /* PdFeature bits offered (--features) */

  /* state */
  sqlite3 *db;
  guint db_savepoints;       /* pd_db_begin() inside the request's transaction */
  guint prune_timer_id;
  guint prune_idle_id;
  void *signing_key;         /* EVP_PKEY* */
  char *signing_kid;
  char *jwks;                /* the JWKS document */
  char *dummy_hash;          /* verified against when a user is unknown */
  guchar secret_key[PD_SECRET_KEY_LEN]; /* seals TOTP secrets; --secret-key-file */
  GHashTable *waiters;       /* account id → GList* of PdWaiter*, long polls */
  SoupServer *server;
  guint port;                /* the bound port */
  struct _PdLimits *limits;  /* connections and their timer, pd-limits.c */
  guint64 mail_counter;
} Pd;

/* pd-features.c -------------------------------------------------------- */

/* The optional features of the contract (sections 7–12) this server
 * implements; each can be turned off with --features. */
typedef enum
{
  PD_FEATURE_PASSWORD_RESET = 1 << 0,
  PD_FEATURE_OTP = 1 << 1,
  PD_FEATURE_APP_PASSWORDS = 1 << 2,
  PD_FEATURE_SESSIONS = 1 << 3,
  PD_FEATURE_IDENTITIES = 1 << 4,
  PD_FEATURE_DEVICE = 1 << 5,         /* the bit of its place in the contract's list */
  PD_FEATURE_DELETE_ACCOUNT = 1 << 6,
} PdFeature;

#define PD_FEATURES_ALL (PD_FEATURE_PASSWORD_RESET | PD_FEATURE_OTP | PD_FEATURE_APP_PASSWORDS | \
                         PD_FEATURE_SESSIONS | PD_FEATURE_IDENTITIES | PD_FEATURE_DEVICE | \
                         PD_FEATURE_DELETE_ACCOUNT)

/* --features: a comma-separated list; "name" items give exactly the
 * features listed, "-name" turns one off from all the others, "" none.
 * The contract's names this server lacks are accepted (nothing offered). */
gboolean pd_features_parse (const char *spec, guint *features, GError **error);
/* passport_features of discovery: the names of the features offered. */
JsonArray *pd_features_json (Pd *pd);
#define pd_feature_on(pd, feature) (((pd)->features & (feature)) != 0)

/* pd-db.c ------------------------------------------------------------- */

gboolean      pd_db_open          (Pd *pd, const char *path, GError **error);
void          pd_db_close         (Pd *pd);
/* Prepares @sql and binds the variadic arguments by @sig: 's' const char*
 * (NULL binds NULL), 'i' gint64. Aborts on a malformed statement (a bug).
 * The statement is compiled once and kept: give it back with
 * pd_db_release() (g_autoptr(sqlite3_stmt) does), never sqlite3_finalize(). */
sqlite3_stmt *pd_db_prepare       (Pd *pd, const char *sql, const char *sig, ...);
/* Resets a statement of pd_db_prepare() for its next use. */
void          pd_db_release       (sqlite3_stmt *stmt);
/* Runs a statement with no result rows. Returns the SQLite result code
 * (SQLITE_DONE on success, SQLITE_CONSTRAINT on a unique violation). */
int           pd_db_exec          (Pd *pd, const char *sql, const char *sig, ...);
gboolean      pd_db_begin         (Pd *pd);
void          pd_db_commit        (Pd *pd);
void          pd_db_rollback      (Pd *pd);
/* Around a request's handler: one transaction for all it reads and writes. */
void          pd_db_request_begin (Pd *pd);
void          pd_db_request_end   (Pd *pd);
/* Deletes what nothing can use any more (expired codes and flows, retired
 * token families, spent links past their lifetime), at most @batch rows a
 * kind; adds the counts by table to @counts (may be NULL). Returns the total. */
guint         pd_db_prune         (Pd *pd, guint batch, JsonObject *counts);
/* Prunes now and then every minute, in batches from an idle source. */
void          pd_db_prune_start   (Pd *pd);
void          pd_db_prune_stop    (Pd *pd);
char         *pd_db_get_meta      (Pd *pd, const char *key);
void          pd_db_set_meta      (Pd *pd, const char *key, const char *value);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, pd_db_release)

/* Copies column @col as a newly allocated string, or NULL. */
char         *pd_db_column_text   (sqlite3_stmt *stmt, int col);

/* pd-crypto.c ---------------------------------------------------------- */

/* @n_bytes from the CSPRNG, base64url without padding. */
char     *pd_random_token    (gsize n_bytes);
/* Lower-case hex SHA-256 of @data. */
char     *pd_sha256_hex      (const char *data);
/* base64url of the SHA-256 of @data (PKCE S256). */
char     *pd_sha256_b64url   (const char *data);
char     *pd_base64url       (const guchar *data, gsize len);
gboolean  pd_constant_equal  (const char *a, const char *b);
/* @n lower-case letters from the CSPRNG, each equally likely. */
char     *pd_random_letters  (guint n);
/* argon2id with the OWASP parameters; blocking: call from a worker thread. */
char     *pd_password_hash   (const char *password);
gboolean  pd_password_verify (const char *encoded, const char *password);
gboolean  pd_keys_load       (Pd *pd, GError **error);
/* A signed RS256 JWT of @claims. */
char     *pd_jwt_sign        (Pd *pd, JsonObject *claims);
void      pd_keys_free       (Pd *pd);

/* pd-http.c ------------------------------------------------------------ */

typedef enum { PD_LANG_EN, PD_LANG_RU } PdLang;

PdLang      pd_request_lang        (SoupServerMessage *msg);
const char *pd_lang_code           (PdLang lang);
void        pd_respond_json        (SoupServerMessage *msg, guint status, JsonNode *node);
/* @node as JSON text, to answer several requests with (pd_respond_json_bytes). */
GBytes     *pd_json_bytes          (JsonNode *node);
void        pd_respond_json_bytes  (SoupServerMessage *msg, guint status, GBytes *body);
void        pd_respond_object      (SoupServerMessage *msg, guint status, JsonObject *object);
/* An error body of the contract; @extra (may be NULL) adds fields. */
void        pd_respond_error       (SoupServerMessage *msg, guint status, const char *error,
                                    const char *description, JsonObject *extra);
void        pd_respond_html        (SoupServerMessage *msg, guint status, const char *html);
/* The same for a page with a form whose POST redirects to @redirect_uri. */
void        pd_respond_html_form   (SoupServerMessage *msg, guint status, const char *html,
                                    const char *redirect_uri);
void        pd_respond_redirect    (SoupServerMessage *msg, const char *location);
void        pd_respond_too_many    (SoupServerMessage *msg, gint64 retry_after, gboolean in_body);
/* The request body as a JSON object: checks the size, UTF-8, strict nesting
 * and that the root is an object. On failure answers 400 and returns NULL. */
JsonObject *pd_request_json        (SoupServerMessage *msg);
/* Only the members in @allowed (NULL-terminated); else answers 400. */
gboolean    pd_json_only_members   (SoupServerMessage *msg, JsonObject *object, const char * const *allowed);
/* A string member or NULL; answers 400 when present with another type. */
gboolean    pd_json_get_string     (SoupServerMessage *msg, JsonObject *object, const char *member,
                                    gboolean required, const char **out);
GHashTable *pd_request_form        (SoupServerMessage *msg);
GString    *pd_html_escape         (GString *out, const char *text);
char       *pd_html_page           (PdLang lang, const char *title, const char *body_html);
char       *pd_rfc3339             (gint64 unix_seconds);
/* The server's clock in Unix seconds: every lifetime of the contract is
 * measured with it. The real time, plus what --test-clock added. */
gint64      pd_now                 (void);
/* Moves pd_now() forward by @seconds; returns the total offset. Tests only. */
gint64      pd_clock_advance       (gint64 seconds);
/* Stops pd_now() at its present value; only pd_clock_advance() moves it
 * from then on. Tests only; there is no thawing. */
void        pd_clock_freeze        (void);
const char *pd_bearer_token        (SoupServerMessage *msg);
char       *pd_cookie              (SoupServerMessage *msg, const char *name);

/* pd-otp.c ------------------------------------------------------------- */

#define PD_OTP_SECRET_LEN 20     /* bytes of a TOTP secret (section 8.1) */
#define PD_OTP_DIGITS 6
#define PD_OTP_PERIOD 30         /* seconds a TOTP step lasts */
#define PD_OTP_WINDOW 1          /* steps accepted on each side of the current one */
#define PD_RECOVERY_CODES 10     /* codes in a set */
#define PD_RECOVERY_CODE_LEN 12  /* letters of a code, without its dashes */

/* RFC 4226 HOTP of @counter with @digits digits (HMAC-SHA-1). */
guint32  pd_hotp                    (const guchar *secret, gsize secret_len,
                                     guint64 counter, guint digits);
/* The 6-digit TOTP code of @step, zero-padded; free it. */
char    *pd_totp_code               (const guchar *secret, gsize secret_len, gint64 step);
/* The TOTP step (30 s since the epoch) of a time in Unix seconds. */
gint64   pd_totp_step               (gint64 unix_seconds);
/* The step @otp is valid for at @now (the current one ±1) and later than
 * @last_step (the last one accepted; -1 for none), else -1. */
gint64   pd_totp_check              (const guchar *secret, gsize secret_len,
                                     const char *otp, gint64 now, gint64 last_step);
/* RFC 4648 base32 without padding. */
char    *pd_base32                  (const guchar *data, gsize len);
/* A new recovery code, shown as XXXX-XXXX-XXXX. */
char    *pd_recovery_code_new       (void);
/* The 12 upper-case letters of a typed code (case, '-' and spaces
 * ignored), or NULL when it cannot be one. Hash this form. */
char    *pd_recovery_code_normalize (const char *input);
/* Reads the server key at @path, creating it (0600, random) when there is
 * none; @path NULL gives a key for this run only (:memory:). */
gboolean pd_secret_key_load         (const char *path, guchar key[PD_SECRET_KEY_LEN],
                                     GError **error);
/* AES-256-GCM of @plain under @key with @context (the account id) as the
 * associated data: "v1." + base64url(nonce, ciphertext, tag). */
char    *pd_secret_seal             (const guchar key[PD_SECRET_KEY_LEN], const char *context,
                                     const guchar *plain, gsize plain_len);
/* The plain text of pd_secret_seal(), or NULL when @sealed was not made
 * with this key and context (or was changed). */
GBytes  *pd_secret_open             (const guchar key[PD_SECRET_KEY_LEN], const char *context,
                                     const char *sealed);

/* pd-rules.c ----------------------------------------------------------- */

/* Validation of the contract's rules. */
gboolean pd_email_valid (const char *email);
/* NULL when the password is acceptable, else the reasons (NULL-terminated). */
GStrv    pd_password_weak_reasons (const char *password, const char *email, const char *name);

/* pd-throttle.c -------------------------------------------------------- */

/* Failed-password throttling: seconds to wait (0 = go on). */
gint64 pd_throttle_check  (Pd *pd, const char *key);
void   pd_throttle_fail   (Pd *pd, const char *key);
void   pd_throttle_clear  (Pd *pd, const char *key);
/* Request limits (not passwords), kept in rate_events: seconds until @key
 * may go on (0 = now) when @max events of it fall in the last @window
 * seconds (@window at most PD_RATE_KEEP); pd_rate_count() adds one. */
gint64 pd_rate_wait       (Pd *pd, const char *key, guint max, gint64 window);
void   pd_rate_count      (Pd *pd, const char *key);

/* pd-account.c --------------------------------------------------------- */

/* One row of accounts with its pending address (pending_emails), if any. */
typedef struct
{
  char *id;
  char *display_name;
  char *email;
  char *password_hash;
  char *terms_version;
  char *language;
  gint64 revision;
  /* pending_emails */
  char *pending;
  gboolean pending_has_password;
  gint64 sent_at, resend_after, expires_at;
} PdAccount;

/* The account @id, or NULL when there is none. Free with pd_account_free. */
PdAccount  *pd_account_load    (Pd *pd, const char *id);
void        pd_account_free    (PdAccount *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PdAccount, pd_account_free)
/* GET /me as JSON, or NULL when there is no such account. */
JsonObject *pd_account_json    (Pd *pd, const char *account_id);
/* The same for an account already loaded. */
JsonObject *pd_account_to_json (Pd *pd, PdAccount *a);
/* Answers @status with GET /me's body, or 401 when the account is gone. */
void        pd_respond_account (Pd *pd, SoupServerMessage *msg, guint status, const char *account_id);

/* pd-auth.c ------------------------------------------------------------ */

/* The account id of a valid access token in the Authorization header, or
 * NULL after answering 401. @family (may be NULL) gets its token family. */
char      *pd_authenticate        (Pd *pd, SoupServerMessage *msg, char **family);
/* The account of the token, or NULL after answering 401 (it was deleted). */
PdAccount *pd_account_load_or_401 (Pd *pd, SoupServerMessage *msg, const char *account_id);

/* pd-providers.c ------------------------------------------------------- */

/* The provider given with --provider @id, or NULL. */
const PdProvider *pd_find_provider     (Pd *pd, const char *id);
/* Whether GET /static/providers/@id.svg has an icon for the provider. */
gboolean          pd_provider_has_icon (const char *id);
/* GET /static/providers/@id.svg: the icon of a configured provider, or 404. */
void              pd_handle_icon       (Pd *pd, SoupServerMessage *msg, const char *id);

/* pd-waiters.c --------------------------------------------------------- */

/* Pauses @msg until the account's revision passes @after (then GET /me
 * answers it) or @wait seconds have passed (the same answer). @family is
 * the token family (session) of the request. */
void pd_waiters_add     (Pd *pd, SoupServerMessage *msg, const char *account_id,
                         const char *family, gint64 after, gint64 wait);
/* The account changed: answers its long polls that wait for a newer revision. */
void pd_account_changed (Pd *pd, const char *account_id);
/* Every session of the account ended: answers its long polls 401. */
void pd_waiters_sign_out (Pd *pd, const char *account_id);
/* Some sessions of the account ended: answers 401 to the long polls of
 * those whose token family is revoked (or gone); the others keep waiting. */
void pd_waiters_sign_out_revoked (Pd *pd, const char *account_id);
/* Answers every waiting long poll (at shutdown). */
void pd_waiters_flush   (Pd *pd);
/* How many long polls wait on the account. */
guint pd_waiters_count  (Pd *pd, const char *account_id);

/* pd-limits.c ---------------------------------------------------------- */

typedef struct _PdLimits PdLimits;

/* Listens on @address with the backlog the system allows (libsoup's own
 * listen uses 10) and fits the descriptor limit to --max-connections. */
gboolean pd_listen              (Pd *pd, GSocketAddress *address, GError **error);
/* Tracks connections (the cap, the idle timeout) and caps request bodies
 * whatever their framing; needs pd->server. pd_limits_free() after the
 * server is gone. */
void     pd_limits_watch        (Pd *pd);
void     pd_limits_free         (Pd *pd);
/* FALSE after answering 503 when the request's connection is past the cap. */
gboolean pd_limits_admit        (Pd *pd, SoupServerMessage *msg);
/* Whether the request names the server: its public URL's host and port, or
 * an IP address or localhost with the port it listens on. */
gboolean pd_host_allowed        (Pd *pd, SoupServerMessage *msg);
/* 503 temporarily_unavailable with Retry-After. */
void     pd_respond_unavailable (SoupServerMessage *msg, gint64 retry_after, const char *description);
/* Creates the database file 0600 whatever the umask, and makes it and its
 * -wal, -shm and -journal 0600 when they exist with wider modes. */
gboolean pd_private_files       (const char *database, GError **error);

/* pd-oauth.c ----------------------------------------------------------- */

void pd_handle_discovery (Pd *pd, SoupServerMessage *msg);
void pd_handle_jwks      (Pd *pd, SoupServerMessage *msg);
void pd_handle_authorize (Pd *pd, SoupServerMessage *msg, GHashTable *query);
void pd_handle_social    (Pd *pd, SoupServerMessage *msg);
void pd_handle_token     (Pd *pd, SoupServerMessage *msg);
void pd_handle_revoke    (Pd *pd, SoupServerMessage *msg);
void pd_handle_userinfo  (Pd *pd, SoupServerMessage *msg);
/* The name of the client @client_id for people (the session list), or
 * the id itself for a client this server no longer has. */
const char *pd_client_name (const char *client_id);
/* Whether @client_id is a client of this server. */
gboolean pd_client_known (const char *client_id);
/* The stand-in page of @provider for the flow @flow_id (its form posts to
 * /oauth/social with @csrf); @redirect_uri (may be NULL) is allowed as the
 * form's target after the POST. */
void     pd_render_social_form (Pd *pd, SoupServerMessage *msg, const char *redirect_uri, PdLang lang,
                                const PdProvider *provider, const char *flow_id, const char *csrf,
                                const char *email, const char *name, gboolean verified,
                                gboolean email_error);
/* The subject of the stand-in identity @provider + @email (lower-cased).
 * Free it. */
char    *pd_identity_subject (const char *provider, const char *email);
/* The account of the stand-in identity @provider + @email, created at its
 * first sign-in. Free the id. */
char    *pd_identity_sign_in (Pd *pd, const char *provider, const char *email, const char *name,
                              gboolean verified, const char *language);

/* pd-api.c ------------------------------------------------------------- */

void pd_handle_api (Pd *pd, SoupServerMessage *msg, const char *path, GHashTable *query);

/* Tokens for a grant that passed: a new family, or @family_in's; the
 * answer of the token endpoint. @family_out (may be NULL) gets the family. */
JsonObject *pd_issue_tokens (Pd *pd, const char *account_id, const char *client_id,
                             const char *scope, const char *family_in, const char *nonce,
                             char **family_out);
/* When the session of token family @family began (its grant; a refresh
 * does not move it): the id_token's auth_time and what the proof rule
 * counts. 0 for NULL or an unknown family. */
gint64      pd_family_auth_time (Pd *pd, const char *family);

/* pd-mfa.c ------------------------------------------------------------- */

/* libsoup does not count pauses: work in a thread that follows other work
 * in a thread (a proof) holds the message, and it is unpaused when the
 * last hold is released. */
void     pd_message_hold    (SoupServerMessage *msg);
void     pd_message_release (SoupServerMessage *msg);

/* Called when the proof passed: answer @msg. */
typedef void (*PdProofDone) (Pd *pd, SoupServerMessage *msg, const char *account_id, gpointer data);
/* The proof rule (contract section 4) for a call marked *proof*: checks the
 * body's password, otp or recovery_code (at most one; the caller has
 * allowed these members), or without one the session's age (@family) for
 * an account without a password. Answers every failure itself (400, 403
 * invalid_password, invalid_otp, reauth_required with accepted, 429) and
 * counts wrong ones in the failure counter; else calls @done, at once or
 * later from the main loop with @msg paused until it returns. @destroy
 * frees @data either way. */
void     pd_proof_check    (Pd *pd, SoupServerMessage *msg, const char *account_id,
                            const char *family, JsonObject *body, PdProofDone done,
                            gpointer data, GDestroyNotify destroy);
/* Whether the account has two-step sign-in on (and the feature is offered). */
gboolean pd_otp_enabled    (Pd *pd, const char *account_id);
/* Adds GET /me's otp object to @account when the feature is offered. */
void     pd_otp_account_json (Pd *pd, const char *account_id, JsonObject *account);
/* /me/otp/setup, /me/otp/confirm, /me/otp/recovery-codes, DELETE /me/otp:
 * FALSE when @path and the method are none of them. */
gboolean pd_handle_otp     (Pd *pd, SoupServerMessage *msg, const char *path,
                            const char *account_id, const char *family);
/* The password grant's 403 mfa_required with a new mfa_token. */
void     pd_mfa_required   (Pd *pd, SoupServerMessage *msg, const char *account_id,
                            const char *client_id, const char *scope, const char *device_name);
typedef enum
{
  PD_CODE_OK,
  PD_CODE_WRONG,
  PD_CODE_THROTTLED,
} PdCodeResult;
/* Called with the verdict on a code; @retry_after with PD_CODE_THROTTLED. */
typedef void (*PdCodeDone) (Pd *pd, SoupServerMessage *msg, const char *account_id,
                            PdCodeResult result, gint64 retry_after, gpointer data);
/* One typed code of an account with two-step sign-in on: six digits (spaces
 * ignored) are a TOTP code, anything else a recovery code (used up when
 * right). Counts in the account's failure count, and is refused unchecked
 * while it is full. Calls @done at once or later (with @msg paused until it
 * returns); @destroy frees @data either way. */
void     pd_otp_check_code (Pd *pd, SoupServerMessage *msg, const char *account_id,
                            const char *code, PdCodeDone done, gpointer data,
                            GDestroyNotify destroy);
/* The otp grant (section 8.3). */
void     pd_grant_otp      (Pd *pd, SoupServerMessage *msg, const char *client_id, GHashTable *form);

/* pd-app-passwords.c --------------------------------------------------- */

/* Whether @path (under {api}) is /me/app-passwords or one of its items. */
gboolean pd_app_passwords_path     (const char *path);
/* GET and POST /me/app-passwords, DELETE /me/app-passwords/{id} (section
 * 8.4): FALSE when the method is none of them. */
gboolean pd_handle_app_passwords   (Pd *pd, SoupServerMessage *msg, const char *path,
                                    const char *account_id, const char *family);
/* The 16 lower-case letters of a typed app password (case and spaces
 * ignored), or NULL when @input cannot be one. Free with explicit_bzero. */
char    *pd_app_password_normalize (const char *input);
/* For the password grant: the hashes to check a typed app password against
 * (added to @hashes) with their ids (to @ids): the account's, then the
 * dummy hash up to PD_APP_PASSWORDS_MAX with NULL ids, so that the work does
 * not tell how many the account has, or whether it exists (@account_id
 * NULL). */
void     pd_app_passwords_candidates (Pd *pd, const char *account_id,
                                      GPtrArray *hashes, GPtrArray *ids);
/* The app password @id signed in: marks its use now. FALSE when it is gone
 * (revoked while its hash was checked). */
gboolean pd_app_password_used      (Pd *pd, const char *account_id, const char *id);

/* pd-device.c ---------------------------------------------------------- */

/* Device authorization (section 11): POST {device_authorization_endpoint}. */
void  pd_handle_device_authorization (Pd *pd, SoupServerMessage *msg);
/* The verification page /device (GET and POST). */
void  pd_handle_device_page          (Pd *pd, SoupServerMessage *msg, GHashTable *query);
/* The device_code grant of the token endpoint. */
void  pd_grant_device                (Pd *pd, SoupServerMessage *msg, const char *client_id,
                                      GHashTable *form);
/* A new user code: 8 letters of BCDFGHJKLMNPQRSTVWXZ from the CSPRNG. */
char *pd_user_code_draw              (void);
/* The 8 upper-case letters of a typed user code (case, '-' and spaces
 * ignored), or NULL when it cannot be one. */
char *pd_user_code_normalize         (const char *input);

/* pd-sessions.c -------------------------------------------------------- */

/* A device_name as the contract keeps it (section 3): invalid UTF-8
 * replaced, control characters (and the bidirectional ones, line and
 * paragraph separators) dropped, white space trimmed, then the first
 * PD_SESSION_DEVICE_NAME_MAX characters; NULL when nothing is left. */
char    *pd_device_name_normalize (const char *input);
/* A grant started the session (token family) @family: records @method
 * ("browser", "password", "app_password" or "device"), @device_name (as
 * sent: normalised here; may be NULL), and now and the request's peer
 * address as its last use. */
void     pd_session_started       (Pd *pd, SoupServerMessage *msg, const char *family,
                                   const char *method, const char *device_name);
/* A refresh grant used the session @family: its last use is now, from
 * the request's peer address. */
void     pd_session_used          (Pd *pd, SoupServerMessage *msg, const char *family);
/* Whether @path (under {api}) is /me/sessions or one of its items. */
gboolean pd_sessions_path         (const char *path);
/* GET and DELETE /me/sessions, DELETE /me/sessions/{id} (section 9):
 * FALSE when the method is none of them. @family is the call's session. */
gboolean pd_handle_sessions       (Pd *pd, SoupServerMessage *msg, const char *path,
                                   GHashTable *query, const char *account_id, const char *family);

/* pd-delete.c ---------------------------------------------------------- */

/* DELETE /me (section 12): the proof, then the account and everything of
 * it at once; its long polls get 401. */
void     pd_handle_delete_account (Pd *pd, SoupServerMessage *msg, const char *account_id,
                                   const char *family);

/* pd-identities.c ------------------------------------------------------ */

/* Whether @path (under {api}) is /me/identities/link or /me/identities/{provider}. */
gboolean pd_identities_path            (const char *path);
/* POST /me/identities/link, DELETE /me/identities/{provider} (section 10):
 * FALSE when the method is none of them. */
gboolean pd_handle_identities          (Pd *pd, SoupServerMessage *msg, const char *path,
                                        const char *account_id, const char *family);
/* GET {link_url} (public, a page): uses the ticket up and shows the
 * provider's stand-in sign-in page; 404 not_found when the feature is off. */
void     pd_handle_identity_link_page  (Pd *pd, SoupServerMessage *msg, GHashTable *query);
/* POST /oauth/social of a link flow: attaches the identity, or says why
 * not. FALSE (nothing answered) when @form's flow is not one. */
gboolean pd_identity_link_social       (Pd *pd, SoupServerMessage *msg, GHashTable *form);
/* Adds GET /me's identity_link to @account when the feature is offered. */
void     pd_identity_link_account_json (Pd *pd, const char *account_id, JsonObject *account);
/* A password reset: the account's pending attempt stops working and lapses now. */
void     pd_identity_links_void        (Pd *pd, const char *account_id);

/* pd-reset.c ----------------------------------------------------------- */

/* Section 7 under {api}: POST /password/reset, GET and POST /password/new;
 * 404 not_found when the feature is off. @path starts with /password/. */
void pd_handle_password (Pd *pd, SoupServerMessage *msg, const char *path, GHashTable *query);

/* pd-mail.c ------------------------------------------------------------ */

gboolean pd_mail_send_confirmation (Pd *pd, const char *account_id, const char *to,
                                    const char *link, PdLang lang, GError **error);
/* The password reset mail (section 7) to the bound address @to. */
gboolean pd_mail_send_reset        (Pd *pd, const char *account_id, const char *to,
                                    const char *link, PdLang lang, GError **error);
void     pd_handle_outbox          (Pd *pd, SoupServerMessage *msg);
gboolean pd_maildir_prepare        (const char *maildir, GError **error);

/* pd-text.c ------------------------------------------------------------ */

/* Server texts in English and Russian, chosen per request. */
typedef enum
{
  PD_T_TERMS_TEXT,
  PD_T_TERMS_TITLE,
  PD_T_SIGN_IN_WITH,
  PD_T_SOCIAL_INTRO,
  PD_T_EMAIL,
  PD_T_NAME,
  PD_T_VERIFIED,
  PD_T_CONTINUE,
  PD_T_CANCEL,
  PD_T_CHOOSE_PROVIDER,
  PD_T_CHOOSE_TITLE,
  PD_T_BAD_REQUEST_TITLE,
  PD_T_BAD_CLIENT,
  PD_T_BAD_REDIRECT,
  PD_T_FLOW_EXPIRED,
  PD_T_CSRF,
  PD_T_EMAIL_INVALID,
  PD_T_CONFIRM_OK_TITLE,
  PD_T_CONFIRM_OK,
  PD_T_CONFIRM_FAIL_TITLE,
  PD_T_CONFIRM_EXPIRED,
  PD_T_CONFIRM_USED,
  PD_T_CONFIRM_TAKEN,
  PD_T_CONFIRM_INVALID,
  PD_T_MAIL_SUBJECT,
  PD_T_MAIL_BODY,
  PD_T_OUTBOX_TITLE,
  PD_T_OUTBOX_EMPTY,
  PD_T_RESET_MAIL_SUBJECT,
  PD_T_RESET_MAIL_BODY,
  PD_T_RESET_TITLE,
  PD_T_RESET_NEW_PASSWORD,
  PD_T_RESET_AGAIN,
  PD_T_RESET_SAVE,
  PD_T_RESET_CHANGED_TITLE,
  PD_T_RESET_CHANGED,
  PD_T_RESET_DEAD_TITLE,
  PD_T_RESET_DEAD,
  PD_T_WEAK_TOO_SHORT,
  PD_T_WEAK_TOO_LONG,
  PD_T_WEAK_TOO_COMMON,
  PD_T_WEAK_CONTAINS_EMAIL,
  PD_T_WEAK_CONTAINS_NAME,
  PD_T_PASSWORD_MISMATCH,
  PD_T_OTP_TITLE,
  PD_T_OTP_INTRO,
  PD_T_OTP_CODE,
  PD_T_OTP_WRONG,
  PD_T_OTP_TOO_MANY,
  PD_T_DEVICE_TITLE,
  PD_T_DEVICE_CODE_INTRO,
  PD_T_DEVICE_CODE_WRONG,
  PD_T_DEVICE_CODE_TOO_MANY,
  PD_T_DEVICE_SIGN_IN_INTRO,
  PD_T_DEVICE_PASSWORD,
  PD_T_DEVICE_SIGN_IN,
  PD_T_DEVICE_OR_NETWORK,
  PD_T_DEVICE_WRONG_PASSWORD,
  PD_T_DEVICE_CONFIRM_INTRO,
  PD_T_DEVICE_NAME,
  PD_T_DEVICE_UNNAMED,
  PD_T_DEVICE_REQUESTED,
  PD_T_DEVICE_ACCOUNT,
  PD_T_DEVICE_WARNING,
  PD_T_DEVICE_APPROVE,
  PD_T_DEVICE_DENY,
  PD_T_DEVICE_APPROVED,
  PD_T_DEVICE_DENIED,
  PD_T_DEVICE_EXPIRED,
  PD_T_LINK_TITLE,
  PD_T_LINK_DONE,
  PD_T_LINK_IN_USE,
  PD_T_LINK_ALREADY,
  PD_T_LINK_CANCELLED,
  PD_T_LINK_DEAD,
  PD_N_TEXTS
} PdText;

const char *pd_text (PdLang lang, PdText text);
/* The text with its "%s" holes filled with @first and @second, in order. */
char       *pd_text_fill (PdLang lang, PdText text, const char *first, const char *second);
/* A date as a reader writes it: "27 November 2026, 10:43 UTC". */
char       *pd_text_date (PdLang lang, gint64 unix_seconds);

G_END_DECLS
