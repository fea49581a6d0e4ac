// SPDX-License-Identifier: GPL-3.0-or-later
//
// The keyring's health before signing in, with the real gnome-keyring in a
// private D-Bus session (run-isolated.sh): its login collection locked over
// D-Bus, the window says so and offers Unlock; Unlock brings up the
// keyring's own password dialog (gcr-prompter, on this Xvfb display), the
// password is typed into it with xdotool as a user would, and the bar goes.
#include "config.h"

#include "passport-secret-store.h"
#include "ui-fixture.h"

#define LOGIN "/org/freedesktop/secrets/collection/login"
/* tests/support/run-isolated.sh creates the login keyring with it. */
#define KEYRING_PASSWORD "passport-test"

static void
lock_login_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  const char *objects[] = { LOGIN, NULL };
  g_autoptr(GVariant) reply = NULL;

  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "Lock",
                                       g_variant_new ("(^ao)", objects), NULL, G_DBUS_CALL_FLAGS_NONE,
                                       10000, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
bar_shown (UiFixture *f)
{
  GtkWidget *bar = ui_find (GTK_WIDGET (f->window), "keyring-bar");
  GtkWidget *revealer = gtk_widget_get_parent (bar);

  /* Revealed (its slide may still be running on a slow machine). */
  return GTK_IS_REVEALER (revealer) && gtk_widget_get_mapped (revealer) &&
         gtk_revealer_get_reveal_child (GTK_REVEALER (revealer));
}

/* Types into the keyring's password dialog once it is up, as a user would:
 * xdotool finds its window, types the password and Return. */
static void
answer_prompt_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_check_finish (G_SUBPROCESS (source), result, &error))
    g_error ("answering the keyring's dialog: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

static void
test_locked (UiFixture     *f,
             gconstpointer  data)
{
  g_autoptr(PassportSecretStore) store = passport_secret_store_new ();
  g_autoptr(GSubprocess) xdotool = NULL;
  g_autoptr(GError) error = NULL;
  gboolean answered = FALSE;
  const char *text;

  lock_login_keyring ();
  ui_restart (f, pd_flow_new_with_store (PASSPORT_CREDENTIAL_STORE (store)));
  ui_connect (f);
  PD_RUN_UNTIL (passport_flow_get_keyring_health (f->flow) == PASSPORT_KEYRING_LOCKED, 10);
  ui_pump ();
  g_assert_true (bar_shown (f));
  text = gtk_label_get_text (GTK_LABEL (ui_find (GTK_WIDGET (f->window), "keyring-bar-message")));
  g_assert_cmpstr (text, ==, passport_keyring_health_describe (PASSPORT_KEYRING_LOCKED));
  g_assert_true (g_str_has_prefix (text, "The keyring is locked."));
  g_assert_true (gtk_widget_get_visible (ui_find (GTK_WIDGET (f->window), "unlock-keyring-button")));
  ui_shot (f, "keyring-locked");

  /* Unlock: the keyring's own dialog asks; the password typed there. */
  g_signal_emit_by_name (ui_find (GTK_WIDGET (f->window), "unlock-keyring-button"), "clicked");
  g_assert_false (gtk_widget_is_sensitive (ui_find (GTK_WIDGET (f->window), "unlock-keyring-button")));
  xdotool = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "sh", "-c",
                              "w=$(xdotool search --sync --onlyvisible --name 'Unlock Login Keyring' | head -n1) && "
                              "xdotool windowfocus --sync \"$w\" && "
                              "xdotool type --delay 20 \"$0\" && xdotool key Return",
                              KEYRING_PASSWORD, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check_async (xdotool, NULL, answer_prompt_cb, &answered);
  PD_RUN_UNTIL (answered, 30);
  PD_RUN_UNTIL (passport_flow_get_keyring_health (f->flow) == PASSPORT_KEYRING_AVAILABLE, 30);
  ui_pump ();
  g_assert_false (bar_shown (f));
  g_assert_true (ui_shows_text (GTK_WIDGET (f->window), "The keyring is unlocked"));
  g_assert_true (passport_flow_get_remember (f->flow));
}

/* The locked keyring's bar at a phone's 360 px, in the language the test
 * runs in (ui-keyring-ru: Russian, the longer one): it says what it should,
 * its Unlock stays reachable, and the window is no wider than 360 px.
 * shot-keyring-locked-360-<language>.png. */
static void
test_locked_narrow (UiFixture     *f,
                    gconstpointer  data)
{
  g_autoptr(PassportSecretStore) store = passport_secret_store_new ();
  const char *language = g_getenv ("LANGUAGE");
  g_autofree char *shot = NULL;
  GtkWidget *unlock;
  int minimum = 0;

  lock_login_keyring ();
  ui_restart (f, pd_flow_new_with_store (PASSPORT_CREDENTIAL_STORE (store)));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 640);
  ui_connect (f);
  PD_RUN_UNTIL (passport_flow_get_keyring_health (f->flow) == PASSPORT_KEYRING_LOCKED, 10);
  ui_pump ();
  g_assert_true (bar_shown (f));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (ui_find (GTK_WIDGET (f->window), "keyring-bar-message"))), ==,
                   passport_keyring_health_describe (PASSPORT_KEYRING_LOCKED));
  unlock = ui_find (GTK_WIDGET (f->window), "unlock-keyring-button");
  /* Mapped and given room once the bar's slide has begun. */
  PD_RUN_UNTIL (gtk_widget_get_mapped (unlock) && gtk_widget_get_width (unlock) > 0, 5);
  gtk_widget_measure (GTK_WIDGET (f->window), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <=, 360);
  shot = g_strdup_printf ("keyring-locked-360-%s", language != NULL && *language != '\0' ? language : "en");
  ui_shot (f, shot);
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  g_test_add ("/keyring/locked-unlock", UiFixture, NULL, ui_fixture_set_up, test_locked, ui_fixture_tear_down);
  g_test_add ("/keyring/locked-narrow", UiFixture, NULL, ui_fixture_set_up, test_locked_narrow,
              ui_fixture_tear_down);
  return ui_run ();
}
