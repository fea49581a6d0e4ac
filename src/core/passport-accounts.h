/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "passport-credential-store.h"
#include "passport-known-account.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_ACCOUNTS (passport_accounts_get_type ())
G_DECLARE_FINAL_TYPE (PassportAccounts, passport_accounts, PASSPORT, ACCOUNTS, GObject)

/* The accounts this user has signed in with, on any server: a GListModel of
 * PassportKnownAccount. Two sources: the store's items (whose sessions are
 * remembered) and a small key file of who each account is and which one is
 * active (server URL, account id, e-mail, name: no secret), shared by the
 * app and passportctl. An account signed out stays in the list, needing a
 * sign-in, until it is forgotten ("Disconnect" vs "Remove"). Changes are
 * written at once, one write at a time; passport_accounts_flush_async()
 * waits for them. */
PassportAccounts     *passport_accounts_new             (PassportCredentialStore *store,
                                                         const char              *path);
/* $XDG_CONFIG_HOME/passport/accounts.ini (owned). */
char                 *passport_accounts_default_path    (void);

/* Reads the key file and lists the store. A store that cannot be listed is
 * not a failure: the accounts' state is then UNKNOWN. Fails only when the
 * key file exists and cannot be read. */
void                  passport_accounts_load_async      (PassportAccounts     *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean              passport_accounts_load_finish     (PassportAccounts     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

/* A session of @account_id on @server_url is stored: known from now on as
 * @email / @name (nullable), signed in; with @make_active (a new sign-in,
 * not a command run on a remembered account) the active account too. */
void                  passport_accounts_remember        (PassportAccounts     *self,
                                                         const char           *server_url,
                                                         const char           *account_id,
                                                         const char           *email,
                                                         const char           *name,
                                                         gboolean              make_active);
/* Its stored session is gone (signed out here, or ended): kept, needing a
 * sign-in. */
void                  passport_accounts_mark_signed_out (PassportAccounts     *self,
                                                         const char           *server_url,
                                                         const char           *account_id);
/* Forgotten: out of the list (the caller deletes its stored session). */
void                  passport_accounts_forget          (PassportAccounts     *self,
                                                         const char           *server_url,
                                                         const char           *account_id);
void                  passport_accounts_set_active      (PassportAccounts     *self,
                                                         const char           *server_url,
                                                         const char           *account_id);
/* The active account, or NULL (borrowed). */
PassportKnownAccount *passport_accounts_get_active      (PassportAccounts     *self);
/* The account whose e-mail (any case) or id is @query, on @server_url when
 * not NULL (borrowed); NULL with PASSPORT_ERROR_NOT_FOUND, or when two
 * servers know that address, PASSPORT_ERROR_INVALID_REQUEST. */
PassportKnownAccount *passport_accounts_find            (PassportAccounts     *self,
                                                         const char           *server_url,
                                                         const char           *query,
                                                         GError              **error);

/* The store whose items it lists. */
PassportCredentialStore *passport_accounts_get_store (PassportAccounts *self);

/* Finishes when the key file holds every change made so far; a write that
 * failed is its error. */
void                  passport_accounts_flush_async     (PassportAccounts     *self,
                                                         GCancellable         *cancellable,
                                                         GAsyncReadyCallback   callback,
                                                         gpointer              user_data);
gboolean              passport_accounts_flush_finish    (PassportAccounts     *self,
                                                         GAsyncResult         *result,
                                                         GError              **error);

G_END_DECLS
