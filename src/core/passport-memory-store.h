/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "passport-credential-store.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_MEMORY_STORE (passport_memory_store_get_type ())
G_DECLARE_FINAL_TYPE (PassportMemoryStore, passport_memory_store, PASSPORT, MEMORY_STORE, GObject)

/* A credential store that keeps the session only while the process runs
 * ("don't remember me", or no keyring). Secrets are wiped when replaced or
 * when the store is finalized. */
PassportMemoryStore *passport_memory_store_new (void);

G_END_DECLS
