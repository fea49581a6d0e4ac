// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "passport-page.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_ACCOUNT_PAGE (passport_account_page_get_type ())
G_DECLARE_FINAL_TYPE (PassportAccountPage, passport_account_page, PASSPORT, ACCOUNT_PAGE, PassportPage)

G_END_DECLS
