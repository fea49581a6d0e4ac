// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "passport-page.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_CONFIRM_PAGE (passport_confirm_page_get_type ())
G_DECLARE_FINAL_TYPE (PassportConfirmPage, passport_confirm_page, PASSPORT, CONFIRM_PAGE, PassportPage)

G_END_DECLS
