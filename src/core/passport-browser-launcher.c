// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "passport-browser-launcher.h"
#include "passport-error.h"
#include "passport-secure.h"

typedef struct
{
  char *command;
  char *url;
} LaunchData;

static void
launch_data_free (LaunchData *data)
{
  g_free (data->command);
  passport_secure_free (data->url);
  g_free (data);
}

/* Both run in the worker thread: the default handler's lookup reads the
 * desktop files and the MIME cache, and a spawn forks the whole app and
 * waits for the exec; together they held the main loop for 85-129 ms.
 * (GLib 2.74's g_app_info_launch_default_for_uri_async still does the
 * lookup and the fork on the calling thread.) */
static gboolean
launch_command (const char  *command,
                const char  *url,
                GError     **error)
{
  g_auto(GStrv) argv = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) full = NULL;

  if (!g_shell_parse_argv (command, NULL, &argv, error))
    return FALSE;
  g_strv_builder_addv (builder, (const char **) argv);
  g_strv_builder_add (builder, url);
  full = g_strv_builder_end (builder);
  return g_spawn_async (NULL, full, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                        NULL, NULL, NULL, error);
}

static void
launch_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  LaunchData *data = task_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (data->command != NULL)
    ok = launch_command (data->command, data->url, &error);
  else
    ok = g_app_info_launch_default_for_uri (data->url, NULL, &error);

  if (ok)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* The URL is not in the message: it must not reach a log. */
  g_debug ("Could not open a browser: %s", error->message);
  g_task_return_new_error (task, PASSPORT_ERROR, PASSPORT_ERROR_BROWSER_LAUNCH, "%s",
                           passport_error_code_describe (PASSPORT_ERROR_BROWSER_LAUNCH));
}

void
passport_browser_launch_async (const char          *command,
                               const char          *url,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LaunchData *data;

  g_return_if_fail (url != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The environment is read here, on the caller's thread, not in the worker. */
  if (command == NULL)
    {
      command = g_getenv ("PASSPORT_BROWSER");
      if (command != NULL && *command == '\0')
        command = NULL;
    }

  data = g_new0 (LaunchData, 1);
  data->command = g_strdup (command);
  data->url = g_strdup (url);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, passport_browser_launch_async);
  g_task_set_name (task, "[passport] browser launch");
  g_task_set_task_data (task, data, (GDestroyNotify) launch_data_free);
  g_task_run_in_thread (task, launch_thread);
}

gboolean
passport_browser_launch_finish (GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == passport_browser_launch_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
