// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "passport-account-page.h"
#include "passport-error.h"
#include "passport-bind-page.h"
#include "ui-fixture.h"

static GtkApplication *app;

void
ui_init (int    *argc,
         char ***argv)
{
  /* PASSPORT_LOCALEDIR + LANGUAGE: the same pages, translated. */
  if (g_getenv ("PASSPORT_LOCALEDIR") != NULL)
    {
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("PASSPORT_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

  gtk_test_init (argc, argv, NULL);
  adw_init ();

  /* PASSPORT_TEST_TEXT_SCALE=1.5: large text, as the desktop's text
   * scaling sets it (Xft/DPI). */
  if (g_getenv ("PASSPORT_TEST_TEXT_SCALE") != NULL)
    g_object_set (gtk_settings_get_default (), "gtk-xft-dpi",
                  (int) (96 * 1024 * g_ascii_strtod (g_getenv ("PASSPORT_TEST_TEXT_SCALE"), NULL)), NULL);

  /* The app's resource base path, so its icons are found as in the app. */
  app = g_object_new (ADW_TYPE_APPLICATION,
                      "application-id", "io.github.passportdesk.Passport.UiTest",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/io/github/passportdesk/Passport",
                      NULL);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
}

int
ui_run (void)
{
  int status = g_test_run ();

  g_clear_object (&app);
  return status;
}

void
ui_fixture_set_up (UiFixture     *f,
                   gconstpointer  data)
{
  f->server = pd_server_start ("--resend-delay", "30", NULL);
  f->flow = pd_flow_new ();
  f->window = passport_window_new (app, f->flow);
  gtk_window_present (GTK_WINDOW (f->window));
  ui_pump ();
}

void
ui_fixture_tear_down (UiFixture     *f,
                      gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_pump ();
  g_clear_object (&f->flow);
  g_clear_pointer (&f->server, pd_server_free);
}

void
ui_restart (UiFixture    *f,
            PassportFlow *flow)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  ui_pump ();
  g_clear_object (&f->flow);
  f->flow = flow;
  f->window = passport_window_new (app, f->flow);
  gtk_window_present (GTK_WINDOW (f->window));
  ui_pump ();
}

void
ui_use_server (UiFixture  *f,
               const char *first_arg,
               ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  g_assert_cmpint (passport_flow_get_state (f->flow), ==, PASSPORT_FLOW_STATE_NEEDS_SERVER);
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  g_clear_pointer (&f->server, pd_server_free);
  f->server = pd_server_startv ((const char * const *) args->pdata);
}

GSocket *
ui_silent_server (char **url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_socket_bind (socket, any_port, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (socket, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *url = g_strdup_printf ("http://127.0.0.1:%u",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  return socket;
}

void
ui_reopen (UiFixture *f)
{
  f->window = passport_window_new (app, f->flow);
  gtk_window_present (GTK_WINDOW (f->window));
  ui_pump ();
}

void
ui_connect (UiFixture *f)
{
  pd_flow_connect (f->flow, f->server);
  ui_wait_for_page (f, "sign-in-page", 10);
}

static gboolean
checking_strength (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);
      GtkWidget *page;

      if (!PASSPORT_IS_WINDOW (window))
        continue;
      page = passport_window_get_page (PASSPORT_WINDOW (window), "bind-page");
      if (page != NULL && passport_bind_page_get_checking (PASSPORT_BIND_PAGE (page)))
        return TRUE;
      page = passport_window_get_page (PASSPORT_WINDOW (window), "account-page");
      if (page != NULL && passport_account_page_get_checking (PASSPORT_ACCOUNT_PAGE (page)))
        return TRUE;
    }
  return FALSE;
}

static void
clipboard_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **text = user_data;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);
  if (*text == NULL)
    *text = g_strdup ("");
}

char *
ui_clipboard_text (UiFixture *f)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (GTK_WIDGET (f->window)), NULL, clipboard_read_cb,
                                 &text);
  PD_RUN_UNTIL (text != NULL, 5);
  return text;
}

void
ui_pump (void)
{
  /* Idles and bindings. */
  for (int i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  /* The strength checks, which run in a worker thread. */
  PD_RUN_UNTIL (!checking_strength (), 10);
  for (int i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

void
ui_wait_for_error (UiFixture *f,
                   int        code)
{
  PD_RUN_UNTIL (!passport_flow_get_busy (f->flow) && passport_flow_get_error (f->flow) != NULL, 20);
  if (!g_error_matches (passport_flow_get_error (f->flow), PASSPORT_ERROR, code))
    g_error ("the flow's error is %s, not code %d", passport_flow_get_error (f->flow)->message, code);
  ui_pump ();
}

const char *
ui_page_name (UiFixture *f)
{
  return passport_window_get_visible_page_name (f->window);
}

void
ui_wait_for_page (UiFixture  *f,
                  const char *page,
                  guint       seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while ((g_strcmp0 (ui_page_name (f), page) != 0 || passport_flow_get_busy (f->flow)) &&
         pd_run_once (deadline))
    ;
  if (g_strcmp0 (ui_page_name (f), page) != 0 || passport_flow_get_busy (f->flow))
    g_error ("%s is shown%s, not %s, after %u s (flow in %s)", ui_page_name (f),
             passport_flow_get_busy (f->flow) ? " and the flow is busy" : "", page, seconds,
             passport_flow_state_to_string (passport_flow_get_state (f->flow)));
  ui_pump ();
}

void
ui_wait_shown (UiFixture  *f,
               const char *page,
               guint       seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (g_strcmp0 (ui_page_name (f), page) != 0 && pd_run_once (deadline))
    ;
  if (g_strcmp0 (ui_page_name (f), page) != 0)
    g_error ("%s is shown, not %s, after %u s (flow in %s)", ui_page_name (f), page, seconds,
             passport_flow_state_to_string (passport_flow_get_state (f->flow)));
  ui_pump ();
}

GtkWidget *
ui_find (GtkWidget  *root,
         const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ui_find (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
ui_get (UiFixture  *f,
        const char *page,
        const char *name)
{
  GtkWidget *widget = ui_find (passport_window_get_page (f->window, page), name);

  if (widget == NULL)
    g_error ("no widget named %s on %s", name, page);
  return widget;
}

gboolean
ui_enabled (UiFixture  *f,
            const char *page,
            const char *name)
{
  ui_pump ();
  return gtk_widget_get_sensitive (ui_get (f, page, name));
}

void
ui_click (UiFixture  *f,
          const char *page,
          const char *name)
{
  GtkWidget *widget = ui_get (f, page, name);

  ui_pump ();
  if (!gtk_widget_get_sensitive (widget))
    g_error ("%s on %s is disabled", name, page);
  g_signal_emit_by_name (widget, "clicked");
  ui_pump ();
}

void
ui_type (UiFixture  *f,
         const char *page,
         const char *name,
         const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (ui_get (f, page, name)), text);
  ui_pump ();
}

const char *
ui_text (UiFixture  *f,
         const char *page,
         const char *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (ui_get (f, page, name)));
}

const char *
ui_label (UiFixture  *f,
          const char *page,
          const char *name)
{
  GtkWidget *label = ui_get (f, page, name);

  if (!gtk_widget_get_visible (label))
    return NULL;
  return gtk_label_get_label (GTK_LABEL (label));
}

gboolean
ui_shows_text (GtkWidget  *widget,
               const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (ui_shows_text (child, text))
      return TRUE;
  return FALSE;
}

gboolean
ui_focus_is_in (UiFixture  *f,
                const char *page,
                const char *name)
{
  GtkWidget *target = ui_get (f, page, name);
  GtkWidget *focus;

  ui_pump ();
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  return focus != NULL && (focus == target || gtk_widget_is_ancestor (focus, target));
}

GtkWindow *
ui_find_window (const char *name)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  ui_pump ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_widget_get_name (window), name) == 0 && gtk_widget_get_visible (window))
        return GTK_WINDOW (window);
    }
  return NULL;
}

GtkWindow *
ui_wait_for_window (const char *name,
                    guint       seconds)
{
  GtkWindow *window = NULL;

  PD_RUN_UNTIL ((window = ui_find_window (name)) != NULL, seconds);
  return window;
}

AdwMessageDialog *
ui_find_dialog (const char *name)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  ui_pump ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_widget_get_name (window), name) == 0 && gtk_widget_get_visible (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  g_error ("no dialog %s is open", name);
  return NULL;
}

void
ui_shot_widget (GtkWidget  *widget,
                const char *name)
{
  const char *dir = g_getenv ("PASSPORT_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  int width, height;

  if (dir == NULL)
    return;

  /* Let the crossfade of the stack finish and the frame settle. */
  for (gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC / 2; g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, FALSE);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  file = g_strdup_printf ("shot-%s.png", name);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

void
ui_shot (UiFixture  *f,
         const char *name)
{
  ui_shot_widget (GTK_WIDGET (f->window), name);
}

void
ui_check_new_password_form (UiFixture  *f,
                            const char *page,
                            const char *password,
                            const char *repeat,
                            const char *strength,
                            const char *hints,
                            const char *repeat_error,
                            const char *button,
                            const char *good)
{
  ui_type (f, page, password, "short");
  ui_type (f, page, repeat, "short");
  g_assert_false (ui_enabled (f, page, button));
  g_assert_cmpstr (ui_label (f, page, hints), ==, "Use at least 8 characters.");

  ui_type (f, page, password, good);
  g_assert_false (ui_enabled (f, page, button));
  g_assert_cmpstr (ui_label (f, page, repeat_error), ==, "The passwords do not match.");
  ui_type (f, page, repeat, good);
  g_assert_null (ui_label (f, page, repeat_error));
  g_assert_null (ui_label (f, page, hints));
  g_assert_cmpfloat (gtk_level_bar_get_value (GTK_LEVEL_BAR (ui_get (f, page, strength))), >, 0);
  g_assert_true (ui_enabled (f, page, button));
}

void
ui_to_terms (UiFixture  *f,
             const char *email)
{
  ui_connect (f);
  pd_flow_social_sign_in (f->flow, email, "Ivan Petrov", FALSE);
  ui_wait_for_page (f, "terms-page", 10);
}

void
ui_to_bind (UiFixture  *f,
            const char *email)
{
  ui_to_terms (f, email);
  pd_flow_accept_terms (f->flow);
  ui_wait_for_page (f, "bind-page", 10);
}

void
ui_make_account (UiFixture  *f,
                 const char *email,
                 const char *password)
{
  g_autoptr(JsonObject) tokens = pd_account_with_password (f->server, "vk", email, "Ada Lovelace", password);

  g_assert_nonnull (tokens);
}
