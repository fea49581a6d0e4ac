// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A test-only probe of main-loop stalls, for the app-stalls benchmark
 * (PASSPORT_BENCHMARK=/path/of/report). A watcher thread pings the main
 * context every few milliseconds; a ping answered more than 16 ms late is
 * a stall, and what the main thread was doing meanwhile is sampled: the
 * app's own work as marked with passport_stall_probe_enter()/_leave(), a
 * GTK frame (between a frame clock's before-paint and after-paint), or
 * something unmarked. Off (and free: no thread, one test per mark) unless
 * started. */

/* Starts the probe; the report is appended to @report_path as one JSON
 * line when passport_stall_probe_stop() is called. Main thread only. */
void passport_stall_probe_start (const char *report_path);

/* Stops the watcher and writes the report. Does nothing when not started. */
void passport_stall_probe_stop  (void);

/* Marks the app's own work on the main thread; @what is a static string
 * naming it. Calls nest; each enter needs its leave. */
void passport_stall_probe_enter (const char *what);
void passport_stall_probe_leave (void);

G_END_DECLS
