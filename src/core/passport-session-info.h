/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PASSPORT_TYPE_SESSION_INFO (passport_session_info_get_type ())
G_DECLARE_FINAL_TYPE (PassportSessionInfo, passport_session_info, PASSPORT, SESSION_INFO, GObject)

/* One session of the account as GET /me/sessions lists it (contract 9):
 * where the account is signed in. Immutable. Properties: id, client-id,
 * client-name, device-name (nullable), method ("browser", "password",
 * "app_password", "device", or what a newer server says), created-at,
 * last-used-at, ip (nullable), current (this very session). */

/* Parses one item strictly. Returns a new reference, or NULL with
 * PASSPORT_ERROR_BAD_RESPONSE. */
PassportSessionInfo *passport_session_info_new_from_json (JsonObject  *object,
                                                          GError     **error);

const char *passport_session_info_get_id           (PassportSessionInfo *self);
const char *passport_session_info_get_client_id    (PassportSessionInfo *self);
const char *passport_session_info_get_client_name  (PassportSessionInfo *self);
/* NULL when the client sent none. */
const char *passport_session_info_get_device_name  (PassportSessionInfo *self);
const char *passport_session_info_get_method       (PassportSessionInfo *self);
GDateTime  *passport_session_info_get_created_at   (PassportSessionInfo *self);
GDateTime  *passport_session_info_get_last_used_at (PassportSessionInfo *self);
/* NULL when the server does not say. */
const char *passport_session_info_get_ip           (PassportSessionInfo *self);
gboolean    passport_session_info_get_current      (PassportSessionInfo *self);

G_END_DECLS
