/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "passport-flow.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_SESSIONS_GROUP (passport_sessions_group_get_type ())
G_DECLARE_FINAL_TYPE (PassportSessionsGroup, passport_sessions_group, PASSPORT, SESSIONS_GROUP, AdwPreferencesGroup)

/* The account page's Devices (contract 9): where the account is signed in,
 * this device first, Sign Out for each other one, and Sign Out on All
 * Other Devices. Property: flow. */

G_END_DECLS
