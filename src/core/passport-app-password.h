/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PASSPORT_TYPE_APP_PASSWORD (passport_app_password_get_type ())
G_DECLARE_FINAL_TYPE (PassportAppPassword, passport_app_password, PASSPORT, APP_PASSWORD, GObject)

/* One app password as GET /me/app-passwords lists it (contract 8.4): a
 * password for a program that cannot ask for a code. Immutable; the
 * password itself is never part of it (it is shown once, see
 * passport_client_create_app_password_finish()). Properties: id, name,
 * created-at, last-used-at (GDateTime, NULL when never used). */

/* Parses one item strictly: id and name non-empty strings, created_at a
 * time, last_used_at a time or null. Returns a new reference, or NULL with
 * PASSPORT_ERROR_BAD_RESPONSE. */
PassportAppPassword *passport_app_password_new_from_json (JsonObject  *object,
                                                          GError     **error);

const char *passport_app_password_get_id           (PassportAppPassword *self);
const char *passport_app_password_get_name         (PassportAppPassword *self);
GDateTime  *passport_app_password_get_created_at   (PassportAppPassword *self);
/* NULL when the password has never been used. */
GDateTime  *passport_app_password_get_last_used_at (PassportAppPassword *self);

G_END_DECLS
