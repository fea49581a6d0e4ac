// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportRemoteList: the load, the spinner delay and the error of one list
// of the account page, shared by App Passwords and Devices.
#include "config.h"

#include "passport-remote-list.h"

/* A list that comes at once shows no spinner that flashes. */
#define SPINNER_DELAY_MS 400

struct _PassportRemoteList
{
  GObject                   parent_instance;

  PassportRemoteListStart   start;
  PassportRemoteListFinish  finish;
  GListModel               *items;
  GError                   *error;
  GCancellable             *cancellable;   /* while a load runs */
  guint                     spinner_source;
  gboolean                  loading_shown;
};

G_DEFINE_FINAL_TYPE (PassportRemoteList, passport_remote_list, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
changed (PassportRemoteList *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

void
passport_remote_list_forget (PassportRemoteList *self)
{
  g_return_if_fail (PASSPORT_IS_REMOTE_LIST (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->spinner_source, g_source_remove);
  self->loading_shown = FALSE;
  g_clear_object (&self->items);
  g_clear_error (&self->error);
}

static void
passport_remote_list_dispose (GObject *object)
{
  passport_remote_list_forget (PASSPORT_REMOTE_LIST (object));
  G_OBJECT_CLASS (passport_remote_list_parent_class)->dispose (object);
}

static void
passport_remote_list_class_init (PassportRemoteListClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = passport_remote_list_dispose;

  /* ::changed: the items, the error or the loading row changed. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
passport_remote_list_init (PassportRemoteList *self)
{
}

PassportRemoteList *
passport_remote_list_new (PassportRemoteListStart  start,
                          PassportRemoteListFinish finish)
{
  PassportRemoteList *self = g_object_new (PASSPORT_TYPE_REMOTE_LIST, NULL);

  self->start = start;
  self->finish = finish;
  return self;
}

static gboolean
spinner_timeout_cb (gpointer user_data)
{
  PassportRemoteList *self = user_data;

  self->spinner_source = 0;
  self->loading_shown = TRUE;
  changed (self);
  return G_SOURCE_REMOVE;
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PassportRemoteList) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) items = self->finish (PASSPORT_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->spinner_source, g_source_remove);
  self->loading_shown = FALSE;
  g_clear_error (&self->error);
  g_set_object (&self->items, items);
  if (items == NULL)
    {
      g_debug ("Could not load a list of the account: %s", error->message);
      self->error = g_steal_pointer (&error);
    }
  changed (self);
}

void
passport_remote_list_load (PassportRemoteList *self,
                           PassportClient     *client)
{
  g_return_if_fail (PASSPORT_IS_REMOTE_LIST (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (client == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  if (self->error != NULL)
    {
      g_clear_error (&self->error);
      changed (self);
    }
  if (self->items == NULL && self->spinner_source == 0 && !self->loading_shown)
    self->spinner_source = g_timeout_add (SPINNER_DELAY_MS, spinner_timeout_cb, self);
  self->start (client, self->cancellable, loaded_cb, g_object_ref (self));
}

GListModel *passport_remote_list_get_items (PassportRemoteList *self) { return self->items; }
const GError *passport_remote_list_get_error (PassportRemoteList *self) { return self->error; }
gboolean passport_remote_list_get_loading_shown (PassportRemoteList *self) { return self->loading_shown; }

gboolean
passport_remote_list_get_active (PassportRemoteList *self)
{
  return self->items != NULL || self->error != NULL || self->cancellable != NULL;
}
