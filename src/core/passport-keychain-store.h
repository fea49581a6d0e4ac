/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "passport-credential-store.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_KEYCHAIN_STORE (passport_keychain_store_get_type ())
G_DECLARE_FINAL_TYPE (PassportKeychainStore, passport_keychain_store, PASSPORT, KEYCHAIN_STORE, GObject)

/* The macOS Keychain (the user's login keychain, through the SecItem API),
 * built on macOS only. One generic-password item per account of a server:
 * service "io.github.passportdesk.Passport", account "<server URL> <account
 * id>", label "Passport session for <server>". There is no plain-text
 * fallback: a keychain that is locked, or that the user did not let Passport
 * use, gives PASSPORT_ERROR_KEYRING_LOCKED; anything else
 * PASSPORT_ERROR_KEYRING_UNAVAILABLE. Written and reviewed against Apple's
 * documentation but never compiled on Linux, where it is developed: see the
 * top of passport-keychain-store.c. */
PassportKeychainStore *passport_keychain_store_new (void);

G_END_DECLS
