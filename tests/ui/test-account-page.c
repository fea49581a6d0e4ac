// SPDX-License-Identifier: GPL-3.0-or-later
//
// The signed-in account over the real flow and passportd: what the server
// holds (name, address, sign-in methods), Change Password that says
// "Password changed" only when it was (finding 1) with the bind form's help
// (finding 14), and Sign Out that asks first.
#include "config.h"

#include "passport-error.h"
#include "passport-memory-store.h"
#include "passport-secure.h"
#include "passport-provider-icon.h"
#include "ui-fixture.h"

#define PAGE "account-page"
#define EMAIL "ada@example.com"
#define OLD "the first long password"
#define NEW "new long secret passphrase"

static guint
status_of_password_grant (UiFixture  *f,
                          const char *password)
{
  g_autoptr(PdClient) client = pd_client_new (f->server);
  g_autoptr(PdResponse) response = pd_token_password (client, EMAIL, password);

  return response->status;
}

static void
fill (UiFixture  *f,
      const char *current,
      const char *new_password)
{
  ui_type (f, PAGE, "current-password", current);
  ui_type (f, PAGE, "new-password", new_password);
  ui_type (f, PAGE, "repeat-new-password", new_password);
}

/* Whether a provider icon under @widget shows its server's badge. */
static gboolean
provider_icon_loaded (GtkWidget *widget)
{
  if (PASSPORT_IS_PROVIDER_ICON (widget))
    return passport_provider_icon_get_loaded (PASSPORT_PROVIDER_ICON (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (provider_icon_loaded (child))
      return TRUE;
  return FALSE;
}

static void
test_account_page (UiFixture     *f,
                   gconstpointer  data)
{
  GtkWidget *methods;
  GtkWidget *email_row;
  g_autoptr(GPtrArray) titles = g_ptr_array_new ();

  ui_make_account (f, EMAIL, OLD);
  ui_connect (f);
  pd_flow_sign_in_with_password (f->flow, EMAIL, OLD);
  ui_wait_for_page (f, PAGE, 10);

  /* What the server holds: the name, the confirmed address, and the two
   * ways in (the network the account began with, e-mail and password). */
  g_assert_cmpstr (ui_label (f, PAGE, "account-name"), ==, "Ada Lovelace");
  email_row = ui_get (f, PAGE, "account-email");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (email_row)), ==, EMAIL);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (email_row)), ==, "Confirmed");
  methods = ui_get (f, PAGE, "sign-in-methods");
  for (GtkWidget *row = gtk_widget_get_first_child (methods); row; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row))
      g_ptr_array_add (titles, (gpointer) adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  g_assert_cmpuint (titles->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (titles, 0), ==, "VK");
  g_assert_cmpstr (g_ptr_array_index (titles, 1), ==, "E-mail and password");
  /* The network's badge, as on the sign-in page (finding 21). */
  PD_RUN_UNTIL (provider_icon_loaded (methods), 10);
  ui_shot (f, "account");

  /* As much help as the bind form (finding 14): the new password twice,
   * its strength, the reason it is weak. */
  g_assert_false (ui_enabled (f, PAGE, "change-password-button"));
  ui_type (f, PAGE, "current-password", "not the password");
  ui_check_new_password_form (f, PAGE, "new-password", "repeat-new-password", "new-password-strength",
                              "new-password-hints", "repeat-new-password-error", "change-password-button", NEW);

  /* A wrong current password: said beside the form, and no "Password
   * changed" (finding 1); nothing typed is lost. */
  ui_click (f, PAGE, "change-password-button");
  ui_wait_for_error (f, PASSPORT_ERROR_INVALID_PASSWORD);
  g_assert_cmpstr (ui_label (f, PAGE, "password-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_INVALID_PASSWORD));
  g_assert_false (ui_shows_text (GTK_WIDGET (f->window), "Password changed"));
  g_assert_null (passport_window_get_blocking_error (f->window));
  g_assert_cmpstr (ui_text (f, PAGE, "new-password"), ==, NEW);
  g_assert_cmpstr (ui_text (f, PAGE, "repeat-new-password"), ==, NEW);
  g_assert_cmpuint (status_of_password_grant (f, OLD), ==, 200);

  /* A new password the local check lets through and the server refuses
   * (only its own list holds a Russian keyboard row): its reason under
   * the field, and again no "Password changed". */
  fill (f, OLD, "йцукенгш");
  g_assert_true (ui_enabled (f, PAGE, "change-password-button"));
  ui_click (f, PAGE, "change-password-button");
  ui_wait_for_error (f, PASSPORT_ERROR_WEAK_PASSWORD);
  g_assert_cmpstr (ui_label (f, PAGE, "new-password-hints"), ==,
                   "This password is too easy to guess. Try a few unrelated words.");
  g_assert_false (ui_shows_text (GTK_WIDGET (f->window), "Password changed"));
  g_assert_cmpstr (ui_text (f, PAGE, "current-password"), ==, OLD);
  g_assert_cmpuint (status_of_password_grant (f, OLD), ==, 200);

  /* The right one: "Password changed", the form emptied, and from now on
   * the new password signs in and the old one does not. */
  fill (f, OLD, NEW);
  ui_click (f, PAGE, "change-password-button");
  PD_RUN_UNTIL (ui_label (f, PAGE, "password-changed") != NULL, 20);
  /* Beside the form, not a toast over the buttons (finding 15). */
  g_assert_cmpstr (ui_label (f, PAGE, "password-changed"), ==, "Password changed");
  PD_RUN_UNTIL (!passport_flow_get_busy (f->flow), 20);
  ui_pump ();
  g_assert_null (passport_flow_get_error (f->flow));
  g_assert_null (ui_label (f, PAGE, "password-error"));
  g_assert_null (ui_label (f, PAGE, "new-password-hints"));
  g_assert_cmpstr (ui_text (f, PAGE, "current-password"), ==, "");
  g_assert_cmpstr (ui_text (f, PAGE, "new-password"), ==, "");
  g_assert_cmpstr (ui_text (f, PAGE, "repeat-new-password"), ==, "");
  g_assert_false (ui_enabled (f, PAGE, "change-password-button"));
  g_assert_nonnull (ui_label (f, PAGE, "password-changed"));
  g_assert_cmpuint (status_of_password_grant (f, NEW), ==, 200);
  g_assert_cmpuint (status_of_password_grant (f, OLD), ==, 400);
}

/* Sign Out asks first: Cancel keeps the session; confirmed, the app is
 * back on the sign-in choices and the new password signs in again. */
static void
test_sign_out (UiFixture     *f,
               gconstpointer  data)
{
  ui_make_account (f, EMAIL, OLD);
  ui_connect (f);
  pd_flow_sign_in_with_password (f->flow, EMAIL, OLD);
  ui_wait_for_page (f, PAGE, 10);

  ui_click (f, PAGE, "sign-out-button");
  adw_message_dialog_response (ui_find_dialog ("sign-out-dialog"), "cancel");
  ui_pump ();
  g_assert_cmpint (passport_flow_get_state (f->flow), ==, PASSPORT_FLOW_STATE_SIGNED_IN);
  g_assert_false (passport_flow_get_busy (f->flow));
  g_assert_cmpstr (ui_page_name (f), ==, PAGE);

  ui_click (f, PAGE, "sign-out-button");
  ui_shot_widget (GTK_WIDGET (ui_find_dialog ("sign-out-dialog")), "sign-out-dialog");
  adw_message_dialog_response (ui_find_dialog ("sign-out-dialog"), "sign-out");
  ui_wait_for_page (f, "sign-in-page", 20);
  g_assert_cmpint (passport_flow_get_state (f->flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);
  g_assert_null (passport_flow_get_account (f->flow));
  g_assert_null (passport_window_get_blocking_error (f->window));

  pd_flow_sign_in_with_password (f->flow, EMAIL, OLD);
  ui_wait_for_page (f, PAGE, 10);
}

/* The titles of the sign-in methods' rows. */
static gboolean
methods_have (UiFixture  *f,
              const char *title)
{
  GtkWidget *methods = ui_get (f, PAGE, "sign-in-methods");

  for (GtkWidget *row = gtk_widget_get_first_child (methods); row; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row) &&
        g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      return TRUE;
  return FALSE;
}

static GtkWidget *
method_row (UiFixture  *f,
            const char *title)
{
  GtkWidget *methods = ui_get (f, PAGE, "sign-in-methods");

  for (GtkWidget *row = gtk_widget_get_first_child (methods); row; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row) &&
        g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      return row;
  return NULL;
}

/* Chooses @provider to link and gives the password. */
static void
start_link (UiFixture  *f,
            const char *provider)
{
  GtkWindow *proof;

  ui_click (f, PAGE, "link-network-button");
  adw_message_dialog_response (ui_find_dialog ("link-network-dialog"), provider);
  proof = ui_wait_for_window ("proof-dialog", 5);
  gtk_editable_set_text (GTK_EDITABLE (ui_find (GTK_WIDGET (proof), "proof-password")), OLD);
  g_signal_emit_by_name (ui_find (GTK_WIDGET (proof), "proof-submit"), "clicked");
  PD_RUN_UNTIL (ui_find_window ("proof-dialog") == NULL, 20);
}

/* Links Google through the proof, the browser (the scripted one, signed in
 * there as @google_email) and the long poll. */
static void
link_google (UiFixture  *f,
             const char *google_email)
{
  pd_browser_as (google_email, "Ada at Google", TRUE, "continue");
  start_link (f, "google");
}

/* Linking when no browser can be opened: nothing claims one did; the link
 * is offered to copy and open by hand, and the outcome still comes. Then,
 * with a browser that never comes back: what to do and until when, and
 * Stop Waiting ends the wait. */
static void
test_link_without_browser (UiFixture     *f,
                           gconstpointer  data)
{
  g_autofree char *browser = g_strdup_printf ("/usr/bin/python3 %s", g_getenv ("SCRIPTED_BROWSER"));
  g_autofree char *copied = NULL;
  g_autoptr(GSubprocess) by_hand = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) until = NULL;
  const char *message;

  ui_make_account (f, EMAIL, OLD);
  ui_connect (f);
  pd_flow_sign_in_with_password (f->flow, EMAIL, OLD);
  ui_wait_for_page (f, PAGE, 10);

  passport_flow_set_browser_command (f->flow, "/nonexistent/passport-test-browser");
  start_link (f, "google");
  PD_RUN_UNTIL (g_strcmp0 (ui_label (f, PAGE, "methods-message"),
                           passport_error_code_describe (PASSPORT_ERROR_BROWSER_LAUNCH)) == 0, 10);
  g_assert_false (ui_shows_text (GTK_WIDGET (f->window), "has opened"));
  g_assert_true (gtk_widget_get_visible (ui_get (f, PAGE, "link-wait")));
  g_assert_true (gtk_widget_get_visible (ui_get (f, PAGE, "link-stop-button")));
  g_assert_true (ui_enabled (f, PAGE, "link-copy-button"));
  g_assert_false (ui_enabled (f, PAGE, "link-network-button"));
  /* Its buttons fit a phone's 360 px beside the page's margins. */
  {
    int minimum = 0;

    gtk_widget_measure (ui_get (f, PAGE, "link-wait"), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    g_assert_cmpint (minimum, <=, 300);
  }
  ui_shot (f, "account-link-no-browser");

  ui_click (f, PAGE, "link-copy-button");
  copied = ui_clipboard_text (f);
  g_assert_true (g_str_has_prefix (copied, f->server->url));
  g_assert_nonnull (strstr (copied, "/api/v1/identities/link?ticket="));
  g_assert_true (ui_shows_text (ui_get (f, PAGE, "link-copy-button"), "Link Copied"));

  /* Opened by hand: the outcome comes all the same. */
  pd_browser_as ("ada.google@example.com", "Ada at Google", TRUE, "continue");
  by_hand = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "/usr/bin/python3",
                              g_getenv ("SCRIPTED_BROWSER"), copied, NULL);
  g_assert_no_error (error);
  PD_RUN_UNTIL (g_strcmp0 (ui_label (f, PAGE, "methods-message"),
                           "Google is now linked to your account.") == 0, 30);
  PD_RUN_UNTIL (methods_have (f, "Google"), 10);
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "link-wait")));
  g_assert_true (ui_enabled (f, PAGE, "link-network-button"));

  /* A browser that opens and never comes back: the message says so only
   * now, with the time the link lapses; Stop Waiting ends the wait. */
  passport_flow_set_browser_command (f->flow, browser);
  pd_browser_as ("ada.yandex@example.com", "Ada at Yandex", TRUE, "ignore");
  start_link (f, "yandex");
  until = g_regex_new ("^Sign in with Yandex in the browser that has opened; the outcome is shown here\\. "
                       "The link works until [0-2][0-9]:[0-5][0-9]\\.$", 0, 0, NULL);
  PD_RUN_UNTIL ((message = ui_label (f, PAGE, "methods-message")) != NULL &&
                g_regex_match (until, message, 0, NULL), 10);
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "link-copy-button")));
  ui_click (f, PAGE, "link-stop-button");
  ui_pump ();
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "link-wait")));
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "methods-message")));
  g_assert_true (ui_enabled (f, PAGE, "link-network-button"));
  g_assert_false (methods_have (f, "Yandex"));
}

/* Linking another network (contract 10): asked with the password, signed
 * in to it in the browser, and the outcome shown when the long poll brings
 * it; a network account that belongs to another account is refused with
 * the reason; Unlink asks first. */
static void
test_link_network (UiFixture     *f,
                   gconstpointer  data)
{
  g_autofree char *other = pd_unique_email ("bob");
  g_autoptr(JsonObject) bob = NULL;

  ui_make_account (f, EMAIL, OLD);
  ui_connect (f);
  pd_flow_sign_in_with_password (f->flow, EMAIL, OLD);
  ui_wait_for_page (f, PAGE, 10);
  g_assert_true (gtk_widget_get_visible (ui_get (f, PAGE, "link-network-button")));
  g_assert_false (methods_have (f, "Google"));

  /* A Google account that already signs in to another account. */
  bob = pd_social_tokens (f->server, "google", other, "Bob", TRUE);
  link_google (f, other);
  PD_RUN_UNTIL (g_strcmp0 (ui_label (f, PAGE, "methods-message"),
                           passport_error_code_describe (PASSPORT_ERROR_IDENTITY_IN_USE)) == 0, 30);
  g_assert_false (methods_have (f, "Google"));

  /* Ada's own Google account: linked. */
  link_google (f, "ada.google@example.com");
  PD_RUN_UNTIL (g_strcmp0 (ui_label (f, PAGE, "methods-message"),
                           "Google is now linked to your account.") == 0, 30);
  PD_RUN_UNTIL (methods_have (f, "Google"), 10);
  ui_shot (f, "account-linked");
  /* Its address, and the day it was linked. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *today = g_date_time_format (now, "%-d %b %Y");
    g_autofree char *expected = g_strdup_printf ("ada.google@example.com · linked %s", today);

    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (method_row (f, "Google"))), ==, expected);
  }

  /* Unlink: asked first; Cancel keeps it. */
  g_signal_emit_by_name (ui_find (method_row (f, "Google"), "method-unlink"), "clicked");
  adw_message_dialog_response (ui_find_dialog ("unlink-network-dialog"), "cancel");
  ui_pump ();
  g_assert_true (methods_have (f, "Google"));
  g_signal_emit_by_name (ui_find (method_row (f, "Google"), "method-unlink"), "clicked");
  adw_message_dialog_response (ui_find_dialog ("unlink-network-dialog"), "unlink");
  PD_RUN_UNTIL (!methods_have (f, "Google"), 20);
  g_assert_cmpstr (ui_label (f, PAGE, "methods-message"), ==, "Google is unlinked.");
  g_assert_true (methods_have (f, "VK"));
}

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static const char *
window_label (GtkWindow  *window,
              const char *name)
{
  return gtk_label_get_label (GTK_LABEL (ui_find (GTK_WIDGET (window), name)));
}

/* Delete Account: asked with the password (a wrong one keeps the dialog
 * with the reason), then the account is gone at the server and here: the
 * sign-in page, nothing to restore, the address free for another. */
static void
test_delete_account (UiFixture     *f,
                     gconstpointer  data)
{
  g_autoptr(PassportMemoryStore) store = passport_memory_store_new ();
  GtkWindow *dialog;
  GtkWidget *field;

  /* A store the next start reads, to see what deletion left in it. */
  ui_restart (f, pd_flow_new_with_store (PASSPORT_CREDENTIAL_STORE (store)));
  ui_make_account (f, EMAIL, OLD);
  ui_connect (f);
  pd_flow_sign_in_with_password (f->flow, EMAIL, OLD);
  ui_wait_for_page (f, PAGE, 10);
  g_assert_true (gtk_widget_get_visible (ui_get (f, PAGE, "delete-account-group")));

  ui_click (f, PAGE, "delete-account-button");
  dialog = ui_wait_for_window ("delete-account-dialog", 5);
  field = ui_find (GTK_WIDGET (dialog), "proof-password");
  gtk_editable_set_text (GTK_EDITABLE (field), "not the password");
  g_signal_emit_by_name (ui_find (GTK_WIDGET (dialog), "proof-submit"), "clicked");
  PD_RUN_UNTIL (gtk_widget_get_visible (ui_find (GTK_WIDGET (dialog), "proof-error")), 20);
  g_assert_cmpstr (window_label (dialog, "proof-error"), ==, "The password is wrong.");
  g_assert_cmpuint (status_of_password_grant (f, OLD), ==, 200);
  ui_shot_widget (GTK_WIDGET (dialog), "delete-account-dialog");

  gtk_editable_set_text (GTK_EDITABLE (field), OLD);
  g_signal_emit_by_name (ui_find (GTK_WIDGET (dialog), "proof-submit"), "clicked");
  ui_wait_for_page (f, "sign-in-page", 20);
  PD_RUN_UNTIL (ui_find_window ("delete-account-dialog") == NULL, 5);
  g_assert_true (ui_shows_text (GTK_WIDGET (f->window), "Your account has been deleted."));
  g_assert_null (passport_flow_get_session (f->flow));
  /* Gone at the server: the password no longer signs in, and the address
   * can be bound by another account at once. */
  g_assert_cmpuint (status_of_password_grant (f, OLD), ==, 400);
  {
    g_autoptr(JsonObject) other = pd_account_with_password (f->server, "google", EMAIL, "Bob Example",
                                                            "another long password");

    g_assert_nonnull (other);
  }
  /* And here: nothing is left in the store for the next start. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(PassportSecret) secret = NULL;

    passport_credential_store_load_async (PASSPORT_CREDENTIAL_STORE (store),
                                          passport_flow_get_server_url (f->flow), NULL, NULL,
                                          keep_result, &result);
    PD_RUN_UNTIL (result != NULL, 5);
    secret = passport_credential_store_load_finish (PASSPORT_CREDENTIAL_STORE (store), result, NULL,
                                                    &error);
    g_assert_no_error (error);
    g_assert_null (secret);
  }
}

/* A server without it: no Delete Account. */
static void
test_delete_not_offered (UiFixture     *f,
                         gconstpointer  data)
{
  ui_use_server (f, "--features=-delete_account", NULL);
  ui_make_account (f, EMAIL, OLD);
  ui_connect (f);
  pd_flow_sign_in_with_password (f->flow, EMAIL, OLD);
  ui_wait_for_page (f, PAGE, 10);
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "delete-account-group")));
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/account-page/change-password", test_account_page);
  UI_TEST_ADD ("/account-page/sign-out", test_sign_out);
  UI_TEST_ADD ("/account-page/delete", test_delete_account);
  UI_TEST_ADD ("/account-page/link-network", test_link_network);
  UI_TEST_ADD ("/account-page/link-without-browser", test_link_without_browser);
  UI_TEST_ADD ("/account-page/delete-not-offered", test_delete_not_offered);
  return ui_run ();
}
