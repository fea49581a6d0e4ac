/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "passport-credential-store.h"

G_BEGIN_DECLS

/* The system's own place for secrets, chosen at build time by platform:
 * the Credential Manager on Windows, the Keychain on macOS, the Secret
 * Service (or, inside Flatpak, the Secret portal, which libsecret picks
 * at run time) elsewhere. A new reference. */
PassportCredentialStore *passport_system_store_new (void);

G_END_DECLS
