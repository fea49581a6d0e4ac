/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "passport-client.h"
#include "passport-error.h"
#include "passport-http-private.h"
#include "passport-json-private.h"
#include "passport-secure.h"
#include "passport-server-private.h"
#include "passport-util-private.h"

#define MAX_WAIT_SECONDS 60
/* A link ticket works for 10 minutes (contract 10). */
#define LINK_LIFETIME_SECONDS (10 * 60)

struct _PassportClient
{
  GObject parent_instance;

  PassportSession *session;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (PassportClient, passport_client, G_TYPE_OBJECT)

enum { PROP_0, PROP_SESSION, N_PROPS };
static GParamSpec *properties[N_PROPS];

typedef enum
{
  ANSWER_ACCOUNT,
  ANSWER_NONE,
  ANSWER_USERINFO,
  ANSWER_JSON,      /* the object as it came: the caller parses it */
} AnswerKind;

/* One API call: token, request, and at most one retry after a 401. */
typedef struct
{
  char *method;
  char *url;
  GBytes *body;
  guint timeout;
  AnswerKind kind;
  gboolean retried;
  guint status;
} Call;

typedef struct
{
  PassportAccount *account;
  JsonNode *json;
  guint status;
} CallResult;

static void
call_free (Call *call)
{
  g_free (call->method);
  g_free (call->url);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_free (call);
}

static void
call_result_free (CallResult *result)
{
  g_clear_object (&result->account);
  g_clear_pointer (&result->json, json_node_unref);
  g_free (result);
}

static void
passport_client_dispose (GObject *object)
{
  PassportClient *self = PASSPORT_CLIENT (object);

  g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (passport_client_parent_class)->dispose (object);
}

static void
passport_client_finalize (GObject *object)
{
  PassportClient *self = PASSPORT_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (passport_client_parent_class)->finalize (object);
}

static void
passport_client_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PassportClient *self = PASSPORT_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_client_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PassportClient *self = PASSPORT_CLIENT (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      self->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
passport_client_class_init (PassportClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = passport_client_dispose;
  object_class->finalize = passport_client_finalize;
  object_class->get_property = passport_client_get_property;
  object_class->set_property = passport_client_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, PASSPORT_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
passport_client_init (PassportClient *self)
{
  self->cancellable = g_cancellable_new ();
}

PassportClient *
passport_client_new (PassportSession *session)
{
  g_return_val_if_fail (PASSPORT_IS_SESSION (session), NULL);

  return g_object_new (PASSPORT_TYPE_CLIENT, "session", session, NULL);
}

PassportSession *
passport_client_get_session (PassportClient *self)
{
  g_return_val_if_fail (PASSPORT_IS_CLIENT (self), NULL);
  return self->session;
}

/* The call machinery */

static void call_get_token (GTask *task);

static void
call_refreshed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!passport_session_refresh_finish (PASSPORT_SESSION (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  call_get_token (g_steal_pointer (&task));
}

static void
call_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(JsonNode) json = NULL;
  GError *error = NULL;
  CallResult *call_result;
  gboolean ok;

  ok = passport_http_send_finish (result, &call->status,
                                  call->kind == ANSWER_NONE ? NULL : &json, &error);
  if (!ok)
    {
      /* The access token may have been revoked or expired early: one
       * forced refresh, one more try. */
      if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_TOKEN) && !call->retried)
        {
          call->retried = TRUE;
          g_clear_error (&error);
          GCancellable *cancellable = g_task_get_cancellable (task);

          passport_session_refresh_async (self->session, cancellable,
                                          call_refreshed_cb, g_steal_pointer (&task));
          return;
        }
      g_task_return_error (task, error);
      return;
    }

  call_result = g_new0 (CallResult, 1);
  call_result->status = call->status;
  if (call->kind == ANSWER_ACCOUNT)
    call_result->account = passport_account_new_from_json (json, &error);
  else if (call->kind == ANSWER_USERINFO)
    call_result->account = passport_account_new_from_userinfo (json, &error);
  else if (call->kind == ANSWER_JSON)
    {
      if (json == NULL || !JSON_NODE_HOLDS_OBJECT (json))
        g_set_error_literal (&error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                             "The answer is not a JSON object");
      else
        call_result->json = g_steal_pointer (&json);
    }

  if (error != NULL)
    {
      call_result_free (call_result);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, call_result, (GDestroyNotify) call_result_free);
}

static void
call_token_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PassportClient *self = g_task_get_source_object (task);
  Call *call = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *authorization = NULL;
  char *token;
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  token = passport_session_get_access_token_finish (PASSPORT_SESSION (source), result, &error);
  if (token == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The session takes no other, but a CR LF here would be a header
   * injection (and libsoup would send the request without the header). */
  if (!passport_token_is_b64token (token))
    {
      passport_secure_free (token);
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                               "Access token with a character a Bearer token may not hold");
      return;
    }

  msg = passport_http_new_json_request (call->method, call->url, call->body, &error);
  if (msg == NULL)
    {
      passport_secure_free (token);
      g_task_return_error (task, error);
      return;
    }

  authorization = g_strconcat ("Bearer ", token, NULL);
  passport_secure_free (token);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                authorization);
  explicit_bzero (authorization, strlen (authorization));

  passport_http_send_async (passport_server_get_session (passport_session_get_server (self->session)),
                            msg, call->timeout, self->cancellable, cancellable,
                            call_sent_cb, g_steal_pointer (&task));
}

static void
call_get_token (GTask *task)
{
  PassportClient *self = g_task_get_source_object (task);

  passport_session_get_access_token_async (self->session, g_task_get_cancellable (task),
                                           call_token_cb, task);
}

static void
call_start (PassportClient      *self,
            const char          *method,
            const char          *path,
            GString             *body,
            guint                timeout,
            AnswerKind           kind,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  PassportServer *server = passport_session_get_server (self->session);
  Call *call;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);

  call = g_new0 (Call, 1);
  call->method = g_strdup (method);
  call->kind = kind;
  call->timeout = timeout;
  if (body != NULL)
    call->body = passport_http_wiping_bytes_new (body);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);

  if (kind == ANSWER_USERINFO)
    {
      if (passport_server_get_userinfo_endpoint (server) == NULL)
        {
          g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_NOT_SUPPORTED, "%s",
                                   passport_error_code_describe (PASSPORT_ERROR_NOT_SUPPORTED));
          return;
        }
      call->url = g_strdup (passport_server_get_userinfo_endpoint (server));
    }
  else
    {
      if (!passport_server_has_account_api (server))
        {
          g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_NOT_SUPPORTED, "%s",
                                   passport_error_code_describe (PASSPORT_ERROR_NOT_SUPPORTED));
          return;
        }
      call->url = g_strconcat (passport_server_get_api_endpoint (server), path, NULL);
    }

  call_get_token (g_steal_pointer (&task));
}

/* Builds a JSON object of string members from NULL-ended pairs. */
static GString *
json_body (const char *first_name,
           ...)
{
  GString *out = g_string_sized_new (128);
  const char *name;
  va_list args;

  g_string_append_c (out, '{');
  va_start (args, first_name);
  for (name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (out->len > 1)
        g_string_append_c (out, ',');
      passport_http_append_json_string (out, name);
      g_string_append_c (out, ':');
      passport_http_append_json_string (out, value);
    }
  va_end (args);
  g_string_append_c (out, '}');

  return out;
}

static PassportAccount *
finish_account (PassportClient  *self,
                GAsyncResult    *result,
                guint           *status,
                GError         **error)
{
  CallResult *call_result;
  PassportAccount *account;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  call_result = g_task_propagate_pointer (G_TASK (result), error);
  if (call_result == NULL)
    return NULL;
  if (status != NULL)
    *status = call_result->status;
  account = g_steal_pointer (&call_result->account);
  call_result_free (call_result);
  return account;
}

/* The calls */

void
passport_client_get_me_async (PassportClient      *self,
                              guint                wait_seconds,
                              gint64               after_revision,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autofree char *path = NULL;
  guint timeout = 0;

  g_return_if_fail (PASSPORT_IS_CLIENT (self));

  if (wait_seconds > 0)
    {
      wait_seconds = MIN (wait_seconds, MAX_WAIT_SECONDS);
      path = g_strdup_printf ("/me?wait=%u&after_revision=%" G_GINT64_FORMAT,
                              wait_seconds, after_revision);
      timeout = wait_seconds + PASSPORT_HTTP_LONG_POLL_EXTRA_SECONDS;
    }
  else
    path = g_strdup ("/me");

  call_start (self, SOUP_METHOD_GET, path, NULL, timeout, ANSWER_ACCOUNT,
              passport_client_get_me_async, cancellable, callback, user_data);
}

PassportAccount *
passport_client_get_me_finish (PassportClient  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  return finish_account (self, result, NULL, error);
}

void
passport_client_accept_terms_async (PassportClient      *self,
                                    const char          *version,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));
  g_return_if_fail (version != NULL);

  call_start (self, SOUP_METHOD_POST, "/me/terms", json_body ("version", version, NULL), 0,
              ANSWER_ACCOUNT, passport_client_accept_terms_async, cancellable, callback,
              user_data);
}

PassportAccount *
passport_client_accept_terms_finish (PassportClient  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  return finish_account (self, result, NULL, error);
}

void
passport_client_bind_email_async (PassportClient      *self,
                                  const char          *email,
                                  const char          *password,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));
  g_return_if_fail (email != NULL);
  g_return_if_fail (password != NULL);

  call_start (self, SOUP_METHOD_POST, "/me/email",
              json_body ("email", email, "password", password, NULL), 0,
              ANSWER_ACCOUNT, passport_client_bind_email_async, cancellable, callback,
              user_data);
}

PassportAccount *
passport_client_bind_email_finish (PassportClient  *self,
                                   GAsyncResult    *result,
                                   gboolean        *needs_confirmation,
                                   GError         **error)
{
  guint status = 0;
  PassportAccount *account = finish_account (self, result, &status, error);

  if (needs_confirmation != NULL)
    *needs_confirmation = account != NULL && status == SOUP_STATUS_ACCEPTED;
  return account;
}

void
passport_client_resend_confirmation_async (PassportClient      *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));

  call_start (self, SOUP_METHOD_POST, "/me/email/resend", NULL, 0, ANSWER_ACCOUNT,
              passport_client_resend_confirmation_async, cancellable, callback, user_data);
}

PassportAccount *
passport_client_resend_confirmation_finish (PassportClient  *self,
                                            GAsyncResult    *result,
                                            GError         **error)
{
  return finish_account (self, result, NULL, error);
}

void
passport_client_cancel_pending_email_async (PassportClient      *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));

  call_start (self, SOUP_METHOD_DELETE, "/me/email/pending", NULL, 0, ANSWER_ACCOUNT,
              passport_client_cancel_pending_email_async, cancellable, callback, user_data);
}

PassportAccount *
passport_client_cancel_pending_email_finish (PassportClient  *self,
                                             GAsyncResult    *result,
                                             GError         **error)
{
  return finish_account (self, result, NULL, error);
}

void
passport_client_change_email_async (PassportClient      *self,
                                    const char          *new_email,
                                    const char          *current_password,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));
  g_return_if_fail (new_email != NULL);
  g_return_if_fail (current_password != NULL);

  call_start (self, SOUP_METHOD_PUT, "/me/email",
              json_body ("email", new_email, "password", current_password, NULL), 0,
              ANSWER_ACCOUNT, passport_client_change_email_async, cancellable, callback,
              user_data);
}

PassportAccount *
passport_client_change_email_finish (PassportClient  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  return finish_account (self, result, NULL, error);
}

void
passport_client_change_password_async (PassportClient      *self,
                                       const char          *current_password,
                                       const char          *new_password,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));
  g_return_if_fail (current_password != NULL);
  g_return_if_fail (new_password != NULL);

  call_start (self, SOUP_METHOD_POST, "/me/password",
              json_body ("current_password", current_password,
                         "new_password", new_password, NULL), 0,
              ANSWER_NONE, passport_client_change_password_async, cancellable, callback,
              user_data);
}

/* A call whose answer has no body worth reading. */
static gboolean
finish_none (PassportClient  *self,
             GAsyncResult    *result,
             GError         **error)
{
  CallResult *call_result;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  call_result = g_task_propagate_pointer (G_TASK (result), error);
  if (call_result == NULL)
    return FALSE;
  call_result_free (call_result);
  return TRUE;
}

gboolean
passport_client_change_password_finish (PassportClient  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  return finish_none (self, result, error);
}

void
passport_client_get_userinfo_async (PassportClient      *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));

  call_start (self, SOUP_METHOD_GET, NULL, NULL, 0, ANSWER_USERINFO,
              passport_client_get_userinfo_async, cancellable, callback, user_data);
}

PassportAccount *
passport_client_get_userinfo_finish (PassportClient  *self,
                                     GAsyncResult    *result,
                                     GError         **error)
{
  return finish_account (self, result, NULL, error);
}

/* Two-step sign-in and app passwords (contract 8.2, 8.4) ------------------------ */

static const char *
proof_member (PassportProofKind kind)
{
  switch (kind)
    {
    case PASSPORT_PROOF_PASSWORD:
      return "password";
    case PASSPORT_PROOF_OTP:
      return "otp";
    case PASSPORT_PROOF_RECOVERY_CODE:
      return "recovery_code";
    case PASSPORT_PROOF_NONE:
    default:
      return NULL;
    }
}

char *
passport_otp_code_normalize (const char *code)
{
  GString *out;

  g_return_val_if_fail (code != NULL, NULL);

  out = g_string_sized_new (8);
  for (const char *p = code; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* A body with the proof member (if any) and one more member (if any). */
static GString *
proof_body (PassportProofKind  kind,
            const char        *proof_in,
            const char        *name,
            const char        *value)
{
  const char *member = proof_member (kind);
  g_autoptr(PassportSecret) proof = NULL;

  if (proof_in != NULL)
    proof = kind == PASSPORT_PROOF_OTP ? passport_otp_code_normalize (proof_in) : g_strdup (proof_in);
  if (member != NULL && proof != NULL)
    return name != NULL ? json_body (member, proof, name, value, NULL)
                        : json_body (member, proof, NULL);
  return name != NULL ? json_body (name, value, NULL) : json_body (NULL);
}

/* Steals the JSON object of a finished ANSWER_JSON call. */
static JsonNode *
finish_json (PassportClient  *self,
             GAsyncResult    *result,
             GError         **error)
{
  CallResult *call_result;
  JsonNode *json;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  call_result = g_task_propagate_pointer (G_TASK (result), error);
  if (call_result == NULL)
    return NULL;
  json = g_steal_pointer (&call_result->json);
  call_result_free (call_result);
  return json;
}

void
passport_otp_setup_free (PassportOtpSetup *setup)
{
  if (setup == NULL)
    return;
  passport_secure_free (setup->secret);
  passport_secure_free (setup->otpauth_uri);
  g_clear_pointer (&setup->expires_at, g_date_time_unref);
  g_free (setup);
}

void
passport_client_otp_setup_async (PassportClient      *self,
                                 PassportProofKind    proof_kind,
                                 const char          *proof,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));

  call_start (self, SOUP_METHOD_POST, "/me/otp/setup",
              proof_body (proof_kind, proof, NULL, NULL), 0, ANSWER_JSON,
              passport_client_otp_setup_async, cancellable, callback, user_data);
}

PassportOtpSetup *
passport_client_otp_setup_finish (PassportClient  *self,
                                  GAsyncResult    *result,
                                  GError         **error)
{
  g_autoptr(JsonNode) json = finish_json (self, result, error);
  g_autoptr(PassportOtpSetup) setup = NULL;
  JsonObject *object;

  if (json == NULL)
    return NULL;
  object = json_node_get_object (json);
  setup = g_new0 (PassportOtpSetup, 1);
  if (!passport_json_require_string (object, "secret", &setup->secret, error) ||
      !passport_json_require_string (object, "otpauth_uri", &setup->otpauth_uri, error) ||
      !passport_json_require_datetime (object, "expires_at", &setup->expires_at, error))
    return NULL;

  /* The secret is typed into an authenticator app: base32 (RFC 4648). */
  if (*setup->secret == '\0' ||
      strspn (setup->secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != strlen (setup->secret) ||
      !g_str_has_prefix (setup->otpauth_uri, "otpauth://totp/"))
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "The two-step set-up has no usable secret or otpauth URI");
      return NULL;
    }

  return g_steal_pointer (&setup);
}

/* {"recovery_codes": [strings]}, each non-empty. */
static char **
finish_recovery_codes (PassportClient  *self,
                       GAsyncResult    *result,
                       GError         **error)
{
  g_autoptr(JsonNode) json = finish_json (self, result, error);
  char **codes = NULL;

  if (json == NULL)
    return NULL;
  if (!passport_json_optional_strv (json_node_get_object (json), "recovery_codes", &codes, error))
    return NULL;
  if (codes == NULL || codes[0] == NULL)
    {
      passport_secure_strfreev (codes);
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "The answer has no recovery codes");
      return NULL;
    }
  for (char **p = codes; *p != NULL; p++)
    if (**p == '\0')
      {
        passport_secure_strfreev (codes);
        g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                             "An empty recovery code");
        return NULL;
      }
  return codes;
}

void
passport_client_otp_confirm_async (PassportClient      *self,
                                   const char          *code,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));
  g_return_if_fail (code != NULL);

  {
    g_autoptr(PassportSecret) digits = passport_otp_code_normalize (code);

    call_start (self, SOUP_METHOD_POST, "/me/otp/confirm", json_body ("otp", digits, NULL), 0,
                ANSWER_JSON, passport_client_otp_confirm_async, cancellable, callback, user_data);
  }
}

char **
passport_client_otp_confirm_finish (PassportClient  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  return finish_recovery_codes (self, result, error);
}

void
passport_client_new_recovery_codes_async (PassportClient      *self,
                                          PassportProofKind    proof_kind,
                                          const char          *proof,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));

  call_start (self, SOUP_METHOD_POST, "/me/otp/recovery-codes",
              proof_body (proof_kind, proof, NULL, NULL), 0, ANSWER_JSON,
              passport_client_new_recovery_codes_async, cancellable, callback, user_data);
}

char **
passport_client_new_recovery_codes_finish (PassportClient  *self,
                                           GAsyncResult    *result,
                                           GError         **error)
{
  return finish_recovery_codes (self, result, error);
}

void
passport_client_otp_disable_async (PassportClient      *self,
                                   PassportProofKind    proof_kind,
                                   const char          *proof,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));

  call_start (self, SOUP_METHOD_DELETE, "/me/otp", proof_body (proof_kind, proof, NULL, NULL), 0,
              ANSWER_ACCOUNT, passport_client_otp_disable_async, cancellable, callback,
              user_data);
}

PassportAccount *
passport_client_otp_disable_finish (PassportClient  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  return finish_account (self, result, NULL, error);
}

void
passport_client_list_app_passwords_async (PassportClient      *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));

  call_start (self, SOUP_METHOD_GET, "/me/app-passwords", NULL, 0, ANSWER_JSON,
              passport_client_list_app_passwords_async, cancellable, callback, user_data);
}

typedef gpointer (*ItemParser) (JsonObject *object, GError **error);

/* {"@member": [objects]} as a new GListModel of @type, each parsed
 * strictly by @parse; NULL with @error on the first bad one. */
static GListModel *
finish_list (PassportClient  *self,
             GAsyncResult    *result,
             const char      *member,
             GType            type,
             ItemParser       parse,
             GError         **error)
{
  g_autoptr(JsonNode) json = finish_json (self, result, error);
  g_autoptr(GListStore) store = NULL;
  JsonArray *items = NULL;

  if (json == NULL)
    return NULL;
  if (!passport_json_require_array (json_node_get_object (json), member, &items, error))
    return NULL;

  store = g_list_store_new (type);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      g_autoptr(GObject) item = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                       "Field “%s” holds something other than objects", member);
          return NULL;
        }
      item = parse (json_node_get_object (node), error);
      if (item == NULL)
        return NULL;
      g_list_store_append (store, item);
    }

  return G_LIST_MODEL (g_steal_pointer (&store));
}

GListModel *
passport_client_list_app_passwords_finish (PassportClient  *self,
                                           GAsyncResult    *result,
                                           GError         **error)
{
  return finish_list (self, result, "app_passwords", PASSPORT_TYPE_APP_PASSWORD,
                      (ItemParser) passport_app_password_new_from_json, error);
}

void
passport_client_create_app_password_async (PassportClient      *self,
                                           const char          *name,
                                           PassportProofKind    proof_kind,
                                           const char          *proof,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));
  g_return_if_fail (name != NULL);

  call_start (self, SOUP_METHOD_POST, "/me/app-passwords",
              proof_body (proof_kind, proof, "name", name), 0, ANSWER_JSON,
              passport_client_create_app_password_async, cancellable, callback, user_data);
}

PassportAppPassword *
passport_client_create_app_password_finish (PassportClient  *self,
                                            GAsyncResult    *result,
                                            char           **password,
                                            GError         **error)
{
  g_autoptr(JsonNode) json = finish_json (self, result, error);
  g_autoptr(PassportAppPassword) app_password = NULL;
  g_autoptr(PassportSecret) secret = NULL;
  JsonObject *object;

  if (json == NULL)
    return NULL;
  object = json_node_get_object (json);
  if (!passport_json_require_string (object, "password", &secret, error))
    return NULL;
  if (*secret == '\0')
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "The new app password is empty");
      return NULL;
    }
  app_password = passport_app_password_new_from_json (object, error);
  if (app_password == NULL)
    return NULL;

  if (password != NULL)
    *password = g_steal_pointer (&secret);
  return g_steal_pointer (&app_password);
}

/* An id in a path. The id may come from a user (passportctl). "." and ".."
 * stay as they are when escaped, and parsing the URL removes them as dot
 * segments: a DELETE would go to the list or to /me/ (the account!)
 * instead. No server issues such an id, so NULL: none is known. */
static char *
id_path (const char *prefix,
         const char *id)
{
  g_autofree char *escaped = NULL;

  if (*id == '\0' || g_str_equal (id, ".") || g_str_equal (id, ".."))
    return NULL;
  escaped = g_uri_escape_string (id, NULL, FALSE);
  return g_strconcat (prefix, escaped, NULL);
}

/* A call on one item, @prefix + @id; an id no path can carry is unknown
 * (NOT_FOUND) without a request. */
static void
call_start_on_id (PassportClient      *self,
                  const char          *method,
                  const char          *prefix,
                  const char          *id,
                  AnswerKind           kind,
                  gpointer             source_tag,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autofree char *path = id_path (prefix, id);

  if (path == NULL)
    {
      g_task_report_new_error (self, callback, user_data, source_tag,
                               PASSPORT_ERROR, PASSPORT_ERROR_NOT_FOUND, "%s",
                               passport_error_code_describe (PASSPORT_ERROR_NOT_FOUND));
      return;
    }
  call_start (self, method, path, NULL, 0, kind, source_tag, cancellable, callback, user_data);
}

void
passport_client_revoke_app_password_async (PassportClient      *self,
                                           const char          *id,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));
  g_return_if_fail (id != NULL);

  call_start_on_id (self, SOUP_METHOD_DELETE, "/me/app-passwords/", id, ANSWER_NONE,
                    passport_client_revoke_app_password_async, cancellable, callback, user_data);
}

gboolean
passport_client_revoke_app_password_finish (PassportClient  *self,
                                            GAsyncResult    *result,
                                            GError         **error)
{
  return finish_none (self, result, error);
}

/* Sessions (contract 9) and account deletion (contract 12) ----------------------- */

void
passport_client_list_sessions_async (PassportClient      *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));

  call_start (self, SOUP_METHOD_GET, "/me/sessions", NULL, 0, ANSWER_JSON,
              passport_client_list_sessions_async, cancellable, callback, user_data);
}

GListModel *
passport_client_list_sessions_finish (PassportClient  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  return finish_list (self, result, "sessions", PASSPORT_TYPE_SESSION_INFO,
                      (ItemParser) passport_session_info_new_from_json, error);
}

void
passport_client_revoke_session_async (PassportClient      *self,
                                      const char          *id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));
  g_return_if_fail (id != NULL);

  call_start_on_id (self, SOUP_METHOD_DELETE, "/me/sessions/", id, ANSWER_NONE,
                    passport_client_revoke_session_async, cancellable, callback, user_data);
}

gboolean
passport_client_revoke_session_finish (PassportClient  *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  return finish_none (self, result, error);
}

void
passport_client_revoke_other_sessions_async (PassportClient      *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));

  call_start (self, SOUP_METHOD_DELETE, "/me/sessions?others=true", NULL, 0, ANSWER_JSON,
              passport_client_revoke_other_sessions_async, cancellable, callback, user_data);
}

gboolean
passport_client_revoke_other_sessions_finish (PassportClient  *self,
                                              GAsyncResult    *result,
                                              guint           *revoked,
                                              GError         **error)
{
  g_autoptr(JsonNode) json = finish_json (self, result, error);
  gint64 count = 0;

  if (json == NULL)
    return FALSE;
  if (!passport_json_require_int (json_node_get_object (json), "revoked", &count, error))
    return FALSE;
  if (count < 0 || count > G_MAXUINT)
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "Field “revoked” is out of range");
      return FALSE;
    }
  if (revoked != NULL)
    *revoked = (guint) count;
  return TRUE;
}

void
passport_client_delete_account_async (PassportClient      *self,
                                      PassportProofKind    proof_kind,
                                      const char          *proof,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));

  call_start (self, SOUP_METHOD_DELETE, "/me", proof_body (proof_kind, proof, NULL, NULL), 0,
              ANSWER_NONE, passport_client_delete_account_async, cancellable, callback, user_data);
}

gboolean
passport_client_delete_account_finish (PassportClient  *self,
                                       GAsyncResult    *result,
                                       GError         **error)
{
  return finish_none (self, result, error);
}

/* Linked sign-in methods (contract 10) ------------------------------------------------ */

void
passport_client_link_identity_async (PassportClient      *self,
                                     const char          *provider,
                                     PassportProofKind    proof_kind,
                                     const char          *proof,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));
  g_return_if_fail (provider != NULL);

  call_start (self, SOUP_METHOD_POST, "/me/identities/link",
              proof_body (proof_kind, proof, "provider", provider), 0, ANSWER_JSON,
              passport_client_link_identity_async, cancellable, callback, user_data);
}

char *
passport_client_link_identity_finish (PassportClient  *self,
                                      GAsyncResult    *result,
                                      char           **id,
                                      guint           *seconds,
                                      GError         **error)
{
  g_autoptr(JsonNode) json = finish_json (self, result, error);
  g_autoptr(PassportSecret) link_url = NULL;
  g_autoptr(GDateTime) expires_at = NULL;
  g_autofree char *link_id = NULL;
  JsonObject *object;

  if (json == NULL)
    return NULL;
  object = json_node_get_object (json);
  if (!passport_json_require_string (object, "id", &link_id, error) ||
      !passport_json_require_string (object, "link_url", &link_url, error) ||
      !passport_json_optional_datetime (object, "expires_at", &expires_at, error))
    return NULL;
  /* Opened in the browser: only a URL a browser may be sent to safely. */
  if (*link_id == '\0' || !passport_server_url_is_secure (link_url))
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "The link to open is missing or not https");
      return NULL;
    }
  if (id != NULL)
    *id = g_steal_pointer (&link_id);
  if (seconds != NULL)
    {
      gint64 left = LINK_LIFETIME_SECONDS;

      if (expires_at != NULL)
        {
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          left = g_date_time_difference (expires_at, now) / G_TIME_SPAN_SECOND;
        }
      *seconds = (guint) CLAMP (left, 60, LINK_LIFETIME_SECONDS);
    }
  return g_steal_pointer (&link_url);
}

void
passport_client_unlink_identity_async (PassportClient      *self,
                                       const char          *provider,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (PASSPORT_IS_CLIENT (self));
  g_return_if_fail (provider != NULL);

  call_start_on_id (self, SOUP_METHOD_DELETE, "/me/identities/", provider, ANSWER_ACCOUNT,
                    passport_client_unlink_identity_async, cancellable, callback, user_data);
}

PassportAccount *
passport_client_unlink_identity_finish (PassportClient  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  return finish_account (self, result, NULL, error);
}
