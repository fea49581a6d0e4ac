// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "passport-page.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_TERMS_PAGE (passport_terms_page_get_type ())
G_DECLARE_FINAL_TYPE (PassportTermsPage, passport_terms_page, PASSPORT, TERMS_PAGE, PassportPage)

G_END_DECLS
