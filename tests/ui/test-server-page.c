// SPDX-License-Identifier: GPL-3.0-or-later
//
// The server page over the real flow: Connect only with an address, what
// went wrong under the field (a server that is not a passport server, one
// that cannot be reached), what was typed kept, and the host:port forms a
// user types (finding 7).
#include "config.h"

#include <string.h>

#include "passport-error.h"
#include "ui-fixture.h"

#define PAGE "server-page"

static void
connect_to (UiFixture  *f,
            const char *url)
{
  ui_type (f, PAGE, "server-url", url);
  ui_click (f, PAGE, "connect-button");
}

/* Connect succeeds: the sign-in choices, no message. */
static void
assert_connects (UiFixture  *f,
                 const char *url)
{
  const GError *error;

  connect_to (f, url);
  PD_RUN_UNTIL (!passport_flow_get_busy (f->flow), 30);
  error = passport_flow_get_error (f->flow);
  if (error != NULL)
    g_error ("connecting to “%s” failed: %s (%s)", url, error->message,
             ui_label (f, PAGE, "server-error"));
  ui_wait_for_page (f, "sign-in-page", 10);
}

/* A loopback address where nothing listens. */
static char *
closed_port_url (void)
{
  g_autofree char *url = NULL;
  g_autoptr(GSocket) socket = ui_silent_server (&url);

  g_socket_close (socket, NULL);
  return g_steal_pointer (&url);
}

/* Connect fails with @code: the message under the field, no bar, the
 * address as typed. */
static void
assert_fails_with (UiFixture         *f,
                   const char        *url,
                   PassportErrorCode  code)
{
  connect_to (f, url);
  ui_wait_for_page (f, PAGE, 30);
  g_assert_error ((GError *) passport_flow_get_error (f->flow), PASSPORT_ERROR, (int) code);
  g_assert_cmpstr (ui_label (f, PAGE, "server-error"), ==, passport_error_code_describe (code));
  g_assert_true (gtk_widget_has_css_class (ui_get (f, PAGE, "server-url"), "error"));
  g_assert_null (passport_window_get_blocking_error (f->window));
  g_assert_cmpstr (ui_text (f, PAGE, "server-url"), ==, url);
}

static void
test_server_page (UiFixture     *f,
                  gconstpointer  data)
{
  g_autofree char *not_passport = pd_server_url (f->server, "/not/a/server");
  g_autofree char *closed = closed_port_url ();
  g_autofree char *spaced = g_strdup_printf (" %s ", f->server->url);

  g_assert_cmpstr (ui_page_name (f), ==, PAGE);
  g_assert_false (ui_enabled (f, PAGE, "connect-button"));
  ui_type (f, PAGE, "server-url", "   ");
  g_assert_false (ui_enabled (f, PAGE, "connect-button"));
  g_assert_null (ui_label (f, PAGE, "server-error"));

  /* passportd's address with a path that has no discovery document. */
  assert_fails_with (f, not_passport, PASSPORT_ERROR_NOT_A_PASSPORT_SERVER);
  /* Nothing listens there. */
  assert_fails_with (f, closed, PASSPORT_ERROR_UNREACHABLE);

  /* The next try clears the message; spaces around the address are not
   * part of it. */
  assert_connects (f, spaced);
  g_assert_null (ui_label (f, PAGE, "server-error"));
  g_assert_false (gtk_widget_has_css_class (ui_get (f, PAGE, "server-url"), "error"));
  g_assert_cmpstr (passport_server_get_base_url (passport_flow_get_server (f->flow)), ==, f->server->url);
}

/* host:port without a scheme, as a user types it (finding 7): a loopback
 * host speaks http, and "localhost" is a host, not a scheme. */
static void
test_host_port (UiFixture     *f,
                gconstpointer  data)
{
  g_autofree char *numeric = g_strdup_printf ("127.0.0.1:%u", f->server->port);
  g_autofree char *named = g_strdup_printf ("localhost:%u", f->server->port);

  assert_connects (f, numeric);
  g_assert_cmpstr (passport_server_get_base_url (passport_flow_get_server (f->flow)), ==, f->server->url);

  /* This passportd calls itself http://127.0.0.1:PORT: under another name
   * it is not trusted, and the page says that, not "not a sign-in server". */
  ui_click (f, "sign-in-page", "change-server-button");
  ui_wait_for_page (f, PAGE, 10);
  assert_fails_with (f, named, PASSPORT_ERROR_ISSUER_MISMATCH);
}

/* The same for a server that calls itself http://localhost:PORT. */
static void
test_localhost_port (UiFixture     *f,
                     gconstpointer  data)
{
  g_autofree char *free_port = closed_port_url ();
  const char *port = strrchr (free_port, ':') + 1;
  g_autofree char *listen = g_strdup_printf ("127.0.0.1:%s", port);
  g_autofree char *issuer = g_strdup_printf ("http://localhost:%s", port);
  g_autofree char *typed = g_strdup_printf ("localhost:%s", port);

  ui_use_server (f, "--listen", listen, "--public-url", issuer, NULL);
  assert_connects (f, typed);
  g_assert_cmpstr (passport_server_get_base_url (passport_flow_get_server (f->flow)), ==, issuer);
}

/* Change Server is not a one-way door (finding 19): the header's Back
 * (and Escape) return to the server the user came from, whatever was
 * typed meanwhile; at first run there is nothing to go back to. */
static void
test_change_and_back (UiFixture     *f,
                      gconstpointer  data)
{
  GtkWidget *back = ui_find (GTK_WIDGET (f->window), "back-button");

  g_assert_nonnull (back);
  g_assert_false (gtk_widget_get_visible (back));

  ui_connect (f);
  ui_click (f, "sign-in-page", "change-server-button");
  ui_wait_for_page (f, PAGE, 10);
  g_assert_true (gtk_widget_get_visible (back));
  g_assert_true (gtk_widget_get_sensitive (back));
  ui_type (f, PAGE, "server-url", "https://elsewhere.example");
  g_signal_emit_by_name (back, "clicked");
  ui_wait_for_page (f, "sign-in-page", 10);
  g_assert_cmpstr (passport_flow_get_server_url (f->flow), ==, f->server->url);
  g_assert_false (gtk_widget_get_visible (back));

  /* Escape does the same. */
  ui_click (f, "sign-in-page", "change-server-button");
  ui_wait_for_page (f, PAGE, 10);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "window.go-back", NULL);
  ui_wait_for_page (f, "sign-in-page", 10);
}

int
main (int   argc,
      char *argv[])
{
  ui_init (&argc, &argv);
  UI_TEST_ADD ("/server-page/errors", test_server_page);
  UI_TEST_ADD ("/server-page/host-port", test_host_port);
  UI_TEST_ADD ("/server-page/change-and-back", test_change_and_back);
  UI_TEST_ADD ("/server-page/localhost-port", test_localhost_port);
  return ui_run ();
}
