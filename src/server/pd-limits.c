// SPDX-License-Identifier: GPL-3.0-or-later
//
// What one client may cost the server: the listening socket's backlog, the
// cap on connections, the idle keep-alive timeout, the request-body cap
// whatever the framing, the Host allow-list of the pages, and private
// database files. docs/passportd.md gives the numbers and the reasons.
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pd.h"

/* Connections ----------------------------------------------------------- */

struct _PdLimits
{
  GHashTable *connections;  /* GSocket* → Connection* */
  guint sweep_id;
};

/* One accepted connection, known by its GSocket: libsoup 3.2 has no public
 * connection object, but each message names its socket. The entry goes
 * when the socket is finalized. */
typedef struct
{
  Pd *pd;
  GSocket *socket;       /* not owned */
  gint64 idle_since;     /* monotonic µs; 0 while a request is in progress */
  gboolean over_cap;     /* accepted past --max-connections: answered 503 */
} Connection;

static void connection_gone (gpointer data, GObject *where_the_socket_was);

static void
connection_free (Connection *c)
{
  if (c->socket != NULL)
    g_object_weak_unref (G_OBJECT (c->socket), connection_gone, c);
  g_free (c);
}

static void
connection_gone (gpointer  data,
                 GObject  *where_the_socket_was)
{
  Connection *c = data;

  c->socket = NULL;
  g_hash_table_remove (c->pd->limits->connections, where_the_socket_was);
}

/* One timer for all connections rather than one per connection, which
 * each request would set and clear: closes those idle for the timeout,
 * give or take a quarter of it (at most a second). */
static guint
sweep_interval_ms (Pd *pd)
{
  return MIN (pd->idle_timeout * 1000 / 4, 1000);
}

static gboolean
sweep (gpointer data)
{
  Pd *pd = data;
  gint64 limit = g_get_monotonic_time () - (gint64) pd->idle_timeout * G_USEC_PER_SEC;
  GHashTableIter iter;
  Connection *c;

  g_hash_table_iter_init (&iter, pd->limits->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &c))
    {
      if (c->idle_since == 0 || c->idle_since > limit || g_socket_is_closed (c->socket))
        continue;
      /* libsoup then reads end-of-file and drops the connection itself;
       * the descriptor stays valid until it does */
      g_debug ("closing a connection idle for %u s", pd->idle_timeout);
      g_socket_shutdown (c->socket, TRUE, TRUE, NULL);
      c->idle_since = 0;
    }

  if (g_hash_table_size (pd->limits->connections) > 0)
    return G_SOURCE_CONTINUE;
  pd->limits->sweep_id = 0;
  return G_SOURCE_REMOVE;
}

/* Idle: no request in progress, or one whose headers have not all come. */
static void
connection_set_idle (Connection *c,
                     gboolean    idle)
{
  c->idle_since = idle ? g_get_monotonic_time () : 0;
}

static Connection *
connection_of (Pd                *pd,
               SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  return socket != NULL ? g_hash_table_lookup (pd->limits->connections, socket) : NULL;
}

/* Connections still open; closed ones wait for their socket's finalization. */
static guint
connections_open (Pd *pd)
{
  GHashTableIter iter;
  gpointer key;
  guint n = 0;

  g_hash_table_iter_init (&iter, pd->limits->connections);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_socket_is_closed (key))
      n++;
  return n;
}

/* The request-body cap -------------------------------------------------- */

#define LINGER_MS 1000
#define LINGER_BYTES (256 * 1024)

/* A connection taken from libsoup to answer 413 and close: the answer,
 * then a bounded read of what the client still sends, so that closing
 * with unread data (a reset) does not destroy the answer in flight. */
typedef struct
{
  GIOStream *stream;
  GSocket *socket;
  GCancellable *cancellable;
  guint timeout_id;
  gsize drained;
  char *response;
  char buf[8192];
} Cut;

static void
cut_free (Cut *cut)
{
  g_clear_handle_id (&cut->timeout_id, g_source_remove);
  g_clear_object (&cut->cancellable);
  g_clear_object (&cut->socket);
  g_clear_object (&cut->stream);
  g_free (cut->response);
  g_free (cut);
}

static void
cut_closed (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  cut_free (data);
}

static void
cut_close (Cut *cut)
{
  g_clear_handle_id (&cut->timeout_id, g_source_remove);
  g_io_stream_close_async (cut->stream, G_PRIORITY_DEFAULT, NULL, cut_closed, cut);
}

static gboolean
cut_linger_over (gpointer data)
{
  Cut *cut = data;

  cut->timeout_id = 0;
  g_cancellable_cancel (cut->cancellable);
  return G_SOURCE_REMOVE;
}

static void
cut_drained (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Cut *cut = data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n > 0 && (cut->drained += n) < LINGER_BYTES)
    g_input_stream_read_async (G_INPUT_STREAM (source), cut->buf, sizeof cut->buf, G_PRIORITY_LOW,
                               cut->cancellable, cut_drained, cut);
  else
    cut_close (cut);
}

static void
cut_written (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Cut *cut = data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      cut_close (cut);
      return;
    }
  g_socket_shutdown (cut->socket, FALSE, TRUE, NULL);
  cut->timeout_id = g_timeout_add (LINGER_MS, cut_linger_over, cut);
  g_input_stream_read_async (g_io_stream_get_input_stream (cut->stream), cut->buf, sizeof cut->buf,
                             G_PRIORITY_LOW, cut->cancellable, cut_drained, cut);
}

/* From the main loop, never inside libsoup's read loop: stealing the
 * connection frees the state that loop is using. */
static gboolean
cut_connection (gpointer data)
{
  SoupServerMessage *msg = data;
  GSocket *socket = soup_server_message_get_socket (msg);
  const char *body = "{\"error\":\"invalid_request\",\"error_description\":\"The body is too large\"}";
  Cut *cut;

  /* already disconnected (the server is stopping) */
  if (socket == NULL || g_socket_is_closed (socket))
    return G_SOURCE_REMOVE;

  cut = g_new0 (Cut, 1);
  cut->socket = g_object_ref (socket);
  cut->stream = soup_server_message_steal_connection (msg);
  if (cut->stream == NULL)
    {
      cut_free (cut);
      return G_SOURCE_REMOVE;
    }
  cut->cancellable = g_cancellable_new ();
  cut->response = g_strdup_printf ("HTTP/1.1 413 %s\r\n"
                                   "Content-Type: application/json\r\n"
                                   "Content-Length: %zu\r\n"
                                   "Cache-Control: no-store\r\n"
                                   "Connection: close\r\n\r\n%s",
                                   soup_status_get_phrase (SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE),
                                   strlen (body), body);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (cut->stream),
                                   cut->response, strlen (cut->response), G_PRIORITY_DEFAULT,
                                   NULL, cut_written, cut);
  return G_SOURCE_REMOVE;
}

static void
got_chunk (SoupServerMessage *msg,
           GBytes            *chunk,
           gpointer           data)
{
  gsize read = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (msg), "pd-body-read"));

  read += g_bytes_get_size (chunk);
  g_object_set_data (G_OBJECT (msg), "pd-body-read", GSIZE_TO_POINTER (read));
  if (read <= PD_BODY_LIMIT)
    return;

  /* Past the cap, whatever the framing: stop reading now. */
  g_signal_handlers_disconnect_by_func (msg, got_chunk, data);
  g_debug ("request body past %d bytes: closing the connection", PD_BODY_LIMIT);
  soup_server_message_pause (msg);
  g_idle_add_full (G_PRIORITY_HIGH, cut_connection, g_object_ref (msg), g_object_unref);
}

/* The server's signals -------------------------------------------------- */

static void
got_headers (SoupServerMessage *msg,
             gpointer           data)
{
  Connection *c = connection_of (data, msg);

  if (c != NULL)
    connection_set_idle (c, FALSE);
}

static void
request_started (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           data)
{
  Pd *pd = data;
  GSocket *socket = soup_server_message_get_socket (msg);
  Connection *c;

  g_signal_connect (msg, "got-headers", G_CALLBACK (got_headers), pd);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk), pd);

  if (socket == NULL)
    return;
  c = g_hash_table_lookup (pd->limits->connections, socket);
  if (c == NULL)
    {
      /* the first request-started of a connection comes as it is accepted */
      c = g_new0 (Connection, 1);
      c->pd = pd;
      c->socket = socket;
      g_object_weak_ref (G_OBJECT (socket), connection_gone, c);
      g_hash_table_insert (pd->limits->connections, socket, c);
      if (g_hash_table_size (pd->limits->connections) > pd->max_connections)
        c->over_cap = connections_open (pd) > pd->max_connections;
      connection_set_idle (c, TRUE);
      if (pd->limits->sweep_id == 0)
        pd->limits->sweep_id = g_timeout_add (sweep_interval_ms (pd), sweep, pd);
    }
  /* A later request-started of a kept-alive connection comes with the first
   * bytes of its request: its headers must come within the idle timeout
   * counted from the last answer, so the connection stays idle until then. */
}

static void
request_done (SoupServer        *server,
              SoupServerMessage *msg,
              gpointer           data)
{
  Connection *c = connection_of (data, msg);

  if (c != NULL && !g_socket_is_closed (c->socket))
    connection_set_idle (c, TRUE);
}

void
pd_limits_watch (Pd *pd)
{
  pd->limits = g_new0 (PdLimits, 1);
  pd->limits->connections = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) connection_free);
  g_signal_connect (pd->server, "request-started", G_CALLBACK (request_started), pd);
  g_signal_connect (pd->server, "request-finished", G_CALLBACK (request_done), pd);
  g_signal_connect (pd->server, "request-aborted", G_CALLBACK (request_done), pd);
}

void
pd_limits_free (Pd *pd)
{
  if (pd->limits == NULL)
    return;
  g_clear_handle_id (&pd->limits->sweep_id, g_source_remove);
  g_clear_pointer (&pd->limits->connections, g_hash_table_unref);
  g_clear_pointer (&pd->limits, g_free);
}

void
pd_respond_unavailable (SoupServerMessage *msg,
                        gint64             retry_after,
                        const char        *description)
{
  g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (retry_after, 1));

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", value);
  pd_respond_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "temporarily_unavailable", description, NULL);
}

gboolean
pd_limits_admit (Pd                *pd,
                 SoupServerMessage *msg)
{
  Connection *c = connection_of (pd, msg);

  if (c == NULL || !c->over_cap)
    return TRUE;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  /* an idle connection frees a place within the idle timeout */
  pd_respond_unavailable (msg, pd->idle_timeout, "Too many connections; try again later");
  return FALSE;
}

/* The listening socket -------------------------------------------------- */

static int
listen_backlog (void)
{
  g_autofree char *text = NULL;
  guint64 value;

  /* what the system allows; Linux cuts any larger request down to it */
  if (g_file_get_contents ("/proc/sys/net/core/somaxconn", &text, NULL, NULL) &&
      g_ascii_string_to_unsigned (g_strstrip (text), 10, 1, G_MAXINT, &value, NULL))
    return (int) value;
  return 4096;
}

/* Room for every connection, the database and the log: raise the soft
 * descriptor limit to the hard one, and keep --max-connections below it. */
static void
fit_descriptor_limit (Pd *pd)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return;
  if (limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
      getrlimit (RLIMIT_NOFILE, &limit);
    }
  if (limit.rlim_cur != RLIM_INFINITY && (rlim_t) pd->max_connections + 64 > limit.rlim_cur)
    {
      guint fit = limit.rlim_cur > 128 ? (guint) (limit.rlim_cur - 64) : 64;

      g_warning ("--max-connections %u does not fit the descriptor limit %lu: using %u",
                 pd->max_connections, (unsigned long) limit.rlim_cur, fit);
      pd->max_connections = fit;
    }
}

gboolean
pd_listen (Pd              *pd,
           GSocketAddress  *address,
           GError         **error)
{
  GSocketFamily family = g_socket_address_get_family (address);
  g_autoptr(GSocket) socket = g_socket_new (family, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_DEFAULT, error);
  int backlog = listen_backlog ();

  if (socket == NULL)
    return FALSE;
  fit_descriptor_limit (pd);
  if (family == G_SOCKET_FAMILY_IPV6)
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, TRUE, NULL);
  g_socket_set_listen_backlog (socket, backlog);
  if (!g_socket_bind (socket, address, TRUE, error) ||
      !g_socket_listen (socket, error) ||
      !soup_server_listen_socket (pd->server, socket, 0, error))
    return FALSE;
  g_info ("listen backlog %d, at most %u connections", backlog, pd->max_connections);
  return TRUE;
}

/* The Host allow-list --------------------------------------------------- */

static int
port_or_default (int         port,
                 const char *scheme)
{
  if (port > 0)
    return port;
  return g_strcmp0 (scheme, "https") == 0 ? 443 : 80;
}

gboolean
pd_host_allowed (Pd                *pd,
                 SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *value = soup_message_headers_get_one (headers, "Host");
  g_autoptr(GUri) public = g_uri_parse (pd->public_url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *url = NULL;
  g_autofree char *host = NULL;
  int port = -1;   /* when Host has none */
  const char *scheme;

  /* HTTP/1.0 without Host (libsoup refuses that in 1.1): not a browser */
  if (value == NULL)
    return TRUE;
  /* the name itself, not the URI that libsoup makes of it (that one gets a
   * default port, and a request line with an absolute URI overrides it) */
  if (strpbrk (value, "@/?#\\ ") != NULL)
    return FALSE;
  url = g_strconcat ("http://", value, "/", NULL);
  if (!g_uri_split_network (url, G_URI_FLAGS_NONE, NULL, &host, &port, NULL) || host == NULL)
    return FALSE;
  /* An address or "localhost" cannot have been rebound by a foreign DNS
   * name; with the port the server listens on. */
  if ((g_hostname_is_ip_address (host) || g_ascii_strcasecmp (host, "localhost") == 0) &&
      port_or_default (port, "http") == (int) pd->port)
    return TRUE;
  /* The name the server publishes. Behind a proxy the request may come as
   * http while the public URL is https: a Host without a port means the
   * public scheme's default port. */
  if (public == NULL || g_uri_get_host (public) == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (public);
  return g_ascii_strcasecmp (host, g_uri_get_host (public)) == 0 &&
         port_or_default (port, scheme) == port_or_default (g_uri_get_port (public), scheme);
}

/* Private files --------------------------------------------------------- */

gboolean
pd_private_files (const char  *database,
                  GError     **error)
{
  const char *suffixes[] = { "-wal", "-shm", "-journal" };
  struct stat st;
  int fd;

  /* created 0600 whatever the umask; SQLite gives its -wal and -shm the
   * mode of the database file */
  fd = g_open (database, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot open the database %s: %s", database, g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) == 0 && (st.st_mode & 0077) != 0 && fchmod (fd, 0600) != 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot make the database %s private: %s", database, g_strerror (saved));
      return FALSE;
    }
  close (fd);

  /* left readable by an older passportd */
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (database, suffixes[i], NULL);

      if (g_lstat (path, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0077) != 0 &&
          g_chmod (path, 0600) != 0)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "cannot make %s private: %s", path, g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}
