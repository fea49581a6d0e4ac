// SPDX-License-Identifier: GPL-3.0-or-later
//
// "This e-mail is already taken" over the real flow and passportd: the
// address held by another account, using another one, or freeing it by
// signing in to that account (its password or its network, on the browser
// page, finding 11), giving it a new address and confirming it, until ours
// is bound; Sign In never greyed out without a word (finding 5b).
#include "config.h"

#include <string.h>

#include "passport-conflict-page.h"
#include "passport-error.h"
#include "passport-provider-icon.h"
#include "ui-fixture.h"

#define PAGE "conflict-page"
#define TAKEN "ada@example.com"
#define ELSEWHERE "ada@elsewhere.example"
#define HOLDER_PASSWORD "the holder's long secret"
#define MINE "newcomer's good password"

static const char *
step (UiFixture *f)
{
  return passport_conflict_page_get_step_name (PASSPORT_CONFLICT_PAGE (passport_window_get_page (f->window, PAGE)));
}

static void
wait_for_step (UiFixture  *f,
               const char *name)
{
  PD_RUN_UNTIL (g_strcmp0 (step (f), name) == 0 && !passport_flow_get_busy (f->flow), 30);
  ui_pump ();
}

/* A newcomer (a network's account) asks for TAKEN, held by an account of
 * its own with HOLDER_PASSWORD: the conflict's first step. */
static void
to_conflict (UiFixture *f)
{
  ui_make_account (f, TAKEN, HOLDER_PASSWORD);
  ui_to_bind (f, "ivan.social@example.net");
  pd_flow_bind_taken_email (f->flow, TAKEN, MINE);
  ui_wait_for_page (f, PAGE, 10);
  g_assert_cmpstr (step (f), ==, "taken");
}

/* The icon of a provider button. */
static PassportProviderIcon *
provider_icon (GtkWidget *widget)
{
  if (PASSPORT_IS_PROVIDER_ICON (widget))
    return PASSPORT_PROVIDER_ICON (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      PassportProviderIcon *icon = provider_icon (child);

      if (icon != NULL)
        return icon;
    }
  return NULL;
}

static void
test_conflict_page (UiFixture     *f,
                    gconstpointer  data)
{
  g_autoptr(PdClient) client = NULL;

  to_conflict (f);
  ui_shot (f, "conflict");
  g_assert_nonnull (strstr (ui_label (f, PAGE, "conflict-explanation"), TAKEN));
  g_assert_null (ui_label (f, PAGE, "conflict-error"));
  g_assert_null (passport_window_get_blocking_error (f->window));

  /* Use Another E-mail: back on the form, the password typed before put
   * back (the form itself was never filled in here). */
  ui_click (f, PAGE, "use-other-email-button");
  ui_wait_for_page (f, "bind-page", 10);
  g_assert_cmpstr (ui_text (f, "bind-page", "bind-password"), ==, MINE);
  g_assert_cmpstr (ui_text (f, "bind-page", "bind-repeat"), ==, MINE);
  ui_type (f, "bind-page", "bind-email", TAKEN);
  ui_click (f, "bind-page", "bind-save-button");
  ui_wait_for_page (f, PAGE, 20);
  g_assert_cmpstr (step (f), ==, "taken");

  /* Free This Address: sign in to the account that holds it. */
  ui_click (f, PAGE, "free-address-button");
  g_assert_cmpstr (step (f), ==, "other-sign-in");
  g_assert_nonnull (strstr (ui_label (f, PAGE, "other-sign-in-explanation"), TAKEN));
  g_assert_false (ui_enabled (f, PAGE, "other-sign-in-button"));
  ui_type (f, PAGE, "other-password", "not the password");
  g_assert_true (ui_enabled (f, PAGE, "other-sign-in-button"));
  ui_shot (f, "conflict-other-sign-in");

  /* A wrong password for that account: said on the page, asked again. */
  ui_click (f, PAGE, "other-sign-in-button");
  ui_wait_for_error (f, PASSPORT_ERROR_INVALID_GRANT);
  g_assert_cmpstr (step (f), ==, "other-sign-in");
  g_assert_cmpstr (ui_label (f, PAGE, "conflict-error"), ==,
                   "The password of the account that uses this e-mail is wrong.");
  g_assert_null (passport_window_get_blocking_error (f->window));

  /* The right one: on to that account's new address; its password is
   * not left in the field. */
  ui_type (f, PAGE, "other-password", HOLDER_PASSWORD);
  ui_click (f, PAGE, "other-sign-in-button");
  wait_for_step (f, "other-new-email");
  g_assert_cmpstr (ui_text (f, PAGE, "other-password"), ==, "");
  g_assert_null (ui_label (f, PAGE, "conflict-error"));

  /* Not the address being freed; another one is mailed a link. */
  ui_type (f, PAGE, "other-new-email", TAKEN);
  g_assert_false (ui_enabled (f, PAGE, "other-email-save-button"));
  ui_type (f, PAGE, "other-new-email", ELSEWHERE);
  ui_click (f, PAGE, "other-email-save-button");
  wait_for_step (f, "other-confirm");
  g_assert_nonnull (strstr (ui_label (f, PAGE, "other-confirm-explanation"), ELSEWHERE));
  {
    g_autofree char *mail = pd_maildir_newest_to (f->server, ELSEWHERE);

    g_assert_nonnull (mail);
  }
  /* Its resend waits the server's delay, as ours does (finding 17). */
  g_assert_false (ui_enabled (f, PAGE, "other-resend-button"));
  g_assert_true (ui_enabled (f, PAGE, "conflict-cancel-button-3"));

  /* The holder opens the link: the address is free and becomes ours,
   * with the password typed at the start; ours is then confirmed. */
  pd_open_mailed_link (f->server, ELSEWHERE);
  ui_wait_for_page (f, "confirm-page", 30);
  g_assert_cmpstr (passport_account_get_pending_email (passport_flow_get_account (f->flow)), ==, TAKEN);
  /* Enter on the page that follows does not cancel (finding 6). */
  g_assert_false (ui_focus_is_in (f, "confirm-page", "cancel-email-button"));
  pd_open_mailed_link (f->server, TAKEN);
  ui_wait_for_page (f, "account-page", 20);
  g_assert_cmpstr (passport_account_get_email (passport_flow_get_account (f->flow)), ==, TAKEN);

  /* Both accounts sign in with their addresses now. */
  client = pd_client_new (f->server);
  {
    g_autoptr(PdResponse) mine = pd_token_password (client, TAKEN, MINE);
    g_autoptr(PdResponse) theirs = pd_token_password (client, ELSEWHERE, HOLDER_PASSWORD);

    pd_assert_response (mine, 200, NULL);
    pd_assert_response (theirs, 200, NULL);
  }
}

/* The other account's sign-in with its network waits on the browser page,
 * with the link to copy and a Cancel (finding 11). */
static void
test_conflict_browser (UiFixture     *f,
                       gconstpointer  data)
{
  to_conflict (f);
  ui_click (f, PAGE, "free-address-button");
  g_assert_cmpstr (step (f), ==, "other-sign-in");
  ui_type (f, PAGE, "other-password", "typed, then left for the network");

  /* Each network with its badge, as on the sign-in page (finding 21). */
  PD_RUN_UNTIL (passport_provider_icon_get_loaded (provider_icon (ui_get (f, PAGE, "provider-vk"))), 10);
  pd_browser_as (TAKEN, "Ada Lovelace", TRUE, "ignore");
  ui_click (f, PAGE, "provider-vk");
  ui_wait_shown (f, "browser-page", 20);
  PD_RUN_UNTIL (ui_enabled (f, "browser-page", "copy-link-button"), 10);
  /* The password typed for the other account does not stay behind. */
  g_assert_cmpstr (ui_text (f, PAGE, "other-password"), ==, "");

  /* Cancel is the conflict's Cancel, as on its other steps: back to
   * the choice between another address and freeing this one. */
  ui_click (f, "browser-page", "cancel-browser-button");
  ui_wait_for_page (f, PAGE, 20);
  g_assert_cmpstr (step (f), ==, "taken");
  g_assert_null (passport_window_get_blocking_error (f->window));
  ui_click (f, PAGE, "free-address-button");

  /* Again, and this time the network answers: on to the new address,
   * which still takes that account's password. */
  pd_browser_as (TAKEN, "Ada Lovelace", TRUE, "continue");
  ui_click (f, PAGE, "provider-vk");
  wait_for_step (f, "other-new-email");
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);
  g_assert_true (gtk_widget_get_visible (ui_get (f, PAGE, "other-current-password")));
}

/* The other account's link mailed again once the server's delay is over,
 * and Cancel on that step back to the first choice. */
static void
test_conflict_other_resend (UiFixture     *f,
                            gconstpointer  data)
{
  ui_use_server (f, "--resend-delay", "1", NULL);
  to_conflict (f);
  ui_click (f, PAGE, "free-address-button");
  ui_type (f, PAGE, "other-password", HOLDER_PASSWORD);
  ui_click (f, PAGE, "other-sign-in-button");
  wait_for_step (f, "other-new-email");
  ui_type (f, PAGE, "other-new-email", ELSEWHERE);
  ui_click (f, PAGE, "other-email-save-button");
  wait_for_step (f, "other-confirm");
  g_assert_cmpuint (pd_maildir_count (f->server), ==, 1);

  PD_RUN_UNTIL (ui_enabled (f, PAGE, "other-resend-button"), 10);
  ui_click (f, PAGE, "other-resend-button");
  PD_RUN_UNTIL (pd_maildir_count (f->server) == 2 && !passport_flow_get_busy (f->flow), 20);
  ui_pump ();
  g_assert_cmpstr (step (f), ==, "other-confirm");
  g_assert_null (ui_label (f, PAGE, "conflict-error"));
  {
    g_autofree char *mail = pd_maildir_newest_to (f->server, ELSEWHERE);

    g_assert_nonnull (mail);
  }

  ui_click (f, PAGE, "conflict-cancel-button-3");
  ui_wait_for_page (f, PAGE, 10);
  g_assert_cmpstr (step (f), ==, "taken");
  g_assert_true (ui_enabled (f, PAGE, "free-address-button"));
}

/* Sign In to the other account is held back only by a throttle of that
 * very sign-in, and then the page says why (finding 5b). */
static void
test_conflict_throttled (UiFixture     *f,
                         gconstpointer  data)
{
  ui_connect (f);
  /* Throttled elsewhere first: another address on the password page. */
  ui_click (f, "sign-in-page", "password-sign-in-button");
  for (guint i = 0; i < 6 && !g_error_matches (passport_flow_get_error (f->flow), PASSPORT_ERROR,
                                                  PASSPORT_ERROR_TOO_MANY_REQUESTS); i++)
    {
      ui_type (f, "password-page", "sign-in-email", "bob@example.com");
      ui_type (f, "password-page", "sign-in-password", "not the password");
      ui_click (f, "password-page", "password-sign-in-button");
      ui_wait_for_page (f, "password-page", 20);
    }
  g_assert_true (g_error_matches (passport_flow_get_error (f->flow), PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS));
  ui_click (f, "password-page", "password-back-button");
  ui_wait_for_page (f, "sign-in-page", 10);

  ui_make_account (f, TAKEN, HOLDER_PASSWORD);
  pd_flow_social_sign_in (f->flow, "ivan.social@example.net", "Ivan Petrov", FALSE);
  pd_flow_accept_terms (f->flow);
  pd_flow_bind_taken_email (f->flow, TAKEN, MINE);
  ui_wait_for_page (f, PAGE, 10);
  ui_click (f, PAGE, "free-address-button");
  ui_type (f, PAGE, "other-password", "not the password");
  /* That wait is still running, and it is not this sign-in's. */
  g_assert_cmpint (passport_flow_get_retry_after (f->flow), >, g_get_monotonic_time ());
  g_assert_true (ui_enabled (f, PAGE, "other-sign-in-button"));

  /* Throttled here: Sign In off, and the page says why and for how long. */
  for (guint i = 0; i < 6 && !g_error_matches (passport_flow_get_error (f->flow), PASSPORT_ERROR,
                                                  PASSPORT_ERROR_TOO_MANY_REQUESTS); i++)
    {
      ui_type (f, PAGE, "other-password", "not the password");
      ui_click (f, PAGE, "other-sign-in-button");
      PD_RUN_UNTIL (!passport_flow_get_busy (f->flow), 20);
      ui_pump ();
    }
  g_assert_true (g_error_matches (passport_flow_get_error (f->flow), PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS));
  ui_type (f, PAGE, "other-password", "not the password");
  g_assert_false (ui_enabled (f, PAGE, "other-sign-in-button"));
  g_test_message ("throttled: %s", ui_label (f, PAGE, "conflict-error"));
  g_assert_nonnull (strstr (ui_label (f, PAGE, "conflict-error"), "minutes"));
  g_assert_null (passport_window_get_blocking_error (f->window));
}

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

/* "Forgot password?" for the account that holds the address: sent for
 * that address (there is no field to type it in), said on the step. */
static void
test_conflict_forgot_password (UiFixture     *f,
                               gconstpointer  data)
{
  guint mails;

  to_conflict (f);
  ui_click (f, PAGE, "free-address-button");
  g_assert_cmpstr (step (f), ==, "other-sign-in");
  g_assert_true (ui_enabled (f, PAGE, "forgot-password-button"));
  mails = pd_maildir_count (f->server);
  ui_click (f, PAGE, "forgot-password-button");
  wait_for_step (f, "other-sign-in");
  g_assert_cmpstr (ui_label (f, PAGE, "forgot-password-note"), ==,
                   "If an account uses " TAKEN ", we have sent it a link. Open it, choose a new password, "
                   "then sign in here with it.");
  g_assert_null (ui_label (f, PAGE, "conflict-error"));
  wait_for_mails (f->server, mails + 1);
  ui_shot (f, "conflict-forgot-sent");
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/conflict-page/free-address", test_conflict_page);
  UI_TEST_ADD ("/conflict-page/browser", test_conflict_browser);
  UI_TEST_ADD ("/conflict-page/other-resend", test_conflict_other_resend);
  UI_TEST_ADD ("/conflict-page/throttled", test_conflict_throttled);
  UI_TEST_ADD ("/conflict-page/forgot-password", test_conflict_forgot_password);
  return ui_run ();
}
