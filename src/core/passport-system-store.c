/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib.h>

#include "passport-system-store.h"
#if defined(G_OS_WIN32)
#include "passport-wincred-store.h"
#elif defined(__APPLE__)
#include "passport-keychain-store.h"
#else
#include "passport-secret-store.h"
#endif

PassportCredentialStore *
passport_system_store_new (void)
{
#if defined(G_OS_WIN32)
  return PASSPORT_CREDENTIAL_STORE (passport_wincred_store_new ());
#elif defined(__APPLE__)
  return PASSPORT_CREDENTIAL_STORE (passport_keychain_store_new ());
#else
  return PASSPORT_CREDENTIAL_STORE (passport_secret_store_new ());
#endif
}
