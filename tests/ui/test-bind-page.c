// SPDX-License-Identifier: GPL-3.0-or-later
//
// The form that binds an e-mail and creates a password, over the real flow
// and passportd: what the form says before anything is sent, the server's
// verdicts beside the fields they concern (and gone once the field
// changes), the mail that a good form sends, the password kept across a
// taken address, and nothing of one person left for the next.
#include "config.h"

#include "passport-error.h"
#include "ui-fixture.h"

#define PAGE "bind-page"
#define GOOD "correct horse battery staple"
#define OTHER_GOOD "an entirely different long passphrase"

static gboolean
row_is_red (UiFixture  *f,
            const char *name)
{
  return gtk_widget_has_css_class (ui_get (f, PAGE, name), "error");
}

static void
fill (UiFixture  *f,
      const char *email,
      const char *password)
{
  ui_type (f, PAGE, "bind-email", email);
  ui_type (f, PAGE, "bind-password", password);
  ui_type (f, PAGE, "bind-repeat", password);
}

static void
test_bind_page (UiFixture     *f,
                gconstpointer  data)
{
  g_autoptr(PdClient) client = NULL;
  g_autoptr(PdResponse) token = NULL;
  g_autofree char *mail = NULL;

  ui_to_terms (f, "ivan.social@example.net");
  ui_click (f, "terms-page", "accept-terms-button");
  ui_wait_for_page (f, PAGE, 20);
  /* After Accept the cursor is in E-mail, the first field, not in
   * Password (finding 6). */
  g_assert_true (ui_focus_is_in (f, PAGE, "bind-email"));
  g_assert_false (ui_enabled (f, PAGE, "bind-save-button"));

  /* An address that is not one: Save stays off, and the field says why
   * (finding 5a). */
  fill (f, "ada@", GOOD);
  g_assert_false (ui_enabled (f, PAGE, "bind-save-button"));
  g_assert_cmpstr (ui_label (f, PAGE, "bind-email-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_INVALID_EMAIL));
  ui_type (f, PAGE, "bind-email", "ada@example.com");
  g_assert_null (ui_label (f, PAGE, "bind-email-error"));

  ui_check_new_password_form (f, PAGE, "bind-password", "bind-repeat", "password-strength",
                              "password-hints", "repeat-error", "bind-save-button", GOOD);
  ui_shot (f, "bind");

  /* An address only the server can refuse (no dot in the domain): its
   * answer goes beside the field, the field goes red, nothing typed is
   * lost, and no bar covers the window. */
  ui_type (f, PAGE, "bind-email", "ada@example");
  ui_click (f, PAGE, "bind-save-button");
  ui_wait_for_error (f, PASSPORT_ERROR_INVALID_EMAIL);
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);
  g_assert_cmpstr (ui_label (f, PAGE, "bind-email-error"), ==,
                   passport_error_describe (passport_flow_get_error (f->flow)));
  g_assert_true (row_is_red (f, "bind-email"));
  g_assert_null (passport_window_get_blocking_error (f->window));
  g_assert_cmpstr (ui_text (f, PAGE, "bind-password"), ==, GOOD);
  g_assert_cmpstr (ui_text (f, PAGE, "bind-repeat"), ==, GOOD);
  /* The verdict was about what was sent: once the field changes, it goes,
   * and the field is judged afresh (finding 3). */
  ui_type (f, PAGE, "bind-email", "ada@example.com");
  g_assert_null (ui_label (f, PAGE, "bind-email-error"));
  g_assert_false (row_is_red (f, "bind-email"));

  /* The local check knows the dictionary, also spelt with digits and
   * signs, as the server does (finding 3). */
  ui_type (f, PAGE, "bind-password", "p@ssw0rd");
  ui_type (f, PAGE, "bind-repeat", "p@ssw0rd");
  g_assert_false (ui_enabled (f, PAGE, "bind-save-button"));
  g_assert_cmpstr (ui_label (f, PAGE, "password-hints"), ==,
                   "This password is too easy to guess. Try a few unrelated words.");
  g_assert_cmpfloat (gtk_level_bar_get_value (GTK_LEVEL_BAR (ui_get (f, PAGE, "password-strength"))), ==, 0);

  /* A password only the server's own list refuses (a Russian keyboard
   * row, which no local dictionary holds): the server's reason under the
   * field, the field red. */
  ui_type (f, PAGE, "bind-password", "йцукенгш");
  ui_type (f, PAGE, "bind-repeat", "йцукенгш");
  g_assert_true (ui_enabled (f, PAGE, "bind-save-button"));
  ui_click (f, PAGE, "bind-save-button");
  ui_wait_for_error (f, PASSPORT_ERROR_WEAK_PASSWORD);
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);
  g_assert_cmpstr (ui_label (f, PAGE, "password-hints"), ==,
                   "This password is too easy to guess. Try a few unrelated words.");
  g_assert_true (row_is_red (f, "bind-password"));
  g_assert_null (passport_window_get_blocking_error (f->window));
  g_assert_cmpstr (ui_text (f, PAGE, "bind-email"), ==, "ada@example.com");

  /* Changed, the password is judged by the local check again: a short one
   * gets the local hint, not the server's old "too easy to guess", and
   * the row is no longer red (finding 3). */
  ui_type (f, PAGE, "bind-password", "abc12");
  g_assert_cmpstr (ui_label (f, PAGE, "password-hints"), ==, "Use at least 8 characters.");
  g_assert_false (row_is_red (f, "bind-password"));
  ui_type (f, PAGE, "bind-password", OTHER_GOOD);
  ui_type (f, PAGE, "bind-repeat", OTHER_GOOD);
  g_assert_null (ui_label (f, PAGE, "password-hints"));
  g_assert_false (row_is_red (f, "bind-password"));
  g_assert_cmpfloat (gtk_level_bar_get_value (GTK_LEVEL_BAR (ui_get (f, PAGE, "password-strength"))), >, 0);

  /* A good form: the link is mailed to that address and the app waits. */
  g_assert_cmpuint (pd_maildir_count (f->server), ==, 0);
  ui_click (f, PAGE, "bind-save-button");
  ui_wait_for_page (f, "confirm-page", 20);
  mail = pd_maildir_newest_to (f->server, "ada@example.com");
  g_assert_nonnull (mail);
  g_assert_cmpuint (pd_maildir_count (f->server), ==, 1);
  g_assert_cmpstr (passport_account_get_pending_email (passport_flow_get_account (f->flow)), ==,
                   "ada@example.com");

  /* What was sent is what was typed: once confirmed, that address and
   * that password sign in. */
  pd_open_mailed_link (f->server, "ada@example.com");
  ui_wait_for_page (f, "account-page", 20);
  client = pd_client_new (f->server);
  token = pd_token_password (client, "ada@example.com", OTHER_GOOD);
  pd_assert_response (token, 200, NULL);
}

/* After the conflict's "use another e-mail" the password typed before is
 * still there; only the address needs changing. */
static void
test_bind_page_keeps_password (UiFixture     *f,
                               gconstpointer  data)
{
  ui_make_account (f, "ada@example.com", "the holder's long secret");
  ui_to_bind (f, "ivan.social@example.net");
  fill (f, "ada@example.com", GOOD);
  ui_click (f, PAGE, "bind-save-button");
  ui_wait_for_page (f, "conflict-page", 20);

  ui_click (f, "conflict-page", "use-other-email-button");
  ui_wait_for_page (f, PAGE, 10);
  g_assert_cmpstr (ui_text (f, PAGE, "bind-password"), ==, GOOD);
  g_assert_cmpstr (ui_text (f, PAGE, "bind-repeat"), ==, GOOD);
  g_assert_null (ui_label (f, PAGE, "bind-email-error"));

  ui_type (f, PAGE, "bind-email", "ivan@example.com");
  ui_click (f, PAGE, "bind-save-button");
  ui_wait_for_page (f, "confirm-page", 20);
  {
    g_autofree char *mail = pd_maildir_newest_to (f->server, "ivan@example.com");

    g_assert_nonnull (mail);
  }
}

/* Ada binds her address and password, confirms and signs out; Bob signs
 * in with his social account on the same running app: the form is empty
 * (finding 2). */
static void
test_bind_page_next_person (UiFixture     *f,
                            gconstpointer  data)
{
  ui_to_bind (f, "ada.social@example.net");
  fill (f, "ada@example.com", GOOD);
  ui_click (f, PAGE, "bind-save-button");
  ui_wait_for_page (f, "confirm-page", 20);
  pd_open_mailed_link (f->server, "ada@example.com");
  ui_wait_for_page (f, "account-page", 20);
  pd_flow_sign_out (f->flow);
  ui_wait_for_page (f, "sign-in-page", 10);

  /* Not verified: a form that offers the network's address (finding 16)
   * would not be empty, and that is not what this test is about. */
  pd_flow_social_sign_in (f->flow, "bob@social.example", "Bob Example", FALSE);
  ui_wait_for_page (f, "terms-page", 10);
  pd_flow_accept_terms (f->flow);
  ui_wait_for_page (f, PAGE, 10);
  g_assert_cmpstr (ui_text (f, PAGE, "bind-email"), ==, "");
  g_assert_cmpstr (ui_text (f, PAGE, "bind-password"), ==, "");
  g_assert_cmpstr (ui_text (f, PAGE, "bind-repeat"), ==, "");
  g_assert_null (ui_label (f, PAGE, "password-hints"));
  g_assert_false (ui_enabled (f, PAGE, "bind-save-button"));
}

/* After a sign-in whose network confirmed the address (finding 16): the
 * steps say who is signed in, the address is offered, and keeping it
 * skips the mail; another address is mailed as usual. */
static void
test_verified_address (UiFixture     *f,
                       gconstpointer  data)
{
  ui_connect (f);
  pd_flow_social_sign_in (f->flow, "bob@social.example", "Bob Example", TRUE);
  ui_wait_for_page (f, "terms-page", 10);
  g_assert_cmpstr (ui_label (f, "terms-page", "signed-in-as"), ==, "Signed in as Bob Example with Google.");
  pd_flow_accept_terms (f->flow);
  ui_wait_for_page (f, PAGE, 10);

  g_assert_cmpstr (ui_label (f, PAGE, "signed-in-as"), ==, "Signed in as Bob Example with Google.");
  g_assert_cmpstr (ui_text (f, PAGE, "bind-email"), ==, "bob@social.example");
  g_assert_cmpstr (ui_label (f, PAGE, "bind-email-note"), ==,
                   "Google has confirmed this address: no confirmation mail is needed.");
  /* The cursor goes to the first empty field: the password. */
  g_assert_true (ui_focus_is_in (f, PAGE, "bind-password"));
  ui_shot (f, "bind-verified");

  ui_type (f, PAGE, "bind-email", "bob@elsewhere.example");
  g_assert_null (ui_label (f, PAGE, "bind-email-note"));
  ui_type (f, PAGE, "bind-email", "bob@social.example");
  ui_type (f, PAGE, "bind-password", "correct horse battery staple");
  ui_type (f, PAGE, "bind-repeat", "correct horse battery staple");
  ui_click (f, PAGE, "bind-save-button");
  ui_wait_for_page (f, "account-page", 20);
  g_assert_cmpuint (pd_maildir_count (f->server), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/bind-page/form", test_bind_page);
  UI_TEST_ADD ("/bind-page/keeps-password", test_bind_page_keeps_password);
  UI_TEST_ADD ("/bind-page/next-person", test_bind_page_next_person);
  UI_TEST_ADD ("/bind-page/verified-address", test_verified_address);
  return ui_run ();
}
