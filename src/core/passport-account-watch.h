/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "passport-account.h"
#include "passport-client.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_ACCOUNT_WATCH (passport_account_watch_get_type ())
G_DECLARE_FINAL_TYPE (PassportAccountWatch, passport_account_watch, PASSPORT, ACCOUNT_WATCH, GObject)

/* Follows one account through the long poll of GET /me (contract section
 * 4) while something waits for a mail link: each answer with a new
 * revision updates @account in place and emits "changed"; the watch then
 * polls again unless a handler stopped it. Offline or a server hiccup is
 * retried with backoff (2 s doubling to 60 s) and told by "trouble"
 * (GError *), which is emitted again with NULL once an answer comes; an
 * ended session emits "failed" (GError *) and stops. Nothing runs until
 * _start(). */
PassportAccountWatch *passport_account_watch_new   (PassportClient  *client,
                                                    PassportAccount *account);
void                  passport_account_watch_start (PassportAccountWatch *self);
void                  passport_account_watch_stop  (PassportAccountWatch *self);
/* During a backoff after trouble: poll now (Retry, or the network is back). */
void                  passport_account_watch_poke  (PassportAccountWatch *self);
gboolean              passport_account_watch_get_running (PassportAccountWatch *self);

G_END_DECLS
