// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportProviderButton: "Sign in with <network>", with the network's icon
// (PassportProviderIcon) and a mnemonic on the network's name (Alt+G for
// Google), named "provider-<id>" for automation (docs/automation.md). What
// it does is the caller's: an action name with the provider id as its "s"
// target.
#pragma once

#include <adwaita.h>

#include "passport-provider.h"
#include "passport-server.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_PROVIDER_BUTTON (passport_provider_button_get_type ())
G_DECLARE_FINAL_TYPE (PassportProviderButton, passport_provider_button, PASSPORT, PROVIDER_BUTTON, GtkButton)

/* Properties:
 *   provider  PassportProvider: the network (label, widget name, icon)
 *   server    PassportServer: that serves its icon (may be NULL) */
GtkWidget        *passport_provider_button_new          (PassportProvider       *provider,
                                                         PassportServer         *server);

PassportProvider *passport_provider_button_get_provider (PassportProviderButton *self);
void              passport_provider_button_set_provider (PassportProviderButton *self,
                                                         PassportProvider       *provider);
PassportServer   *passport_provider_button_get_server   (PassportProviderButton *self);
void              passport_provider_button_set_server   (PassportProviderButton *self,
                                                         PassportServer         *server);

G_END_DECLS
