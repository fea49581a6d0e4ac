// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd benchmark (not a test): GET /api/v1/me over keep-alive
 * connections from 1, 4 and 16 client threads (one connection each):
 * requests per second, p50 and p99 latency, and the same for a baseline in
 * the same run, bench-static-server (libsoup answering a body of the same
 * size with no work behind it), with passportd's ratio to it. Then the
 * median time of one password check (a password grant).
 *
 *   meson test -C build --benchmark --verbose bench-passportd
 *
 * Also each server's CPU time per request (from /proc), which a busy
 * machine moves much less than the rate, and passportd's ratio by it
 * (static / passportd: the rate passportd would reach on a free core).
 * Each figure is the best of PD_BENCH_ROUNDS runs (default 3; the two
 * servers take turns, so a busy machine slows both alike) of
 * PD_BENCH_REQUESTS requests (default 4000). PD_BENCH_PASSWORDS (default
 * 15) password grants. PASSPORTD and PD_BENCH_STATIC_SERVER name the two
 * servers (meson sets them). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pd-test-server.h"

#define PASSWORD "quiet orange kettle 9"

static const guint client_counts[] = { 1, 4, 16 };

typedef struct
{
  double per_second;
  double p50_ms, p99_ms;
  double cpu_us;      /* the server's CPU time per request */
} Figures;

typedef struct
{
  PdServer *server;
  const char *access;
  guint count;
  gint64 *latencies;  /* microseconds */
  /* all threads connect and warm up, then start together */
  GMutex *lock;
  GCond *cond;
  guint *ready;
  gboolean *go;
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  g_autoptr(PdClient) client = pd_client_new (worker->server);

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(PdResponse) r = pd_client_get (client, "/api/v1/me", worker->access);

      if (r->status != 200)
        g_error ("GET /me answered %u", r->status);
    }

  g_mutex_lock (worker->lock);
  (*worker->ready)++;
  g_cond_broadcast (worker->cond);
  while (!*worker->go)
    g_cond_wait (worker->cond, worker->lock);
  g_mutex_unlock (worker->lock);

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

/* User + system CPU time of a process so far, in microseconds: unlike the
 * rate, it hardly moves when other work shares the machine. */
static gint64
cpu_time_us (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (process));
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *end;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (end = strrchr (text, ')')) == NULL)
    return 0;
  /* after "pid (comm)": state is field 3, utime 14 and stime 15 */
  fields = g_strsplit (end + 2, " ", 16);
  if (g_strv_length (fields) < 14)
    return 0;
  return (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10)) *
         G_USEC_PER_SEC / sysconf (_SC_CLK_TCK);
}

static Figures
run_load (PdServer    *server,
          GSubprocess *process,
          const char  *access,
          guint        clients,
          guint        requests)
{
  guint per_thread = (requests + clients - 1) / clients;
  guint total = per_thread * clients;
  g_autofree gint64 *all = g_new0 (gint64, total);
  g_autofree Worker *workers = g_new0 (Worker, clients);
  g_autofree GThread **threads = g_new0 (GThread *, clients);
  GMutex lock;
  GCond cond;
  guint ready = 0;
  gboolean go = FALSE;
  gint64 start, elapsed, cpu;
  Figures f;

  g_mutex_init (&lock);
  g_cond_init (&cond);
  for (guint t = 0; t < clients; t++)
    {
      workers[t] = (Worker) { server, access, per_thread, all + t * per_thread, &lock, &cond, &ready, &go };
      threads[t] = g_thread_new ("bench", worker_thread, &workers[t]);
    }

  g_mutex_lock (&lock);
  while (ready < clients)
    g_cond_wait (&cond, &lock);
  go = TRUE;
  cpu = cpu_time_us (process);
  start = g_get_monotonic_time ();
  g_cond_broadcast (&cond);
  g_mutex_unlock (&lock);

  for (guint t = 0; t < clients; t++)
    g_thread_join (threads[t]);
  elapsed = g_get_monotonic_time () - start;
  cpu = cpu_time_us (process) - cpu;
  g_mutex_clear (&lock);
  g_cond_clear (&cond);

  qsort (all, total, sizeof *all, compare_gint64);
  f.per_second = total / (elapsed / (double) G_USEC_PER_SEC);
  f.p50_ms = all[total / 2] / 1000.0;
  f.p99_ms = all[(guint) (total * 0.99)] / 1000.0;
  f.cpu_us = cpu / (double) total;
  return f;
}

/* The baseline server, spawned like passportd: its URL is its first line. */
static GSubprocess *
static_server_start (char **url)
{
  const char *exe = g_getenv ("PD_BENCH_STATIC_SERVER");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  GSubprocess *process;

  if (exe == NULL)
    g_error ("PD_BENCH_STATIC_SERVER is not set: run the benchmark through meson test --benchmark");
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, exe, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  *url = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*url);
  return process;
}

int
main (int   argc,
      char *argv[])
{
  guint requests = env_count ("PD_BENCH_REQUESTS", 10000);
  guint rounds = env_count ("PD_BENCH_ROUNDS", 3);
  guint passwords = env_count ("PD_BENCH_PASSWORDS", 15);
  Figures best[G_N_ELEMENTS (client_counts)][2] = { 0 };
  g_autofree gint64 *checks = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  g_autoptr(PdClient) client = NULL;
  g_autoptr(GSubprocess) baseline = NULL;
  g_autofree char *baseline_url = NULL;
  PdServer baseline_server = { 0 };
  PdServer *server;
  const char *access;

  g_test_init (&argc, &argv, NULL);
  server = pd_server_start ("--log-level", "error", NULL);
  tokens = pd_account_with_password (server, "google", "bench@example.com", "Bench Mark", PASSWORD);
  access = json_object_get_string_member (tokens, "access_token");
  client = pd_client_new (server);
  baseline = static_server_start (&baseline_url);
  baseline_server.url = baseline_url;

  for (guint r = 0; r < rounds; r++)
    for (guint c = 0; c < G_N_ELEMENTS (client_counts); c++)
      for (guint s = 0; s < 2; s++)
        {
          Figures f = run_load (s == 0 ? &baseline_server : server, s == 0 ? baseline : server->process,
                                access, client_counts[c], requests);

          if (r == 0 || f.cpu_us < best[c][s].cpu_us)
            best[c][s].cpu_us = f.cpu_us;
          if (f.per_second > best[c][s].per_second)
            {
              f.cpu_us = best[c][s].cpu_us;
              best[c][s] = f;
            }
        }

  printf ("GET /api/v1/me, keep-alive, one connection a client; best of %u runs of %u requests\n",
          rounds, requests);
  printf ("(cpu: the server's CPU time per request, the least of the runs)\n");
  printf ("%7s | %35s | %35s | %s\n", "", "static body (libsoup)", "passportd", "passportd / static");
  printf ("%7s | %8s %7s %7s %10s | %8s %7s %7s %10s | %7s %7s\n",
          "clients", "req/s", "p50 ms", "p99 ms", "cpu us/req", "req/s", "p50 ms", "p99 ms", "cpu us/req",
          "req/s", "cpu");
  for (guint c = 0; c < G_N_ELEMENTS (client_counts); c++)
    printf ("%7u | %8.0f %7.3f %7.3f %10.1f | %8.0f %7.3f %7.3f %10.1f | %7.2f %7.2f\n", client_counts[c],
            best[c][0].per_second, best[c][0].p50_ms, best[c][0].p99_ms, best[c][0].cpu_us,
            best[c][1].per_second, best[c][1].p50_ms, best[c][1].p99_ms, best[c][1].cpu_us,
            best[c][1].per_second / best[c][0].per_second,
            best[c][0].cpu_us / best[c][1].cpu_us);

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

  g_subprocess_send_signal (baseline, SIGTERM);
  g_subprocess_wait (baseline, NULL, NULL);
  pd_server_stop (server);
  pd_server_free (server);
  return 0;
}
