/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client's strict JSON reader, which every server answer goes through
 * before json-glib sees it: RFC 8259 only, 32 levels at most, UTF-8. */
#include "config.h"

#include "passport-json-private.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Every string the parsers may take, member names too, is UTF-8. */
static void
assert_utf8 (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        {
          g_assert (g_utf8_validate (name, -1, NULL));
          assert_utf8 (member);
        }
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        assert_utf8 (json_array_get_element (array, i));
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    g_assert (g_utf8_validate (json_node_get_string (node), -1, NULL));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  gboolean strict = passport_json_is_strict ((const char *) data, size);

  node = passport_json_parse_object ((const char *) data, size, &error);
  /* An accepted answer passed the strict check, and is an object. */
  g_assert ((node == NULL) != (error == NULL));
  g_assert (node == NULL || (strict && JSON_NODE_HOLDS_OBJECT (node)));
  if (node != NULL)
    assert_utf8 (node);
  return 0;
}
