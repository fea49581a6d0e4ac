/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define PASSPORT_TYPE_ACCOUNT (passport_account_get_type ())
G_DECLARE_FINAL_TYPE (PassportAccount, passport_account, PASSPORT, ACCOUNT, GObject)

/* The account as GET /me describes it. One property per field:
 *   id, display-name (the name, else the e-mail, else the id; NULL only
 *   when all three are), email (nullable), email-verified,
 *   pending-email (nullable), pending-sent-at, pending-resend-after,
 *   pending-expires-at (GDateTime, NULL when nothing is pending),
 *   has-password, terms-accepted, terms-version (nullable),
 *   identities (GListModel of PassportIdentity, the same object for the
 *   account's whole life), otp-enabled and recovery-codes-left (int; both
 *   FALSE/0 from a server without two-step sign-in), identity-link-id and
 *   identity-link-status (the latest attempt to link a network, contract
 *   10: "pending", "linked", "failed", "cancelled"; NULL when none),
 *   revision.
 * The flow keeps one PassportAccount and passport_account_update()s it, so
 * bindings stay connected. */

/* Parses a GET /me body strictly: a missing field or a wrong type fails
 * with PASSPORT_ERROR_BAD_RESPONSE and nothing half-filled is returned.
 * Returns a new reference, or NULL with @error set. */
PassportAccount *passport_account_new_from_json             (JsonNode  *node,
                                                             GError   **error);

/* Parses an OpenID Connect userinfo answer (sub, name, email,
 * email_verified) into an account: id = sub, no password, terms counted as
 * accepted (a plain OpenID provider has none), revision 0. Strict as above,
 * except email_verified: a boolean or the string "true"/"false" (as some
 * providers send it); any other value counts as not verified.
 * Returns a new reference. */
PassportAccount *passport_account_new_from_userinfo         (JsonNode  *node,
                                                             GError   **error);

/* Copies every field of @from into @self, notifying only the properties
 * whose value changed (identities: items-changed on the same list). */
void             passport_account_update                    (PassportAccount *self,
                                                             PassportAccount *from);

/* All strings below are owned by @self; GDateTimes too (NULL when absent). */
const char      *passport_account_get_id                    (PassportAccount *self);
const char      *passport_account_get_display_name          (PassportAccount *self);
const char      *passport_account_get_email                 (PassportAccount *self);
gboolean         passport_account_get_email_verified        (PassportAccount *self);
const char      *passport_account_get_pending_email         (PassportAccount *self);
GDateTime       *passport_account_get_pending_sent_at       (PassportAccount *self);
GDateTime       *passport_account_get_pending_resend_after  (PassportAccount *self);
GDateTime       *passport_account_get_pending_expires_at    (PassportAccount *self);
gboolean         passport_account_get_has_password          (PassportAccount *self);
gboolean         passport_account_get_terms_accepted        (PassportAccount *self);
const char      *passport_account_get_terms_version         (PassportAccount *self);
/* A GListModel of PassportIdentity, owned by @self. */
GListModel      *passport_account_get_identities            (PassportAccount *self);
gboolean         passport_account_get_otp_enabled           (PassportAccount *self);
guint            passport_account_get_recovery_codes_left   (PassportAccount *self);
/* The latest link attempt (contract 10); all NULL when there is none.
 * Owned by @self. The error is an API error string ("identity_in_use")
 * for a failed one. */
const char      *passport_account_get_identity_link_id         (PassportAccount *self);
const char      *passport_account_get_identity_link_provider   (PassportAccount *self);
const char      *passport_account_get_identity_link_status     (PassportAccount *self);
const char      *passport_account_get_identity_link_error      (PassportAccount *self);
GDateTime       *passport_account_get_identity_link_expires_at (PassportAccount *self);
gint64           passport_account_get_revision              (PassportAccount *self);

G_END_DECLS
