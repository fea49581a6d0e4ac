// SPDX-License-Identifier: GPL-3.0-or-later
//
// The window over the real flow and passportd: the page of each step,
// reached the way a user reaches it; Connecting given up; the bar with
// Retry when the server is gone; spinners that spin only on screen; the
// keyring dialog; every page at a phone's 360 px.
#include "config.h"

#include <signal.h>
#include <string.h>

#include "passport-conflict-page.h"
#include "passport-error.h"
#include "passport-secret-store.h"
#include "ui-fixture.h"

#define PASSWORD "a long and good password"

typedef void (*VisitFunc) (UiFixture  *f,
                           const char *page);

/* Types @url into the server page and presses Connect, as a user does. */
static void
connect_by_hand (UiFixture  *f,
                 const char *url)
{
  ui_type (f, "server-page", "server-url", url);
  ui_click (f, "server-page", "connect-button");
}

/* Walks a new person through every step against passportd and calls
 * @visit on each step's page, once it shows: the server page of the first
 * run; Connecting (to a server that does not answer yet); the sign-in
 * choices; the browser wait; the agreement; the e-mail form; the address
 * taken; the confirmation mail; the account. */
static void
walk_pages (UiFixture *f,
            VisitFunc  visit)
{
  /* The fixture's passportd is new: fixed addresses. The taken one is
   * longer than a 360 px line: the pages that show it wrap it. */
  const char *taken = "augusta.ada.king.countess.of.lovelace@analytical-engine.example.com";
  const char *email = "ivan@example.com";
  g_autoptr(PdClient) client = NULL;
  g_autoptr(PdResponse) confirmed = NULL;

  ui_make_account (f, taken, PASSWORD);
  g_assert_cmpstr (ui_page_name (f), ==, "server-page");
  visit (f, "server-page");

  g_subprocess_send_signal (f->server->process, SIGSTOP);
  connect_by_hand (f, f->server->url);
  ui_wait_shown (f, "progress-page", 10);
  visit (f, "progress-page");
  g_subprocess_send_signal (f->server->process, SIGCONT);
  ui_wait_for_page (f, "sign-in-page", 20);
  visit (f, "sign-in-page");

  /* The password form, with what Forgot Password? says for the long address. */
  ui_click (f, "sign-in-page", "password-sign-in-button");
  ui_wait_for_page (f, "password-page", 10);
  ui_type (f, "password-page", "sign-in-email", taken);
  ui_click (f, "password-page", "forgot-password-button");
  PD_RUN_UNTIL (!passport_flow_get_busy (f->flow), 20);
  ui_pump ();
  g_assert_nonnull (ui_label (f, "password-page", "forgot-password-note"));
  visit (f, "password-page");
  ui_type (f, "password-page", "sign-in-email", "");
  ui_click (f, "password-page", "password-back-button");
  ui_wait_for_page (f, "sign-in-page", 10);

  pd_flow_start_social_sign_in (f->flow, email, "ignore");
  ui_wait_shown (f, "browser-page", 10);
  visit (f, "browser-page");
  ui_click (f, "browser-page", "cancel-browser-button");
  ui_wait_for_page (f, "sign-in-page", 10);

  /* Sign-in with another device: the code, its QR code, the link. */
  ui_click (f, "sign-in-page", "device-sign-in-button");
  ui_wait_shown (f, "device-page", 10);
  PD_RUN_UNTIL (ui_label (f, "device-page", "device-user-code") != NULL &&
                *ui_label (f, "device-page", "device-user-code") != '\0', 20);
  visit (f, "device-page");
  ui_click (f, "device-page", "cancel-device-button");
  ui_wait_for_page (f, "sign-in-page", 10);

  pd_flow_social_sign_in (f->flow, email, "Ivan Petrov", FALSE);
  ui_wait_for_page (f, "terms-page", 10);
  visit (f, "terms-page");

  pd_flow_accept_terms (f->flow);
  ui_wait_for_page (f, "bind-page", 10);
  visit (f, "bind-page");

  pd_flow_bind_taken_email (f->flow, taken, PASSWORD);
  ui_wait_for_page (f, "conflict-page", 10);
  visit (f, "conflict-page");

  /* Its other account's sign-in, after Forgot Password? (the server's
   * minute between two links for one address passed). */
  passport_flow_conflict_start_freeing (f->flow);
  pd_server_advance_clock (f->server, 61);
  ui_pump ();
  ui_click (f, "conflict-page", "forgot-password-button");
  PD_RUN_UNTIL (!passport_flow_get_busy (f->flow), 20);
  ui_pump ();
  g_assert_nonnull (ui_label (f, "conflict-page", "forgot-password-note"));
  visit (f, "conflict-page");
  passport_flow_cancel (f->flow);

  passport_flow_conflict_use_other_email (f->flow);
  ui_wait_for_page (f, "bind-page", 10);
  pd_flow_bind_email (f->flow, email, PASSWORD);
  ui_wait_for_page (f, "confirm-page", 10);
  visit (f, "confirm-page");

  /* The mailed link, opened: the long poll moves the app on. */
  client = pd_client_new (f->server);
  confirmed = pd_confirm_newest (client, email);
  g_assert_cmpuint (confirmed->status, ==, 200);
  ui_wait_for_page (f, "account-page", 30);
  visit (f, "account-page");
}

/* The page shown at the moment the flow enters SIGNING_IN (a transient
 * state: the code is exchanged and the account fetched). The window's own
 * handler ran first: it was connected first. */
typedef struct
{
  UiFixture *f;
  char      *signing_in_page;
  gboolean   cancel_connecting_shown;
} SigningIn;

static void
on_state (PassportFlow *flow,
          GParamSpec   *pspec,
          SigningIn    *seen)
{
  if (passport_flow_get_state (flow) != PASSPORT_FLOW_STATE_SIGNING_IN)
    return;
  g_free (seen->signing_in_page);
  seen->signing_in_page = g_strdup (ui_page_name (seen->f));
  seen->cancel_connecting_shown =
    gtk_widget_get_visible (ui_get (seen->f, "progress-page", "cancel-connecting-button"));
}

static gboolean
password_mode (PassportWindow *window)
{
  gboolean mode;

  g_object_get (window, "password-mode", &mode, NULL);
  return mode;
}

static void
check_page (UiFixture  *f,
            const char *page)
{
  g_autofree char *page_name = NULL;

  g_test_message ("at %s", page);
  g_assert_cmpstr (ui_page_name (f), ==, page);
  /* The page shown is the window's page-name, bound. */
  g_object_get (f->window, "page-name", &page_name, NULL);
  g_assert_cmpstr (page_name, ==, page);
  if (g_str_equal (page, "server-page"))
    ui_shot (f, "server");
  if (g_str_equal (page, "progress-page"))
    {
      g_assert_cmpint (passport_flow_get_state (f->flow), ==, PASSPORT_FLOW_STATE_CONNECTING);
      g_assert_true (ui_shows_text (GTK_WIDGET (f->window), "Connecting…"));
    }
}

static void
test_state_pages (UiFixture     *f,
                  gconstpointer  data)
{
  SigningIn seen = { f, NULL, FALSE };
  gulong id = g_signal_connect (f->flow, "notify::state", G_CALLBACK (on_state), &seen);

  walk_pages (f, check_page);
  /* After the browser came back, while the code is exchanged. */
  g_assert_cmpstr (seen.signing_in_page, ==, "progress-page");
  g_signal_handler_disconnect (f->flow, id);
  g_free (seen.signing_in_page);
}

/* Connecting to a server that never answers can be given up (finding 7):
 * back on the server page with the address kept, to type another one.
 * Other waits on the progress page have their own way out. */
static void
test_connecting_cancel (UiFixture     *f,
                        gconstpointer  data)
{
  g_autofree char *silent_url = NULL;
  g_autoptr(GSocket) silent = ui_silent_server (&silent_url);
  g_autofree char *email = pd_unique_email ("ivan");
  SigningIn seen = { f, NULL, TRUE };
  gulong id;

  connect_by_hand (f, silent_url);
  ui_wait_shown (f, "progress-page", 10);
  g_assert_true (passport_flow_get_busy (f->flow));
  g_assert_true (gtk_widget_get_visible (ui_get (f, "progress-page", "cancel-connecting-button")));
  g_assert_true (ui_enabled (f, "progress-page", "cancel-connecting-button"));
  ui_click (f, "progress-page", "cancel-connecting-button");
  ui_wait_for_page (f, "server-page", 10);
  g_assert_cmpstr (ui_text (f, "server-page", "server-url"), ==, silent_url);
  /* Given up, not failed: no message under the field, no bar. */
  g_assert_null (ui_label (f, "server-page", "server-error"));
  g_assert_null (passport_window_get_blocking_error (f->window));
  g_socket_close (silent, NULL);

  /* Another address goes on from there. */
  connect_by_hand (f, f->server->url);
  ui_wait_for_page (f, "sign-in-page", 20);

  id = g_signal_connect (f->flow, "notify::state", G_CALLBACK (on_state), &seen);
  pd_flow_social_sign_in (f->flow, email, "Ivan Petrov", FALSE);
  g_signal_handler_disconnect (f->flow, id);
  g_assert_cmpstr (seen.signing_in_page, ==, "progress-page");
  g_assert_false (seen.cancel_connecting_shown);
  g_free (seen.signing_in_page);
}

/* The server goes away: the next action fails with the bar and Retry;
 * once the server is back, Retry does the action and the bar goes. */
static void
test_blocking_error (UiFixture     *f,
                     gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ivan");
  PdServer *stopped;

  ui_to_terms (f, email);
  pd_server_stop (f->server);
  ui_click (f, "terms-page", "accept-terms-button");
  PD_RUN_UNTIL (passport_flow_get_error (f->flow) != NULL && !passport_flow_get_busy (f->flow), 30);
  ui_pump ();
  g_assert_error ((GError *) passport_flow_get_error (f->flow), PASSPORT_ERROR, PASSPORT_ERROR_UNREACHABLE);
  g_assert_cmpstr (ui_page_name (f), ==, "terms-page");
  g_assert_cmpstr (passport_window_get_blocking_error (f->window), ==,
                   passport_error_code_describe (PASSPORT_ERROR_UNREACHABLE));
  g_assert_true (gtk_widget_get_sensitive (ui_find (GTK_WIDGET (f->window), "retry-button")));
  ui_shot (f, "blocking-error");

  /* The same server back (its database is in the stopped one's directory,
   * removed with it: freed last). */
  stopped = f->server;
  f->server = pd_server_restart (stopped);
  g_signal_emit_by_name (ui_find (GTK_WIDGET (f->window), "retry-button"), "clicked");
  ui_wait_for_page (f, "bind-page", 30);
  g_assert_null (passport_window_get_blocking_error (f->window));
  g_assert_null (passport_flow_get_error (f->flow));

  pd_server_stop (f->server);
  pd_server_free (stopped);
}

/* Counts the spinners under @widget that spin, and checks that each one
 * spins exactly while it is mapped. A spinner spins (its CSS animation
 * runs) while it has the :checked state. */
static guint
check_spinners (GtkWidget *widget)
{
  guint spinning = 0;

  if (GTK_IS_SPINNER (widget))
    {
      gboolean checked = (gtk_widget_get_state_flags (widget) & GTK_STATE_FLAG_CHECKED) != 0;

      g_assert_cmpint (checked, ==, gtk_widget_get_mapped (widget));
      spinning += checked;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    spinning += check_spinners (child);
  return spinning;
}

static gboolean
transition_running (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget) && gtk_stack_get_transition_running (GTK_STACK (widget)))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (transition_running (child))
      return TRUE;
  return FALSE;
}

/* A page being left stays mapped until the crossfade has ended. */
static void
wait_for_transitions (UiFixture *f)
{
  PD_RUN_UNTIL (!transition_running (GTK_WIDGET (f->window)), 5);
}

static void
count_spinners (UiFixture  *f,
                const char *page)
{
  /* Only the waiting pages spin. */
  guint expected = g_str_equal (page, "progress-page") || g_str_equal (page, "browser-page");

  wait_for_transitions (f);
  g_test_message ("page %s", page);
  g_assert_cmpuint (check_spinners (GTK_WIDGET (f->window)), ==, expected);
}

/* A spinner that spins keeps the frame clock ticking, shown or not: only
 * the spinners of the page on screen spin, and the waiting pages still do. */
static void
test_spinners_sleep (UiFixture     *f,
                     gconstpointer  data)
{
  walk_pages (f, count_spinners);
}

/* A spinner that shows work spins while the work runs: a password sign-in
 * against a server that hangs. (On its own: after the walk above, the
 * confirmation mail's resend wait would still grey out Sign In.) */
static void
test_spinner_while_working (UiFixture     *f,
                            gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ada");

  ui_make_account (f, email, PASSWORD);
  ui_connect (f);
  ui_click (f, "sign-in-page", "password-sign-in-button");
  g_assert_true (password_mode (f->window));
  ui_type (f, "password-page", "sign-in-email", email);
  ui_type (f, "password-page", "sign-in-password", PASSWORD);
  wait_for_transitions (f);
  g_assert_cmpuint (check_spinners (GTK_WIDGET (f->window)), ==, 0);

  g_subprocess_send_signal (f->server->process, SIGSTOP);
  ui_click (f, "password-page", "password-sign-in-button");
  PD_RUN_UNTIL (passport_flow_get_busy (f->flow), 5);
  wait_for_transitions (f);
  g_assert_cmpstr (ui_page_name (f), ==, "password-page");
  g_assert_cmpuint (check_spinners (GTK_WIDGET (f->window)), ==, 1);

  g_subprocess_send_signal (f->server->process, SIGCONT);
  ui_wait_for_page (f, "account-page", 20);
  /* E-mail and password was a choice of the sign-in step only. */
  g_assert_false (password_mode (f->window));
  wait_for_transitions (f);
  g_assert_cmpuint (check_spinners (GTK_WIDGET (f->window)), ==, 0);
}

/* The innermost widgets under @widget that are wider than @limit: the ones
 * that make a page too wide, named for the failure message. */
static gboolean
find_wide (GtkWidget *widget,
           int        limit,
           GString   *out)
{
  gboolean child_wide = FALSE;
  int minimum = 0;

  if (!gtk_widget_get_visible (widget))
    return FALSE;
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  if (minimum <= limit)
    return FALSE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    child_wide |= find_wide (child, limit, out);
  if (!child_wide)
    g_string_append_printf (out, " [%s %s “%s” %d px]", G_OBJECT_TYPE_NAME (widget),
                            gtk_widget_get_name (widget),
                            GTK_IS_LABEL (widget) ? gtk_label_get_label (GTK_LABEL (widget)) : "", minimum);
  return TRUE;
}

static GString *too_wide;

static void
measure_page (UiFixture  *f,
              const char *page)
{
  const char *language = g_getenv ("LANGUAGE");
  g_autofree char *name = NULL;
  int minimum = 0;

  /* As a phone shows it: shot-360-<language>-<page>.png (README and
   * data/screenshots use these names). */
  name = g_strdup_printf ("360-%s%s-%s", language != NULL && *language != '\0' ? language : "en",
                          g_getenv ("PASSPORT_TEST_TEXT_SCALE") != NULL ? "-large" : "", page);
  /* The conflict's later steps beside its first. */
  if (g_str_equal (page, "conflict-page") &&
      passport_flow_get_conflict_step (f->flow) != PASSPORT_CONFLICT_STEP_NONE)
    {
      g_autofree char *first = g_steal_pointer (&name);

      name = g_strdup_printf ("%s-%s", first,
                              passport_conflict_page_get_step_name (
                                PASSPORT_CONFLICT_PAGE (passport_window_get_page (f->window, page))));
    }
  ui_shot (f, name);
  gtk_widget_measure (GTK_WIDGET (f->window), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_test_message ("%s: %d px", page, minimum);
  if (minimum > 360)
    {
      g_string_append_printf (too_wide, " %s (%d px):", page, minimum);
      find_wide (passport_window_get_page (f->window, page), 330, too_wide);
    }
}

/* Every page fits a phone's 360 px (Phosh), in the language the test runs
 * in: the window's minimum width on each page (finding 12). */
static void
test_narrow (UiFixture     *f,
             gconstpointer  data)
{
  too_wide = g_string_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 640);
  ui_pump ();
  walk_pages (f, measure_page);
  if (too_wide->len > 0)
    g_test_fail_printf ("wider than 360 px:%s", too_wide->str);
  g_string_free (too_wide, TRUE);
}

/* The keyring cannot be used (run-isolated.sh with
 * PASSPORT_NO_KEYRING_DAEMON=1: a D-Bus session without an unlocked Secret
 * Service): the real secret store fails to keep the new session, and the
 * window asks before it is kept in memory only. (The memory store of the
 * other tests never fails.) */
static void
test_keyring_dialog (UiFixture     *f,
                     gconstpointer  data)
{
  g_autoptr(PassportSecretStore) store = passport_secret_store_new ();
  g_autofree char *email = pd_unique_email ("ivan");
  AdwMessageDialog *dialog;

  ui_restart (f, pd_flow_new_with_store (PASSPORT_CREDENTIAL_STORE (store)));
  connect_by_hand (f, f->server->url);
  ui_wait_for_page (f, "sign-in-page", 30);
  g_assert_true (passport_flow_get_remember (f->flow));

  pd_browser_as (email, "Ivan Petrov", FALSE, "continue");
  ui_click (f, "sign-in-page", "provider-google");
  PD_RUN_UNTIL (passport_flow_get_keyring_unavailable (f->flow), 30);
  dialog = ui_find_dialog ("keyring-dialog");
  ui_shot_widget (GTK_WIDGET (dialog), "keyring-dialog");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  /* Only a question: the sign-in itself did not fail. */
  g_assert_null (passport_flow_get_error (f->flow));
  adw_message_dialog_response (dialog, "continue");
  ui_pump ();

  /* Going on without remembering: signed in for this run only, and not
   * asked again. */
  ui_wait_for_page (f, "terms-page", 30);
  g_assert_false (passport_flow_get_keyring_unavailable (f->flow));
  g_assert_false (passport_flow_get_remember (f->flow));
  g_assert_false (passport_flow_get_session_remembered (f->flow));
  pd_flow_accept_terms (f->flow);
  ui_wait_for_page (f, "bind-page", 10);
  g_assert_false (passport_flow_get_keyring_unavailable (f->flow));
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  if (g_getenv ("PASSPORT_NO_KEYRING_DAEMON") != NULL)
    UI_TEST_ADD ("/window/keyring-dialog", test_keyring_dialog);
  else
    {
      UI_TEST_ADD ("/window/state-pages", test_state_pages);
      UI_TEST_ADD ("/window/connecting-cancel", test_connecting_cancel);
      UI_TEST_ADD ("/window/blocking-error", test_blocking_error);
      UI_TEST_ADD ("/window/spinners-sleep", test_spinners_sleep);
      UI_TEST_ADD ("/window/spinner-while-working", test_spinner_while_working);
      UI_TEST_ADD ("/window/narrow", test_narrow);
    }
  return ui_run ();
}
