/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "passport-flow.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_OTP_GROUP (passport_otp_group_get_type ())
G_DECLARE_FINAL_TYPE (PassportOtpGroup, passport_otp_group, PASSPORT, OTP_GROUP, AdwPreferencesGroup)

/* The account page's Two-Step Sign-In (contract 8.2). Property: flow. */

G_END_DECLS
