/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PASSPORT_TYPE_TERMS (passport_terms_get_type ())
G_DECLARE_FINAL_TYPE (PassportTerms, passport_terms, PASSPORT, TERMS, GObject)

/* The user agreement (GET /terms), in the language the server chose from
 * our Accept-Language. Immutable. Returns a new reference. */
PassportTerms *passport_terms_new         (const char *version,
                                           const char *url,
                                           const char *text);

/* The version to send back to POST /me/terms. Owned by @self. */
const char    *passport_terms_get_version (PassportTerms *self);

/* A link to the full agreement; may be NULL. Owned by @self. */
const char    *passport_terms_get_url     (PassportTerms *self);

/* The agreement as plain text. Owned by @self. */
const char    *passport_terms_get_text    (PassportTerms *self);

G_END_DECLS
