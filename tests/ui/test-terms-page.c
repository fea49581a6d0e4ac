// SPDX-License-Identifier: GPL-3.0-or-later
//
// The agreement over the real flow and passportd: passportd's own text and
// link, Accept to the e-mail form, Decline back to the choices with the
// reason said (finding 23) and the agreement asked again next time.
#include "config.h"

#include "ui-fixture.h"

#define PAGE "terms-page"

static char *
shown_text (UiFixture *f)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (ui_get (f, PAGE, "terms-text")));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
test_terms_page (UiFixture     *f,
                 gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ivan");
  g_autoptr(PdClient) client = pd_client_new (f->server);
  g_autoptr(PdResponse) terms = pd_client_get (client, "/api/v1/terms", NULL);
  g_autofree char *text = NULL;
  GtkWidget *link;

  g_assert_cmpuint (terms->status, ==, 200);
  ui_to_terms (f, email);

  /* What passportd sends, as it sends it. */
  text = shown_text (f);
  g_assert_cmpstr (text, ==, pd_response_string (terms, "text"));
  link = ui_get (f, PAGE, "terms-link");
  g_assert_true (gtk_widget_get_visible (link));
  g_assert_cmpstr (gtk_link_button_get_uri (GTK_LINK_BUTTON (link)), ==, pd_response_string (terms, "url"));
  g_assert_true (ui_enabled (f, PAGE, "accept-terms-button"));
  g_assert_true (ui_enabled (f, PAGE, "decline-terms-button"));
  ui_shot (f, "terms");

  ui_click (f, PAGE, "accept-terms-button");
  ui_wait_for_page (f, "bind-page", 20);
  g_assert_cmpint (passport_flow_get_state (f->flow), ==, PASSPORT_FLOW_STATE_NEEDS_EMAIL);
}

static void
test_decline (UiFixture     *f,
              gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ivan");

  ui_to_terms (f, email);
  ui_click (f, PAGE, "decline-terms-button");
  ui_wait_for_page (f, "sign-in-page", 20);
  /* Signed out, and told so (finding 23). */
  g_assert_cmpint (passport_flow_get_state (f->flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);
  g_assert_null (passport_flow_get_account (f->flow));
  g_assert_true (ui_shows_text (GTK_WIDGET (f->window), "You declined the agreement, so you are signed out."));
  g_assert_null (passport_window_get_blocking_error (f->window));

  /* The server did not take it as accepted: the same person is asked
   * again. */
  pd_flow_social_sign_in (f->flow, email, "Ivan Petrov", FALSE);
  ui_wait_for_page (f, PAGE, 10);
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/terms-page/accept", test_terms_page);
  UI_TEST_ADD ("/terms-page/decline", test_decline);
  return ui_run ();
}
