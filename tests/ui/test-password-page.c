// SPDX-License-Identifier: GPL-3.0-or-later
//
// The e-mail and password sign-in page over the real flow and passportd:
// a wrong password, throttling in human units, a hung server walked away
// from, the keyboard's first field.
#include "config.h"

#include <signal.h>
#include <string.h>

#include "passport-error.h"
#include "ui-fixture.h"

#define PAGE "password-page"

static void
open_page (UiFixture *f)
{
  ui_connect (f);
  ui_click (f, "sign-in-page", "password-sign-in-button");
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);
}

static void
sign_in (UiFixture  *f,
         const char *email,
         const char *password)
{
  ui_type (f, PAGE, "sign-in-email", email);
  ui_type (f, PAGE, "sign-in-password", password);
  ui_click (f, PAGE, "password-sign-in-button");
}

/* A wrong password: back on the page with the message beside the fields,
 * no bar; the right one signs in. */
static void
test_wrong_password (UiFixture     *f,
                     gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ada");

  ui_make_account (f, email, "the right long password");
  open_page (f);
  /* The keyboard starts in the e-mail field (finding 6). */
  g_assert_true (ui_focus_is_in (f, PAGE, "sign-in-email"));
  g_assert_false (ui_enabled (f, PAGE, "password-sign-in-button"));

  sign_in (f, email, "not the password");
  ui_wait_for_page (f, PAGE, 20);
  g_assert_cmpstr (ui_label (f, PAGE, "sign-in-error"), ==, "The e-mail or password is wrong.");
  g_assert_null (passport_window_get_blocking_error (f->window));
  g_assert_cmpstr (ui_text (f, PAGE, "sign-in-email"), ==, email);
  ui_shot (f, "password");

  ui_type (f, PAGE, "sign-in-password", "the right long password");
  ui_click (f, PAGE, "password-sign-in-button");
  ui_wait_for_page (f, "account-page", 20);

  /* Signed out, the page does not keep the password (finding 2). */
  pd_flow_sign_out (f->flow);
  ui_wait_for_page (f, "sign-in-page", 10);
  ui_click (f, "sign-in-page", "password-sign-in-button");
  g_assert_cmpstr (ui_text (f, PAGE, "sign-in-password"), ==, "");

  ui_click (f, PAGE, "password-back-button");
  g_assert_cmpstr (ui_page_name (f), ==, "sign-in-page");
}

/* Too many wrong passwords: the wait in human units, not "882 seconds"
 * (finding 13), and Sign In off until it has passed. */
static void
test_throttled (UiFixture     *f,
                gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ada");
  const char *message;

  ui_make_account (f, email, "the right long password");
  open_page (f);
  /* Warned before the lock (finding 13): from the third wrong password. */
  for (guint i = 0; i < 3; i++)
    {
      sign_in (f, email, "not the password");
      ui_wait_for_page (f, PAGE, 20);
      g_assert_cmpint (i < 2, ==, g_strcmp0 (ui_label (f, PAGE, "sign-in-error"), "The e-mail or password is wrong.") == 0);
    }
  g_assert_nonnull (strstr (ui_label (f, PAGE, "sign-in-error"), "pause signing in for a while"));
  for (guint i = 0; i < 6 && !g_error_matches (passport_flow_get_error (f->flow), PASSPORT_ERROR,
                                                  PASSPORT_ERROR_TOO_MANY_REQUESTS); i++)
    {
      sign_in (f, email, "not the password");
      ui_wait_for_page (f, PAGE, 20);
    }
  message = ui_label (f, PAGE, "sign-in-error");
  g_assert_nonnull (message);
  g_test_message ("throttled: %s", message);
  g_assert_nonnull (strstr (message, "minutes"));
  g_assert_null (strstr (message, "seconds"));
  g_assert_false (ui_enabled (f, PAGE, "password-sign-in-button"));
}

/* A server that hangs can be walked away from (finding 10): the button
 * beside the spinner cancels, and what was typed stays. */
static void
test_hung_server (UiFixture     *f,
                  gconstpointer  data)
{
  GtkWidget *back;

  open_page (f);
  g_subprocess_send_signal (f->server->process, SIGSTOP);
  sign_in (f, "ada@example.com", "a long password");
  PD_RUN_UNTIL (passport_flow_get_busy (f->flow), 5);
  ui_pump ();
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);
  back = ui_get (f, PAGE, "password-back-button");
  g_assert_true (ui_enabled (f, PAGE, "password-back-button"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (back)))), ==, "_Cancel");

  ui_click (f, PAGE, "password-back-button");
  PD_RUN_UNTIL (!passport_flow_get_busy (f->flow), 5);
  ui_pump ();
  g_subprocess_send_signal (f->server->process, SIGCONT);
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);
  g_assert_cmpstr (ui_text (f, PAGE, "sign-in-email"), ==, "ada@example.com");
  g_assert_null (ui_label (f, PAGE, "sign-in-error"));
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/password-page/wrong-password", test_wrong_password);
  UI_TEST_ADD ("/password-page/throttled", test_throttled);
  UI_TEST_ADD ("/password-page/hung-server", test_hung_server);
  return ui_run ();
}
