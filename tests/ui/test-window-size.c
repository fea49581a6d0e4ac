// SPDX-License-Identifier: GPL-3.0-or-later
//
// The window's size in GSettings (memory backend): what the user chose is
// kept; a width the content forced is not (finding 12: after a run in
// Russian, English opened 515 px wide).
#include "config.h"

#include "passport-window-size.h"
#include "ui-fixture.h"

static int
saved (GSettings  *settings,
       const char *key)
{
  return g_settings_get_int (settings, key);
}

static void
test_size (UiFixture     *f,
           gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.passportdesk.Passport");
  GtkWidget *page;

  g_settings_set_int (settings, "window-width", 360);
  g_settings_set_int (settings, "window-height", 640);
  passport_window_size_remember (GTK_WINDOW (f->window), settings);
  ui_pump ();

  /* Content that needs more than the chosen width (a longer language,
   * larger text) widens the window for this run only. */
  page = gtk_stack_get_visible_child (GTK_STACK (gtk_widget_get_parent (passport_window_get_page (f->window, "server-page"))));
  gtk_widget_set_size_request (page, 520, -1);
  ui_pump ();
  PD_RUN_UNTIL (gtk_widget_get_width (GTK_WIDGET (f->window)) >= 520, 5);
  gtk_window_close (GTK_WINDOW (f->window));
  ui_pump ();
  g_assert_cmpint (saved (settings, "window-width"), ==, 360);

  /* A width the user chose is kept. */
  ui_reopen (f);
  passport_window_size_remember (GTK_WINDOW (f->window), settings);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 600, 700);
  ui_pump ();
  gtk_window_close (GTK_WINDOW (f->window));
  ui_pump ();
  g_assert_cmpint (saved (settings, "window-width"), ==, 600);
  g_assert_cmpint (saved (settings, "window-height"), ==, 700);
  ui_reopen (f);
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/window-size/forced-width-not-saved", test_size);
  return ui_run ();
}
