// SPDX-License-Identifier: GPL-3.0-or-later
//
// The sign-in networks given with --provider, and the stand-in icons of the
// well-known ones. The sign-in page and GET /providers both use them.
#include "config.h"

#include <string.h>

#include "pd.h"

/* Simple, recognisable stand-in icons: a coloured disc with a letter. */
static const struct { const char *id, *color, *letter; } icons[] = {
  { "google", "#4285f4", "G" },
  { "vk", "#0077ff", "VK" },
  { "yandex", "#fc3f1d", "Y" },
};

const PdProvider *
pd_find_provider (Pd         *pd,
                  const char *id)
{
  for (guint i = 0; id != NULL && i < pd->providers->len; i++)
    {
      const PdProvider *p = g_ptr_array_index (pd->providers, i);
      if (g_str_equal (p->id, id))
        return p;
    }
  return NULL;
}

void
pd_handle_icon (Pd                *pd,
                SoupServerMessage *msg,
                const char        *id)
{
  g_autofree char *svg = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (icons); i++)
    {
      if (!g_str_equal (icons[i].id, id) || pd_find_provider (pd, id) == NULL)
        continue;
      svg = g_strdup_printf ("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" "
                             "viewBox=\"0 0 64 64\"><circle cx=\"32\" cy=\"32\" r=\"32\" fill=\"%s\"/>"
                             "<text x=\"32\" y=\"42\" font-family=\"sans-serif\" font-size=\"28\" "
                             "font-weight=\"bold\" text-anchor=\"middle\" fill=\"#fff\">%s</text></svg>\n",
                             icons[i].color, icons[i].letter);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Cache-Control", "public, max-age=86400");
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "image/svg+xml", SOUP_MEMORY_COPY, svg, strlen (svg));
      return;
    }

  pd_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such icon", NULL);
}

gboolean
pd_provider_has_icon (const char *id)
{
  for (guint i = 0; i < G_N_ELEMENTS (icons); i++)
    if (g_str_equal (icons[i].id, id))
      return TRUE;
  return FALSE;
}
