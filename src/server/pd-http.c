// SPDX-License-Identifier: GPL-3.0-or-later
//
// Request parsing and responses shared by every endpoint.
#include "config.h"

#include <string.h>

#include "pd.h"

/* Seconds added to the real clock; only POST /_test/clock (--test-clock)
 * moves it, so that tests need not wait out the contract's lifetimes. Once
 * frozen (--frozen-clock, also tests only), the real clock is read no
 * more: a test that steps to one second before a lifetime ends is not
 * failed by a slow machine taking that second for it. */
static gint64 clock_offset;
static gint64 clock_frozen_at = -1;

gint64
pd_now (void)
{
  if (clock_frozen_at >= 0)
    return clock_frozen_at + clock_offset;
  return g_get_real_time () / G_USEC_PER_SEC + clock_offset;
}

void
pd_clock_freeze (void)
{
  if (clock_frozen_at < 0)
    clock_frozen_at = g_get_real_time () / G_USEC_PER_SEC;
}

gint64
pd_clock_advance (gint64 seconds)
{
  clock_offset += seconds;
  return clock_offset;
}

char *
pd_rfc3339 (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* The best of en/ru by the q-values of Accept-Language; English otherwise. */
PdLang
pd_request_lang (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *accept = soup_message_headers_get_one (headers, "Accept-Language");
  g_auto(GStrv) items = NULL;
  double best_q = -1;
  PdLang best = PD_LANG_EN;

  if (accept == NULL)
    return PD_LANG_EN;

  items = g_strsplit (accept, ",", 32);
  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (items[i], ";", 4);
      g_autofree char *tag = g_ascii_strdown (g_strstrip (parts[0]), -1);
      double q = 1.0;
      PdLang lang;

      for (guint j = 1; parts[j] != NULL; j++)
        {
          const char *p = g_strstrip (parts[j]);
          if (g_str_has_prefix (p, "q="))
            q = g_ascii_strtod (p + 2, NULL);
        }

      if (g_str_equal (tag, "ru") || g_str_has_prefix (tag, "ru-"))
        lang = PD_LANG_RU;
      else if (g_str_equal (tag, "en") || g_str_has_prefix (tag, "en-"))
        lang = PD_LANG_EN;
      else
        continue;

      if (q > best_q)
        {
          best_q = q;
          best = lang;
        }
    }

  return best;
}

const char *
pd_lang_code (PdLang lang)
{
  return lang == PD_LANG_RU ? "ru" : "en";
}

GBytes *
pd_json_bytes (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  char *text;
  gsize len;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &len);
  return g_bytes_new_take (text, len);
}

void
pd_respond_json_bytes (SoupServerMessage *msg,
                       guint              status,
                       GBytes            *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gsize len;
  gconstpointer data = g_bytes_get_data (body, &len);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, data, len);
}

void
pd_respond_json (SoupServerMessage *msg,
                 guint              status,
                 JsonNode          *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  char *text;
  gsize len;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &len);

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, len);
}

void
pd_respond_object (SoupServerMessage *msg,
                   guint              status,
                   JsonObject        *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  pd_respond_json (msg, status, node);
}

void
pd_respond_error (SoupServerMessage *msg,
                  guint              status,
                  const char        *error,
                  const char        *description,
                  JsonObject        *extra)
{
  g_autoptr(JsonObject) object = json_object_new ();

  json_object_set_string_member (object, "error", error);
  json_object_set_string_member (object, "error_description", description);

  if (extra != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (extra);
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (object, l->data, json_object_dup_member (extra, l->data));
    }

  if (status == SOUP_STATUS_UNAUTHORIZED)
    {
      g_autofree char *value = g_strdup_printf ("Bearer error=\"%s\"", error);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", value);
    }

  pd_respond_object (msg, status, object);
}

void
pd_respond_too_many (SoupServerMessage *msg,
                     gint64             retry_after,
                     gboolean           in_body)
{
  g_autoptr(JsonObject) extra = json_object_new ();
  g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (retry_after, 1));

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", value);
  if (in_body)
    json_object_set_int_member (extra, "retry_after", MAX (retry_after, 1));
  pd_respond_error (msg, PD_STATUS_TOO_MANY_REQUESTS, "too_many_requests",
                    "Too many requests; try again later", extra);
}

void
pd_respond_html (SoupServerMessage *msg,
                 guint              status,
                 const char        *html)
{
  pd_respond_html_form (msg, status, html, NULL);
}

void
pd_respond_html_form (SoupServerMessage *msg,
                      guint              status,
                      const char        *html,
                      const char        *redirect_uri)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *csp = NULL;
  g_autofree char *origin = NULL;

  /* Browsers apply form-action to the redirect that follows the POST too:
   * the client's redirect URI must be allowed, and only that origin. */
  if (redirect_uri != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (redirect_uri, G_URI_FLAGS_NONE, NULL);
      if (uri != NULL)
        {
          g_autoptr(GUri) o = g_uri_build (G_URI_FLAGS_NONE, g_uri_get_scheme (uri), NULL,
                                           g_uri_get_host (uri), g_uri_get_port (uri), "", NULL, NULL);
          origin = g_uri_to_string (o);
        }
    }
  csp = g_strdup_printf ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                         "form-action 'self'%s%s; frame-ancestors 'none'",
                         origin ? " " : "", origin ? origin : "");

  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
  soup_message_headers_replace (headers, "Content-Security-Policy", csp);
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    html, strlen (html));
}

void
pd_respond_redirect (SoupServerMessage *msg,
                     const char        *location)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Location", location);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_server_message_set_status (msg, SOUP_STATUS_FOUND, NULL);
}

/* The code unit of the \uXXXX escape at @data + @i ("\u" included), or -1. */
static int
json_escape_unit (const char *data,
                  gsize       len,
                  gsize       i)
{
  int unit = 0;

  if (i >= len || len - i < 6 || data[i] != '\\' || data[i + 1] != 'u')
    return -1;
  for (gsize k = i + 2; k < i + 6; k++)
    {
      if (!g_ascii_isxdigit (data[k]))
        return -1;
      unit = unit * 16 + g_ascii_xdigit_value (data[k]);
    }
  return unit;
}

/* json-glib recurses per nesting level; refuse deep nesting before it parses.
 * Also refuses what RFC 8259 does not allow outside strings but json-glib
 * does accept: single-quoted strings and comments; and a \u escape that is
 * not four hex digits or a UTF-16 surrogate out of a pair, or an escape
 * RFC 8259 does not have, which json-glib turns into bytes that are not
 * UTF-8. */
static gboolean
json_shape_ok (const char *data,
               gsize       len)
{
  int depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\' && i + 1 < len && data[i + 1] == 'u')
            {
              /* json-glib takes \uXXXX without checking the digits. */
              int unit = json_escape_unit (data, len, i);

              if (unit < 0 || (unit >= 0xdc00 && unit <= 0xdfff))
                return FALSE;
              if (unit >= 0xd800 && unit <= 0xdbff)
                {
                  unit = json_escape_unit (data, len, i + 6);
                  if (unit < 0xdc00 || unit > 0xdfff)
                    return FALSE;
                  i += 6;
                }
              i += 5;
            }
          else if (c == '\\')
            {
              /* Only RFC 8259's escapes: json-glib also reads "\201" as
               * an octal byte, which need not be UTF-8. */
              if (i + 1 >= len || data[i + 1] == '\0' || strchr ("\"\\/bfnrt", data[i + 1]) == NULL)
                return FALSE;
              i++;
            }
          else if (c == '"')
            in_string = FALSE;
          else if ((guchar) c < 0x20)
            return FALSE;
          continue;
        }

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > 16)
            return FALSE;
          break;
        case ']':
        case '}':
          depth--;
          break;
        case '\'':
        case '/':
        case '#':
          return FALSE;
        default:
          break;
        }
    }

  return !in_string && depth == 0;
}

JsonObject *
pd_request_json (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  const char *data;
  gsize len;
  JsonNode *root;

  if (content_type != NULL && g_ascii_strcasecmp (content_type, "application/json") != 0)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "The body must be application/json", NULL);
      return NULL;
    }

  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);

  if (len > PD_BODY_LIMIT)
    {
      pd_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "invalid_request",
                        "The body is too large", NULL);
      return NULL;
    }

  if (len == 0 || !g_utf8_validate_len (data, len, NULL) || !json_shape_ok (data, len))
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "The body is not a valid JSON document", NULL);
      return NULL;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "The body must be a JSON object", NULL);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

gboolean
pd_json_only_members (SoupServerMessage  *msg,
                      JsonObject         *object,
                      const char * const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          /* The member name comes from the client: do not echo it. */
          pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                            "The body has an unknown member", NULL);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
pd_json_get_string (SoupServerMessage  *msg,
                    JsonObject         *object,
                    const char         *member,
                    gboolean            required,
                    const char        **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;

  if (node == NULL)
    {
      if (!required)
        return TRUE;
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      *out = json_node_get_string (node);
      return TRUE;
    }

  {
    g_autofree char *description = g_strdup_printf ("'%s' must be a string", member);
    pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request", description, NULL);
  }
  return FALSE;
}

GHashTable *
pd_request_form (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  GHashTable *form;
  GHashTableIter iter;
  gpointer name, value;

  if (len > PD_BODY_LIMIT || !g_utf8_validate_len (data, len, NULL))
    return NULL;

  text = g_strndup (data, len);
  form = soup_form_decode (text);
  /* %XX escapes make any bytes: the decoded names and values must be
   * UTF-8 too (found by fuzz-pd-form). */
  g_hash_table_iter_init (&iter, form);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      if (!g_utf8_validate (name, -1, NULL) || !g_utf8_validate (value, -1, NULL))
        {
          g_hash_table_unref (form);
          return NULL;
        }
    }
  return form;
}

GString *
pd_html_escape (GString    *out,
                const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      switch (*p)
        {
        case '&': g_string_append (out, "&amp;"); break;
        case '<': g_string_append (out, "&lt;"); break;
        case '>': g_string_append (out, "&gt;"); break;
        case '"': g_string_append (out, "&quot;"); break;
        case '\'': g_string_append (out, "&#39;"); break;
        default: g_string_append_c (out, *p); break;
        }
    }
  return out;
}

char *
pd_html_page (PdLang      lang,
              const char *title,
              const char *body_html)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                          "<meta name=\"color-scheme\" content=\"light dark\"><title>",
                          pd_lang_code (lang));
  pd_html_escape (out, title);
  g_string_append (out,
                   "</title><style>"
                   "body{font-family:Cantarell,'Segoe UI',sans-serif;max-width:32em;margin:3em auto;"
                   "padding:0 1em;line-height:1.5}"
                   "label{display:block;margin:.8em 0 .2em}"
                   "input[type=email],input[type=text],input[type=password]{width:100%;padding:.4em;box-sizing:border-box}"
                   "button{padding:.5em 1.2em;margin:1em .5em 0 0}"
                   ".error{color:#c01c28}"
                   "pre{white-space:pre-wrap}"
                   "</style></head><body><h1>");
  pd_html_escape (out, title);
  g_string_append (out, "</h1>\n");
  g_string_append (out, body_html);
  g_string_append (out, "\n</body></html>\n");

  return g_string_free (out, FALSE);
}

const char *
pd_bearer_token (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    return NULL;

  auth += 7;
  while (*auth == ' ')
    auth++;

  return *auth != '\0' ? auth : NULL;
}

char *
pd_cookie (SoupServerMessage *msg,
           const char        *name)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *header = soup_message_headers_get_one (headers, "Cookie");
  g_auto(GStrv) parts = NULL;

  if (header == NULL)
    return NULL;

  parts = g_strsplit (header, ";", 64);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      gsize name_len = strlen (name);

      if (strncmp (part, name, name_len) == 0 && part[name_len] == '=')
        return g_strdup (part + name_len + 1);
    }

  return NULL;
}
