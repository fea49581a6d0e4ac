// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "passport-page.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_ACCOUNT_PAGE (passport_account_page_get_type ())
G_DECLARE_FINAL_TYPE (PassportAccountPage, passport_account_page, PASSPORT, ACCOUNT_PAGE, PassportPage)

/* TRUE while the new password's strength is being checked (tests wait). */
gboolean passport_account_page_get_checking (PassportAccountPage *self);

G_END_DECLS
