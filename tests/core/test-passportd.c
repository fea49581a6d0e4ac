/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The transport half of libpassport-core against the reference server:
 * discovery, browser sign-in through the stand-in social page with our
 * real loopback listener, password sign-in and throttling, refresh
 * rotation and single flight, reuse detection, every account API call,
 * the server going away. */
#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "passport-core.h"
#include "passport-session-private.h"
#include "core-test-util.h"

/* ------------------------------------------------------------------ */
/* passportd, a scripted browser, the Maildir                          */
/* ------------------------------------------------------------------ */

typedef struct
{
  GSubprocess *process;
  char *dir;
  char *url;
  char *maildir;
} Pd;

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          rm_rf (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static Pd *
pd_start (const char *first_arg,
          ...)
{
  const char *exe = g_getenv ("PASSPORTD");
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  Pd *pd = g_new0 (Pd, 1);
  const char *arg;
  va_list args;

  g_assert_nonnull (exe);
  pd->dir = g_dir_make_tmp ("passport-core-XXXXXX", &error);
  g_assert_no_error (error);
  pd->maildir = g_build_filename (pd->dir, "Maildir", NULL);

  g_ptr_array_add (argv, g_strdup (exe));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1:0"));
  g_ptr_array_add (argv, g_strdup ("--database"));
  g_ptr_array_add (argv, g_build_filename (pd->dir, "passportd.sqlite3", NULL));
  g_ptr_array_add (argv, g_strdup ("--maildir"));
  g_ptr_array_add (argv, g_strdup (pd->maildir));
  g_ptr_array_add (argv, g_strdup ("--test-clock"));
  va_start (args, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  {
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

    /* A failed assertion aborts the test: the server must not outlive it
     * (it holds the test's stderr, and meson would wait for the timeout). */
    g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
    g_subprocess_launcher_setenv (launcher, "PASSPORTD_TESTING", "1", TRUE);
    pd->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  }
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (pd->process));
  pd->url = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (pd->url);
  g_strstrip (pd->url);
  g_assert_true (g_str_has_prefix (pd->url, "http://127.0.0.1:"));
  return pd;
}

/* Moves passportd's clock forward (--test-clock): its lifetimes pass at once. */
static void
pd_advance_clock (Pd    *pd,
                  gint64 seconds)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (pd->url, "/_test/clock", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autofree char *body = g_strdup_printf ("{\"advance\": %" G_GINT64_FORMAT "}", seconds);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  answer = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
}

static void
pd_stop (Pd *pd)
{
  if (pd->process == NULL)
    return;
  g_subprocess_send_signal (pd->process, SIGTERM);
  g_subprocess_wait (pd->process, NULL, NULL);
  g_clear_object (&pd->process);
}

static void
pd_free (Pd *pd)
{
  pd_stop (pd);
  rm_rf (pd->dir);
  g_free (pd->dir);
  g_free (pd->url);
  g_free (pd->maildir);
  g_free (pd);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pd, pd_free)

/* The stand-in social page, filled in by an HTTP client in a thread of its
 * own (blocking calls; our loopback listener answers on the main loop). */
typedef struct
{
  char *email;
  char *name;
  gboolean verified;
  gboolean cancel;
  gboolean do_nothing;
  GThread *thread;
  guint launches;
  guint final_status;
  char *final_body;
  char *url;
} Browser;

static char *
form_value (const char *html,
            const char *name)
{
  g_autofree char *pattern = g_strdup_printf ("<input[^>]*name=\"%s\"[^>]*>", name);
  g_autoptr(GRegex) input = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GRegex) value = g_regex_new ("value=\"([^\"]*)\"", 0, 0, NULL);
  g_autoptr(GMatchInfo) m1 = NULL;
  g_autoptr(GMatchInfo) m2 = NULL;
  g_autofree char *tag = NULL;

  if (!g_regex_match (input, html, 0, &m1))
    return NULL;
  tag = g_match_info_fetch (m1, 0);
  if (!g_regex_match (value, tag, 0, &m2))
    return NULL;
  return g_match_info_fetch (m2, 1);
}

static gpointer
browser_thread (gpointer data)
{
  Browser *browser = data;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) page = NULL;
  g_autoptr(SoupMessage) post = NULL;
  g_autoptr(GBytes) html = NULL;
  g_autoptr(GBytes) final = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) base = NULL;
  g_autoptr(GUri) action = NULL;
  g_autofree char *text = NULL;
  g_autofree char *flow = NULL;
  g_autofree char *csrf = NULL;
  g_autofree char *form = NULL;
  g_autofree char *action_url = NULL;

  page = soup_message_new ("GET", browser->url);
  html = soup_session_send_and_read (session, page, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (page), ==, 200);
  text = g_strndup (g_bytes_get_data (html, NULL), g_bytes_get_size (html));
  flow = form_value (text, "flow");
  csrf = form_value (text, "csrf");
  g_assert_nonnull (flow);
  g_assert_nonnull (csrf);

  form = soup_form_encode ("flow", flow, "csrf", csrf,
                           "email", browser->email,
                           "name", browser->name ? browser->name : "",
                           "action", browser->cancel ? "cancel" : "continue",
                           browser->verified ? "verified" : NULL, "1",
                           NULL);
  base = g_uri_parse (browser->url, SOUP_HTTP_URI_FLAGS, NULL);
  action = g_uri_parse_relative (base, "/oauth/social", SOUP_HTTP_URI_FLAGS, NULL);
  action_url = g_uri_to_string (action);
  post = soup_message_new_from_encoded_form ("POST", action_url, g_steal_pointer (&form));
  /* The CSRF cookie, sent back by hand: what a browser does for a
   * SameSite=Strict cookie on a same-site form post. */
  {
    const char *set_cookie = soup_message_headers_get_list (soup_message_get_response_headers (page),
                                                            "Set-Cookie");
    g_autoptr(GRegex) re = g_regex_new ("pd_csrf=([^;,\\s]+)", 0, 0, NULL);
    g_autoptr(GMatchInfo) match = NULL;
    g_autofree char *cookie = NULL;
    g_autofree char *value = NULL;

    g_assert_nonnull (set_cookie);
    g_assert_true (g_regex_match (re, set_cookie, 0, &match));
    value = g_match_info_fetch (match, 1);
    cookie = g_strdup_printf ("pd_csrf=%s", value);
    soup_message_headers_replace (soup_message_get_request_headers (post), "Cookie", cookie);
  }
  /* The 302 goes to our loopback listener; libsoup follows it there. */
  final = soup_session_send_and_read (session, post, NULL, &error);
  g_assert_no_error (error);
  browser->final_status = soup_message_get_status (post);
  browser->final_body = g_strndup (g_bytes_get_data (final, NULL), g_bytes_get_size (final));
  g_main_context_wakeup (NULL);
  return NULL;
}

static gboolean
browser_launch (const char  *url,
                gpointer     data,
                GError     **error)
{
  Browser *browser = data;

  browser->launches++;
  if (browser->do_nothing)
    return TRUE;
  g_assert_null (browser->thread);
  g_free (browser->url);
  browser->url = g_strdup (url);
  browser->thread = g_thread_new ("browser", browser_thread, browser);
  return TRUE;
}

static Browser *
browser_new (const char *email,
             gboolean    verified)
{
  Browser *browser = g_new0 (Browser, 1);

  browser->email = g_strdup (email);
  browser->name = g_strdup ("Ivan Petrov");
  browser->verified = verified;
  return browser;
}

static void
browser_free (Browser *browser)
{
  if (browser->thread != NULL)
    g_thread_join (browser->thread);
  g_free (browser->email);
  g_free (browser->name);
  g_free (browser->url);
  g_free (browser->final_body);
  g_free (browser);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Browser, browser_free)

/* The newest confirmation link in the Maildir for @address. */
static char *
maildir_link (Pd         *pd,
              const char *address)
{
  g_autofree char *new_dir = g_build_filename (pd->maildir, "new", NULL);
  g_autoptr(GDir) dir = g_dir_open (new_dir, 0, NULL);
  g_autoptr(GRegex) link = g_regex_new ("^(https?://\\S+/email/confirm\\?token=\\S+)\\s*$",
                                        G_REGEX_MULTILINE, 0, NULL);
  g_autofree char *to = g_strdup_printf ("To: %s", address);
  char *best = NULL;
  gint64 best_time = -1;
  guint64 best_counter = 0;
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (new_dir, name, NULL);
      g_autofree char *text = NULL;
      g_autoptr(GMatchInfo) match = NULL;
      const char *q = strchr (name, 'Q');
      /* passportd names a mail SECONDS.PpidQcounter: in one second the
       * counter tells which came last */
      guint64 counter = q != NULL ? g_ascii_strtoull (q + 1, NULL, 10) : 0;
      GStatBuf st;

      if (!g_file_get_contents (path, &text, NULL, NULL) || strstr (text, to) == NULL)
        continue;
      if (g_stat (path, &st) != 0)
        continue;
      if (g_regex_match (link, text, 0, &match) &&
          ((gint64) st.st_mtime > best_time || ((gint64) st.st_mtime == best_time && counter >= best_counter)))
        {
          g_free (best);
          best = g_match_info_fetch (match, 1);
          best_time = st.st_mtime;
          best_counter = counter;
        }
    }
  return best;
}

static gpointer
open_link_thread (gpointer data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", data);
  g_autoptr(GBytes) bytes = soup_session_send_and_read (session, msg, NULL, NULL);

  g_main_context_wakeup (NULL);
  return GUINT_TO_POINTER (soup_message_get_status (msg));
}

/* ------------------------------------------------------------------ */
/* Steps                                                               */
/* ------------------------------------------------------------------ */

static PassportServer *
discover (Pd *pd)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  PassportServer *server;

  passport_server_discover_async (pd->url, NULL, core_test_result_cb, &res);
  server = passport_server_discover_finish (core_test_await (&res), &error);
  g_assert_no_error (error);
  return server;
}

static PassportSession *
sign_in_browser (PassportServer  *server,
                 Browser         *browser,
                 guint            timeout,
                 GCancellable    *cancellable,
                 GError         **error)
{
  g_autoptr(PassportBrowserSignIn) sign_in = passport_browser_sign_in_new (server, "google", NULL);
  g_autoptr(GAsyncResult) res = NULL;

  passport_browser_sign_in_set_launcher (sign_in, browser_launch, browser, NULL);
  if (timeout > 0)
    passport_browser_sign_in_set_timeout_seconds (sign_in, timeout);
  passport_browser_sign_in_start_async (sign_in, cancellable, core_test_result_cb, &res);
  return passport_browser_sign_in_start_finish (sign_in, core_test_await (&res), error);
}

static PassportSession *
sign_in_password (PassportServer  *server,
                  const char      *email,
                  const char      *password,
                  GError         **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  passport_session_sign_in_with_password_async (server, email, password, NULL,
                                                core_test_result_cb, &res);
  return passport_session_sign_in_with_password_finish (core_test_await (&res), error);
}

static PassportAccount *
get_me (PassportClient  *client,
        guint            wait,
        gint64           after,
        GError         **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  passport_client_get_me_async (client, wait, after, NULL, core_test_result_cb, &res);
  return passport_client_get_me_finish (client, core_test_await (&res), error);
}

static PassportAccount *
accept_terms (PassportClient  *client,
              const char      *version,
              GError         **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  passport_client_accept_terms_async (client, version, NULL, core_test_result_cb, &res);
  return passport_client_accept_terms_finish (client, core_test_await (&res), error);
}

static PassportAccount *
bind_email (PassportClient  *client,
            const char      *email,
            const char      *password,
            gboolean        *needs_confirmation,
            GError         **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  passport_client_bind_email_async (client, email, password, NULL, core_test_result_cb, &res);
  return passport_client_bind_email_finish (client, core_test_await (&res), needs_confirmation, error);
}

static char *
current_terms_version (PassportServer *server)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportTerms) terms = NULL;

  passport_server_get_terms_async (server, NULL, core_test_result_cb, &res);
  terms = passport_server_get_terms_finish (server, core_test_await (&res), &error);
  g_assert_no_error (error);
  return g_strdup (passport_terms_get_version (terms));
}

/* An account signed in through google with @email verified there, terms
 * accepted and @email bound with @password (no mail needed). */
static PassportSession *
account_with_password (PassportServer *server,
                       const char     *email,
                       const char     *password)
{
  g_autoptr(Browser) browser = browser_new (email, TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = sign_in_browser (server, browser, 0, NULL, &error);
  g_autoptr(PassportClient) client = NULL;
  g_autoptr(PassportAccount) accepted = NULL;
  g_autoptr(PassportAccount) bound = NULL;
  g_autofree char *version = current_terms_version (server);
  gboolean needs_confirmation = TRUE;

  g_assert_no_error (error);
  client = passport_client_new (session);
  accepted = accept_terms (client, version, &error);
  g_assert_no_error (error);
  bound = bind_email (client, email, password, &needs_confirmation, &error);
  g_assert_no_error (error);
  g_assert_false (needs_confirmation);
  g_assert_true (passport_account_get_has_password (bound));
  return g_steal_pointer (&session);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */
/* ------------------------------------------------------------------ */

static void
test_discovery (void)
{
  g_autoptr(Pd) pd = pd_start (NULL);
  g_autoptr(PassportServer) server = discover (pd);
  GListModel *providers = passport_server_get_providers (server);
  g_autoptr(PassportProvider) first = NULL;
  g_autofree char *version = NULL;
  g_autofree char *with_slash = g_strconcat (pd->url, "/", NULL);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) again = NULL;

  g_assert_cmpstr (passport_server_get_issuer (server), ==, pd->url);
  g_assert_true (passport_server_has_account_api (server));
  g_assert_true (passport_server_get_sends_iss (server));
  g_assert_nonnull (passport_server_get_revocation_endpoint (server));
  g_assert_cmpuint (g_list_model_get_n_items (providers), ==, 3);
  first = g_list_model_get_item (providers, 0);
  g_assert_cmpstr (passport_provider_get_id (first), ==, "google");
  g_assert_cmpstr (passport_provider_get_name (first), ==, "Google");

  version = current_terms_version (server);
  g_assert_nonnull (version);

  /* The same server typed with a trailing slash. */
  passport_server_discover_async (with_slash, NULL, core_test_result_cb, &res);
  again = passport_server_discover_finish (core_test_await (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (passport_server_get_base_url (again), ==, pd->url);
}

static void
test_discovery_issuer_mismatch (void)
{
  /* A server whose public URL is not the address we use. */
  g_autoptr(Pd) pd = pd_start ("--public-url", "https://passport.example", NULL);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportServer) server = NULL;

  passport_server_discover_async (pd->url, NULL, core_test_result_cb, &res);
  server = passport_server_discover_finish (core_test_await (&res), &error);
  g_assert_null (server);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_ISSUER_MISMATCH);
}

static void
test_browser_sign_in (void)
{
  g_autoptr(Pd) pd = pd_start (NULL);
  g_autoptr(PassportServer) server = discover (pd);
  g_autoptr(Browser) browser = browser_new ("browser@example.com", FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = sign_in_browser (server, browser, 0, NULL, &error);
  g_autoptr(Browser) again_browser = browser_new ("browser@example.com", FALSE);
  g_autoptr(PassportSession) again = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_cmpuint (browser->launches, ==, 1);
  g_assert_nonnull (passport_session_get_subject (session));
  g_assert_cmpstr (passport_session_get_email (session), ==, "browser@example.com");

  /* The browser saw our page, not passportd's. */
  g_thread_join (g_steal_pointer (&browser->thread));
  g_assert_cmpuint (browser->final_status, ==, 200);
  g_assert_nonnull (strstr (browser->final_body, "You can return to Passport"));

  /* Same provider and e-mail: the same person. */
  again = sign_in_browser (server, again_browser, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (passport_session_get_subject (again), ==, passport_session_get_subject (session));
}

static void
test_browser_access_denied (void)
{
  g_autoptr(Pd) pd = pd_start (NULL);
  g_autoptr(PassportServer) server = discover (pd);
  g_autoptr(Browser) browser = browser_new ("denied@example.com", FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = NULL;

  browser->cancel = TRUE;
  session = sign_in_browser (server, browser, 0, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_ACCESS_DENIED);
  g_thread_join (g_steal_pointer (&browser->thread));
  g_assert_nonnull (strstr (browser->final_body, "Sign-in cancelled"));
}

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_browser_timeout_and_cancel (void)
{
  g_autoptr(Pd) pd = pd_start (NULL);
  g_autoptr(PassportServer) server = discover (pd);
  g_autoptr(Browser) browser = browser_new ("slow@example.com", FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = NULL;

  browser->do_nothing = TRUE;
  session = sign_in_browser (server, browser, 1, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BROWSER_TIMEOUT);
  g_clear_error (&error);

  g_timeout_add (100, cancel_later, cancellable);
  session = sign_in_browser (server, browser, 60, cancellable, &error);
  g_assert_null (session);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_password_sign_in (void)
{
  g_autoptr(Pd) pd = pd_start ("--max-failed-passwords", "3", NULL);
  g_autoptr(PassportServer) server = discover (pd);
  g_autoptr(PassportSession) first = account_with_password (server, "pw@example.com",
                                                            "correct horse battery staple");
  g_autoptr(PassportSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = sign_in_password (server, "pw@example.com", "correct horse battery staple", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (passport_session_get_subject (session), ==, passport_session_get_subject (first));
  g_clear_object (&session);

  /* Wrong password: the one answer that reveals nothing. */
  session = sign_in_password (server, "pw@example.com", "wrong password", &error);
  g_assert_null (session);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_GRANT);
  g_clear_error (&error);
  session = sign_in_password (server, "nobody@example.com", "wrong password", &error);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_GRANT);
  g_clear_error (&error);

  /* Repeated failures are throttled, with the delay. */
  for (guint i = 0; i < 5 && error == NULL; i++)
    {
      g_clear_object (&session);
      session = sign_in_password (server, "pw@example.com", "still wrong", &error);
      if (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_GRANT))
        g_clear_error (&error);
    }
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS);
  g_assert_cmpuint (passport_error_get_retry_after (error), >, 0);
}

static void
count_cb (gpointer object,
          gpointer data)
{
  (*(guint *) data)++;
}

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  GPtrArray *tokens = data;
  g_autoptr(GError) error = NULL;
  char *token = passport_session_get_access_token_finish (PASSPORT_SESSION (source), result, &error);

  g_assert_no_error (error);
  g_ptr_array_add (tokens, token);
}

static char *
get_token (PassportSession  *session,
           GError          **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  passport_session_get_access_token_async (session, NULL, core_test_result_cb, &res);
  return passport_session_get_access_token_finish (session, core_test_await (&res), error);
}

static void
test_refresh (void)
{
  g_autoptr(Pd) pd = pd_start ("--access-token-ttl", "2", NULL);
  g_autoptr(PassportServer) server = discover (pd);
  g_autoptr(Browser) browser = browser_new ("refresh@example.com", FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = sign_in_browser (server, browser, 0, NULL, &error);
  g_autoptr(PassportSession) stale = NULL;
  g_autoptr(PassportClient) client = NULL;
  g_autoptr(PassportAccount) account = NULL;
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *token = NULL;
  guint changed = 0;

  g_assert_no_error (error);
  g_signal_connect (session, "tokens-changed", G_CALLBACK (count_cb), &changed);
  before = passport_session_serialize (session);

  /* Several callers once the token is stale: exactly one refresh. */
  core_test_sleep (2100);
  for (guint i = 0; i < 6; i++)
    passport_session_get_access_token_async (session, NULL, token_cb, tokens);
  while (tokens->len < 6)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (passport_session_get_refresh_count (session), ==, 1);
  for (guint i = 1; i < tokens->len; i++)
    g_assert_cmpstr (g_ptr_array_index (tokens, i), ==, g_ptr_array_index (tokens, 0));

  /* Rotated: the stored line changed, and the new token works. */
  after = passport_session_serialize (session);
  g_assert_cmpstr (before, !=, after);
  client = passport_client_new (session);
  account = get_me (client, 0, 0, &error);
  g_assert_no_error (error);

  /* The retired refresh token presented again: the family is revoked. */
  stale = passport_session_new_from_serialized (server, before, &error);
  g_assert_no_error (error);
  token = get_token (stale, &error);
  g_assert_null (token);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED);
  g_assert_true (passport_session_get_expired (stale));
  g_clear_error (&error);

  /* ... which ends the current session too at its next refresh. */
  core_test_sleep (2100);
  token = get_token (session, &error);
  g_assert_null (token);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED);
  g_assert_true (passport_session_get_expired (session));
}

static void
test_revoke (void)
{
  g_autoptr(Pd) pd = pd_start (NULL);
  g_autoptr(PassportServer) server = discover (pd);
  g_autoptr(Browser) browser = browser_new ("revoke@example.com", FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = sign_in_browser (server, browser, 0, NULL, &error);
  g_autofree char *line = passport_session_serialize (session);
  g_autoptr(PassportSession) restored = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autofree char *token = NULL;

  g_assert_no_error (error);
  passport_session_revoke_async (session, NULL, core_test_result_cb, &res);
  g_assert_true (passport_session_revoke_finish (session, core_test_await (&res), &error));
  g_assert_no_error (error);
  g_assert_null (passport_session_serialize (session));

  /* What was stored before the sign-out gets nothing new: its refresh
   * token is refused, and its access token no longer opens the API. */
  restored = passport_session_new_from_serialized (server, line, &error);
  g_assert_no_error (error);
  g_clear_object (&res);
  passport_session_refresh_async (restored, NULL, core_test_result_cb, &res);
  g_assert_false (passport_session_refresh_finish (restored, core_test_await (&res), &error));
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED);
  g_clear_error (&error);
  token = get_token (restored, &error);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED);
}

static void
test_client_calls (void)
{
  g_autoptr(Pd) pd = pd_start (NULL);
  g_autoptr(PassportServer) server = discover (pd);
  g_autoptr(Browser) browser = browser_new ("social@example.com", FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = sign_in_browser (server, browser, 0, NULL, &error);
  g_autoptr(PassportClient) client = passport_client_new (session);
  g_autoptr(PassportAccount) account = NULL;
  g_autoptr(PassportAccount) next = NULL;
  g_autofree char *version = current_terms_version (server);
  g_autofree char *link = NULL;
  gboolean needs_confirmation = FALSE;
  gint64 revision;

  g_assert_no_error (error);
  account = get_me (client, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_null (passport_account_get_email (account));
  g_assert_false (passport_account_get_has_password (account));
  g_assert_cmpuint (g_list_model_get_n_items (passport_account_get_identities (account)), ==, 1);

  /* Binding before the agreement. */
  next = bind_email (client, "ivan@example.com", "a long enough passphrase", NULL, &error);
  g_assert_null (next);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_TERMS_NOT_ACCEPTED);
  g_assert_cmpstr (passport_error_get_version (error), ==, version);
  g_clear_error (&error);

  /* An outdated agreement. */
  next = accept_terms (client, "1999-01", &error);
  g_assert_null (next);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_TERMS_OUTDATED);
  g_assert_cmpstr (passport_error_get_version (error), ==, version);
  g_clear_error (&error);

  next = accept_terms (client, version, &error);
  g_assert_no_error (error);
  g_assert_true (passport_account_get_terms_accepted (next));
  passport_account_update (account, next);
  g_clear_object (&next);

  /* Weak and invalid. */
  next = bind_email (client, "ivan@example.com", "short", NULL, &error);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_WEAK_PASSWORD);
  g_assert_nonnull (passport_error_get_reasons (error));
  g_assert_true (g_strv_contains (passport_error_get_reasons (error), "too_short"));
  g_assert_cmpuint (passport_error_get_min_length (error), ==, 8);
  g_clear_error (&error);
  next = bind_email (client, "not an address", "a long enough passphrase", NULL, &error);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_EMAIL);
  g_clear_error (&error);

  /* An address the social network did not verify: a link is mailed. */
  next = bind_email (client, "ivan@example.com", "a long enough passphrase", &needs_confirmation, &error);
  g_assert_no_error (error);
  g_assert_true (needs_confirmation);
  g_assert_cmpstr (passport_account_get_pending_email (next), ==, "ivan@example.com");
  g_assert_nonnull (passport_account_get_pending_resend_after (next));
  passport_account_update (account, next);
  g_clear_object (&next);

  /* Resend: too early, then allowed (the delay is 60 s of the server's clock). */
  {
    g_autoptr(GAsyncResult) res = NULL;

    passport_client_resend_confirmation_async (client, NULL, core_test_result_cb, &res);
    next = passport_client_resend_confirmation_finish (client, core_test_await (&res), &error);
    g_assert_null (next);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_TOO_MANY_REQUESTS);
    g_assert_cmpuint (passport_error_get_retry_after (error), >, 0);
    g_assert_cmpuint (passport_error_get_retry_after (error), <=, 60);
    g_clear_error (&error);
    pd_advance_clock (pd, 61);
    g_clear_object (&res);
    passport_client_resend_confirmation_async (client, NULL, core_test_result_cb, &res);
    next = passport_client_resend_confirmation_finish (client, core_test_await (&res), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (passport_account_get_pending_email (next), ==, "ivan@example.com");
    g_clear_object (&next);
  }

  /* Long poll: unchanged answer after the wait... */
  revision = passport_account_get_revision (account);
  {
    gint64 start = g_get_monotonic_time ();
    g_autoptr(PassportAccount) same = get_me (client, 1, G_MAXINT32, &error);

    g_assert_no_error (error);
    g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC / 2);
    /* Binding and resending changed the account since it was fetched. */
    revision = passport_account_get_revision (same);
  }
  /* ...and an early answer when the link is opened meanwhile. */
  link = maildir_link (pd, "ivan@example.com");
  g_assert_nonnull (link);
  {
    g_autoptr(GAsyncResult) res = NULL;
    GThread *opener;
    gint64 start = g_get_monotonic_time ();

    passport_client_get_me_async (client, 30, revision, NULL,
                                  core_test_result_cb, &res);
    core_test_sleep (300);
    opener = g_thread_new ("open-link", open_link_thread, link);
    next = passport_client_get_me_finish (client, core_test_await (&res), &error);
    g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (opener)), ==, 200);
    g_assert_no_error (error);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
    g_assert_cmpint (passport_account_get_revision (next), >, revision);
    g_assert_cmpstr (passport_account_get_email (next), ==, "ivan@example.com");
    g_assert_true (passport_account_get_email_verified (next));
    g_assert_true (passport_account_get_has_password (next));
    g_assert_null (passport_account_get_pending_email (next));
    passport_account_update (account, next);
    g_clear_object (&next);
  }

  /* Bound already. */
  next = bind_email (client, "other@example.com", "a long enough passphrase", NULL, &error);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_EMAIL_ALREADY_BOUND);
  g_clear_error (&error);

  /* Change of address: the wrong password, then the right one, then
   * cancel the pending address. */
  {
    g_autoptr(GAsyncResult) res = NULL;

    passport_client_change_email_async (client, "new@example.com", "wrong", NULL,
                                        core_test_result_cb, &res);
    next = passport_client_change_email_finish (client, core_test_await (&res), &error);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_PASSWORD);
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) res = NULL;

    passport_client_change_email_async (client, "new@example.com", "a long enough passphrase",
                                        NULL, core_test_result_cb, &res);
    next = passport_client_change_email_finish (client, core_test_await (&res), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (passport_account_get_email (next), ==, "ivan@example.com");
    g_assert_cmpstr (passport_account_get_pending_email (next), ==, "new@example.com");
    g_clear_object (&next);
  }
  {
    g_autoptr(GAsyncResult) res = NULL;

    passport_client_cancel_pending_email_async (client, NULL, core_test_result_cb, &res);
    next = passport_client_cancel_pending_email_finish (client, core_test_await (&res), &error);
    g_assert_no_error (error);
    g_assert_null (passport_account_get_pending_email (next));
    g_clear_object (&next);
  }
  {
    g_autoptr(GAsyncResult) res = NULL;

    passport_client_resend_confirmation_async (client, NULL, core_test_result_cb, &res);
    next = passport_client_resend_confirmation_finish (client, core_test_await (&res), &error);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_NO_PENDING_EMAIL);
    g_clear_error (&error);
  }

  /* Password changes. */
  {
    g_autoptr(GAsyncResult) res = NULL;

    passport_client_change_password_async (client, "wrong", "another long passphrase", NULL,
                                           core_test_result_cb, &res);
    g_assert_false (passport_client_change_password_finish (client, core_test_await (&res), &error));
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_PASSWORD);
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) res = NULL;

    passport_client_change_password_async (client, "a long enough passphrase", "short", NULL,
                                           core_test_result_cb, &res);
    g_assert_false (passport_client_change_password_finish (client, core_test_await (&res), &error));
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_WEAK_PASSWORD);
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(PassportSession) by_password = NULL;

    passport_client_change_password_async (client, "a long enough passphrase",
                                           "another long passphrase", NULL,
                                           core_test_result_cb, &res);
    g_assert_true (passport_client_change_password_finish (client, core_test_await (&res), &error));
    g_assert_no_error (error);
    by_password = sign_in_password (server, "ivan@example.com", "another long passphrase", &error);
    g_assert_no_error (error);
  }

  /* A second account wants the same address. */
  {
    g_autoptr(Browser) other_browser = browser_new ("other-social@example.com", FALSE);
    g_autoptr(PassportSession) other = sign_in_browser (server, other_browser, 0, NULL, &error);
    g_autoptr(PassportClient) other_client = NULL;
    g_autoptr(PassportAccount) accepted = NULL;

    g_assert_no_error (error);
    other_client = passport_client_new (other);
    accepted = accept_terms (other_client, version, &error);
    g_assert_no_error (error);
    next = bind_email (other_client, "IVAN@example.com", "a long enough passphrase", NULL, &error);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_EMAIL_EXISTS);
    g_clear_error (&error);
  }

  /* userinfo works on a passport server too. */
  {
    g_autoptr(GAsyncResult) res = NULL;

    passport_client_get_userinfo_async (client, NULL, core_test_result_cb, &res);
    next = passport_client_get_userinfo_finish (client, core_test_await (&res), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (passport_account_get_id (next), ==, passport_session_get_subject (session));
    g_assert_cmpstr (passport_account_get_email (next), ==, "ivan@example.com");
  }
}

static void
test_server_down (void)
{
  g_autoptr(Pd) pd = pd_start (NULL);
  g_autoptr(PassportServer) server = discover (pd);
  g_autoptr(Browser) browser = browser_new ("down@example.com", FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = sign_in_browser (server, browser, 0, NULL, &error);
  g_autoptr(PassportClient) client = NULL;
  g_autoptr(PassportAccount) account = NULL;

  g_assert_no_error (error);
  client = passport_client_new (session);
  account = get_me (client, 0, 0, &error);
  g_assert_no_error (error);
  g_clear_object (&account);

  pd_stop (pd);
  account = get_me (client, 0, 0, &error);
  g_assert_null (account);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_UNREACHABLE);
  g_clear_error (&error);

  /* A long poll in flight when the server goes away. */
  {
    g_autoptr(Pd) pd2 = pd_start (NULL);
    g_autoptr(PassportServer) server2 = discover (pd2);
    g_autoptr(Browser) browser2 = browser_new ("down2@example.com", FALSE);
    g_autoptr(PassportSession) session2 = sign_in_browser (server2, browser2, 0, NULL, &error);
    g_autoptr(PassportClient) client2 = passport_client_new (session2);
    g_autoptr(GAsyncResult) res = NULL;

    g_assert_no_error (error);
    passport_client_get_me_async (client2, 30, G_MAXINT32, NULL, core_test_result_cb, &res);
    core_test_sleep (300);
    pd_stop (pd2);
    account = passport_client_get_me_finish (client2, core_test_await (&res), &error);
    g_assert_null (account);
    g_assert_true (g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_UNREACHABLE) ||
                   g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_SERVER_ERROR) ||
                   g_error_matches (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE));
  }
}

/* Provider icons: fetched through the core, images only; a provider
 * without one says so. */
static void
test_provider_icons (void)
{
  g_autoptr(Pd) pd = pd_start ("--provider", "google:Google", "--provider", "other:Other Network", NULL);
  g_autoptr(PassportServer) server = discover (pd);
  GListModel *providers = passport_server_get_providers (server);
  g_autoptr(PassportProvider) google = g_list_model_get_item (providers, 0);
  g_autoptr(PassportProvider) other = g_list_model_get_item (providers, 1);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (passport_provider_get_id (google), ==, "google");
  g_assert_true (passport_server_find_provider (server, "google") == google);
  g_assert_true (passport_server_find_provider (server, "other") == other);
  g_assert_null (passport_server_find_provider (server, "vk"));
  g_assert_null (passport_server_find_provider (server, NULL));
  g_assert_nonnull (passport_provider_get_icon_url (google));
  g_assert_null (passport_provider_get_icon_url (other));

  {
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(GBytes) bytes = NULL;
    gsize len;
    const char *data;

    passport_server_fetch_icon_async (server, google, NULL, core_test_result_cb, &res);
    bytes = passport_server_fetch_icon_finish (server, core_test_await (&res), &error);
    g_assert_no_error (error);
    data = g_bytes_get_data (bytes, &len);
    g_assert_cmpuint (len, >, 20);
    g_assert_true (g_str_has_prefix (data, "<svg"));
  }
  {
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(GBytes) bytes = NULL;

    passport_server_fetch_icon_async (server, other, NULL, core_test_result_cb, &res);
    bytes = passport_server_fetch_icon_finish (server, core_test_await (&res), &error);
    g_assert_null (bytes);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_NOT_SUPPORTED);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/passportd/discovery", test_discovery);
  g_test_add_func ("/passportd/discovery/issuer-mismatch", test_discovery_issuer_mismatch);
  g_test_add_func ("/passportd/provider-icons", test_provider_icons);
  g_test_add_func ("/passportd/browser/sign-in", test_browser_sign_in);
  g_test_add_func ("/passportd/browser/access-denied", test_browser_access_denied);
  g_test_add_func ("/passportd/browser/timeout-and-cancel", test_browser_timeout_and_cancel);
  g_test_add_func ("/passportd/password", test_password_sign_in);
  g_test_add_func ("/passportd/refresh", test_refresh);
  g_test_add_func ("/passportd/revoke", test_revoke);
  g_test_add_func ("/passportd/client", test_client_calls);
  g_test_add_func ("/passportd/server-down", test_server_down);

  return g_test_run ();
}
