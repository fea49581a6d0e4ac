// SPDX-License-Identifier: GPL-3.0-or-later
//
// The sign-in choices over the real flow and passportd: a button for each
// of passportd's social networks, the keyboard on the first one (finding
// 6), a click that starts the browser sign-in, nothing else startable while
// it runs, a sign-in the user cancelled at the network said in passing,
// Change Server back to the address typed; and offline.
#include "config.h"

#include <json-glib/json-glib.h>

#include "passport-error.h"
#include "passport-flow-private.h"
#include "passport-provider-button.h"
#include "passport-provider-icon.h"
#include "passport-server-private.h"
#include "passport-sign-in-page.h"
#include "ui-fixture.h"

#define PAGE "sign-in-page"

/* Connects the way a user does: the address typed, Connect pressed. */
static void
connect_by_hand (UiFixture *f)
{
  ui_type (f, "server-page", "server-url", f->server->url);
  ui_click (f, "server-page", "connect-button");
  ui_wait_for_page (f, PAGE, 20);
}

/* passportd's social networks, as it lists them. */
static JsonArray *
server_providers (UiFixture *f)
{
  g_autoptr(PdClient) client = pd_client_new (f->server);
  g_autoptr(PdResponse) response = pd_client_get (client, "/api/v1/providers", NULL);
  JsonArray *providers;

  g_assert_cmpuint (response->status, ==, 200);
  providers = json_object_get_array_member (pd_response_object (response), "providers");
  g_assert_cmpuint (json_array_get_length (providers), >, 0);
  return json_array_ref (providers);
}

static guint
count_provider_buttons (GtkWidget *widget)
{
  guint n = g_str_has_prefix (gtk_widget_get_name (widget), "provider-") && gtk_widget_get_visible (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_provider_buttons (child);
  return n;
}

/* The icons of the buttons under @widget that have arrived, and (in
 * @total) how many there are. */
static guint
count_loaded_icons (GtkWidget *widget,
                    guint     *total)
{
  guint n = 0;

  if (PASSPORT_IS_PROVIDER_ICON (widget))
    {
      (*total)++;
      return passport_provider_icon_get_loaded (PASSPORT_PROVIDER_ICON (widget));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_loaded_icons (child, total);
  return n;
}

static gboolean
all_icons_loaded (GtkWidget *widget)
{
  guint total = 0;
  guint loaded = count_loaded_icons (widget, &total);

  return total > 0 && loaded == total;
}

static void
test_sign_in_page (UiFixture     *f,
                   gconstpointer  data)
{
  g_autoptr(JsonArray) providers = server_providers (f);
  g_autofree char *email = pd_unique_email ("ivan");
  g_autofree char *first = NULL;
  g_autofree char *description = NULL;

  connect_by_hand (f);

  /* One button per network, in the server's order, the keyboard on the
   * first (finding 6). */
  g_assert_cmpuint (count_provider_buttons (passport_window_get_page (f->window, PAGE)), ==,
                    json_array_get_length (providers));
  for (guint i = 0; i < json_array_get_length (providers); i++)
    {
      JsonObject *provider = json_array_get_object_element (providers, i);
      g_autofree char *button = g_strdup_printf ("provider-%s", json_object_get_string_member (provider, "id"));
      g_autofree char *label = g_strdup_printf ("Sign in with %s", json_object_get_string_member (provider, "name"));

      g_assert_true (ui_enabled (f, PAGE, button));
      g_assert_true (ui_shows_text (ui_get (f, PAGE, button), label));
      if (i == 0)
        first = g_steal_pointer (&button);
    }
  /* Each with its network's badge from the server (finding 21). */
  PD_RUN_UNTIL (all_icons_loaded (passport_window_get_page (f->window, PAGE)), 10);
  /* The keyboard is on this page, not in the header bar. */
  g_assert_true (ui_focus_is_in (f, PAGE, PAGE));
  g_assert_true (ui_focus_is_in (f, PAGE, first));
  g_assert_true (ui_enabled (f, PAGE, "password-sign-in-button"));
  description = g_strdup_printf ("Choose how to sign in to %s.", f->server->url);
  g_assert_true (ui_shows_text (GTK_WIDGET (f->window), description));
  ui_shot (f, "sign-in");

  /* A network's button starts its browser sign-in; while it runs, nothing
   * else can be started. */
  pd_browser_as (email, "Ivan Petrov", FALSE, "ignore");
  ui_click (f, PAGE, "provider-vk");
  ui_wait_shown (f, "browser-page", 10);
  g_assert_cmpstr (passport_flow_get_browser_provider (f->flow), ==, "vk");
  g_assert_true (passport_flow_get_busy (f->flow));
  g_assert_false (ui_enabled (f, PAGE, first));
  g_assert_false (ui_enabled (f, PAGE, "password-sign-in-button"));
  g_assert_false (ui_enabled (f, PAGE, "change-server-button"));
  ui_click (f, "browser-page", "cancel-browser-button");
  ui_wait_for_page (f, PAGE, 10);
  g_assert_true (ui_enabled (f, PAGE, first));
  g_assert_true (ui_enabled (f, PAGE, "change-server-button"));
  g_assert_null (passport_window_get_blocking_error (f->window));

  /* The user cancels at the network: back to the choices, said on the
   * page, not in a toast that goes after 5 s (finding 15); no bar. */
  pd_browser_as (email, "Ivan Petrov", FALSE, "cancel");
  ui_click (f, PAGE, first);
  PD_RUN_UNTIL (passport_flow_get_error (f->flow) != NULL, 30);
  ui_wait_for_page (f, PAGE, 10);
  g_assert_error ((GError *) passport_flow_get_error (f->flow), PASSPORT_ERROR, PASSPORT_ERROR_ACCESS_DENIED);
  g_assert_null (passport_window_get_blocking_error (f->window));
  g_assert_cmpstr (ui_label (f, PAGE, "sign-in-page-error"), ==,
                   passport_error_code_describe (PASSPORT_ERROR_ACCESS_DENIED));

  /* Change Server: the server page, with the address to edit. */
  ui_click (f, PAGE, "change-server-button");
  ui_wait_for_page (f, "server-page", 10);
  g_assert_cmpint (passport_flow_get_state (f->flow), ==, PASSPORT_FLOW_STATE_NEEDS_SERVER);
  g_assert_cmpstr (ui_text (f, "server-page", "server-url"), ==, f->server->url);
  g_assert_true (ui_enabled (f, "server-page", "connect-button"));
}

/* A network monitor whose availability the test sets: being offline
 * cannot be produced for real in a test. */
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

/* The discovery document of a server elsewhere, with passportd's two
 * networks: a test may only reach loopback addresses, so a remote server
 * is made, not connected to. */
static PassportServer *
remote_server (void)
{
  const char *url = "https://passport.example.com";
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportProvider) google = passport_provider_new ("google", "Google", NULL);
  g_autoptr(PassportProvider) vk = passport_provider_new ("vk", "VK", NULL);
  g_autofree char *document = NULL;
  PassportServer *server;

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
  g_list_store_append (G_LIST_STORE (passport_server_get_providers (server)), google);
  g_list_store_append (G_LIST_STORE (passport_server_get_providers (server)), vk);
  return server;
}

static void
test_offline (UiFixture     *f,
              gconstpointer  data)
{
  g_autoptr(FakeMonitor) monitor = g_object_new (FAKE_TYPE_MONITOR, NULL);
  g_autoptr(PassportServer) remote = remote_server ();
  g_autoptr(PassportServer) local = NULL;
  GtkWidget *page = passport_window_get_page (f->window, PAGE);

  passport_sign_in_page_set_network_monitor (PASSPORT_SIGN_IN_PAGE (page), G_NETWORK_MONITOR (monitor));
  connect_by_hand (f);
  local = g_object_ref (passport_flow_get_server (f->flow));

  /* passportd is on this machine: it needs no network. */
  fake_monitor_set_available (monitor, FALSE);
  g_assert_true (ui_enabled (f, PAGE, "provider-google"));
  g_assert_true (ui_enabled (f, PAGE, "password-sign-in-button"));
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "offline-label")));

  /* A server elsewhere (swapped into the real flow through its private
   * setter, see remote_server()): every way to sign in is off, with the
   * reason shown. */
  _passport_flow_set_object (f->flow, &f->flow->server, remote, PROP_SERVER);
  g_assert_false (ui_enabled (f, PAGE, "provider-google"));
  g_assert_false (ui_enabled (f, PAGE, "password-sign-in-button"));
  g_assert_true (gtk_widget_get_visible (ui_get (f, PAGE, "offline-label")));
  ui_shot (f, "offline");

  /* Back online. */
  fake_monitor_set_available (monitor, TRUE);
  g_assert_true (ui_enabled (f, PAGE, "provider-google"));
  g_assert_false (gtk_widget_get_visible (ui_get (f, PAGE, "offline-label")));
  _passport_flow_set_object (f->flow, &f->flow->server, local, PROP_SERVER);
  ui_pump ();
}

/* A network's button: "Sign in with <name>" with the name's first letter
 * as its mnemonic (finding 20), named by the network's id; its icon's load
 * ends with the button: the icon's server takes the request and never
 * answers, and sees the connection closed once the button is gone. */
static void
test_provider_button (UiFixture     *f,
                      gconstpointer  data)
{
  g_autofree char *silent_url = NULL;
  g_autoptr(GSocket) silent = ui_silent_server (&silent_url);
  g_autofree char *icon_url = g_strconcat (silent_url, "/icon.svg", NULL);
  g_autoptr(PassportProvider) provider = passport_provider_new ("slow", "Slow_Net", icon_url);
  g_autoptr(GSocket) request = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *button;
  GtkWidget *label;
  guint total = 0;
  char buffer[4096];
  gssize got = -1;

  ui_connect (f);
  button = passport_provider_button_new (provider, passport_flow_get_server (f->flow));
  gtk_window_set_child (GTK_WINDOW (window), button);
  gtk_window_present (GTK_WINDOW (window));
  ui_pump ();

  g_assert_cmpstr (gtk_widget_get_name (button), ==, "provider-slow");
  g_assert_true (ui_shows_text (button, "Sign in with Slow_Net"));
  label = gtk_widget_get_next_sibling (gtk_widget_get_first_child (gtk_widget_get_first_child (button)));
  g_assert_true (GTK_IS_LABEL (label));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (label)), ==, "Sign in with _Slow__Net");
  g_assert_cmpuint (gdk_keyval_to_lower (gtk_label_get_mnemonic_keyval (GTK_LABEL (label))), ==, GDK_KEY_s);
  g_assert_true (passport_provider_button_get_provider (PASSPORT_PROVIDER_BUTTON (button)) == provider);

  /* The icon is asked for, and the generic one shown meanwhile. */
  g_socket_set_blocking (silent, FALSE);
  PD_RUN_UNTIL (request != NULL || (request = g_socket_accept (silent, NULL, NULL)) != NULL, 5);
  g_socket_set_blocking (request, FALSE);
  g_assert_cmpuint (count_loaded_icons (button, &total), ==, 0);
  g_assert_cmpuint (total, ==, 1);

  /* Gone before its icon came: the load is cancelled (the connection
   * closed), and nothing is left to touch the button. */
  g_object_add_weak_pointer (G_OBJECT (button), (gpointer *) &button);
  gtk_window_destroy (GTK_WINDOW (window));
  ui_pump ();
  g_assert_null (button);
  PD_RUN_UNTIL (got == 0 || (got = g_socket_receive (request, buffer, sizeof buffer, NULL, NULL)) == 0, 5);

  /* The same for the sign-in page's own buttons: a window closed right
   * after it showed them, their icons on the way. */
  ui_restart (f, g_object_ref (f->flow));
  g_assert_true (ui_enabled (f, PAGE, "provider-google"));
  ui_restart (f, g_object_ref (f->flow));
  PD_RUN_UNTIL (all_icons_loaded (passport_window_get_page (f->window, PAGE)), 10);
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/sign-in-page/choices", test_sign_in_page);
  UI_TEST_ADD ("/sign-in-page/offline", test_offline);
  UI_TEST_ADD ("/sign-in-page/provider-button", test_provider_button);
  return ui_run ();
}
