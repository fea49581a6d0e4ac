// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd's resource limits and attack surface, over raw sockets where the
 * test needs control of the bytes (framing, Host, idle connections): the
 * request-body cap whatever the framing, the caps on connections and on
 * long polls per account, the idle keep-alive timeout, the modes of the
 * database files, and the Host allow-list of the HTML pages. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "pd-test-server.h"

/* ------------------------------------------------------------------ */
/* Raw HTTP                                                            */
/* ------------------------------------------------------------------ */

static GSocket *
raw_connect (PdServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, server->port);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                  G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, 10);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  return socket;
}

/* Sends all of @data; FALSE when the server closed the connection. */
static gboolean
raw_send (GSocket    *socket,
          const char *data,
          gsize       len)
{
  while (len > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (socket, data, len, NULL, &error);

      if (n <= 0)
        {
          /* a timeout means the server stopped reading but kept the
           * connection: that is a failure of the test, not a close */
          g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
          return FALSE;
        }
      data += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
raw_send_str (GSocket    *socket,
              const char *text)
{
  return raw_send (socket, text, strlen (text));
}

/* Everything until the server closes (or the socket's timeout, or a reset;
 * *closed tells whether the end was a close or a reset rather than a timeout). */
static char *
raw_read_until_close (GSocket  *socket,
                      gboolean *closed)
{
  GString *out = g_string_new (NULL);

  *closed = FALSE;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      char buf[4096];
      gssize n = g_socket_receive (socket, buf, sizeof buf, NULL, &error);

      if (n > 0)
        {
          g_string_append_len (out, buf, n);
          continue;
        }
      *closed = n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
      break;
    }
  return g_string_free (out, FALSE);
}

/* The status of a raw response, 0 when there is none. */
static guint
raw_status (const char *response)
{
  char digits[4] = { 0 };
  guint64 status = 0;

  if (g_str_has_prefix (response, "HTTP/1.1 ") || g_str_has_prefix (response, "HTTP/1.0 "))
    {
      memcpy (digits, response + 9, 3);
      g_ascii_string_to_unsigned (digits, 10, 100, 599, &status, NULL);
    }
  return (guint) status;
}

/* A header of a raw response (first occurrence, case-insensitive), or NULL. */
static char *
raw_header (const char *response,
            const char *name)
{
  g_auto(GStrv) lines = g_strsplit (response, "\r\n", -1);

  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      const char *colon = strchr (lines[i], ':');

      if (colon != NULL && (gsize) (colon - lines[i]) == strlen (name) &&
          g_ascii_strncasecmp (lines[i], name, strlen (name)) == 0)
        return g_strstrip (g_strdup (colon + 1));
    }
  return NULL;
}

/* One request on its own connection with Connection: close; the response. */
static char *
raw_request (PdServer   *server,
             const char *method,
             const char *path,
             const char *host,
             const char *bearer)
{
  g_autoptr(GSocket) socket = raw_connect (server);
  g_autofree char *default_host = g_strdup_printf ("127.0.0.1:%u", server->port);
  g_autofree char *auth = bearer ? g_strdup_printf ("Authorization: Bearer %s\r\n", bearer) : g_strdup ("");
  g_autofree char *request = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: %s\r\n%s"
                                              "Content-Length: 0\r\nConnection: close\r\n\r\n",
                                              method, path, host ? host : default_host, auth);
  gboolean closed;

  g_assert_true (raw_send_str (socket, request));
  return raw_read_until_close (socket, &closed);
}

static guint64
server_rss_kib (PdServer *server)
{
  const char *pid = g_subprocess_get_identifier (server->process);
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", pid);
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &status, NULL, NULL));
  line = strstr (status, "\nVmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
}

/* ------------------------------------------------------------------ */
/* The request-body cap                                                */
/* ------------------------------------------------------------------ */

#define MIB (1024 * 1024)
#define UPLOAD_MIB 64
/* What the server may grow by while refusing UPLOAD_MIB: buffers, not the body. */
#define GROWTH_LIMIT_KIB (12 * 1024)

/* Sends UPLOAD_MIB of body after @head; returns how many MiB got out
 * before the server closed the connection (UPLOAD_MIB: it never did). */
static guint
upload (GSocket    *socket,
        const char *head,
        gboolean    chunked)
{
  g_autofree char *block = g_malloc (MIB);
  guint sent;

  memset (block, 'x', MIB);
  if (!raw_send_str (socket, head))
    return 0;
  for (sent = 0; sent < UPLOAD_MIB; sent++)
    {
      if (chunked && !raw_send_str (socket, "100000\r\n"))
        break;
      if (!raw_send (socket, block, MIB))
        break;
      if (chunked && !raw_send_str (socket, "\r\n"))
        break;
    }
  return sent;
}

static void
test_body_cap (gconstpointer data)
{
  gboolean chunked = GPOINTER_TO_INT (data);
  g_autoptr(PdServer) server = pd_server_start ("--log-level", "error", NULL);
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *head = NULL;
  g_autofree char *rest = NULL;
  guint64 before, after;
  guint sent;
  gboolean closed;

  /* warm up, so the baseline holds what any request costs */
  g_free (raw_request (server, "GET", "/api/v1/terms", NULL, NULL));
  before = server_rss_kib (server);

  /* no token: the server could only refuse this body, yet it kept reading */
  socket = raw_connect (server);
  head = g_strdup_printf ("POST /api/v1/me/terms HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                          "Content-Type: application/json\r\n%s\r\n",
                          server->port,
                          chunked ? "Transfer-Encoding: chunked\r\n"
                                  : "Content-Length: 1073741824\r\n");
  sent = upload (socket, head, chunked);
  g_test_message ("%s: %u of %u MiB sent before the server closed", chunked ? "chunked" : "length",
                  sent, UPLOAD_MIB);
  g_assert_cmpuint (sent, <, UPLOAD_MIB);

  rest = raw_read_until_close (socket, &closed);
  g_assert_true (closed);
  /* a reset may eat the answer; when it arrives it says why */
  if (*rest != '\0')
    g_assert_cmpuint (raw_status (rest), ==, 413);

  after = server_rss_kib (server);
  g_test_message ("server RSS %" G_GUINT64_FORMAT " KiB before, %" G_GUINT64_FORMAT " KiB after",
                  before, after);
  g_assert_cmpuint (after, <, before + GROWTH_LIMIT_KIB);

  /* the server still serves */
  {
    g_autofree char *r = raw_request (server, "GET", "/api/v1/terms", NULL, NULL);
    g_assert_cmpuint (raw_status (r), ==, 200);
  }
}

/* A small body over the limit gets its 413 (the lingering close lets the
 * answer arrive). */
static void
test_body_cap_answer (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--log-level", "error", NULL);
  g_autoptr(GSocket) socket = raw_connect (server);
  g_autofree char *body = g_malloc (200 * 1024);
  g_autofree char *head = g_strdup_printf ("POST /api/v1/me/terms HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                           "Content-Type: application/json\r\n"
                                           "Transfer-Encoding: chunked\r\n\r\n%x\r\n",
                                           server->port, 200 * 1024);
  g_autofree char *response = NULL;
  gboolean closed;

  memset (body, ' ', 200 * 1024);
  g_assert_true (raw_send_str (socket, head));
  g_assert_true (raw_send (socket, body, 200 * 1024));
  g_assert_true (raw_send_str (socket, "\r\n0\r\n\r\n"));
  response = raw_read_until_close (socket, &closed);
  g_assert_true (closed);
  g_assert_cmpuint (raw_status (response), ==, 413);
  g_assert_nonnull (strstr (response, "\"invalid_request\""));
}

/* ------------------------------------------------------------------ */
/* Caps on long polls and connections                                  */
/* ------------------------------------------------------------------ */

/* The documented default of --max-waiters-per-account. */
#define DEFAULT_WAITERS 32

static void
test_waiters_per_account (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--log-level", "error", NULL);
  g_autoptr(JsonObject) tokens = pd_social_tokens (server, "google", "waiters@example.com", "Many Waits", TRUE);
  const char *access = json_object_get_string_member (tokens, "access_token");
  g_autoptr(JsonObject) other = pd_social_tokens (server, "google", "other@example.com", "Other One", TRUE);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(GPtrArray) polls = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *request = g_strdup_printf ("GET /api/v1/me?wait=30 HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                                              "Authorization: Bearer %s\r\n\r\n",
                                              server->port, access);
  gboolean refused = FALSE;

  for (guint i = 0; i < DEFAULT_WAITERS; i++)
    {
      GSocket *socket = raw_connect (server);

      g_assert_true (raw_send_str (socket, request));
      g_ptr_array_add (polls, socket);
    }

  /* one more: refused once the others are seen waiting (a short wait, in
   * case this one overtakes them) */
  for (guint attempt = 0; attempt < 5 && !refused; attempt++)
    {
      g_autoptr(PdResponse) r = pd_client_get (client, "/api/v1/me?wait=1", access);

      if (r->status == 503)
        {
          pd_assert_response (r, 503, "temporarily_unavailable");
          g_assert_nonnull (pd_response_header (r, "Retry-After"));
          g_assert_cmpint (atoi (pd_response_header (r, "Retry-After")), >=, 1);
          refused = TRUE;
        }
      else
        pd_assert_response (r, 200, NULL);
    }
  g_assert_true (refused);

  /* an answer without waiting is not a waiter; another account has its own */
  {
    g_autoptr(PdResponse) r = pd_client_get (client, "/api/v1/me", access);
    g_autoptr(PdResponse) o = pd_client_get (client, "/api/v1/me?wait=1",
                                             json_object_get_string_member (other, "access_token"));

    pd_assert_response (r, 200, NULL);
    pd_assert_response (o, 200, NULL);
  }

  /* a change answers them all, and frees their places */
  pd_accept_terms (client, access);
  for (guint i = 0; i < polls->len; i++)
    {
      char buf[16] = { 0 };
      gssize n = g_socket_receive (polls->pdata[i], buf, sizeof buf - 1, NULL, NULL);

      g_assert_cmpint (n, >, 0);
      g_assert_cmpuint (raw_status (buf), ==, 200);
    }
  {
    g_autoptr(PdResponse) r = pd_client_get (client, "/api/v1/me?wait=1", access);

    pd_assert_response (r, 200, NULL);
  }
}

static void
test_connections (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--log-level", "error", "--max-connections", "4", NULL);
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *response = NULL;
  g_autofree char *retry_after = NULL;
  gboolean ok = FALSE;

  for (guint i = 0; i < 4; i++)
    g_ptr_array_add (held, raw_connect (server));
  /* the fifth is told to come back */
  response = raw_request (server, "GET", "/api/v1/terms", NULL, NULL);
  g_assert_cmpuint (raw_status (response), ==, 503);
  retry_after = raw_header (response, "Retry-After");
  g_assert_nonnull (retry_after);
  g_assert_cmpint (atoi (retry_after), >=, 1);
  g_assert_nonnull (strstr (response, "\"temporarily_unavailable\""));

  /* a place frees when one closes */
  g_ptr_array_set_size (held, 2);
  for (guint attempt = 0; attempt < 20 && !ok; attempt++)
    {
      g_autofree char *r = raw_request (server, "GET", "/api/v1/terms", NULL, NULL);

      ok = raw_status (r) == 200;
      if (!ok)
        g_usleep (100 * 1000);
    }
  g_assert_true (ok);
}

/* ------------------------------------------------------------------ */
/* Idle keep-alive connections                                         */
/* ------------------------------------------------------------------ */

static gint64
seconds_until_closed (GSocket *socket,
                      char   **received)
{
  gint64 start = g_get_monotonic_time ();
  gboolean closed;
  char *text = raw_read_until_close (socket, &closed);

  g_assert_true (closed);
  if (received != NULL)
    *received = text;
  else
    g_free (text);
  return (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

static void
test_idle_timeout (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--log-level", "error", "--idle-timeout", "1", NULL);
  g_autofree char *request = g_strdup_printf ("GET /api/v1/terms HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n",
                                              server->port);

  /* one that never sends anything, one that sends half a request, and one
   * kept alive after two answers: all closed a second later */
  {
    g_autoptr(GSocket) silent = raw_connect (server);
    g_autoptr(GSocket) half = raw_connect (server);
    g_autoptr(GSocket) kept = raw_connect (server);
    g_autofree char *received = NULL;
    gint64 start = g_get_monotonic_time ();

    g_assert_true (raw_send_str (half, "GET /api/v1/terms HTTP/1.1\r\n"));
    g_assert_true (raw_send_str (kept, request));
    g_usleep (300 * 1000);
    g_assert_true (raw_send_str (kept, request));

    g_assert_cmpint (seconds_until_closed (silent, NULL), <=, 2);
    g_assert_cmpint (seconds_until_closed (half, NULL), <=, 2);
    g_assert_cmpint (seconds_until_closed (kept, &received), <=, 2);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
    g_assert_cmpuint (raw_status (received), ==, 200);
    g_assert_nonnull (strstr (strstr (received, "\r\n\r\n"), "HTTP/1.1 200"));
  }
  /* a long poll is not idle */
  {
    g_autoptr(JsonObject) tokens = pd_social_tokens (server, "google", "idle@example.com", "Idle Poll", TRUE);
    g_autoptr(PdClient) client = pd_client_new (server);
    gint64 start = g_get_monotonic_time ();
    g_autoptr(PdResponse) r = pd_client_get (client, "/api/v1/me?wait=2",
                                             json_object_get_string_member (tokens, "access_token"));

    pd_assert_response (r, 200, NULL);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 2 * G_USEC_PER_SEC);
  }
}

/* ------------------------------------------------------------------ */
/* File modes                                                          */
/* ------------------------------------------------------------------ */

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
assert_private (const char *database)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (database, suffixes[i], NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      if (file_mode (path) != 0600)
        g_error ("%s has mode %03o, not 600", path, file_mode (path));
    }
}

static void
test_file_modes (void)
{
  /* the usual umask; the database goes into a folder that exists */
  mode_t old_umask = umask (022);
  g_autoptr(PdServer) server = pd_server_start ("--log-level", "error", NULL);
  g_autoptr(PdServer) again = NULL;
  g_autofree char *wal = g_strconcat (server->database, "-wal", NULL);
  g_autoptr(JsonObject) tokens = pd_social_tokens (server, "google", "modes@example.com", "File Modes", TRUE);

  umask (old_umask);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  assert_private (server->database);

  /* a database left readable by an older passportd is made private */
  pd_server_stop (server);
  g_assert_cmpint (g_chmod (server->database, 0644), ==, 0);
  again = pd_server_restart (server);
  assert_private (server->database);
  pd_server_stop (again);
}

/* ------------------------------------------------------------------ */
/* The Host allow-list                                                 */
/* ------------------------------------------------------------------ */

static void
assert_host (PdServer   *server,
             const char *method,
             const char *path,
             const char *host,
             guint       status)
{
  g_autofree char *response = raw_request (server, method, path, host, NULL);

  if (raw_status (response) != status)
    g_error ("%s %s with Host %s: expected %u, got %.300s", method, path, host, status, response);
  if (status == 421)
    g_assert_nonnull (strstr (response, "\"misdirected_request\""));
}

static void
test_host (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--log-level", "error", "--dev-outbox", NULL);
  g_autofree char *ip4 = g_strdup_printf ("127.0.0.1:%u", server->port);
  g_autofree char *ip6 = g_strdup_printf ("[::1]:%u", server->port);
  g_autofree char *name = g_strdup_printf ("LocalHost:%u", server->port);
  g_autofree char *rebound = g_strdup_printf ("attacker.example:%u", server->port);
  g_autofree char *other_port = g_strdup_printf ("localhost:%u", server->port == 1 ? 2 : server->port - 1);
  g_autoptr(PdAuthRequest) request = pd_auth_request_new ();
  g_autofree char *authorize = pd_auth_request_url (server, request, "google");
  const char *authorize_path = strstr (authorize + strlen ("http://"), "/");

  /* the pages answer their own names and loopback */
  assert_host (server, "GET", "/outbox", ip4, 200);
  assert_host (server, "GET", "/outbox", ip6, 200);
  assert_host (server, "GET", "/outbox", name, 200);
  assert_host (server, "GET", "/terms", name, 200);
  assert_host (server, "GET", authorize_path, ip4, 200);

  /* a name that resolved to this server by way of DNS rebinding does not */
  assert_host (server, "GET", "/outbox", rebound, 421);
  assert_host (server, "GET", "/outbox", other_port, 421);
  assert_host (server, "GET", "/terms", rebound, 421);
  assert_host (server, "GET", authorize_path, rebound, 421);
  assert_host (server, "POST", "/oauth/social", rebound, 421);
  assert_host (server, "GET", "/api/v1/email/confirm?token=abc", rebound, 421);
  assert_host (server, "GET", "/api/v1/password/new?token=abc", rebound, 421);
  assert_host (server, "POST", "/api/v1/password/new", rebound, 421);
  assert_host (server, "GET", "/api/v1/identities/link?ticket=abc", rebound, 421);
  assert_host (server, "GET", "/no/such/page", rebound, 421);

  /* the API answers any name: a bearer token is never ambient */
  assert_host (server, "GET", "/.well-known/openid-configuration", rebound, 200);
  assert_host (server, "GET", "/oauth/jwks", rebound, 200);
  assert_host (server, "GET", "/api/v1/terms", rebound, 200);
  assert_host (server, "GET", "/api/v1/me", rebound, 401);
  /* the reset page answers loopback (an unknown link); the request any name */
  assert_host (server, "GET", "/api/v1/password/new?token=abc", ip4, 404);
  assert_host (server, "GET", "/api/v1/identities/link?ticket=abc", ip4, 404);
  assert_host (server, "POST", "/api/v1/password/reset", rebound, 400);
}

static void
test_host_public_url (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--log-level", "error", "--dev-outbox",
                                                "--public-url", "https://passport.example.test", NULL);
  g_autofree char *ip4 = g_strdup_printf ("127.0.0.1:%u", server->port);

  assert_host (server, "GET", "/outbox", "passport.example.test", 200);
  assert_host (server, "GET", "/outbox", "Passport.Example.Test:443", 200);
  assert_host (server, "GET", "/outbox", ip4, 200);
  assert_host (server, "GET", "/outbox", "passport.example.test:8443", 421);
  assert_host (server, "GET", "/outbox", "example.test", 421);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/limits/body/chunked", GINT_TO_POINTER (TRUE), test_body_cap);
  g_test_add_data_func ("/limits/body/length", GINT_TO_POINTER (FALSE), test_body_cap);
  g_test_add_func ("/limits/body/answer", test_body_cap_answer);
  g_test_add_func ("/limits/waiters-per-account", test_waiters_per_account);
  g_test_add_func ("/limits/connections", test_connections);
  g_test_add_func ("/limits/idle-timeout", test_idle_timeout);
  g_test_add_func ("/limits/file-modes", test_file_modes);
  g_test_add_func ("/limits/host", test_host);
  g_test_add_func ("/limits/host-public-url", test_host_public_url);

  return g_test_run ();
}
