/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PASSPORT_TYPE_PROVIDER (passport_provider_get_type ())
G_DECLARE_FINAL_TYPE (PassportProvider, passport_provider, PASSPORT, PROVIDER, GObject)

/* A social network the server offers (GET /providers). Immutable.
 * Returns a new reference. @icon_url may be NULL. */
PassportProvider *passport_provider_new          (const char *id,
                                                  const char *name,
                                                  const char *icon_url);

/* The stable id to pass as `provider` to the authorization endpoint.
 * Owned by @self. */
const char       *passport_provider_get_id       (PassportProvider *self);

/* The display name. Owned by @self. */
const char       *passport_provider_get_name     (PassportProvider *self);

/* The icon URL, or NULL when the server has none. Owned by @self. */
const char       *passport_provider_get_icon_url (PassportProvider *self);

G_END_DECLS
