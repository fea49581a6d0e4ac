/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "passport-error.h"
#include "passport-json-private.h"

static gboolean
fail (GError     **error,
      const char  *member,
      const char  *what)
{
  /* The member name is ours, never the server's value: safe to log. */
  g_set_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
               "Field “%s” %s", member, what);
  return FALSE;
}

/* A strict RFC 8259 syntax check run before json-glib, which accepts
 * single-quoted strings and the like, and which recurses without limit
 * (a megabyte of "[[[[" would exhaust the stack). */
#define MAX_DEPTH 32

typedef struct
{
  const char *p;
  const char *end;
} Scanner;

static void
skip_ws (Scanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean
scan_literal (Scanner    *s,
              const char *word)
{
  gsize len = strlen (word);

  if ((gsize) (s->end - s->p) < len || memcmp (s->p, word, len) != 0)
    return FALSE;
  s->p += len;
  return TRUE;
}

/* The code unit of a \uXXXX escape whose "\u" @s has read, or -1. */
static int
scan_hex4 (Scanner *s)
{
  int unit = 0;

  for (int i = 0; i < 4; i++, s->p++)
    {
      if (s->p >= s->end || !g_ascii_isxdigit (*s->p))
        return -1;
      unit = unit * 16 + g_ascii_xdigit_value (*s->p);
    }
  return unit;
}

static gboolean
scan_string (Scanner *s)
{
  if (s->p >= s->end || *s->p != '"')
    return FALSE;
  s->p++;
  while (s->p < s->end)
    {
      guchar c = (guchar) *s->p++;

      if (c == '"')
        return TRUE;
      if (c < 0x20)
        return FALSE;
      if (c == '\\')
        {
          if (s->p >= s->end)
            return FALSE;
          c = (guchar) *s->p++;
          if (c == 'u')
            {
              int unit = scan_hex4 (s);

              /* A surrogate only as a high + low pair: json-glib makes
               * bytes that are not UTF-8 of any other (RFC 8259 §8.2). */
              if (unit < 0 || (unit >= 0xdc00 && unit <= 0xdfff))
                return FALSE;
              if (unit >= 0xd800 && unit <= 0xdbff)
                {
                  if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
                    return FALSE;
                  s->p += 2;
                  unit = scan_hex4 (s);
                  if (unit < 0xdc00 || unit > 0xdfff)
                    return FALSE;
                }
            }
          else if (strchr ("\"\\/bfnrt", c) == NULL || c == '\0')
            return FALSE;
        }
    }
  return FALSE;
}

static gboolean
scan_digits (Scanner *s)
{
  const char *start = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;
  return s->p > start;
}

static gboolean
scan_number (Scanner *s)
{
  if (s->p < s->end && *s->p == '-')
    s->p++;
  if (s->p < s->end && *s->p == '0')
    s->p++;
  else if (!scan_digits (s))
    return FALSE;
  if (s->p < s->end && *s->p == '.')
    {
      s->p++;
      if (!scan_digits (s))
        return FALSE;
    }
  if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
    {
      s->p++;
      if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
        s->p++;
      if (!scan_digits (s))
        return FALSE;
    }
  return TRUE;
}

static gboolean
scan_value (Scanner *s,
            guint    depth)
{
  if (depth > MAX_DEPTH)
    return FALSE;
  skip_ws (s);
  if (s->p >= s->end)
    return FALSE;

  switch (*s->p)
    {
    case '{':
      s->p++;
      skip_ws (s);
      if (s->p < s->end && *s->p == '}')
        {
          s->p++;
          return TRUE;
        }
      for (;;)
        {
          skip_ws (s);
          if (!scan_string (s))
            return FALSE;
          skip_ws (s);
          if (s->p >= s->end || *s->p++ != ':')
            return FALSE;
          if (!scan_value (s, depth + 1))
            return FALSE;
          skip_ws (s);
          if (s->p >= s->end)
            return FALSE;
          if (*s->p == '}')
            {
              s->p++;
              return TRUE;
            }
          if (*s->p++ != ',')
            return FALSE;
        }
    case '[':
      s->p++;
      skip_ws (s);
      if (s->p < s->end && *s->p == ']')
        {
          s->p++;
          return TRUE;
        }
      for (;;)
        {
          if (!scan_value (s, depth + 1))
            return FALSE;
          skip_ws (s);
          if (s->p >= s->end)
            return FALSE;
          if (*s->p == ']')
            {
              s->p++;
              return TRUE;
            }
          if (*s->p++ != ',')
            return FALSE;
        }
    case '"':
      return scan_string (s);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    default:
      return scan_number (s);
    }
}

gboolean
passport_json_is_strict (const char *data,
                         gsize       length)
{
  Scanner s = { data, data + length };

  if (!scan_value (&s, 0))
    return FALSE;
  skip_ws (&s);
  return s.p == s.end;
}

JsonNode *
passport_json_parse_object (const char  *data,
                            gsize        length,
                            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (length > G_MAXSSIZE)
    length = G_MAXSSIZE;
  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "Empty answer where JSON was expected");
      return NULL;
    }
  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "Answer is not UTF-8");
      return NULL;
    }
  if (!passport_json_is_strict (data, length))
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "Malformed or too deeply nested JSON");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local_error))
    {
      g_set_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                   "Malformed JSON: %s", local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "JSON answer is not an object");
      return NULL;
    }

  return json_node_ref (root);
}

JsonObject *
passport_json_node_get_object (JsonNode  *node,
                               GError   **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE,
                           "JSON answer is not an object");
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return json_object_get_member (object, name);
}

static gboolean
is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
passport_json_require_string (JsonObject  *object,
                              const char  *name,
                              char       **out,
                              GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL)
    return fail (error, name, "is missing");
  if (!is_string (node))
    return fail (error, name, "is not a string");
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

gboolean
passport_json_optional_string (JsonObject  *object,
                               const char  *name,
                               char       **out,
                               GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  return passport_json_require_string (object, name, out, error);
}

gboolean
passport_json_nullable_string (JsonObject  *object,
                               const char  *name,
                               char       **out,
                               GError     **error)
{
  if (member (object, name) == NULL)
    return fail (error, name, "is missing");
  return passport_json_optional_string (object, name, out, error);
}

gboolean
passport_json_require_boolean (JsonObject  *object,
                               const char  *name,
                               gboolean    *out,
                               GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL)
    return fail (error, name, "is missing");
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail (error, name, "is not a boolean");
  *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
passport_json_optional_boolean (JsonObject  *object,
                                const char  *name,
                                gboolean     fallback,
                                gboolean    *out,
                                GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = fallback;
      return TRUE;
    }
  return passport_json_require_boolean (object, name, out, error);
}

gboolean
passport_json_require_int (JsonObject  *object,
                           const char  *name,
                           gint64      *out,
                           GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL)
    return fail (error, name, "is missing");
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (error, name, "is not an integer");
  *out = json_node_get_int (node);
  return TRUE;
}

gboolean
passport_json_optional_int (JsonObject  *object,
                            const char  *name,
                            gint64       fallback,
                            gint64      *out,
                            GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = fallback;
      return TRUE;
    }
  return passport_json_require_int (object, name, out, error);
}

gboolean
passport_json_require_object (JsonObject  *object,
                              const char  *name,
                              JsonObject **out,
                              GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL)
    return fail (error, name, "is missing");
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (error, name, "is not an object");
  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
passport_json_nullable_object (JsonObject  *object,
                               const char  *name,
                               JsonObject **out,
                               GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL)
    return fail (error, name, "is missing");
  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  return passport_json_require_object (object, name, out, error);
}

gboolean
passport_json_require_array (JsonObject  *object,
                             const char  *name,
                             JsonArray  **out,
                             GError     **error)
{
  JsonNode *node = member (object, name);

  if (node == NULL)
    return fail (error, name, "is missing");
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (error, name, "is not an array");
  *out = json_node_get_array (node);
  return TRUE;
}

gboolean
passport_json_optional_strv (JsonObject   *object,
                             const char   *name,
                             char       ***out,
                             GError      **error)
{
  JsonNode *node = member (object, name);
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (error, name, "is not an array");

  array = json_node_get_array (node);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!is_string (item))
        return fail (error, name, "holds something other than strings");
      g_strv_builder_add (builder, json_node_get_string (item));
    }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
parse_datetime (const char  *name,
                const char  *text,
                GDateTime  **out,
                GError     **error)
{
  GDateTime *parsed;

  /* RFC 3339 needs a zone; g_date_time_new_from_iso8601 would otherwise
   * take the local one. */
  parsed = g_date_time_new_from_iso8601 (text, NULL);
  if (parsed == NULL)
    return fail (error, name, "is not an RFC 3339 time");
  *out = parsed;
  return TRUE;
}

gboolean
passport_json_require_datetime (JsonObject  *object,
                                const char  *name,
                                GDateTime  **out,
                                GError     **error)
{
  g_autofree char *text = NULL;

  if (!passport_json_require_string (object, name, &text, error))
    return FALSE;
  return parse_datetime (name, text, out, error);
}

gboolean
passport_json_optional_datetime (JsonObject  *object,
                                 const char  *name,
                                 GDateTime  **out,
                                 GError     **error)
{
  g_autofree char *text = NULL;

  *out = NULL;
  if (!passport_json_optional_string (object, name, &text, error))
    return FALSE;
  return text == NULL || parse_datetime (name, text, out, error);
}
