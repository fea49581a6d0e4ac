/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Adds a test case like g_test_add_func(), with a watchdog: when the case
 * runs longer than @seconds (times $PASSPORT_TEST_SLOWDOWN, which the
 * sanitizer build sets), the stacks of every thread of the test are
 * printed (gdb) and the test aborts, so a hang says where it hung before
 * meson's timeout kills it in silence. */
void pd_test_add_func_watched (const char *path,
                               GTestFunc   func,
                               guint       seconds);

G_END_DECLS
