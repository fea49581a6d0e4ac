/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Preloaded (LD_PRELOAD) into the Flatpak lane's sandboxed processes only:
 * gives Debian 12's libsecret the Secret portal's Response it would lose.
 *
 * libsecret 0.20.5's file backend calls RetrieveSecret and subscribes to the
 * request's Response only when the reply has come back; a portal that answers
 * fast sends the Response before that, and the process waits for it forever.
 * Debian's GLib (fix for CVE-2024-34397) widens the gap: a signal subscribed
 * by well-known name is dropped until GetNameOwner has answered, and that is
 * what lost it here: 7-9 of 20-30 sandboxed starts hung, secret-tool's as
 * well as passportctl's. libsecret later subscribes before
 * the call (with a handle_token), as the GNOME runtime's does, so an app in
 * a real Flatpak does not meet this; the lane stands in Debian's libraries
 * for the runtime's, and this shim stands in that order.
 *
 * How: from the first RetrieveSecret on, one subscription of ours, made
 * before that call goes out (so GDBus knows the portal's owner in time),
 * takes every Response from the portal; a subscription to a request's
 * Response is then kept here instead of in GDBus, and gets the Response
 * whether it came before or after it. Nothing else changes:
 * the call, the portal, the pipe and libsecret's file are the real ones. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

#include <gio/gio.h>

#define PORTAL_NAME "org.freedesktop.portal.Desktop"
#define REQUEST_INTERFACE "org.freedesktop.portal.Request"
#define REQUEST_PATH_PREFIX "/org/freedesktop/portal/desktop/request/"
/* Our subscription ids, far above GDBus's own (which count up from 1). */
#define FIRST_ID (G_MAXUINT / 2)

typedef struct
{
  guint id;
  GDBusConnection *connection;
  char *path;
  GDBusSignalCallback callback;
  gpointer user_data;
  GDestroyNotify user_data_free;
} Waiter;

typedef struct
{
  GDBusConnection *connection;
  char *sender;
  char *path;
  GVariant *parameters;
} Early;

/* All of it is used from the thread that calls libsecret (its callbacks
 * run in that thread's main context); the lock is for safety only. */
static GMutex lock;
static GList *waiters;          /* (element-type Waiter) */
static GList *early;            /* (element-type Early): came before its waiter */
static guint catch_all_id;
static GDBusConnection *catch_all_connection;
static guint next_id = FIRST_ID;

static void
deliver (Waiter     *waiter,
         const char *sender,
         GVariant   *parameters)
{
  waiter->callback (waiter->connection, sender, waiter->path, REQUEST_INTERFACE, "Response",
                    parameters, waiter->user_data);
}

static void
on_any_response (GDBusConnection *connection,
                 const char      *sender,
                 const char      *path,
                 const char      *interface,
                 const char      *signal,
                 GVariant        *parameters,
                 gpointer         user_data)
{
  Waiter *found = NULL;

  g_mutex_lock (&lock);
  for (GList *l = waiters; l != NULL; l = l->next)
    {
      Waiter *waiter = l->data;

      if (waiter->connection == connection && g_strcmp0 (waiter->path, path) == 0)
        found = waiter;
    }
  if (found == NULL)
    {
      Early *e = g_new0 (Early, 1);

      e->connection = connection;
      e->sender = g_strdup (sender);
      e->path = g_strdup (path);
      e->parameters = g_variant_ref (parameters);
      early = g_list_append (early, e);
    }
  g_mutex_unlock (&lock);

  if (found != NULL)
    deliver (found, sender, parameters);
}

typedef struct
{
  guint id;
  Early *early;
} Late;

/* A waiter whose Response came first gets it from its own main context, as
 * GDBus would have delivered it, unless it unsubscribed meanwhile. */
static gboolean
deliver_late (gpointer data)
{
  Late *late = data;
  Waiter *found = NULL;

  g_mutex_lock (&lock);
  for (GList *l = waiters; l != NULL; l = l->next)
    if (((Waiter *) l->data)->id == late->id)
      found = l->data;
  g_mutex_unlock (&lock);
  if (found != NULL)
    deliver (found, late->early->sender, late->early->parameters);
  g_free (late->early->sender);
  g_free (late->early->path);
  g_variant_unref (late->early->parameters);
  g_free (late->early);
  g_free (late);
  return G_SOURCE_REMOVE;
}

void
g_dbus_connection_call_with_unix_fd_list (GDBusConnection    *connection,
                                          const gchar        *bus_name,
                                          const gchar        *object_path,
                                          const gchar        *interface_name,
                                          const gchar        *method_name,
                                          GVariant           *parameters,
                                          const GVariantType *reply_type,
                                          GDBusCallFlags      flags,
                                          gint                timeout_msec,
                                          GUnixFDList        *fd_list,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data)
{
  static __typeof__ (g_dbus_connection_call_with_unix_fd_list) *real;
  static __typeof__ (g_dbus_connection_signal_subscribe) *subscribe;

  if (real == NULL)
    {
      real = dlsym (RTLD_NEXT, "g_dbus_connection_call_with_unix_fd_list");
      subscribe = dlsym (RTLD_NEXT, "g_dbus_connection_signal_subscribe");
    }
  if (g_strcmp0 (interface_name, "org.freedesktop.portal.Secret") == 0 &&
      g_strcmp0 (method_name, "RetrieveSecret") == 0)
    {
      g_mutex_lock (&lock);
      if (catch_all_id == 0)
        {
          catch_all_connection = g_object_ref (connection);
          catch_all_id = subscribe (connection, PORTAL_NAME, REQUEST_INTERFACE, "Response", NULL, NULL,
                                    G_DBUS_SIGNAL_FLAGS_NO_MATCH_RULE, on_any_response, NULL, NULL);
        }
      g_mutex_unlock (&lock);
    }
  real (connection, bus_name, object_path, interface_name, method_name, parameters, reply_type,
        flags, timeout_msec, fd_list, cancellable, callback, user_data);
}

guint
g_dbus_connection_signal_subscribe (GDBusConnection    *connection,
                                    const gchar        *sender,
                                    const gchar        *interface_name,
                                    const gchar        *member,
                                    const gchar        *object_path,
                                    const gchar        *arg0,
                                    GDBusSignalFlags    flags,
                                    GDBusSignalCallback callback,
                                    gpointer            user_data,
                                    GDestroyNotify      user_data_free_func)
{
  static __typeof__ (g_dbus_connection_signal_subscribe) *real;
  Waiter *waiter;
  Early *came = NULL;

  if (real == NULL)
    real = dlsym (RTLD_NEXT, "g_dbus_connection_signal_subscribe");

  g_mutex_lock (&lock);
  if (connection != catch_all_connection || catch_all_id == 0 ||
      g_strcmp0 (sender, PORTAL_NAME) != 0 || g_strcmp0 (interface_name, REQUEST_INTERFACE) != 0 ||
      g_strcmp0 (member, "Response") != 0 || object_path == NULL ||
      !g_str_has_prefix (object_path, REQUEST_PATH_PREFIX) || arg0 != NULL)
    {
      g_mutex_unlock (&lock);
      return real (connection, sender, interface_name, member, object_path, arg0, flags,
                   callback, user_data, user_data_free_func);
    }

  waiter = g_new0 (Waiter, 1);
  waiter->id = next_id++;
  waiter->connection = connection;
  waiter->path = g_strdup (object_path);
  waiter->callback = callback;
  waiter->user_data = user_data;
  waiter->user_data_free = user_data_free_func;
  waiters = g_list_append (waiters, waiter);
  for (GList *l = early; l != NULL; l = l->next)
    {
      Early *e = l->data;

      if (e->connection == connection && strcmp (e->path, object_path) == 0)
        {
          came = e;
          early = g_list_delete_link (early, l);
          break;
        }
    }
  g_mutex_unlock (&lock);

  if (came != NULL)
    {
      Late *late = g_new0 (Late, 1);
      GSource *idle = g_idle_source_new ();

      /* Never from inside the subscribe call: the caller has not kept
       * the subscription's id yet. */
      late->id = waiter->id;
      late->early = came;
      g_source_set_callback (idle, deliver_late, late, NULL);
      g_source_attach (idle, g_main_context_get_thread_default ());
      g_source_unref (idle);
    }
  return waiter->id;
}

void
g_dbus_connection_signal_unsubscribe (GDBusConnection *connection,
                                      guint            subscription_id)
{
  static __typeof__ (g_dbus_connection_signal_unsubscribe) *real;
  Waiter *found = NULL;

  if (real == NULL)
    real = dlsym (RTLD_NEXT, "g_dbus_connection_signal_unsubscribe");
  if (subscription_id < FIRST_ID)
    {
      real (connection, subscription_id);
      return;
    }
  g_mutex_lock (&lock);
  for (GList *l = waiters; l != NULL; l = l->next)
    if (((Waiter *) l->data)->id == subscription_id)
      {
        found = l->data;
        waiters = g_list_delete_link (waiters, l);
        break;
      }
  g_mutex_unlock (&lock);
  if (found == NULL)
    return;
  if (found->user_data_free != NULL)
    found->user_data_free (found->user_data);
  g_free (found->path);
  g_free (found);
}
