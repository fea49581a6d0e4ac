/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  PASSPORT_KNOWN_ACCOUNT_SIGNED_IN,     /* its session is in the store */
  PASSPORT_KNOWN_ACCOUNT_NEEDS_SIGN_IN, /* known, but no session is stored: signed out
                                         * ("Disconnect"), or it ended ("sign in again") */
  PASSPORT_KNOWN_ACCOUNT_UNKNOWN,       /* the store could not be read */
} PassportKnownAccountState;

#define PASSPORT_TYPE_KNOWN_ACCOUNT (passport_known_account_get_type ())
G_DECLARE_FINAL_TYPE (PassportKnownAccount, passport_known_account, PASSPORT, KNOWN_ACCOUNT, GObject)

/* One account of the list of accounts (PassportAccounts): where it signs in
 * and who it is, never a secret. Immutable: the list replaces it when
 * something changes. Properties: server-url, account-id, email (nullable),
 * name (nullable), state (PassportKnownAccountState as int), active. */
PassportKnownAccount     *passport_known_account_new            (const char                *server_url,
                                                                 const char                *account_id,
                                                                 const char                *email,
                                                                 const char                *name,
                                                                 PassportKnownAccountState  state,
                                                                 gboolean                   active);

const char               *passport_known_account_get_server_url (PassportKnownAccount *self);
const char               *passport_known_account_get_account_id (PassportKnownAccount *self);
/* NULL until the account was seen signed in by this version. */
const char               *passport_known_account_get_email      (PassportKnownAccount *self);
const char               *passport_known_account_get_name       (PassportKnownAccount *self);
/* The e-mail, else the name, else the account id: never NULL. */
const char               *passport_known_account_get_title      (PassportKnownAccount *self);
PassportKnownAccountState passport_known_account_get_state      (PassportKnownAccount *self);
gboolean                  passport_known_account_get_active     (PassportKnownAccount *self);
/* TRUE when @query is its e-mail (any case) or its account id. */
gboolean                  passport_known_account_matches        (PassportKnownAccount *self,
                                                                 const char           *query);

G_END_DECLS
