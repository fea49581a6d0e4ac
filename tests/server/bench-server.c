// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd benchmark (not a test): requests per second and p50/p99
 * latency of GET /api/v1/me over keep-alive connections from 4 threads,
 * and the median time of one password check (a password grant).
 *
 *   meson test -C build --benchmark --verbose bench-passportd
 *
 * PD_BENCH_REQUESTS (default 4000) and PD_BENCH_PASSWORDS (default 15)
 * change the counts. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "pd-test-server.h"

#define THREADS 4
#define PASSWORD "quiet orange kettle 9"

static PdServer *server;

typedef struct
{
  const char *access;
  guint count;
  gint64 *latencies;  /* microseconds */
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  g_autoptr(PdClient) client = pd_client_new (server);

  for (guint i = 0; i < worker->count; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(PdResponse) r = pd_client_get (client, "/api/v1/me", worker->access);

      worker->latencies[i] = g_get_monotonic_time () - start;
      if (r->status != 200)
        g_error ("GET /me answered %u", r->status);
    }
  return NULL;
}

static int
compare_gint64 (const void *a,
                const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static guint
env_count (const char *name,
           guint       fallback)
{
  const char *value = g_getenv (name);
  guint64 n;

  if (value != NULL && g_ascii_string_to_unsigned (value, 10, 1, 10000000, &n, NULL))
    return (guint) n;
  return fallback;
}

int
main (int   argc,
      char *argv[])
{
  guint requests = env_count ("PD_BENCH_REQUESTS", 4000);
  guint passwords = env_count ("PD_BENCH_PASSWORDS", 15);
  guint per_thread = (requests + THREADS - 1) / THREADS;
  g_autofree gint64 *all = NULL;
  g_autofree gint64 *checks = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  g_autoptr(PdClient) client = NULL;
  Worker workers[THREADS];
  GThread *threads[THREADS];
  const char *access;
  gint64 start, elapsed;
  guint total = per_thread * THREADS;

  g_test_init (&argc, &argv, NULL);
  server = pd_server_start ("--log-level", "error", NULL);
  tokens = pd_account_with_password (server, "google", "bench@example.com", "Bench Mark", PASSWORD);
  access = json_object_get_string_member (tokens, "access_token");
  client = pd_client_new (server);

  /* warm-up */
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(PdResponse) r = pd_client_get (client, "/api/v1/me", access);

      g_assert_cmpuint (r->status, ==, 200);
    }

  all = g_new0 (gint64, total);
  start = g_get_monotonic_time ();
  for (guint t = 0; t < THREADS; t++)
    {
      workers[t].access = access;
      workers[t].count = per_thread;
      workers[t].latencies = all + t * per_thread;
      threads[t] = g_thread_new ("bench", worker_thread, &workers[t]);
    }
  for (guint t = 0; t < THREADS; t++)
    g_thread_join (threads[t]);
  elapsed = g_get_monotonic_time () - start;
  qsort (all, total, sizeof *all, compare_gint64);

  printf ("GET /api/v1/me: %u requests, %d threads, keep-alive\n", total, THREADS);
  printf ("  requests/s: %.0f\n", total / (elapsed / (double) G_USEC_PER_SEC));
  printf ("  p50 latency: %.3f ms\n", all[total / 2] / 1000.0);
  printf ("  p99 latency: %.3f ms\n", all[(guint) (total * 0.99)] / 1000.0);

  /* one password check = one password grant (argon2id m=19 MiB, t=2) */
  checks = g_new0 (gint64, passwords);
  for (guint i = 0; i < passwords; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr(PdResponse) r = pd_token_password (client, "bench@example.com", PASSWORD);

      checks[i] = g_get_monotonic_time () - t0;
      g_assert_cmpuint (r->status, ==, 200);
    }
  qsort (checks, passwords, sizeof *checks, compare_gint64);
  printf ("password grant (one argon2id check): median %.1f ms over %u\n",
          checks[passwords / 2] / 1000.0, passwords);
  fflush (stdout);

  pd_server_stop (server);
  pd_server_free (server);
  return 0;
}
