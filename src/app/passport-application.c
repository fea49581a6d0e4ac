// SPDX-License-Identifier: GPL-3.0-or-later
//
// The application: one PassportFlow with the system keyring, one window,
// the --server option, the last server in GSettings, About and shortcuts.
#include "config.h"

#include <glib/gi18n.h>
#ifdef G_OS_UNIX
#include <glib-unix.h>
#include <sys/resource.h>
#endif
#include <signal.h>
#include <string.h>

#include "passport-application.h"
#include "passport-flow.h"
#include "passport-system-store.h"
#include "passport-server.h"
#include "passport-stall-probe.h"
#include "passport-window-size.h"
#include "passport-window.h"

/* How long the browser sign-in waits for the callback. */
#define BROWSER_TIMEOUT_SECONDS 300

struct _PassportApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
  PassportFlow   *flow;
  PassportAccounts *accounts;
  gboolean        accounts_loaded;
  gboolean        accounts_flushed;
  char           *server_url;
  gint64          started_at;
  /* PASSPORT_BENCHMARK: a file name to report main-loop stalls to (the
   * app-stalls benchmark), else any value to print the first frame's
   * time and quit (app-first-frame). */
  gboolean        benchmark;
  const char     *stall_report;
};

G_DEFINE_FINAL_TYPE (PassportApplication, passport_application, ADW_TYPE_APPLICATION)

static GSettings *
settings_new_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  /* Running from the build dir without GSETTINGS_SCHEMA_DIR should not
   * abort: the app then simply does not remember the server. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s is not installed", APPLICATION_ID);
      return NULL;
    }
  return g_settings_new (APPLICATION_ID);
}

static void
on_server_changed (PassportApplication *self)
{
  PassportServer *server = passport_flow_get_server (self->flow);

  if (server != NULL && self->settings != NULL)
    {
      g_autoptr(GVariant) client_ids = g_settings_get_value (self->settings, "client-ids");
      g_autoptr(GVariant) redirect_ports = g_settings_get_value (self->settings, "redirect-ports");

      /* Before any sign-in with this server starts. */
      passport_server_apply_settings (server, client_ids, redirect_ports);
      g_settings_set_string (self->settings, "last-server-url", passport_server_get_base_url (server));
    }
}

/* Where to start: the server given with --server (its active account if
 * that is one of its), else the active account, else the last server. */
static void
connect_if_known (PassportApplication *self)
{
  g_autofree char *url = NULL;
  PassportKnownAccount *active = NULL;

  /* Which account is active is read first: a moment, and it decides. */
  if (!self->accounts_loaded)
    return;
  active = passport_accounts_get_active (self->accounts);
  if (self->server_url != NULL)
    {
      g_autofree char *normalized = passport_server_normalize_url (self->server_url, NULL);

      url = g_strdup (self->server_url);
      if (active != NULL && g_strcmp0 (normalized, passport_known_account_get_server_url (active)) != 0)
        active = NULL;
    }
  else if (active != NULL)
    url = g_strdup (passport_known_account_get_server_url (active));
  else if (self->settings != NULL)
    url = g_settings_get_string (self->settings, "last-server-url");

  if (url == NULL || *url == '\0')
    return;
  if (passport_flow_get_state (self->flow) != PASSPORT_FLOW_STATE_NEEDS_SERVER &&
      (self->server_url == NULL ||
       passport_flow_get_state (self->flow) != PASSPORT_FLOW_STATE_SIGNED_OUT))
    return;
  if (active != NULL)
    passport_flow_open_account_async (self->flow, url, passport_known_account_get_account_id (active),
                                      NULL, NULL, NULL);
  else
    passport_flow_set_server_url_async (self->flow, url, NULL, NULL, NULL);
}

static void
accounts_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PassportApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Unreadable: the app still works, with the server it knows. */
  if (!passport_accounts_load_finish (PASSPORT_ACCOUNTS (source), result, &error))
    g_warning ("%s", error->message);
  self->accounts_loaded = TRUE;
  if (gtk_application_get_active_window (GTK_APPLICATION (self)) != NULL)
    connect_if_known (self);
}

static void
on_after_paint (GdkFrameClock       *clock,
                PassportApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  long max_rss_kib = 0;

  if (window == NULL ||
      g_strcmp0 (passport_window_get_visible_page_name (PASSPORT_WINDOW (window)), "sign-in-page") != 0)
    return;

  g_signal_handlers_disconnect_by_func (clock, on_after_paint, self);
#ifdef G_OS_UNIX
  {
    struct rusage usage;

    getrusage (RUSAGE_SELF, &usage);
    max_rss_kib = usage.ru_maxrss;
  }
#endif
  /* Machine-readable lines for the benchmark script (Linux). */
  g_print ("first-frame-ms: %.1f\n", (g_get_monotonic_time () - self->started_at) / 1000.0);
  g_print ("max-rss-kib: %ld\n", max_rss_kib);
  g_application_quit (G_APPLICATION (self));
}

static void
on_window_mapped (GtkWidget           *window,
                  PassportApplication *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), self);
  gtk_widget_queue_draw (window);
}

static void
passport_application_activate (GApplication *application)
{
  PassportApplication *self = PASSPORT_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      g_autofree char *last = NULL;

      passport_stall_probe_enter ("start-up: building the window");
      window = GTK_WINDOW (passport_window_new (GTK_APPLICATION (self), self->flow));
      if (self->settings != NULL)
        {
          last = g_settings_get_string (self->settings, "last-server-url");
          passport_window_size_remember (window, self->settings);
        }
      passport_window_set_server_url (PASSPORT_WINDOW (window), self->server_url ? self->server_url : last);
      if (self->benchmark)
        g_signal_connect (window, "map", G_CALLBACK (on_window_mapped), self);
      passport_stall_probe_leave ();
    }

  connect_if_known (self);
  /* Realizing and mapping the whole window happen here, not in a frame. */
  passport_stall_probe_enter ("start-up: showing the window");
  gtk_window_present (window);
  passport_stall_probe_leave ();
}

static void
set_server_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  PassportApplication *self = user_data;

  g_free (self->server_url);
  self->server_url = g_variant_dup_string (parameter, NULL);
  if (self->flow != NULL)
    {
      GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

      if (window != NULL)
        passport_window_set_server_url (PASSPORT_WINDOW (window), self->server_url);
    }
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  PassportApplication *self = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { "Passport developers", NULL };

  adw_show_about_window (window,
                         "application-name", _("Passport"),
                         "application-icon", APPLICATION_ID,
                         "developer-name", "Passport developers",
                         "version", PACKAGE_VERSION,
                         "website", "https://github.com/passportdesk/passport",
                         "issue-url", "https://github.com/passportdesk/passport/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         /* Translators: your names, one per line */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (user_data));

  /* Closed, not only destroyed: a window keeps its size on close-request. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_activated },
  { .name = "quit", .activate = quit_activated },
  { .name = "set-server", .activate = set_server_activated, .parameter_type = "s" },
};

#ifdef G_OS_UNIX
/* The story stops the app with SIGTERM: quit, so the probe reports. */
static gboolean
on_sigterm (gpointer data)
{
  g_application_quit (G_APPLICATION (data));
  return G_SOURCE_CONTINUE;
}
#endif

static void
passport_application_startup (GApplication *application)
{
  PassportApplication *self = PASSPORT_APPLICATION (application);
  g_autoptr (PassportCredentialStore) store = NULL;
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *help_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (passport_application_parent_class)->startup (application);

  /* The primary instance only: a second launch hands over and ends. */
  if (self->stall_report != NULL)
    {
      passport_stall_probe_start (self->stall_report);
#ifdef G_OS_UNIX
      g_unix_signal_add (SIGTERM, on_sigterm, self);
#endif
    }

  self->settings = settings_new_if_installed ();
  store = passport_system_store_new ();
  self->flow = passport_flow_new (store);
  self->accounts = passport_accounts_new (store, NULL);
  passport_flow_set_accounts (self->flow, self->accounts);
  passport_accounts_load_async (self->accounts, NULL, accounts_loaded_cb, g_object_ref (self));
  passport_flow_set_browser_timeout (self->flow, BROWSER_TIMEOUT_SECONDS);
  g_signal_connect_object (self->flow, "notify::server", G_CALLBACK (on_server_changed),
                           self, G_CONNECT_SWAPPED);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay", help_accels);
}

static int
passport_application_handle_local_options (GApplication *application,
                                           GVariantDict *options)
{
  const char *server = NULL;
  g_autoptr (GError) error = NULL;

  if (g_variant_dict_lookup (options, "server", "&s", &server))
    {
      /* Register first so a running instance receives the address. */
      if (!g_application_register (application, NULL, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_action_group_activate_action (G_ACTION_GROUP (application), "set-server",
                                      g_variant_new_string (server));
    }
  return -1;
}

static void
flushed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PassportApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!passport_accounts_flush_finish (PASSPORT_ACCOUNTS (source), result, &error))
    g_debug ("the list of accounts: %s", error->message);
  self->accounts_flushed = TRUE;
}

static void
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static void
passport_application_shutdown (GApplication *application)
{
  PassportApplication *self = PASSPORT_APPLICATION (application);

  if (self->flow != NULL)
    passport_flow_cancel (self->flow);
  if (self->accounts != NULL)
    {
      /* The list of accounts is a small file: let a write in flight end
       * rather than lose it, waiting at most a couple of seconds, asleep
       * until the write or the deadline wakes the loop. */
      gboolean late = FALSE;
      guint deadline = g_timeout_add_once (2000, set_flag, &late);

      passport_accounts_flush_async (self->accounts, NULL, flushed_cb, g_object_ref (self));
      while (!self->accounts_flushed && !late)
        g_main_context_iteration (NULL, TRUE);
      if (!late)
        g_source_remove (deadline);
    }
  passport_stall_probe_stop ();

  G_APPLICATION_CLASS (passport_application_parent_class)->shutdown (application);
}

static void
passport_application_finalize (GObject *object)
{
  PassportApplication *self = PASSPORT_APPLICATION (object);

  g_clear_object (&self->flow);
  g_clear_object (&self->accounts);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->server_url, g_free);

  G_OBJECT_CLASS (passport_application_parent_class)->finalize (object);
}

static void
passport_application_class_init (PassportApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = passport_application_finalize;
  app_class->activate = passport_application_activate;
  app_class->startup = passport_application_startup;
  app_class->shutdown = passport_application_shutdown;
  app_class->handle_local_options = passport_application_handle_local_options;
}

static void
passport_application_init (PassportApplication *self)
{
  const GOptionEntry entries[] = {
    { "server", 's', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
      N_("Connect to the passport server at URL"), N_("URL") },
    { NULL }
  };

  self->started_at = g_get_monotonic_time ();
  self->stall_report = g_getenv ("PASSPORT_BENCHMARK");
  if (self->stall_report != NULL && strchr (self->stall_report, '/') == NULL)
    {
      self->benchmark = TRUE;
      self->stall_report = NULL;
    }
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Sign in to a passport account and add an e-mail and password to it."));
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
}

PassportApplication *
passport_application_new (void)
{
  return g_object_new (PASSPORT_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/passportdesk/Passport",
                       NULL);
}
