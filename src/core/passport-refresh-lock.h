/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A lock between processes (the app, passportctl, a second app window's
 * process) that share one stored session: whoever holds it may spend the
 * refresh token, and stores the new one before letting go, so no process
 * presents a refresh token that another has already retired (which revokes
 * the whole family, RFC 9700 §4.14). A file lock (flock; LockFileEx on
 * Windows) in the user's runtime directory, named after a hash of @key; taken in a worker thread.
 * A lock not had within 15 s is given up on: the caller goes on without it
 * (the finish returns NULL without an error), as it did before locks. */
typedef struct _PassportRefreshLock PassportRefreshLock;

void                 passport_refresh_lock_acquire_async  (const char          *key,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
/* The lock (release with passport_refresh_lock_release()), NULL when it
 * could not be had, or NULL with @error when cancelled. */
PassportRefreshLock *passport_refresh_lock_acquire_finish (GAsyncResult  *result,
                                                           GError       **error);
void                 passport_refresh_lock_release        (PassportRefreshLock *lock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PassportRefreshLock, passport_refresh_lock_release)

G_END_DECLS
