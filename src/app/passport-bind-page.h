// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "passport-page.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_BIND_PAGE (passport_bind_page_get_type ())
G_DECLARE_FINAL_TYPE (PassportBindPage, passport_bind_page, PASSPORT, BIND_PAGE, PassportPage)

/* TRUE while the strength of what was typed is being checked (in a worker
 * thread); tests wait for it. */
gboolean passport_bind_page_get_checking (PassportBindPage *self);

G_END_DECLS
