/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsecret/secret.h>

#include "passport-credential-store.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_SECRET_STORE (passport_secret_store_get_type ())
G_DECLARE_FINAL_TYPE (PassportSecretStore, passport_secret_store, PASSPORT, SECRET_STORE, GObject)

/* The system keyring through libsecret (Secret Service, or the Secret
 * portal inside Flatpak). One item per server: schema
 * "io.github.passportdesk.Passport.Session", attributes `server` and
 * `account`, label "Passport session for <server>". There is no plain-text
 * fallback: a missing or refusing keyring gives
 * PASSPORT_ERROR_KEYRING_UNAVAILABLE, a locked one
 * PASSPORT_ERROR_KEYRING_LOCKED, and the caller decides. */
PassportSecretStore *passport_secret_store_new (void);

/* The schema, for tools and tests that look items up themselves. */
const SecretSchema *passport_secret_store_get_schema (void);

G_END_DECLS
