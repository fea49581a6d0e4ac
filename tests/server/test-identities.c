// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: linked sign-in methods, section 10 of the contract. A link
 * with a proof gives a link_url; the browser opens it, goes through that
 * network's stand-in sign-in page and the identity is attached (the page
 * says so, in English or Russian; GET /me shows it with linked_at and the
 * attempt linked; revision moves and a waiting long poll wakes); the
 * link works once, 10 minutes, and only the newest; an identity of another
 * account, one of a provider the account has, an unknown provider and a
 * cancel at the network; unlinking, and not the last way in; the ticket
 * going with the account and with a password reset; the feature off. */
#include "config.h"

#include <string.h>

#include <sqlite3.h>

#include "pd-test-server.h"

#define PASSWORD "a sturdy passphrase 7"
#define ME "/api/v1/me"
#define LINK "/api/v1/me/identities/link"
#define LINKED_EN "VK is now linked to your account. You can return to the app."
#define LINKED_RU "Вход через VK теперь привязан к вашей учётной записи. Можно вернуться в приложение."

static const char *
access_of (JsonObject *tokens)
{
  return json_object_get_string_member (tokens, "access_token");
}

static const char *
refresh_of (JsonObject *tokens)
{
  return json_object_get_string_member (tokens, "refresh_token");
}

static gint64
unix_of (const char *rfc3339)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_iso8601 (rfc3339, NULL);

  g_assert_nonnull (t);
  return g_date_time_to_unix (t);
}

/* An account on google with a bound address and PASSWORD. */
static JsonObject *
account_new (PdServer   *server,
             const char *who,
             char      **out_email)
{
  g_autofree char *email = pd_unique_email (who);
  JsonObject *tokens = pd_account_with_password (server, "google", email, who, PASSWORD);

  if (out_email != NULL)
    *out_email = g_steal_pointer (&email);
  return tokens;
}

/* GET /me as an object (owned). */
static JsonObject *
me (PdClient   *client,
    const char *access)
{
  g_autoptr(PdResponse) r = pd_get_me (client, access);

  return json_object_ref (pd_response_object (r));
}

/* POST /me/identities/link for @provider with the password as the proof
 * (none when NULL). */
static PdResponse *
post_link (PdClient   *client,
           const char *access,
           const char *provider,
           const char *password)
{
  g_autofree char *body = pd_json_strings ("provider", provider,
                                           password != NULL ? "password" : NULL, password, NULL);

  return pd_client_post_json (client, LINK, access, body);
}

/* The same, asserting 201 and its shape; returns the link_url (owned),
 * the id through @out_id. */
static char *
start_link (PdServer   *server,
            PdClient   *client,
            const char *access,
            const char *provider,
            const char *password,
            char      **out_id)
{
  g_autoptr(PdResponse) r = post_link (client, access, provider, password);
  g_autofree char *prefix = g_strconcat (server->issuer, "/api/v1/identities/link?ticket=", NULL);
  g_autofree char *ticket = NULL;
  const char *link_url;
  gint64 now = pd_server_now (client);

  pd_assert_response (r, 201, NULL);
  g_assert_true (g_str_has_prefix (pd_response_string (r, "id"), "lnk_"));
  link_url = pd_response_string (r, "link_url");
  g_assert_true (g_str_has_prefix (link_url, prefix));
  /* at least 128 bits, base64url */
  ticket = pd_url_param (link_url, "ticket");
  g_assert_cmpuint (strlen (ticket), >=, 22);
  g_assert_true (g_regex_match_simple ("^[A-Za-z0-9_-]+$", ticket, 0, 0));
  g_assert_cmpint (unix_of (pd_response_string (r, "expires_at")), >=, now + 599);
  g_assert_cmpint (unix_of (pd_response_string (r, "expires_at")), <=, now + 600);
  if (out_id != NULL)
    *out_id = g_strdup (pd_response_string (r, "id"));
  return g_strdup (link_url);
}

/* GET /me's identity_link, asserting it is an object. */
static JsonObject *
link_of (JsonObject *account)
{
  g_assert_true (json_object_has_member (account, "identity_link"));
  g_assert_false (json_object_get_null_member (account, "identity_link"));
  return json_object_get_object_member (account, "identity_link");
}

/* The identity of @provider in GET /me, or NULL. */
static JsonObject *
identity_of (JsonObject *account,
             const char *provider)
{
  JsonArray *identities = json_object_get_array_member (account, "identities");

  for (guint i = 0; i < json_array_get_length (identities); i++)
    {
      JsonObject *o = json_array_get_object_element (identities, i);

      if (g_str_equal (json_object_get_string_member (o, "provider"), provider))
        return o;
    }
  return NULL;
}

/* Asserts an HTML page with @status holding @text. */
static void
assert_page (PdResponse *r,
             guint       status,
             const char *text)
{
  if (r->status != status)
    g_error ("expected %u, got %u: %.600s", status, r->status, r->text);
  g_assert_cmpstr (soup_message_headers_get_content_type (r->headers, NULL), ==, "text/html");
  g_assert_cmpstr (pd_response_header (r, "Cache-Control"), ==, "no-store");
  if (text != NULL && strstr (r->text, text) == NULL)
    g_error ("the page lacks \"%s\": %.1000s", text, r->text);
}

typedef struct
{
  PdServer *server;
  const char *access;
  gint64 after;
  guint status;
  gint64 revision;
  gint64 took;
} Poll;

static gpointer
poll_thread (gpointer data)
{
  Poll *p = data;
  g_autoptr(PdClient) client = pd_client_new (p->server);
  g_autofree char *path = g_strdup_printf (ME "?wait=20&after_revision=%" G_GINT64_FORMAT, p->after);
  gint64 start = g_get_monotonic_time ();
  g_autoptr(PdResponse) r = pd_client_get (client, path, p->access);

  p->status = r->status;
  p->took = g_get_monotonic_time () - start;
  if (r->status == 200)
    p->revision = json_object_get_int_member (pd_response_object (r), "revision");
  return NULL;
}

/* --------------------------------------------------------------- */

static void
test_link (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autoptr(JsonObject) tokens = account_new (server, "link", NULL);
  g_autoptr(JsonObject) before = me (client, access_of (tokens));
  g_autoptr(JsonObject) pending = NULL;
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(PdSocialPage) page = NULL;
  g_autoptr(PdResponse) done = NULL;
  g_autofree char *id = NULL;
  g_autofree char *link_url = NULL;
  g_autofree char *vk_email = pd_unique_email ("link-vk");
  Poll poll = { server, access_of (tokens), 0, 0, 0, 0 };
  GThread *thread;
  gint64 opened_at;

  /* null before any attempt */
  g_assert_true (json_object_has_member (before, "identity_link"));
  g_assert_true (json_object_get_null_member (before, "identity_link"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (before, "identities")), ==, 1);
  g_assert_true (json_object_has_member (identity_of (before, "google"), "linked_at"));

  link_url = start_link (server, client, access_of (tokens), "vk", PASSWORD, &id);
  pending = me (client, access_of (tokens));
  g_assert_cmpstr (json_object_get_string_member (link_of (pending), "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (link_of (pending), "provider"), ==, "vk");
  g_assert_cmpstr (json_object_get_string_member (link_of (pending), "status"), ==, "pending");
  g_assert_false (json_object_has_member (link_of (pending), "error"));
  g_assert_true (json_object_has_member (link_of (pending), "expires_at"));

  /* the client waits for the outcome */
  poll.after = json_object_get_int_member (pending, "revision");
  thread = g_thread_new ("poll", poll_thread, &poll);
  g_usleep (300 * 1000);

  /* a HEAD (a link checker) does not spend it */
  {
    g_autoptr(PdResponse) head = pd_client_send (browser, "HEAD", link_url, NULL, NULL, NULL, NULL);

    g_assert_cmpuint (head->status, ==, 405);
  }
  /* the browser: VK's stand-in page, then the outcome */
  page = pd_browser_open (browser, link_url);
  assert_page (page->response, 200, "Sign in with VK");
  g_assert_nonnull (strstr (page->response->text, "id=\"email\""));
  g_assert_nonnull (strstr (page->response->text, "id=\"continue\""));
  g_assert_nonnull (strstr (page->response->text, "id=\"cancel\""));
  /* the ticket is used by opening it: a second open is refused even
   * before the first page is sent */
  {
    g_autoptr(PdResponse) twice = pd_client_get (browser, link_url, NULL);

    assert_page (twice, 410, "This link no longer works");
  }
  opened_at = pd_server_now (client);
  done = pd_browser_submit (browser, page, NULL, vk_email, "Someone Else", TRUE, "continue");
  assert_page (done, 200, LINKED_EN);
  g_assert_nonnull (strstr (done->text, "id=\"linked\""));

  g_thread_join (thread);
  g_assert_cmpuint (poll.status, ==, 200);
  g_assert_cmpint (poll.revision, >, poll.after);
  g_assert_cmpint (poll.took, <, 5 * G_USEC_PER_SEC);

  after = me (client, access_of (tokens));
  g_assert_cmpint (json_object_get_int_member (after, "revision"), >, poll.after);
  g_assert_cmpstr (json_object_get_string_member (link_of (after), "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (link_of (after), "status"), ==, "linked");
  g_assert_false (json_object_has_member (link_of (after), "error"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (after, "identities")), ==, 2);
  {
    JsonObject *vk = identity_of (after, "vk");

    g_assert_nonnull (vk);
    g_assert_cmpstr (json_object_get_string_member (vk, "email"), ==, vk_email);
    g_assert_true (json_object_get_boolean_member (vk, "email_verified"));
    g_assert_cmpint (unix_of (json_object_get_string_member (vk, "linked_at")), >=, opened_at);
    g_assert_cmpint (unix_of (json_object_get_string_member (vk, "linked_at")), <=, opened_at + 5);
  }
  /* the name at the network is not the account's */
  g_assert_cmpstr (json_object_get_string_member (after, "display_name"), ==, "link");

  /* that VK identity now signs in to this account */
  {
    g_autoptr(JsonObject) vk_tokens = pd_social_tokens (server, "vk", vk_email, NULL, TRUE);
    g_autoptr(JsonObject) vk_me = me (client, access_of (vk_tokens));

    g_assert_cmpstr (json_object_get_string_member (vk_me, "id"), ==,
                     json_object_get_string_member (after, "id"));
  }

  /* once: the link and the page's form are used up */
  {
    g_autoptr(PdResponse) again = pd_client_get (browser, link_url, NULL);
    g_autoptr(PdResponse) resubmit = pd_browser_submit (browser, page, NULL, vk_email, NULL, TRUE, "continue");
    g_autoptr(JsonObject) still = me (client, access_of (tokens));

    assert_page (again, 410, "This link no longer works");
    assert_page (resubmit, 410, "This link no longer works");
    g_assert_cmpint (json_object_get_int_member (still, "revision"), ==,
                     json_object_get_int_member (after, "revision"));
  }
  /* a ticket never issued */
  {
    g_autoptr(PdResponse) unknown = pd_client_get (browser, "/api/v1/identities/link?ticket=abcdefghijklmnopqrstuvwxyz", NULL);
    g_autoptr(PdResponse) none = pd_client_get (browser, "/api/v1/identities/link", NULL);

    assert_page (unknown, 404, "This link no longer works");
    assert_page (none, 404, "This link no longer works");
  }
}

static void
test_russian (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autoptr(JsonObject) tokens = account_new (server, "russian", NULL);
  g_autoptr(PdSocialPage) page = NULL;
  g_autoptr(PdResponse) done = NULL;
  g_autoptr(PdResponse) again = NULL;
  g_autofree char *link_url = start_link (server, client, access_of (tokens), "vk", PASSWORD, NULL);
  g_autofree char *vk_email = pd_unique_email ("russian-vk");

  pd_client_set_language (browser, "ru-RU,ru;q=0.9,en;q=0.5");
  page = pd_browser_open (browser, link_url);
  assert_page (page->response, 200, "Вход через VK");
  done = pd_browser_submit (browser, page, NULL, vk_email, NULL, FALSE, "continue");
  assert_page (done, 200, LINKED_RU);
  g_assert_null (strstr (done->text, LINKED_EN));
  again = pd_client_get (browser, link_url, NULL);
  assert_page (again, 410, "Ссылка больше не действует");
}

/* 10 minutes: then 410, and the attempt stays pending past its expires_at */
static void
test_expired (void)
{
  /* the access token outlives the two tickets */
  g_autoptr(PdServer) server = pd_server_start ("--access-token-ttl=3600", NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autoptr(JsonObject) tokens = account_new (server, "expired", NULL);
  g_autofree char *link_url = start_link (server, client, access_of (tokens), "vk", PASSWORD, NULL);
  g_autoptr(JsonObject) pending = me (client, access_of (tokens));
  g_autoptr(JsonObject) lapsed = NULL;
  g_autoptr(PdResponse) late = NULL;

  pd_server_advance_clock (server, 601);
  late = pd_client_get (browser, link_url, NULL);
  assert_page (late, 410, "This link no longer works");
  lapsed = me (client, access_of (tokens));
  g_assert_cmpstr (json_object_get_string_member (link_of (lapsed), "status"), ==, "pending");
  g_assert_cmpint (unix_of (json_object_get_string_member (link_of (lapsed), "expires_at")), <,
                   pd_server_now (client));
  g_assert_cmpint (json_object_get_int_member (lapsed, "revision"), ==,
                   json_object_get_int_member (pending, "revision"));

  /* a page opened in time but sent too late */
  {
    g_autofree char *second = start_link (server, client, access_of (tokens), "vk", PASSWORD, NULL);
    g_autoptr(PdSocialPage) page = pd_browser_open (browser, second);
    g_autoptr(PdResponse) done = NULL;
    g_autoptr(JsonObject) after = NULL;
    g_autofree char *vk_email = pd_unique_email ("expired-vk");

    pd_server_advance_clock (server, 601);
    done = pd_browser_submit (browser, page, NULL, vk_email, NULL, TRUE, "continue");
    assert_page (done, 410, "This link no longer works");
    after = me (client, access_of (tokens));
    g_assert_cmpstr (json_object_get_string_member (link_of (after), "status"), ==, "pending");
    g_assert_null (identity_of (after, "vk"));
  }
}

/* a new POST voids the previous ticket, and a page it opened */
static void
test_replaced (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autoptr(JsonObject) tokens = account_new (server, "replaced", NULL);
  g_autofree char *first_id = NULL, *second_id = NULL, *third_id = NULL;
  g_autofree char *first = start_link (server, client, access_of (tokens), "vk", PASSWORD, &first_id);
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autofree char *vk_email = pd_unique_email ("replaced-vk");
  g_autoptr(PdSocialPage) opened = NULL;
  g_autoptr(PdResponse) first_page = NULL;
  g_autoptr(PdResponse) opened_done = NULL;
  g_autoptr(JsonObject) account = NULL;

  second = start_link (server, client, access_of (tokens), "yandex", PASSWORD, &second_id);
  g_assert_cmpstr (first_id, !=, second_id);
  first_page = pd_client_get (browser, first, NULL);
  assert_page (first_page, 410, "This link no longer works");
  account = me (client, access_of (tokens));
  g_assert_cmpstr (json_object_get_string_member (link_of (account), "id"), ==, second_id);
  g_assert_cmpstr (json_object_get_string_member (link_of (account), "provider"), ==, "yandex");

  /* the second opened, then replaced by a third before it was sent */
  opened = pd_browser_open (browser, second);
  third = start_link (server, client, access_of (tokens), "vk", PASSWORD, &third_id);
  opened_done = pd_browser_submit (browser, opened, NULL, vk_email, NULL, TRUE, "continue");
  assert_page (opened_done, 410, "This link no longer works");

  /* the newest works */
  {
    g_autoptr(PdSocialPage) page = pd_browser_open (browser, third);
    g_autoptr(PdResponse) done = pd_browser_submit (browser, page, NULL, vk_email, NULL, TRUE, "continue");
    g_autoptr(JsonObject) after = me (client, access_of (tokens));

    assert_page (done, 200, LINKED_EN);
    g_assert_cmpstr (json_object_get_string_member (link_of (after), "id"), ==, third_id);
    g_assert_cmpstr (json_object_get_string_member (link_of (after), "status"), ==, "linked");
    g_assert_null (identity_of (after, "yandex"));
    g_assert_nonnull (identity_of (after, "vk"));
  }

  /* a day past their expiry the replaced ones are pruned (then unknown);
   * the latest stays */
  {
    g_autoptr(JsonObject) pruned = NULL;
    g_autoptr(JsonObject) later = NULL;
    g_autoptr(PdResponse) gone = NULL;
    g_autoptr(PdResponse) refresh = NULL;

    pd_server_advance_clock (server, 600 + 86400 - 10);
    pruned = pd_server_prune (server);
    g_assert_cmpint (pd_prune_count (pruned, "identity_links"), ==, 0);
    pd_server_advance_clock (server, 20);
    g_clear_pointer (&pruned, json_object_unref);
    pruned = pd_server_prune (server);
    g_assert_cmpint (pd_prune_count (pruned, "identity_links"), ==, 2);
    gone = pd_client_get (browser, first, NULL);
    assert_page (gone, 404, "This link no longer works");
    refresh = pd_token_refresh (client, refresh_of (tokens));
    pd_assert_response (refresh, 200, NULL);
    later = me (client, pd_response_string (refresh, "access_token"));
    g_assert_cmpstr (json_object_get_string_member (link_of (later), "id"), ==, third_id);
  }
}

/* that network account signs in to another account */
static void
test_in_use (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autofree char *vk_email = pd_unique_email ("in-use-vk");
  g_autoptr(JsonObject) other = pd_social_tokens (server, "vk", vk_email, "Other", TRUE);
  g_autoptr(JsonObject) other_me = me (client, access_of (other));
  g_autoptr(JsonObject) tokens = account_new (server, "in-use", NULL);
  g_autofree char *link_url = start_link (server, client, access_of (tokens), "vk", PASSWORD, NULL);
  g_autoptr(JsonObject) pending = me (client, access_of (tokens));
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(PdSocialPage) page = pd_browser_open (browser, link_url);
  g_autoptr(PdResponse) done = pd_browser_submit (browser, page, NULL, vk_email, NULL, TRUE, "continue");

  assert_page (done, 409, "This VK account already signs in to another Passport account. "
                          "To link it here, unlink it from that account first");
  g_assert_nonnull (strstr (done->text, "id=\"identity_in_use\""));
  after = me (client, access_of (tokens));
  g_assert_cmpstr (json_object_get_string_member (link_of (after), "status"), ==, "failed");
  g_assert_cmpstr (json_object_get_string_member (link_of (after), "error"), ==, "identity_in_use");
  g_assert_cmpint (json_object_get_int_member (after, "revision"), >,
                   json_object_get_int_member (pending, "revision"));
  g_assert_null (identity_of (after, "vk"));

  /* it still signs in to the other account */
  {
    g_autoptr(JsonObject) again = pd_social_tokens (server, "vk", vk_email, NULL, TRUE);
    g_autoptr(JsonObject) again_me = me (client, access_of (again));

    g_assert_cmpstr (json_object_get_string_member (again_me, "id"), ==,
                     json_object_get_string_member (other_me, "id"));
  }
  /* and the page is used up */
  {
    g_autoptr(PdResponse) resubmit = pd_browser_submit (browser, page, NULL, vk_email, NULL, TRUE, "continue");

    assert_page (resubmit, 410, NULL);
  }
}

/* the errors of the POST */
static void
test_errors (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(JsonObject) tokens = account_new (server, "errors", NULL);
  const char *access = access_of (tokens);

  {
    g_autoptr(PdResponse) r = post_link (client, access, "google", PASSWORD);
    pd_assert_response (r, 409, "already_linked");
  }
  {
    /* decided before the proof: a wrong password is not looked at */
    g_autoptr(PdResponse) r = post_link (client, access, "google", "wrong password");
    pd_assert_response (r, 409, "already_linked");
  }
  {
    g_autoptr(PdResponse) r = post_link (client, access, "facebook", PASSWORD);
    pd_assert_response (r, 422, "unknown_provider");
  }
  {
    g_autoptr(PdResponse) r = post_link (client, access, "vk", "wrong password");
    pd_assert_response (r, 403, "invalid_password");
  }
  {
    g_autoptr(PdResponse) r = post_link (client, access, "vk", NULL);
    JsonArray *accepted;

    pd_assert_response (r, 403, "reauth_required");
    accepted = json_object_get_array_member (pd_response_object (r), "accepted");
    g_assert_cmpstr (json_array_get_string_element (accepted, 0), ==, "password");
  }
  {
    g_autoptr(PdResponse) r = pd_client_post_json (client, LINK, access, "{\"password\": \"" PASSWORD "\"}");
    pd_assert_response (r, 400, "invalid_request");
  }
  {
    g_autoptr(PdResponse) r = pd_client_post_json (client, LINK, access, "{\"provider\": 7}");
    pd_assert_response (r, 400, "invalid_request");
  }
  {
    g_autoptr(PdResponse) r = pd_client_post_json (client, LINK, access,
                                                   "{\"provider\": \"vk\", \"password\": \"" PASSWORD "\","
                                                   " \"otp\": \"123456\"}");
    pd_assert_response (r, 400, "invalid_request");
  }
  {
    g_autoptr(PdResponse) r = pd_client_post_json (client, LINK, NULL, "{\"provider\": \"vk\"}");
    pd_assert_response (r, 401, "invalid_token");
  }
  /* none of these started an attempt */
  {
    g_autoptr(JsonObject) account = me (client, access);
    g_assert_true (json_object_get_null_member (account, "identity_link"));
  }
}

/* Cancel at the network */
static void
test_cancelled (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autoptr(JsonObject) tokens = account_new (server, "cancelled", NULL);
  g_autofree char *link_url = start_link (server, client, access_of (tokens), "vk", PASSWORD, NULL);
  g_autoptr(JsonObject) pending = me (client, access_of (tokens));
  g_autoptr(JsonObject) after = NULL;
  g_autoptr(PdSocialPage) page = pd_browser_open (browser, link_url);
  g_autoptr(PdResponse) done = pd_browser_submit (browser, page, NULL, NULL, NULL, FALSE, "cancel");
  g_autoptr(PdResponse) again = NULL;

  assert_page (done, 200, "Linking VK was cancelled");
  after = me (client, access_of (tokens));
  g_assert_cmpstr (json_object_get_string_member (link_of (after), "status"), ==, "cancelled");
  g_assert_false (json_object_has_member (link_of (after), "error"));
  g_assert_cmpint (json_object_get_int_member (after, "revision"), >,
                   json_object_get_int_member (pending, "revision"));
  g_assert_null (identity_of (after, "vk"));
  again = pd_client_get (browser, link_url, NULL);
  assert_page (again, 410, NULL);
}

/* A wrong CSRF token changes nothing */
static void
test_csrf (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autoptr(JsonObject) tokens = account_new (server, "csrf", NULL);
  g_autofree char *link_url = start_link (server, client, access_of (tokens), "vk", PASSWORD, NULL);
  g_autofree char *vk_email = pd_unique_email ("csrf-vk");
  g_autoptr(PdSocialPage) page = pd_browser_open (browser, link_url);
  g_autoptr(PdResponse) forged = pd_browser_submit (browser, page, "forged", vk_email, NULL, TRUE, "continue");
  g_autoptr(JsonObject) account = NULL;

  assert_page (forged, 403, NULL);
  account = me (client, access_of (tokens));
  g_assert_cmpstr (json_object_get_string_member (link_of (account), "status"), ==, "pending");
  g_assert_null (identity_of (account, "vk"));
  /* the right one still works */
  {
    g_autoptr(PdResponse) done = pd_browser_submit (browser, page, NULL, vk_email, NULL, TRUE, "continue");
    assert_page (done, 200, LINKED_EN);
  }
}

static void
test_unlink (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autoptr(JsonObject) tokens = account_new (server, "unlink", NULL);
  g_autofree char *link_url = start_link (server, client, access_of (tokens), "vk", PASSWORD, NULL);
  g_autofree char *vk_email = pd_unique_email ("unlink-vk");
  g_autoptr(JsonObject) linked = NULL;

  {
    g_autoptr(PdSocialPage) page = pd_browser_open (browser, link_url);
    g_autoptr(PdResponse) done = pd_browser_submit (browser, page, NULL, vk_email, NULL, TRUE, "continue");

    assert_page (done, 200, LINKED_EN);
  }
  linked = me (client, access_of (tokens));
  g_assert_nonnull (identity_of (linked, "vk"));

  {
    g_autoptr(PdResponse) r = pd_client_delete (client, "/api/v1/me/identities/vk", access_of (tokens));
    JsonObject *account;

    pd_assert_response (r, 200, NULL);
    account = pd_response_object (r);
    g_assert_null (identity_of (account, "vk"));
    g_assert_nonnull (identity_of (account, "google"));
    g_assert_cmpint (json_object_get_int_member (account, "revision"), >,
                     json_object_get_int_member (linked, "revision"));
  }
  /* sessions stay: the access token and the refresh token */
  {
    g_autoptr(JsonObject) account = me (client, access_of (tokens));
    g_autoptr(PdResponse) refresh = pd_token_refresh (client, refresh_of (tokens));

    g_assert_null (identity_of (account, "vk"));
    pd_assert_response (refresh, 200, NULL);
  }
  {
    g_autoptr(PdResponse) r = pd_client_delete (client, "/api/v1/me/identities/vk", access_of (tokens));
    pd_assert_response (r, 404, "not_found");
  }
  {
    g_autoptr(PdResponse) r = pd_client_delete (client, "/api/v1/me/identities/facebook", access_of (tokens));
    pd_assert_response (r, 404, "not_found");
  }
  /* the VK identity is free: it now makes an account of its own */
  {
    g_autoptr(JsonObject) vk_tokens = pd_social_tokens (server, "vk", vk_email, NULL, TRUE);
    g_autoptr(JsonObject) vk_me = me (client, access_of (vk_tokens));

    g_assert_cmpstr (json_object_get_string_member (vk_me, "id"), !=,
                     json_object_get_string_member (linked, "id"));
  }
  /* the account has a password: its last identity may go too */
  {
    g_autoptr(PdResponse) r = pd_client_delete (client, "/api/v1/me/identities/google", access_of (tokens));
    pd_assert_response (r, 200, NULL);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pd_response_object (r), "identities")),
                      ==, 0);
  }
}

/* without a password, the only identity is the only way in */
static void
test_last_sign_in_method (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autofree char *email = pd_unique_email ("only");
  g_autofree char *vk_email = pd_unique_email ("only-vk");
  g_autoptr(JsonObject) tokens = pd_social_tokens (server, "google", email, "Only", TRUE);
  g_autoptr(JsonObject) before = me (client, access_of (tokens));

  g_assert_false (json_object_get_boolean_member (before, "has_password"));
  {
    g_autoptr(PdResponse) r = pd_client_delete (client, "/api/v1/me/identities/google", access_of (tokens));
    g_autoptr(JsonObject) after = me (client, access_of (tokens));

    pd_assert_response (r, 409, "last_sign_in_method");
    g_assert_nonnull (identity_of (after, "google"));
    g_assert_cmpint (json_object_get_int_member (after, "revision"), ==,
                     json_object_get_int_member (before, "revision"));
  }

  /* a fresh sign-in is the proof of an account without a password */
  {
    g_autofree char *link_url = start_link (server, client, access_of (tokens), "vk", NULL, NULL);
    g_autoptr(PdSocialPage) page = pd_browser_open (browser, link_url);
    g_autoptr(PdResponse) done = pd_browser_submit (browser, page, NULL, vk_email, NULL, TRUE, "continue");

    assert_page (done, 200, LINKED_EN);
  }
  /* two identities: one may go, then not the other */
  {
    g_autoptr(PdResponse) r = pd_client_delete (client, "/api/v1/me/identities/google", access_of (tokens));
    g_autoptr(PdResponse) last = pd_client_delete (client, "/api/v1/me/identities/vk", access_of (tokens));

    pd_assert_response (r, 200, NULL);
    pd_assert_response (last, 409, "last_sign_in_method");
  }
  /* a sign-in older than 5 minutes is no proof */
  {
    g_autoptr(PdResponse) r = NULL;

    pd_server_advance_clock (server, 301);
    r = post_link (client, access_of (tokens), "google", NULL);
    pd_assert_response (r, 403, "reauth_required");
  }
}

static gint64
count_links (const char *database,
             const char *account_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (database, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT COUNT(*) FROM identity_links WHERE account_id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, account_id, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* the tickets go with the account (section 12) */
static void
test_delete_account (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autoptr(JsonObject) tokens = account_new (server, "deleted", NULL);
  g_autoptr(JsonObject) account = me (client, access_of (tokens));
  const char *account_id = json_object_get_string_member (account, "id");
  g_autofree char *replaced = start_link (server, client, access_of (tokens), "yandex", PASSWORD, NULL);
  g_autofree char *link_url = start_link (server, client, access_of (tokens), "vk", PASSWORD, NULL);
  g_autoptr(PdSocialPage) page = pd_browser_open (browser, link_url);
  g_autofree char *proof = pd_json_strings ("password", PASSWORD, NULL);
  g_autoptr(GBytes) proof_body = g_bytes_new (proof, strlen (proof));
  g_autoptr(PdResponse) deleted = NULL;
  g_autofree char *vk_email = pd_unique_email ("deleted-vk");

  g_assert_cmpint (count_links (server->database, account_id), ==, 2);
  deleted = pd_client_send (client, "DELETE", ME, access_of (tokens), "application/json", proof_body, NULL);
  pd_assert_response (deleted, 204, NULL);
  g_assert_cmpint (count_links (server->database, account_id), ==, 0);

  /* unknown now, as a ticket never issued */
  {
    g_autoptr(PdResponse) r = pd_client_get (browser, replaced, NULL);
    assert_page (r, 404, NULL);
  }
  /* the page opened before: nothing to link to */
  {
    g_autoptr(PdResponse) r = pd_browser_submit (browser, page, NULL, vk_email, NULL, TRUE, "continue");
    g_assert_cmpuint (r->status, ==, 400);
  }
  /* and that identity makes an account of its own */
  {
    g_autoptr(JsonObject) vk_tokens = pd_social_tokens (server, "vk", vk_email, NULL, TRUE);
    g_autoptr(JsonObject) vk_me = me (client, access_of (vk_tokens));

    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (vk_me, "identities")), ==, 1);
  }
}

/* The reset link of the newest mail to @address, waiting for it. */
static char *
reset_token (PdServer   *server,
             const char *address)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  g_autofree char *mail = NULL, *body = NULL;
  g_auto(GStrv) lines = NULL;

  while ((mail = pd_maildir_newest_to (server, address)) == NULL ||
         strstr (mail, "/password/new?token=") == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_clear_pointer (&mail, g_free);
      g_usleep (10 * 1000);
    }
  body = pd_mail_body (mail);
  lines = g_strsplit (body, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "/password/new?token=") != NULL)
      return pd_url_param (g_strstrip (lines[i]), "token");
  g_assert_not_reached ();
}

/* a password reset ends the ticket (and the page it opened) */
static void
test_password_reset (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autofree char *email = NULL;
  g_autoptr(JsonObject) tokens = account_new (server, "reset", &email);
  g_autofree char *opened_url = start_link (server, client, access_of (tokens), "yandex", PASSWORD, NULL);
  g_autoptr(PdSocialPage) page = pd_browser_open (browser, opened_url);
  g_autofree char *token = NULL;
  g_autofree char *vk_email = pd_unique_email ("reset-vk");
  const char *new_password = "another sturdy passphrase 8";
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) account = NULL;

  {
    g_autofree char *body = pd_json_strings ("email", email, NULL);
    g_autoptr(PdResponse) r = pd_client_post_json (client, "/api/v1/password/reset", NULL, body);

    pd_assert_response (r, 202, NULL);
    token = reset_token (server, email);
  }
  {
    g_autoptr(PdResponse) r = pd_client_post_form (client, "/api/v1/password/new", NULL, "token", token,
                                                   "password", new_password, "password_again", new_password,
                                                   NULL);
    assert_page (r, 200, NULL);
  }
  {
    g_autoptr(PdResponse) r = pd_browser_submit (browser, page, NULL, vk_email, NULL, TRUE, "continue");
    assert_page (r, 410, NULL);
  }
  {
    g_autoptr(PdResponse) r = pd_token_password (client, email, new_password);

    pd_assert_response (r, 200, NULL);
    again = json_object_ref (pd_response_object (r));
  }
  account = me (client, access_of (again));
  g_assert_null (identity_of (account, "yandex"));
  g_assert_cmpstr (json_object_get_string_member (link_of (account), "status"), ==, "pending");
  g_assert_cmpint (unix_of (json_object_get_string_member (link_of (account), "expires_at")), <,
                   pd_server_now (client));

  /* an unopened ticket too */
  {
    g_autofree char *link_url = start_link (server, client, access_of (again), "vk", new_password, NULL);
    g_autofree char *body = pd_json_strings ("email", email, NULL);
    g_autoptr(PdResponse) ask = NULL;
    g_autoptr(PdResponse) r = NULL;
    g_autoptr(PdResponse) late = NULL;
    g_autofree char *second = NULL;

    pd_server_advance_clock (server, 61);
    ask = pd_client_post_json (client, "/api/v1/password/reset", NULL, body);
    pd_assert_response (ask, 202, NULL);
    /* the newest mail: wait until it is not the first one's link */
    {
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

      while ((second = reset_token (server, email)) != NULL && g_str_equal (second, token))
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_clear_pointer (&second, g_free);
          g_usleep (10 * 1000);
        }
    }
    r = pd_client_post_form (client, "/api/v1/password/new", NULL, "token", second,
                             "password", PASSWORD, "password_again", PASSWORD, NULL);
    assert_page (r, 200, NULL);
    late = pd_client_get (browser, link_url, NULL);
    assert_page (late, 410, NULL);
  }
}

static void
test_features (void)
{
  {
    g_autoptr(PdServer) server = pd_server_start (NULL);
    g_autoptr(PdClient) client = pd_client_new (server);
    g_autoptr(PdResponse) discovery = pd_client_get (client, "/.well-known/openid-configuration", NULL);
    JsonArray *features;
    gboolean listed = FALSE;

    pd_assert_response (discovery, 200, NULL);
    features = json_object_get_array_member (pd_response_object (discovery), "passport_features");
    for (guint i = 0; i < json_array_get_length (features); i++)
      listed = listed || g_str_equal (json_array_get_string_element (features, i), "identities");
    g_assert_true (listed);
  }
  {
    g_autoptr(PdServer) server = pd_server_start ("--features=-identities", NULL);
    g_autoptr(PdClient) client = pd_client_new (server);
    g_autoptr(JsonObject) tokens = account_new (server, "off", NULL);
    g_autoptr(JsonObject) account = me (client, access_of (tokens));
    g_autoptr(PdResponse) discovery = pd_client_get (client, "/.well-known/openid-configuration", NULL);
    g_autoptr(PdResponse) post = post_link (client, access_of (tokens), "vk", PASSWORD);
    g_autoptr(PdResponse) del = pd_client_delete (client, "/api/v1/me/identities/google", access_of (tokens));
    g_autoptr(PdResponse) page = pd_client_get (client, "/api/v1/identities/link?ticket=abc", NULL);
    JsonArray *features;

    features = json_object_get_array_member (pd_response_object (discovery), "passport_features");
    for (guint i = 0; i < json_array_get_length (features); i++)
      g_assert_cmpstr (json_array_get_string_element (features, i), !=, "identities");
    g_assert_cmpuint (json_array_get_length (features), ==, 6);
    g_assert_false (json_object_has_member (account, "identity_link"));
    /* linked_at is section 4's, there without the feature */
    g_assert_true (json_object_has_member (identity_of (account, "google"), "linked_at"));
    pd_assert_response (post, 404, "not_found");
    pd_assert_response (del, 404, "not_found");
    pd_assert_response (page, 404, "not_found");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/identities/link", test_link);
  g_test_add_func ("/identities/russian", test_russian);
  g_test_add_func ("/identities/expired", test_expired);
  g_test_add_func ("/identities/replaced", test_replaced);
  g_test_add_func ("/identities/in-use", test_in_use);
  g_test_add_func ("/identities/errors", test_errors);
  g_test_add_func ("/identities/cancelled", test_cancelled);
  g_test_add_func ("/identities/csrf", test_csrf);
  g_test_add_func ("/identities/unlink", test_unlink);
  g_test_add_func ("/identities/last-sign-in-method", test_last_sign_in_method);
  g_test_add_func ("/identities/delete-account", test_delete_account);
  g_test_add_func ("/identities/password-reset", test_password_reset);
  g_test_add_func ("/identities/features", test_features);
  return g_test_run ();
}
