// SPDX-License-Identifier: GPL-3.0-or-later
//
// passportd benchmark (a meson benchmark, not a test: it prints figures and
// asserts only that the requests succeeded):
//  - GET /api/v1/me over keep-alive connections from several threads:
//    requests per second, p50 and p99 latency;
//  - one password check (the password grant, argon2id): median time.
// Run: meson test -C build --benchmark --verbose
#include "config.h"

#include "pd-test-server.h"

#define THREADS 4
#define REQUESTS_PER_THREAD 1500
#define PASSWORD_CHECKS 15

typedef struct
{
  PdServer *server;
  const char *token;
  gint64 *latencies;   /* µs, REQUESTS_PER_THREAD of them */
  guint failures;
} Worker;

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("max-conns", 1, NULL);
  g_autofree char *url = pd_server_url (w->server, "/api/v1/me");
  g_autofree char *auth = g_strdup_printf ("Bearer %s", w->token);

  for (guint i = 0; i < REQUESTS_PER_THREAD; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) body = NULL;
      gint64 start = g_get_monotonic_time ();

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
      body = soup_session_send_and_read (session, msg, NULL, NULL);
      w->latencies[i] = g_get_monotonic_time () - start;
      if (body == NULL || soup_message_get_status (msg) != SOUP_STATUS_OK)
        w->failures++;
    }
  return NULL;
}

static int
cmp_gint64 (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static void
bench_me (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(JsonObject) tokens = pd_social_tokens (server, "google", "bench@example.com", "Bench", FALSE);
  const char *token = json_object_get_string_member (tokens, "access_token");
  Worker workers[THREADS];
  GThread *threads[THREADS];
  g_autofree gint64 *all = g_new0 (gint64, THREADS * REQUESTS_PER_THREAD);
  guint failures = 0;
  gint64 start, elapsed;
  guint n = THREADS * REQUESTS_PER_THREAD;

  start = g_get_monotonic_time ();
  for (guint t = 0; t < THREADS; t++)
    {
      workers[t] = (Worker) { server, token, all + t * REQUESTS_PER_THREAD, 0 };
      threads[t] = g_thread_new ("bench", worker_run, &workers[t]);
    }
  for (guint t = 0; t < THREADS; t++)
    {
      g_thread_join (threads[t]);
      failures += workers[t].failures;
    }
  elapsed = g_get_monotonic_time () - start;

  g_assert_cmpuint (failures, ==, 0);
  qsort (all, n, sizeof (gint64), cmp_gint64);
  g_print ("GET /api/v1/me: %u requests from %u threads in %.2f s: %.0f requests/s, "
           "p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
           n, THREADS, elapsed / 1e6, n / (elapsed / 1e6),
           all[n / 2] / 1e3, all[(n * 99) / 100] / 1e3, all[n - 1] / 1e3);
}

static void
bench_password (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "google", "argon@example.com", "Argon",
                                                           "a long benchmark password");
  g_autoptr(PdClient) client = pd_client_new (server);
  gint64 times[PASSWORD_CHECKS];

  for (guint i = 0; i < PASSWORD_CHECKS; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(PdResponse) response = pd_token_password (client, "argon@example.com", "a long benchmark password");

      times[i] = g_get_monotonic_time () - start;
      pd_assert_response (response, 200, NULL);
    }
  qsort (times, PASSWORD_CHECKS, sizeof (gint64), cmp_gint64);
  g_print ("password grant (argon2id m=19 MiB, t=2, p=1, plus token issue): median %.1f ms, "
           "min %.1f ms, max %.1f ms over %u sign-ins\n",
           times[PASSWORD_CHECKS / 2] / 1e3, times[0] / 1e3, times[PASSWORD_CHECKS - 1] / 1e3, PASSWORD_CHECKS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bench/me", bench_me);
  g_test_add_func ("/bench/password", bench_password);
  return g_test_run ();
}
