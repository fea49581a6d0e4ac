/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "passport-client.h"

G_BEGIN_DECLS

#define PASSPORT_TYPE_REMOTE_LIST (passport_remote_list_get_type ())
G_DECLARE_FINAL_TYPE (PassportRemoteList, passport_remote_list, PASSPORT, REMOTE_LIST, GObject)

/* A list the account page loads from the server (app passwords, sessions):
 * the last list loaded, or why the last load failed, or — only when a
 * first load takes longer than a moment — that it is loading, so a quick
 * answer shows no spinner that flashes. "changed" says when to show it
 * again. The client's calls of one list: */
typedef void        (*PassportRemoteListStart)  (PassportClient      *client,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
typedef GListModel *(*PassportRemoteListFinish) (PassportClient  *client,
                                                 GAsyncResult    *result,
                                                 GError         **error);

PassportRemoteList *passport_remote_list_new   (PassportRemoteListStart  start,
                                                PassportRemoteListFinish finish);

/* (Re)loads with @client; what is shown stays until the new list is in.
 * NULL @client only stops a load that runs. */
void         passport_remote_list_load         (PassportRemoteList *self,
                                                PassportClient     *client);
/* Drops everything: another session's list is not this one's. */
void         passport_remote_list_forget       (PassportRemoteList *self);

/* The last list loaded (NULL before one, or after a failed load). */
GListModel  *passport_remote_list_get_items    (PassportRemoteList *self);
/* Why the last load failed, else NULL. */
const GError *passport_remote_list_get_error   (PassportRemoteList *self);
/* A first load has run for a moment and nothing is there yet. */
gboolean     passport_remote_list_get_loading_shown (PassportRemoteList *self);
/* Anything held or running (a list, an error, a load). */
gboolean     passport_remote_list_get_active   (PassportRemoteList *self);

G_END_DECLS
