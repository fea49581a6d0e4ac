// SPDX-License-Identifier: GPL-3.0-or-later
//
// The app-stalls benchmark's probe (see the header). The watcher thread
// posts a high-priority idle to the main context and waits for it to run:
// how late it runs is how long the main thread was away from its loop.
// While it waits, every SAMPLE_US it notes the main thread's current mark
// and whether the thread is on a CPU or asleep in the kernel (blocked on
// I/O or a lock), from /proc.
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <glib.h>
#include <glib/gstdio.h>
#ifdef __linux__
/* The thread's state is read from /proc: Linux only; elsewhere the probe
 * still times the stalls, without saying where the thread was. */
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "passport-stall-probe.h"

#define STALL_US         (16 * 1000)  /* one frame at 60 Hz */
#define PING_INTERVAL_US (4 * 1000)
#define SAMPLE_US        (2 * 1000)
#define SAMPLE_AFTER_US  (4 * 1000)
#define N_TOP            8
#define N_LABELS         6
#define MAX_DEPTH        16

/* Start-up (marks named "start-up: …") is app-first-frame's to measure;
 * it is kept apart from the app's work once it runs. */
typedef enum {
  KIND_OWN,
  KIND_START_UP,
  KIND_RENDERING,
  KIND_OTHER,
  N_KINDS
} Kind;

static const char *const kind_names[N_KINDS] = { "own", "start-up", "rendering", "other" };

static const char rendering_label[] = "GTK rendering (frame clock: update, layout, paint)";
static const char other_label[] = "unmarked (GTK input, accessibility, GLib and flow callbacks)";

typedef struct
{
  const char *label;
  guint samples;
} LabelCount;

typedef struct
{
  double ms;
  double at_s;
  Kind kind;
  char *where;
  double blocked;
} Stall;

static struct
{
  /* Main thread only. */
  gboolean running;
  const char *stack[MAX_DEPTH];
  guint depth;
  char *report_path;
  GThread *thread;

  /* Shared. */
  const char *current;   /* atomic: the innermost mark, or NULL */
  gint in_frame;         /* atomic */
  gint stop;             /* atomic */
  GMutex mutex;
  GCond cond;
  guint answered_serial; /* under mutex */
  gint64 answered_at;    /* under mutex */
  GMainContext *context;
  pid_t main_tid;
  gint64 started_at;

  /* The watcher's, read by the main thread after joining it. */
  guint64 pings;
  guint over[N_KINDS];
  double over_ms[N_KINDS];
  Stall top[N_KINDS][N_TOP];  /* longest first */
  guint n_top[N_KINDS];
} probe;

/* Marks -------------------------------------------------------------------- */

void
passport_stall_probe_enter (const char *what)
{
  if (G_LIKELY (!probe.running))
    return;
  if (probe.depth < MAX_DEPTH)
    probe.stack[probe.depth] = what;
  probe.depth++;
  g_atomic_pointer_set (&probe.current, what);
}

void
passport_stall_probe_leave (void)
{
  if (G_LIKELY (!probe.running))
    return;
  g_return_if_fail (probe.depth > 0);
  probe.depth--;
  g_atomic_pointer_set (&probe.current,
                        probe.depth > 0 ? probe.stack[MIN (probe.depth, MAX_DEPTH) - 1] : NULL);
}

static void
frame_begins (GdkFrameClock *clock)
{
  g_atomic_int_set (&probe.in_frame, TRUE);
}

static void
frame_ends (GdkFrameClock *clock)
{
  g_atomic_int_set (&probe.in_frame, FALSE);
}

static void
window_realized (GtkWidget *window)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  if (clock == NULL || g_object_get_data (G_OBJECT (clock), "passport-stall-probe") != NULL)
    return;
  g_object_set_data (G_OBJECT (clock), "passport-stall-probe", GINT_TO_POINTER (TRUE));
  g_signal_connect (clock, "before-paint", G_CALLBACK (frame_begins), NULL);
  g_signal_connect_after (clock, "after-paint", G_CALLBACK (frame_ends), NULL);
}

/* Every toplevel (the window, dialogs, About) has its frame clock. */
static void
toplevels_changed (GListModel *toplevels,
                   guint       position,
                   guint       removed,
                   guint       added)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (g_object_get_data (G_OBJECT (window), "passport-stall-probe") != NULL)
        continue;
      g_object_set_data (G_OBJECT (window), "passport-stall-probe", GINT_TO_POINTER (TRUE));
      g_signal_connect (window, "realize", G_CALLBACK (window_realized), NULL);
      if (gtk_widget_get_realized (window))
        window_realized (window);
    }
}

/* The watcher thread --------------------------------------------------------- */

static gboolean
ping_cb (gpointer data)
{
  g_mutex_lock (&probe.mutex);
  probe.answered_serial = GPOINTER_TO_UINT (data);
  probe.answered_at = g_get_monotonic_time ();
  g_cond_signal (&probe.cond);
  g_mutex_unlock (&probe.mutex);
  return G_SOURCE_REMOVE;
}

static void
post_ping (guint serial)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_static_name (source, "[passport] stall probe");
  g_source_set_callback (source, ping_cb, GUINT_TO_POINTER (serial), NULL);
  g_source_attach (source, probe.context);
}

/* TRUE when the main thread sleeps in the kernel ('S' or 'D' in
 * /proc/self/task/TID/stat) rather than runs. */
static gboolean
main_thread_blocked (void)
{
#ifdef __linux__
  char path[64];
  char buf[512];
  const char *paren;
  ssize_t len;
  int fd;

  g_snprintf (path, sizeof path, "/proc/self/task/%d/stat", (int) probe.main_tid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  len = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (len <= 0)
    return FALSE;
  buf[len] = '\0';
  paren = strrchr (buf, ')');
  return paren != NULL && paren[1] == ' ' && (paren[2] == 'S' || paren[2] == 'D');
#else
  return FALSE;
#endif
}

static const char *
current_label (void)
{
  const char *mark = g_atomic_pointer_get (&probe.current);

  if (mark != NULL)
    return mark;
  return g_atomic_int_get (&probe.in_frame) ? rendering_label : other_label;
}

static Kind
kind_of (const char *label)
{
  if (label == rendering_label)
    return KIND_RENDERING;
  if (label == other_label)
    return KIND_OTHER;
  if (g_str_has_prefix (label, "start-up:"))
    return KIND_START_UP;
  return KIND_OWN;
}

static void
record (gint64      posted,
        gint64      late_us,
        LabelCount *labels,
        guint       n_labels,
        guint       samples,
        guint       blocked)
{
  Stall stall = { 0 };
  GString *where = g_string_new (NULL);
  guint first = 0, second = G_MAXUINT;
  Stall *top;
  Kind kind;

  /* Named after what was seen most, and next most. */
  for (guint i = 1; i < n_labels; i++)
    if (labels[i].samples > labels[first].samples)
      first = i;
  for (guint i = 0; i < n_labels; i++)
    if (i != first && (second == G_MAXUINT || labels[i].samples > labels[second].samples))
      second = i;

  if (n_labels == 0)
    g_string_append (where, current_label ());
  else
    g_string_append_printf (where, "%s %u%%", labels[first].label,
                            100 * labels[first].samples / MAX (samples, 1));
  if (second != G_MAXUINT)
    g_string_append_printf (where, ", %s %u%%", labels[second].label,
                            100 * labels[second].samples / MAX (samples, 1));
  kind = kind_of (n_labels > 0 ? labels[first].label : current_label ());

  stall.ms = late_us / 1000.0;
  stall.at_s = (posted - probe.started_at) / (double) G_USEC_PER_SEC;
  stall.kind = kind;
  stall.blocked = samples > 0 ? (double) blocked / samples : 0.0;
  stall.where = g_string_free (where, FALSE);

  probe.over[kind]++;
  probe.over_ms[kind] += stall.ms;

  /* The N_TOP longest of each kind. */
  top = probe.top[kind];
  if (probe.n_top[kind] == N_TOP && stall.ms <= top[N_TOP - 1].ms)
    {
      g_free (stall.where);
      return;
    }
  if (probe.n_top[kind] == N_TOP)
    g_free (top[--probe.n_top[kind]].where);
  {
    guint i = probe.n_top[kind]++;

    for (; i > 0 && top[i - 1].ms < stall.ms; i--)
      top[i] = top[i - 1];
    top[i] = stall;
  }
}

static gpointer
watch (gpointer data)
{
  guint serial = 0;

  while (!g_atomic_int_get (&probe.stop))
    {
      LabelCount labels[N_LABELS];
      guint n_labels = 0, samples = 0, blocked = 0;
      gint64 posted, answered;
      gboolean answered_in_time;

      serial++;
      posted = g_get_monotonic_time ();
      post_ping (serial);

      g_mutex_lock (&probe.mutex);
      while (probe.answered_serial != serial && !g_atomic_int_get (&probe.stop))
        {
          if (g_cond_wait_until (&probe.cond, &probe.mutex, g_get_monotonic_time () + SAMPLE_US) ||
              g_get_monotonic_time () - posted < SAMPLE_AFTER_US)
            continue;

          /* Still not answered: what is the main thread doing? */
          g_mutex_unlock (&probe.mutex);
          {
            const char *label = current_label ();
            guint i;

            samples++;
            blocked += main_thread_blocked ();
            for (i = 0; i < n_labels && labels[i].label != label; i++)
              ;
            if (i < n_labels)
              labels[i].samples++;
            else if (n_labels < N_LABELS)
              labels[n_labels++] = (LabelCount) { label, 1 };
          }
          g_mutex_lock (&probe.mutex);
        }
      answered_in_time = probe.answered_serial == serial;
      answered = probe.answered_at;
      g_mutex_unlock (&probe.mutex);

      if (!answered_in_time)
        break;
      probe.pings++;
      if (answered - posted > STALL_US)
        record (posted, answered - posted, labels, n_labels, samples, blocked);
      g_usleep (PING_INTERVAL_US);
    }
  return NULL;
}

/* Starting and the report ------------------------------------------------------ */

void
passport_stall_probe_start (const char *report_path)
{
  GListModel *toplevels;

  g_return_if_fail (report_path != NULL);

  if (probe.running)
    return;
  probe.running = TRUE;
  probe.report_path = g_strdup (report_path);
  probe.context = g_main_context_default ();
#ifdef __linux__
  probe.main_tid = (pid_t) syscall (SYS_gettid);
#endif
  probe.started_at = g_get_monotonic_time ();

  toplevels = gtk_window_get_toplevels ();
  g_signal_connect (toplevels, "items-changed", G_CALLBACK (toplevels_changed), NULL);
  toplevels_changed (toplevels, 0, 0, g_list_model_get_n_items (toplevels));

  probe.thread = g_thread_new ("passport-stall-probe", watch, NULL);
}

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_stall (GString     *out,
              const Stall *stall)
{
  g_string_append_printf (out, "{\"ms\": %.1f, \"at_s\": %.2f, \"kind\": \"%s\", \"blocked\": %.2f, \"where\": ",
                          stall->ms, stall->at_s, kind_names[stall->kind], stall->blocked);
  append_json_string (out, stall->where);
  g_string_append_c (out, '}');
}

void
passport_stall_probe_stop (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const Stall *longest = NULL;
  FILE *file;

  if (!probe.running)
    return;
  probe.running = FALSE;
  g_signal_handlers_disconnect_by_func (gtk_window_get_toplevels (), toplevels_changed, NULL);
  g_atomic_int_set (&probe.stop, TRUE);
  g_mutex_lock (&probe.mutex);
  g_cond_signal (&probe.cond);
  g_mutex_unlock (&probe.mutex);
  g_thread_join (g_steal_pointer (&probe.thread));

  for (guint k = 0; k < N_KINDS; k++)
    if (probe.n_top[k] > 0 && (longest == NULL || probe.top[k][0].ms > longest->ms))
      longest = &probe.top[k][0];

  g_string_append_printf (out, "{\"pid\": %d, \"seconds\": %.1f, \"pings\": %" G_GUINT64_FORMAT
                               ", \"stall_ms\": %d, \"longest\": ",
                          (int) getpid (), (g_get_monotonic_time () - probe.started_at) / (double) G_USEC_PER_SEC,
                          probe.pings, STALL_US / 1000);
  if (longest != NULL)
    append_stall (out, longest);
  else
    g_string_append (out, "null");
  g_string_append (out, ", \"kinds\": {");
  for (guint k = 0; k < N_KINDS; k++)
    {
      g_string_append_printf (out, "%s\"%s\": {\"over\": %u, \"over_ms\": %.1f, \"top\": [",
                              k > 0 ? ", " : "", kind_names[k], probe.over[k], probe.over_ms[k]);
      for (guint i = 0; i < probe.n_top[k]; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          append_stall (out, &probe.top[k][i]);
        }
      g_string_append (out, "]}");
    }
  g_string_append (out, "}}\n");

  /* One line appended: the story's runs append to the same file. */
  file = g_fopen (probe.report_path, "a");
  if (file == NULL || fwrite (out->str, 1, out->len, file) != out->len)
    g_printerr ("stall probe: cannot write %s\n", probe.report_path);
  if (file != NULL && fclose (file) != 0)
    g_printerr ("stall probe: cannot write %s\n", probe.report_path);

  for (guint k = 0; k < N_KINDS; k++)
    for (guint i = 0; i < probe.n_top[k]; i++)
      g_clear_pointer (&probe.top[k][i].where, g_free);
  g_clear_pointer (&probe.report_path, g_free);
}
