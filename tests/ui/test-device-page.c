// SPDX-License-Identifier: GPL-3.0-or-later
//
// Sign-in with another device (contract 11) over the real flow and
// passportd: the code, its QR code and link, the time it works; approved on
// the "phone" (the test plays it through passportd's /device page), denied,
// cancelled; offered instead when no browser could be opened; hidden on a
// server without `device`.
#include "config.h"

#include "passport-error.h"
#include "ui-fixture.h"

#define PAGE "device-page"
#define EMAIL "ada@example.com"
#define PASSWORD "the right long password"

static const char *
user_code (UiFixture *f)
{
  return ui_label (f, PAGE, "device-user-code");
}

static void
open_page (UiFixture *f)
{
  ui_make_account (f, EMAIL, PASSWORD);
  ui_connect (f);
  g_assert_true (gtk_widget_get_visible (ui_get (f, "sign-in-page", "device-sign-in-button")));
  ui_click (f, "sign-in-page", "device-sign-in-button");
  ui_wait_shown (f, PAGE, 10);
  PD_RUN_UNTIL (user_code (f) != NULL && *user_code (f) != '\0', 20);
}

static void
test_approve (UiFixture     *f,
              gconstpointer  data)
{
  GdkPaintable *qr;
  g_autofree char *link = NULL;

  open_page (f);
  g_assert_true (g_regex_match_simple ("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$",
                                       user_code (f), 0, 0));
  qr = gtk_picture_get_paintable (GTK_PICTURE (ui_get (f, PAGE, "device-qr")));
  g_assert_nonnull (qr);
  g_assert_true (gtk_widget_get_visible (ui_get (f, PAGE, "device-qr")));
  link = pd_server_url (f->server, "/device");
  g_assert_cmpstr (ui_label (f, PAGE, "device-link"), ==, link);
  g_assert_true (g_regex_match_simple ("^The code works for another (10:00|9:[0-5][0-9])$",
                                       ui_label (f, PAGE, "device-time-left"), 0, 0));
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "device-waiting")));
  ui_shot (f, "device");

  /* Copy Link: said on the button. */
  ui_click (f, PAGE, "device-copy-link");
  g_assert_true (ui_shows_text (ui_get (f, PAGE, "device-copy-link"), "Link Copied"));

  /* Approved on the phone: signed in here by itself. */
  g_assert_cmpuint (pd_device_decide (f->server, user_code (f), EMAIL, PASSWORD, TRUE), ==, 200);
  ui_wait_for_page (f, "account-page", 30);
}

static void
test_denied (UiFixture     *f,
             gconstpointer  data)
{
  open_page (f);
  g_assert_cmpuint (pd_device_decide (f->server, user_code (f), EMAIL, PASSWORD, FALSE), ==, 200);
  ui_wait_for_page (f, "sign-in-page", 30);
  g_assert_cmpstr (ui_label (f, "sign-in-page", "sign-in-page-error"), ==,
                   "The sign-in was denied on the other device.");
}

static void
test_cancel (UiFixture     *f,
             gconstpointer  data)
{
  open_page (f);
  ui_click (f, PAGE, "cancel-device-button");
  ui_wait_for_page (f, "sign-in-page", 10);
  g_assert_null (passport_flow_get_device_sign_in (f->flow));
  g_assert_null (ui_label (f, "sign-in-page", "sign-in-page-error"));
}

/* No browser could be opened: the phone is offered instead. */
static void
test_from_browser (UiFixture     *f,
                   gconstpointer  data)
{
  ui_make_account (f, EMAIL, PASSWORD);
  ui_connect (f);
  passport_flow_set_browser_command (f->flow, "/nonexistent/passport-test-browser");
  ui_click (f, "sign-in-page", "provider-google");
  ui_wait_shown (f, "browser-page", 10);
  PD_RUN_UNTIL (passport_flow_get_browser_launch_error (f->flow) != NULL, 10);
  ui_pump ();
  g_assert_true (gtk_widget_get_visible (ui_get (f, "browser-page", "browser-device-button")));
  ui_click (f, "browser-page", "browser-device-button");
  ui_wait_shown (f, PAGE, 10);
  PD_RUN_UNTIL (user_code (f) != NULL && *user_code (f) != '\0', 20);
  g_assert_cmpuint (pd_device_decide (f->server, user_code (f), EMAIL, PASSWORD, TRUE), ==, 200);
  ui_wait_for_page (f, "account-page", 30);
}

static void
test_not_offered (UiFixture     *f,
                  gconstpointer  data)
{
  ui_use_server (f, "--features=-device", NULL);
  ui_connect (f);
  g_assert_false (gtk_widget_get_visible (ui_get (f, "sign-in-page", "device-sign-in-button")));
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/device-page/approve", test_approve);
  UI_TEST_ADD ("/device-page/denied", test_denied);
  UI_TEST_ADD ("/device-page/cancel", test_cancel);
  UI_TEST_ADD ("/device-page/from-browser", test_from_browser);
  UI_TEST_ADD ("/device-page/not-offered", test_not_offered);
  return ui_run ();
}
