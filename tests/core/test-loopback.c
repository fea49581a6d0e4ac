/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The loopback listener against real HTTP clients (libsoup, and raw
 * sockets for requests libsoup would not send). The clients run in a
 * thread, blocking, while the main loop serves. */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "passport-core.h"

#define STATE "s7aTe-OF-this-sign-in"
#define ISS "https://passport.example"

typedef struct
{
  guint16 port;
  char *method;
  char *path;        /* with query */
  char *raw;         /* when set: sent as is over a socket */
  guint status;
  char *body;
  char *referrer_policy;
  GError *error;
  gint done;
} Request;

static void
request_free (Request *req)
{
  g_free (req->method);
  g_free (req->path);
  g_free (req->raw);
  g_free (req->body);
  g_free (req->referrer_policy);
  g_clear_error (&req->error);
  g_free (req);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static gpointer
request_thread (gpointer data)
{
  Request *req = data;

  if (req->raw != NULL)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) conn = NULL;
      g_autoptr(GString) answer = g_string_new (NULL);

      conn = g_socket_client_connect_to_host (client, "127.0.0.1", req->port, NULL, &req->error);
      if (conn != NULL)
        {
          GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
          GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
          char buffer[4096];
          gssize n;

          /* The server may hang up before reading it all: that is an
           * answer too. */
          g_output_stream_write_all (out, req->raw, strlen (req->raw), NULL, NULL, NULL);
          while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL)) > 0)
            g_string_append_len (answer, buffer, n);
          if (g_str_has_prefix (answer->str, "HTTP/1.1 ") && answer->len >= 12)
            req->status = (guint) g_ascii_strtoull (answer->str + 9, NULL, 10);
          req->body = g_string_free (g_steal_pointer (&answer), FALSE);
        }
    }
  else
    {
      g_autoptr(SoupSession) session = soup_session_new ();
      g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", req->port, req->path);
      g_autoptr(SoupMessage) msg = soup_message_new (req->method, url);
      g_autoptr(GBytes) bytes = NULL;

      bytes = soup_session_send_and_read (session, msg, NULL, &req->error);
      if (bytes != NULL)
        {
          req->status = soup_message_get_status (msg);
          req->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
          req->referrer_policy =
            g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                    "Referrer-Policy"));
        }
    }

  g_atomic_int_set (&req->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static Request *
run (Request *req)
{
  GThread *thread = g_thread_new ("client", request_thread, req);

  while (!g_atomic_int_get (&req->done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
  return req;
}

static Request *
get (PassportLoopback *loopback,
     const char       *method,
     const char       *path)
{
  Request *req = g_new0 (Request, 1);

  req->port = passport_loopback_get_port (loopback);
  req->method = g_strdup (method);
  req->path = g_strdup (path);
  return run (req);
}

static Request *
raw (guint16     port,
     const char *text)
{
  Request *req = g_new0 (Request, 1);

  req->port = port;
  req->raw = g_strdup (text);
  return run (req);
}

typedef struct
{
  gboolean done;
  char *code;
  GError *error;
} Waited;

static void
waited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Waited *w = data;

  w->code = passport_loopback_wait_finish (PASSPORT_LOOPBACK (source), result, &w->error);
  w->done = TRUE;
}

static void
spin (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
assert_not_listening (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;

  spin ();
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_null (conn);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_redirect_uri (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportLoopback) loopback = passport_loopback_new (&error);
  g_autofree char *expected = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (passport_loopback_get_port (loopback), >, 0);
  expected = g_strdup_printf ("http://127.0.0.1:%u/callback", passport_loopback_get_port (loopback));
  g_assert_cmpstr (passport_loopback_get_redirect_uri (loopback), ==, expected);
}

static void
test_success (void)
{
  g_autoptr(PassportLoopback) loopback = passport_loopback_new (NULL);
  g_autoptr(Request) req = NULL;
  g_autoptr(Request) again = NULL;
  guint16 port = passport_loopback_get_port (loopback);
  Waited w = { 0 };

  passport_loopback_wait_async (loopback, STATE, ISS, NULL, waited_cb, &w);
  req = get (loopback, "GET", "/callback?code=the-code&state=" STATE "&iss=https%3A%2F%2Fpassport.example");
  g_assert_no_error (req->error);
  g_assert_cmpuint (req->status, ==, 200);
  g_assert_nonnull (strstr (req->body, "You can return to Passport"));
  g_assert_nonnull (strstr (req->body, "prefers-color-scheme: dark"));
  g_assert_null (strstr (req->body, "the-code"));
  g_assert_cmpstr (req->referrer_policy, ==, "no-referrer");

  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (w.error);
  g_assert_cmpstr (w.code, ==, "the-code");
  g_free (w.code);

  /* One shot: the duplicate finds nobody listening. */
  assert_not_listening (port);
  again = raw (port, "GET /callback?code=x&state=" STATE " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  g_assert_nonnull (again->error);
}

/* Every request here must be refused with @status and leave the wait
 * going; a correct callback afterwards still works. */
static void
check_ignored (const char *method,
               const char *path,
               guint       status)
{
  g_autoptr(PassportLoopback) loopback = passport_loopback_new (NULL);
  g_autoptr(Request) bad = NULL;
  g_autoptr(Request) good = NULL;
  Waited w = { 0 };

  passport_loopback_wait_async (loopback, STATE, ISS, NULL, waited_cb, &w);
  bad = get (loopback, method, path);
  g_assert_no_error (bad->error);
  g_assert_cmpuint (bad->status, ==, status);
  if (g_strcmp0 (method, "HEAD") != 0)
    g_assert_nonnull (strstr (bad->body, "not a sign-in in progress"));
  spin ();
  g_assert_false (w.done);

  good = get (loopback, "GET", "/callback?state=" STATE "&code=ok&iss=" ISS);
  g_assert_cmpuint (good->status, ==, 200);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (w.error);
  g_assert_cmpstr (w.code, ==, "ok");
  g_free (w.code);
}

static void
test_wrong_state (void)
{
  check_ignored ("GET", "/callback?code=c&state=forged&iss=" ISS, 400);
  check_ignored ("GET", "/callback?code=c&iss=" ISS, 400);
  check_ignored ("GET", "/callback?code=c&state=" STATE "x&iss=" ISS, 400);
  /* a wrong state with an error must not end the sign-in either */
  check_ignored ("GET", "/callback?error=access_denied&state=forged&iss=" ISS, 400);
}

/* The answer to this sign-in (its state) that must be refused: the
 * browser gets our error page, and the wait ends at once with @code
 * rather than running into the browser timeout. */
static void
check_refused (const char *path,
               int         code)
{
  g_autoptr(PassportLoopback) loopback = passport_loopback_new (NULL);
  g_autoptr(Request) req = NULL;
  Waited w = { 0 };

  passport_loopback_wait_async (loopback, STATE, ISS, NULL, waited_cb, &w);
  req = get (loopback, "GET", path);
  g_assert_no_error (req->error);
  g_assert_cmpuint (req->status, ==, 400);
  g_assert_nonnull (strstr (req->body, "did not work"));
  g_assert_null (strstr (req->body, "code=c"));
  spin ();
  g_assert_true (w.done);
  g_assert_null (w.code);
  g_assert_error (w.error, PASSPORT_ERROR, code);
  g_clear_error (&w.error);
  assert_not_listening (passport_loopback_get_port (loopback));
}

static void
test_wrong_iss (void)
{
  check_refused ("/callback?code=c&state=" STATE "&iss=https%3A%2F%2Fevil.example",
                 PASSPORT_ERROR_ISSUER_MISMATCH);
  check_refused ("/callback?code=c&state=" STATE, PASSPORT_ERROR_ISSUER_MISMATCH);
  /* With another state it is not our answer: ignored. */
  check_ignored ("GET", "/callback?code=c&state=other&iss=https%3A%2F%2Fevil.example", 400);
}

static void
test_missing_code (void)
{
  check_refused ("/callback?state=" STATE "&iss=" ISS, PASSPORT_ERROR_BAD_RESPONSE);
  check_refused ("/callback?code=&state=" STATE "&iss=" ISS, PASSPORT_ERROR_BAD_RESPONSE);
  check_ignored ("GET", "/callback", 400);
}

/* @count consecutive free ports; returns the first. */
static guint16
free_ports (guint count)
{
  for (guint attempt = 0; attempt < 50; attempt++)
    {
      g_autoptr(GSocketListener) probe = g_socket_listener_new ();
      guint16 first = g_socket_listener_add_any_inet_port (probe, NULL, NULL);
      gboolean ok = first != 0 && first + count <= G_MAXUINT16;

      g_socket_listener_close (probe);
      for (guint i = 0; ok && i < count; i++)
        {
          g_autoptr(GSocketListener) l = g_socket_listener_new ();
          g_autoptr(GInetAddress) any = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
          g_autoptr(GSocketAddress) address = g_inet_socket_address_new (any, first + i);

          ok = g_socket_listener_add_address (l, address, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, NULL, NULL, NULL);
          g_socket_listener_close (l);
        }
      if (ok)
        return first;
    }
  g_assert_not_reached ();
}

static GSocketListener *
occupy (guint16 port)
{
  GSocketListener *l = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (l, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, NULL, &error);
  g_assert_no_error (error);
  return l;
}

static void
test_port_range (void)
{
  guint16 first = free_ports (3);
  g_autoptr(GSocketListener) busy = NULL;
  g_autoptr(GSocketListener) busy2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  /* A fixed port. */
  {
    g_autoptr(PassportLoopback) loopback = passport_loopback_new_for_ports (first, first, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (passport_loopback_get_port (loopback), ==, first);
    expected = g_strdup_printf ("http://127.0.0.1:%u/callback", first);
    g_assert_cmpstr (passport_loopback_get_redirect_uri (loopback), ==, expected);
  }

  /* The first one busy: the next one. */
  busy = occupy (first);
  {
    g_autoptr(PassportLoopback) loopback = passport_loopback_new_for_ports (first, first + 2, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (passport_loopback_get_port (loopback), ==, first + 1);
  }

  /* All busy: a clear error that names them. */
  busy2 = occupy (first + 1);
  {
    g_autoptr(PassportLoopback) loopback = passport_loopback_new_for_ports (first, first + 1, &error);
    g_autofree char *range = g_strdup_printf ("%u–%u", first, first + 1);

    g_assert_null (loopback);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, range));
    g_clear_error (&error);
  }
  {
    g_autoptr(PassportLoopback) loopback = passport_loopback_new_for_ports (first, first, &error);
    g_autofree char *port = g_strdup_printf ("Port %u ", first);

    g_assert_null (loopback);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, port));
    g_clear_error (&error);
  }
  g_socket_listener_close (busy);
  g_socket_listener_close (busy2);
}

static void
test_port_parse (void)
{
  guint16 first = 1, last = 1;
  const char *bad[] = { "", "0", "65536", "80-70", "8065-9000", "x", "8065-", "-8065", "1-2-3", "80 81" };

  g_assert_true (passport_redirect_ports_parse ("8065", &first, &last, NULL));
  g_assert_cmpuint (first, ==, 8065);
  g_assert_cmpuint (last, ==, 8065);
  g_assert_true (passport_redirect_ports_parse ("8065-8070", &first, &last, NULL));
  g_assert_cmpuint (first, ==, 8065);
  g_assert_cmpuint (last, ==, 8070);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (passport_redirect_ports_parse (bad[i], &first, &last, &error));
      g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_FAILED);
    }
}

static void
test_odd_paths (void)
{
  check_ignored ("GET", "/", 404);
  check_ignored ("GET", "/favicon.ico", 404);
  check_ignored ("GET", "/callback/extra?code=c&state=" STATE "&iss=" ISS, 404);
  check_ignored ("GET", "/callbackx?code=c&state=" STATE "&iss=" ISS, 404);
}

static void
test_non_get (void)
{
  check_ignored ("POST", "/callback?code=c&state=" STATE "&iss=" ISS, 405);
  check_ignored ("PUT", "/callback?code=c&state=" STATE "&iss=" ISS, 405);
  check_ignored ("DELETE", "/callback?code=c&state=" STATE "&iss=" ISS, 405);
  check_ignored ("HEAD", "/callback?code=c&state=" STATE "&iss=" ISS, 405);
}

static void
test_oversized (void)
{
  g_autoptr(PassportLoopback) loopback = passport_loopback_new (NULL);
  g_autoptr(GString) path = g_string_new ("/callback?code=c&state=" STATE "&iss=" ISS "&pad=");
  g_autoptr(GString) header = g_string_new ("GET /callback?code=c&state=" STATE " HTTP/1.1\r\n"
                                            "Host: 127.0.0.1\r\nX-Pad: ");
  g_autoptr(Request) long_query = NULL;
  g_autoptr(Request) huge_header = NULL;
  g_autoptr(Request) garbage = NULL;
  g_autoptr(Request) good = NULL;
  guint16 port = passport_loopback_get_port (loopback);
  Waited w = { 0 };

  passport_loopback_wait_async (loopback, STATE, ISS, NULL, waited_cb, &w);

  for (guint i = 0; i < 8192; i++)
    g_string_append_c (path, 'a');
  long_query = get (loopback, "GET", path->str);
  g_assert_cmpuint (long_query->status, ==, 414);

  /* A request far larger than any browser sends: refused or hung up on. */
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (header, 'b');
  g_string_append (header, "\r\n\r\n");
  huge_header = raw (port, header->str);
  g_assert_true (huge_header->status == 0 || huge_header->status >= 400);

  garbage = raw (port, "\x16\x03\x01 this is not HTTP\r\n\r\n");
  g_assert_true (garbage->status == 0 || garbage->status >= 400);

  spin ();
  g_assert_false (w.done);

  good = get (loopback, "GET", "/callback?state=" STATE "&code=ok&iss=" ISS);
  g_assert_cmpuint (good->status, ==, 200);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (w.code, ==, "ok");
  g_free (w.code);
}

static void
check_error_callback (const char *error_value,
                      int         expected_code,
                      const char *page_text)
{
  g_autoptr(PassportLoopback) loopback = passport_loopback_new (NULL);
  g_autofree char *path = g_strdup_printf ("/callback?error=%s&error_description=No&state=" STATE
                                           "&iss=" ISS, error_value);
  g_autoptr(Request) req = NULL;
  Waited w = { 0 };

  passport_loopback_wait_async (loopback, STATE, ISS, NULL, waited_cb, &w);
  req = get (loopback, "GET", path);
  g_assert_cmpuint (req->status, ==, 200);
  g_assert_nonnull (strstr (req->body, page_text));
  g_assert_nonnull (strstr (req->body, "class=\"error\""));
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (w.code);
  g_assert_error (w.error, PASSPORT_ERROR, expected_code);
  g_clear_error (&w.error);
  assert_not_listening (passport_loopback_get_port (loopback));
}

static void
test_access_denied (void)
{
  check_error_callback ("access_denied", PASSPORT_ERROR_ACCESS_DENIED, "Sign-in cancelled");
  check_error_callback ("server_error", PASSPORT_ERROR_SERVER_ERROR, "did not work");
  check_error_callback ("invalid_request", PASSPORT_ERROR_INVALID_REQUEST, "did not work");
  check_error_callback ("temporarily_unavailable", PASSPORT_ERROR_FAILED, "did not work");
}

static void
test_no_iss_expected (void)
{
  /* A plain OpenID provider that does not send iss (RFC 9207 not
   * announced): the state alone decides. */
  g_autoptr(PassportLoopback) loopback = passport_loopback_new (NULL);
  g_autoptr(Request) req = NULL;
  Waited w = { 0 };

  passport_loopback_wait_async (loopback, STATE, NULL, NULL, waited_cb, &w);
  req = get (loopback, "GET", "/callback?code=c2&state=" STATE);
  g_assert_cmpuint (req->status, ==, 200);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (w.code, ==, "c2");
  g_free (w.code);
}

static void
test_cancel (void)
{
  g_autoptr(PassportLoopback) loopback = passport_loopback_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Waited w = { 0 };

  passport_loopback_wait_async (loopback, STATE, ISS, cancellable, waited_cb, &w);
  spin ();
  g_assert_false (w.done);
  g_cancellable_cancel (cancellable);
  while (!w.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (w.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&w.error);
  assert_not_listening (passport_loopback_get_port (loopback));
}

static void
test_not_waiting (void)
{
  /* A callback before anyone waits is not accepted. */
  g_autoptr(PassportLoopback) loopback = passport_loopback_new (NULL);
  g_autoptr(Request) req = get (loopback, "GET", "/callback?code=c&state=" STATE "&iss=" ISS);

  g_assert_cmpuint (req->status, ==, 400);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/loopback/redirect-uri", test_redirect_uri);
  g_test_add_func ("/loopback/success", test_success);
  g_test_add_func ("/loopback/wrong-state", test_wrong_state);
  g_test_add_func ("/loopback/wrong-iss", test_wrong_iss);
  g_test_add_func ("/loopback/missing-code", test_missing_code);
  g_test_add_func ("/loopback/odd-paths", test_odd_paths);
  g_test_add_func ("/loopback/non-get", test_non_get);
  g_test_add_func ("/loopback/oversized", test_oversized);
  g_test_add_func ("/loopback/access-denied", test_access_denied);
  g_test_add_func ("/loopback/no-iss-expected", test_no_iss_expected);
  g_test_add_func ("/loopback/port-range", test_port_range);
  g_test_add_func ("/loopback/port-parse", test_port_parse);
  g_test_add_func ("/loopback/cancel", test_cancel);
  g_test_add_func ("/loopback/not-waiting", test_not_waiting);

  return g_test_run ();
}
