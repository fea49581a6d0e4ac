/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "passport-flow.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_APP_PASSWORDS_GROUP (passport_app_passwords_group_get_type ())
G_DECLARE_FINAL_TYPE (PassportAppPasswordsGroup, passport_app_passwords_group, PASSPORT, APP_PASSWORDS_GROUP, AdwPreferencesGroup)

/* The account page's App Passwords (contract 8.4): the list of the flow's
 * account (loaded whenever the group is mapped), Create App Password…
 * (name, proof, then the password shown once) and Revoke. Visible only in
 * SIGNED_IN on a server with the account API that lists app_passwords;
 * leaving that cancels its calls and forgets the list. Property: flow.
 * Actions: app-passwords.create, app-passwords.reload, app-passwords.revoke
 * (s: the id).
 *
 * Named for AT-SPI: app-passwords-group, app-passwords-list,
 * app-passwords-loading, app-passwords-error, app-passwords-retry,
 * app-passwords-empty, app-password-row, app-password-revoke,
 * app-password-create, app-passwords-message; the dialogs
 * app-password-name-dialog (app-password-name, app-password-name-hint),
 * app-password-created-dialog (app-password-value, app-password-copy) and
 * app-password-revoke-dialog. */

G_END_DECLS
