// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include "passport-browser-launcher.h"
#include "passport-error.h"

static gboolean
launch_failed (GError  *cause,
               GError **error)
{
  /* The URL is not in the message: it must not reach a log. */
  g_debug ("Could not open a browser: %s", cause->message);
  g_set_error_literal (error, PASSPORT_ERROR, PASSPORT_ERROR_BROWSER_LAUNCH,
                       passport_error_code_describe (PASSPORT_ERROR_BROWSER_LAUNCH));
  return FALSE;
}

gboolean
passport_browser_launch_command (const char  *command,
                                 const char  *url,
                                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) full = NULL;

  g_return_val_if_fail (command != NULL, FALSE);
  g_return_val_if_fail (url != NULL, FALSE);

  if (!g_shell_parse_argv (command, NULL, &argv, &local_error))
    return launch_failed (local_error, error);
  g_strv_builder_addv (builder, (const char **) argv);
  g_strv_builder_add (builder, url);
  full = g_strv_builder_end (builder);
  if (!g_spawn_async (NULL, full, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                      NULL, NULL, NULL, &local_error))
    return launch_failed (local_error, error);
  return TRUE;
}

gboolean
passport_browser_launch_default (const char  *url,
                                 GError     **error)
{
  const char *command = g_getenv ("PASSPORT_BROWSER");
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (url != NULL, FALSE);

  if (command != NULL && *command != '\0')
    return passport_browser_launch_command (command, url, error);
  if (!g_app_info_launch_default_for_uri (url, NULL, &local_error))
    return launch_failed (local_error, error);
  return TRUE;
}
