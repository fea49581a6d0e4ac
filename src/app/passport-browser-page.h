// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "passport-page.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_BROWSER_PAGE (passport_browser_page_get_type ())
G_DECLARE_FINAL_TYPE (PassportBrowserPage, passport_browser_page, PASSPORT, BROWSER_PAGE, PassportPage)

G_END_DECLS
