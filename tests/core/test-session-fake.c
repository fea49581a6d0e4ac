/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Browser sign-in, refresh and revoke against the in-test provider
 * (fake-oidc.c), for the cases passportd cannot produce on demand:
 * transient 503s on refresh, wrong nonce or iss, a browser that never
 * comes back. The "browser" is a libsoup session that follows the
 * redirects into our real loopback listener. */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "passport-browser-launcher.h"
#include "passport-core.h"
#include "passport-session-private.h"
#include "passport-token-endpoint-private.h"
#include "core-test-util.h"
#include "fake-oidc.h"

typedef struct
{
  SoupSession *session;
  guint launches;
  gboolean fail;
} Browser;

static void
browser_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(GBytes) bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
}

static gboolean
browser_launch (const char  *url,
                gpointer     data,
                GError     **error)
{
  Browser *browser = data;
  g_autoptr(SoupMessage) msg = NULL;

  browser->launches++;
  if (browser->fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no browser here");
      return FALSE;
    }
  msg = soup_message_new ("GET", url);
  soup_session_send_and_read_async (browser->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    browser_done_cb, NULL);
  return TRUE;
}

static Browser *
browser_new (void)
{
  Browser *browser = g_new0 (Browser, 1);

  browser->session = soup_session_new ();
  return browser;
}

static void
browser_free (Browser *browser)
{
  g_object_unref (browser->session);
  g_free (browser);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Browser, browser_free)

static PassportServer *
discover (const char *url)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  PassportServer *server;

  passport_server_discover_async (url, NULL, core_test_result_cb, &res);
  server = passport_server_discover_finish (core_test_await (&res), &error);
  g_assert_no_error (error);
  return server;
}

static PassportSession *
browser_sign_in_max_age (PassportServer *server,
                         Browser        *browser,
                         guint           timeout,
                         gint            max_age,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_autoptr(PassportBrowserSignIn) sign_in = passport_browser_sign_in_new (server, "google", "hint@example.com");
  g_autoptr(GAsyncResult) res = NULL;
  g_autofree char *url = NULL;

  passport_browser_sign_in_set_launcher (sign_in, browser_launch, browser, NULL);
  passport_browser_sign_in_set_max_age (sign_in, max_age);
  if (timeout > 0)
    passport_browser_sign_in_set_timeout_seconds (sign_in, timeout);
  g_assert_null (passport_browser_sign_in_get_url (sign_in));
  passport_browser_sign_in_start_async (sign_in, cancellable, core_test_result_cb, &res);

  /* The URL is there for "Copy link" while we wait. */
  url = g_strdup (passport_browser_sign_in_get_url (sign_in));
  g_assert_nonnull (url);
  g_assert_true (g_str_has_prefix (url, passport_server_get_authorization_endpoint (server)));
  g_assert_nonnull (strstr (url, "code_challenge_method=S256"));
  g_assert_nonnull (strstr (url, "provider=google"));
  g_assert_nonnull (strstr (url, "login_hint=hint%40example.com"));
  g_assert_nonnull (strstr (url, "redirect_uri=http%3A%2F%2F127.0.0.1%3A"));
  g_assert_true ((strstr (url, "max_age=0") != NULL) == (max_age == 0));
  g_assert_true ((strstr (url, "max_age=") != NULL) == (max_age >= 0));

  return passport_browser_sign_in_start_finish (sign_in, core_test_await (&res), error);
}

static PassportSession *
browser_sign_in (PassportServer *server,
                 Browser        *browser,
                 guint           timeout,
                 GCancellable   *cancellable,
                 GError        **error)
{
  return browser_sign_in_max_age (server, browser, timeout, -1, cancellable, error);
}

/* max_age=0 (OpenID Connect Core 3.1.2.1): the tokens count only with an
 * auth_time in the id_token no older than the sign-in, give or take 5
 * minutes for the provider's clock; without max_age, auth_time is not
 * looked at. */
static void
test_browser_max_age (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  struct { gint max_age; gint64 auth_time; gboolean ok; } cases[] = {
    { 0, 0, FALSE },               /* none: required with max_age */
    { 0, now - 3600, FALSE },      /* an hour-old sign-in */
    { 0, now - 400, FALSE },       /* past the 5 minutes of clock */
    { 0, now - 200, TRUE },        /* within them */
    { 0, now, TRUE },
    { -1, 0, TRUE },               /* not asked */
    { -1, now - 3600, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Fake) fake = fake_new (TRUE);
      g_autoptr(Browser) browser = browser_new ();
      g_autoptr(PassportServer) server = discover (fake->base);
      g_autoptr(GError) error = NULL;
      g_autoptr(PassportSession) session = NULL;

      g_test_message ("max_age %d, auth_time now%+" G_GINT64_FORMAT, cases[i].max_age,
                      cases[i].auth_time != 0 ? cases[i].auth_time - now : 0);
      fake->token_auth_time = cases[i].auth_time;
      session = browser_sign_in_max_age (server, browser, 0, cases[i].max_age, NULL, &error);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_nonnull (session);
        }
      else
        {
          g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_INVALID_ID_TOKEN);
          g_assert_null (session);
        }
    }
}

static void
test_browser_ok (void)
{
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(Browser) browser = browser_new ();
  g_autoptr(PassportServer) server = discover (fake->base);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = browser_sign_in (server, browser, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (browser->launches, ==, 1);
  g_assert_cmpstr (passport_session_get_subject (session), ==, "plain-user");
  g_assert_cmpstr (passport_session_get_email (session), ==, "plain@example.com");
  g_assert_cmpint (passport_session_get_access_token_expires_at (session), >,
                   g_get_real_time () / G_USEC_PER_SEC);
}

static void
check_browser_error (FakeAuthorizeMode mode,
                     const char       *nonce,
                     guint             timeout,
                     int               code)
{
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(Browser) browser = browser_new ();
  g_autoptr(PassportServer) server = discover (fake->base);
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = NULL;

  fake->authorize_mode = mode;
  fake->token_nonce = g_strdup (nonce);
  session = browser_sign_in (server, browser, timeout, NULL, &error);
  g_assert_null (session);
  g_assert_error (error, PASSPORT_ERROR, code);
}

static void
test_browser_errors (void)
{
  check_browser_error (FAKE_AUTHORIZE_DENY, NULL, 0, PASSPORT_ERROR_ACCESS_DENIED);
  check_browser_error (FAKE_AUTHORIZE_OK, "not-our-nonce", 0, PASSPORT_ERROR_INVALID_ID_TOKEN);
  /* A callback with our state but another issuer (a mix-up) ends the
   * sign-in at once; one with a forged state is ignored: timeout. */
  check_browser_error (FAKE_AUTHORIZE_WRONG_ISS, NULL, 1, PASSPORT_ERROR_ISSUER_MISMATCH);
  check_browser_error (FAKE_AUTHORIZE_WRONG_STATE, NULL, 1, PASSPORT_ERROR_BROWSER_TIMEOUT);
  check_browser_error (FAKE_AUTHORIZE_NEVER, NULL, 1, PASSPORT_ERROR_BROWSER_TIMEOUT);
}

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_browser_cancel (void)
{
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(Browser) browser = browser_new ();
  g_autoptr(PassportServer) server = discover (fake->base);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = NULL;
  gint64 start = g_get_monotonic_time ();

  fake->authorize_mode = FAKE_AUTHORIZE_NEVER;
  g_timeout_add (200, cancel_later, cancellable);
  session = browser_sign_in (server, browser, 30, cancellable, &error);
  g_assert_null (session);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
}

static void
test_browser_launch_failure (void)
{
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(Browser) browser = browser_new ();
  g_autoptr(PassportServer) server = discover (fake->base);
  g_autoptr(PassportBrowserSignIn) sign_in = passport_browser_sign_in_new (server, NULL, NULL);
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = NULL;
  const GError *launch_error;

  browser->fail = TRUE;
  passport_browser_sign_in_set_launcher (sign_in, browser_launch, browser, NULL);
  passport_browser_sign_in_start_async (sign_in, NULL, core_test_result_cb, &res);

  /* No browser: the sign-in keeps waiting and says why, from the main
   * loop (a launch never reports inside the call that started it). */
  g_assert_null (passport_browser_sign_in_get_launch_error (sign_in));
  core_test_sleep (100);
  launch_error = passport_browser_sign_in_get_launch_error (sign_in);
  g_assert_error (launch_error, PASSPORT_ERROR, PASSPORT_ERROR_BROWSER_LAUNCH);
  g_assert_null (res);

  /* "Open again" once a browser is there. */
  browser->fail = FALSE;
  passport_browser_sign_in_open_browser (sign_in);
  while (passport_browser_sign_in_get_launch_error (sign_in) != NULL)
    g_main_context_iteration (NULL, TRUE);
  session = passport_browser_sign_in_start_finish (sign_in, core_test_await (&res), &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);
  g_assert_cmpuint (browser->launches, ==, 2);
}

static gboolean
launch (const char  *command,
        GCancellable *cancellable,
        GError     **error)
{
  g_autoptr(GAsyncResult) res = NULL;

  passport_browser_launch_async (command, "http://127.0.0.1:1/x", cancellable, core_test_result_cb, &res);
  /* Off the main loop: nothing has come back yet. */
  g_assert_null (res);
  return passport_browser_launch_finish (core_test_await (&res), error);
}

static void
test_browser_env_command (void)
{
  /* $PASSPORT_BROWSER: a command that fails to start is a launch error. */
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_setenv ("PASSPORT_BROWSER", "/nonexistent/browser --flag", TRUE);
  g_assert_false (launch (NULL, NULL, &error));
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BROWSER_LAUNCH);
  g_clear_error (&error);
  /* `true` takes the URL and exits 0: launched (on Windows, cmd.exe with
   * the URL as a comment). */
#ifdef G_OS_WIN32
  g_setenv ("PASSPORT_BROWSER", "cmd.exe /c rem", TRUE);
#else
  g_setenv ("PASSPORT_BROWSER", "true", TRUE);
#endif
  g_assert_true (launch (NULL, NULL, &error));
  g_assert_no_error (error);
  /* A command of the caller's goes before the environment's. */
  g_assert_false (launch ("/nonexistent/browser", NULL, &error));
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BROWSER_LAUNCH);
  g_clear_error (&error);
  g_assert_false (launch ("'unbalanced", NULL, &error));
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BROWSER_LAUNCH);
  g_clear_error (&error);
  /* Cancelled first: nothing is started. */
  g_cancellable_cancel (cancellable);
  g_assert_false (launch (NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_unsetenv ("PASSPORT_BROWSER");
}

static void
test_browser_launch_cancelled (void)
{
  /* A sign-in cancelled while its browser is being opened: the launch is
   * cancelled with it and no launch-error comes afterwards. */
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(PassportServer) server = discover (fake->base);
  g_autoptr(PassportBrowserSignIn) sign_in = passport_browser_sign_in_new (server, NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PassportSession) session = NULL;

  passport_browser_sign_in_set_command (sign_in, "/nonexistent/browser");
  passport_browser_sign_in_start_async (sign_in, cancellable, core_test_result_cb, &res);
  g_cancellable_cancel (cancellable);
  session = passport_browser_sign_in_start_finish (sign_in, core_test_await (&res), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  core_test_sleep (200);
  g_assert_null (passport_browser_sign_in_get_launch_error (sign_in));
}

/* Refresh */

static PassportSession *
password_session (Fake           *fake,
                  PassportServer *server)
{
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  PassportSession *session;

  passport_session_sign_in_with_password_async (server, "plain@example.com", "pw", NULL,
                                                core_test_result_cb, &res);
  session = passport_session_sign_in_with_password_finish (core_test_await (&res), &error);
  g_assert_no_error (error);
  passport_session_set_backoff_ms (session, 10);
  return session;
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
count_cb (gpointer  object,
          gpointer  data)
{
  (*(guint *) data)++;
}

static void
notify_count_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    data)
{
  (*(guint *) data)++;
}

static void
test_refresh_transient (void)
{
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(PassportServer) server = discover (fake->base);
  g_autoptr(PassportSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  guint changed = 0;

  fake->access_ttl = 1;
  session = password_session (fake, server);
  g_signal_connect (session, "tokens-changed", G_CALLBACK (count_cb), &changed);

  /* Two 503s, then success: retried within the bound. */
  core_test_sleep (1100);
  fake->transient_failures = 2;
  token = get_token (session, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, fake->access_token);
  g_assert_cmpuint (fake->refresh_requests, ==, 3);
  g_assert_cmpuint (changed, ==, 1);
  g_clear_pointer (&token, g_free);

  /* More failures than attempts: the error comes back, the session lives. */
  core_test_sleep (1100);
  fake->transient_failures = 10;
  fake->refresh_requests = 0;
  token = get_token (session, &error);
  g_assert_null (token);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_SERVER_ERROR);
  g_assert_cmpuint (fake->refresh_requests, ==, 3);
  g_assert_false (passport_session_get_expired (session));
  g_clear_error (&error);

  fake->transient_failures = 0;
  token = get_token (session, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, fake->access_token);
}

static void
tokens_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  GPtrArray *tokens = data;
  g_autoptr(GError) error = NULL;
  char *token = passport_session_get_access_token_finish (PASSPORT_SESSION (source), result, &error);

  g_assert_no_error (error);
  g_ptr_array_add (tokens, token);
}

static void
test_single_flight (void)
{
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(PassportServer) server = discover (fake->base);
  g_autoptr(PassportSession) session = NULL;
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;
  guint changed = 0;

  fake->access_ttl = 1;
  session = password_session (fake, server);
  g_signal_connect (session, "tokens-changed", G_CALLBACK (count_cb), &changed);
  core_test_sleep (1100);

  for (guint i = 0; i < 8; i++)
    passport_session_get_access_token_async (session, NULL, tokens_cb, tokens);
  /* One more caller that gives up: only it is cancelled. */
  passport_session_get_access_token_async (session, cancelled, core_test_result_cb, &res);
  g_cancellable_cancel (cancelled);

  while (tokens->len < 8)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (passport_session_get_access_token_finish (session, core_test_await (&res), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_cmpuint (fake->refresh_requests, ==, 1);
  g_assert_cmpuint (passport_session_get_refresh_count (session), ==, 1);
  g_assert_cmpuint (changed, ==, 1);
  for (guint i = 0; i < tokens->len; i++)
    g_assert_cmpstr (g_ptr_array_index (tokens, i), ==, fake->access_token);
}

static void
test_refresh_invalid_grant (void)
{
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(PassportServer) server = discover (fake->base);
  g_autoptr(PassportSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *serialized = NULL;
  guint expired_notified = 0;

  fake->access_ttl = 1;
  session = password_session (fake, server);
  g_signal_connect (session, "notify::expired", G_CALLBACK (notify_count_cb), &expired_notified);

  core_test_sleep (1100);
  /* The server forgot the family (as after a reuse). */
  g_clear_pointer (&fake->refresh_token, g_free);
  token = get_token (session, &error);
  g_assert_null (token);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED);
  g_assert_true (passport_session_get_expired (session));
  g_assert_cmpuint (expired_notified, ==, 1);
  g_assert_cmpint (passport_session_get_access_token_expires_at (session), ==, 0);
  serialized = passport_session_serialize (session);
  g_assert_null (serialized);
  g_clear_error (&error);

  /* Expired stays expired, without asking the server again. */
  fake->refresh_requests = 0;
  token = get_token (session, &error);
  g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_SESSION_EXPIRED);
  g_assert_cmpuint (fake->refresh_requests, ==, 0);
}

static void
test_serialize_restore_revoke (void)
{
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(PassportServer) server = discover (fake->base);
  g_autoptr(PassportSession) session = password_session (fake, server);
  g_autoptr(PassportSession) restored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *serialized = passport_session_serialize (session);
  g_autofree char *token = NULL;
  g_autoptr(GAsyncResult) res = NULL;

  g_assert_nonnull (serialized);
  g_assert_nonnull (strstr (serialized, fake->refresh_token));
  g_assert_null (strstr (serialized, "\n"));
  /* The access token rides along for the other processes that share the
   * item (passportctl beside the app); the password never. */
  g_assert_nonnull (strstr (serialized, fake->access_token));
  g_assert_null (strstr (serialized, "\"pw\""));

  restored = passport_session_new_from_serialized (server, serialized, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (passport_session_get_subject (restored), ==, "plain-user");
  g_assert_cmpstr (passport_session_get_email (restored), ==, "plain@example.com");
  g_assert_cmpint (passport_session_get_access_token_expires_at (restored), ==,
                   passport_session_get_access_token_expires_at (session));

  /* A restored session uses the stored access token while it is good:
   * no refresh, so nothing another process holds is retired. */
  token = get_token (restored, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, fake->access_token);
  g_assert_cmpuint (fake->refresh_requests, ==, 0);

  passport_session_revoke_async (restored, NULL, core_test_result_cb, &res);
  g_assert_true (passport_session_revoke_finish (restored, core_test_await (&res), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake->revoked->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fake->revoked, 0), ==, fake->refresh_token);
  g_assert_null (passport_session_serialize (restored));

  /* Malformed or foreign serializations. */
  {
    const char *bad[] = {
      "", "{}", "not json", "{\"version\":1}",
      "{\"version\":2,\"issuer\":\"x\",\"subject\":\"s\",\"refresh_token\":\"r\"}",
      "{\"version\":1,\"issuer\":\"x\",\"subject\":\"s\",\"refresh_token\":7}",
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) e = NULL;

        g_assert_null (passport_session_new_from_serialized (server, bad[i], &e));
        g_assert_error (e, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
      }
  }
  {
    g_autoptr(GError) e = NULL;

    g_assert_null (passport_session_new_from_serialized (
      server, "{\"version\":1,\"issuer\":\"https://other.example\",\"subject\":\"s\",\"refresh_token\":\"r\"}", &e));
    g_assert_error (e, PASSPORT_ERROR, PASSPORT_ERROR_ISSUER_MISMATCH);
  }
}

static void
test_client_retries_401 (void)
{
  g_autoptr(Fake) fake = fake_new (TRUE);
  g_autoptr(PassportServer) server = discover (fake->base);
  g_autoptr(PassportSession) session = password_session (fake, server);
  g_autoptr(PassportClient) client = passport_client_new (session);
  g_autoptr(PassportAccount) account = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(GError) error = NULL;

  /* The server dropped the access token early; the refresh token is good. */
  g_free (fake->access_token);
  fake->access_token = g_strdup ("something-else");
  passport_client_get_me_async (client, 0, 0, NULL, core_test_result_cb, &res);
  account = passport_client_get_me_finish (client, core_test_await (&res), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (passport_account_get_id (account), ==, "acc");
  g_assert_cmpuint (fake->refresh_requests, ==, 1);
  g_assert_cmpuint (fake->me_requests, ==, 2);
}

/* Lifetimes a provider should never send (the fake is used because a real
 * provider cannot be made to send them). A huge expires_in must not
 * overflow the expiry time: it is capped. None, zero or a negative one
 * leaves the lifetime unknown: the token is used until the server refuses
 * it (RFC 6749 §5.1: expires_in is only RECOMMENDED). */
static void
test_token_lifetimes (void)
{
  const char *lifetimes[] = {
    "9223372036854775807", "1e30", "31536001", "-9223372036854775808", "-5", "0", "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (lifetimes); i++)
    {
      g_autoptr(Fake) fake = fake_new (TRUE);
      g_autoptr(PassportServer) server = discover (fake->base);
      g_autoptr(PassportSession) session = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *token = NULL;
      gint64 now, expires_at;

      g_test_message ("expires_in: %s", lifetimes[i]);
      fake->expires_in_json = g_strdup (lifetimes[i]);
      now = g_get_real_time () / G_USEC_PER_SEC;
      session = password_session (fake, server);
      expires_at = passport_session_get_access_token_expires_at (session);
      g_assert_cmpint (expires_at, >, now + 60);
      g_assert_cmpint (expires_at, <=, now + PASSPORT_TOKEN_MAX_LIFETIME + 5);

      /* Fresh: handed out without a refresh. */
      token = get_token (session, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (token, ==, fake->access_token);
      g_assert_cmpuint (fake->refresh_requests, ==, 0);
    }
}

/* A token that would break the Authorization header (CR LF is a header
 * injection; libsoup would refuse the header and send the request without
 * it) is refused when the answer arrives, as is a refresh token with
 * control characters. Malformed on purpose: only the fake sends these. */
static void
test_token_characters (void)
{
  const struct { const char *access; const char *refresh; } bad[] = {
    { "\\r\\nX-Injected: yes", NULL },
    { "\\n", NULL },
    { " x", NULL },
    { "\\\"", NULL },
    { "\\u00e9", NULL },
    { "=x", NULL },
    { NULL, "\\r\\nx" },
    { NULL, "\\t" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(Fake) fake = fake_new (TRUE);
      g_autoptr(PassportServer) server = discover (fake->base);
      g_autoptr(PassportSession) session = NULL;
      g_autoptr(GAsyncResult) res = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u", i);
      fake->access_token_suffix = g_strdup (bad[i].access);
      fake->refresh_token_suffix = g_strdup (bad[i].refresh);
      passport_session_sign_in_with_password_async (server, "plain@example.com", "pw", NULL,
                                                    core_test_result_cb, &res);
      session = passport_session_sign_in_with_password_finish (core_test_await (&res), &error);
      g_assert_null (session);
      g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
    }

  /* Every b64token character (RFC 6750 §2.1) passes, and a refresh token
   * may use any visible ASCII (RFC 6749 Appendix A.17). */
  {
    g_autoptr(Fake) fake = fake_new (TRUE);
    g_autoptr(PassportServer) server = discover (fake->base);
    g_autoptr(PassportSession) session = NULL;
    g_autoptr(PassportClient) client = NULL;
    g_autoptr(PassportAccount) account = NULL;
    g_autoptr(GAsyncResult) res = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *token = NULL;

    fake->access_token_suffix = g_strdup ("-._~+/AZaz09==");
    fake->refresh_token_suffix = g_strdup ("!*$ ()");
    fake->access_ttl = 1;
    session = password_session (fake, server);
    token = get_token (session, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (token, ==, "at-1-._~+/AZaz09==");

    /* A refresh that answers with a bad token fails; nothing is sent with it. */
    core_test_sleep (1100);
    g_clear_pointer (&token, g_free);
    g_free (fake->access_token_suffix);
    fake->access_token_suffix = g_strdup ("\\r\\nX-Injected: yes");
    g_clear_pointer (&fake->refresh_token_suffix, g_free);
    g_free (fake->refresh_token);
    fake->refresh_token = g_strdup ("rt-1!*$ ()");
    token = get_token (session, &error);
    g_assert_null (token);
    g_assert_error (error, PASSPORT_ERROR, PASSPORT_ERROR_BAD_RESPONSE);
    g_assert_cmpuint (fake->refresh_requests, ==, 1);
    g_clear_error (&error);

    client = passport_client_new (session);
    fake->me_requests = 0;
    passport_client_get_me_async (client, 0, 0, NULL, core_test_result_cb, &res);
    account = passport_client_get_me_finish (client, core_test_await (&res), &error);
    g_assert_null (account);
    g_assert_nonnull (error);
    g_assert_cmpuint (fake->me_requests, ==, 0);
  }
}

/* Everything runs on the thread-default context of the caller (as a
 * command-line tool with a private loop would use it), timers included. */
static void
test_thread_default_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  g_main_context_push_thread_default (context);
  {
    g_autoptr(Fake) fake = fake_new (TRUE);
    g_autoptr(PassportServer) server = discover (fake->base);
    g_autoptr(PassportSession) session = NULL;

    fake->access_ttl = 1;
    session = password_session (fake, server);
    core_test_sleep (1100);
    fake->transient_failures = 1;
    token = get_token (session, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (fake->refresh_requests, ==, 2);
  }
  g_main_context_pop_thread_default (context);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/session-fake/browser/ok", test_browser_ok);
  g_test_add_func ("/session-fake/browser/errors", test_browser_errors);
  g_test_add_func ("/session-fake/browser/max-age", test_browser_max_age);
  g_test_add_func ("/session-fake/browser/cancel", test_browser_cancel);
  g_test_add_func ("/session-fake/browser/launch-failure", test_browser_launch_failure);
  g_test_add_func ("/session-fake/browser/launch-cancelled", test_browser_launch_cancelled);
  g_test_add_func ("/session-fake/browser/env-command", test_browser_env_command);
  g_test_add_func ("/session-fake/refresh/transient", test_refresh_transient);
  g_test_add_func ("/session-fake/refresh/single-flight", test_single_flight);
  g_test_add_func ("/session-fake/refresh/invalid-grant", test_refresh_invalid_grant);
  g_test_add_func ("/session-fake/serialize-restore-revoke", test_serialize_restore_revoke);
  g_test_add_func ("/session-fake/client-retries-401", test_client_retries_401);
  g_test_add_func ("/session-fake/token/lifetimes", test_token_lifetimes);
  g_test_add_func ("/session-fake/token/characters", test_token_characters);
  g_test_add_func ("/session-fake/thread-default-context", test_thread_default_context);

  return g_test_run ();
}
