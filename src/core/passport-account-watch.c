// SPDX-License-Identifier: GPL-3.0-or-later
//
// PassportAccountWatch: the long poll that notices a confirmed address,
// for the flow's account and for the account that holds a wanted address.
#include "config.h"

#include "passport-account-watch.h"
#include "passport-error.h"

#define LONG_POLL_SECONDS 50
#define BACKOFF_MAX_SECONDS 60

struct _PassportAccountWatch
{
  GObject parent_instance;

  PassportClient *client;
  PassportAccount *account;
  GCancellable *cancellable;   /* non-NULL while running */
  GSource *retry_source;
  guint backoff;
  gboolean troubled;           /* the last poll failed */
};

G_DEFINE_FINAL_TYPE (PassportAccountWatch, passport_account_watch, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  SIGNAL_FAILED,
  SIGNAL_TROUBLE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void poll_once (PassportAccountWatch *self);

static gboolean
retry_cb (gpointer data)
{
  PassportAccountWatch *self = data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  poll_once (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (PassportAccountWatch *self)
{
  self->backoff = self->backoff == 0 ? 2 : MIN (self->backoff * 2, BACKOFF_MAX_SECONDS);
  self->retry_source = g_timeout_source_new_seconds (self->backoff);
  g_source_set_callback (self->retry_source, retry_cb, self, NULL);
  g_source_attach (self->retry_source, g_main_context_get_thread_default ());
}

static void
poll_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PassportAccountWatch) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportAccount) next = passport_client_get_me_finish (PASSPORT_CLIENT (source), result, &error);
  gint64 before;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->cancellable == NULL)
    return;

  if (next == NULL)
    {
      if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED))
        {
          passport_account_watch_stop (self);
          g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
          return;
        }
      g_debug ("long poll failed (%s); retrying", error->message);
      self->troubled = TRUE;
      g_signal_emit (self, signals[SIGNAL_TROUBLE], 0, error);
      if (self->cancellable != NULL)
        schedule_retry (self);
      return;
    }

  self->backoff = 0;
  if (self->troubled)
    {
      self->troubled = FALSE;
      g_signal_emit (self, signals[SIGNAL_TROUBLE], 0, NULL);
    }
  before = passport_account_get_revision (self->account);
  passport_account_update (self->account, next);
  if (passport_account_get_revision (self->account) != before)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  if (self->cancellable != NULL)
    poll_once (self);
}

static void
poll_once (PassportAccountWatch *self)
{
  /* After trouble, first a plain GET: whether the server is back is known
   * at once rather than at the end of a long poll. */
  passport_client_get_me_async (self->client, self->troubled ? 0 : LONG_POLL_SECONDS,
                                passport_account_get_revision (self->account),
                                self->cancellable, poll_cb, g_object_ref (self));
}

void
passport_account_watch_poke (PassportAccountWatch *self)
{
  g_return_if_fail (PASSPORT_IS_ACCOUNT_WATCH (self));

  /* Waiting out a backoff: try now. */
  if (self->cancellable != NULL && self->retry_source != NULL)
    {
      g_source_destroy (self->retry_source);
      g_clear_pointer (&self->retry_source, g_source_unref);
      poll_once (self);
    }
}

void
passport_account_watch_start (PassportAccountWatch *self)
{
  g_return_if_fail (PASSPORT_IS_ACCOUNT_WATCH (self));

  passport_account_watch_stop (self);
  self->cancellable = g_cancellable_new ();
  poll_once (self);
}

void
passport_account_watch_stop (PassportAccountWatch *self)
{
  g_return_if_fail (PASSPORT_IS_ACCOUNT_WATCH (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->retry_source != NULL)
    {
      g_source_destroy (self->retry_source);
      g_clear_pointer (&self->retry_source, g_source_unref);
    }
  self->backoff = 0;
}

gboolean
passport_account_watch_get_running (PassportAccountWatch *self)
{
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT_WATCH (self), FALSE);

  return self->cancellable != NULL;
}

PassportAccountWatch *
passport_account_watch_new (PassportClient  *client,
                            PassportAccount *account)
{
  PassportAccountWatch *self;

  g_return_val_if_fail (PASSPORT_IS_CLIENT (client), NULL);
  g_return_val_if_fail (PASSPORT_IS_ACCOUNT (account), NULL);

  self = g_object_new (PASSPORT_TYPE_ACCOUNT_WATCH, NULL);
  self->client = g_object_ref (client);
  self->account = g_object_ref (account);
  return self;
}

static void
passport_account_watch_dispose (GObject *object)
{
  PassportAccountWatch *self = PASSPORT_ACCOUNT_WATCH (object);

  passport_account_watch_stop (self);
  g_clear_object (&self->client);
  g_clear_object (&self->account);

  G_OBJECT_CLASS (passport_account_watch_parent_class)->dispose (object);
}

static void
passport_account_watch_class_init (PassportAccountWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = passport_account_watch_dispose;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_TROUBLE] = g_signal_new ("trouble", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
passport_account_watch_init (PassportAccountWatch *self)
{
}
