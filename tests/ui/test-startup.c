// SPDX-License-Identifier: GPL-3.0-or-later
//
// Start-up of a signed-in user over the real flow and passportd: with the
// server down they see their account's server with a way to retry, never
// the first run (finding 9), and the account once the server is back.
#include "config.h"

#include "passport-error.h"
#include "passport-memory-store.h"
#include "ui-fixture.h"

static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static const char *
window_subtitle (UiFixture *f)
{
  GtkWidget *title = find_type (GTK_WIDGET (f->window), ADW_TYPE_WINDOW_TITLE);

  g_assert_nonnull (title);
  return adw_window_title_get_subtitle (ADW_WINDOW_TITLE (title));
}

static void
test_server_down (UiFixture     *f,
                  gconstpointer  data)
{
  g_autoptr(PassportMemoryStore) store = passport_memory_store_new ();
  g_autoptr(PassportFlow) first = pd_flow_new_with_store (PASSPORT_CREDENTIAL_STORE (store));
  g_autoptr(PdServer) again = NULL;
  g_autofree char *email = pd_unique_email ("ada");
  GtkWidget *retry;

  /* Yesterday: signed in, the session remembered. */
  ui_make_account (f, email, "the right long password");
  pd_flow_connect (first, f->server);
  pd_flow_sign_in_with_password (first, email, "the right long password");
  g_clear_object (&first);

  /* Today the server is down when the app starts. */
  pd_server_stop (f->server);
  ui_restart (f, pd_flow_new_with_store (PASSPORT_CREDENTIAL_STORE (store)));
  passport_flow_set_server_url_async (f->flow, f->server->url, NULL, NULL, NULL);

  PD_RUN_UNTIL (passport_flow_get_error (f->flow) != NULL, 30);
  ui_pump ();
  g_assert_cmpstr (ui_page_name (f), !=, "server-page");
  g_assert_cmpstr (ui_page_name (f), ==, "progress-page");
  g_assert_cmpstr (passport_window_get_blocking_error (f->window), ==,
                   passport_error_code_describe (PASSPORT_ERROR_UNREACHABLE));
  /* Whose server it is, in the title. */
  g_assert_cmpstr (window_subtitle (f), ==, f->server->url);
  retry = ui_find (GTK_WIDGET (f->window), "retry-button");
  g_assert_nonnull (retry);
  g_assert_true (gtk_widget_get_sensitive (retry));
  ui_shot (f, "server-down-at-start");

  /* Back: Retry brings the account, and the bar goes. */
  again = pd_server_restart (f->server);
  g_signal_emit_by_name (retry, "clicked");
  ui_wait_for_page (f, "account-page", 30);
  g_assert_null (passport_window_get_blocking_error (f->window));
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/startup/server-down", test_server_down);
  return ui_run ();
}
