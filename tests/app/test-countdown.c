// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportCountdown: its rounding and its words, without sleeping and
// without a display. Under LANGUAGE=ru (with PASSPORT_LOCALEDIR) the words
// are checked in Russian, a language with three plural forms.
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "passport-countdown.h"

static void
assert_words (guint       seconds,
              const char *expected)
{
  g_autofree char *text = passport_countdown_format_seconds (seconds, PASSPORT_COUNTDOWN_WORDS);

  g_assert_cmpstr (text, ==, expected);
}

static void
assert_clock (guint       seconds,
              const char *expected)
{
  g_autofree char *text = passport_countdown_format_seconds (seconds, PASSPORT_COUNTDOWN_CLOCK);

  g_assert_cmpstr (text, ==, expected);
}

/* Whole seconds, rounded up: "1 second" until the deadline has passed. */
static void
test_rounding (void)
{
  const gint64 now = 1000 * G_USEC_PER_SEC;

  g_assert_cmpuint (passport_countdown_seconds_between (now, 0), ==, 0);
  g_assert_cmpuint (passport_countdown_seconds_between (now, now - 1), ==, 0);
  g_assert_cmpuint (passport_countdown_seconds_between (now, now), ==, 0);
  g_assert_cmpuint (passport_countdown_seconds_between (now, now + 1), ==, 1);
  g_assert_cmpuint (passport_countdown_seconds_between (now, now + G_USEC_PER_SEC), ==, 1);
  g_assert_cmpuint (passport_countdown_seconds_between (now, now + G_USEC_PER_SEC + 1), ==, 2);
  g_assert_cmpuint (passport_countdown_seconds_between (now, now + 882 * G_USEC_PER_SEC - 500), ==, 882);
}

static void
test_clock (void)
{
  assert_clock (0, "0:00");
  assert_clock (9, "0:09");
  assert_clock (291, "4:51");
  assert_clock (300, "5:00");
  assert_clock (3723, "1:02:03");
}

static void
count_cb (guint *count)
{
  (*count)++;
}

/* The object: seconds-left and running follow the deadline at once; with
 * no widget shown it never ticks, so this needs no main loop. */
static void
test_object (void)
{
  g_autoptr(PassportCountdown) countdown = passport_countdown_new (NULL);
  g_autofree char *text = NULL;
  guint notified = 0;

  g_signal_connect_swapped (countdown, "notify::running", G_CALLBACK (count_cb), &notified);

  g_assert_false (passport_countdown_get_running (countdown));
  g_assert_cmpuint (passport_countdown_get_seconds_left (countdown), ==, 0);

  passport_countdown_set_deadline (countdown, g_get_monotonic_time () + 42 * G_USEC_PER_SEC);
  g_assert_true (passport_countdown_get_running (countdown));
  g_assert_cmpuint (passport_countdown_get_seconds_left (countdown), ==, 42);
  g_assert_cmpuint (notified, ==, 1);
  text = passport_countdown_format (countdown, PASSPORT_COUNTDOWN_CLOCK);
  g_assert_cmpstr (text, ==, "0:42");

  /* A deadline that has passed, or none: not running. */
  passport_countdown_set_deadline (countdown, g_get_monotonic_time () - 1);
  g_assert_false (passport_countdown_get_running (countdown));
  g_assert_cmpuint (passport_countdown_get_seconds_left (countdown), ==, 0);
  g_assert_cmpuint (notified, ==, 2);
  passport_countdown_set_deadline (countdown, 0);
  g_assert_cmpuint (notified, ==, 2);
}

static void
record_cb (PassportCountdown *countdown,
           GParamSpec        *pspec,
           GString           *seen)
{
  g_string_append_printf (seen, "%u ", passport_countdown_get_seconds_left (countdown));
}

static void
run_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

/* With a display (COUNTDOWN_DISPLAY=1, under run-display.sh): it ticks
 * only while its widget is mapped, once each time the count drops. */
static void
test_ticks_while_mapped (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *label = gtk_label_new ("");
  g_autoptr(PassportCountdown) countdown = passport_countdown_new (label);
  g_autoptr(GString) seen = g_string_new (NULL);
  gint64 start;

  gtk_window_set_child (GTK_WINDOW (window), label);
  g_signal_connect (countdown, "notify::seconds-left", G_CALLBACK (record_cb), seen);

  /* Not shown: the count is taken once, and not again. */
  passport_countdown_set_deadline (countdown, g_get_monotonic_time () + 300 * 1000);
  g_assert_cmpuint (passport_countdown_get_seconds_left (countdown), ==, 1);
  run_for (500);
  g_assert_cmpuint (passport_countdown_get_seconds_left (countdown), ==, 1);

  /* Shown: taken afresh at once (the deadline has passed). */
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (label))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (passport_countdown_get_seconds_left (countdown), ==, 0);
  g_assert_false (passport_countdown_get_running (countdown));

  /* Shown and ahead: 2, 1, 0, each when it is due. */
  g_string_truncate (seen, 0);
  start = g_get_monotonic_time ();
  passport_countdown_set_deadline (countdown, start + 1200 * 1000);
  while (passport_countdown_get_running (countdown) && g_get_monotonic_time () < start + 5 * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (seen->str, ==, "2 1 0 ");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1200 * 1000);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Human units (finding 13): seconds under a minute, then minutes, then
 * hours, the larger units rounded up so a wait is never said shorter. */
static void
test_words (void)
{
  assert_words (1, "1 second");
  assert_words (2, "2 seconds");
  assert_words (59, "59 seconds");
  assert_words (60, "1 minute");
  assert_words (61, "2 minutes");
  assert_words (882, "15 minutes");
  assert_words (3540, "59 minutes");
  assert_words (3541, "1 hour");
  assert_words (3600, "1 hour");
  assert_words (3601, "2 hours");
}

/* Russian: three plural forms, in the accusative of "через …". */
static void
test_words_ru (void)
{
  assert_words (1, "1 секунду");
  assert_words (2, "2 секунды");
  assert_words (5, "5 секунд");
  assert_words (11, "11 секунд");
  assert_words (21, "21 секунду");
  assert_words (22, "22 секунды");
  assert_words (882, "15 минут");
  assert_words (1260, "21 минуту");
  assert_words (180, "3 минуты");
  assert_words (3600, "1 час");
  assert_words (7200, "2 часа");
  assert_words (18000, "5 часов");
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("PASSPORT_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  if (g_strcmp0 (g_getenv ("COUNTDOWN_DISPLAY"), "1") == 0)
    {
      gtk_init ();
      g_test_add_func ("/countdown/ticks-while-mapped", test_ticks_while_mapped);
    }

  g_test_add_func ("/countdown/rounding", test_rounding);
  g_test_add_func ("/countdown/clock", test_clock);
  g_test_add_func ("/countdown/object", test_object);
  if (g_strcmp0 (g_getenv ("LANGUAGE"), "ru") == 0)
    g_test_add_func ("/countdown/words-ru", test_words_ru);
  else
    g_test_add_func ("/countdown/words", test_words);

  return g_test_run ();
}
