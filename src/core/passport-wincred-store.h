/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "passport-credential-store.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_WINCRED_STORE (passport_wincred_store_get_type ())
G_DECLARE_FINAL_TYPE (PassportWincredStore, passport_wincred_store, PASSPORT, WINCRED_STORE, GObject)

/* The Windows Credential Manager (built on Windows only): one generic
 * credential per account of a server, persisted for the user on this
 * machine (CRED_PERSIST_LOCAL_MACHINE), target name
 * "Passport:<server URL>:<account id>", user name the account id.
 * A secret longer than one credential's blob (2560 bytes) is split: the
 * rest goes into "Passport part N:<server URL>:<account id>" (N from 2),
 * up to 64 parts; a longer secret is refused with
 * PASSPORT_ERROR_KEYRING_UNAVAILABLE. Every Win32 call runs in a worker
 * thread; blobs are wiped with SecureZeroMemory. Errors:
 * PASSPORT_ERROR_KEYRING_UNAVAILABLE (e.g. no logon session). */
PassportWincredStore *passport_wincred_store_new (void);

/* The same with @name in place of "Passport" in the target names, so that
 * a test works beside the user's own items and removes only its own. */
PassportWincredStore *passport_wincred_store_new_with_name (const char *name);

G_END_DECLS
