/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "passport-accounts.h"

G_BEGIN_DECLS

/* Signs @account_id out on @server_url for the user ("Disconnect"): its
 * session revoked (best effort: offline, it expires by itself) and its
 * stored session in @accounts' store deleted, by a flow of its own, so
 * whatever flow the caller shows stays as it is; with @forget, also out of
 * @accounts ("Remove"). Fails only when the sign-out fails. */
void     passport_disconnect_account_async  (PassportAccounts     *accounts,
                                             const char           *server_url,
                                             const char           *account_id,
                                             gboolean              forget,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean passport_disconnect_account_finish (GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
