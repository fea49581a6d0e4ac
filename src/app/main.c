// SPDX-License-Identifier: GPL-3.0-or-later
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "passport-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr (PassportApplication) app = NULL;
  const char *localedir = g_getenv ("PASSPORT_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* The tests run the app from the build dir with its own catalogs. */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = passport_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
