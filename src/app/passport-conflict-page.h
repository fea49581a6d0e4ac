// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "passport-page.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_CONFLICT_PAGE (passport_conflict_page_get_type ())
G_DECLARE_FINAL_TYPE (PassportConflictPage, passport_conflict_page, PASSPORT, CONFLICT_PAGE, PassportPage)

/* The name of the visible sub-step ("taken", "other-sign-in", "working",
 * "other-new-email", "other-confirm"), for tests. */
const char *passport_conflict_page_get_step_name (PassportConflictPage *self);

G_END_DECLS
