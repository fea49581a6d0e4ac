/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Strict readers for server answers. Each fails with
 * PASSPORT_ERROR_BAD_RESPONSE naming the member (never its value) when it
 * is missing or of the wrong type. "optional" accepts a missing member or
 * null. Out strings are newly allocated. */

/* Whether @data is one JSON value by RFC 8259, nested at most 32 deep. */
gboolean    passport_json_is_strict         (const char  *data,
                                             gsize        length);

/* Parses @data as JSON whose root is an object. Returns the root node. */
JsonNode   *passport_json_parse_object      (const char  *data,
                                             gsize        length,
                                             GError     **error);

/* The root object of @node, or BAD_RESPONSE when it is not an object. */
JsonObject *passport_json_node_get_object   (JsonNode    *node,
                                             GError     **error);

gboolean    passport_json_require_string    (JsonObject  *object,
                                             const char  *member,
                                             char       **out,
                                             GError     **error);
gboolean    passport_json_optional_string   (JsonObject  *object,
                                             const char  *member,
                                             char       **out,
                                             GError     **error);
/* A string that may be null but must be present. */
gboolean    passport_json_nullable_string   (JsonObject  *object,
                                             const char  *member,
                                             char       **out,
                                             GError     **error);
gboolean    passport_json_require_boolean   (JsonObject  *object,
                                             const char  *member,
                                             gboolean    *out,
                                             GError     **error);
gboolean    passport_json_optional_boolean  (JsonObject  *object,
                                             const char  *member,
                                             gboolean     fallback,
                                             gboolean    *out,
                                             GError     **error);
/* An integer (not a fraction, not a string). */
gboolean    passport_json_require_int       (JsonObject  *object,
                                             const char  *member,
                                             gint64      *out,
                                             GError     **error);
gboolean    passport_json_optional_int      (JsonObject  *object,
                                             const char  *member,
                                             gint64       fallback,
                                             gint64      *out,
                                             GError     **error);
/* @out is borrowed from @object; NULL when optional and absent or null. */
gboolean    passport_json_require_object    (JsonObject  *object,
                                             const char  *member,
                                             JsonObject **out,
                                             GError     **error);
gboolean    passport_json_nullable_object   (JsonObject  *object,
                                             const char  *member,
                                             JsonObject **out,
                                             GError     **error);
gboolean    passport_json_require_array     (JsonObject  *object,
                                             const char  *member,
                                             JsonArray  **out,
                                             GError     **error);
/* An optional array of strings; @out NULL when absent. */
gboolean    passport_json_optional_strv     (JsonObject  *object,
                                             const char  *member,
                                             char      ***out,
                                             GError     **error);
/* An RFC 3339 time. */
gboolean    passport_json_require_datetime  (JsonObject  *object,
                                             const char  *member,
                                             GDateTime  **out,
                                             GError     **error);
/* The same, or NULL in @out when absent or null. */
gboolean    passport_json_optional_datetime (JsonObject  *object,
                                             const char  *member,
                                             GDateTime  **out,
                                             GError     **error);

G_END_DECLS
