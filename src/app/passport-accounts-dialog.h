// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <adwaita.h>

#include "passport-flow.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_ACCOUNTS_DIALOG (passport_accounts_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PassportAccountsDialog, passport_accounts_dialog, PASSPORT, ACCOUNTS_DIALOG, AdwWindow)

/* The accounts remembered on this device, as GNOME Online Accounts and
 * the Bitrix24 desktop app list theirs: each with its server and state;
 * choosing one opens it in @flow; "Disconnect" signs it out and keeps it,
 * "Remove" also forgets it; "Add Account" goes through the normal sign-in.
 * @flow must have a PassportAccounts (passport_flow_set_accounts()). */
PassportAccountsDialog *passport_accounts_dialog_new (GtkWindow    *parent,
                                                      PassportFlow *flow);

G_END_DECLS
