// SPDX-License-Identifier: GPL-3.0-or-later
//
// The tests' watchdog (pd-watchdog.c) itself: a case that hangs is ended
// with every thread's stack, naming the function it hung in; a case that
// ends in time is not disturbed.
#include "config.h"

#include "pd-watchdog.h"

G_GNUC_NO_INLINE static void
hang_in_a_named_place (void)
{
  /* Asleep, as a hung test is: a poll that never wakes. */
  g_usleep (60 * G_USEC_PER_SEC);
  /* (and not a tail call, which would leave this frame out of the stack) */
  g_assert_not_reached ();
}

static void
in_time (void)
{
  g_usleep (3 * G_USEC_PER_SEC / 2);
}

static void
test_hang (void)
{
  g_test_trap_subprocess ("/watchdog/hang/subprocess", 50 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*watchdog: /watchdog/hang/subprocess has run for more than 1 s*");
  g_test_trap_assert_stderr ("*hang_in_a_named_place*");
  g_test_trap_assert_stderr ("*watchdog: /watchdog/hang/subprocess hung; aborting*");
}

static void
test_in_time (void)
{
  g_test_trap_subprocess ("/watchdog/in-time/subprocess", 50 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr_unmatched ("*watchdog*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* The slowdown of a sanitizer build would stretch the 1 s budget. */
  g_unsetenv ("PASSPORT_TEST_SLOWDOWN");
  g_test_add_func ("/watchdog/hang", test_hang);
  pd_test_add_func_watched ("/watchdog/hang/subprocess", hang_in_a_named_place, 1);
  g_test_add_func ("/watchdog/in-time", test_in_time);
  pd_test_add_func_watched ("/watchdog/in-time/subprocess", in_time, 2);
  return g_test_run ();
}
