/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "passport-flow.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_APP_PASSWORDS_GROUP (passport_app_passwords_group_get_type ())
G_DECLARE_FINAL_TYPE (PassportAppPasswordsGroup, passport_app_passwords_group, PASSPORT, APP_PASSWORDS_GROUP, AdwPreferencesGroup)

/* The account page's App Passwords (contract 8.4). Property: flow. */

G_END_DECLS
