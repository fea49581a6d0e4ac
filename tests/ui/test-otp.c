// SPDX-License-Identifier: GPL-3.0-or-later
//
// Two-step sign-in on the account page, over the real flow and passportd:
// turned on in the app (the proof, the QR code and the key, a wrong then a
// right first code computed here from the key the dialog shows, the
// recovery codes once with Save), what another device changes showing up,
// the warning when two or fewer recovery codes are left, a new set, and
// turning it off with a recovery code; hidden on a server without `otp`.
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "passport-error.h"
#include "ui-fixture.h"

#define PAGE "account-page"
#define PASSWORD "the right long password"
#define OTP_GRANT "urn:passport:params:oauth:grant-type:otp"

static const char *
row_subtitle (UiFixture  *f,
              const char *name)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (ui_get (f, PAGE, name)));
}

static const char *
window_label (GtkWindow  *window,
              const char *name)
{
  return gtk_label_get_label (GTK_LABEL (ui_find (GTK_WIDGET (window), name)));
}

static void
window_click (GtkWindow  *window,
              const char *name)
{
  GtkWidget *button = ui_find (GTK_WIDGET (window), name);

  ui_pump ();
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");
  ui_pump ();
}

static void
window_type (GtkWindow  *window,
             const char *name,
             const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (ui_find (GTK_WIDGET (window), name)), text);
  ui_pump ();
}

static gboolean
window_shows (GtkWindow  *window,
              const char *name)
{
  GtkWidget *widget = ui_find (GTK_WIDGET (window), name);

  return gtk_widget_get_mapped (widget);
}

/* Signed in with the password; the account page shown. The tokens of
 * another device of the same account through @tokens. */
static void
sign_in (UiFixture   *f,
         char       **email,
         JsonObject **tokens)
{
  *email = pd_unique_email ("ada");
  *tokens = pd_account_with_password (f->server, "vk", *email, "Ada Lovelace", PASSWORD);
  ui_connect (f);
  pd_flow_sign_in_with_password (f->flow, *email, PASSWORD);
  ui_wait_for_page (f, PAGE, 20);
}

static gboolean
is_recovery_code (const char *code)
{
  g_autoptr(GRegex) regex = g_regex_new ("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}-"
                                         "[BCDFGHJKLMNPQRSTVWXZ]{4}$", 0, 0, NULL);

  return g_regex_match (regex, code, 0, NULL);
}

static void
test_turn_on (UiFixture     *f,
              gconstpointer  data)
{
  g_autofree char *email = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  g_autoptr(PdClient) client = pd_client_new (f->server);
  g_autofree char *save_dir = g_dir_make_tmp ("passport-otp-XXXXXX", NULL);
  g_autofree char *save_path = g_build_filename (save_dir, "codes.txt", NULL);
  g_autofree char *saved = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *code = NULL;
  g_auto(GStrv) codes = NULL;
  GtkWindow *proof;
  GtkWindow *dialog;
  GdkPaintable *qr;
  GStatBuf st;

  sign_in (f, &email, &tokens);
  g_assert_true (gtk_widget_get_visible (ui_get (f, PAGE, "otp-group")));
  g_assert_cmpstr (row_subtitle (f, "otp-status"), ==, "Off");
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "otp-turn-off")));
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "otp-codes")));

  /* The proof: a wrong password is said there and the dialog stays. */
  ui_click (f, PAGE, "otp-turn-on");
  proof = ui_wait_for_window ("proof-dialog", 5);
  g_assert_true (window_shows (proof, "proof-password"));
  g_assert_false (window_shows (proof, "proof-code"));
  g_assert_false (gtk_widget_is_sensitive (ui_find (GTK_WIDGET (proof), "proof-submit")));
  window_type (proof, "proof-password", "not the password");
  window_click (proof, "proof-submit");
  PD_RUN_UNTIL (window_shows (proof, "proof-error"), 20);
  g_assert_cmpstr (window_label (proof, "proof-error"), ==, "The password is wrong.");
  g_assert_true (ui_find_window ("proof-dialog") == proof);
  g_assert_null (ui_find_window ("otp-dialog"));

  window_type (proof, "proof-password", PASSWORD);
  window_click (proof, "proof-submit");
  dialog = ui_wait_for_window ("otp-dialog", 20);
  PD_RUN_UNTIL (ui_find_window ("proof-dialog") == NULL, 5);

  /* The QR code and the key as text, in fours. */
  qr = gtk_picture_get_paintable (GTK_PICTURE (ui_find (GTK_WIDGET (dialog), "otp-qr")));
  g_assert_nonnull (qr);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (qr), >=, 100);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (qr), <=, 330);
  secret = g_strdup (window_label (dialog, "otp-secret"));
  g_assert_nonnull (strchr (secret, ' '));
  {
    g_autoptr(GString) plain = g_string_new (NULL);

    for (const char *p = secret; *p; p++)
      if (*p != ' ')
        g_string_append_c (plain, *p);
    g_free (secret);
    secret = g_string_free (g_steal_pointer (&plain), FALSE);
  }
  g_assert_cmpuint (strlen (secret), ==, 32);
  g_assert_true (g_str_has_prefix (window_label (dialog, "otp-lapses"), "Enter a code within "));
  g_assert_false (gtk_widget_is_sensitive (ui_find (GTK_WIDGET (dialog), "otp-confirm")));
  ui_shot_widget (GTK_WIDGET (dialog), "otp-setup");
  /* It fits a phone's 360 px, QR code and all. */
  {
    int minimum = 0;

    gtk_widget_measure (GTK_WIDGET (dialog), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    g_assert_cmpint (minimum, <=, 360);
  }

  /* A wrong first code: said, and the field is emptied for the next. */
  window_type (dialog, "otp-confirm-code", "000 000");
  window_click (dialog, "otp-confirm");
  PD_RUN_UNTIL (window_shows (dialog, "otp-confirm-error"), 20);
  g_assert_cmpstr (window_label (dialog, "otp-confirm-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_INVALID_OTP));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ui_find (GTK_WIDGET (dialog), "otp-confirm-code"))),
                   ==, "");

  /* The right one, from the key the dialog shows. */
  code = pd_totp_code (secret, pd_server_align_step (f->server, client));
  window_type (dialog, "otp-confirm-code", code);
  window_click (dialog, "otp-confirm");
  PD_RUN_UNTIL (window_shows (dialog, "otp-recovery-codes"), 20);
  codes = g_strsplit (window_label (dialog, "otp-recovery-codes"), "\n", -1);
  g_assert_cmpuint (g_strv_length (codes), ==, 10);
  for (guint i = 0; codes[i] != NULL; i++)
    g_assert_true (is_recovery_code (codes[i]));
  ui_shot_widget (GTK_WIDGET (dialog), "otp-codes");
  {
    int minimum = 0;

    gtk_widget_measure (GTK_WIDGET (dialog), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
    g_assert_cmpint (minimum, <=, 360);
  }

  /* Saved for the user only. */
  g_setenv ("PASSPORT_TEST_SAVE_PATH", save_path, TRUE);
  window_click (dialog, "otp-codes-save");
  PD_RUN_UNTIL (window_shows (dialog, "otp-codes-saved"), 10);
  g_unsetenv ("PASSPORT_TEST_SAVE_PATH");
  g_assert_true (g_file_get_contents (save_path, &saved, NULL, NULL));
  {
    g_autofree char *joined = g_strjoinv ("\n", codes);
    g_autofree char *expected = g_strconcat (joined, "\n", NULL);

    g_assert_cmpstr (saved, ==, expected);
  }
  g_assert_cmpint (g_stat (save_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Done: the page says it is on, from the account the long poll brings. */
  window_click (dialog, "otp-codes-done");
  PD_RUN_UNTIL (ui_find_window ("otp-dialog") == NULL, 5);
  PD_RUN_UNTIL (passport_account_get_otp_enabled (passport_flow_get_account (f->flow)), 20);
  ui_pump ();
  g_assert_cmpstr (row_subtitle (f, "otp-status"), ==, "On · 10 recovery codes left");
  g_assert_true (gtk_widget_get_visible (ui_get (f, PAGE, "otp-turn-off")));
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "otp-turn-on")));
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "otp-codes-low")));
  ui_shot (f, "account-otp-on");

  /* The password alone no longer signs in. */
  {
    g_autoptr(PdResponse) r = pd_token_password (client, email, PASSWORD);

    g_assert_cmpuint (r->status, ==, 403);
  }

  g_unlink (save_path);
  g_rmdir (save_dir);
}

/* Signs in elsewhere with a recovery code (the otp grant). */
static void
use_recovery_code (PdClient   *client,
                   const char *email,
                   const char *code)
{
  g_autoptr(PdResponse) first = pd_token_password (client, email, PASSWORD);
  g_autoptr(PdResponse) second = NULL;
  const char *token;

  g_assert_cmpuint (first->status, ==, 403);
  token = pd_response_string (first, "mfa_token");
  second = pd_client_post_form (client, "/oauth/token", NULL, "grant_type", OTP_GRANT,
                                "client_id", PD_CLIENT_ID, "mfa_token", token,
                                "recovery_code", code, NULL);
  g_assert_cmpuint (second->status, ==, 200);
}

static void
test_codes_and_off (UiFixture     *f,
                    gconstpointer  data)
{
  g_autofree char *email = NULL;
  g_autoptr(JsonObject) tokens = NULL;
  g_autoptr(PdClient) client = pd_client_new (f->server);
  g_autofree char *secret = NULL;
  g_auto(GStrv) recovery = NULL;
  g_auto(GStrv) fresh = NULL;
  GtkWindow *proof;
  GtkWindow *dialog;

  sign_in (f, &email, &tokens);

  /* Turned on from another device: the page follows once the account is
   * read again (what the page does when the window comes to the front;
   * Xvfb has no window manager to move the focus away and back). */
  secret = pd_enable_otp (f->server, json_object_get_string_member (tokens, "access_token"),
                          PASSWORD, &recovery);
  passport_flow_reload_account_async (f->flow, NULL, NULL, NULL);
  PD_RUN_UNTIL (g_strcmp0 (row_subtitle (f, "otp-status"), "On · 10 recovery codes left") == 0, 20);

  /* Eight used elsewhere: two left, and the page says to get a new set. */
  for (guint i = 0; i < 8; i++)
    use_recovery_code (client, email, recovery[i]);
  passport_flow_reload_account_async (f->flow, NULL, NULL, NULL);
  PD_RUN_UNTIL (gtk_widget_get_visible (ui_get (f, PAGE, "otp-codes-low")), 20);
  g_assert_cmpstr (row_subtitle (f, "otp-status"), ==, "On · 2 recovery codes left");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (ui_get (f, PAGE, "otp-codes-low"))),
                   ==, "Only 2 recovery codes left");
  ui_shot (f, "account-otp-low");

  /* A new set, with a code as the proof instead of the password. */
  ui_click (f, PAGE, "otp-codes-low-new");
  proof = ui_wait_for_window ("proof-dialog", 5);
  window_click (proof, "proof-use-code");
  g_assert_true (window_shows (proof, "proof-code"));
  g_assert_false (window_shows (proof, "proof-password"));
  {
    g_autofree char *code = pd_totp_code (secret, pd_server_align_step (f->server, client));

    window_type (proof, "proof-code", code);
  }
  window_click (proof, "proof-submit");
  dialog = ui_wait_for_window ("otp-dialog", 20);
  fresh = g_strsplit (window_label (dialog, "otp-recovery-codes"), "\n", -1);
  g_assert_cmpuint (g_strv_length (fresh), ==, 10);
  window_click (dialog, "otp-codes-done");
  PD_RUN_UNTIL (g_strcmp0 (row_subtitle (f, "otp-status"), "On · 10 recovery codes left") == 0, 20);
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "otp-codes-low")));

  /* Turned off with a recovery code: an old one is refused, a new one works. */
  ui_click (f, PAGE, "otp-turn-off");
  proof = ui_wait_for_window ("proof-dialog", 5);
  window_click (proof, "proof-use-code");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (ui_find (GTK_WIDGET (proof), "proof-use-recovery-code")),
                               TRUE);
  window_type (proof, "proof-code", recovery[9]);
  window_click (proof, "proof-submit");
  PD_RUN_UNTIL (window_shows (proof, "proof-error"), 20);
  g_assert_cmpstr (window_label (proof, "proof-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_INVALID_OTP));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ui_find (GTK_WIDGET (proof), "proof-code"))), ==, "");
  window_type (proof, "proof-code", fresh[0]);
  window_click (proof, "proof-submit");
  PD_RUN_UNTIL (ui_find_window ("proof-dialog") == NULL, 20);
  PD_RUN_UNTIL (g_strcmp0 (row_subtitle (f, "otp-status"), "Off") == 0, 20);
  {
    g_autoptr(PdResponse) r = pd_token_password (client, email, PASSWORD);

    g_assert_cmpuint (r->status, ==, 200);
  }
}

/* A server without two-step sign-in: nothing of it on the page. */
static void
test_not_offered (UiFixture     *f,
                  gconstpointer  data)
{
  g_autofree char *email = NULL;
  g_autoptr(JsonObject) tokens = NULL;

  ui_use_server (f, "--features=-otp", NULL);
  sign_in (f, &email, &tokens);
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "otp-group")));
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/otp/turn-on", test_turn_on);
  UI_TEST_ADD ("/otp/codes-and-off", test_codes_and_off);
  UI_TEST_ADD ("/otp/not-offered", test_not_offered);
  return ui_run ();
}
