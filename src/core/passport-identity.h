/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PASSPORT_TYPE_IDENTITY (passport_identity_get_type ())
G_DECLARE_FINAL_TYPE (PassportIdentity, passport_identity, PASSPORT, IDENTITY, GObject)

/* One social identity linked to an account (an item of `identities` in
 * GET /me). Immutable. Returns a new reference; @email and @linked_at
 * (contract 1.1; a 1.0 server does not say) may be NULL. */
PassportIdentity *passport_identity_new                (const char *provider,
                                                        const char *email,
                                                        gboolean    email_verified,
                                                        GDateTime  *linked_at);

/* The provider id (e.g. "google"). Owned by @self. */
const char       *passport_identity_get_provider       (PassportIdentity *self);

/* The address the social network gave, or NULL. Owned by @self. */
const char       *passport_identity_get_email          (PassportIdentity *self);

/* Whether the social network had verified that address. */
gboolean          passport_identity_get_email_verified (PassportIdentity *self);

/* When it was linked, or NULL. Owned by @self. */
GDateTime        *passport_identity_get_linked_at      (PassportIdentity *self);

/* TRUE when both describe the same identity with the same fields. */
gboolean          passport_identity_equal              (PassportIdentity *a,
                                                        PassportIdentity *b);

G_END_DECLS
