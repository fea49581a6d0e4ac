/* SPDX-License-Identifier: GPL-3.0-or-later */
/* passportd's form reader (pd_request_form: the sign-in pages' POSTs and
 * the token endpoint), on a POST whose body is the input, served by a real
 * SoupServer over an in-memory connection. */
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
  g_autoptr(GHashTable) form = pd_request_form (msg);
  GHashTableIter iter;
  gpointer key, value;
  guint n = 0;

  if (form == NULL)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request", "Not a form", NULL);
      return;
    }
  /* What the handlers do with it: look up names, compare values. */
  g_hash_table_iter_init (&iter, form);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_assert (key != NULL && value != NULL);
      g_assert (g_utf8_validate (key, -1, NULL) && g_utf8_validate (value, -1, NULL));
      n++;
    }
  (void) g_hash_table_lookup (form, "grant_type");
  soup_server_message_set_status (msg, n > 0 ? SOUP_STATUS_OK : SOUP_STATUS_NO_CONTENT, NULL);
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

  head = g_strdup_printf ("POST /oauth/token HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\n"
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
