/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "passport-error.h"
#include "passport-loopback-private.h"
#include "passport-secure.h"
#include "passport-util-private.h"

/* A real callback URL is short: state, code and iss are tens of bytes.
 * Anything far longer is not ours. */
#define MAX_QUERY_LENGTH 4096

struct _PassportLoopback
{
  GObject parent_instance;

  SoupServer *server;
  char *redirect_uri;
  guint16 port;
  gboolean done;
  gboolean writing_final;  /* our last page is on its way to the browser */

  GTask *wait_task;
  char *expected_state;
  char *expected_iss;
  GSource *cancel_source;
};

G_DEFINE_FINAL_TYPE (PassportLoopback, passport_loopback, G_TYPE_OBJECT)

typedef enum
{
  PAGE_SUCCESS,
  PAGE_CANCELLED,
  PAGE_FAILED,
  PAGE_NOT_OURS,
} PageKind;

static char *
page_language (void)
{
  const char * const *names = g_get_language_names ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_equal (names[i], "C") || g_str_equal (names[i], "POSIX") ||
          strpbrk (names[i], "._@") != NULL)
        continue;
      return g_strdup (names[i]);
    }
  return g_strdup ("en");
}

static char *
build_page (PageKind kind)
{
  g_autofree char *lang = page_language ();
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;
  const char *css_class = kind == PAGE_SUCCESS ? "ok" : "error";

  switch (kind)
    {
    case PAGE_SUCCESS:
      title = g_markup_escape_text (_("You are signed in"), -1);
      text = g_markup_escape_text (_("You can return to Passport now and close this tab."), -1);
      break;
    case PAGE_CANCELLED:
      title = g_markup_escape_text (_("Sign-in cancelled"), -1);
      text = g_markup_escape_text (_("You can return to Passport and try again or choose another way to sign in."), -1);
      break;
    case PAGE_FAILED:
      title = g_markup_escape_text (_("Sign-in did not work"), -1);
      text = g_markup_escape_text (_("The server could not complete the sign-in. You can return to Passport and try again."), -1);
      break;
    case PAGE_NOT_OURS:
    default:
      title = g_markup_escape_text (_("This is not a sign-in in progress"), -1);
      text = g_markup_escape_text (_("Passport did not expect this page. You can close this tab and return to Passport."), -1);
      break;
    }

  /* Self-contained: no scripts, no external resources, colours that follow
   * the system's light or dark preference. */
  return g_strdup_printf ("<!DOCTYPE html>\n"
                          "<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                          "<meta name=\"color-scheme\" content=\"light dark\">"
                          "<title>Passport — %s</title>"
                          "<style>"
                          "body{margin:0;min-height:100vh;display:flex;align-items:center;"
                          "justify-content:center;font-family:Cantarell,system-ui,sans-serif;"
                          "background:#fafafb;color:#1e1e1e}"
                          "main{max-width:32em;padding:2em;text-align:center}"
                          "h1{font-size:1.6em;margin:0 0 .5em}"
                          ".ok h1{color:#1b7d46}.error h1{color:#c01c28}"
                          "@media (prefers-color-scheme: dark){"
                          "body{background:#1e1e1e;color:#ffffff}"
                          ".ok h1{color:#57e389}.error h1{color:#ff7b63}}"
                          "</style></head>"
                          "<body class=\"%s\"><main><h1>%s</h1><p>%s</p></main></body></html>\n",
                          lang, title, css_class, title, text);
}

static void
respond (SoupServerMessage *msg,
         guint              status,
         PageKind           kind)
{
  g_autofree char *page = build_page (kind);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  /* The address bar holds the code: keep it out of any Referer. */
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'");
  soup_message_headers_replace (headers, "Connection", "close");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    page, strlen (page));
}

static void
clear_wait (PassportLoopback *self)
{
  if (self->cancel_source != NULL)
    {
      g_source_destroy (self->cancel_source);
      g_clear_pointer (&self->cancel_source, g_source_unref);
    }
  passport_secure_clear (&self->expected_state);
  g_clear_pointer (&self->expected_iss, g_free);
}

static gboolean
disconnect_idle (gpointer data)
{
  PassportLoopback *self = data;

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  return G_SOURCE_REMOVE;
}

static void
final_message_finished_cb (SoupServerMessage *msg,
                           gpointer           data)
{
  /* Stop listening only once the browser has our page. */
  g_source_unref (passport_source_attach (g_idle_source_new (), disconnect_idle,
                                         g_object_ref (data), g_object_unref));
}

static void
complete (PassportLoopback *self,
          char             *code,
          GError           *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->wait_task);

  self->done = TRUE;
  clear_wait (self);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, code, (GDestroyNotify) passport_secure_free);
}

/* Answers the browser with our error page, then ends the wait with @code. */
static void
finish_with_error (PassportLoopback  *self,
                   SoupServerMessage *msg,
                   PassportErrorCode  code)
{
  respond (msg, SOUP_STATUS_BAD_REQUEST, PAGE_FAILED);
  self->writing_final = TRUE;
  g_signal_connect_data (msg, "finished", G_CALLBACK (final_message_finished_cb),
                         g_object_ref (self), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  complete (self, NULL, g_error_new_literal (PASSPORT_ERROR, code, passport_error_code_describe (code)));
}

static PassportErrorCode
callback_error_code (const char *value)
{
  PassportErrorCode code = passport_error_code_from_string (value);

  switch (code)
    {
    case PASSPORT_ERROR_ACCESS_DENIED:
    case PASSPORT_ERROR_INVALID_REQUEST:
    case PASSPORT_ERROR_SERVER_ERROR:
    case PASSPORT_ERROR_UNAUTHORIZED_CLIENT:
      return code;
    default:
      return PASSPORT_ERROR_FAILED;
    }
}

static gboolean
secret_equal (const char *a,
              const char *b)
{
  gsize len_a, len_b;
  guint8 diff = 0;

  if (a == NULL || b == NULL)
    return FALSE;
  len_a = strlen (a);
  len_b = strlen (b);
  if (len_a != len_b)
    return FALSE;
  /* Constant time: the state guards against forged callbacks. */
  for (gsize i = 0; i < len_a; i++)
    diff |= (guint8) (a[i] ^ b[i]);
  return diff == 0;
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  PassportLoopback *self = user_data;
  GUri *uri = soup_server_message_get_uri (msg);
  const char *raw_query = g_uri_get_query (uri);
  const char *state, *iss, *code, *error_value;

  /* Nothing here is logged with its query: it would hold the code. */
  if (self->done)
    {
      respond (msg, SOUP_STATUS_GONE, PAGE_NOT_OURS);
      return;
    }
  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_GET) != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "GET");
      respond (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, PAGE_NOT_OURS);
      return;
    }
  if (g_strcmp0 (path, "/callback") != 0)
    {
      respond (msg, SOUP_STATUS_NOT_FOUND, PAGE_NOT_OURS);
      return;
    }
  if (raw_query != NULL && strlen (raw_query) > MAX_QUERY_LENGTH)
    {
      respond (msg, SOUP_STATUS_REQUEST_URI_TOO_LONG, PAGE_NOT_OURS);
      return;
    }
  if (self->wait_task == NULL || query == NULL)
    {
      respond (msg, SOUP_STATUS_BAD_REQUEST, PAGE_NOT_OURS);
      return;
    }

  state = g_hash_table_lookup (query, "state");
  iss = g_hash_table_lookup (query, "iss");
  if (!secret_equal (state, self->expected_state))
    {
      /* Not the answer to our request (another tab, a stale link, a
       * forgery): ignored, so that it cannot end a sign-in in progress. */
      g_debug ("Loopback: ignored a callback that does not match the sign-in");
      respond (msg, SOUP_STATUS_BAD_REQUEST, PAGE_NOT_OURS);
      return;
    }
  if (self->expected_iss != NULL && g_strcmp0 (iss, self->expected_iss) != 0)
    {
      /* The answer to our own request, from the wrong issuer (RFC 9207 §2.4:
       * a mix-up). Refused, and the sign-in ends now: nothing else can
       * come, and the user should not wait for the timeout. */
      g_debug ("Loopback: refused a callback with a missing or wrong iss");
      finish_with_error (self, msg, PASSPORT_ERROR_ISSUER_MISMATCH);
      return;
    }

  error_value = g_hash_table_lookup (query, "error");
  code = g_hash_table_lookup (query, "code");
  if (error_value != NULL)
    {
      PassportErrorCode error_code = callback_error_code (error_value);

      respond (msg, SOUP_STATUS_OK,
               error_code == PASSPORT_ERROR_ACCESS_DENIED ? PAGE_CANCELLED : PAGE_FAILED);
      /* The message keeps the listener alive until the page is written, even
       * when the sign-in that owns it is dropped at once (an error page). */
      self->writing_final = TRUE;
  g_signal_connect_data (msg, "finished", G_CALLBACK (final_message_finished_cb),
                             g_object_ref (self), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
      complete (self, NULL,
                g_error_new_literal (PASSPORT_ERROR, error_code,
                                     passport_error_code_describe (error_code)));
      return;
    }
  if (code == NULL || *code == '\0')
    {
      /* Our state, but neither a code nor an error: a broken answer that
       * ends the sign-in rather than leaving it waiting. */
      finish_with_error (self, msg, PASSPORT_ERROR_BAD_RESPONSE);
      return;
    }

  respond (msg, SOUP_STATUS_OK, PAGE_SUCCESS);
  self->writing_final = TRUE;
  g_signal_connect_data (msg, "finished", G_CALLBACK (final_message_finished_cb),
                         g_object_ref (self), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  complete (self, g_strdup (code), NULL);
}

static void
passport_loopback_dispose (GObject *object)
{
  PassportLoopback *self = PASSPORT_LOOPBACK (object);

  if (self->wait_task != NULL)
    complete (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               "The sign-in listener went away"));
  clear_wait (self);
  if (self->server != NULL)
    {
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }

  G_OBJECT_CLASS (passport_loopback_parent_class)->dispose (object);
}

static void
passport_loopback_finalize (GObject *object)
{
  PassportLoopback *self = PASSPORT_LOOPBACK (object);

  g_free (self->redirect_uri);
  G_OBJECT_CLASS (passport_loopback_parent_class)->finalize (object);
}

static void
passport_loopback_class_init (PassportLoopbackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = passport_loopback_dispose;
  object_class->finalize = passport_loopback_finalize;
}

static void
passport_loopback_init (PassportLoopback *self)
{
}

PassportLoopback *
passport_loopback_new (GError **error)
{
  return passport_loopback_new_for_ports (0, 0, error);
}

PassportLoopback *
passport_loopback_new_for_ports (guint16   first,
                                 guint16   last,
                                 GError  **error)
{
  g_autoptr(PassportLoopback) self = g_object_new (PASSPORT_TYPE_LOOPBACK, NULL);
  g_autoptr(GError) local_error = NULL;
  gboolean listening = FALSE;
  GSList *uris;

  g_return_val_if_fail (first <= last, NULL);
  g_return_val_if_fail (first != 0 || last == 0, NULL);

  self->server = soup_server_new ("server-header", "Passport ", NULL);
  soup_server_add_handler (self->server, NULL, handle_request, self, NULL);

  /* 127.0.0.1 rather than localhost (RFC 8252 §8.3): no resolver, no
   * chance of another interface. Port 0: any free port (§7.3). */
  for (guint port = first; port <= last && !listening; port++)
    {
      g_clear_error (&local_error);
      listening = soup_server_listen_local (self->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                            &local_error);
      if (!listening && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        break;
    }
  if (!listening)
    {
      if (first != 0 && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_autofree char *message = NULL;

          if (first == last)
            message = g_strdup_printf (_("Port %u on this computer is in use by another program, so the sign-in "
                                         "cannot receive its answer there. Close that program or choose another port."),
                                       first);
          else
            message = g_strdup_printf (_("Ports %u–%u on this computer are all in use by other programs, so the "
                                         "sign-in cannot receive its answer there. Close one of them or choose other ports."),
                                       first, last);
          g_propagate_error (error, passport_error_new_for_user (PASSPORT_ERROR_FAILED, message));
        }
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  uris = soup_server_get_uris (self->server);
  if (uris == NULL)
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_FAILED,
                           "The sign-in listener has no address");
      return NULL;
    }
  self->port = (guint16) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  self->redirect_uri = g_strdup_printf ("http://127.0.0.1:%u/callback", self->port);

  return g_steal_pointer (&self);
}

const char *
passport_loopback_get_redirect_uri (PassportLoopback *self)
{
  g_return_val_if_fail (PASSPORT_IS_LOOPBACK (self), NULL);
  return self->redirect_uri;
}

guint16
passport_loopback_get_port (PassportLoopback *self)
{
  g_return_val_if_fail (PASSPORT_IS_LOOPBACK (self), 0);
  return self->port;
}

SoupServer *
passport_loopback_get_server (PassportLoopback *self)
{
  g_return_val_if_fail (PASSPORT_IS_LOOPBACK (self), NULL);
  return self->server;
}

static gboolean
wait_cancelled_cb (GCancellable *cancellable,
                   gpointer      data)
{
  PassportLoopback *self = data;

  if (self->wait_task != NULL)
    {
      complete (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "Sign-in cancelled"));
      passport_loopback_close (self);
    }
  return G_SOURCE_REMOVE;
}

void
passport_loopback_wait_async (PassportLoopback    *self,
                              const char          *expected_state,
                              const char          *expected_iss,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PASSPORT_IS_LOOPBACK (self));
  g_return_if_fail (expected_state != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_loopback_wait_async);

  if (self->done || self->server == NULL)
    {
      g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_FAILED,
                               "The sign-in listener has finished");
      return;
    }
  if (self->wait_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "Already waiting for a sign-in");
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  self->expected_state = g_strdup (expected_state);
  self->expected_iss = g_strdup (expected_iss);
  self->wait_task = g_steal_pointer (&task);

  if (cancellable != NULL)
    {
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (wait_cancelled_cb), self, NULL);
      g_source_attach (self->cancel_source, g_task_get_context (self->wait_task));
    }
}

char *
passport_loopback_wait_finish (PassportLoopback  *self,
                               GAsyncResult      *result,
                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
passport_loopback_close (PassportLoopback *self)
{
  g_return_if_fail (PASSPORT_IS_LOOPBACK (self));

  self->done = TRUE;
  /* Our last page first; the message's "finished" handler disconnects. */
  if (self->server != NULL && !self->writing_final)
    soup_server_disconnect (self->server);
}
