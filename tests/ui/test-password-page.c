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

/* Forgot password (contract section 7) ---------------------------------------- */

#define SENT_TO(email) \
  "If an account uses " email ", we have sent it a link. Open it, choose a new password, then sign in here with it."

/* passportd mails a reset link after it has answered (contract section 7):
 * waits until @server's Maildir holds @count mails, then that it holds no
 * more. */
static void
wait_for_mails (PdServer *server,
                guint     count)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (pd_maildir_count (server) < count && g_get_monotonic_time () < deadline)
    g_usleep (20 * 1000);
  g_assert_cmpuint (pd_maildir_count (server), ==, count);
}

/* The reset link of the newest mail to @address, or NULL. */
static char *
reset_link (PdServer   *server,
            const char *address)
{
  g_autofree char *mail = pd_maildir_newest_to (server, address);
  g_autofree char *body = mail ? pd_mail_body (mail) : NULL;
  g_auto(GStrv) lines = body ? g_regex_split_simple ("\r?\n", body, 0, 0) : NULL;

  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    if (strstr (lines[i], "/password/new?token=") != NULL)
      return g_strstrip (g_strdup (lines[i]));
  return NULL;
}

/* "Forgot password?" sends the typed address and says so on the page,
 * keeping it in the form; asked again too soon, the wait in human units;
 * then the link's form (the user's browser) and the new password signs in. */
static void
test_forgot_password (UiFixture     *f,
                      gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ada");
  g_autofree char *sent = NULL;
  g_autofree char *link = NULL;
  g_autoptr(PdClient) browser = NULL;
  g_autoptr(PdResponse) page = NULL;
  g_autoptr(PdResponse) saved = NULL;
  g_autofree char *token = NULL;
  const char *note;
  guint mails;

  ui_make_account (f, email, "the right long password");
  open_page (f);
  g_assert_true (gtk_widget_is_visible (ui_get (f, PAGE, "forgot-password-button")));
  /* No address typed: off, and the page says why. */
  g_assert_false (ui_enabled (f, PAGE, "forgot-password-button"));
  g_assert_nonnull (ui_label (f, PAGE, "forgot-password-note"));
  ui_type (f, PAGE, "sign-in-email", "ada");
  g_assert_false (ui_enabled (f, PAGE, "forgot-password-button"));
  g_assert_nonnull (ui_label (f, PAGE, "forgot-password-note"));

  ui_type (f, PAGE, "sign-in-email", email);
  g_assert_true (ui_enabled (f, PAGE, "forgot-password-button"));
  g_assert_null (ui_label (f, PAGE, "forgot-password-note"));
  mails = pd_maildir_count (f->server);
  ui_click (f, PAGE, "forgot-password-button");
  PD_RUN_UNTIL (!passport_flow_get_busy (f->flow), 20);
  ui_pump ();
  sent = g_strdup_printf (SENT_TO ("%s"), email);
  g_assert_cmpstr (ui_label (f, PAGE, "forgot-password-note"), ==, sent);
  g_assert_cmpstr (ui_text (f, PAGE, "sign-in-email"), ==, email);
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);
  g_assert_null (ui_label (f, PAGE, "sign-in-error"));
  g_assert_null (passport_window_get_blocking_error (f->window));
  wait_for_mails (f->server, mails + 1);
  link = reset_link (f->server, email);
  g_assert_nonnull (link);
  ui_shot (f, "password-forgot-sent");

  /* Again at once: the server's once-a-minute, as a wait in words; the
   * button waits, signing in does not. */
  ui_click (f, PAGE, "forgot-password-button");
  PD_RUN_UNTIL (!passport_flow_get_busy (f->flow), 20);
  ui_pump ();
  note = ui_label (f, PAGE, "forgot-password-note");
  g_assert_nonnull (note);
  g_test_message ("asked again: %s", note);
  /* At most the server's minute, in words: "1 minute" or "59 seconds". */
  g_assert_true (g_regex_match_simple ("^You can ask for another link in ([1-5]?[0-9] seconds?|1 minute)\\.$",
                                       note, 0, 0));
  g_assert_false (ui_enabled (f, PAGE, "forgot-password-button"));
  g_assert_null (ui_label (f, PAGE, "sign-in-error"));
  ui_type (f, PAGE, "sign-in-password", "not the password");
  g_assert_true (ui_enabled (f, PAGE, "password-sign-in-button"));

  /* The link's page and form, then the new password in the app. */
  browser = pd_client_new (f->server);
  page = pd_client_get (browser, link, NULL);
  g_assert_cmpuint (page->status, ==, 200);
  token = pd_url_param (link, "token");
  saved = pd_client_post_form (browser, "/api/v1/password/new", NULL, "token", token,
                               "password", "a brand new long password",
                               "password_again", "a brand new long password", NULL);
  g_assert_cmpuint (saved->status, ==, 200);
  sign_in (f, email, "a brand new long password");
  ui_wait_for_page (f, "account-page", 20);
}

/* A server that does not list password_reset: no such button at all. */
static void
test_forgot_password_not_offered (UiFixture     *f,
                                  gconstpointer  data)
{
  ui_use_server (f, "--features=-password_reset", NULL);
  open_page (f);
  ui_type (f, PAGE, "sign-in-email", "ada@example.com");
  ui_pump ();
  g_assert_false (gtk_widget_is_visible (ui_get (f, PAGE, "forgot-password-button")));
  g_assert_null (ui_label (f, PAGE, "forgot-password-note"));
}

/* Two-step sign-in (issue 10, contract 8.3): after the right password
 * the same page asks for the code; a wrong one says so and keeps the
 * step; the right one signs in. Two-step sign-in is turned on through the
 * server's API, and the codes are computed from the secret, as an
 * authenticator app would. */
static void
test_two_step (UiFixture     *f,
               gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ada");
  g_autoptr(JsonObject) tokens = pd_account_with_password (f->server, "vk", email, "Ada Lovelace",
                                                           "the right long password");
  g_autofree char *secret = pd_enable_otp (f->server, json_object_get_string_member (tokens, "access_token"),
                                           "the right long password", NULL);
  g_autoptr(PdClient) client = pd_client_new (f->server);
  g_autofree char *code = NULL;

  open_page (f);
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "sign-in-code")));
  sign_in (f, email, "the right long password");
  PD_RUN_UNTIL (passport_flow_get_state (f->flow) == PASSPORT_FLOW_STATE_NEEDS_CODE &&
                !passport_flow_get_busy (f->flow), 20);
  ui_pump ();
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);
  g_assert_true (gtk_widget_get_visible (ui_get (f, PAGE, "sign-in-code")));
  g_assert_true (gtk_widget_get_visible (ui_get (f, PAGE, "use-recovery-code")));
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "sign-in-password")));
  g_assert_false (ui_enabled (f, PAGE, "password-sign-in-button"));
  /* The token's lifetime (300 s from passportd) is shown as time left. */
  g_assert_true (g_regex_match_simple ("^Time left to enter the code: [45]:[0-5][0-9]$",
                                       ui_label (f, PAGE, "sign-in-code-time-left"), 0, 0));
  ui_shot (f, "password-code");

  /* A wrong code: said, and the step stays. */
  ui_type (f, PAGE, "sign-in-code", "000000");
  ui_click (f, PAGE, "password-sign-in-button");
  ui_wait_for_error (f, PASSPORT_ERROR_INVALID_GRANT);
  g_assert_cmpint (passport_flow_get_state (f->flow), ==, PASSPORT_FLOW_STATE_NEEDS_CODE);
  g_assert_cmpstr (ui_label (f, PAGE, "sign-in-error"), ==,
                   passport_error_describe (passport_flow_get_error (f->flow)));

  /* The right one (the server's next step). */
  g_free (code);
  code = pd_totp_code (secret, pd_server_align_step (f->server, client));
  /* As an authenticator app shows it and a paste brings it: "123 456". */
  {
    g_autofree char *shown = g_strdup_printf (" %.3s %s ", code, code + 3);

    ui_type (f, PAGE, "sign-in-code", shown);
  }
  ui_click (f, PAGE, "password-sign-in-button");
  ui_wait_for_page (f, "account-page", 20);
  g_assert_cmpstr (ui_text (f, PAGE, "sign-in-code"), ==, "");
  g_assert_null (ui_label (f, PAGE, "sign-in-code-time-left"));
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/password-page/wrong-password", test_wrong_password);
  UI_TEST_ADD ("/password-page/throttled", test_throttled);
  UI_TEST_ADD ("/password-page/hung-server", test_hung_server);
  UI_TEST_ADD ("/password-page/forgot-password", test_forgot_password);
  UI_TEST_ADD ("/password-page/forgot-password-not-offered", test_forgot_password_not_offered);
  UI_TEST_ADD ("/password-page/two-step", test_two_step);
  return ui_run ();
}
