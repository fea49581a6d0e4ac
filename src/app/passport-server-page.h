// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "passport-page.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_SERVER_PAGE (passport_server_page_get_type ())
G_DECLARE_FINAL_TYPE (PassportServerPage, passport_server_page, PASSPORT, SERVER_PAGE, PassportPage)

/* Puts @url in the address field (the last server used, or --server). */
void passport_server_page_set_url (PassportServerPage *self,
                                   const char         *url);

G_END_DECLS
