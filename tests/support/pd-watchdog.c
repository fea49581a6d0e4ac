// SPDX-License-Identifier: GPL-3.0-or-later
//
// A watchdog for test cases that wait on servers, keyrings and browsers:
// one thread asleep on a condition until the running case's deadline.
// Past it, gdb prints every thread's stack to standard error and the test
// aborts. A case that ends in time disarms it; nothing polls.
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pd-watchdog.h"

typedef struct
{
  const char *path;
  GTestFunc func;
  guint seconds;
} WatchedCase;

static GMutex lock;
static GCond changed;
static gint64 deadline;        /* monotonic; 0: disarmed */
static const char *armed_path;
static guint armed_seconds;

static void
dump_stacks (const char *path,
             guint       seconds)
{
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  const char *argv[] = { "gdb", "-p", pid, "-batch", "-nx",
                         "-ex", "set pagination off",
                         "-ex", "thread apply all bt",
                         NULL };
  g_autoptr(GError) error = NULL;
  GPid child = 0;
  int status = 0;

  fprintf (stderr, "watchdog: %s has run for more than %u s; the stacks of every thread:\n",
           path, seconds);
  fflush (stderr);
  /* Yama's ptrace_scope 1 lets only an ancestor attach, unless asked. */
  prctl (PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
  if (!g_spawn_async_with_fds (NULL, (char **) argv, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                               NULL, NULL, &child, -1, STDERR_FILENO, STDERR_FILENO, &error))
    {
      fprintf (stderr, "watchdog: no stacks, gdb did not start: %s\n", error->message);
      return;
    }
  waitpid (child, &status, 0);
  g_spawn_close_pid (child);
}

static gpointer
watchdog_thread (gpointer data)
{
  g_mutex_lock (&lock);
  for (;;)
    {
      if (deadline == 0)
        g_cond_wait (&changed, &lock);
      else if (!g_cond_wait_until (&changed, &lock, deadline) &&
               deadline != 0 && g_get_monotonic_time () >= deadline)
        {
          dump_stacks (armed_path, armed_seconds);
          fprintf (stderr, "watchdog: %s hung; aborting\n", armed_path);
          fflush (stderr);
          abort ();
        }
    }
  return NULL;
}

static guint
slowdown (void)
{
  const char *value = g_getenv ("PASSPORT_TEST_SLOWDOWN");
  guint64 factor = 1;

  if (value != NULL && !g_ascii_string_to_unsigned (value, 10, 1, 20, &factor, NULL))
    factor = 1;
  return (guint) factor;
}

static void
run_watched (gconstpointer data)
{
  const WatchedCase *watched = data;
  guint seconds = watched->seconds * slowdown ();
  static GThread *thread;

  g_mutex_lock (&lock);
  if (thread == NULL)
    thread = g_thread_new ("pd-watchdog", watchdog_thread, NULL);
  armed_path = watched->path;
  armed_seconds = seconds;
  deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  g_cond_signal (&changed);
  g_mutex_unlock (&lock);

  watched->func ();

  g_mutex_lock (&lock);
  deadline = 0;
  g_cond_signal (&changed);
  g_mutex_unlock (&lock);
}

void
pd_test_add_func_watched (const char *path,
                          GTestFunc   func,
                          guint       seconds)
{
  WatchedCase *watched = g_new0 (WatchedCase, 1);

  watched->path = g_intern_string (path);
  watched->func = func;
  watched->seconds = seconds;
  /* Lives as long as the test program, like the case it describes. */
  g_test_add_data_func (path, watched, run_watched);
}
