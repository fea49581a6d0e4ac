// SPDX-License-Identifier: GPL-3.0-or-later
//
// The refresh lock's place and the password quality checker, without a
// server. (The credential stores have their conformance test,
// tests/core/test-credential-store.c, once per backend.)
#include "config.h"

#include <string.h>

#include "passport-core.h"
#include "passport-memory-store.h"
#include "passport-password-quality.h"
#include "passport-refresh-lock.h"

static void
result_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
await (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static gboolean
has_reason (char **reasons,
            const char *reason)
{
  return reasons != NULL && g_strv_contains ((const char * const *) reasons, reason);
}

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_password_quality (void)
{
  g_autoptr(PassportPasswordQuality) quality = passport_password_quality_new ();
  struct { const char *password; const char *reason; } weak[] = {
    { "short", "too_short" },
    { "ivanov-2024-ok", "contains_email" },
    { "my name is Petrov!", "contains_name" },
  };
  g_autofree char *too_long = g_strnfill (129, 'x');

  for (guint i = 0; i < G_N_ELEMENTS (weak); i++)
    {
      g_auto(GStrv) reasons = NULL;
      guint score = passport_password_quality_check (quality, weak[i].password, "ivanov@example.com",
                                                     "Ivan Petrov", &reasons);
      g_assert_cmpuint (score, ==, 0);
      g_assert_true (has_reason (reasons, weak[i].reason));
    }

  {
    g_auto(GStrv) reasons = NULL;
    g_assert_cmpuint (passport_password_quality_check (quality, too_long, NULL, NULL, &reasons), ==, 0);
    g_assert_true (has_reason (reasons, "too_long"));
  }
  {
    g_auto(GStrv) reasons = NULL;
    guint score = passport_password_quality_check (quality, "correct horse battery staple", "ivan@example.com",
                                                   "Ivan Petrov", &reasons);
    g_assert_cmpuint (score, >, 0);
    g_assert_cmpuint (g_strv_length (reasons), ==, 0);
  }

#ifndef G_OS_WIN32
  /* Windows has no cracklib: the meter there knows only the most obvious
   * guesses (passport-password-quality.c) and leaves the rest to the
   * server's list. */
  /* A dictionary word is weak here as it is at the server: the local meter
   * must not accept "password" (cracklib's dictionary comes with
   * cracklib-runtime, which scripts/setup.sh installs). */
  for (guint round = 0; round < 2; round++)
    {
      g_auto(GStrv) reasons = NULL;
      guint score = passport_password_quality_check (quality, "password", NULL, NULL, &reasons);

      g_assert_cmpuint (score, ==, 0);
      g_assert_true (has_reason (reasons, "too_common"));
    }

  /* A dictionary word in digits and signs is one too, as the server's
   * list says ("p@ssw0rd"): the meter and the server agree (finding 3). */
  {
    const char *leet[] = { "p@ssw0rd", "passw0rd", "Pa$$w0rd", "d1ct10nary" };

    for (guint i = 0; i < G_N_ELEMENTS (leet); i++)
      {
        g_auto(GStrv) reasons = NULL;
        guint score = passport_password_quality_check (quality, leet[i], NULL, NULL, &reasons);

        g_test_message ("%s: %u", leet[i], score);
        g_assert_cmpuint (score, ==, 0);
        g_assert_true (has_reason (reasons, "too_common"));
      }
  }
#else
  for (guint i = 0; i < 2; i++)
    {
      g_auto(GStrv) reasons = NULL;
      guint score = passport_password_quality_check (quality, i == 0 ? "aaaaaaaaaa" : "0123456789",
                                                     NULL, NULL, &reasons);

      g_assert_cmpuint (score, ==, 0);
      g_assert_true (has_reason (reasons, "too_common"));
    }
#endif

  /* Off the main loop, the same verdicts. */
  {
    const char *passwords[] = { "password", "short", "correct horse battery staple" };

    for (guint i = 0; i < G_N_ELEMENTS (passwords); i++)
      {
        g_autoptr(GAsyncResult) result = NULL;
        g_autoptr(GError) error = NULL;
        g_auto(GStrv) reasons = NULL;
        g_auto(GStrv) sync_reasons = NULL;
        guint sync_score = passport_password_quality_check (quality, passwords[i], "ivan@example.com",
                                                            "Ivan Petrov", &sync_reasons);
        guint score;

        passport_password_quality_check_async (quality, passwords[i], "ivan@example.com", "Ivan Petrov",
                                               NULL, keep_result, &result);
        while (result == NULL)
          g_main_context_iteration (NULL, TRUE);
        score = passport_password_quality_check_finish (quality, result, &reasons, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (score, ==, sync_score);
        g_assert_cmpstrv (reasons, sync_reasons);
      }
  }

  /* The server's reasons read as the same translated hints. */
  {
    const char *server_reasons[] = { "too_short", "too_common", "contains_email", "contains_name", "something_new", NULL };
    g_auto(GStrv) hints = passport_password_quality_describe_reasons (server_reasons, 10);

    g_assert_cmpuint (g_strv_length (hints), ==, 5);
    g_assert_nonnull (strstr (hints[0], "10"));
    for (guint i = 0; hints[i] != NULL; i++)
      g_assert_cmpuint (strlen (hints[i]), >, 10);
  }
}

static char *runtime_dir;

/* Inside Flatpak the refresh lock is in the app's own part of the runtime
 * directory, the only part its instances (the app, its passportctl)
 * share; outside, in passport/. Two takers of one key take turns. */
static void
test_refresh_lock_place (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shared = g_build_filename (runtime_dir, "app", "io.example.Test", "passport", NULL);
  g_autofree char *plain = g_build_filename (runtime_dir, "passport", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(PassportRefreshLock) first = NULL;
  GAsyncResult *result = NULL;
  GAsyncResult *second = NULL;

  g_setenv ("FLATPAK_ID", "io.example.Test", TRUE);
  passport_refresh_lock_acquire_async ("https://a.example\nacc_1", NULL, result_cb, &result);
  first = passport_refresh_lock_acquire_finish (await (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  dir = g_dir_open (shared, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (g_dir_read_name (dir), "refresh-"));
  g_assert_false (g_file_test (plain, G_FILE_TEST_EXISTS));

  /* the second waits until the first lets go */
  passport_refresh_lock_acquire_async ("https://a.example\nacc_1", NULL, result_cb, &second);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (second);
  g_clear_pointer (&first, passport_refresh_lock_release);
  passport_refresh_lock_release (passport_refresh_lock_acquire_finish (await (&second), &error));
  g_assert_no_error (error);
  g_object_unref (second);
  g_object_unref (result);

  /* a FLATPAK_ID that would leave the directory is not used as one */
  g_setenv ("FLATPAK_ID", "..", TRUE);
  result = NULL;
  passport_refresh_lock_acquire_async ("https://b.example\nacc_2", NULL, result_cb, &result);
  passport_refresh_lock_release (passport_refresh_lock_acquire_finish (await (&result), &error));
  g_object_unref (result);
  g_assert_true (g_file_test (plain, G_FILE_TEST_IS_DIR));
  g_unsetenv ("FLATPAK_ID");
}

int
main (int   argc,
      char *argv[])
{
  /* Read once by GLib: set before anything asks. */
  runtime_dir = g_dir_make_tmp ("passport-runtime-XXXXXX", NULL);
  g_setenv ("XDG_RUNTIME_DIR", runtime_dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stores/refresh-lock-place", test_refresh_lock_place);
  g_test_add_func ("/password-quality", test_password_quality);
  return g_test_run ();
}
