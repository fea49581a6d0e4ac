/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>

#include "fuzz-serve.h"

/* A connection still busy after this many main-loop turns is stuck in a
 * loop: every read and write here completes at once. */
#define MAX_TURNS 100000

void
fuzz_drain (void)
{
  GMainContext *context = g_main_context_get_thread_default ();

  while (g_main_context_iteration (context, FALSE))
    ;
}

GBytes *
fuzz_serve (SoupServer   *server,
            const guint8 *data,
            gsize         size)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (g_memdup2 (data, size),
                                                                    (gssize) size, g_free);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (in, out);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new (loopback, 80);
  g_autoptr(GSocketAddress) remote = g_inet_socket_address_new (loopback, 40000);
  g_autoptr(GError) error = NULL;
  GMainContext *context = g_main_context_get_thread_default ();
  guint turns = 0;

  if (!soup_server_accept_iostream (server, stream, local, remote, &error))
    g_error ("soup_server_accept_iostream: %s", error->message);

  /* Until the server closes the connection or has nothing more to do.
   * Waiting with nothing to do is libsoup's choice after some bad requests
   * (a 400 with the connection kept): the owner's soup_server_disconnect()
   * (or its last unref) ends it then, as libsoup's own cleanup. */
  while (!g_io_stream_is_closed (stream) && g_main_context_iteration (context, FALSE))
    {
      if (++turns > MAX_TURNS)
        {
          GMemoryOutputStream *written = G_MEMORY_OUTPUT_STREAM (out);
          gsize n = g_memory_output_stream_get_data_size (written);

          g_printerr ("fuzz_serve: the server keeps working on a connection whose peer has "
                      "sent everything; it answered %" G_GSIZE_FORMAT " bytes:\n%.*s\n",
                      n, (int) MIN (n, 2048), (const char *) g_memory_output_stream_get_data (written));
          abort ();
        }
    }
  fuzz_drain ();

  /* A copy: the stream may still be open (see above). */
  return g_bytes_new (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                      g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
}
