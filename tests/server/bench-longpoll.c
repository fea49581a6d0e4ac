// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd benchmark (not a test): a burst of long polls on one account.
 * PD_BENCH_WAITERS (default 1000) connections are opened at once, each
 * sends GET /api/v1/me?wait=60&after_revision=R, then the account changes
 * once (it accepts the terms). Prints how many were answered within 1 s of
 * the change, the latencies, and the server's memory. The goal: all
 * within 1 s. Nothing is asserted about times.
 *
 *   meson test -C build --benchmark --verbose bench-longpoll
 *
 * The server gets --max-waiters-per-account equal to the waiters;
 * PD_BENCH_SERVER_ARGS (space-separated, may be empty) replaces that, e.g.
 * to run against an older passportd: PD_BENCH_SERVER_ARGS= PASSPORTD=… */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pd-test-server.h"

#define CONNECT_DEADLINE_S 10
#define SETTLE_MS 1000
#define ANSWER_DEADLINE_S 20

typedef enum { CONNECTING, SENT, ANSWERED, FAILED } State;

typedef struct
{
  int fd;
  State state;
  guint status;
  gint64 answered_at;  /* monotonic µs */
} Waiter;

static guint
env_count (const char *name,
           guint       fallback)
{
  const char *value = g_getenv (name);
  guint64 n;

  if (value != NULL && g_ascii_string_to_unsigned (value, 10, 1, 100000, &n, NULL))
    return (guint) n;
  return fallback;
}

static void
memory_kib (PdServer *server,
            guint64  *rss,
            guint64  *peak)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (server->process));
  g_autofree char *status = NULL;
  const char *line;

  *rss = *peak = 0;
  if (!g_file_get_contents (path, &status, NULL, NULL))
    return;
  if ((line = strstr (status, "\nVmRSS:")) != NULL)
    *rss = g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
  if ((line = strstr (status, "\nVmHWM:")) != NULL)
    *peak = g_ascii_strtoull (line + strlen ("\nVmHWM:"), NULL, 10);
}

/* One pass over the sockets: finishes connects (and sends the request),
 * reads first answers. Returns how many changed state. */
static guint
pump (Waiter        *waiters,
      guint          n,
      struct pollfd *fds,
      const char    *request,
      int            timeout_ms)
{
  guint active = 0, changed = 0;
  int ready;

  for (guint i = 0; i < n; i++)
    {
      fds[i].fd = waiters[i].state == CONNECTING || waiters[i].state == SENT ? waiters[i].fd : -1;
      fds[i].events = waiters[i].state == CONNECTING ? POLLOUT : POLLIN;
      fds[i].revents = 0;
      active += fds[i].fd >= 0;
    }
  if (active == 0)
    return 0;

  ready = poll (fds, n, timeout_ms);
  if (ready <= 0)
    return 0;

  for (guint i = 0; i < n; i++)
    {
      Waiter *w = &waiters[i];

      if (fds[i].revents == 0)
        continue;
      changed++;
      if (w->state == CONNECTING)
        {
          int err = 0;
          socklen_t len = sizeof err;

          if (getsockopt (w->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0 ||
              send (w->fd, request, strlen (request), MSG_NOSIGNAL) != (ssize_t) strlen (request))
            w->state = FAILED;
          else
            w->state = SENT;
        }
      else
        {
          char buf[64] = { 0 };
          ssize_t got = recv (w->fd, buf, sizeof buf - 1, 0);

          w->answered_at = g_get_monotonic_time ();
          if (got >= 12 && g_str_has_prefix (buf, "HTTP/1.1 "))
            {
              w->status = (guint) g_ascii_strtoull (buf + 9, NULL, 10);
              w->state = ANSWERED;
            }
          else
            w->state = FAILED;
          close (w->fd);
          w->fd = -1;
        }
    }
  return changed;
}

static guint
count (Waiter *waiters,
       guint   n,
       State   state)
{
  guint c = 0;

  for (guint i = 0; i < n; i++)
    c += waiters[i].state == state;
  return c;
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  guint n = env_count ("PD_BENCH_WAITERS", 1000);
  const char *server_args = g_getenv ("PD_BENCH_SERVER_ARGS");
  g_autofree char *cap = g_strdup_printf ("%u", n);
  g_auto(GStrv) extra = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(PdServer) server = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  g_autoptr(PdClient) client = NULL;
  g_autofree Waiter *waiters = g_new0 (Waiter, n);
  g_autofree struct pollfd *fds = g_new0 (struct pollfd, n);
  g_autofree gint64 *latencies = g_new0 (gint64, n);
  g_autofree char *request = NULL;
  struct sockaddr_in address = { 0 };
  struct rlimit limit;
  guint64 rss_before, rss_waiting, rss_after, peak, ignored;
  gint64 start, connected_at, change_at, deadline;
  guint answered = 0, within_1s = 0, not_ok = 0, sent, still_connecting;
  gint64 revision;
  const char *access;

  g_test_init (&argc, &argv, NULL);

  /* a socket each, on this side too */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }

  g_ptr_array_add (args, (gpointer) "--log-level");
  g_ptr_array_add (args, (gpointer) "error");
  if (server_args == NULL)
    {
      g_ptr_array_add (args, (gpointer) "--max-waiters-per-account");
      g_ptr_array_add (args, cap);
    }
  else
    {
      extra = g_strsplit (server_args, " ", -1);
      for (guint i = 0; extra[i] != NULL; i++)
        if (*extra[i] != '\0')
          g_ptr_array_add (args, extra[i]);
    }
  g_ptr_array_add (args, NULL);
  server = pd_server_startv ((const char * const *) args->pdata);

  /* signed in, terms not yet accepted: accepting them is the one change */
  tokens = pd_social_tokens (server, "google", "longpoll@example.com", "Long Poll", TRUE);
  access = json_object_get_string_member (tokens, "access_token");
  client = pd_client_new (server);
  {
    g_autoptr(PdResponse) me = pd_get_me (client, access);

    revision = json_object_get_int_member (pd_response_object (me), "revision");
  }
  request = g_strdup_printf ("GET /api/v1/me?wait=60&after_revision=%" G_GINT64_FORMAT " HTTP/1.1\r\n"
                             "Host: 127.0.0.1:%u\r\nAuthorization: Bearer %s\r\n"
                             "Connection: close\r\n\r\n",
                             revision, server->port, access);
  memory_kib (server, &rss_before, &ignored);

  /* all at once */
  address.sin_family = AF_INET;
  address.sin_port = htons (server->port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      waiters[i].fd = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (waiters[i].fd < 0)
        g_error ("socket: %s (raise the descriptor limit)", g_strerror (errno));
      if (connect (waiters[i].fd, (struct sockaddr *) &address, sizeof address) != 0 && errno != EINPROGRESS)
        waiters[i].state = FAILED;
    }

  deadline = start + CONNECT_DEADLINE_S * G_USEC_PER_SEC;
  while (count (waiters, n, CONNECTING) > 0 && g_get_monotonic_time () < deadline)
    pump (waiters, n, fds, request, 100);
  connected_at = g_get_monotonic_time ();
  sent = n - count (waiters, n, CONNECTING) - count (waiters, n, FAILED);
  still_connecting = count (waiters, n, CONNECTING);

  /* let the server read them all */
  deadline = connected_at + SETTLE_MS * 1000;
  while (g_get_monotonic_time () < deadline)
    pump (waiters, n, fds, request, (int) ((deadline - g_get_monotonic_time ()) / 1000) + 1);
  memory_kib (server, &rss_waiting, &ignored);

  change_at = g_get_monotonic_time ();
  pd_accept_terms (client, access);

  deadline = change_at + ANSWER_DEADLINE_S * G_USEC_PER_SEC;
  while ((count (waiters, n, CONNECTING) > 0 || count (waiters, n, SENT) > 0) &&
         g_get_monotonic_time () < deadline)
    pump (waiters, n, fds, request, 100);
  memory_kib (server, &rss_after, &peak);

  for (guint i = 0; i < n; i++)
    {
      if (waiters[i].state != ANSWERED)
        continue;
      if (waiters[i].status != 200)
        {
          not_ok++;
          continue;
        }
      latencies[answered] = MAX (waiters[i].answered_at - change_at, 0);
      within_1s += latencies[answered] <= G_USEC_PER_SEC;
      answered++;
    }
  qsort (latencies, answered, sizeof *latencies, compare_gint64);

  printf ("GET /api/v1/me?wait=60: %u long polls on one account, opened at once; one change\n", n);
  printf ("  connected and sent within %.2f s: %u (still connecting then: %u)\n",
          (connected_at - start) / (double) G_USEC_PER_SEC, sent, still_connecting);
  printf ("  answered 200 within 1 s of the change: %u of %u\n", within_1s, n);
  printf ("  answered 200 within %d s: %u; other statuses: %u; never answered: %u; failed: %u\n",
          ANSWER_DEADLINE_S, answered, not_ok, count (waiters, n, SENT) + count (waiters, n, CONNECTING),
          count (waiters, n, FAILED));
  if (answered > 0)
    printf ("  latency after the change: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
            latencies[answered / 2] / 1000.0, latencies[(guint) ((answered - 1) * 0.99)] / 1000.0,
            latencies[answered - 1] / 1000.0);
  printf ("  server RSS: %.1f MiB before, %.1f MiB with the polls waiting (%.1f KiB a poll), "
          "%.1f MiB after; peak %.1f MiB\n",
          rss_before / 1024.0, rss_waiting / 1024.0,
          n > 0 ? ((double) rss_waiting - (double) rss_before) / n : 0.0,
          rss_after / 1024.0, peak / 1024.0);
  fflush (stdout);

  for (guint i = 0; i < n; i++)
    if (waiters[i].fd >= 0)
      close (waiters[i].fd);
  pd_server_stop (server);
  return 0;
}
