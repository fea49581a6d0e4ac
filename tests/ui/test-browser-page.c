// SPDX-License-Identifier: GPL-3.0-or-later
//
// "Continue in your browser" over the real flow and passportd: the
// countdown, Copy Link, Open the Browser Again, Cancel and Escape back to
// the choices (finding 18), a browser that cannot be opened (finding 4),
// and a browser that comes back.
#include "config.h"

#include <string.h>

#include "ui-fixture.h"

#define PAGE "browser-page"

/* Starts the Google sign-in from its button, the browser told to @action. */
static void
start (UiFixture  *f,
       const char *email,
       const char *action)
{
  pd_browser_as (email, "Ivan Petrov", FALSE, action);
  ui_click (f, "sign-in-page", "provider-google");
  ui_wait_shown (f, PAGE, 10);
}


/* Presses Escape: the window's own key binding for it, activated. */
static void
press_escape (UiFixture *f)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->window));
  gboolean pressed = FALSE;

  for (guint i = 0; !pressed && i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; !pressed && j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          g_autofree char *trigger = gtk_shortcut_trigger_to_string (gtk_shortcut_get_trigger (shortcut));

          if (g_strcmp0 (trigger, "Escape") == 0)
            pressed = gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut), 0, GTK_WIDGET (f->window),
                                                    gtk_shortcut_get_arguments (shortcut));
        }
    }
  g_assert_true (pressed);
  ui_pump ();
}

static void
test_browser_page (UiFixture     *f,
                   gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ivan");
  g_autofree char *copied = NULL;
  const char *countdown;

  ui_connect (f);
  passport_flow_set_browser_timeout (f->flow, 300);
  start (f, email, "ignore");

  g_assert_true (ui_enabled (f, PAGE, "reopen-browser-button"));
  g_assert_true (ui_enabled (f, PAGE, "copy-link-button"));
  g_assert_true (ui_enabled (f, PAGE, "cancel-browser-button"));
  countdown = ui_label (f, PAGE, "browser-timeout");
  g_assert_nonnull (countdown);
  /* The 5 minutes as a clock, counting down (a loaded machine may take
   * seconds to get here). */
  g_assert_true (g_regex_match_simple ("another [45]:[0-5][0-9]$", countdown, 0, 0));
  g_assert_true (ui_shows_text (GTK_WIDGET (f->window),
                                "Sign in with Google in the browser window that has opened, then come back here."));
  /* The browser opened: no link to copy by hand on the page. */
  g_assert_cmpstr (ui_label (f, PAGE, "browser-link"), ==, "");
  ui_shot (f, "browser");

  /* Copy Link: the sign-in's address on the clipboard, and said. */
  ui_click (f, PAGE, "copy-link-button");
  copied = ui_clipboard_text (f);
  g_assert_cmpstr (copied, ==, passport_flow_get_browser_url (f->flow));
  g_assert_true (g_str_has_prefix (copied, f->server->url));
  /* Said on the button itself: a toast would cover Cancel (finding 15). */
  g_assert_true (ui_shows_text (ui_get (f, PAGE, "copy-link-button"), "Link Copied"));
  g_assert_false (ui_shows_text (GTK_WIDGET (f->window), "Link copied"));

  /* Cancel: back to the choices, the page's buttons off. */
  ui_click (f, PAGE, "cancel-browser-button");
  ui_wait_for_page (f, "sign-in-page", 10);
  g_assert_null (passport_flow_get_browser_url (f->flow));
  g_assert_false (ui_enabled (f, PAGE, "reopen-browser-button"));
  g_assert_false (ui_enabled (f, PAGE, "copy-link-button"));
  g_assert_null (passport_window_get_blocking_error (f->window));

  /* Escape does the same (finding 18). */
  start (f, email, "ignore");
  press_escape (f);
  ui_wait_for_page (f, "sign-in-page", 10);
  g_assert_null (passport_flow_get_browser_url (f->flow));

  /* Open the Browser Again: this time the browser signs in, and the app
   * goes on to the agreement. */
  start (f, email, "ignore");
  pd_browser_as (email, "Ivan Petrov", FALSE, "continue");
  ui_click (f, PAGE, "reopen-browser-button");
  ui_wait_for_page (f, "terms-page", 30);
}

/* No browser can be opened (finding 4): the page says so at once, with the
 * link to open elsewhere, and still waits. */
static void
test_no_browser (UiFixture     *f,
                 gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ivan");

  passport_flow_set_browser_command (f->flow, "/nonexistent/passport-test-browser");
  ui_connect (f);
  start (f, email, "ignore");
  PD_RUN_UNTIL (passport_flow_get_browser_launch_error (f->flow) != NULL, 10);
  ui_pump ();
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);
  g_assert_true (ui_shows_text (GTK_WIDGET (f->window),
                                "No web browser could be opened. Open this link in a browser yourself, "
                                "or copy it to another device, then come back here."));
  g_assert_cmpstr (ui_label (f, PAGE, "browser-link"), ==, passport_flow_get_browser_url (f->flow));
  g_assert_true (ui_enabled (f, PAGE, "copy-link-button"));
  g_assert_cmpint (passport_flow_get_state (f->flow), ==, PASSPORT_FLOW_STATE_AWAITING_BROWSER);
  g_assert_null (passport_window_get_blocking_error (f->window));
  ui_shot (f, "browser-no-browser");
}

/* The browser comes back: the window moves on by itself. */
static void
test_browser_comes_back (UiFixture     *f,
                         gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ivan");

  ui_connect (f);
  pd_browser_as (email, "Ivan Petrov", FALSE, "continue");
  ui_click (f, "sign-in-page", "provider-google");
  ui_wait_for_page (f, "terms-page", 30);
  g_assert_null (passport_flow_get_browser_url (f->flow));
  g_assert_false (ui_enabled (f, PAGE, "cancel-browser-button"));
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/browser-page/wait", test_browser_page);
  UI_TEST_ADD ("/browser-page/no-browser", test_no_browser);
  UI_TEST_ADD ("/browser-page/comes-back", test_browser_comes_back);
  return ui_run ();
}
