// SPDX-License-Identifier: GPL-3.0-or-later
//
// App passwords on the account page (contract 8.4) over the real flow and
// passportd: hidden on a server without them; created with a name and the
// password as proof (a wrong one keeps the proof dialog open with the
// reason), shown once in fours, working in the password grant without the
// second step of an account with two-step sign-in, listed with when it was
// last used, and revoked after a question, after which it no longer works.
#include "config.h"

#include "passport-error.h"
#include "ui-fixture.h"

#define PAGE "account-page"
#define EMAIL "ada@example.com"
#define PASSWORD "the first long password"

/* The open window named @name, or NULL. */
static GtkWindow *
find_window (const char *name)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_widget_get_name (window), name) == 0 && gtk_widget_get_visible (window))
        return GTK_WINDOW (window);
    }
  return NULL;
}

static GtkWindow *
wait_for_window (const char *name)
{
  PD_RUN_UNTIL (find_window (name) != NULL, 20);
  ui_pump ();
  return find_window (name);
}

/* The widget named @name in @window; fails the test when there is none. */
static GtkWidget *
in_window (GtkWindow  *window,
           const char *name)
{
  GtkWidget *widget = ui_find (GTK_WIDGET (window), name);

  if (widget == NULL)
    g_error ("no widget named %s in %s", name, gtk_widget_get_name (GTK_WIDGET (window)));
  return widget;
}

/* Presses the response button of @dialog that reads @label (libadwaita
 * holds each twice; either does it). */
static void
press_response (GtkWindow  *dialog,
                const char *label)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, dialog);
  while (stack->len > 0)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);

      if (GTK_IS_BUTTON (widget)
          && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
        {
          g_assert_true (gtk_widget_get_sensitive (widget));
          g_signal_emit_by_name (widget, "clicked");
          ui_pump ();
          return;
        }
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (stack, child);
    }
  g_error ("no response %s in %s", label, gtk_widget_get_name (GTK_WIDGET (dialog)));
}

/* The GtkText inside @widget (an entry row's field), or NULL. */
static GtkWidget *
find_text (GtkWidget *widget)
{
  if (GTK_IS_TEXT (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_text (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Enter in the entry row @entry, as the keyboard does it. */
static void
press_enter (GtkWidget *entry)
{
  GtkWidget *text = find_text (entry);

  g_assert_nonnull (text);
  g_signal_emit_by_name (text, "activate");
  ui_pump ();
}

static GtkWidget *
group (UiFixture *f)
{
  return ui_get (f, PAGE, "app-passwords-group");
}

/* The rows of the list named @name, in order. */
static GPtrArray *
rows_named (UiFixture  *f,
            const char *name)
{
  GPtrArray *rows = g_ptr_array_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (ui_get (f, PAGE, "app-passwords-list"));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), name) == 0)
      g_ptr_array_add (rows, row);
  return rows;
}

static gboolean
has_row (UiFixture  *f,
         const char *name)
{
  g_autoptr(GPtrArray) rows = rows_named (f, name);

  return rows->len > 0;
}

/* The subtitle of the one app password row, NULL without exactly one. */
static const char *
row_subtitle (UiFixture *f)
{
  g_autoptr(GPtrArray) rows = rows_named (f, "app-password-row");

  if (rows->len != 1)
    return NULL;
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (g_ptr_array_index (rows, 0)));
}

static guint
grant_status (UiFixture  *f,
              const char *password)
{
  g_autoptr(PdClient) client = pd_client_new (f->server);
  g_autoptr(PdResponse) response = pd_token_password (client, EMAIL, password);

  return response->status;
}

/* Scrolls the account page so that the group is in view, for the shots. */
static void
scroll_to_group (UiFixture *f)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (group (f), GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  double x = 0, y = 0;

  ui_pump ();
  g_assert_true (gtk_widget_translate_coordinates (group (f), content, 0, 0, &x, &y));
  gtk_adjustment_set_value (adjustment, y - 12);
  ui_pump ();
}

static JsonObject *
sign_in (UiFixture *f)
{
  JsonObject *tokens = pd_account_with_password (f->server, "vk", EMAIL, "Ada Lovelace", PASSWORD);

  g_assert_nonnull (tokens);
  ui_connect (f);
  pd_flow_sign_in_with_password (f->flow, EMAIL, PASSWORD);
  ui_wait_for_page (f, PAGE, 10);
  return tokens;
}

/* A server without the feature: no group at all. */
static void
test_hidden (UiFixture     *f,
             gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = NULL;

  ui_use_server (f, "--features=-app_passwords", NULL);
  tokens = sign_in (f);
  g_assert_false (gtk_widget_get_visible (group (f)));
  g_assert_false (gtk_widget_get_mapped (ui_get (f, PAGE, "app-passwords-list")));
}

static void
test_create_use_revoke (UiFixture     *f,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (f);
  const char *access = json_object_get_string_member (tokens, "access_token");
  g_autofree char *shown = NULL;
  g_autofree char *password = NULL;
  g_autofree char *too_long = NULL;
  g_autoptr(GString) long_name = g_string_new (NULL);
  GtkWindow *dialog;
  GtkWidget *name;
  GtkWidget *copy;
  GtkWidget *value;

  /* Two-step sign-in on (from another device): the password alone is no
   * longer enough in the password grant. */
  g_free (pd_enable_otp (f->server, access, PASSWORD, NULL));
  g_assert_cmpuint (grant_status (f, PASSWORD), ==, 403);

  /* Shown, and empty. */
  g_assert_true (gtk_widget_get_visible (group (f)));
  PD_RUN_UNTIL (has_row (f, "app-passwords-empty"), 10);
  g_assert_false (has_row (f, "app-password-row"));

  /* The name: 1–64 characters (counted in characters, not bytes). */
  ui_click (f, PAGE, "app-password-create");
  dialog = wait_for_window ("app-password-name-dialog");
  name = in_window (dialog, "app-password-name");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  for (int i = 0; i < 64; i++)
    g_string_append (long_name, "я");
  gtk_editable_set_text (GTK_EDITABLE (name), long_name->str);
  ui_pump ();
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  g_assert_false (gtk_widget_get_visible (in_window (dialog, "app-password-name-hint")));
  too_long = g_strconcat (long_name->str, "я", NULL);
  gtk_editable_set_text (GTK_EDITABLE (name), too_long);
  ui_pump ();
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  g_assert_true (gtk_widget_get_visible (in_window (dialog, "app-password-name-hint")));
  gtk_editable_set_text (GTK_EDITABLE (name), "   ");
  ui_pump ();
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  gtk_editable_set_text (GTK_EDITABLE (name), "Thunderbird");
  ui_pump ();
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  /* Enter goes on. */
  press_enter (name);
  PD_RUN_UNTIL (find_window ("app-password-name-dialog") == NULL, 5);

  /* The proof: a wrong password keeps the dialog open with the reason. */
  dialog = wait_for_window ("proof-dialog");
  gtk_editable_set_text (GTK_EDITABLE (in_window (dialog, "proof-password")), "not the password");
  ui_pump ();
  g_signal_emit_by_name (in_window (dialog, "proof-submit"), "clicked");
  PD_RUN_UNTIL (gtk_widget_get_visible (in_window (dialog, "proof-error")), 20);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (in_window (dialog, "proof-error"))), ==,
                   "The password is wrong.");
  g_assert_true (find_window ("proof-dialog") == dialog);
  g_assert_null (find_window ("app-password-created-dialog"));
  ui_shot_widget (GTK_WIDGET (dialog), "app-password-proof-wrong");

  /* The right one: the password, once, in fours. */
  gtk_editable_set_text (GTK_EDITABLE (in_window (dialog, "proof-password")), PASSWORD);
  ui_pump ();
  g_signal_emit_by_name (in_window (dialog, "proof-submit"), "clicked");
  dialog = wait_for_window ("app-password-created-dialog");
  g_assert_null (find_window ("proof-dialog"));
  value = in_window (dialog, "app-password-value");
  shown = g_strdup (gtk_label_get_label (GTK_LABEL (value)));
  g_assert_true (g_regex_match_simple ("^[a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4}$", shown, 0, 0));
  g_assert_true (gtk_label_get_selectable (GTK_LABEL (value)));
  g_assert_true (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), EMAIL) != NULL);
  {
    g_auto(GStrv) fours = g_strsplit (shown, " ", -1);

    password = g_strjoinv ("", fours);
  }
  g_assert_cmpuint (strlen (password), ==, 16);
  copy = in_window (dialog, "app-password-copy");
  g_signal_emit_by_name (copy, "clicked");
  ui_pump ();
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (copy)), ==, "Copied");
  ui_shot_widget (GTK_WIDGET (dialog), "app-password-created");

  /* Listed at once, never used yet. */
  PD_RUN_UNTIL (row_subtitle (f) != NULL && strstr (row_subtitle (f), "Last used never") != NULL,
                10);
  {
    g_autoptr(GPtrArray) rows = rows_named (f, "app-password-row");

    g_assert_cmpstr (adw_preferences_row_get_title (g_ptr_array_index (rows, 0)), ==,
                     "Thunderbird");
  }
  g_assert_false (has_row (f, "app-passwords-empty"));

  /* Done: the dialog goes, and the password with it. */
  press_response (dialog, "_Done");
  PD_RUN_UNTIL (find_window ("app-password-created-dialog") == NULL, 5);

  /* It works in the password grant and skips the second step; spaces and
   * case do not matter. */
  g_assert_cmpuint (grant_status (f, password), ==, 200);
  g_assert_cmpuint (grant_status (f, shown), ==, 200);
  g_assert_cmpuint (grant_status (f, PASSWORD), ==, 403);

  /* Reloaded (as when the page is shown again): used today. */
  gtk_widget_activate_action (group (f), "app-passwords.reload", NULL);
  PD_RUN_UNTIL (row_subtitle (f) != NULL && strstr (row_subtitle (f), "Last used never") == NULL,
                10);
  g_assert_true (g_str_has_prefix (row_subtitle (f), "Created "));
  g_assert_nonnull (strstr (row_subtitle (f), " · Last used "));

  /* Revoke asks; Cancel keeps it. */
  ui_click (f, PAGE, "app-password-revoke");
  dialog = wait_for_window ("app-password-revoke-dialog");
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Revoke “Thunderbird”?");
  ui_shot_widget (GTK_WIDGET (dialog), "app-password-revoke-dialog");
  press_response (dialog, "_Cancel");
  PD_RUN_UNTIL (find_window ("app-password-revoke-dialog") == NULL, 5);
  ui_pump ();
  g_assert_true (has_row (f, "app-password-row"));
  g_assert_cmpuint (grant_status (f, password), ==, 200);

  /* Revoked: gone from the list, and it no longer signs in. */
  ui_click (f, PAGE, "app-password-revoke");
  dialog = wait_for_window ("app-password-revoke-dialog");
  press_response (dialog, "_Revoke");
  PD_RUN_UNTIL (has_row (f, "app-passwords-empty"), 10);
  g_assert_false (has_row (f, "app-password-row"));
  g_assert_null (ui_label (f, PAGE, "app-passwords-message"));
  g_assert_cmpuint (grant_status (f, password), ==, 400);
}

/* The list fits a phone's 360 px with a long name and both dates, in the
 * language the test runs in (no English text is asserted here, so
 * LANGUAGE=ru PASSPORT_LOCALEDIR=build/po runs it in Russian): the window's
 * minimum width, and shot-360-<language>-app-passwords.png. */
static void
test_narrow (UiFixture     *f,
             gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (f);
  const char *access = json_object_get_string_member (tokens, "access_token");
  const char *language = g_getenv ("LANGUAGE");
  g_autoptr(PdClient) client = pd_client_new (f->server);
  g_autofree char *shot = NULL;
  int minimum = 0;

  for (guint i = 0; i < 2; i++)
    {
      const char *name = i == 0 ? "Thunderbird on the office laptop" : "Evolution";
      g_autofree char *body = pd_json_strings ("name", name, "password", PASSWORD, NULL);
      g_autoptr(PdResponse) created = pd_client_post_json (client, "/api/v1/me/app-passwords",
                                                           access, body);

      pd_assert_response (created, 201, NULL);
      if (i == 0)
        g_assert_cmpuint (grant_status (f, pd_response_string (created, "password")), ==, 200);
    }
  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 640);
  gtk_widget_activate_action (group (f), "app-passwords.reload", NULL);
  PD_RUN_UNTIL (has_row (f, "app-password-row"), 10);
  {
    g_autoptr(GPtrArray) rows = rows_named (f, "app-password-row");

    g_assert_cmpuint (rows->len, ==, 2);
  }
  scroll_to_group (f);
  shot = g_strdup_printf ("360-%s-app-passwords",
                          language != NULL && *language != '\0' ? language : "en");
  ui_shot (f, shot);
  gtk_widget_measure (GTK_WIDGET (f->window), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL,
                      NULL);
  g_assert_cmpint (minimum, <=, 360);
}

/* One revoked elsewhere meanwhile: said, and the list is brought up to
 * date. */
static void
test_revoked_elsewhere (UiFixture     *f,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (f);
  const char *access = json_object_get_string_member (tokens, "access_token");
  g_autoptr(PdClient) client = pd_client_new (f->server);
  g_autofree char *body = pd_json_strings ("name", "Mail", "password", PASSWORD, NULL);
  g_autoptr(PdResponse) created = pd_client_post_json (client, "/api/v1/me/app-passwords",
                                                       access, body);
  g_autoptr(PdResponse) deleted = NULL;
  g_autofree char *path = NULL;
  GtkWindow *dialog;

  pd_assert_response (created, 201, NULL);
  gtk_widget_activate_action (group (f), "app-passwords.reload", NULL);
  PD_RUN_UNTIL (has_row (f, "app-password-row"), 10);

  path = g_strdup_printf ("/api/v1/me/app-passwords/%s", pd_response_string (created, "id"));
  deleted = pd_client_delete (client, path, access);
  pd_assert_response (deleted, 204, NULL);

  ui_click (f, PAGE, "app-password-revoke");
  dialog = wait_for_window ("app-password-revoke-dialog");
  press_response (dialog, "_Revoke");
  PD_RUN_UNTIL (has_row (f, "app-passwords-empty"), 10);
  g_assert_cmpstr (ui_label (f, PAGE, "app-passwords-message"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_NOT_FOUND));
}

/* The list cannot be loaded: said in the list with Retry, which loads it
 * once the server is back. */
static void
test_load_error (UiFixture     *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) tokens = sign_in (f);
  PdServer *stopped = f->server;

  PD_RUN_UNTIL (has_row (f, "app-passwords-empty"), 10);
  pd_server_stop (f->server);
  gtk_widget_activate_action (group (f), "app-passwords.reload", NULL);
  PD_RUN_UNTIL (has_row (f, "app-passwords-error"), 60);
  g_assert_false (has_row (f, "app-passwords-empty"));
  g_assert_true (ui_enabled (f, PAGE, "app-passwords-retry"));

  /* The same server back (its database is in the stopped one's
   * directory, removed with it: freed last). */
  f->server = pd_server_restart (stopped);
  ui_click (f, PAGE, "app-passwords-retry");
  PD_RUN_UNTIL (has_row (f, "app-passwords-empty"), 30);
  g_assert_false (has_row (f, "app-passwords-error"));

  pd_server_stop (f->server);
  pd_server_free (stopped);
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/app-passwords/hidden", test_hidden);
  UI_TEST_ADD ("/app-passwords/create-use-revoke", test_create_use_revoke);
  UI_TEST_ADD ("/app-passwords/narrow", test_narrow);
  UI_TEST_ADD ("/app-passwords/revoked-elsewhere", test_revoked_elsewhere);
  UI_TEST_ADD ("/app-passwords/load-error", test_load_error);
  return ui_run ();
}
