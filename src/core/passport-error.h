/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PASSPORT_ERROR (passport_error_quark ())

/* One code per `error` of the API contract, plus transport, sign-in and
 * keyring codes. Codes name what happened, not where. */
typedef enum
{
  PASSPORT_ERROR_FAILED,

  /* transport */
  PASSPORT_ERROR_OFFLINE,              /* no network at all */
  PASSPORT_ERROR_UNREACHABLE,          /* host not found, connection refused */
  PASSPORT_ERROR_TLS,                  /* certificate or handshake problem */
  PASSPORT_ERROR_TIMEOUT,
  PASSPORT_ERROR_BAD_RESPONSE,         /* malformed, mistyped or oversized answer */
  PASSPORT_ERROR_SERVER_ERROR,         /* 5xx, or error=server_error */
  PASSPORT_ERROR_INSECURE_URL,         /* plain http:// to a non-loopback host */
  PASSPORT_ERROR_NOT_A_PASSPORT_SERVER,/* no or invalid discovery document */
  PASSPORT_ERROR_ISSUER_MISMATCH,
  PASSPORT_ERROR_NOT_SUPPORTED,        /* server offers no account management */

  /* browser sign-in */
  PASSPORT_ERROR_ACCESS_DENIED,        /* user cancelled at the social network */
  PASSPORT_ERROR_BROWSER_TIMEOUT,      /* the browser never came back */
  PASSPORT_ERROR_BROWSER_LAUNCH,       /* could not open a browser */
  PASSPORT_ERROR_INVALID_ID_TOKEN,

  /* token endpoint (RFC 6749 §5.2) */
  PASSPORT_ERROR_INVALID_REQUEST,
  PASSPORT_ERROR_INVALID_CLIENT,
  PASSPORT_ERROR_INVALID_GRANT,        /* also: wrong e-mail or password */
  PASSPORT_ERROR_UNAUTHORIZED_CLIENT,
  PASSPORT_ERROR_UNSUPPORTED_GRANT_TYPE,
  PASSPORT_ERROR_INVALID_TOKEN,        /* 401 from the account API */
  PASSPORT_ERROR_SESSION_EXPIRED,      /* refresh failed for good: sign in again */

  /* account API */
  PASSPORT_ERROR_TERMS_OUTDATED,
  PASSPORT_ERROR_TERMS_NOT_ACCEPTED,
  PASSPORT_ERROR_EMAIL_EXISTS,
  PASSPORT_ERROR_EMAIL_ALREADY_BOUND,
  PASSPORT_ERROR_INVALID_EMAIL,
  PASSPORT_ERROR_WEAK_PASSWORD,
  PASSPORT_ERROR_TOO_MANY_REQUESTS,
  PASSPORT_ERROR_NO_PENDING_EMAIL,
  PASSPORT_ERROR_INVALID_PASSWORD,
  PASSPORT_ERROR_NO_EMAIL,

  /* credential store */
  PASSPORT_ERROR_KEYRING_UNAVAILABLE,
  PASSPORT_ERROR_KEYRING_LOCKED,

  /* the flow */
  PASSPORT_ERROR_SAME_ACCOUNT,         /* freeing an address: signed in to this very account */
  PASSPORT_ERROR_PASSWORD_REQUIRED,    /* an action needs a password and none was given */
  PASSPORT_ERROR_ACTION_UNAVAILABLE,   /* the action does not fit the flow's current state */

  /* sessions */
  PASSPORT_ERROR_NO_REFRESH_TOKEN,     /* signed in, but the server issued no refresh token:
                                        * the session is not remembered */

  /* two-step sign-in (contract 8.3) */
  PASSPORT_ERROR_MFA_REQUIRED,         /* the password was right; a code is needed: the error
                                        * carries the mfa_token and its lifetime */
  PASSPORT_ERROR_EXPIRED_TOKEN,        /* the mfa_token is unknown, used or expired:
                                        * start again from the password */
  PASSPORT_ERROR_INVALID_OTP,          /* a wrong or already used code (set-up, proof) */
  PASSPORT_ERROR_REAUTH_REQUIRED,      /* proof (contract 4) is needed: the error carries the
                                        * members the server accepts */
  PASSPORT_ERROR_OTP_ALREADY_ENABLED,
  PASSPORT_ERROR_OTP_NOT_ENABLED,
  PASSPORT_ERROR_NO_OTP_SETUP,         /* confirm without a live set-up (it lapsed) */

  /* app passwords (contract 8.4) */
  PASSPORT_ERROR_NOT_FOUND,
  PASSPORT_ERROR_APP_PASSWORD_LIMIT,

  /* device authorization (contract 11, RFC 8628 §3.5) */
  PASSPORT_ERROR_AUTHORIZATION_PENDING, /* not approved yet: poll again */
  PASSPORT_ERROR_SLOW_DOWN,            /* polled too often: 5 s more between polls */

  /* linked sign-in methods (contract 10) */
  PASSPORT_ERROR_ALREADY_LINKED,
  PASSPORT_ERROR_UNKNOWN_PROVIDER,
  PASSPORT_ERROR_LAST_SIGN_IN_METHOD,  /* unlinking would leave no way in */
  PASSPORT_ERROR_IDENTITY_IN_USE,      /* a link's outcome: that network account is another's */

  /* signing in again for a proof (contract 4, max_age=0) */
  PASSPORT_ERROR_OTHER_ACCOUNT,        /* the browser signed in to another account */
} PassportErrorCode;

/* Where a user meets an error, decided here rather than by each page. */
typedef enum
{
  PASSPORT_ERROR_SEVERITY_INLINE,   /* beside the form or step it is about; what was typed stays */
  PASSPORT_ERROR_SEVERITY_BLOCKING, /* nothing works until it is dealt with: shown with Retry */
  PASSPORT_ERROR_SEVERITY_PASSING,  /* news that needs no answer (a toast), or nothing at all */
} PassportErrorSeverity;

GQuark passport_error_quark (void);

/* A Passport error whose @message (already translated) is the sentence the
 * user sees: passport_error_describe() returns it instead of the code's
 * general wording. */
GError *passport_error_new_for_user (PassportErrorCode  code,
                                     const char        *message);

/* The one source of user text for an error: a message set with
 * passport_error_new_for_user(), else the code's translated sentence, else a
 * general one. Never the server's own text. NULL for a cancelled operation,
 * which the user asked for and needs no message. */
const char *passport_error_describe (const GError *error);

/* How to show @error (see PassportErrorSeverity). */
PassportErrorSeverity passport_error_get_severity (const GError *error);

/* Maps an API `error` string to its code; unknown strings give
 * PASSPORT_ERROR_FAILED. */
PassportErrorCode passport_error_code_from_string (const char *api_error);

/* The API `error` string of @code, or NULL for codes that have none. */
const char *passport_error_code_to_string (PassportErrorCode code);

/* A translated, user-facing sentence for @code (never the server's text). */
const char *passport_error_code_describe (PassportErrorCode code);

/* Extra fields some errors carry (contract section 4), attached to the
 * GError itself so they travel with it. */
void         passport_error_set_retry_after (GError *error, guint seconds);
guint        passport_error_get_retry_after (const GError *error);
void         passport_error_set_reasons     (GError *error, const char * const *reasons);
/* Owned by @error; NULL when none. */
const char * const *passport_error_get_reasons (const GError *error);
void         passport_error_set_min_length  (GError *error, guint min_length);
guint        passport_error_get_min_length  (const GError *error);
void         passport_error_set_version     (GError *error, const char *version);
/* Owned by @error; NULL when none. */
const char  *passport_error_get_version     (const GError *error);
/* mfa_required's mfa_token (a secret: wiped when @error is freed, never
 * logged) and its expires_in in seconds (0: not given). */
void         passport_error_set_mfa_token   (GError *error, const char *mfa_token, guint expires_in);
/* Owned by @error; NULL when none. */
const char  *passport_error_get_mfa_token   (const GError *error);
guint        passport_error_get_mfa_expires_in (const GError *error);
/* reauth_required's `accepted`: "password", "otp", "recovery_code",
 * "sign_in". Owned by @error; NULL when none. */
void         passport_error_set_accepted    (GError *error, const char * const *accepted);
const char * const *passport_error_get_accepted (const GError *error);

G_END_DECLS
