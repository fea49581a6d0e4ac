// SPDX-License-Identifier: GPL-3.0-or-later
//
// Several accounts in the app, over the real flow and passportd: the
// Accounts button, Add Account through the normal sign-in, switching,
// Disconnect (signed out, kept) of an account the window does not show,
// Remove (forgotten) of one it does, each asked first; the list follows.
#include "config.h"

#include <glib/gstdio.h>

#include "passport-memory-store.h"
#include "ui-fixture.h"

#define PASSWORD "the right long password"
/* The app's words in the language it runs in (the test runs in Russian
 * too, for the screenshots). */
#define T(text) g_dgettext (GETTEXT_PACKAGE, text)

static void
keep_result (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

typedef struct
{
  PassportCredentialStore *store;
  PassportAccounts *accounts;
  PassportFlow *flow;     /* the fixture's, which outlives this */
  char *dir;
} Accounts;

/* The fixture's window again, on a flow that keeps a list of accounts in
 * a private file, as the app's does. */
static Accounts *
use_accounts (UiFixture *f)
{
  Accounts *a = g_new0 (Accounts, 1);
  g_autofree char *path = NULL;
  GAsyncResult *result = NULL;
  PassportFlow *flow;

  a->dir = g_dir_make_tmp ("passport-accounts-XXXXXX", NULL);
  path = g_build_filename (a->dir, "accounts.ini", NULL);
  a->store = PASSPORT_CREDENTIAL_STORE (passport_memory_store_new ());
  a->accounts = passport_accounts_new (a->store, path);
  passport_accounts_load_async (a->accounts, NULL, keep_result, &result);
  PD_RUN_UNTIL (result != NULL, 5);
  g_assert_true (passport_accounts_load_finish (a->accounts, result, NULL));
  g_object_unref (result);
  flow = pd_flow_new_with_store (a->store);
  passport_flow_set_accounts (flow, a->accounts);
  ui_restart (f, flow);
  a->flow = flow;
  return a;
}

static void
accounts_free (Accounts *a)
{
  g_autofree char *path = g_build_filename (a->dir, "accounts.ini", NULL);
  GAsyncResult *result = NULL;

  /* Nothing more is written, and what was is on disk, before it goes. */
  passport_flow_set_accounts (a->flow, NULL);
  passport_accounts_flush_async (a->accounts, NULL, keep_result, &result);
  PD_RUN_UNTIL (result != NULL, 10);
  g_assert_true (passport_accounts_flush_finish (a->accounts, result, NULL));
  g_object_unref (result);
  g_clear_object (&a->accounts);
  g_clear_object (&a->store);
  g_unlink (path);
  g_rmdir (a->dir);
  g_free (a->dir);
  g_free (a);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Accounts, accounts_free)

static GtkWindow *
open_dialog (UiFixture *f)
{
  GtkWidget *button = ui_find (GTK_WIDGET (f->window), "accounts-button");

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_get_visible (button));
  g_signal_emit_by_name (button, "clicked");
  return ui_wait_for_window ("accounts-dialog", 5);
}

/* The row of the account titled @title, or NULL. */
static GtkWidget *
row_of (GtkWindow  *dialog,
        const char *title)
{
  GtkWidget *list = ui_find (GTK_WIDGET (dialog), "accounts-list");

  for (GtkWidget *row = gtk_widget_get_first_child (list); row; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row) &&
        g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      return row;
  return NULL;
}

/* The button of @row that does @action. */
static GtkWidget *
button_of (GtkWidget  *row,
           const char *action)
{
  GtkWidget *child = row;

  /* Depth-first over the row's children. */
  while (child != NULL)
    {
      if (GTK_IS_BUTTON (child) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action) == 0)
        return child;
      if (gtk_widget_get_first_child (child) != NULL)
        child = gtk_widget_get_first_child (child);
      else
        {
          while (child != row && gtk_widget_get_next_sibling (child) == NULL)
            child = gtk_widget_get_parent (child);
          child = child == row ? NULL : gtk_widget_get_next_sibling (child);
        }
    }
  return NULL;
}

/* Answers the confirmation as its button would: the answer, then closed. */
static void
respond (const char *response)
{
  AdwMessageDialog *dialog = ui_find_dialog ("remove-account-dialog");

  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
  ui_pump ();
}

/* "name · server · state", as a row of an account with an e-mail says it. */
static char *
row_subtitle (const char *name,
              const char *server_url,
              const char *state)
{
  g_autofree char *inner = g_strdup_printf (T ("%s · %s"), server_url, state);

  return g_strdup_printf (T ("%s · %s"), name, inner);
}

static PassportKnownAccount *
known (Accounts   *a,
       const char *email)
{
  return passport_accounts_find (a->accounts, NULL, email, NULL);
}

static char *
stored_secret (Accounts   *a,
               UiFixture  *f,
               const char *account_id)
{
  GAsyncResult *result = NULL;
  char *secret;

  passport_credential_store_load_async (a->store, passport_flow_get_server_url (f->flow), account_id, NULL,
                                        keep_result, &result);
  PD_RUN_UNTIL (result != NULL, 5);
  secret = passport_credential_store_load_finish (a->store, result, NULL, NULL);
  g_object_unref (result);
  return secret;
}

static void
test_accounts (UiFixture     *f,
               gconstpointer  data)
{
  g_autoptr(Accounts) a = use_accounts (f);
  g_autofree char *ada = pd_unique_email ("ada");
  g_autofree char *bob = pd_unique_email ("bob");
  g_autoptr(JsonObject) ada_tokens = pd_account_with_password (f->server, "vk", ada, "Ada Lovelace", PASSWORD);
  g_autoptr(JsonObject) bob_tokens = pd_account_with_password (f->server, "google", bob, "Bob Kahn", PASSWORD);
  g_autofree char *bob_id = NULL;
  g_autofree char *secret = NULL;
  GtkWindow *dialog;
  g_autofree char *signed_out = NULL;
  g_autofree char *subtitle = NULL;
  GtkWidget *row;

  ui_connect (f);
  pd_flow_sign_in_with_password (f->flow, ada, PASSWORD);
  ui_wait_for_page (f, "account-page", 20);
  PD_RUN_UNTIL (known (a, ada) != NULL, 5);
  g_assert_true (passport_known_account_get_active (known (a, ada)));

  /* Add Account: the sign-in page of the same server; the first stays. */
  dialog = open_dialog (f);
  g_assert_nonnull (row_of (dialog, ada));
  g_assert_nonnull (button_of (row_of (dialog, ada), "accounts.disconnect"));
  g_assert_nonnull (button_of (row_of (dialog, ada), "accounts.remove"));
  ui_shot_widget (GTK_WIDGET (dialog), "accounts-one");
  g_signal_emit_by_name (ui_find (GTK_WIDGET (dialog), "add-account-button"), "clicked");
  ui_wait_for_page (f, "sign-in-page", 10);
  g_assert_null (ui_find_window ("accounts-dialog"));
  pd_flow_sign_in_with_password (f->flow, bob, PASSWORD);
  ui_wait_for_page (f, "account-page", 20);
  PD_RUN_UNTIL (known (a, bob) != NULL && passport_known_account_get_active (known (a, bob)), 5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (a->accounts)), ==, 2);
  bob_id = g_strdup (passport_known_account_get_account_id (known (a, bob)));

  /* Both listed, Bob active, each with its server and state. */
  dialog = open_dialog (f);
  row = row_of (dialog, bob);
  g_assert_nonnull (row);
  /* The name too, which tells apart two accounts that had one address. */
  subtitle = row_subtitle ("Bob Kahn", passport_flow_get_server_url (f->flow), T ("Signed in"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, subtitle);
  ui_shot_widget (GTK_WIDGET (dialog), "accounts-two");
  /* A phone's 360 px, in any language: the rows wrap, nothing is cut. */
  {
    int minimum = 0;

    gtk_widget_measure (GTK_WIDGET (dialog), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    g_assert_cmpint (minimum, <=, 360);
    gtk_window_set_default_size (dialog, 360, 520);
    ui_pump ();
    ui_shot_widget (GTK_WIDGET (dialog), "accounts-360");
  }

  /* Switch to Ada: the window shows her account. */
  g_assert_true (gtk_widget_activate (row_of (dialog, ada)));
  PD_RUN_UNTIL (passport_flow_get_account (f->flow) != NULL &&
                g_strcmp0 (passport_account_get_email (passport_flow_get_account (f->flow)), ada) == 0 &&
                !passport_flow_get_busy (f->flow), 20);
  g_assert_cmpstr (ui_page_name (f), ==, "account-page");
  g_assert_true (passport_known_account_get_active (known (a, ada)));

  /* Disconnect Bob, whom the window does not show: signed out, kept. */
  dialog = open_dialog (f);
  row = row_of (dialog, bob);
  signed_out = g_strdup_printf (T ("%s is signed out on this device"), bob);
  g_signal_emit_by_name (button_of (row, "accounts.disconnect"), "clicked");
  PD_RUN_UNTIL (passport_known_account_get_state (known (a, bob)) == PASSPORT_KNOWN_ACCOUNT_NEEDS_SIGN_IN &&
                ui_shows_text (GTK_WIDGET (dialog), signed_out), 20);
  secret = stored_secret (a, f, bob_id);
  g_assert_null (secret);
  g_assert_cmpstr (passport_account_get_email (passport_flow_get_account (f->flow)), ==, ada);
  g_assert_cmpint (passport_flow_get_state (f->flow), ==, PASSPORT_FLOW_STATE_SIGNED_IN);
  row = row_of (dialog, bob);
  g_clear_pointer (&subtitle, g_free);
  subtitle = row_subtitle ("Bob Kahn", passport_flow_get_server_url (f->flow), T ("Signed out: sign in again"));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, subtitle);
  g_assert_null (button_of (row, "accounts.disconnect"));

  /* Remove Bob: asked first; Cancel keeps him. */
  g_signal_emit_by_name (button_of (row, "accounts.remove"), "clicked");
  respond ("cancel");
  g_assert_nonnull (known (a, bob));
  g_signal_emit_by_name (button_of (row_of (dialog, bob), "accounts.remove"), "clicked");
  respond ("remove");
  PD_RUN_UNTIL (known (a, bob) == NULL, 20);
  g_assert_null (row_of (dialog, bob));

  /* Remove Ada, whom the window shows: it signs out there too. */
  g_signal_emit_by_name (button_of (row_of (dialog, ada), "accounts.remove"), "clicked");
  respond ("remove");
  PD_RUN_UNTIL (known (a, ada) == NULL && passport_flow_get_state (f->flow) == PASSPORT_FLOW_STATE_SIGNED_OUT &&
                !passport_flow_get_busy (f->flow), 20);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (a->accounts)), ==, 0);
  g_assert_true (ui_shows_text (GTK_WIDGET (dialog), T ("No accounts yet")));
  gtk_window_close (dialog);
  ui_wait_for_page (f, "sign-in-page", 10);
}

/* An account deleted at the server leaves the list too: there is nothing
 * to sign in to again. */
static void
test_deleted (UiFixture     *f,
              gconstpointer  data)
{
  g_autoptr(Accounts) a = use_accounts (f);
  g_autofree char *ada = pd_unique_email ("ada");
  g_autoptr(JsonObject) tokens = pd_account_with_password (f->server, "vk", ada, "Ada Lovelace", PASSWORD);
  g_autoptr(GError) error = NULL;
  GAsyncResult *result = NULL;

  ui_connect (f);
  pd_flow_sign_in_with_password (f->flow, ada, PASSWORD);
  ui_wait_for_page (f, "account-page", 20);
  PD_RUN_UNTIL (known (a, ada) != NULL, 5);
  passport_flow_delete_account_async (f->flow, PASSPORT_PROOF_PASSWORD, PASSWORD, NULL, keep_result, &result);
  PD_RUN_UNTIL (result != NULL, 20);
  g_assert_true (passport_flow_delete_account_finish (f->flow, result, &error));
  g_assert_no_error (error);
  g_object_unref (result);
  g_assert_null (known (a, ada));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (a->accounts)), ==, 0);
}

/* Without a list of accounts (a flow of passportctl's kind), no button. */
static void
test_no_list (UiFixture     *f,
              gconstpointer  data)
{
  GtkWidget *button = ui_find (GTK_WIDGET (f->window), "accounts-button");

  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f->window), "window.show-accounts", NULL) &&
                  ui_find_window ("accounts-dialog") != NULL);
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  g_test_add ("/accounts/switch-disconnect-remove", UiFixture, NULL, ui_fixture_set_up, test_accounts,
              ui_fixture_tear_down);
  g_test_add ("/accounts/deleted", UiFixture, NULL, ui_fixture_set_up, test_deleted, ui_fixture_tear_down);
  g_test_add ("/accounts/no-list", UiFixture, NULL, ui_fixture_set_up, test_no_list, ui_fixture_tear_down);
  return ui_run ();
}
