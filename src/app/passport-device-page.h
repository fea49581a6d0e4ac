/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "passport-page.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_DEVICE_PAGE (passport_device_page_get_type ())
G_DECLARE_FINAL_TYPE (PassportDevicePage, passport_device_page, PASSPORT, DEVICE_PAGE, PassportPage)

G_END_DECLS
