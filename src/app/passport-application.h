// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PASSPORT_TYPE_APPLICATION (passport_application_get_type ())
G_DECLARE_FINAL_TYPE (PassportApplication, passport_application, PASSPORT, APPLICATION, AdwApplication)

/* The application (single instance: a second launch raises the first and
 * hands it its --server). */
PassportApplication *passport_application_new (void);

G_END_DECLS
