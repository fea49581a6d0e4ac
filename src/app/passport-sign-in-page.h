// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "passport-page.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_SIGN_IN_PAGE (passport_sign_in_page_get_type ())
G_DECLARE_FINAL_TYPE (PassportSignInPage, passport_sign_in_page, PASSPORT, SIGN_IN_PAGE, PassportPage)

/* Replaces the network monitor (tests pass their own; NULL = the default). */
void passport_sign_in_page_set_network_monitor (PassportSignInPage *self,
                                                GNetworkMonitor    *monitor);

G_END_DECLS
