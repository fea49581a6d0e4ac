// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: sessions, section 9 of the contract, row by row: one per
 * token family, started by the code (browser), password, otp (password)
 * and app password grants, with the device_name of the grant, created_at,
 * last_used_at and ip of its latest grant, current for the call's own;
 * most recently used first (a refresh moves one up); ending one (its
 * tokens and its waiting long poll, no other), ending all the others,
 * the 404s and the 400, and the feature turned off. */
#include "config.h"

#include <string.h>

#include "pd-test-server.h"

#define PASSWORD "a sturdy passphrase 7"
#define LIST "/api/v1/me/sessions"
#define LAPTOP "ivan-laptop (Debian GNU/Linux 12)"

/* The password grant with a device_name (none when NULL). */
static PdResponse *
password_grant (PdClient   *client,
                const char *email,
                const char *password,
                const char *device_name)
{
  return pd_client_post_form (client, "/oauth/token", NULL,
                              "grant_type", "password",
                              "client_id", PD_CLIENT_ID,
                              "username", email,
                              "password", password,
                              "scope", "openid profile email passport",
                              device_name != NULL ? "device_name" : NULL, device_name,
                              NULL);
}

/* Tokens of the password grant; asserts 200. */
static JsonObject *
password_tokens (PdClient   *client,
                 const char *email,
                 const char *device_name)
{
  g_autoptr(PdResponse) r = password_grant (client, email, PASSWORD, device_name);

  pd_assert_response (r, 200, NULL);
  return json_object_ref (pd_response_object (r));
}

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

/* The list seen with @access, asserting 200 and the shape of each item:
 * exactly one current, ids ses_ and unique. */
static JsonArray *
list_items (PdClient   *client,
            const char *access)
{
  g_autoptr(PdResponse) r = pd_client_get (client, LIST, access);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *items;
  guint current = 0;

  pd_assert_response (r, 200, NULL);
  items = json_object_get_array_member (pd_response_object (r), "sessions");
  g_assert_nonnull (items);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *o = json_array_get_object_element (items, i);
      const char *id = json_object_get_string_member (o, "id");
      const char *method = json_object_get_string_member (o, "method");

      g_assert_true (g_regex_match_simple ("^ses_[0-9a-f]{32}$", id, 0, 0));
      g_assert_true (g_hash_table_add (ids, (gpointer) id));
      g_assert_cmpstr (json_object_get_string_member (o, "client_id"), ==, PD_CLIENT_ID);
      g_assert_cmpstr (json_object_get_string_member (o, "client_name"), ==, "Passport");
      g_assert_true (g_strv_contains ((const char *[]) { "browser", "password", "app_password", "device", NULL },
                                      method));
      g_assert_true (json_object_has_member (o, "device_name"));
      g_assert_cmpint (unix_of (json_object_get_string_member (o, "created_at")), <=,
                       unix_of (json_object_get_string_member (o, "last_used_at")));
      g_assert_cmpstr (json_object_get_string_member (o, "ip"), ==, "127.0.0.1");
      current += json_object_get_boolean_member (o, "current");
    }
  g_assert_cmpuint (current, ==, 1);
  return json_array_ref (items);
}

static JsonObject *
item (JsonArray *items,
      guint      i)
{
  g_assert_cmpuint (i, <, json_array_get_length (items));
  return json_array_get_object_element (items, i);
}

/* The device_name of an item, NULL for null. */
static const char *
device_of (JsonObject *o)
{
  return json_object_get_null_member (o, "device_name") ? NULL
                                                       : json_object_get_string_member (o, "device_name");
}

static gboolean
features_list (PdClient   *client,
               const char *name)
{
  g_autoptr(PdResponse) r = pd_client_get (client, "/.well-known/openid-configuration", NULL);
  JsonArray *features;

  pd_assert_response (r, 200, NULL);
  features = json_object_get_array_member (pd_response_object (r), "passport_features");
  for (guint i = 0; i < json_array_get_length (features); i++)
    if (g_str_equal (json_array_get_string_element (features, i), name))
      return TRUE;
  return FALSE;
}

typedef struct
{
  PdServer *server;
  const char *access;
  guint status;
  gint64 took;
} Poll;

static gpointer
poll_thread (gpointer data)
{
  Poll *p = data;
  g_autoptr(PdClient) client = pd_client_new (p->server);
  gint64 start = g_get_monotonic_time ();
  g_autoptr(PdResponse) r = pd_client_get (client, "/api/v1/me?wait=4", p->access);

  p->status = r->status;
  p->took = g_get_monotonic_time () - start;
  return NULL;
}

static PdResponse *
delete_session (PdClient   *client,
                const char *access,
                const char *id)
{
  g_autofree char *path = g_strconcat (LIST "/", id, NULL);

  return pd_client_delete (client, path, access);
}

/* --------------------------------------------------------------- */

static void
test_discovery (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PdClient) client = pd_client_new (server);

  g_assert_true (features_list (client, "sessions"));
}

/* One row per sign-in, each with its method and device_name; most
 * recently used first, and a refresh moves one up */
static void
test_list (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *email = pd_unique_email ("list");
  g_autoptr(JsonObject) browser = pd_account_with_password (server, "google", email, "Ivan Petrov", PASSWORD);
  g_autoptr(JsonObject) coded = NULL, password = NULL, app = NULL, otp = NULL, refreshed = NULL;
  g_autoptr(JsonArray) items = NULL, after = NULL, seen_by_browser = NULL;
  g_autofree char *secret = NULL, *app_password = NULL;
  gint64 started = pd_server_now (client);

  /* a second browser sign-in, its code grant with a device_name */
  pd_server_advance_clock (server, 10);
  {
    g_autoptr(PdAuthRequest) req = NULL;
    g_autofree char *code = pd_browser_social_sign_in (server, "google", email, "Ivan Petrov", TRUE, &req);
    g_autoptr(PdResponse) r = pd_client_post_form (client, "/oauth/token", NULL,
                                                   "grant_type", "authorization_code",
                                                   "client_id", PD_CLIENT_ID,
                                                   "code", code,
                                                   "redirect_uri", req->redirect_uri,
                                                   "code_verifier", req->verifier,
                                                   "device_name", "ivan-desktop (Fedora Linux 41)",
                                                   NULL);

    pd_assert_response (r, 200, NULL);
    coded = json_object_ref (pd_response_object (r));
  }

  /* the password grant */
  pd_server_advance_clock (server, 10);
  password = password_tokens (client, email, LAPTOP);

  /* an app password */
  pd_server_advance_clock (server, 10);
  {
    g_autofree char *body = pd_json_strings ("name", "Thunderbird", "password", PASSWORD, NULL);
    g_autoptr(PdResponse) created = pd_client_post_json (client, "/api/v1/me/app-passwords", access_of (browser), body);
    g_autoptr(PdResponse) r = NULL;

    pd_assert_response (created, 201, NULL);
    app_password = g_strdup (pd_response_string (created, "password"));
    r = password_grant (client, email, app_password, "Thunderbird on ivan-laptop");
    pd_assert_response (r, 200, NULL);
    app = json_object_ref (pd_response_object (r));
  }

  /* the otp grant: the device_name given to the password grant */
  pd_server_advance_clock (server, 10);
  secret = pd_enable_otp (server, access_of (browser), PASSWORD, NULL);
  {
    g_autoptr(PdResponse) first = password_grant (client, email, PASSWORD, "ivan-tablet (Ubuntu 24.04)");
    g_autofree char *code = NULL;
    g_autoptr(PdResponse) r = NULL;

    pd_assert_response (first, 403, "mfa_required");
    code = pd_totp_code (secret, pd_server_align_step (server, client));
    r = pd_client_post_form (client, "/oauth/token", NULL,
                             "grant_type", "urn:passport:params:oauth:grant-type:otp",
                             "client_id", PD_CLIENT_ID,
                             "mfa_token", pd_response_string (first, "mfa_token"),
                             "otp", code,
                             NULL);
    pd_assert_response (r, 200, NULL);
    otp = json_object_ref (pd_response_object (r));
  }

  /* seen from the otp session: newest use first */
  items = list_items (client, access_of (otp));
  g_assert_cmpuint (json_array_get_length (items), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (item (items, 0), "method"), ==, "password");
  g_assert_cmpstr (device_of (item (items, 0)), ==, "ivan-tablet (Ubuntu 24.04)");
  g_assert_true (json_object_get_boolean_member (item (items, 0), "current"));
  g_assert_cmpstr (json_object_get_string_member (item (items, 1), "method"), ==, "app_password");
  g_assert_cmpstr (device_of (item (items, 1)), ==, "Thunderbird on ivan-laptop");
  g_assert_cmpstr (json_object_get_string_member (item (items, 2), "method"), ==, "password");
  g_assert_cmpstr (device_of (item (items, 2)), ==, LAPTOP);
  g_assert_cmpstr (json_object_get_string_member (item (items, 3), "method"), ==, "browser");
  g_assert_cmpstr (device_of (item (items, 3)), ==, "ivan-desktop (Fedora Linux 41)");
  g_assert_cmpstr (json_object_get_string_member (item (items, 4), "method"), ==, "browser");
  g_assert_null (device_of (item (items, 4)));
  for (guint i = 0; i < 5; i++)
    {
      JsonObject *o = item (items, i);

      /* no refresh yet: last used when created */
      g_assert_cmpstr (json_object_get_string_member (o, "created_at"), ==,
                       json_object_get_string_member (o, "last_used_at"));
      g_assert_cmpint (unix_of (json_object_get_string_member (o, "created_at")), >=, started);
      if (i > 0)
        {
          g_assert_false (json_object_get_boolean_member (o, "current"));
          g_assert_cmpint (unix_of (json_object_get_string_member (o, "last_used_at")), <,
                           unix_of (json_object_get_string_member (item (items, i - 1), "last_used_at")));
        }
    }

  /* the first session refreshes: it comes first, its id and created_at
   * stay, and from its own token it is the current one */
  pd_server_advance_clock (server, 60);
  {
    g_autoptr(PdResponse) r = pd_token_refresh (client, refresh_of (browser));

    pd_assert_response (r, 200, NULL);
    refreshed = json_object_ref (pd_response_object (r));
  }
  after = list_items (client, access_of (otp));
  g_assert_cmpuint (json_array_get_length (after), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (item (after, 0), "id"), ==,
                   json_object_get_string_member (item (items, 4), "id"));
  g_assert_cmpstr (json_object_get_string_member (item (after, 0), "created_at"), ==,
                   json_object_get_string_member (item (items, 4), "created_at"));
  g_assert_cmpint (unix_of (json_object_get_string_member (item (after, 0), "last_used_at")), >=,
                   unix_of (json_object_get_string_member (item (items, 0), "last_used_at")) + 60);
  g_assert_false (json_object_get_boolean_member (item (after, 0), "current"));
  g_assert_true (json_object_get_boolean_member (item (after, 1), "current"));
  for (guint i = 1; i < 5; i++)
    g_assert_cmpstr (json_object_get_string_member (item (after, i), "id"), ==,
                     json_object_get_string_member (item (items, i - 1), "id"));

  seen_by_browser = list_items (client, access_of (refreshed));
  g_assert_true (json_object_get_boolean_member (item (seen_by_browser, 0), "current"));

  /* another account sees only its own */
  {
    g_autofree char *other_email = pd_unique_email ("other");
    g_autoptr(JsonObject) other = pd_social_tokens (server, "vk", other_email, "Other", TRUE);
    g_autoptr(JsonArray) others = list_items (client, access_of (other));

    g_assert_cmpuint (json_array_get_length (others), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (item (others, 0), "method"), ==, "browser");
  }

  /* a revoked session (RFC 7009) is not listed */
  {
    g_autoptr(PdResponse) r = pd_client_post_form (client, "/oauth/revoke", NULL,
                                                   "token", refresh_of (password),
                                                   "client_id", PD_CLIENT_ID, NULL);
    g_autoptr(JsonArray) left = NULL;

    pd_assert_response (r, 200, NULL);
    left = list_items (client, access_of (otp));
    g_assert_cmpuint (json_array_get_length (left), ==, 4);
    for (guint i = 0; i < 4; i++)
      g_assert_cmpstr (device_of (item (left, i)), !=, LAPTOP);
  }
}

/* device_name (section 3): control characters dropped, then the first
 * 64 characters kept; empty is null */
static void
test_device_name (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *email = pd_unique_email ("names");
  g_autoptr(JsonObject) account = pd_account_with_password (server, "google", email, "Ivan", PASSWORD);
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autoptr(GString) expected = g_string_new (NULL);
  struct
  {
    const char *sent;
    const char *shown;
  } cases[] = {
    { "ivan\tlaptop\r\n\x01(Debian)\x7f", "ivanlaptop(Debian)" },
    { "\xe2\x80\xae" "evil\xe2\x80\xac box", "evil box" },   /* U+202E, U+202C */
    { "  \t ", NULL },
    { "", NULL },
    { "  spaced  ", "spaced" },
  };

  for (guint i = 0; i < 70; i++)
    g_string_append (long_name, "я");
  for (guint i = 0; i < 64; i++)
    g_string_append (expected, "я");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) t = password_tokens (client, email, cases[i].sent);
      g_autoptr(JsonArray) items = list_items (client, access_of (t));

      g_assert_cmpstr (device_of (item (items, 0)), ==, cases[i].shown);
      g_assert_true (json_object_get_boolean_member (item (items, 0), "current"));
    }
  {
    g_autoptr(JsonObject) t = password_tokens (client, email, long_name->str);
    g_autoptr(JsonArray) items = list_items (client, access_of (t));

    g_assert_cmpstr (device_of (item (items, 0)), ==, expected->str);
  }
}

/* DELETE one: its tokens and its waiting long poll end, no other */
static void
test_delete_one (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *email = pd_unique_email ("one");
  g_autofree char *other_email = pd_unique_email ("other");
  g_autoptr(JsonObject) caller = pd_account_with_password (server, "google", email, "Ivan", PASSWORD);
  g_autoptr(JsonObject) other = pd_social_tokens (server, "vk", other_email, "Other", TRUE);
  g_autoptr(JsonObject) doomed = NULL, kept = NULL;
  g_autoptr(JsonArray) items = NULL, other_items = NULL, left = NULL;
  g_autofree char *doomed_id = NULL, *caller_id = NULL;
  Poll poll = { server, NULL, 0, 0 };
  Poll kept_poll = { server, NULL, 0, 0 };
  GThread *thread, *kept_thread;

  pd_server_advance_clock (server, 5);
  doomed = password_tokens (client, email, "doomed");
  pd_server_advance_clock (server, 5);
  kept = password_tokens (client, email, "kept");

  items = list_items (client, access_of (caller));
  g_assert_cmpuint (json_array_get_length (items), ==, 3);
  g_assert_cmpstr (device_of (item (items, 1)), ==, "doomed");
  doomed_id = g_strdup (json_object_get_string_member (item (items, 1), "id"));
  g_assert_true (json_object_get_boolean_member (item (items, 2), "current"));
  caller_id = g_strdup (json_object_get_string_member (item (items, 2), "id"));
  other_items = list_items (client, access_of (other));

  /* unknown, another account's, none: 404, and nothing ends */
  {
    g_autoptr(PdResponse) unknown = delete_session (client, access_of (caller), "ses_00000000000000000000000000000000");
    g_autoptr(PdResponse) others = delete_session (client, access_of (caller),
                                                   json_object_get_string_member (item (other_items, 0), "id"));
    g_autoptr(PdResponse) empty = pd_client_delete (client, LIST "/", access_of (caller));
    g_autoptr(JsonArray) still = list_items (client, access_of (other));

    pd_assert_response (unknown, 404, "not_found");
    pd_assert_response (others, 404, "not_found");
    pd_assert_response (empty, 404, "not_found");
    g_assert_cmpuint (json_array_get_length (still), ==, 1);
  }
  /* without a token: 401 */
  {
    g_autoptr(PdResponse) r = delete_session (client, NULL, doomed_id);

    pd_assert_response (r, 401, "invalid_token");
  }

  /* long polls of the doomed session and of a kept one wait */
  poll.access = access_of (doomed);
  thread = g_thread_new ("poll", poll_thread, &poll);
  kept_poll.access = access_of (kept);
  kept_thread = g_thread_new ("poll", poll_thread, &kept_poll);
  g_usleep (500 * 1000);

  {
    g_autoptr(PdResponse) d = delete_session (client, access_of (caller), doomed_id);

    pd_assert_response (d, 204, NULL);
    g_assert_cmpuint (d->body != NULL ? g_bytes_get_size (d->body) : 0, ==, 0);
  }
  g_thread_join (thread);
  g_assert_cmpuint (poll.status, ==, 401);
  g_assert_cmpint (poll.took, <, 3 * G_USEC_PER_SEC);
  g_thread_join (kept_thread);
  g_assert_cmpuint (kept_poll.status, ==, 200);
  g_assert_cmpint (kept_poll.took, >=, 3 * G_USEC_PER_SEC);

  /* its tokens are dead */
  {
    g_autoptr(PdResponse) refresh = pd_token_refresh (client, refresh_of (doomed));
    g_autoptr(PdResponse) me = pd_client_get (client, "/api/v1/me", access_of (doomed));

    pd_assert_response (refresh, 400, "invalid_grant");
    pd_assert_response (me, 401, "invalid_token");
  }
  /* the others live */
  {
    g_autoptr(PdResponse) refresh = pd_token_refresh (client, refresh_of (kept));
    g_autoptr(PdResponse) me = pd_get_me (client, access_of (caller));

    pd_assert_response (refresh, 200, NULL);
  }
  left = list_items (client, access_of (caller));
  g_assert_cmpuint (json_array_get_length (left), ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_cmpstr (json_object_get_string_member (item (left, i), "id"), !=, doomed_id);

  /* twice: 404 */
  {
    g_autoptr(PdResponse) d = delete_session (client, access_of (caller), doomed_id);

    pd_assert_response (d, 404, "not_found");
  }
  /* the current one: a sign-out */
  {
    g_autoptr(PdResponse) d = delete_session (client, access_of (caller), caller_id);
    g_autoptr(PdResponse) me = pd_client_get (client, "/api/v1/me", access_of (caller));
    g_autoptr(PdResponse) refresh = pd_token_refresh (client, refresh_of (caller));

    pd_assert_response (d, 204, NULL);
    pd_assert_response (me, 401, "invalid_token");
    pd_assert_response (refresh, 400, "invalid_grant");
  }
  /* a method the path does not take */
  {
    g_autoptr(PdResponse) post = pd_client_post_json (client, LIST, access_of (other), "{}");
    g_autofree char *path = g_strconcat (LIST "/", doomed_id, NULL);
    g_autoptr(PdResponse) get = pd_client_get (client, path, access_of (other));

    pd_assert_response (post, 405, "invalid_request");
    pd_assert_response (get, 405, "invalid_request");
  }
}

/* DELETE ?others=true: every session but the current one */
static void
test_delete_others (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *email = pd_unique_email ("others");
  g_autofree char *other_email = pd_unique_email ("bystander");
  g_autoptr(JsonObject) first = pd_account_with_password (server, "google", email, "Ivan", PASSWORD);
  g_autoptr(JsonObject) bystander = pd_social_tokens (server, "vk", other_email, "Other", TRUE);
  g_autoptr(JsonObject) second = password_tokens (client, email, "second");
  g_autoptr(JsonObject) third = password_tokens (client, email, "third");
  g_autoptr(JsonObject) caller = password_tokens (client, email, "caller");
  Poll poll = { server, NULL, 0, 0 };
  GThread *thread;

  /* without others=true: 400, and nothing ends */
  {
    g_autoptr(PdResponse) bare = pd_client_delete (client, LIST, access_of (caller));
    g_autoptr(PdResponse) no = pd_client_delete (client, LIST "?others=false", access_of (caller));
    g_autoptr(PdResponse) one = pd_client_delete (client, LIST "?others=1", access_of (caller));
    g_autoptr(JsonArray) items = list_items (client, access_of (caller));

    pd_assert_response (bare, 400, "invalid_request");
    pd_assert_response (no, 400, "invalid_request");
    pd_assert_response (one, 400, "invalid_request");
    g_assert_cmpuint (json_array_get_length (items), ==, 4);
  }

  poll.access = access_of (second);
  thread = g_thread_new ("poll", poll_thread, &poll);
  g_usleep (500 * 1000);
  {
    g_autoptr(PdResponse) d = pd_client_delete (client, LIST "?others=true", access_of (caller));

    pd_assert_response (d, 200, NULL);
    g_assert_cmpint (json_object_get_int_member (pd_response_object (d), "revoked"), ==, 3);
  }
  g_thread_join (thread);
  g_assert_cmpuint (poll.status, ==, 401);
  g_assert_cmpint (poll.took, <, 3 * G_USEC_PER_SEC);

  {
    g_autoptr(JsonArray) items = list_items (client, access_of (caller));
    g_autoptr(JsonArray) theirs = list_items (client, access_of (bystander));

    g_assert_cmpuint (json_array_get_length (items), ==, 1);
    g_assert_cmpstr (device_of (item (items, 0)), ==, "caller");
    g_assert_cmpuint (json_array_get_length (theirs), ==, 1);
  }
  {
    JsonObject *ended[] = { first, second, third };

    for (guint i = 0; i < G_N_ELEMENTS (ended); i++)
      {
        g_autoptr(PdResponse) refresh = pd_token_refresh (client, refresh_of (ended[i]));
        g_autoptr(PdResponse) me = pd_client_get (client, "/api/v1/me", access_of (ended[i]));

        pd_assert_response (refresh, 400, "invalid_grant");
        pd_assert_response (me, 401, "invalid_token");
      }
  }
  {
    g_autoptr(PdResponse) refresh = pd_token_refresh (client, refresh_of (caller));
    g_autoptr(PdResponse) again = NULL;

    pd_assert_response (refresh, 200, NULL);
    again = pd_client_delete (client, LIST "?others=true", pd_response_string (refresh, "access_token"));
    pd_assert_response (again, 200, NULL);
    g_assert_cmpint (json_object_get_int_member (pd_response_object (again), "revoked"), ==, 0);
  }
}

/* --features=-sessions: not listed, the paths unknown before the token is
 * looked at; the sessions themselves go on */
static void
test_features_off (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PdServer) off = NULL;
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *email = pd_unique_email ("off");
  g_autoptr(JsonObject) tokens = pd_account_with_password (server, "google", email, "Ivan", PASSWORD);
  g_autoptr(JsonArray) items = list_items (client, access_of (tokens));
  g_autofree char *item_path = g_strconcat (LIST "/", json_object_get_string_member (item (items, 0), "id"), NULL);

  pd_server_stop (server);
  off = pd_server_restart_with (server, "--features=-sessions");
  g_assert_false (features_list (client, "sessions"));
  g_assert_true (features_list (client, "app_passwords"));
  {
    g_autoptr(PdResponse) get = pd_client_get (client, LIST, access_of (tokens));
    g_autoptr(PdResponse) anonymous = pd_client_get (client, LIST, NULL);
    g_autoptr(PdResponse) others = pd_client_delete (client, LIST "?others=true", access_of (tokens));
    g_autoptr(PdResponse) one = pd_client_delete (client, item_path, access_of (tokens));
    g_autoptr(PdResponse) me = pd_get_me (client, access_of (tokens));
    g_autoptr(PdResponse) refresh = pd_token_refresh (client, refresh_of (tokens));

    pd_assert_response (get, 404, "not_found");
    pd_assert_response (anonymous, 404, "not_found");
    pd_assert_response (others, 404, "not_found");
    pd_assert_response (one, 404, "not_found");
    pd_assert_response (refresh, 200, NULL);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sessions/discovery", test_discovery);
  g_test_add_func ("/sessions/list", test_list);
  g_test_add_func ("/sessions/device-name", test_device_name);
  g_test_add_func ("/sessions/delete-one", test_delete_one);
  g_test_add_func ("/sessions/delete-others", test_delete_others);
  g_test_add_func ("/sessions/features-off", test_features_off);
  return g_test_run ();
}
