// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "passport-page.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_PASSWORD_PAGE (passport_password_page_get_type ())
G_DECLARE_FINAL_TYPE (PassportPasswordPage, passport_password_page, PASSPORT, PASSWORD_PAGE, PassportPage)

G_END_DECLS
