/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "passport-error.h"
#include "passport-secure.h"

typedef struct
{
  guint retry_after;
  guint min_length;
  char **reasons;
  char *version;
  char *mfa_token;
  guint mfa_expires_in;
  char **accepted;
  gboolean for_user;
} PassportErrorPrivate;

static void
passport_error_private_init (PassportErrorPrivate *priv)
{
}

static void
passport_error_private_copy (const PassportErrorPrivate *src,
                             PassportErrorPrivate       *dest)
{
  dest->retry_after = src->retry_after;
  dest->min_length = src->min_length;
  dest->reasons = g_strdupv (src->reasons);
  dest->version = g_strdup (src->version);
  dest->mfa_token = g_strdup (src->mfa_token);
  dest->mfa_expires_in = src->mfa_expires_in;
  dest->accepted = g_strdupv (src->accepted);
  dest->for_user = src->for_user;
}

static void
passport_error_private_clear (PassportErrorPrivate *priv)
{
  g_clear_pointer (&priv->reasons, g_strfreev);
  g_clear_pointer (&priv->version, g_free);
  g_clear_pointer (&priv->mfa_token, passport_secure_free);
  g_clear_pointer (&priv->accepted, g_strfreev);
}

/* GLib's extended errors let the extra fields of the contract ride on the
 * GError instead of beside it. */
G_DEFINE_EXTENDED_ERROR (PassportError, passport_error)

static const struct
{
  PassportErrorCode code;
  const char *name;
} api_names[] = {
  { PASSPORT_ERROR_SERVER_ERROR, "server_error" },
  { PASSPORT_ERROR_ACCESS_DENIED, "access_denied" },
  { PASSPORT_ERROR_INVALID_REQUEST, "invalid_request" },
  { PASSPORT_ERROR_INVALID_CLIENT, "invalid_client" },
  { PASSPORT_ERROR_INVALID_GRANT, "invalid_grant" },
  { PASSPORT_ERROR_UNAUTHORIZED_CLIENT, "unauthorized_client" },
  { PASSPORT_ERROR_UNSUPPORTED_GRANT_TYPE, "unsupported_grant_type" },
  { PASSPORT_ERROR_INVALID_TOKEN, "invalid_token" },
  { PASSPORT_ERROR_TERMS_OUTDATED, "terms_outdated" },
  { PASSPORT_ERROR_TERMS_NOT_ACCEPTED, "terms_not_accepted" },
  { PASSPORT_ERROR_EMAIL_EXISTS, "email_exists" },
  { PASSPORT_ERROR_EMAIL_ALREADY_BOUND, "email_already_bound" },
  { PASSPORT_ERROR_INVALID_EMAIL, "invalid_email" },
  { PASSPORT_ERROR_WEAK_PASSWORD, "weak_password" },
  { PASSPORT_ERROR_TOO_MANY_REQUESTS, "too_many_requests" },
  { PASSPORT_ERROR_NO_PENDING_EMAIL, "no_pending_email" },
  { PASSPORT_ERROR_INVALID_PASSWORD, "invalid_password" },
  { PASSPORT_ERROR_NO_EMAIL, "no_email" },
  { PASSPORT_ERROR_MFA_REQUIRED, "mfa_required" },
  { PASSPORT_ERROR_EXPIRED_TOKEN, "expired_token" },
  { PASSPORT_ERROR_INVALID_OTP, "invalid_otp" },
  { PASSPORT_ERROR_REAUTH_REQUIRED, "reauth_required" },
  { PASSPORT_ERROR_OTP_ALREADY_ENABLED, "otp_already_enabled" },
  { PASSPORT_ERROR_OTP_NOT_ENABLED, "otp_not_enabled" },
  { PASSPORT_ERROR_NO_OTP_SETUP, "no_otp_setup" },
  { PASSPORT_ERROR_NOT_FOUND, "not_found" },
  { PASSPORT_ERROR_APP_PASSWORD_LIMIT, "app_password_limit" },
  { PASSPORT_ERROR_AUTHORIZATION_PENDING, "authorization_pending" },
  { PASSPORT_ERROR_SLOW_DOWN, "slow_down" },
  { PASSPORT_ERROR_ALREADY_LINKED, "already_linked" },
  { PASSPORT_ERROR_UNKNOWN_PROVIDER, "unknown_provider" },
  { PASSPORT_ERROR_LAST_SIGN_IN_METHOD, "last_sign_in_method" },
  { PASSPORT_ERROR_IDENTITY_IN_USE, "identity_in_use" },
};

PassportErrorCode
passport_error_code_from_string (const char *api_error)
{
  if (api_error == NULL)
    return PASSPORT_ERROR_FAILED;

  for (guint i = 0; i < G_N_ELEMENTS (api_names); i++)
    if (g_str_equal (api_names[i].name, api_error))
      return api_names[i].code;

  return PASSPORT_ERROR_FAILED;
}

const char *
passport_error_code_to_string (PassportErrorCode code)
{
  for (guint i = 0; i < G_N_ELEMENTS (api_names); i++)
    if (api_names[i].code == code)
      return api_names[i].name;

  return NULL;
}

const char *
passport_error_code_describe (PassportErrorCode code)
{
  switch (code)
    {
    case PASSPORT_ERROR_OFFLINE:
      return _("You are offline. Connect to the network and try again.");
    case PASSPORT_ERROR_UNREACHABLE:
      return _("The server cannot be reached. Check the address or try again later.");
    case PASSPORT_ERROR_TLS:
      return _("The server’s identity cannot be verified, so the connection was not made.");
    case PASSPORT_ERROR_TIMEOUT:
      return _("The server took too long to answer. Try again.");
    case PASSPORT_ERROR_BAD_RESPONSE:
      return _("The server sent an answer Passport does not understand. Try again later.");
    case PASSPORT_ERROR_SERVER_ERROR:
      return _("The server had a problem. Try again later.");
    case PASSPORT_ERROR_INSECURE_URL:
      return _("The address must start with https://.");
    case PASSPORT_ERROR_NOT_A_PASSPORT_SERVER:
      return _("This address is not a sign-in server.");
    case PASSPORT_ERROR_ISSUER_MISMATCH:
      return _("The server describes itself with another address, so it is not trusted.");
    case PASSPORT_ERROR_NOT_SUPPORTED:
      return _("This server does not offer account management.");
    case PASSPORT_ERROR_ACCESS_DENIED:
      return _("Sign-in was cancelled in the browser.");
    case PASSPORT_ERROR_BROWSER_TIMEOUT:
      return _("The browser did not come back in time. Try signing in again.");
    case PASSPORT_ERROR_BROWSER_LAUNCH:
      return _("No web browser could be opened. Copy the link and open it yourself.");
    case PASSPORT_ERROR_INVALID_ID_TOKEN:
      return _("The server’s answer to the sign-in could not be verified.");
    case PASSPORT_ERROR_INVALID_REQUEST:
      return _("The server did not accept the request.");
    case PASSPORT_ERROR_INVALID_CLIENT:
    case PASSPORT_ERROR_UNAUTHORIZED_CLIENT:
    case PASSPORT_ERROR_UNSUPPORTED_GRANT_TYPE:
      return _("This server does not allow Passport to sign in this way.");
    case PASSPORT_ERROR_INVALID_GRANT:
      return _("The e-mail or password is wrong, or the sign-in has expired.");
    case PASSPORT_ERROR_INVALID_TOKEN:
    case PASSPORT_ERROR_SESSION_EXPIRED:
      return _("Your session has ended. Sign in again.");
    case PASSPORT_ERROR_TERMS_OUTDATED:
      return _("The user agreement has changed. Read and accept the new version.");
    case PASSPORT_ERROR_TERMS_NOT_ACCEPTED:
      return _("Accept the user agreement first.");
    case PASSPORT_ERROR_EMAIL_EXISTS:
      return _("A user with this e-mail already exists.");
    case PASSPORT_ERROR_EMAIL_ALREADY_BOUND:
      return _("This account already has a confirmed e-mail. Change it instead.");
    case PASSPORT_ERROR_INVALID_EMAIL:
      return _("This is not a valid e-mail address.");
    case PASSPORT_ERROR_WEAK_PASSWORD:
      return _("This password is too weak.");
    case PASSPORT_ERROR_TOO_MANY_REQUESTS:
      return _("Too many attempts. Wait a little and try again.");
    case PASSPORT_ERROR_NO_PENDING_EMAIL:
      return _("No e-mail is waiting for confirmation.");
    case PASSPORT_ERROR_INVALID_PASSWORD:
      return _("The current password is wrong.");
    case PASSPORT_ERROR_NO_EMAIL:
      return _("This account has no e-mail yet. Add one first.");
    case PASSPORT_ERROR_KEYRING_UNAVAILABLE:
      return _("The system keyring is not available, so Passport cannot remember you.");
    case PASSPORT_ERROR_KEYRING_LOCKED:
      return _("The system keyring is locked. Unlock it to stay signed in.");
    case PASSPORT_ERROR_SAME_ACCOUNT:
      return _("That is this same account. Sign in to the account that uses this e-mail.");
    case PASSPORT_ERROR_OTHER_ACCOUNT:
      return _("The browser signed in to another account. Sign in again with a network linked to this account.");
    case PASSPORT_ERROR_PASSWORD_REQUIRED:
      return _("Enter the account’s current password.");
    case PASSPORT_ERROR_ACTION_UNAVAILABLE:
      return _("That cannot be done at this step.");
    case PASSPORT_ERROR_NO_REFRESH_TOKEN:
      return _("This server did not let Passport remember the session; you will need to sign in again when it ends.");
    case PASSPORT_ERROR_MFA_REQUIRED:
      return _("Enter the code from your authenticator app, or one of your recovery codes.");
    case PASSPORT_ERROR_EXPIRED_TOKEN:
      return _("The time to enter the code has run out. Sign in again with your password.");
    case PASSPORT_ERROR_INVALID_OTP:
      return _("That code is wrong or has already been used. Enter the newest code.");
    case PASSPORT_ERROR_REAUTH_REQUIRED:
      return _("Confirm it is you: enter your password or a code.");
    case PASSPORT_ERROR_OTP_ALREADY_ENABLED:
      return _("Two-step sign-in is already on.");
    case PASSPORT_ERROR_OTP_NOT_ENABLED:
      return _("Two-step sign-in is off.");
    case PASSPORT_ERROR_NO_OTP_SETUP:
      return _("The set-up has expired. Start again to get a new QR code.");
    case PASSPORT_ERROR_NOT_FOUND:
      return _("It no longer exists. The list has been updated.");
    case PASSPORT_ERROR_APP_PASSWORD_LIMIT:
      return _("This account already has 20 app passwords. Revoke one first.");
    case PASSPORT_ERROR_AUTHORIZATION_PENDING:
    case PASSPORT_ERROR_SLOW_DOWN:
      return _("Waiting for the sign-in to be approved on the other device.");
    case PASSPORT_ERROR_ALREADY_LINKED:
      return _("A network of this kind is already linked to the account. Unlink it first.");
    case PASSPORT_ERROR_UNKNOWN_PROVIDER:
      return _("This server does not offer that network.");
    case PASSPORT_ERROR_LAST_SIGN_IN_METHOD:
      return _("This is the only way to sign in to the account. Add an e-mail and a password first.");
    case PASSPORT_ERROR_IDENTITY_IN_USE:
      return _("That network account signs in to another account. Unlink it there first.");
    case PASSPORT_ERROR_FAILED:
    default:
      return _("Something went wrong. Try again.");
    }
}

GError *
passport_error_new_for_user (PassportErrorCode  code,
                             const char        *message)
{
  GError *error = g_error_new_literal (PASSPORT_ERROR, code, message);
  PassportErrorPrivate *priv = passport_error_get_private (error);

  priv->for_user = TRUE;
  return error;
}

const char *
passport_error_describe (const GError *error)
{
  PassportErrorPrivate *priv;

  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return NULL;
  if (error->domain != PASSPORT_ERROR)
    return _("Something went wrong. Try again.");

  priv = passport_error_get_private (error);
  if (priv != NULL && priv->for_user)
    return error->message;
  return passport_error_code_describe (error->code);
}

PassportErrorSeverity
passport_error_get_severity (const GError *error)
{
  g_return_val_if_fail (error != NULL, PASSPORT_ERROR_SEVERITY_PASSING);

  if (error->domain != PASSPORT_ERROR)
    return PASSPORT_ERROR_SEVERITY_PASSING;

  switch ((PassportErrorCode) error->code)
    {
    /* The server or the network: nothing on any page works until it is back. */
    case PASSPORT_ERROR_OFFLINE:
    case PASSPORT_ERROR_UNREACHABLE:
    case PASSPORT_ERROR_TIMEOUT:
    case PASSPORT_ERROR_SERVER_ERROR:
    case PASSPORT_ERROR_BAD_RESPONSE:
    case PASSPORT_ERROR_TLS:
      return PASSPORT_ERROR_SEVERITY_BLOCKING;

    /* Already dealt with by the state it leads to, or by its own dialog. */
    case PASSPORT_ERROR_SESSION_EXPIRED:
    case PASSPORT_ERROR_INVALID_TOKEN:
    case PASSPORT_ERROR_KEYRING_UNAVAILABLE:
    case PASSPORT_ERROR_KEYRING_LOCKED:
    case PASSPORT_ERROR_ACTION_UNAVAILABLE:
    case PASSPORT_ERROR_NO_REFRESH_TOKEN:
      return PASSPORT_ERROR_SEVERITY_PASSING;

    case PASSPORT_ERROR_FAILED:
    case PASSPORT_ERROR_INSECURE_URL:
    case PASSPORT_ERROR_NOT_A_PASSPORT_SERVER:
    case PASSPORT_ERROR_ISSUER_MISMATCH:
    case PASSPORT_ERROR_NOT_SUPPORTED:
    case PASSPORT_ERROR_ACCESS_DENIED:
    case PASSPORT_ERROR_BROWSER_TIMEOUT:
    case PASSPORT_ERROR_BROWSER_LAUNCH:
    case PASSPORT_ERROR_INVALID_ID_TOKEN:
    case PASSPORT_ERROR_INVALID_REQUEST:
    case PASSPORT_ERROR_INVALID_CLIENT:
    case PASSPORT_ERROR_INVALID_GRANT:
    case PASSPORT_ERROR_UNAUTHORIZED_CLIENT:
    case PASSPORT_ERROR_UNSUPPORTED_GRANT_TYPE:
    case PASSPORT_ERROR_TERMS_OUTDATED:
    case PASSPORT_ERROR_TERMS_NOT_ACCEPTED:
    case PASSPORT_ERROR_EMAIL_EXISTS:
    case PASSPORT_ERROR_EMAIL_ALREADY_BOUND:
    case PASSPORT_ERROR_INVALID_EMAIL:
    case PASSPORT_ERROR_WEAK_PASSWORD:
    case PASSPORT_ERROR_TOO_MANY_REQUESTS:
    case PASSPORT_ERROR_NO_PENDING_EMAIL:
    case PASSPORT_ERROR_INVALID_PASSWORD:
    case PASSPORT_ERROR_NO_EMAIL:
    case PASSPORT_ERROR_SAME_ACCOUNT:
    case PASSPORT_ERROR_OTHER_ACCOUNT:
    case PASSPORT_ERROR_PASSWORD_REQUIRED:
    case PASSPORT_ERROR_MFA_REQUIRED:
    case PASSPORT_ERROR_EXPIRED_TOKEN:
    case PASSPORT_ERROR_INVALID_OTP:
    case PASSPORT_ERROR_REAUTH_REQUIRED:
    case PASSPORT_ERROR_OTP_ALREADY_ENABLED:
    case PASSPORT_ERROR_OTP_NOT_ENABLED:
    case PASSPORT_ERROR_NO_OTP_SETUP:
    case PASSPORT_ERROR_NOT_FOUND:
    case PASSPORT_ERROR_APP_PASSWORD_LIMIT:
    case PASSPORT_ERROR_AUTHORIZATION_PENDING:
    case PASSPORT_ERROR_SLOW_DOWN:
    case PASSPORT_ERROR_ALREADY_LINKED:
    case PASSPORT_ERROR_UNKNOWN_PROVIDER:
    case PASSPORT_ERROR_LAST_SIGN_IN_METHOD:
    case PASSPORT_ERROR_IDENTITY_IN_USE:
    default:
      /* About what the user just did on this page: said there. */
      return PASSPORT_ERROR_SEVERITY_INLINE;
    }
}

void
passport_error_set_retry_after (GError *error,
                                guint   seconds)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  g_return_if_fail (priv != NULL);
  priv->retry_after = seconds;
}

guint
passport_error_get_retry_after (const GError *error)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  return priv ? priv->retry_after : 0;
}

void
passport_error_set_reasons (GError             *error,
                            const char * const *reasons)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  g_return_if_fail (priv != NULL);
  g_strfreev (priv->reasons);
  priv->reasons = g_strdupv ((char **) reasons);
}

const char * const *
passport_error_get_reasons (const GError *error)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  return priv ? (const char * const *) priv->reasons : NULL;
}

void
passport_error_set_min_length (GError *error,
                               guint   min_length)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  g_return_if_fail (priv != NULL);
  priv->min_length = min_length;
}

guint
passport_error_get_min_length (const GError *error)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  return priv ? priv->min_length : 0;
}

void
passport_error_set_version (GError     *error,
                            const char *version)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  g_return_if_fail (priv != NULL);
  g_free (priv->version);
  priv->version = g_strdup (version);
}

const char *
passport_error_get_version (const GError *error)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  return priv ? priv->version : NULL;
}

void
passport_error_set_mfa_token (GError     *error,
                              const char *mfa_token,
                              guint       expires_in)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  g_return_if_fail (priv != NULL);
  g_clear_pointer (&priv->mfa_token, passport_secure_free);
  priv->mfa_token = g_strdup (mfa_token);
  priv->mfa_expires_in = expires_in;
}

const char *
passport_error_get_mfa_token (const GError *error)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  return priv ? priv->mfa_token : NULL;
}

guint
passport_error_get_mfa_expires_in (const GError *error)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  return priv ? priv->mfa_expires_in : 0;
}

void
passport_error_set_accepted (GError             *error,
                             const char * const *accepted)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  g_return_if_fail (priv != NULL);
  g_strfreev (priv->accepted);
  priv->accepted = g_strdupv ((char **) accepted);
}

const char * const *
passport_error_get_accepted (const GError *error)
{
  PassportErrorPrivate *priv = passport_error_get_private (error);

  return priv ? (const char * const *) priv->accepted : NULL;
}
