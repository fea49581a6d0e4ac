/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "passport-error.h"
#include "passport-http-private.h"
#include "passport-json-private.h"
#include "passport-secure.h"
#include "passport-util-private.h"

#define READ_CHUNK 16384

static void
wipe_and_free_gstring (gpointer data)
{
  GString *string = data;

  explicit_bzero (string->str, string->allocated_len);
  g_string_free (string, TRUE);
}

void
passport_http_append_json_string (GString    *out,
                                  const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

GBytes *
passport_http_wiping_bytes_new (GString *string)
{
  return g_bytes_new_with_free_func (string->str, string->len,
                                     wipe_and_free_gstring, string);
}

char *
passport_http_accept_language (void)
{
  const char * const *names = g_get_language_names ();
  g_autoptr(GString) header = g_string_new (NULL);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  int q = 10;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *tag = NULL;

      /* Skip codeset and modifier variants and the C locale: they are not
       * language tags and repeat the plain entries. */
      if (strchr (names[i], '.') != NULL || strchr (names[i], '@') != NULL ||
          g_str_equal (names[i], "C") || g_str_equal (names[i], "POSIX"))
        continue;

      tag = g_strdelimit (g_strdup (names[i]), "_", '-');
      if (g_ptr_array_find_with_equal_func (seen, tag, g_str_equal, NULL))
        continue;

      if (header->len > 0)
        g_string_append (header, ", ");
      if (q == 10)
        g_string_append (header, tag);
      else
        g_string_append_printf (header, "%s;q=0.%d", tag, q);
      if (q > 1)
        q--;
      g_ptr_array_add (seen, g_steal_pointer (&tag));
    }

  if (header->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&header), FALSE);
}

guint
passport_http_default_timeout (void)
{
  const char *value = g_getenv ("PASSPORT_HTTP_TIMEOUT");
  guint64 seconds;

  /* For tests and slow links; the default suits an interactive app. */
  if (value != NULL && g_ascii_string_to_unsigned (value, 10, 1, 3600, &seconds, NULL))
    return (guint) seconds;
  return PASSPORT_HTTP_TIMEOUT_SECONDS;
}

/* GLib 2.74 (Debian 12) can deadlock when one thread initialises a class,
 * holding GType's class-init lock, while another registers a type that the
 * class needs and waits for that same lock. Seen in a test under ASan, 1
 * start in 59: the main thread in SoupSession's class_init waited for
 * GInetSocketAddress, which GDBus's thread, connecting for the keyring
 * check, was registering, and that thread waited in
 * g_type_add_interface_static() for the lock the main thread held. With
 * the address types registered and SoupSession's class made here first,
 * neither waits for the other. */
void
passport_http_ensure_types (void)
{
  g_type_ensure (G_TYPE_INET_ADDRESS);
  g_type_ensure (G_TYPE_INET_SOCKET_ADDRESS);
  g_type_ensure (G_TYPE_PROXY_ADDRESS);
  g_type_ensure (G_TYPE_SOCKET_CLIENT);
  /* A static type's class stays once made. */
  g_type_class_unref (g_type_class_ref (SOUP_TYPE_SESSION));
}

SoupSession *
passport_http_session_new (void)
{
  g_autofree char *accept_language = passport_http_accept_language ();
  SoupSession *session;

  /* The per-request deadline in passport_http_send_async() replaces
   * libsoup's I/O timeout, which would cut long polls. */
  session = soup_session_new_with_options ("timeout", 0,
                                           "idle-timeout", 60,
                                           "user-agent", "Passport/" PACKAGE_VERSION " ",
                                           NULL);
  if (accept_language != NULL)
    soup_session_set_accept_language (session, accept_language);

  return session;
}

static SoupMessage *
new_message (const char  *method,
             const char  *url,
             GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  SoupMessage *msg;

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "http") != 0))
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "The server published an invalid URL");
      return NULL;
    }

  msg = soup_message_new_from_uri (method, uri);
  /* Never follow a redirect: a 307 from the token endpoint would resend
   * the password or refresh token wherever it points, possibly in the
   * clear. No answer of the contract is a redirect. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  return msg;
}

SoupMessage *
passport_http_new_form_post (const char  *url,
                             GError     **error,
                             const char  *first_name,
                             ...)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GString *body;
  const char *name;
  va_list args;

  msg = new_message (SOUP_METHOD_POST, url, error);
  if (msg == NULL)
    return NULL;

  body = g_string_sized_new (256);
  va_start (args, first_name);
  for (name = first_name; name != NULL; name = va_arg (args, const char *))
    {
      const char *value = va_arg (args, const char *);

      if (value == NULL)
        continue;
      if (body->len > 0)
        g_string_append_c (body, '&');
      g_string_append_uri_escaped (body, name, NULL, FALSE);
      g_string_append_c (body, '=');
      g_string_append_uri_escaped (body, value, NULL, FALSE);
    }
  va_end (args);

  bytes = passport_http_wiping_bytes_new (body);
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);

  return g_steal_pointer (&msg);
}

SoupMessage *
passport_http_new_json_request (const char  *method,
                                const char  *url,
                                GBytes      *body,
                                GError     **error)
{
  g_autoptr(SoupMessage) msg = NULL;

  msg = new_message (method, url, error);
  if (msg == NULL)
    return NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Accept", "application/json");
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/json", body);

  return g_steal_pointer (&msg);
}

GError *
passport_http_map_transport_error (const GError *error)
{
  PassportErrorCode code = PASSPORT_ERROR_UNREACHABLE;
  GError *mapped;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      error->domain == PASSPORT_ERROR)
    return g_error_copy (error);

  if (error->domain == G_TLS_ERROR)
    code = PASSPORT_ERROR_TLS;
  else if (error->domain == G_RESOLVER_ERROR)
    code = PASSPORT_ERROR_UNREACHABLE;
  else if (error->domain == SOUP_SESSION_ERROR)
    code = PASSPORT_ERROR_BAD_RESPONSE;
  else if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_TIMED_OUT:
          code = PASSPORT_ERROR_TIMEOUT;
          break;
        case G_IO_ERROR_NETWORK_UNREACHABLE:
          code = PASSPORT_ERROR_OFFLINE;
          break;
        case G_IO_ERROR_PARTIAL_INPUT:
        case G_IO_ERROR_INVALID_DATA:
        case G_IO_ERROR_MESSAGE_TOO_LARGE:
          code = PASSPORT_ERROR_BAD_RESPONSE;
          break;
        default:
          code = PASSPORT_ERROR_UNREACHABLE;
          break;
        }
    }

  g_debug ("Transport error: %s", error->message);
  mapped = g_error_new_literal (PASSPORT_ERROR, code, passport_error_code_describe (code));
  return mapped;
}

static guint
parse_retry_after (SoupMessageHeaders *headers)
{
  const char *value;
  guint64 seconds;

  if (headers == NULL)
    return 0;
  value = soup_message_headers_get_one (headers, "Retry-After");
  if (value == NULL)
    return 0;

  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &seconds, NULL))
    return (guint) seconds;

  /* RFC 9110 also allows an HTTP date. */
  {
    g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (value);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    GTimeSpan diff;

    if (when == NULL)
      return 0;
    diff = g_date_time_difference (when, now);
    return diff > 0 ? (guint) ((diff + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
  }
}

GError *
passport_http_error_from_response (guint               status,
                                   SoupMessageHeaders *headers,
                                   JsonNode           *body)
{
  PassportErrorCode code = PASSPORT_ERROR_FAILED;
  JsonObject *object = NULL;
  GError *error;
  guint retry_after;

  if (body != NULL && JSON_NODE_HOLDS_OBJECT (body))
    {
      JsonNode *member;

      object = json_node_get_object (body);
      member = json_object_get_member (object, "error");
      if (member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
          json_node_get_value_type (member) == G_TYPE_STRING)
        code = passport_error_code_from_string (json_node_get_string (member));
    }

  if (code == PASSPORT_ERROR_FAILED)
    {
      if (status == SOUP_STATUS_UNAUTHORIZED)
        code = PASSPORT_ERROR_INVALID_TOKEN;
      else if (status == 429)
        code = PASSPORT_ERROR_TOO_MANY_REQUESTS;
      else if (status >= 500)
        code = PASSPORT_ERROR_SERVER_ERROR;
      else if (status >= 300 && status < 400)
        code = PASSPORT_ERROR_BAD_RESPONSE;  /* redirects are not followed */
    }

  error = g_error_new_literal (PASSPORT_ERROR, code, passport_error_code_describe (code));

  /* The extra fields are details: a wrongly typed one is dropped rather
   * than turning a clear API error into BAD_RESPONSE. */
  retry_after = 0;
  if (object != NULL)
    {
      gint64 value;
      g_auto(GStrv) reasons = NULL;
      g_autofree char *version = NULL;

      if (passport_json_optional_int (object, "retry_after", 0, &value, NULL) && value > 0)
        retry_after = (guint) MIN (value, G_MAXUINT);
      if (passport_json_optional_strv (object, "reasons", &reasons, NULL) && reasons != NULL)
        passport_error_set_reasons (error, (const char * const *) reasons);
      if (passport_json_optional_int (object, "min_length", 0, &value, NULL) && value > 0)
        passport_error_set_min_length (error, (guint) MIN (value, G_MAXUINT));
      if (passport_json_optional_string (object, "version", &version, NULL) && version != NULL)
        passport_error_set_version (error, version);
      if (code == PASSPORT_ERROR_REAUTH_REQUIRED)
        {
          g_auto(GStrv) accepted = NULL;

          if (passport_json_optional_strv (object, "accepted", &accepted, NULL) && accepted != NULL)
            passport_error_set_accepted (error, (const char * const *) accepted);
        }
      if (code == PASSPORT_ERROR_MFA_REQUIRED)
        {
          g_autoptr(PassportSecret) mfa_token = NULL;
          gint64 expires_in = 0;

          /* Without its token the answer is useless: the caller sees
           * MFA_REQUIRED with no token and says the server is broken. */
          if (passport_json_optional_string (object, "mfa_token", &mfa_token, NULL) &&
              mfa_token != NULL && *mfa_token != '\0')
            {
              if (!passport_json_optional_int (object, "expires_in", 0, &expires_in, NULL) ||
                  expires_in < 0)
                expires_in = 0;
              passport_error_set_mfa_token (error, mfa_token, (guint) MIN (expires_in, 24 * 3600));
            }
        }
    }
  if (retry_after == 0)
    retry_after = parse_retry_after (headers);
  if (retry_after > 0)
    passport_error_set_retry_after (error, retry_after);

  return error;
}

/* The exchange of one request. */
typedef struct
{
  SoupSession *session;
  SoupMessage *msg;
  GCancellable *cancellable;   /* ours: cancelled by the caller's or the deadline */
  GCancellable *caller_cancellable;
  gulong caller_handler;
  GCancellable *owner_cancellable;  /* the object that started it going away */
  gulong owner_handler;
  GSource *deadline_source;
  gboolean timed_out;
  GInputStream *stream;
  GByteArray *body;
  guint status;
} Request;

static void
request_free (Request *req)
{
  if (req->caller_handler != 0)
    g_cancellable_disconnect (req->caller_cancellable, req->caller_handler);
  if (req->owner_handler != 0)
    g_cancellable_disconnect (req->owner_cancellable, req->owner_handler);
  g_clear_object (&req->owner_cancellable);
  passport_clear_source (&req->deadline_source);
  g_clear_object (&req->caller_cancellable);
  g_clear_object (&req->cancellable);
  g_clear_object (&req->stream);
  g_clear_object (&req->msg);
  g_clear_object (&req->session);
  g_clear_pointer (&req->body, g_byte_array_unref);
  g_free (req);
}

typedef struct
{
  guint status;
  JsonNode *json;
  GError *parse_error;  /* only an error for callers that want the body */
} Answer;

static void
answer_free (Answer *answer)
{
  g_clear_pointer (&answer->json, json_node_unref);
  g_clear_error (&answer->parse_error);
  g_free (answer);
}

static gboolean
deadline_cb (gpointer data)
{
  GTask *task = data;
  Request *req = g_task_get_task_data (task);

  passport_clear_source (&req->deadline_source);
  req->timed_out = TRUE;
  g_cancellable_cancel (req->cancellable);

  return G_SOURCE_REMOVE;
}

static void
return_error (GTask  *task,
              GError *error)
{
  Request *req = g_task_get_task_data (task);

  if (req->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_cancellable_is_cancelled (req->caller_cancellable))
    {
      g_error_free (error);
      error = g_error_new_literal (PASSPORT_ERROR, PASSPORT_ERROR_TIMEOUT,
                                   passport_error_code_describe (PASSPORT_ERROR_TIMEOUT));
    }
  else if (error->domain != PASSPORT_ERROR &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      GError *mapped = passport_http_map_transport_error (error);

      g_error_free (error);
      error = mapped;
    }

  g_task_return_error (task, error);
}

static void
finish_answer (GTask *task)
{
  Request *req = g_task_get_task_data (task);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  Answer *answer;

  g_input_stream_close (req->stream, NULL, NULL);

  if (req->body->len > 0)
    json = passport_json_parse_object ((const char *) req->body->data, req->body->len, &error);

  if (!SOUP_STATUS_IS_SUCCESSFUL (req->status))
    {
      /* An error answer that is not JSON still has a status to go by. */
      g_task_return_error (task,
                           passport_http_error_from_response (req->status,
                                                              soup_message_get_response_headers (req->msg),
                                                              json));
      return;
    }

  answer = g_new0 (Answer, 1);
  answer->status = req->status;
  answer->json = g_steal_pointer (&json);
  answer->parse_error = g_steal_pointer (&error);
  g_task_return_pointer (task, answer, (GDestroyNotify) answer_free);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      return_error (task, error);
      return;
    }

  if (g_bytes_get_size (chunk) == 0)
    {
      finish_answer (task);
      return;
    }

  if (req->body->len + g_bytes_get_size (chunk) > PASSPORT_HTTP_MAX_BODY)
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                               "%s", passport_error_code_describe (PASSPORT_ERROR_BAD_RESPONSE));
      return;
    }

  g_byte_array_append (req->body, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  g_input_stream_read_bytes_async (req->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   req->cancellable, read_cb, g_steal_pointer (&task));
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *req = g_task_get_task_data (task);
  GError *error = NULL;
  goffset length;

  req->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (req->stream == NULL)
    {
      return_error (task, error);
      return;
    }

  req->status = soup_message_get_status (req->msg);
  length = soup_message_headers_get_content_length (soup_message_get_response_headers (req->msg));
  if (length > PASSPORT_HTTP_MAX_BODY)
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                               "%s", passport_error_code_describe (PASSPORT_ERROR_BAD_RESPONSE));
      return;
    }

  g_input_stream_read_bytes_async (req->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   req->cancellable, read_cb, g_steal_pointer (&task));
}

static void
caller_cancelled_cb (GCancellable *caller,
                     gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

void
passport_http_send_async (SoupSession         *session,
                          SoupMessage         *msg,
                          guint                timeout_seconds,
                          GCancellable        *owner_cancellable,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *req;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (msg));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_http_send_async);

  req = g_new0 (Request, 1);
  req->session = g_object_ref (session);
  req->msg = g_object_ref (msg);
  req->cancellable = g_cancellable_new ();
  req->body = g_byte_array_new ();
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);

  if (cancellable != NULL)
    {
      req->caller_cancellable = g_object_ref (cancellable);
      req->caller_handler = g_cancellable_connect (cancellable,
                                                   G_CALLBACK (caller_cancelled_cb),
                                                   g_object_ref (req->cancellable),
                                                   g_object_unref);
    }

  if (owner_cancellable != NULL)
    {
      req->owner_cancellable = g_object_ref (owner_cancellable);
      req->owner_handler = g_cancellable_connect (owner_cancellable,
                                                  G_CALLBACK (caller_cancelled_cb),
                                                  g_object_ref (req->cancellable),
                                                  g_object_unref);
    }

  if (timeout_seconds == 0)
    timeout_seconds = passport_http_default_timeout ();
  req->deadline_source = passport_source_attach (g_timeout_source_new_seconds (timeout_seconds),
                                                 deadline_cb, task, NULL);

  soup_session_send_async (session, msg, G_PRIORITY_DEFAULT, req->cancellable,
                           send_cb, g_steal_pointer (&task));
}

gboolean
passport_http_send_finish (GAsyncResult  *result,
                           guint         *status,
                           JsonNode     **json,
                           GError       **error)
{
  GTask *task = G_TASK (result);
  Request *req = g_task_get_task_data (task);
  Answer *answer;

  if (status != NULL)
    *status = req->status;
  if (json != NULL)
    *json = NULL;

  answer = g_task_propagate_pointer (task, error);
  if (answer == NULL)
    return FALSE;

  if (json != NULL && answer->parse_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&answer->parse_error));
      answer_free (answer);
      return FALSE;
    }

  if (json != NULL)
    *json = g_steal_pointer (&answer->json);
  answer_free (answer);
  return TRUE;
}
