// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportProviderIcon: a social network's icon as its server serves it
// (the coloured badge), loaded in the background; the generic
// "system-users-symbolic" until it has arrived, or when there is none. The
// one place that loads provider icons, so the sign-in choices, the other
// account's and the account page's sign-in methods look alike (finding 21).
#pragma once

#include <adwaita.h>

#include "passport-provider.h"
#include "passport-server.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_PROVIDER_ICON (passport_provider_icon_get_type ())
G_DECLARE_FINAL_TYPE (PassportProviderIcon, passport_provider_icon, PASSPORT, PROVIDER_ICON, AdwBin)

/* Properties:
 *   provider  PassportProvider: whose icon
 *   server    PassportServer: that serves it
 *   loaded    gboolean: the server's icon is shown (read-only)
 *
 * A change of either starts a new load and cancels the one running; so
 * does the widget's dispose. */
GtkWidget        *passport_provider_icon_new          (void);

PassportProvider *passport_provider_icon_get_provider (PassportProviderIcon *self);
void              passport_provider_icon_set_provider (PassportProviderIcon *self,
                                                       PassportProvider     *provider);
PassportServer   *passport_provider_icon_get_server   (PassportProviderIcon *self);
void              passport_provider_icon_set_server   (PassportProviderIcon *self,
                                                       PassportServer       *server);
gboolean          passport_provider_icon_get_loaded   (PassportProviderIcon *self);

G_END_DECLS
