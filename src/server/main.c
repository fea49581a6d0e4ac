// SPDX-License-Identifier: GPL-3.0-or-later
//
// passportd: command line, listening socket, routing, shutdown.
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "pd.h"

static GLogLevelFlags log_threshold = G_LOG_LEVEL_MESSAGE;

/* --test-clock[=SECONDS], --frozen-clock */
static gboolean test_clock;
static gboolean frozen_clock;
static gint64 test_clock_start;

static gboolean
parse_test_clock (const char  *name,
                  const char  *value,
                  gpointer     data,
                  GError     **error)
{
  test_clock = TRUE;
  if (value != NULL && !g_ascii_string_to_signed (value, 10, 0, G_MAXINT32, &test_clock_start, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--test-clock wants a number of seconds, got %s", value);
      return FALSE;
    }
  return TRUE;
}

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  /* Lower numeric value = more severe. */
  if ((level & G_LOG_LEVEL_MASK) > log_threshold)
    return G_LOG_WRITER_HANDLED;
  /* Everything to stderr: stdout carries only the URL line. */
  {
    g_autofree char *line = g_log_writer_format_fields (level, fields, n_fields, FALSE);
    fprintf (stderr, "%s\n", line);
    fflush (stderr);
  }
  return G_LOG_WRITER_HANDLED;
}

static void
free_provider (PdProvider *p)
{
  g_free (p->id);
  g_free (p->name);
  g_free (p);
}

static gboolean
parse_provider (Pd          *pd,
                const char  *spec,
                GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (spec, ":", 3);
  PdProvider *p;

  if (g_strv_length (parts) < 2 || !g_regex_match_simple ("^[a-z0-9_-]{1,32}$", parts[0], 0, 0) ||
      *parts[1] == '\0' || (parts[2] != NULL && !g_str_equal (parts[2], "verified")))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--provider wants ID:NAME[:verified] with ID of a-z, 0-9, _ and -; got %s", spec);
      return FALSE;
    }
  if (pd_find_provider (pd, parts[0]) != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--provider %s given twice", parts[0]);
      return FALSE;
    }

  p = g_new0 (PdProvider, 1);
  p->id = g_strdup (parts[0]);
  p->name = g_strdup (parts[1]);
  p->verified_default = parts[2] != NULL;
  g_ptr_array_add (pd->providers, p);
  return TRUE;
}

static void
log_request (SoupServer        *server,
             SoupServerMessage *msg,
             gpointer           user_data)
{
  /* g_debug() formats the line before the writer drops it */
  if (log_threshold < G_LOG_LEVEL_DEBUG)
    return;
  /* Method, path and status only: queries carry codes and tokens. */
  g_debug ("%s %s -> %u", soup_server_message_get_method (msg),
           g_uri_get_path (soup_server_message_get_uri (msg)),
           soup_server_message_get_status (msg));
}

/* Machine endpoints: JSON for clients that authenticate with a bearer
 * token or a code, never with anything a browser adds by itself, so they
 * answer whatever name the request used. Everything else (the pages,
 * /outbox, unknown paths) checks the Host. A new HTML page under /api/v1
 * belongs in the exceptions here. */
static gboolean
path_is_api (const char *path)
{
  if (g_str_has_prefix (path, "/api/v1/"))
    return !g_str_equal (path, "/api/v1/email/confirm") &&
           !g_str_equal (path, "/api/v1/password/new") &&
           !g_str_equal (path, "/api/v1/identities/link");
  return g_str_equal (path, "/.well-known/openid-configuration") ||
         g_str_equal (path, "/oauth/token") ||
         g_str_equal (path, "/oauth/device") ||
         g_str_equal (path, "/oauth/revoke") ||
         g_str_equal (path, "/oauth/userinfo") ||
         g_str_equal (path, "/oauth/jwks") ||
         g_str_has_prefix (path, "/static/providers/") ||
         /* checks its own Host: loopback only */
         g_str_has_prefix (path, "/_test/");
}

/* Runs once the headers are in, before any body is read: the connection
 * cap, the Host allow-list, and oversized bodies (pd-limits.c cuts any
 * body that goes past the limit anyway, whatever the framing). */
static void
early_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Pd *pd = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  if (!pd_limits_admit (pd, msg))
    return;

  /* a page fetched under a foreign name (DNS rebinding) would let that
   * site read it, /outbox's links included */
  if (!path_is_api (path) && !pd_host_allowed (pd, msg))
    {
      pd_respond_error (msg, SOUP_STATUS_MISDIRECTED_REQUEST, "misdirected_request",
                        "This server does not answer to that host name", NULL);
      /* libsoup 3.2 has no phrase for 421 */
      soup_server_message_set_status (msg, SOUP_STATUS_MISDIRECTED_REQUEST, "Misdirected Request");
    }
  else if (encoding == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > PD_BODY_LIMIT)
    pd_respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "invalid_request",
                      "The body is too large", NULL);
  else if (encoding == SOUP_ENCODING_CHUNKED || encoding == SOUP_ENCODING_EOF)
    pd_respond_error (msg, SOUP_STATUS_LENGTH_REQUIRED, "invalid_request",
                      "The body needs a Content-Length", NULL);
}

static void
handle_terms_page (Pd                *pd,
                   SoupServerMessage *msg)
{
  PdLang lang = pd_request_lang (msg);
  g_autoptr(GString) b = g_string_new ("<pre>");
  g_autofree char *page = NULL;

  pd_html_escape (b, pd_text (lang, PD_T_TERMS_TEXT));
  g_string_append (b, "</pre>");
  page = pd_html_page (lang, pd_text (lang, PD_T_TERMS_TITLE), b->str);
  pd_respond_html (msg, SOUP_STATUS_OK, page);
}

/* POST /_test/clock {"advance": SECONDS} (--test-clock only) moves pd_now()
 * forward and answers the total offset and the new time. A loopback Host
 * only: a page that DNS rebinds to 127.0.0.1 names its own host. */
static void
handle_test_clock (SoupServerMessage *msg)
{
  const char *host = g_uri_get_host (soup_server_message_get_uri (msg));
  g_autoptr(GInetAddress) address = host != NULL ? g_inet_address_new_from_string (host) : NULL;
  const char * const allowed[] = { "advance", NULL };
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autofree char *now = NULL;
  JsonNode *advance;
  gint64 seconds;

  if (g_strcmp0 (host, "localhost") != 0 && (address == NULL || !g_inet_address_get_is_loopback (address)))
    {
      pd_respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                        "The test clock answers a loopback Host only", NULL);
      return;
    }
  body = pd_request_json (msg);
  if (body == NULL || !pd_json_only_members (msg, body, allowed))
    return;
  advance = json_object_get_member (body, "advance");
  if (advance == NULL || !JSON_NODE_HOLDS_VALUE (advance) ||
      json_node_get_value_type (advance) != G_TYPE_INT64 ||
      (seconds = json_node_get_int (advance)) < 0 || seconds > G_MAXINT32)
    {
      pd_respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                        "advance must be a whole number of seconds, 0 or more", NULL);
      return;
    }

  answer = json_object_new ();
  json_object_set_int_member (answer, "offset", pd_clock_advance (seconds));
  now = pd_rfc3339 (pd_now ());
  json_object_set_string_member (answer, "now", now);
  g_info ("test clock advanced by %" G_GINT64_FORMAT " s", seconds);
  pd_respond_object (msg, SOUP_STATUS_OK, answer);
}

/* POST /_test/prune (--test-clock only): the timer's pruning, now and to
 * the end; answers the rows deleted by table. */
static void
handle_test_prune (Pd                *pd,
                   SoupServerMessage *msg)
{
  const char *host = g_uri_get_host (soup_server_message_get_uri (msg));
  g_autoptr(GInetAddress) address = host != NULL ? g_inet_address_new_from_string (host) : NULL;
  g_autoptr(JsonObject) counts = json_object_new ();

  if (g_strcmp0 (host, "localhost") != 0 && (address == NULL || !g_inet_address_get_is_loopback (address)))
    {
      pd_respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                        "The test clock answers a loopback Host only", NULL);
      return;
    }
  while (pd_db_prune (pd, G_MAXINT32, counts) > 0)
    ;
  pd_respond_object (msg, SOUP_STATUS_OK, counts);
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Pd *pd = user_data;
  const char *method = soup_server_message_get_method (msg);
  gboolean get = g_str_equal (method, "GET") || g_str_equal (method, "HEAD");

  pd_db_request_begin (pd);
  if (g_str_has_prefix (path, "/api/v1/"))
    pd_handle_api (pd, msg, path + strlen ("/api/v1"), query);
  else if (g_str_equal (path, "/.well-known/openid-configuration") && get)
    pd_handle_discovery (pd, msg);
  else if (g_str_equal (path, "/oauth/authorize") && get)
    pd_handle_authorize (pd, msg, query);
  else if (g_str_equal (path, "/oauth/social") && g_str_equal (method, "POST"))
    pd_handle_social (pd, msg);
  else if (g_str_equal (path, "/oauth/token"))
    pd_handle_token (pd, msg);
  else if (g_str_equal (path, "/oauth/revoke"))
    pd_handle_revoke (pd, msg);
  else if (g_str_equal (path, "/oauth/device") && pd_feature_on (pd, PD_FEATURE_DEVICE))
    pd_handle_device_authorization (pd, msg);
  else if (g_str_equal (path, "/device") && pd_feature_on (pd, PD_FEATURE_DEVICE) &&
           (get || g_str_equal (method, "POST")))
    pd_handle_device_page (pd, msg, query);
  else if (g_str_equal (path, "/oauth/userinfo") && (get || g_str_equal (method, "POST")))
    pd_handle_userinfo (pd, msg);
  else if (g_str_equal (path, "/oauth/jwks") && get)
    pd_handle_jwks (pd, msg);
  else if (g_str_equal (path, "/terms") && get)
    handle_terms_page (pd, msg);
  else if (g_str_has_prefix (path, "/static/providers/") && g_str_has_suffix (path, ".svg") && get)
    {
      g_autofree char *id = g_strndup (path + strlen ("/static/providers/"),
                                       strlen (path) - strlen ("/static/providers/") - 4);
      pd_handle_icon (pd, msg, id);
    }
  else if (g_str_equal (path, "/outbox") && pd->dev_outbox && get)
    pd_handle_outbox (pd, msg);
  else if (g_str_equal (path, "/_test/clock") && pd->test_clock && g_str_equal (method, "POST"))
    handle_test_clock (msg);
  else if (g_str_equal (path, "/_test/prune") && pd->test_clock && g_str_equal (method, "POST"))
    handle_test_prune (pd, msg);
  else
    pd_respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", "No such endpoint", NULL);
  pd_db_request_end (pd);
}

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gboolean
parse_listen (const char      *listen,
              GInetAddress   **address,
              guint           *port,
              GError         **error)
{
  const char *colon = strrchr (listen, ':');
  g_autofree char *host = NULL;
  guint64 p;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &p, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--listen wants ADDRESS:PORT, got %s", listen);
      return FALSE;
    }
  host = g_strndup (listen, colon - listen);
  if (host[0] == '[' && g_str_has_suffix (host, "]"))
    {
      char *inner = g_strndup (host + 1, strlen (host) - 2);
      g_free (host);
      host = inner;
    }
  *address = g_inet_address_new_from_string (host);
  if (*address == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--listen wants an IP address, got %s", host);
      return FALSE;
    }
  *port = (guint) p;
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *listen = NULL;
  g_autofree char *database = NULL;
  g_autofree char *maildir = NULL;
  g_autofree char *public_url = NULL;
  g_autofree char *smtp = NULL;
  g_autofree char *log_level = NULL;
  g_autofree char *features = NULL;
  g_autofree char *secret_key_file = NULL;
  g_auto(GStrv) provider_specs = NULL;
  gboolean dev_outbox = FALSE;
  gint64 access_ttl = 900, resend_delay = 60, confirm_ttl = 86400, window = 900;
  int max_failed = 5;
  int max_connections = PD_MAX_CONNECTIONS, max_waiters = PD_MAX_WAITERS_PER_ACCOUNT;
  int idle_timeout = PD_IDLE_TIMEOUT;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) sockaddr = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *bound = NULL;
  guint port = 0;
  Pd pd = { 0 };
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen, "Address and port (port 0 = any free one)", "ADDR:PORT" },
    { "database", 0, 0, G_OPTION_ARG_FILENAME, &database, "SQLite database, or :memory:", "PATH" },
    { "secret-key-file", 0, 0, G_OPTION_ARG_FILENAME, &secret_key_file,
      "Key that encrypts TOTP secrets, made at first start (default: the database path + .key)", "PATH" },
    { "maildir", 0, 0, G_OPTION_ARG_FILENAME, &maildir, "Maildir that receives every mail", "DIR" },
    { "public-url", 0, 0, G_OPTION_ARG_STRING, &public_url, "Issuer and base of published URLs", "URL" },
    { "provider", 0, 0, G_OPTION_ARG_STRING_ARRAY, &provider_specs, "A stand-in social network (repeatable)", "ID:NAME[:verified]" },
    { "smtp", 0, 0, G_OPTION_ARG_STRING, &smtp, "Also send mail through this SMTP relay", "HOST[:PORT]" },
    { "dev-outbox", 0, 0, G_OPTION_ARG_NONE, &dev_outbox, "Serve /outbox with sent mails (development only)", NULL },
    { "features", 0, 0, G_OPTION_ARG_STRING, &features,
      "Optional features offered: a list (password_reset,otp,app_passwords,sessions,device,delete_account), or -NAME to turn one off; all by default",
      "LIST" },
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &log_level, "error, warning, info or debug", "LEVEL" },
    { "access-token-ttl", 0, 0, G_OPTION_ARG_INT64, &access_ttl, "Access token lifetime (900)", "SECONDS" },
    { "resend-delay", 0, 0, G_OPTION_ARG_INT64, &resend_delay, "Delay before a mail may be resent (60)", "SECONDS" },
    { "confirm-ttl", 0, 0, G_OPTION_ARG_INT64, &confirm_ttl, "Confirmation link lifetime (86400)", "SECONDS" },
    { "max-failed-passwords", 0, 0, G_OPTION_ARG_INT, &max_failed, "Failed passwords allowed per window (5)", "N" },
    { "failed-password-window", 0, 0, G_OPTION_ARG_INT64, &window, "Window for failed passwords (900)", "SECONDS" },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &max_connections, "Open connections allowed (1024)", "N" },
    { "max-waiters-per-account", 0, 0, G_OPTION_ARG_INT, &max_waiters, "Long polls allowed per account (32)", "N" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_timeout, "Seconds a connection may wait for a request (5)", "SECONDS" },
    { "test-clock", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, parse_test_clock,
      "For tests only: the clock starts SECONDS ahead (0) and POST /_test/clock moves it; "
      "needs PASSPORTD_TESTING=1 and a loopback --listen", "[SECONDS]" },
    { "frozen-clock", 0, 0, G_OPTION_ARG_NONE, &frozen_clock,
      "For tests only, with --test-clock: the clock does not follow the real one, only POST /_test/clock moves it", NULL },
    { NULL }
  };

  context = g_option_context_new ("— the reference Passport server");
  g_option_context_set_summary (context,
                                "Implements the Passport API with stand-in social networks, a SQLite\n"
                                "database and a Maildir. Prints its base URL as the first line on stdout.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("passportd: %s\n", error->message);
      return 2;
    }

  if (log_level == NULL || g_str_equal (log_level, "warning"))
    log_threshold = G_LOG_LEVEL_MESSAGE;
  else if (g_str_equal (log_level, "error"))
    log_threshold = G_LOG_LEVEL_CRITICAL;
  else if (g_str_equal (log_level, "info"))
    log_threshold = G_LOG_LEVEL_INFO;
  else if (g_str_equal (log_level, "debug"))
    log_threshold = G_LOG_LEVEL_DEBUG;
  else
    {
      g_printerr ("passportd: --log-level wants error, warning, info or debug\n");
      return 2;
    }
  g_log_set_writer_func (log_writer, NULL, NULL);

  if (access_ttl < 1 || resend_delay < 0 || confirm_ttl < 1 || window < 1 || max_failed < 1 ||
      max_connections < 1 || max_waiters < 1 || idle_timeout < 1)
    {
      g_printerr ("passportd: the durations and the limits must be positive\n");
      return 2;
    }

  pd.access_token_ttl = access_ttl;
  pd.resend_delay = resend_delay;
  pd.confirm_ttl = confirm_ttl;
  pd.failed_password_window = window;
  pd.max_failed_passwords = (guint) max_failed;
  pd.dev_outbox = dev_outbox;
  pd.max_connections = (guint) max_connections;
  pd.max_waiters_per_account = (guint) max_waiters;
  pd.idle_timeout = (guint) idle_timeout;
  pd.test_clock = test_clock;
  pd.features = PD_FEATURES_ALL;
  if (features != NULL && !pd_features_parse (features, &pd.features, &error))
    {
      g_printerr ("passportd: %s\n", error->message);
      return 2;
    }
  pd.providers = g_ptr_array_new_with_free_func ((GDestroyNotify) free_provider);
  pd.waiters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (provider_specs == NULL)
    {
      const char *defaults[] = { "google:Google", "vk:VK", "yandex:Yandex" };
      for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
        parse_provider (&pd, defaults[i], NULL);
    }
  for (guint i = 0; provider_specs != NULL && provider_specs[i] != NULL; i++)
    if (!parse_provider (&pd, provider_specs[i], &error))
      {
        g_printerr ("passportd: %s\n", error->message);
        return 2;
      }

  if (smtp != NULL)
    pd.smtp = g_strdup (smtp);

  if (!parse_listen (listen != NULL ? listen : "127.0.0.1:8765", &address, &port, &error))
    {
      g_printerr ("passportd: %s\n", error->message);
      return 2;
    }

  if (frozen_clock && !test_clock)
    {
      g_printerr ("passportd: --frozen-clock goes with --test-clock\n");
      return 2;
    }
  /* A clock that anyone may move defeats every lifetime of the contract. */
  if (test_clock && g_strcmp0 (g_getenv ("PASSPORTD_TESTING"), "1") != 0)
    {
      g_printerr ("passportd: --test-clock is for tests only; they set PASSPORTD_TESTING=1\n");
      return 2;
    }
  if (test_clock && !g_inet_address_get_is_loopback (address))
    {
      g_printerr ("passportd: --test-clock wants a loopback --listen address\n");
      return 2;
    }
  if (test_clock)
    {
      pd_clock_advance (test_clock_start);
      if (frozen_clock)
        pd_clock_freeze ();
      g_message ("test clock: POST /_test/clock moves the clock (%" G_GINT64_FORMAT " s ahead now)",
                 test_clock_start);
    }

  if (database == NULL)
    database = g_build_filename (g_get_user_data_dir (), "passportd", "passportd.sqlite3", NULL);
  if (maildir == NULL)
    maildir = g_build_filename (g_get_user_data_dir (), "passportd", "Maildir", NULL);
  pd.maildir = g_strdup (maildir);

  /* Beside the database by default, in a file of its own: a copy of the
   * database alone does not give the TOTP secrets away. */
  if (secret_key_file == NULL && !g_str_equal (database, ":memory:"))
    secret_key_file = g_strconcat (database, ".key", NULL);

  if (!pd_db_open (&pd, database, &error) ||
      !pd_secret_key_load (secret_key_file, pd.secret_key, &error) ||
      !pd_maildir_prepare (maildir, &error) ||
      !pd_keys_load (&pd, &error))
    {
      g_printerr ("passportd: %s\n", error->message);
      return 1;
    }
  pd.dummy_hash = pd_password_hash ("passportd dummy password, never a real one");

  pd.server = soup_server_new ("server-header", "passportd/" PACKAGE_VERSION, NULL);
  soup_server_add_early_handler (pd.server, NULL, early_handler, &pd, NULL);
  soup_server_add_handler (pd.server, NULL, handler, &pd, NULL);
  g_signal_connect (pd.server, "request-finished", G_CALLBACK (log_request), NULL);
  pd_limits_watch (&pd);

  sockaddr = g_inet_socket_address_new (address, port);
  if (!pd_listen (&pd, sockaddr, &error))
    {
      g_printerr ("passportd: cannot listen on %s: %s\n",
                  listen != NULL ? listen : "127.0.0.1:8765", error->message);
      return 1;
    }

  uris = soup_server_get_uris (pd.server);
  if (uris != NULL)
    {
      GUri *uri = uris->data;
      g_autoptr(GUri) clean = g_uri_build (G_URI_FLAGS_NONE, "http", NULL, g_uri_get_host (uri),
                                           g_uri_get_port (uri), "", NULL, NULL);
      bound = g_uri_to_string (clean);
      pd.port = (guint) g_uri_get_port (uri);
    }
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  if (public_url != NULL)
    {
      g_autoptr(GUri) parsed = g_uri_parse (public_url, G_URI_FLAGS_NONE, NULL);
      if (parsed == NULL || (g_strcmp0 (g_uri_get_scheme (parsed), "http") != 0 &&
                             g_strcmp0 (g_uri_get_scheme (parsed), "https") != 0))
        {
          g_printerr ("passportd: --public-url wants an http or https URL\n");
          return 2;
        }
      pd.public_url = g_strdup (public_url);
    }
  else
    pd.public_url = g_strdup (bound);
  while (g_str_has_suffix (pd.public_url, "/"))
    pd.public_url[strlen (pd.public_url) - 1] = '\0';

  /* Signals first: a script may stop the server right after the URL line. */
  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_unix_signal_add (SIGTERM, on_signal, loop);

  /* The contract with tests and scripts: the first stdout line is the URL. */
  printf ("%s\n", bound);
  fflush (stdout);
  g_message ("listening on %s (public URL %s)", bound, pd.public_url);

  /* with the test clock, tests prune when they choose (POST /_test/prune),
   * so that what a test counts is not gone by itself a moment before */
  if (!pd.test_clock)
    pd_db_prune_start (&pd);
  g_main_loop_run (loop);
  pd_db_prune_stop (&pd);

  g_message ("shutting down");
  pd_waiters_flush (&pd);
  soup_server_disconnect (pd.server);
  g_clear_object (&pd.server);
  pd_limits_free (&pd);
  pd_keys_free (&pd);
  pd_db_close (&pd);
  explicit_bzero (pd.secret_key, sizeof pd.secret_key);
  g_clear_pointer (&pd.providers, g_ptr_array_unref);
  g_clear_pointer (&pd.waiters, g_hash_table_unref);
  g_free (pd.public_url);
  g_free (pd.maildir);
  g_free (pd.smtp);
  g_free (pd.dummy_hash);

  return 0;
}
