/* SPDX-License-Identifier: GPL-3.0-or-later */
/* passportd's JSON body reader (pd_request_json) and the member checks the
 * API's handlers make after it, on a POST whose body is the input, served
 * by a real SoupServer over an in-memory connection. */
#include "config.h"

#include "pd.h"

#include "fuzz-serve.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           user_data)
{
  static const char * const members[] = { "email", "password", "version", NULL };
  g_autoptr(JsonObject) body = pd_request_json (msg);

  /* pd_request_json and the checks answer 400 themselves. */
  if (body == NULL || !pd_json_only_members (msg, body, members))
    return;
  for (guint i = 0; members[i] != NULL; i++)
    {
      const char *value;

      if (!pd_json_get_string (msg, body, members[i], FALSE, &value))
        return;
      g_assert (value == NULL || g_utf8_validate (value, -1, NULL));
    }
  pd_respond_object (msg, SOUP_STATUS_OK, body);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GByteArray) request = g_byte_array_new ();
  g_autofree char *head = NULL;
  g_autoptr(GBytes) answer = NULL;

  soup_server_add_handler (server, NULL, handle, NULL, NULL);

  head = g_strdup_printf ("POST /api/v1/me/terms HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Connection: close\r\n"
                          "\r\n", size);
  g_byte_array_append (request, (const guint8 *) head, strlen (head));
  g_byte_array_append (request, data, size);
  answer = fuzz_serve (server, request->data, request->len);
  soup_server_disconnect (server);
  fuzz_drain ();
  g_assert (g_bytes_get_size (answer) > 0);
  return 0;
}
