// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportCountdown: the seconds left until a deadline of the flow
// ("retry-after", "browser-deadline"), and the words for them. It ticks
// once a second only while the deadline is ahead and its widget is mapped,
// so an idle window, or a page that is not shown, never wakes the app.
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  PASSPORT_COUNTDOWN_WORDS,  /* "45 seconds", "15 minutes", "2 hours" */
  PASSPORT_COUNTDOWN_CLOCK,  /* "4:51", "1:02:03" */
} PassportCountdownStyle;

#define PASSPORT_TYPE_COUNTDOWN (passport_countdown_get_type ())
G_DECLARE_FINAL_TYPE (PassportCountdown, passport_countdown, PASSPORT, COUNTDOWN, GObject)

/* Properties:
 *   deadline      gint64: monotonic µs (g_get_monotonic_time), 0 = none
 *   seconds-left  guint: whole seconds to the deadline, rounded up (read-only)
 *   running       gboolean: the deadline is ahead (read-only)
 *
 * @widget: whose mapping decides whether the countdown ticks; held weakly. */
PassportCountdown *passport_countdown_new              (GtkWidget         *widget);

gint64             passport_countdown_get_deadline     (PassportCountdown *self);
void               passport_countdown_set_deadline     (PassportCountdown *self,
                                                        gint64             deadline);
guint              passport_countdown_get_seconds_left (PassportCountdown *self);
gboolean           passport_countdown_get_running      (PassportCountdown *self);

/* "seconds-left" in @style; a new string. */
char              *passport_countdown_format           (PassportCountdown      *self,
                                                        PassportCountdownStyle  style);

/* @seconds as words for "in …" ("Resend in %s": under a minute in seconds,
 * under an hour in minutes, else in hours, the larger units rounded up,
 * with the language's plural forms) or as a clock ("M:SS", "H:MM:SS"). A
 * new string. */
char              *passport_countdown_format_seconds   (guint                   seconds,
                                                        PassportCountdownStyle  style);

/* Whole seconds from @now to @deadline (monotonic µs), rounded up; 0 when
 * there is none or it has passed. */
guint              passport_countdown_seconds_between  (gint64                  now,
                                                        gint64                  deadline);

G_END_DECLS
