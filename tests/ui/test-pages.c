// SPDX-License-Identifier: GPL-3.0-or-later
//
// In-process UI tests: a real PassportWindow with all its pages, driven by a
// fake flow whose state the test sets. Checks which page is visible, what
// each page shows for each state and error, which buttons are enabled, and
// that each button calls the right flow method.
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "fake-flow.h"
#include "passport-account-page.h"
#include "passport-bind-page.h"
#include "passport-conflict-page.h"
#include "passport-error.h"
#include "passport-server-private.h"
#include "passport-sign-in-page.h"
#include "passport-window.h"

#define SERVER_URL "http://127.0.0.1:8765"
#define REMOTE_URL "https://passport.example.com"

/* A network monitor whose availability the test sets. */
#define FAKE_TYPE_MONITOR (fake_monitor_get_type ())
G_DECLARE_FINAL_TYPE (FakeMonitor, fake_monitor, FAKE, MONITOR, GObject)

struct _FakeMonitor
{
  GObject  parent_instance;
  gboolean available;
};

static void fake_monitor_initable_iface_init (GInitableIface *iface);
static void fake_monitor_iface_init (GNetworkMonitorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FakeMonitor, fake_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, fake_monitor_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, fake_monitor_iface_init))

enum { MONITOR_PROP_0, MONITOR_PROP_AVAILABLE, MONITOR_PROP_METERED, MONITOR_PROP_CONNECTIVITY };

static gboolean
fake_monitor_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
fake_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = fake_monitor_initable_init;
}

static void
fake_monitor_iface_init (GNetworkMonitorInterface *iface)
{
}

static void
fake_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FakeMonitor *self = FAKE_MONITOR (object);

  switch (prop_id)
    {
    case MONITOR_PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case MONITOR_PROP_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case MONITOR_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fake_monitor_class_init (FakeMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = fake_monitor_get_property;
  g_object_class_override_property (object_class, MONITOR_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MONITOR_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MONITOR_PROP_CONNECTIVITY, "connectivity");
}

static void
fake_monitor_init (FakeMonitor *self)
{
  self->available = TRUE;
}

static void
fake_monitor_set_available (FakeMonitor *self, gboolean available)
{
  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
}

static GtkApplication *app;

typedef struct
{
  PassportFlow   *flow;
  PassportWindow *window;
} Fixture;

static void
pump (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gboolean checking;

  /* Let idles and bindings run. */
  for (int i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;

  /* And the bind page's strength check, which runs in a worker thread. */
  do
    {
      checking = FALSE;
      for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
        {
          g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);
          GtkWidget *page = PASSPORT_IS_WINDOW (window)
                              ? passport_window_get_page (PASSPORT_WINDOW (window), "bind-page") : NULL;

          if (page != NULL && passport_bind_page_get_checking (PASSPORT_BIND_PAGE (page)))
            checking = TRUE;
          page = PASSPORT_IS_WINDOW (window)
                   ? passport_window_get_page (PASSPORT_WINDOW (window), "account-page") : NULL;
          if (page != NULL && passport_account_page_get_checking (PASSPORT_ACCOUNT_PAGE (page)))
            checking = TRUE;
        }
      if (checking)
        g_main_context_iteration (NULL, TRUE);
    }
  while (checking && g_get_monotonic_time () < deadline);
  for (int i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static GtkWidget *
find (GtkWidget  *root,
      const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_in_page (Fixture    *f,
              const char *page,
              const char *name)
{
  GtkWidget *widget = find (passport_window_get_page (f->window, page), name);

  if (widget == NULL)
    g_error ("no widget named %s on %s", name, page);
  return widget;
}

static gboolean
enabled (Fixture    *f,
         const char *page,
         const char *button)
{
  pump ();
  return gtk_widget_get_sensitive (find_in_page (f, page, button));
}

static void
click (Fixture    *f,
       const char *page,
       const char *button)
{
  GtkWidget *widget = find_in_page (f, page, button);

  g_assert_true (gtk_widget_get_sensitive (widget));
  g_signal_emit_by_name (widget, "clicked");
  pump ();
}

static void
type (Fixture    *f,
      const char *page,
      const char *entry,
      const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (find_in_page (f, page, entry)), text);
  pump ();
}

static const char *
label_text (Fixture    *f,
            const char *page,
            const char *name)
{
  GtkWidget *label = find_in_page (f, page, name);

  if (!gtk_widget_get_visible (label))
    return NULL;
  return gtk_label_get_label (GTK_LABEL (label));
}

/* With PASSPORT_SCREENSHOT_DIR set, saves the window as shot-<name>.png
 * there (the README and the metainfo take theirs from these). */
static void
shot_widget (GtkWidget  *widget,
             const char *name)
{
  const char *dir = g_getenv ("PASSPORT_SCREENSHOT_DIR");
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GtkSnapshot) snapshot = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
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

static void
shot (Fixture    *f,
      const char *name)
{
  shot_widget (GTK_WIDGET (f->window), name);
}

static PassportServer *
make_server_at (const char *url)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  PassportServer *server;
  GListStore *providers;
  g_autoptr (PassportProvider) google = passport_provider_new ("google", "Google", NULL);
  g_autoptr (PassportProvider) vk = passport_provider_new ("vk", "VK", NULL);

  g_autofree char *document = NULL;

  document = g_strdup_printf ("{\"issuer\": \"%1$s\","
                              " \"authorization_endpoint\": \"%1$s/oauth/authorize\","
                              " \"token_endpoint\": \"%1$s/oauth/token\","
                              " \"passport_api_endpoint\": \"%1$s/api/v1\","
                              " \"response_types_supported\": [\"code\"],"
                              " \"grant_types_supported\": [\"authorization_code\", \"refresh_token\"],"
                              " \"code_challenge_methods_supported\": [\"S256\"]}",
                              url);
  json_parser_load_from_data (parser, document, -1, &error);
  g_assert_no_error (error);
  server = passport_server_new_from_discovery (url, json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  providers = G_LIST_STORE (passport_server_get_providers (server));
  g_list_store_append (providers, google);
  g_list_store_append (providers, vk);
  return server;
}

static PassportServer *
make_server (void)
{
  return make_server_at (SERVER_URL);
}

static PassportAccount *
make_account (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  PassportAccount *account;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  account = passport_account_new_from_json (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  return account;
}

#define ACCOUNT_SIGNED_IN \
  "{\"id\": \"u1\", \"display_name\": \"Ada Lovelace\", \"email\": \"ada@example.com\"," \
  " \"email_verified\": true, \"pending_email\": null, \"has_password\": true," \
  " \"terms\": {\"accepted\": true, \"version\": \"1\"}," \
  " \"identities\": [{\"provider\": \"google\", \"email\": \"ada@gmail.example\", \"email_verified\": true}]," \
  " \"revision\": 3}"

#define ACCOUNT_PENDING \
  "{\"id\": \"u1\", \"display_name\": \"Ada Lovelace\", \"email\": null," \
  " \"email_verified\": false, \"has_password\": false," \
  " \"pending_email\": {\"address\": \"ada@example.com\", \"sent_at\": \"2026-01-01T10:00:00Z\"," \
  "   \"resend_after\": \"2026-01-01T10:01:00Z\", \"expires_at\": \"2026-01-02T10:00:00Z\"}," \
  " \"terms\": {\"accepted\": true, \"version\": \"1\"}," \
  " \"identities\": [{\"provider\": \"google\", \"email\": null, \"email_verified\": false}]," \
  " \"revision\": 2}"

static void
set_error (Fixture          *f,
           PassportErrorCode code)
{
  g_autoptr (GError) error = g_error_new_literal (PASSPORT_ERROR, code, "test");

  fake_flow_set_error (f->flow, error);
  pump ();
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->flow = passport_flow_new (NULL);
  f->window = passport_window_new (app, f->flow);
  gtk_window_present (GTK_WINDOW (f->window));
  pump ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  pump ();
  g_clear_object (&f->flow);
}

static void
signed_out (Fixture *f)
{
  g_autoptr (PassportServer) server = make_server ();

  fake_flow_set_server (f->flow, server);
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_SIGNED_OUT);
  pump ();
}

static AdwMessageDialog *find_dialog (const char *name);

/* A form that creates a password (the bind form, Change Password): a
 * weak one is refused with a hint, the repeat must match, and a strong,
 * repeated @good one enables @button. */
static void
check_new_password_form (Fixture    *f,
                         const char *page,
                         const char *password,
                         const char *repeat,
                         const char *strength,
                         const char *hints,
                         const char *repeat_error,
                         const char *button,
                         const char *good)
{
  type (f, page, password, "short");
  type (f, page, repeat, "short");
  g_assert_false (enabled (f, page, button));
  g_assert_nonnull (label_text (f, page, hints));

  type (f, page, password, good);
  g_assert_false (enabled (f, page, button));
  g_assert_nonnull (label_text (f, page, repeat_error));
  type (f, page, repeat, good);
  g_assert_null (label_text (f, page, repeat_error));
  g_assert_cmpfloat (gtk_level_bar_get_value (GTK_LEVEL_BAR (find_in_page (f, page, strength))), >, 0);
  g_assert_true (enabled (f, page, button));
}


/* Whether a label with @text is shown under @widget (a toast, say). */
static gboolean
shows_text (GtkWidget  *widget,
            const char *text)
{
  pump ();
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_text (child, text))
      return TRUE;
  return FALSE;
}

static void
test_state_pages (Fixture       *f,
                  gconstpointer  data)
{
  static const struct
  {
    PassportFlowState state;
    const char       *page;
  } expected[] = {
    { PASSPORT_FLOW_STATE_NEEDS_SERVER, "server-page" },
    { PASSPORT_FLOW_STATE_CONNECTING, "progress-page" },
    { PASSPORT_FLOW_STATE_SIGNED_OUT, "sign-in-page" },
    { PASSPORT_FLOW_STATE_AWAITING_BROWSER, "browser-page" },
    { PASSPORT_FLOW_STATE_SIGNING_IN, "progress-page" },
    { PASSPORT_FLOW_STATE_NEEDS_TERMS, "terms-page" },
    { PASSPORT_FLOW_STATE_NEEDS_EMAIL, "bind-page" },
    { PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, "confirm-page" },
    { PASSPORT_FLOW_STATE_EMAIL_CONFLICT, "conflict-page" },
    { PASSPORT_FLOW_STATE_SIGNED_IN, "account-page" },
  };

  g_assert_cmpstr (passport_window_get_visible_page_name (f->window), ==, "server-page");
  shot (f, "server");
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      fake_flow_set_state (f->flow, expected[i].state);
      pump ();
      g_assert_cmpstr (passport_window_get_visible_page_name (f->window), ==, expected[i].page);
    }
}

/* The innermost widgets under @widget that are wider than @limit: the ones
 * that make a page too wide, named for the failure message. */
static gboolean
find_wide (GtkWidget *widget,
           int        limit,
           GString   *out)
{
  gboolean child_wide = FALSE;
  int minimum = 0;

  if (!gtk_widget_get_visible (widget))
    return FALSE;
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  if (minimum <= limit)
    return FALSE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    child_wide |= find_wide (child, limit, out);
  if (!child_wide)
    g_string_append_printf (out, " [%s %s “%s” %d px]", G_OBJECT_TYPE_NAME (widget),
                            gtk_widget_get_name (widget),
                            GTK_IS_LABEL (widget) ? gtk_label_get_label (GTK_LABEL (widget)) : "", minimum);
  return TRUE;
}

/* Every page fits a phone's 360 px (Phosh), in the language the test runs
 * in: the window's minimum width on each page (finding 12). */
static void
test_narrow (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr (PassportServer) server = make_server ();
  g_autoptr (PassportAccount) account = make_account (ACCOUNT_SIGNED_IN);
  static const PassportFlowState states[] = {
    PASSPORT_FLOW_STATE_NEEDS_SERVER, PASSPORT_FLOW_STATE_CONNECTING, PASSPORT_FLOW_STATE_SIGNED_OUT,
    PASSPORT_FLOW_STATE_AWAITING_BROWSER, PASSPORT_FLOW_STATE_NEEDS_TERMS, PASSPORT_FLOW_STATE_NEEDS_EMAIL,
    PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, PASSPORT_FLOW_STATE_EMAIL_CONFLICT, PASSPORT_FLOW_STATE_SIGNED_IN,
  };
  g_autoptr (GString) too_wide = g_string_new (NULL);

  const char *language = g_getenv ("LANGUAGE");

  fake_flow_set_server (f->flow, server);
  fake_flow_set_account (f->flow, account);
  fake_flow_set_conflict_email (f->flow, "ada.lovelace.long.address@example.com");
  gtk_window_set_default_size (GTK_WINDOW (f->window), 360, 640);
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *name = NULL;
      int minimum = 0;

      fake_flow_set_state (f->flow, states[i]);
      pump ();
      /* As a phone shows it: shot-360-<language>-<page>.png. */
      name = g_strdup_printf ("360-%s-%s", language != NULL && *language != '\0' ? language : "en",
                              passport_window_get_visible_page_name (f->window));
      shot (f, name);
      gtk_widget_measure (GTK_WIDGET (f->window), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      g_test_message ("%s: %d px", passport_window_get_visible_page_name (f->window), minimum);
      if (minimum > 360)
        {
          g_string_append_printf (too_wide, " %s (%d px):", passport_window_get_visible_page_name (f->window), minimum);
          find_wide (gtk_stack_get_visible_child (GTK_STACK (gtk_widget_get_parent (passport_window_get_page (f->window, passport_window_get_visible_page_name (f->window))))),
                     330, too_wide);
        }
    }
  if (too_wide->len > 0)
    g_test_fail_printf ("wider than 360 px:%s", too_wide->str);
}

/* Counts the spinners under @widget that spin, and checks that each one
 * spins exactly while it is mapped. A spinner spins (its CSS animation
 * runs) while it has the :checked state. */
static guint
check_spinners (GtkWidget *widget)
{
  guint spinning = 0;

  if (GTK_IS_SPINNER (widget))
    {
      gboolean checked = (gtk_widget_get_state_flags (widget) & GTK_STATE_FLAG_CHECKED) != 0;

      g_assert_cmpint (checked, ==, gtk_widget_get_mapped (widget));
      spinning += checked;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    spinning += check_spinners (child);

  return spinning;
}

static gboolean
transition_running (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget) && gtk_stack_get_transition_running (GTK_STACK (widget)))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (transition_running (child))
      return TRUE;

  return FALSE;
}

/* A page being left stays mapped until the crossfade has ended. */
static void
wait_for_transitions (Fixture *f)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (transition_running (GTK_WIDGET (f->window)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (transition_running (GTK_WIDGET (f->window)));
}

/* A spinner that spins keeps the frame clock ticking, shown or not: only
 * the spinners of the page on screen spin, and the waiting pages still do. */
static void
test_spinners_sleep (Fixture       *f,
                     gconstpointer  data)
{
  static const struct
  {
    PassportFlowState state;
    guint             spinning;
  } expected[] = {
    { PASSPORT_FLOW_STATE_NEEDS_SERVER, 0 },
    { PASSPORT_FLOW_STATE_CONNECTING, 1 },
    { PASSPORT_FLOW_STATE_SIGNED_OUT, 0 },
    { PASSPORT_FLOW_STATE_AWAITING_BROWSER, 1 },
    { PASSPORT_FLOW_STATE_NEEDS_TERMS, 0 },
    { PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION, 0 },
    { PASSPORT_FLOW_STATE_SIGNED_IN, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      fake_flow_set_state (f->flow, expected[i].state);
      pump ();
      wait_for_transitions (f);
      g_test_message ("page %s", passport_window_get_visible_page_name (f->window));
      g_assert_cmpuint (check_spinners (GTK_WIDGET (f->window)), ==, expected[i].spinning);
    }

  /* A spinner that shows work spins while the work runs. */
  signed_out (f);
  click (f, "sign-in-page", "password-sign-in-button");
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_SIGNING_IN);
  fake_flow_set_busy (f->flow, TRUE);
  pump ();
  wait_for_transitions (f);
  g_assert_cmpstr (passport_window_get_visible_page_name (f->window), ==, "password-page");
  g_assert_cmpuint (check_spinners (GTK_WIDGET (f->window)), ==, 1);
  fake_flow_set_busy (f->flow, FALSE);
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_SIGNED_OUT);
  pump ();
  g_assert_cmpuint (check_spinners (GTK_WIDGET (f->window)), ==, 0);
}

static void
test_password_navigation (Fixture       *f,
                          gconstpointer  data)
{
  signed_out (f);
  click (f, "sign-in-page", "password-sign-in-button");
  g_assert_cmpstr (passport_window_get_visible_page_name (f->window), ==, "password-page");

  /* The password sign-in keeps its page (with a spinner) while it runs. */
  type (f, "password-page", "sign-in-email", "ada@example.com");
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_SIGNING_IN);
  fake_flow_set_busy (f->flow, TRUE);
  pump ();
  g_assert_cmpstr (passport_window_get_visible_page_name (f->window), ==, "password-page");
  /* A server that hangs can be walked away from (finding 10): the button
   * beside the spinner cancels, and the typed address stays. */
  g_assert_true (enabled (f, "password-page", "password-back-button"));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (find_in_page (f, "password-page", "password-back-button"))))),
                   ==, "_Cancel");
  click (f, "password-page", "password-back-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "cancel()");
  fake_flow_set_busy (f->flow, FALSE);
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_SIGNED_OUT);
  pump ();
  g_assert_cmpstr (passport_window_get_visible_page_name (f->window), ==, "password-page");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_in_page (f, "password-page", "sign-in-email"))),
                   ==, "ada@example.com");
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_SIGNING_IN);
  fake_flow_set_busy (f->flow, TRUE);
  pump ();

  /* A failed attempt comes back to it, with the message beside the fields. */
  fake_flow_set_busy (f->flow, FALSE);
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_SIGNED_OUT);
  set_error (f, PASSPORT_ERROR_INVALID_GRANT);
  g_assert_cmpstr (passport_window_get_visible_page_name (f->window), ==, "password-page");
  g_assert_cmpstr (label_text (f, "password-page", "sign-in-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_INVALID_GRANT));
  shot (f, "password");
  g_assert_null (passport_window_get_blocking_error (f->window));

  click (f, "password-page", "password-back-button");
  g_assert_cmpstr (passport_window_get_visible_page_name (f->window), ==, "sign-in-page");
}

static void
test_server_page (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_false (enabled (f, "server-page", "connect-button"));
  type (f, "server-page", "server-url", "   ");
  g_assert_false (enabled (f, "server-page", "connect-button"));
  type (f, "server-page", "server-url", " " SERVER_URL " ");
  g_assert_true (enabled (f, "server-page", "connect-button"));
  click (f, "server-page", "connect-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "set_server_url(" SERVER_URL ")");

  /* Errors of the address are shown under it, even transport ones, and
   * what was typed stays. */
  g_assert_null (label_text (f, "server-page", "server-error"));
  set_error (f, PASSPORT_ERROR_NOT_A_PASSPORT_SERVER);
  g_assert_cmpstr (label_text (f, "server-page", "server-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_NOT_A_PASSPORT_SERVER));
  set_error (f, PASSPORT_ERROR_UNREACHABLE);
  g_assert_cmpstr (label_text (f, "server-page", "server-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_UNREACHABLE));
  g_assert_null (passport_window_get_blocking_error (f->window));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_in_page (f, "server-page", "server-url"))),
                   ==, " " SERVER_URL " ");
  fake_flow_set_error (f->flow, NULL);
  pump ();
  g_assert_null (label_text (f, "server-page", "server-error"));
}

static void
test_sign_in_page (Fixture       *f,
                   gconstpointer  data)
{
  signed_out (f);

  g_assert_true (enabled (f, "sign-in-page", "provider-google"));
  g_assert_true (enabled (f, "sign-in-page", "provider-vk"));
  g_assert_true (enabled (f, "sign-in-page", "password-sign-in-button"));
  shot (f, "sign-in");
  click (f, "sign-in-page", "provider-vk");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "sign_in_with_provider(vk)");

  /* While something runs, nothing else can be started. */
  fake_flow_set_busy (f->flow, TRUE);
  g_assert_false (enabled (f, "sign-in-page", "provider-google"));
  g_assert_false (enabled (f, "sign-in-page", "change-server-button"));
  fake_flow_set_busy (f->flow, FALSE);

  click (f, "sign-in-page", "change-server-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "change_server()");

  /* A passing error (the user cancelled at the network) is not a blocking
   * one: no bar. */
  set_error (f, PASSPORT_ERROR_ACCESS_DENIED);
  g_assert_null (passport_window_get_blocking_error (f->window));
}

/* Connecting can be given up (finding 7): to the server page, to type
 * another address. Other waits on this page have their own way out. */
static void
test_connecting_cancel (Fixture       *f,
                        gconstpointer  data)
{
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_CONNECTING);
  pump ();
  g_assert_cmpstr (passport_window_get_visible_page_name (f->window), ==, "progress-page");
  g_assert_true (gtk_widget_get_visible (find_in_page (f, "progress-page", "cancel-connecting-button")));
  g_assert_true (enabled (f, "progress-page", "cancel-connecting-button"));
  click (f, "progress-page", "cancel-connecting-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "cancel()");

  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_SIGNING_IN);
  pump ();
  g_assert_false (gtk_widget_get_visible (find_in_page (f, "progress-page", "cancel-connecting-button")));
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr (FakeMonitor) monitor = g_object_new (FAKE_TYPE_MONITOR, NULL);
  g_autoptr (PassportServer) remote = make_server_at (REMOTE_URL);
  GtkWidget *page = passport_window_get_page (f->window, "sign-in-page");

  passport_sign_in_page_set_network_monitor (PASSPORT_SIGN_IN_PAGE (page), G_NETWORK_MONITOR (monitor));
  fake_flow_set_server (f->flow, remote);
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_SIGNED_OUT);
  pump ();
  g_assert_true (enabled (f, "sign-in-page", "provider-google"));
  g_assert_false (gtk_widget_get_visible (find_in_page (f, "sign-in-page", "offline-label")));

  /* Offline: every way to sign in is disabled, with the reason shown. */
  fake_monitor_set_available (monitor, FALSE);
  g_assert_false (enabled (f, "sign-in-page", "provider-google"));
  g_assert_false (enabled (f, "sign-in-page", "password-sign-in-button"));
  g_assert_true (gtk_widget_get_visible (find_in_page (f, "sign-in-page", "offline-label")));
  shot (f, "offline");

  /* A server on this machine needs no network. */
  {
    g_autoptr (PassportServer) local = make_server ();

    fake_flow_set_server (f->flow, local);
    g_assert_true (enabled (f, "sign-in-page", "provider-google"));
    g_assert_false (gtk_widget_get_visible (find_in_page (f, "sign-in-page", "offline-label")));
  }

  fake_flow_set_server (f->flow, remote);
  fake_monitor_set_available (monitor, TRUE);
  g_assert_true (enabled (f, "sign-in-page", "provider-google"));
}

static void
test_blocking_error (Fixture       *f,
                     gconstpointer  data)
{
  signed_out (f);
  set_error (f, PASSPORT_ERROR_UNREACHABLE);
  g_assert_cmpstr (passport_window_get_blocking_error (f->window), ==,
                   passport_error_code_describe (PASSPORT_ERROR_UNREACHABLE));
  g_assert_true (gtk_widget_get_sensitive (find (GTK_WIDGET (f->window), "retry-button")));
  shot (f, "blocking-error");
  g_signal_emit_by_name (find (GTK_WIDGET (f->window), "retry-button"), "clicked");
  pump ();
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "retry()");

  fake_flow_set_error (f->flow, NULL);
  pump ();
  g_assert_null (passport_window_get_blocking_error (f->window));
}

static void
test_browser_page (Fixture       *f,
                   gconstpointer  data)
{
  signed_out (f);
  passport_window_set_browser_timeout (f->window, 300);
  fake_flow_set_browser (f->flow, SERVER_URL "/oauth/authorize?x=1", "google");
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_AWAITING_BROWSER);
  pump ();

  g_assert_true (enabled (f, "browser-page", "reopen-browser-button"));
  g_assert_true (enabled (f, "browser-page", "copy-link-button"));
  g_assert_true (strstr (label_text (f, "browser-page", "browser-timeout"), "5:00") != NULL ||
                 strstr (label_text (f, "browser-page", "browser-timeout"), "4:59") != NULL);

  shot (f, "browser");
  click (f, "browser-page", "reopen-browser-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "reopen_browser()");
  click (f, "browser-page", "cancel-browser-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "cancel()");

  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_SIGNED_OUT);
  g_assert_false (enabled (f, "browser-page", "reopen-browser-button"));
}

static void
test_terms_page (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr (PassportTerms) terms = passport_terms_new ("2", NULL, "Be nice.");
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_NEEDS_TERMS);
  g_assert_false (enabled (f, "terms-page", "accept-terms-button"));
  fake_flow_set_terms (f->flow, terms);
  g_assert_true (enabled (f, "terms-page", "accept-terms-button"));

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (find_in_page (f, "terms-page", "terms-text")));
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_assert_cmpstr (text, ==, "Be nice.");
  g_assert_false (gtk_widget_get_visible (find_in_page (f, "terms-page", "terms-link")));

  shot (f, "terms");
  click (f, "terms-page", "accept-terms-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "accept_terms()");
  click (f, "terms-page", "decline-terms-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "sign_out()");
  /* What declining did is said (finding 23). */
  g_assert_true (shows_text (GTK_WIDGET (f->window), "You declined the agreement, so you are signed out."));
}

/* Whether the keyboard focus is in the widget named @name of @page. */
static gboolean
focus_is_in (Fixture    *f,
             const char *page,
             const char *name)
{
  GtkWidget *focus;
  GtkWidget *target = find_in_page (f, page, name);

  pump ();
  focus = gtk_root_get_focus (GTK_ROOT (f->window));
  return focus != NULL && (focus == target || gtk_widget_is_ancestor (focus, target));
}

/* A page that is shown puts the cursor in its first empty field, so a
 * keyboard user types where they mean to (finding 6). */
static void
test_focus_first_field (Fixture       *f,
                        gconstpointer  data)
{
  signed_out (f);
  click (f, "sign-in-page", "password-sign-in-button");
  g_assert_true (focus_is_in (f, "password-page", "sign-in-email"));
  type (f, "password-page", "sign-in-email", "ada@example.com");

  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_NEEDS_EMAIL);
  pump ();
  g_assert_true (focus_is_in (f, "bind-page", "bind-email"));
}

static void
test_bind_page (Fixture       *f,
                gconstpointer  data)
{
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_NEEDS_EMAIL);
  pump ();

  g_assert_false (enabled (f, "bind-page", "bind-save-button"));
  /* An address that is not one: Save stays off, and the field says why
   * (finding 5). */
  type (f, "bind-page", "bind-email", "ada@");
  type (f, "bind-page", "bind-password", "correct horse battery staple");
  type (f, "bind-page", "bind-repeat", "correct horse battery staple");
  g_assert_false (enabled (f, "bind-page", "bind-save-button"));
  g_assert_cmpstr (label_text (f, "bind-page", "bind-email-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_INVALID_EMAIL));

  type (f, "bind-page", "bind-email", "ada@example.com");
  g_assert_null (label_text (f, "bind-page", "bind-email-error"));
  check_new_password_form (f, "bind-page", "bind-password", "bind-repeat", "password-strength",
                           "password-hints", "repeat-error", "bind-save-button", "correct horse battery staple");
  shot (f, "bind");

  click (f, "bind-page", "bind-save-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==,
                   "bind_email(ada@example.com,correct horse battery staple)");

  /* The server's answer goes beside the field; nothing typed is lost. */
  set_error (f, PASSPORT_ERROR_INVALID_EMAIL);
  g_assert_cmpstr (label_text (f, "bind-page", "bind-email-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_INVALID_EMAIL));
  g_assert_null (passport_window_get_blocking_error (f->window));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_in_page (f, "bind-page", "bind-password"))),
                   ==, "correct horse battery staple");

  /* A server's verdict is about what was sent: once the field changes, it
   * goes, and the field is judged afresh (finding 3). */
  type (f, "bind-page", "bind-email", "ada@example.org");
  g_assert_null (label_text (f, "bind-page", "bind-email-error"));
  g_assert_false (gtk_widget_has_css_class (find_in_page (f, "bind-page", "bind-email"), "error"));

  set_error (f, PASSPORT_ERROR_WEAK_PASSWORD);
  g_assert_nonnull (label_text (f, "bind-page", "password-hints"));
  g_assert_true (gtk_widget_has_css_class (find_in_page (f, "bind-page", "bind-password"), "error"));
  type (f, "bind-page", "bind-password", "an entirely different long passphrase");
  g_assert_false (gtk_widget_has_css_class (find_in_page (f, "bind-page", "bind-password"), "error"));
  g_assert_null (label_text (f, "bind-page", "password-hints"));
}

static void
test_bind_page_keeps_password (Fixture       *f,
                               gconstpointer  data)
{
  /* After "use another e-mail" the password typed before comes back. */
  fake_flow_set_pending_password (f->flow, "correct horse battery staple");
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_NEEDS_EMAIL);
  pump ();
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_in_page (f, "bind-page", "bind-password"))),
                   ==, "correct horse battery staple");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_in_page (f, "bind-page", "bind-repeat"))),
                   ==, "correct horse battery staple");
}

static void
test_confirm_page (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr (PassportAccount) account = make_account (ACCOUNT_PENDING);
  GtkLabel *resend;

  fake_flow_set_account (f->flow, account);
  fake_flow_set_retry_after (f->flow, g_get_monotonic_time () + 42 * G_USEC_PER_SEC);
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_AWAITING_CONFIRMATION);
  pump ();

  resend = GTK_LABEL (gtk_button_get_child (GTK_BUTTON (find_in_page (f, "confirm-page", "resend-button"))));
  g_assert_false (enabled (f, "confirm-page", "resend-button"));
  g_assert_nonnull (strstr (gtk_label_get_label (resend), "42"));
  shot (f, "confirm");

  fake_flow_set_retry_after (f->flow, 0);
  g_assert_false (shows_text (GTK_WIDGET (f->window), "Your e-mail is confirmed."));
  g_assert_true (enabled (f, "confirm-page", "resend-button"));
  g_assert_null (strstr (gtk_label_get_label (resend), "42"));
  click (f, "confirm-page", "resend-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "resend_confirmation()");

  /* Change address: a field appears; the kept password goes along. */
  fake_flow_set_pending_password (f->flow, "kept secret");
  g_assert_false (enabled (f, "confirm-page", "save-email-button"));
  click (f, "confirm-page", "change-email-button");
  type (f, "confirm-page", "new-email", "ada@other.example");
  click (f, "confirm-page", "save-email-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "change_email(ada@other.example,kept secret)");

  click (f, "confirm-page", "cancel-email-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "cancel_pending_email()");

  /* The link opened: the app moves on, and says why (finding 17). */
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_SIGNED_IN);
  g_assert_true (shows_text (GTK_WIDGET (f->window), "Your e-mail is confirmed."));
}

static void
test_conflict_page (Fixture       *f,
                    gconstpointer  data)
{
  PassportConflictPage *page;

  signed_out (f);
  fake_flow_set_conflict_email (f->flow, "ada@example.com");
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_EMAIL_CONFLICT);
  pump ();
  page = PASSPORT_CONFLICT_PAGE (passport_window_get_page (f->window, "conflict-page"));

  g_assert_cmpstr (passport_conflict_page_get_step_name (page), ==, "taken");
  shot (f, "conflict");
  g_assert_nonnull (strstr (label_text (f, "conflict-page", "conflict-explanation"), "ada@example.com"));
  click (f, "conflict-page", "use-other-email-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "conflict_use_other_email()");
  click (f, "conflict-page", "free-address-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "conflict_start_freeing()");

  fake_flow_set_conflict_step (f->flow, PASSPORT_CONFLICT_STEP_OTHER_SIGN_IN);
  pump ();
  g_assert_cmpstr (passport_conflict_page_get_step_name (page), ==, "other-sign-in");
  g_assert_false (enabled (f, "conflict-page", "other-sign-in-button"));
  type (f, "conflict-page", "other-password", "other secret");
  /* A wait left over from elsewhere (the mail's resend delay) does not
   * grey out this sign-in without a word (finding 5). */
  fake_flow_set_retry_after (f->flow, g_get_monotonic_time () + 60 * G_USEC_PER_SEC);
  g_assert_true (enabled (f, "conflict-page", "other-sign-in-button"));
  /* Throttled here: disabled, and the page says why. */
  set_error (f, PASSPORT_ERROR_TOO_MANY_REQUESTS);
  g_assert_false (enabled (f, "conflict-page", "other-sign-in-button"));
  g_assert_nonnull (label_text (f, "conflict-page", "conflict-error"));
  fake_flow_set_error (f->flow, NULL);
  fake_flow_set_retry_after (f->flow, 0);
  shot (f, "conflict-other-sign-in");
  click (f, "conflict-page", "other-sign-in-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "conflict_sign_in_with_password(other secret)");
  click (f, "conflict-page", "provider-google");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "conflict_sign_in_with_provider(google)");

  set_error (f, PASSPORT_ERROR_INVALID_GRANT);
  g_assert_cmpstr (label_text (f, "conflict-page", "conflict-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_INVALID_GRANT));
  fake_flow_set_error (f->flow, NULL);

  /* The other account's browser sign-in gets the browser page, with its
   * link, re-open and cancel, as the main one does (finding 11). */
  fake_flow_set_conflict_step (f->flow, PASSPORT_CONFLICT_STEP_OTHER_SIGNING_IN);
  fake_flow_set_browser (f->flow, "http://127.0.0.1:8765/oauth/authorize?x=1", "google");
  pump ();
  g_assert_cmpstr (passport_window_get_visible_page_name (f->window), ==, "browser-page");
  g_assert_true (enabled (f, "browser-page", "copy-link-button"));
  click (f, "browser-page", "cancel-browser-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "cancel()");
  fake_flow_set_browser (f->flow, NULL, NULL);
  pump ();
  g_assert_cmpstr (passport_window_get_visible_page_name (f->window), ==, "conflict-page");

  fake_flow_set_conflict_step (f->flow, PASSPORT_CONFLICT_STEP_OTHER_SIGNING_IN);
  pump ();
  g_assert_cmpstr (passport_conflict_page_get_step_name (page), ==, "working");
  /* The other account's password does not stay in the field. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_in_page (f, "conflict-page", "other-password"))),
                   ==, "");

  fake_flow_set_conflict_step (f->flow, PASSPORT_CONFLICT_STEP_OTHER_NEW_EMAIL);
  pump ();
  g_assert_cmpstr (passport_conflict_page_get_step_name (page), ==, "other-new-email");
  type (f, "conflict-page", "other-new-email", "ada@example.com");
  g_assert_false (enabled (f, "conflict-page", "other-email-save-button"));
  type (f, "conflict-page", "other-new-email", "old-ada@example.com");
  click (f, "conflict-page", "other-email-save-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "conflict_set_other_email(old-ada@example.com)");

  fake_flow_set_conflict_step (f->flow, PASSPORT_CONFLICT_STEP_OTHER_AWAITING_CONFIRMATION);
  pump ();
  g_assert_cmpstr (passport_conflict_page_get_step_name (page), ==, "other-confirm");
  click (f, "conflict-page", "other-resend-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "conflict_resend()");
  click (f, "conflict-page", "conflict-cancel-button-3");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "cancel()");

  fake_flow_set_conflict_step (f->flow, PASSPORT_CONFLICT_STEP_FREED);
  pump ();
  g_assert_cmpstr (passport_conflict_page_get_step_name (page), ==, "working");
}

static void
test_password_throttled (Fixture       *f,
                         gconstpointer  data)
{
  signed_out (f);
  click (f, "sign-in-page", "password-sign-in-button");
  type (f, "password-page", "sign-in-email", "ada@example.com");
  g_assert_false (enabled (f, "password-page", "password-sign-in-button"));
  type (f, "password-page", "sign-in-password", "secret");
  g_assert_true (enabled (f, "password-page", "password-sign-in-button"));

  /* A long wait in human units (finding 13): not "882 seconds". */
  fake_flow_set_retry_after (f->flow, g_get_monotonic_time () + 882 * G_USEC_PER_SEC);
  set_error (f, PASSPORT_ERROR_TOO_MANY_REQUESTS);
  g_assert_false (enabled (f, "password-page", "password-sign-in-button"));
  g_assert_nonnull (strstr (label_text (f, "password-page", "sign-in-error"), "15 minutes"));

  fake_flow_set_retry_after (f->flow, g_get_monotonic_time () + 30 * G_USEC_PER_SEC);
  set_error (f, PASSPORT_ERROR_TOO_MANY_REQUESTS);
  g_assert_false (enabled (f, "password-page", "password-sign-in-button"));
  g_assert_nonnull (strstr (label_text (f, "password-page", "sign-in-error"), "30 seconds"));

  fake_flow_set_retry_after (f->flow, 0);
  g_assert_true (enabled (f, "password-page", "password-sign-in-button"));
  click (f, "password-page", "password-sign-in-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "sign_in_with_password(ada@example.com,secret)");
}

static void
test_account_page (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr (PassportAccount) account = make_account (ACCOUNT_SIGNED_IN);
  GtkWidget *methods;
  guint rows = 0;

  signed_out (f);
  fake_flow_set_account (f->flow, account);
  fake_flow_set_state (f->flow, PASSPORT_FLOW_STATE_SIGNED_IN);
  pump ();

  g_assert_cmpstr (label_text (f, "account-page", "account-name"), ==, "Ada Lovelace");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (find_in_page (f, "account-page", "account-email"))),
                   ==, "ada@example.com");
  methods = find_in_page (f, "account-page", "sign-in-methods");
  for (GtkWidget *row = gtk_widget_get_first_child (methods); row; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row))
      rows++;
  /* Google + e-mail and password. */
  g_assert_cmpuint (rows, ==, 2);
  shot (f, "account");

  g_assert_false (enabled (f, "account-page", "change-password-button"));
  type (f, "account-page", "current-password", "old secret");
  /* As much help as the bind form (finding 14): the new password twice,
   * its strength, and the reason when it is weak. */
  check_new_password_form (f, "account-page", "new-password", "repeat-new-password", "new-password-strength",
                           "new-password-hints", "repeat-new-password-error", "change-password-button",
                           "new long secret passphrase");
  click (f, "account-page", "change-password-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "change_password(old secret,new long secret passphrase)");
  set_error (f, PASSPORT_ERROR_INVALID_PASSWORD);
  g_assert_cmpstr (label_text (f, "account-page", "password-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_INVALID_PASSWORD));

  /* Sign Out asks first (finding 14): nothing happens until it is
   * confirmed, and Cancel keeps the session. */
  click (f, "account-page", "sign-out-button");
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), !=, "sign_out()");
  adw_message_dialog_response (find_dialog ("sign-out-dialog"), "cancel");
  pump ();
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), !=, "sign_out()");
  click (f, "account-page", "sign-out-button");
  shot_widget (GTK_WIDGET (find_dialog ("sign-out-dialog")), "sign-out-dialog");
  adw_message_dialog_response (find_dialog ("sign-out-dialog"), "sign-out");
  pump ();
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "sign_out()");
}

/* The message dialog named @name that is open now. */
static AdwMessageDialog *
find_dialog (const char *name)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  pump ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_widget_get_name (window), name) == 0 && gtk_widget_get_visible (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  g_error ("no dialog %s is open", name);
  return NULL;
}

static void
test_keyring_dialog (Fixture       *f,
                     gconstpointer  data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *dialog = NULL;

  signed_out (f);
  fake_flow_set_keyring_unavailable (f->flow, TRUE);
  pump ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_widget_get_name (window), "keyring-dialog") == 0)
        dialog = ADW_MESSAGE_DIALOG (window);
    }
  g_assert_nonnull (dialog);
  shot_widget (GTK_WIDGET (dialog), "keyring-dialog");
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (f->window));
  adw_message_dialog_response (dialog, "continue");
  pump ();
  g_assert_cmpstr (fake_flow_get_last_call (f->flow), ==, "continue_without_keyring()");
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* PASSPORT_LOCALEDIR + LANGUAGE: the same pages, translated (for the
   * Russian screenshots). */
  if (g_getenv ("PASSPORT_LOCALEDIR") != NULL)
    {
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("PASSPORT_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  /* The app's resource base path, so its icons are found as in the app. */
  app = g_object_new (ADW_TYPE_APPLICATION,
                      "application-id", "io.github.passportdesk.Passport.UiTest",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      "resource-base-path", "/io/github/passportdesk/Passport",
                      NULL);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

#define ADD(name, func) \
  g_test_add ("/ui/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("state-pages", test_state_pages);
  ADD ("narrow", test_narrow);
  ADD ("spinners-sleep", test_spinners_sleep);
  ADD ("password-navigation", test_password_navigation);
  ADD ("server-page", test_server_page);
  ADD ("sign-in-page", test_sign_in_page);
  ADD ("connecting-cancel", test_connecting_cancel);
  ADD ("offline", test_offline);
  ADD ("blocking-error", test_blocking_error);
  ADD ("browser-page", test_browser_page);
  ADD ("terms-page", test_terms_page);
  ADD ("focus-first-field", test_focus_first_field);
  ADD ("bind-page", test_bind_page);
  ADD ("bind-page-keeps-password", test_bind_page_keeps_password);
  ADD ("confirm-page", test_confirm_page);
  ADD ("conflict-page", test_conflict_page);
  ADD ("password-throttled", test_password_throttled);
  ADD ("account-page", test_account_page);
  ADD ("keyring-dialog", test_keyring_dialog);

  status = g_test_run ();
  g_clear_object (&app);
  return status;
}
