// SPDX-License-Identifier: GPL-3.0-or-later
//
// Devices on the account page, over the real flow and passportd: the app's
// own session named by the device name it sent, this device first, another
// device signed out after asking, then all others; hidden on a server
// without `sessions`.
#include "config.h"

#include "passport-error.h"
#include "ui-fixture.h"

#define PAGE "account-page"
#define PASSWORD "the right long password"
#define THIS_DEVICE "qa-desktop (Test OS 1)"
#define PHONE "ada-phone (Android 14)"

/* The titles of the rows of the Devices list, in order. */
static GPtrArray *
rows (UiFixture *f)
{
  GtkWidget *list = ui_get (f, PAGE, "sessions-list");
  GPtrArray *titles = g_ptr_array_new ();

  for (GtkWidget *row = gtk_widget_get_first_child (list); row; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row))
      g_ptr_array_add (titles, (gpointer) adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)));
  return titles;
}

static guint
n_rows (UiFixture *f)
{
  g_autoptr(GPtrArray) titles = rows (f);

  return titles->len;
}

static GtkWidget *
row_titled (UiFixture  *f,
            const char *title)
{
  GtkWidget *list = ui_get (f, PAGE, "sessions-list");

  for (GtkWidget *row = gtk_widget_get_first_child (list); row; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row) &&
        g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      return row;
  return NULL;
}

/* A password grant from another device, as its app would sign in. */
static char *
sign_in_elsewhere (UiFixture  *f,
                   const char *email,
                   const char *device_name)
{
  g_autoptr(PdClient) client = pd_client_new (f->server);
  g_autoptr(PdResponse) r =
    pd_client_post_form (client, "/oauth/token", NULL, "grant_type", "password",
                         "client_id", PD_CLIENT_ID, "username", email, "password", PASSWORD,
                         "scope", "openid profile email passport", "device_name", device_name, NULL);

  g_assert_cmpuint (r->status, ==, 200);
  return g_strdup (pd_response_string (r, "refresh_token"));
}

static guint
refresh_status (UiFixture  *f,
                const char *refresh_token)
{
  g_autoptr(PdClient) client = pd_client_new (f->server);
  g_autoptr(PdResponse) r = pd_token_refresh (client, refresh_token);

  return r->status;
}

static void
test_devices (UiFixture     *f,
              gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ada");
  g_autoptr(JsonObject) social = pd_account_with_password (f->server, "vk", email, "Ada Lovelace",
                                                           PASSWORD);
  g_autofree char *phone = NULL;
  g_autoptr(GPtrArray) titles = NULL;
  GtkWidget *current;
  GtkWidget *phone_row;

  /* This device's name, as sent with the sign-in. */
  g_setenv ("PASSPORT_DEVICE_NAME", THIS_DEVICE, TRUE);
  ui_connect (f);
  g_unsetenv ("PASSPORT_DEVICE_NAME");
  phone = sign_in_elsewhere (f, email, PHONE);
  pd_flow_sign_in_with_password (f->flow, email, PASSWORD);
  ui_wait_for_page (f, PAGE, 20);

  g_assert_true (gtk_widget_get_visible (ui_get (f, PAGE, "sessions-group")));
  PD_RUN_UNTIL (n_rows (f) == 3, 20);
  titles = rows (f);
  /* This device first, whatever the order of last use. */
  g_assert_cmpstr (g_ptr_array_index (titles, 0), ==, THIS_DEVICE);
  current = row_titled (f, THIS_DEVICE);
  g_assert_cmpstr (gtk_widget_get_name (current), ==, "session-row-current");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (current)),
                                   "This device · 127.0.0.1 · signed in with e-mail and password"));
  g_assert_null (ui_find (current, "session-sign-out"));
  phone_row = row_titled (f, PHONE);
  g_assert_nonnull (phone_row);
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (phone_row)), "Last used "));
  ui_shot (f, "account-devices");

  /* One other device, asked first: Cancel keeps it. */
  g_signal_emit_by_name (ui_find (phone_row, "session-sign-out"), "clicked");
  adw_message_dialog_response (ui_find_dialog ("session-sign-out-dialog"), "cancel");
  ui_pump ();
  g_assert_cmpuint (refresh_status (f, phone), ==, 200);
  g_free (phone);
  phone = NULL;
  /* (the refresh rotated it: the phone's newest token is asked again) */
  phone = sign_in_elsewhere (f, email, PHONE);
  ui_click (f, PAGE, "sessions-sign-out-others");
  adw_message_dialog_response (ui_find_dialog ("sessions-sign-out-others-dialog"), "cancel");
  ui_pump ();
  g_assert_cmpuint (refresh_status (f, phone), ==, 200);
}

static void
test_sign_out_others (UiFixture     *f,
                      gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ada");
  g_autoptr(JsonObject) social = pd_account_with_password (f->server, "vk", email, "Ada Lovelace",
                                                           PASSWORD);
  g_autofree char *phone = NULL;
  g_autofree char *tablet = NULL;
  GtkWidget *phone_row;

  ui_connect (f);
  phone = sign_in_elsewhere (f, email, PHONE);
  tablet = sign_in_elsewhere (f, email, "ada-tablet (iPadOS 17)");
  pd_flow_sign_in_with_password (f->flow, email, PASSWORD);
  ui_wait_for_page (f, PAGE, 20);
  PD_RUN_UNTIL (n_rows (f) == 4, 20);

  /* One device: asked, then signed out there. */
  phone_row = row_titled (f, PHONE);
  g_signal_emit_by_name (ui_find (phone_row, "session-sign-out"), "clicked");
  adw_message_dialog_response (ui_find_dialog ("session-sign-out-dialog"), "sign-out");
  PD_RUN_UNTIL (n_rows (f) == 3 && row_titled (f, PHONE) == NULL, 20);
  g_assert_cmpstr (ui_label (f, PAGE, "sessions-message"), ==, "Signed out on that device.");
  g_assert_cmpuint (refresh_status (f, phone), ==, 400);
  g_assert_cmpuint (refresh_status (f, tablet), ==, 200);

  /* All the others: the tablet and the social sign-in of the set-up. */
  ui_click (f, PAGE, "sessions-sign-out-others");
  adw_message_dialog_response (ui_find_dialog ("sessions-sign-out-others-dialog"), "sign-out");
  PD_RUN_UNTIL (n_rows (f) == 1, 20);
  g_assert_cmpstr (ui_label (f, PAGE, "sessions-message"), ==, "Signed out on 2 other devices.");
  g_assert_false (ui_enabled (f, PAGE, "sessions-sign-out-others"));
  g_assert_cmpuint (refresh_status (f, json_object_get_string_member (social, "refresh_token")), ==, 400);
  /* This device is still signed in. */
  g_assert_cmpint (passport_flow_get_state (f->flow), ==, PASSPORT_FLOW_STATE_SIGNED_IN);
}

/* Signed out from another device: the app notices when it reads the
 * account again (the window coming to the front), and says why. */
static void
test_revoked_elsewhere (UiFixture     *f,
                        gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ada");
  g_autoptr(JsonObject) social = pd_account_with_password (f->server, "vk", email, "Ada Lovelace",
                                                           PASSWORD);
  g_autoptr(PdClient) client = pd_client_new (f->server);
  g_autoptr(PdResponse) r = NULL;

  ui_connect (f);
  pd_flow_sign_in_with_password (f->flow, email, PASSWORD);
  ui_wait_for_page (f, PAGE, 20);

  r = pd_client_send (client, "DELETE", "/api/v1/me/sessions?others=true",
                      json_object_get_string_member (social, "access_token"), NULL, NULL, NULL);
  g_assert_cmpuint (r->status, ==, 200);
  passport_flow_reload_account_async (f->flow, NULL, NULL, NULL);
  ui_wait_for_page (f, "sign-in-page", 20);
  g_assert_cmpint (passport_flow_get_state (f->flow), ==, PASSPORT_FLOW_STATE_SIGNED_OUT);
  g_assert_cmpstr (ui_label (f, "sign-in-page", "sign-in-page-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_SESSION_EXPIRED));
}

/* A server without sessions: no Devices. */
static void
test_not_offered (UiFixture     *f,
                  gconstpointer  data)
{
  g_autofree char *email = pd_unique_email ("ada");
  g_autoptr(JsonObject) social = NULL;

  ui_use_server (f, "--features=-sessions", NULL);
  social = pd_account_with_password (f->server, "vk", email, "Ada Lovelace", PASSWORD);
  ui_connect (f);
  pd_flow_sign_in_with_password (f->flow, email, PASSWORD);
  ui_wait_for_page (f, PAGE, 20);
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "sessions-group")));
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/sessions/devices", test_devices);
  UI_TEST_ADD ("/sessions/sign-out-others", test_sign_out_others);
  UI_TEST_ADD ("/sessions/revoked-elsewhere", test_revoked_elsewhere);
  UI_TEST_ADD ("/sessions/not-offered", test_not_offered);
  return ui_run ();
}
