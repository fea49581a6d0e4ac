// SPDX-License-Identifier: GPL-3.0-or-later
//
// "Check your inbox" over the real flow and passportd: the resend
// countdown is the server's delay, Resend and Change Address really mail,
// Cancel goes back to the form, the opened link moves on with a word
// (finding 17), and a server lost while waiting is said and cleared by
// itself (finding 8).
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "passport-error.h"
#include "ui-fixture.h"

#define PAGE "confirm-page"
#define GOOD "correct horse battery staple"

/* A new person who has just sent @email and GOOD from the bind form. */
static void
to_confirm (UiFixture  *f,
            const char *email)
{
  ui_to_bind (f, "ivan.social@example.net");
  ui_type (f, "bind-page", "bind-email", email);
  ui_type (f, "bind-page", "bind-password", GOOD);
  ui_type (f, "bind-page", "bind-repeat", GOOD);
  ui_click (f, "bind-page", "bind-save-button");
  ui_wait_for_page (f, PAGE, 20);
}

static const char *
resend_label (UiFixture *f)
{
  GtkWidget *button = ui_get (f, PAGE, "resend-button");

  return gtk_label_get_label (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))));
}

static GtkWidget *
find_status_page (GtkWidget *widget)
{
  if (ADW_IS_STATUS_PAGE (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_status_page (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The page's explanation (its status page's description). */
static const char *
description (UiFixture *f)
{
  GtkWidget *status = find_status_page (passport_window_get_page (f->window, PAGE));

  g_assert_nonnull (status);
  return adw_status_page_get_description (ADW_STATUS_PAGE (status));
}

static const char *
pending_email (UiFixture *f)
{
  return passport_account_get_pending_email (passport_flow_get_account (f->flow));
}

/* The fixture's passportd waits 30 s before a mail may be sent again: the
 * button counts that down and stays off; Cancel goes back to the form. */
static void
test_confirm_countdown (UiFixture     *f,
                        gconstpointer  data)
{
  guint seconds = 0;

  to_confirm (f, "ada@example.com");
  g_assert_nonnull (strstr (description (f), "ada@example.com"));
  g_assert_false (ui_enabled (f, PAGE, "resend-button"));
  g_assert_cmpint (sscanf (resend_label (f), "_Resend in %u second", &seconds), ==, 1);
  g_assert_cmpuint (seconds, >=, 25);
  g_assert_cmpuint (seconds, <=, 30);
  g_assert_null (ui_label (f, PAGE, "confirm-error"));
  ui_shot (f, "confirm");

  /* Nothing says the address is confirmed before it is. */
  g_assert_false (ui_shows_text (GTK_WIDGET (f->window), "Your e-mail is confirmed."));

  /* A mistyped address need not wait out the delay: Change Address
   * replaces it at once, whatever Resend still counts down. */
  ui_click (f, PAGE, "change-email-button");
  ui_type (f, PAGE, "new-email", "ada@other.example");
  ui_click (f, PAGE, "save-email-button");
  PD_RUN_UNTIL (g_strcmp0 (pending_email (f), "ada@other.example") == 0 && !passport_flow_get_busy (f->flow), 20);
  ui_wait_for_page (f, PAGE, 10);
  g_assert_null (ui_label (f, PAGE, "confirm-error"));
  g_assert_nonnull (strstr (description (f), "ada@other.example"));
  g_assert_cmpuint (pd_maildir_count (f->server), ==, 2);

  /* The button that abandons the address says so (finding 17: "Cancel"
   * did not say what it cancels): back on the form, nothing waits. */
  g_assert_true (ui_shows_text (ui_get (f, PAGE, "cancel-email-button"), "Use Another E-mail"));
  ui_click (f, PAGE, "cancel-email-button");
  ui_wait_for_page (f, "bind-page", 20);
  g_assert_null (pending_email (f));
  g_assert_null (passport_window_get_blocking_error (f->window));
}

/* With a 1 s delay: Resend mails again, Change Address mails the new
 * address with the password typed on the form, and the opened link moves
 * on to the account with "Your e-mail is confirmed." (finding 17). */
static void
test_confirm_resend_change (UiFixture     *f,
                            gconstpointer  data)
{
  g_autoptr(PdClient) client = NULL;
  g_autoptr(PdResponse) token = NULL;

  ui_use_server (f, "--resend-delay", "1", NULL);
  to_confirm (f, "ada@example.com");
  g_assert_cmpuint (pd_maildir_count (f->server), ==, 1);

  /* The delay over, Resend is on and says so plainly. */
  PD_RUN_UNTIL (ui_enabled (f, PAGE, "resend-button"), 10);
  g_assert_cmpstr (resend_label (f), ==, "_Resend the Link");
  ui_click (f, PAGE, "resend-button");
  PD_RUN_UNTIL (pd_maildir_count (f->server) == 2 && !passport_flow_get_busy (f->flow), 20);
  ui_pump ();
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);
  g_assert_null (ui_label (f, PAGE, "confirm-error"));

  /* Change Address: a field appears; sending needs an address other than
   * the one waiting. */
  PD_RUN_UNTIL (ui_enabled (f, PAGE, "resend-button"), 10);
  g_assert_false (ui_enabled (f, PAGE, "save-email-button"));
  ui_click (f, PAGE, "change-email-button");
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_ancestor (ui_get (f, PAGE, "new-email"),
                                                                                        GTK_TYPE_REVEALER))));
  ui_type (f, PAGE, "new-email", "ada@example.com");
  g_assert_false (ui_enabled (f, PAGE, "save-email-button"));
  ui_type (f, PAGE, "new-email", "ada@other.example");
  ui_click (f, PAGE, "save-email-button");
  PD_RUN_UNTIL (g_strcmp0 (pending_email (f), "ada@other.example") == 0 && !passport_flow_get_busy (f->flow), 20);
  ui_wait_for_page (f, PAGE, 10);
  {
    g_autofree char *mail = pd_maildir_newest_to (f->server, "ada@other.example");

    g_assert_nonnull (mail);
  }
  g_assert_nonnull (strstr (description (f), "ada@other.example"));
  g_assert_null (ui_label (f, PAGE, "confirm-error"));

  /* The link opened in the browser: the app moves on, and says why. */
  pd_open_mailed_link (f->server, "ada@other.example");
  ui_wait_for_page (f, "account-page", 20);
  g_assert_true (ui_shows_text (GTK_WIDGET (f->window), "Your e-mail is confirmed."));
  g_assert_cmpstr (passport_account_get_email (passport_flow_get_account (f->flow)), ==, "ada@other.example");

  /* The password typed on the form went along with the new address. */
  client = pd_client_new (f->server);
  token = pd_token_password (client, "ada@other.example", GOOD);
  pd_assert_response (token, 200, NULL);
}

/* passportd stops while the page waits for the link: the window says the
 * server cannot be reached without being asked to (finding 8); back, the
 * bar goes by itself and the link still moves the app on. */
static void
test_confirm_server_lost (UiFixture     *f,
                          gconstpointer  data)
{
  g_autoptr(PdServer) again = NULL;
  const char *message;

  to_confirm (f, "ada@example.com");
  g_assert_null (passport_window_get_blocking_error (f->window));

  pd_server_stop (f->server);
  PD_RUN_UNTIL (passport_window_get_blocking_error (f->window) != NULL, 20);
  message = passport_window_get_blocking_error (f->window);
  g_test_message ("server gone: %s", message);
  g_assert_nonnull (strstr (message, "cannot be reached"));
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);

  again = pd_server_restart (f->server);
  PD_RUN_UNTIL (passport_window_get_blocking_error (f->window) == NULL, 30);
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);
  g_assert_null (passport_flow_get_error (f->flow));

  /* The link was mailed before; the server that came back honours it. */
  pd_open_mailed_link (f->server, "ada@example.com");
  ui_wait_for_page (f, "account-page", 30);
  g_assert_null (passport_window_get_blocking_error (f->window));
  g_assert_true (ui_shows_text (GTK_WIDGET (f->window), "Your e-mail is confirmed."));
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/confirm-page/countdown", test_confirm_countdown);
  UI_TEST_ADD ("/confirm-page/resend-change", test_confirm_resend_change);
  UI_TEST_ADD ("/confirm-page/server-lost", test_confirm_server_lost);
  return ui_run ();
}
