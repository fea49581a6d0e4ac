// SPDX-License-Identifier: GPL-3.0-or-later
/* The baseline of bench-passportd: libsoup answering every request with
 * the same JSON body, the size of GET /api/v1/me's, as passportd answers
 * (status, Cache-Control, Server header), with no work behind it. Listens on
 * 127.0.0.1 and a free port and prints its URL as the first stdout line, as
 * passportd does; SIGTERM stops it. */
#include "config.h"

#include <stdio.h>

#include <glib-unix.h>
#include <libsoup/soup.h>

static const char body[] =
  "{\"id\":\"acc_1gG9lyPl-5xv_1Bu\",\"display_name\":\"Bench Mark\",\"email\":\"bench@example.com\","
  "\"email_verified\":true,\"pending_email\":null,\"has_password\":true,"
  "\"terms\":{\"accepted\":true,\"version\":\"2025-01\"},\"identities\":[{\"provider\":\"google\","
  "\"email\":\"bench@example.com\",\"email_verified\":true}],\"revision\":4}";

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body, sizeof body - 1);
}

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SoupServer) server = soup_server_new ("server-header", "passportd/" PACKAGE_VERSION, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GInetAddress) address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) sockaddr = g_inet_socket_address_new (address, 0);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  soup_server_add_handler (server, NULL, handler, NULL, NULL);
  if (!soup_server_listen (server, sockaddr, 0, &error))
    {
      g_printerr ("bench-static-server: %s\n", error->message);
      return 1;
    }

  uris = soup_server_get_uris (server);
  {
    GUri *uri = uris->data;
    printf ("http://127.0.0.1:%d\n", g_uri_get_port (uri));
    fflush (stdout);
  }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_main_loop_run (loop);
  soup_server_disconnect (server);
  return 0;
}
