// SPDX-License-Identifier: GPL-3.0-or-later
/* The harness of the passportd tests: the server as a child process on an
 * ephemeral loopback port with its own database and Maildir, a scripted
 * HTTP client standing in for the browser, and readers for the mail. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>

#include "pd-test-server.h"

/* ------------------------------------------------------------------ */
/* passportd                                                           */
/* ------------------------------------------------------------------ */

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

typedef struct
{
  char *line;
  GError *error;
  gboolean done;
} LineRead;

static void
line_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                          result, NULL, &read->error);
  read->done = TRUE;
}

static gboolean
line_timeout_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static PdServer *
server_spawn (const char * const *args,
              gint64              clock_offset)
{
  const char *exe = g_getenv ("PASSPORTD");
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  LineRead read = { 0 };
  PdServer *server;

  if (exe == NULL)
    g_error ("PASSPORTD is not set: run the tests through meson test");

  server = g_new0 (PdServer, 1);
  server->dir = g_dir_make_tmp ("passportd-test-XXXXXX", &error);
  g_assert_no_error (error);
  server->database = g_build_filename (server->dir, "db.sqlite3", NULL);
  server->maildir = g_build_filename (server->dir, "Maildir", NULL);

  g_ptr_array_add (argv, g_strdup (exe));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1:0"));
  g_ptr_array_add (argv, g_strdup ("--database"));
  g_ptr_array_add (argv, g_strdup (server->database));
  g_ptr_array_add (argv, g_strdup ("--maildir"));
  g_ptr_array_add (argv, g_strdup (server->maildir));
  g_ptr_array_add (argv, g_strdup_printf ("--test-clock=%" G_GINT64_FORMAT, clock_offset));
  server->clock_offset = clock_offset;
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

    /* A failed assertion aborts the test: the server must not outlive it
     * (it holds the test's stderr, and meson would wait for the timeout). */
    g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
    g_subprocess_launcher_setenv (launcher, "PASSPORTD_TESTING", "1", TRUE);
    server->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  }
  g_assert_no_error (error);

  /* Read the first line on a private context, with a deadline. */
  g_main_context_push_thread_default (context);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, cancellable,
                                       line_read_cb, &read);
  timeout = g_timeout_source_new_seconds (10);
  g_source_set_callback (timeout, line_timeout_cb, cancellable, NULL);
  g_source_attach (timeout, context);
  while (!read.done)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);

  if (read.error != NULL || read.line == NULL)
    {
      g_subprocess_force_exit (server->process);
      g_error ("passportd gave no URL within 10 s: %s",
               read.error ? read.error->message : "end of output");
    }

  server->url = g_strstrip (read.line);
  /* no trailing slash, so url + "/path" works */
  while (g_str_has_suffix (server->url, "/"))
    server->url[strlen (server->url) - 1] = '\0';
  uri = g_uri_parse (server->url, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_uri_get_scheme (uri), ==, "http");
  g_assert_cmpint (g_uri_get_port (uri), >, 0);
  server->port = g_uri_get_port (uri);
  server->issuer = g_strdup (server->url);
  for (guint i = 0; args != NULL && args[i] != NULL && args[i + 1] != NULL; i++)
    if (g_str_equal (args[i], "--public-url"))
      {
        g_free (server->issuer);
        server->issuer = g_strdup (args[i + 1]);
      }
  return server;
}

PdServer *
pd_server_startv (const char * const *args)
{
  return server_spawn (args, 0);
}

PdServer *
pd_server_start (const char *first_arg,
                 ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return pd_server_startv ((const char * const *) args->pdata);
}

PdServer *
pd_server_restart_with (PdServer   *stopped,
                        const char *extra_arg)
{
  g_autofree char *listen = NULL;
  PdServer *again;

  g_assert_true (g_str_has_prefix (stopped->url, "http://"));
  listen = g_strdup (stopped->url + strlen ("http://"));
  {
    const char * const args[] = { "--listen", listen, "--database", stopped->database, extra_arg, NULL };

    again = server_spawn (args, stopped->clock_offset);
  }
  g_assert_cmpstr (again->url, ==, stopped->url);
  return again;
}

PdServer *
pd_server_restart (PdServer *stopped)
{
  return pd_server_restart_with (stopped, NULL);
}

void
pd_server_stop (PdServer *server)
{
  g_autoptr(GError) error = NULL;

  if (server->process == NULL)
    return;
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server->process));
  g_assert_cmpint (g_subprocess_get_exit_status (server->process), ==, 0);
  g_clear_object (&server->process);
}

void
pd_server_free (PdServer *server)
{
  if (server == NULL)
    return;
  if (server->process != NULL)
    {
      /* free without stop: an assertion has already failed, or the test
       * does not care how the server ends */
      g_subprocess_send_signal (server->process, SIGTERM);
      g_subprocess_wait (server->process, NULL, NULL);
      g_clear_object (&server->process);
    }
  remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->database);
  g_free (server->maildir);
  g_free (server->url);
  g_free (server->issuer);
  g_free (server);
}

void
pd_server_advance_clock (PdServer *server,
                         gint64    seconds)
{
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *body = g_strdup_printf ("{\"advance\": %" G_GINT64_FORMAT "}", seconds);
  g_autoptr(PdResponse) r = pd_client_post_json (client, "/_test/clock", NULL, body);
  JsonObject *answer;

  pd_assert_response (r, 200, NULL);
  answer = pd_response_object (r);
  server->clock_offset += seconds;
  g_assert_cmpint (json_object_get_int_member (answer, "offset"), ==, server->clock_offset);
}

JsonObject *
pd_server_prune (PdServer *server)
{
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) r = pd_client_post_json (client, "/_test/prune", NULL, "{}");

  pd_assert_response (r, 200, NULL);
  return json_object_ref (pd_response_object (r));
}

gint64
pd_prune_count (JsonObject *counts,
                const char *table)
{
  return json_object_has_member (counts, table) ? json_object_get_int_member (counts, table) : 0;
}

char *
pd_server_url (PdServer   *server,
               const char *path)
{
  if (g_str_has_prefix (path, "http://") || g_str_has_prefix (path, "https://"))
    return g_strdup (path);
  return g_strconcat (server->url, path, NULL);
}

/* ------------------------------------------------------------------ */
/* Responses                                                           */
/* ------------------------------------------------------------------ */

void
pd_response_free (PdResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_clear_pointer (&response->json, json_node_unref);
  g_free (response->text);
  g_free (response);
}

JsonObject *
pd_response_object (PdResponse *response)
{
  if (response->json == NULL || !JSON_NODE_HOLDS_OBJECT (response->json))
    g_error ("expected a JSON object (status %u): %.400s", response->status, response->text);
  return json_node_get_object (response->json);
}

const char *
pd_response_string (PdResponse *response,
                    const char *member)
{
  JsonObject *object = pd_response_object (response);
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    g_error ("member %s is not a string: %.400s", member, response->text);
  return json_node_get_string (node);
}

const char *
pd_response_header (PdResponse *response,
                    const char *name)
{
  return soup_message_headers_get_one (response->headers, name);
}

void
pd_assert_response_impl (PdResponse *response,
                         guint       status,
                         const char *error,
                         const char *file,
                         int         line)
{
  if (response->status != status)
    {
      g_autofree char *msg = g_strdup_printf ("expected status %u, got %u; body: %.600s",
                                              status, response->status, response->text);
      g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
    }
  if (error != NULL)
    {
      const char *type = soup_message_headers_get_content_type (response->headers, NULL);
      JsonObject *object;
      const char *got;

      if (type == NULL || strcmp (type, "application/json") != 0 || response->json == NULL ||
          !JSON_NODE_HOLDS_OBJECT (response->json))
        {
          g_autofree char *msg = g_strdup_printf ("expected a JSON error %s, got %s: %.600s",
                                                  error, type ? type : "(no type)", response->text);
          g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
          return;
        }
      object = json_node_get_object (response->json);
      got = json_object_get_string_member_with_default (object, "error", NULL);
      if (g_strcmp0 (got, error) != 0 ||
          json_object_get_string_member_with_default (object, "error_description", NULL) == NULL)
        {
          g_autofree char *msg = g_strdup_printf ("expected error %s with error_description, got: %.600s",
                                                  error, response->text);
          g_assertion_message (G_LOG_DOMAIN, file, line, G_STRFUNC, msg);
        }
    }
}

static void
put (GHashTable *table,
     const char *key,
     const char *value)
{
  g_hash_table_insert (table, (gpointer) key, (gpointer) value);
}

/* ------------------------------------------------------------------ */
/* Client                                                              */
/* ------------------------------------------------------------------ */

PdClient *
pd_client_new (PdServer *server)
{
  PdClient *client = g_new0 (PdClient, 1);

  client->server = server;
  /* long polls wait up to 60 s */
  /* no proxy: all test traffic stays on loopback */
  client->session = soup_session_new_with_options ("timeout", 120,
                                                   "proxy-resolver", NULL,
                                                   "max-conns", 16,
                                                   "max-conns-per-host", 8,
                                                   NULL);
  client->jar = soup_cookie_jar_new ();
  soup_cookie_jar_set_accept_policy (client->jar, SOUP_COOKIE_JAR_ACCEPT_ALWAYS);
  soup_session_add_feature (client->session, SOUP_SESSION_FEATURE (client->jar));
  return client;
}

void
pd_client_free (PdClient *client)
{
  if (client == NULL)
    return;
  g_clear_object (&client->jar);
  g_clear_object (&client->session);
  g_free (client->accept_language);
  g_free (client);
}

void
pd_client_set_language (PdClient   *client,
                        const char *accept_language)
{
  g_free (client->accept_language);
  client->accept_language = g_strdup (accept_language);
}

PdResponse *
pd_client_send (PdClient           *client,
                const char         *method,
                const char         *path,
                const char         *bearer,
                const char         *content_type,
                GBytes             *body,
                const char * const *extra_headers)
{
  g_autofree char *url = pd_server_url (client->server, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SoupMessageHeaders *request_headers;
  PdResponse *response;
  const char *type;

  if (msg == NULL)
    g_error ("cannot make a request of %s", path);
  request_headers = soup_message_get_request_headers (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  /* a top-level, same-site navigation, as a browser would send it, so the
   * jar sends SameSite=Strict cookies */
  soup_message_set_site_for_cookies (msg, soup_message_get_uri (msg));
  soup_message_set_first_party (msg, soup_message_get_uri (msg));
  soup_message_set_is_top_level_navigation (msg, TRUE);
  if (bearer != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", bearer);
      soup_message_headers_replace (request_headers, "Authorization", value);
    }
  if (client->accept_language != NULL)
    soup_message_headers_replace (request_headers, "Accept-Language", client->accept_language);
  for (guint i = 0; extra_headers != NULL && extra_headers[i] != NULL && extra_headers[i + 1] != NULL; i += 2)
    soup_message_headers_replace (request_headers, extra_headers[i], extra_headers[i + 1]);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);

  bytes = soup_session_send_and_read (client->session, msg, NULL, &error);
  if (error != NULL)
    g_error ("%s %s failed: %s", method, path, error->message);

  response = g_new0 (PdResponse, 1);
  response->status = soup_message_get_status (msg);
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  response->body = g_steal_pointer (&bytes);
  response->text = g_strndup (g_bytes_get_data (response->body, NULL),
                              g_bytes_get_size (response->body));
  type = soup_message_headers_get_content_type (response->headers, NULL);
  if (type != NULL && strcmp (type, "application/json") == 0 && g_bytes_get_size (response->body) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      if (json_parser_load_from_data (parser, response->text, -1, NULL))
        response->json = json_node_ref (json_parser_get_root (parser));
    }
  return response;
}

PdResponse *
pd_client_get (PdClient   *client,
               const char *path,
               const char *bearer)
{
  return pd_client_send (client, "GET", path, bearer, NULL, NULL, NULL);
}

PdResponse *
pd_client_delete (PdClient   *client,
                  const char *path,
                  const char *bearer)
{
  return pd_client_send (client, "DELETE", path, bearer, NULL, NULL, NULL);
}

PdResponse *
pd_client_post_formv (PdClient   *client,
                      const char *path,
                      const char *bearer,
                      GHashTable *fields)
{
  char *form = soup_form_encode_hash (fields);
  g_autoptr(GBytes) body = g_bytes_new_take (form, strlen (form));

  return pd_client_send (client, "POST", path, bearer,
                         "application/x-www-form-urlencoded", body, NULL);
}

PdResponse *
pd_client_post_form (PdClient   *client,
                     const char *path,
                     const char *bearer,
                     const char *first_field,
                     ...)
{
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  va_list ap;

  va_start (ap, first_field);
  for (const char *name = first_field; name != NULL; name = va_arg (ap, const char *))
    {
      const char *value = va_arg (ap, const char *);

      g_assert_nonnull (value);
      g_hash_table_insert (fields, (gpointer) name, (gpointer) value);
    }
  va_end (ap);
  return pd_client_post_formv (client, path, bearer, fields);
}

PdResponse *
pd_client_post_json (PdClient   *client,
                     const char *path,
                     const char *bearer,
                     const char *json)
{
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  return pd_client_send (client, "POST", path, bearer, "application/json", body, NULL);
}

PdResponse *
pd_client_put_json (PdClient   *client,
                    const char *path,
                    const char *bearer,
                    const char *json)
{
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  return pd_client_send (client, "PUT", path, bearer, "application/json", body, NULL);
}

/* ------------------------------------------------------------------ */
/* Small things                                                        */
/* ------------------------------------------------------------------ */

char *
pd_base64url_encode (const guchar *data,
                     gsize         len)
{
  char *text = g_base64_encode (data, len);
  gsize n = strlen (text);

  for (gsize i = 0; i < n; i++)
    {
      if (text[i] == '+')
        text[i] = '-';
      else if (text[i] == '/')
        text[i] = '_';
    }
  while (n > 0 && text[n - 1] == '=')
    text[--n] = '\0';
  return text;
}

guchar *
pd_base64url_decode (const char *text,
                     gsize      *out_len)
{
  gsize n = strlen (text);
  g_autoptr(GString) padded = g_string_sized_new (n + 4);

  for (gsize i = 0; i < n; i++)
    {
      char c = text[i];

      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
      g_string_append_c (padded, c);
    }
  if (n % 4 == 1)
    return NULL;
  while (padded->len % 4 != 0)
    g_string_append_c (padded, '=');
  return g_base64_decode (padded->str, out_len);
}

char *
pd_pkce_challenge (const char *verifier)
{
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (sha, (const guchar *) verifier, strlen (verifier));
  g_checksum_get_digest (sha, digest, &len);
  return pd_base64url_encode (digest, len);
}

char *
pd_json_strings (const char *first_member,
                 ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  va_list ap;

  json_builder_begin_object (builder);
  va_start (ap, first_member);
  for (const char *name = first_member; name != NULL; name = va_arg (ap, const char *))
    {
      const char *value = va_arg (ap, const char *);

      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, value);
    }
  va_end (ap);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

char *
pd_random_string (guint len)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  char *text = g_malloc (len + 1);

  for (guint i = 0; i < len; i++)
    text[i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
  text[len] = '\0';
  return text;
}

char *
pd_unique_email (const char *who)
{
  static gint counter;
  g_autofree char *tag = pd_random_string (6);

  g_autofree char *email = g_strdup_printf ("%s-%s%d@example.com", who, tag,
                                            g_atomic_int_add (&counter, 1));

  return g_ascii_strdown (email, -1);
}

JsonObject *
pd_jwt_payload (const char *jwt)
{
  g_auto(GStrv) parts = g_strsplit (jwt, ".", -1);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree guchar *payload = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  payload = pd_base64url_decode (parts[1], &len);
  g_assert_nonnull (payload);
  text = g_strndup ((const char *) payload, len);
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* ------------------------------------------------------------------ */
/* Browser sign-in                                                     */
/* ------------------------------------------------------------------ */

PdAuthRequest *
pd_auth_request_new (void)
{
  PdAuthRequest *request = g_new0 (PdAuthRequest, 1);

  request->client_id = g_strdup (PD_CLIENT_ID);
  request->redirect_uri = g_strdup_printf ("http://127.0.0.1:%d/callback",
                                           g_random_int_range (20000, 60000));
  request->state = pd_random_string (22);
  request->nonce = pd_random_string (22);
  request->verifier = pd_random_string (64);
  request->challenge = pd_pkce_challenge (request->verifier);
  return request;
}

void
pd_auth_request_free (PdAuthRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->client_id);
  g_free (request->redirect_uri);
  g_free (request->state);
  g_free (request->nonce);
  g_free (request->verifier);
  g_free (request->challenge);
  g_free (request);
}

char *
pd_auth_request_url (PdServer      *server,
                     PdAuthRequest *request,
                     const char    *provider)
{
  g_autoptr(GHashTable) query = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *encoded = NULL;

  put (query, "response_type", "code");
  put (query, "client_id", request->client_id);
  put (query, "redirect_uri", request->redirect_uri);
  put (query, "scope", "openid profile email passport");
  put (query, "state", request->state);
  put (query, "nonce", request->nonce);
  put (query, "code_challenge", request->challenge);
  put (query, "code_challenge_method", "S256");
  if (provider != NULL)
    put (query, "provider", provider);
  encoded = soup_form_encode_hash (query);
  return g_strdup_printf ("%s/oauth/authorize?%s", server->url, encoded);
}

char *
pd_html_unescape (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p != '&')
        g_string_append_c (out, *p);
      else if (g_str_has_prefix (p, "&amp;"))
        g_string_append_c (out, '&'), p += 4;
      else if (g_str_has_prefix (p, "&quot;"))
        g_string_append_c (out, '"'), p += 5;
      else if (g_str_has_prefix (p, "&#39;"))
        g_string_append_c (out, '\''), p += 4;
      else if (g_str_has_prefix (p, "&lt;"))
        g_string_append_c (out, '<'), p += 3;
      else if (g_str_has_prefix (p, "&gt;"))
        g_string_append_c (out, '>'), p += 3;
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char *
pd_html_input_value (const char *html,
                     const char *attr,
                     const char *value_of_attr)
{
  g_autofree char *pattern = g_strdup_printf ("<input[^>]*\\b%s=\"%s\"[^>]*>", attr, value_of_attr);
  g_autoptr(GRegex) input = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GRegex) value = g_regex_new ("\\bvalue=\"([^\"]*)\"", 0, 0, NULL);
  g_autoptr(GMatchInfo) m1 = NULL;
  g_autoptr(GMatchInfo) m2 = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *raw = NULL;

  if (!g_regex_match (input, html, 0, &m1))
    return NULL;
  tag = g_match_info_fetch (m1, 0);
  if (!g_regex_match (value, tag, 0, &m2))
    return NULL;
  raw = g_match_info_fetch (m2, 1);
  return pd_html_unescape (raw);
}

void
pd_social_page_free (PdSocialPage *page)
{
  if (page == NULL)
    return;
  pd_response_free (page->response);
  g_free (page->flow);
  g_free (page->csrf);
  g_free (page);
}

PdSocialPage *
pd_browser_open (PdClient   *client,
                 const char *url)
{
  PdSocialPage *page = g_new0 (PdSocialPage, 1);
  const char *type;

  page->response = pd_client_get (client, url, NULL);
  if (page->response->status != 200)
    g_error ("stand-in page: expected 200, got %u: %.400s", page->response->status,
             page->response->text);
  type = soup_message_headers_get_content_type (page->response->headers, NULL);
  g_assert_cmpstr (type, ==, "text/html");
  page->flow = pd_html_input_value (page->response->text, "name", "flow");
  page->csrf = pd_html_input_value (page->response->text, "name", "csrf");
  g_assert_nonnull (page->flow);
  g_assert_nonnull (page->csrf);
  g_assert_cmpstr (page->flow, !=, "");
  g_assert_cmpstr (page->csrf, !=, "");
  return page;
}

PdResponse *
pd_browser_submit (PdClient     *client,
                   PdSocialPage *page,
                   const char   *csrf,
                   const char   *email,
                   const char   *name,
                   gboolean      verified,
                   const char   *action)
{
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);

  put (fields, "flow", page->flow);
  put (fields, "csrf", csrf != NULL ? csrf : page->csrf);
  put (fields, "email", email ? email : "");
  put (fields, "name", name ? name : "");
  if (verified)
    put (fields, "verified", "1");
  put (fields, "action", action);
  return pd_client_post_formv (client, "/oauth/social", NULL, fields);
}

char *
pd_url_param (const char *url,
              const char *name)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_autoptr(GHashTable) params = NULL;
  const char *query;

  if (uri == NULL)
    return NULL;
  query = g_uri_get_query (uri);
  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
  if (params == NULL)
    return NULL;
  return g_strdup (g_hash_table_lookup (params, name));
}

char *
pd_location_param (PdResponse *response,
                   const char *name)
{
  const char *location = pd_response_header (response, "Location");

  g_assert_nonnull (location);
  return pd_url_param (location, name);
}

char *
pd_location_base (PdResponse *response)
{
  const char *location = pd_response_header (response, "Location");
  const char *q;

  g_assert_nonnull (location);
  q = strchr (location, '?');
  return q ? g_strndup (location, q - location) : g_strdup (location);
}

char *
pd_browser_social_sign_in (PdServer       *server,
                           const char     *provider,
                           const char     *email,
                           const char     *name,
                           gboolean        verified,
                           PdAuthRequest **out_request)
{
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autoptr(PdAuthRequest) request = pd_auth_request_new ();
  g_autofree char *url = pd_auth_request_url (server, request, provider);
  g_autoptr(PdSocialPage) page = pd_browser_open (browser, url);
  g_autoptr(PdResponse) done = pd_browser_submit (browser, page, NULL, email, name, verified, "continue");
  g_autofree char *base = NULL;
  g_autofree char *code = NULL;
  g_autofree char *state = NULL;
  g_autofree char *iss = NULL;
  g_autofree char *err = NULL;

  if (done->status != 302)
    g_error ("POST /oauth/social: expected 302, got %u: %.400s", done->status, done->text);
  base = pd_location_base (done);
  g_assert_cmpstr (base, ==, request->redirect_uri);
  err = pd_location_param (done, "error");
  g_assert_null (err);
  code = pd_location_param (done, "code");
  state = pd_location_param (done, "state");
  iss = pd_location_param (done, "iss");
  g_assert_nonnull (code);
  g_assert_cmpstr (state, ==, request->state);
  g_assert_cmpstr (iss, ==, server->issuer);
  if (out_request != NULL)
    *out_request = g_steal_pointer (&request);
  return g_steal_pointer (&code);
}

/* ------------------------------------------------------------------ */
/* Token endpoint                                                      */
/* ------------------------------------------------------------------ */

PdResponse *
pd_token_code (PdClient   *client,
               const char *code,
               const char *redirect_uri,
               const char *verifier)
{
  return pd_client_post_form (client, "/oauth/token", NULL,
                              "grant_type", "authorization_code",
                              "client_id", PD_CLIENT_ID,
                              "code", code,
                              "redirect_uri", redirect_uri,
                              "code_verifier", verifier,
                              NULL);
}

PdResponse *
pd_token_refresh (PdClient   *client,
                  const char *refresh_token)
{
  return pd_client_post_form (client, "/oauth/token", NULL,
                              "grant_type", "refresh_token",
                              "client_id", PD_CLIENT_ID,
                              "refresh_token", refresh_token,
                              NULL);
}

PdResponse *
pd_token_password (PdClient   *client,
                   const char *username,
                   const char *password)
{
  return pd_client_post_form (client, "/oauth/token", NULL,
                              "grant_type", "password",
                              "client_id", PD_CLIENT_ID,
                              "username", username,
                              "password", password,
                              "scope", "openid profile email passport",
                              NULL);
}

JsonObject *
pd_social_tokens (PdServer   *server,
                  const char *provider,
                  const char *email,
                  const char *name,
                  gboolean    verified)
{
  g_autoptr(PdAuthRequest) request = NULL;
  g_autofree char *code = pd_browser_social_sign_in (server, provider, email, name, verified, &request);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) response = pd_token_code (client, code, request->redirect_uri, request->verifier);

  pd_assert_response (response, 200, NULL);
  g_assert_nonnull (pd_response_string (response, "access_token"));
  g_assert_nonnull (pd_response_string (response, "refresh_token"));
  return json_object_ref (pd_response_object (response));
}

/* ------------------------------------------------------------------ */
/* Account set-up                                                      */
/* ------------------------------------------------------------------ */

char *
pd_terms_version (PdClient *client)
{
  g_autoptr(PdResponse) terms = pd_client_get (client, "/api/v1/terms", NULL);

  pd_assert_response (terms, 200, NULL);
  g_assert_nonnull (pd_response_string (terms, "version"));
  return g_strdup (pd_response_string (terms, "version"));
}

void
pd_accept_terms (PdClient   *client,
                 const char *access_token)
{
  g_autofree char *version = pd_terms_version (client);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;
  g_autoptr(PdResponse) r = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, version);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  r = pd_client_post_json (client, "/api/v1/me/terms", access_token, body);
  pd_assert_response (r, 200, NULL);
}

PdResponse *
pd_get_me (PdClient   *client,
           const char *access_token)
{
  PdResponse *r = pd_client_get (client, "/api/v1/me", access_token);

  pd_assert_response (r, 200, NULL);
  return r;
}

JsonObject *
pd_account_with_password (PdServer   *server,
                          const char *provider,
                          const char *email,
                          const char *name,
                          const char *password)
{
  g_autoptr(JsonObject) tokens = pd_social_tokens (server, provider, email, name, TRUE);
  const char *access = json_object_get_string_member (tokens, "access_token");
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *body = NULL;
  g_autoptr(PdResponse) r = NULL;

  pd_accept_terms (client, access);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, email);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);
  r = pd_client_post_json (client, "/api/v1/me/email", access, body);
  pd_assert_response (r, 200, NULL);
  return g_steal_pointer (&tokens);
}

PdResponse *
pd_confirm_newest (PdClient   *client,
                   const char *address)
{
  g_autofree char *mail = pd_maildir_newest_to (client->server, address);
  g_autofree char *link = NULL;

  if (mail == NULL)
    g_error ("no mail to %s in %s", address, client->server->maildir);
  link = pd_mail_link (mail);
  g_assert_nonnull (link);
  g_assert_true (g_str_has_prefix (link, client->server->url));
  return pd_client_get (client, link, NULL);
}

/* ------------------------------------------------------------------ */
/* Maildir                                                             */
/* ------------------------------------------------------------------ */

typedef struct
{
  char *name;
  guint64 mtime;
  guint64 counter;  /* passportd names a mail SECONDS.PpidQcounter */
} MailEntry;

static int
mail_entry_compare (gconstpointer a,
                    gconstpointer b)
{
  const MailEntry *x = *(MailEntry * const *) a;
  const MailEntry *y = *(MailEntry * const *) b;

  if (x->mtime != y->mtime)
    return x->mtime < y->mtime ? -1 : 1;
  /* in one tick of the file system's clock (mails a test clock leaves no
   * real time between), the server's counter tells which came last */
  if (x->counter != y->counter)
    return x->counter < y->counter ? -1 : 1;
  return strcmp (x->name, y->name);
}

static void
mail_entry_free (gpointer data)
{
  MailEntry *entry = data;

  g_free (entry->name);
  g_free (entry);
}

GPtrArray *
pd_maildir_list (PdServer *server)
{
  g_autofree char *path = g_build_filename (server->maildir, "new", NULL);
  g_autoptr(GFile) dir = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (mail_entry_free);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GFileInfo *info;

  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                             G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                                             G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC,
                                        G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (children == NULL)
    return names;
  while ((info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      MailEntry *entry = g_new0 (MailEntry, 1);

      entry->name = g_strdup (g_file_info_get_name (info));
      if (strchr (entry->name, 'Q') != NULL)
        entry->counter = g_ascii_strtoull (strchr (entry->name, 'Q') + 1, NULL, 10);
      entry->mtime = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED) * G_USEC_PER_SEC +
                     g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC);
      g_ptr_array_add (entries, entry);
      g_object_unref (info);
    }
  g_ptr_array_sort (entries, mail_entry_compare);
  for (guint i = 0; i < entries->len; i++)
    {
      MailEntry *entry = g_ptr_array_index (entries, i);

      g_ptr_array_add (names, g_strdup (entry->name));
    }
  return names;
}

guint
pd_maildir_count (PdServer *server)
{
  g_autoptr(GPtrArray) names = pd_maildir_list (server);

  return names->len;
}

char *
pd_mail_header (const char *mail,
                const char *name)
{
  g_auto(GStrv) lines = g_regex_split_simple ("\r?\n", mail, 0, 0);
  gsize name_len = strlen (name);
  GString *value = NULL;

  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      const char *line = lines[i];

      if (value != NULL)
        {
          if (line[0] == ' ' || line[0] == '\t')
            {
              g_string_append (value, line);
              continue;
            }
          break;
        }
      if (g_ascii_strncasecmp (line, name, name_len) == 0 && line[name_len] == ':')
        value = g_string_new (line + name_len + 1);
    }
  if (value == NULL)
    return NULL;
  return g_strstrip (g_string_free (value, FALSE));
}

char *
pd_mail_body (const char *mail)
{
  const char *p = strstr (mail, "\r\n\r\n");
  const char *q = strstr (mail, "\n\n");

  if (p != NULL && (q == NULL || p < q))
    return g_strdup (p + 4);
  if (q != NULL)
    return g_strdup (q + 2);
  return NULL;
}

char *
pd_mail_link (const char *mail)
{
  g_autofree char *body = pd_mail_body (mail);
  g_auto(GStrv) lines = NULL;

  if (body == NULL)
    return NULL;
  lines = g_regex_split_simple ("\r?\n", body, 0, 0);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], "/api/v1/email/confirm?token=") != NULL)
        return g_strstrip (g_strdup (lines[i]));
    }
  return NULL;
}

char *
pd_maildir_newest_to (PdServer   *server,
                      const char *address)
{
  g_autoptr(GPtrArray) names = pd_maildir_list (server);

  for (guint i = names->len; i > 0; i--)
    {
      g_autofree char *path = g_build_filename (server->maildir, "new",
                                                g_ptr_array_index (names, i - 1), NULL);
      g_autofree char *mail = NULL;
      g_autofree char *to = NULL;
      g_autofree char *to_lower = NULL;
      g_autofree char *address_lower = g_ascii_strdown (address, -1);

      if (!g_file_get_contents (path, &mail, NULL, NULL))
        continue;
      to = pd_mail_header (mail, "To");
      if (to == NULL)
        continue;
      to_lower = g_ascii_strdown (to, -1);
      if (strstr (to_lower, address_lower) != NULL)
        return g_steal_pointer (&mail);
    }
  return NULL;
}

/* ------------------------------------------------------------------ */
/* Two-step sign-in codes                                               */
/* ------------------------------------------------------------------ */

GBytes *
pd_base32_decode (const char *text)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  GByteArray *out = g_byte_array_new ();
  guint32 buffer = 0;
  guint bits = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      const char *at = strchr (alphabet, *p);

      g_assert_nonnull (at);
      buffer = (buffer << 5) | (guint32) (at - alphabet);
      bits += 5;
      if (bits >= 8)
        {
          guint8 byte = (guint8) ((buffer >> (bits - 8)) & 0xff);

          g_byte_array_append (out, &byte, 1);
          bits -= 8;
        }
    }
  return g_byte_array_free_to_bytes (out);
}

/* RFC 6238 with HMAC-SHA-1, 6 digits, for the 30 s step @step. */
char *
pd_totp_code (const char *secret_b32,
              gint64      step)
{
  g_autoptr(GBytes) key = pd_base32_decode (secret_b32);
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA1, g_bytes_get_data (key, NULL),
                                      g_bytes_get_size (key));
  guchar counter[8];
  guchar digest[20];
  gsize len = sizeof digest;
  guint offset;
  guint32 value;

  for (int i = 0; i < 8; i++)
    counter[i] = (guchar) (((guint64) step >> (56 - 8 * i)) & 0xff);
  g_hmac_update (hmac, counter, sizeof counter);
  g_hmac_get_digest (hmac, digest, &len);
  offset = digest[19] & 0xf;
  value = ((digest[offset] & 0x7fu) << 24) | ((guint32) digest[offset + 1] << 16) |
          ((guint32) digest[offset + 2] << 8) | digest[offset + 3];
  return g_strdup_printf ("%06u", value % 1000000);
}

/* The server's time now (its test clock). */
gint64
pd_server_now (PdClient *client)
{
  g_autoptr(PdResponse) r = pd_client_post_json (client, "/_test/clock", NULL, "{\"advance\": 0}");
  g_autoptr(GDateTime) t = NULL;

  pd_assert_response (r, 200, NULL);
  t = g_date_time_new_from_iso8601 (pd_response_string (r, "now"), NULL);
  g_assert_nonnull (t);
  return g_date_time_to_unix (t);
}

/* Moves the server's clock to 1 s past the start of its next step and
 * returns that step: the test then has about 28 s of real time in it. */
gint64
pd_server_align_step (PdServer *server,
                      PdClient *client)
{
  gint64 now = pd_server_now (client);
  gint64 advance = 30 - now % 30 + 1;

  pd_server_advance_clock (server, advance);
  now = pd_server_now (client);
  g_assert_cmpint (now % 30, <=, 2);
  return now / 30;
}

char *
pd_enable_otp (PdServer    *server,
               const char  *access_token,
               const char  *password,
               GStrv       *out_recovery)
{
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *proof = pd_json_strings ("password", password, NULL);
  g_autoptr(PdResponse) setup = pd_client_post_json (client, "/api/v1/me/otp/setup", access_token, proof);
  g_autoptr(PdResponse) confirm = NULL;
  g_autofree char *secret = NULL, *code = NULL, *body = NULL;
  JsonArray *codes;

  pd_assert_response (setup, 200, NULL);
  secret = g_strdup (pd_response_string (setup, "secret"));
  code = pd_totp_code (secret, pd_server_align_step (server, client));
  body = pd_json_strings ("otp", code, NULL);
  confirm = pd_client_post_json (client, "/api/v1/me/otp/confirm", access_token, body);
  pd_assert_response (confirm, 200, NULL);
  codes = json_object_get_array_member (pd_response_object (confirm), "recovery_codes");
  g_assert_cmpuint (json_array_get_length (codes), ==, 10);
  if (out_recovery != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (codes); i++)
        g_strv_builder_add (builder, json_array_get_string_element (codes, i));
      *out_recovery = g_strv_builder_end (builder);
    }
  return g_steal_pointer (&secret);
}

/* Device authorization ------------------------------------------------- */

static PdResponse *
device_post (PdClient   *client,
             char      **csrf,
             char      **flow,
             const char *first_field,
             ...)
{
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  PdResponse *r;
  va_list args;
  char *value;

  g_hash_table_insert (fields, (gpointer) "csrf", *csrf);
  if (*flow != NULL)
    g_hash_table_insert (fields, (gpointer) "flow", *flow);
  va_start (args, first_field);
  for (const char *name = first_field; name != NULL; name = va_arg (args, const char *))
    g_hash_table_insert (fields, (gpointer) name, va_arg (args, char *));
  va_end (args);
  r = pd_client_post_formv (client, "/device", NULL, fields);
  if ((value = pd_html_input_value (r->text, "name", "csrf")) != NULL)
    {
      g_free (*csrf);
      *csrf = value;
    }
  if ((value = pd_html_input_value (r->text, "name", "flow")) != NULL)
    {
      g_free (*flow);
      *flow = value;
    }
  return r;
}

guint
pd_device_decide (PdServer   *server,
                  const char *user_code,
                  const char *email,
                  const char *password,
                  gboolean    approve)
{
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdResponse) page = pd_client_get (client, "/device", NULL);
  g_autoptr(PdResponse) sign_in = NULL;
  g_autoptr(PdResponse) question = NULL;
  g_autoptr(PdResponse) answer = NULL;
  g_autofree char *csrf = pd_html_input_value (page->text, "name", "csrf");
  g_autofree char *flow = NULL;

  if (page->status != 200 || csrf == NULL)
    return page->status;
  sign_in = device_post (client, &csrf, &flow, "action", "code", "user_code", user_code, NULL);
  if (sign_in->status != 200)
    return sign_in->status;
  question = device_post (client, &csrf, &flow, "action", "password", "email", email,
                          "password", password, NULL);
  if (question->status != 200)
    return question->status;
  answer = device_post (client, &csrf, &flow, "action", approve ? "approve" : "deny", NULL);
  return answer->status;
}
