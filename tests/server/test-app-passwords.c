// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: app passwords, section 8.4 of the contract, row by row: the
 * list, creating one with a proof (shown once, 16 lower-case letters),
 * signing in with one through the password grant (case and spaces
 * ignored, no second step), everywhere else a wrong password, the name's
 * 1–64 characters, the limit of 20, the time of a wrong password, no bound
 * e-mail, revoking one (its sessions and their long polls end), a password
 * reset and the feature turned off. */
#include "config.h"

#include <string.h>

#include "pd-test-server.h"

#define PASSWORD "a sturdy passphrase 7"
#define NEW_PASSWORD "another sturdy passphrase 8"
#define LIST "/api/v1/me/app-passwords"

typedef struct
{
  PdServer *server;
  PdClient *client;
  JsonObject *tokens;
  char *email;
} Account;

static Account *
account_new (PdServer   *server,
             const char *who)
{
  Account *a = g_new0 (Account, 1);

  a->server = server;
  a->email = pd_unique_email (who);
  a->tokens = pd_account_with_password (server, "google", a->email, "Ivan Petrov", PASSWORD);
  a->client = pd_client_new (server);
  return a;
}

static void
account_free (Account *a)
{
  pd_client_free (a->client);
  json_object_unref (a->tokens);
  g_free (a->email);
  g_free (a);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Account, account_free)

static const char *
access_of (Account *a)
{
  return json_object_get_string_member (a->tokens, "access_token");
}

static PdResponse *
list (Account *a)
{
  return pd_client_get (a->client, LIST, access_of (a));
}

/* The list's objects, asserting 200 and the shape of each. */
static JsonArray *
list_items (Account *a)
{
  g_autoptr(PdResponse) r = list (a);
  JsonArray *items;

  pd_assert_response (r, 200, NULL);
  items = json_object_get_array_member (pd_response_object (r), "app_passwords");
  g_assert_nonnull (items);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *o = json_array_get_object_element (items, i);

      g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "id"), "ap_"));
      g_assert_nonnull (json_object_get_string_member (o, "name"));
      g_assert_nonnull (json_object_get_string_member (o, "created_at"));
      g_assert_true (json_object_has_member (o, "last_used_at"));
      g_assert_false (json_object_has_member (o, "password"));
      g_assert_false (json_object_has_member (o, "hash"));
    }
  return json_array_ref (items);
}

static PdResponse *
create_with (Account    *a,
             const char *json)
{
  return pd_client_post_json (a->client, LIST, access_of (a), json);
}

static PdResponse *
create (Account    *a,
        const char *name)
{
  g_autofree char *body = pd_json_strings ("name", name, "password", PASSWORD, NULL);

  return create_with (a, body);
}

/* A new app password named @name; asserts 201 and the object. Returns the
 * password; its id through @out_id when given. */
static char *
create_ok (Account    *a,
           const char *name,
           char      **out_id)
{
  g_autoptr(PdResponse) r = create (a, name);
  const char *password;

  pd_assert_response (r, 201, NULL);
  g_assert_true (g_str_has_prefix (pd_response_string (r, "id"), "ap_"));
  g_assert_cmpstr (pd_response_string (r, "name"), ==, name);
  g_assert_nonnull (pd_response_string (r, "created_at"));
  g_assert_true (json_object_has_member (pd_response_object (r), "last_used_at"));
  g_assert_true (json_object_get_null_member (pd_response_object (r), "last_used_at"));
  password = pd_response_string (r, "password");
  g_assert_true (g_regex_match_simple ("^[a-z]{16}$", password, 0, 0));
  if (out_id != NULL)
    *out_id = g_strdup (pd_response_string (r, "id"));
  return g_strdup (password);
}

static PdResponse *
delete_id (Account    *a,
           const char *id)
{
  g_autofree char *path = g_strconcat (LIST "/", id, NULL);

  return pd_client_delete (a->client, path, access_of (a));
}

/* "abcdefghijklmnop" as a person might type it: "ABCD EFGH IJKL MNOP". */
static char *
typed (const char *password)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; password[i] != '\0'; i++)
    {
      if (i > 0 && i % 4 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, g_ascii_toupper (password[i]));
    }
  return g_string_free (out, FALSE);
}

static JsonObject *
find_item (JsonArray  *items,
           const char *id)
{
  for (guint i = 0; i < json_array_get_length (items); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (items, i), "id"), id))
      return json_array_get_object_element (items, i);
  return NULL;
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

/* --------------------------------------------------------------- */

static void
test_discovery (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);

  g_assert_true (features_list (client, "app_passwords"));
  g_assert_true (features_list (client, "otp"));
}

/* GET lists newest first; POST with a proof shows the password once */
static void
test_list_create (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "list");
  g_autoptr(JsonArray) empty = list_items (a);
  g_autofree char *first = NULL, *second = NULL, *first_id = NULL, *second_id = NULL;

  g_assert_cmpuint (json_array_get_length (empty), ==, 0);

  /* the proof: none, a wrong password */
  {
    g_autofree char *wrong = pd_json_strings ("name", "Thunderbird", "password", "not the password 1", NULL);
    g_autoptr(PdResponse) none = create_with (a, "{\"name\":\"Thunderbird\"}");
    g_autoptr(PdResponse) bad = create_with (a, wrong);
    g_autoptr(PdResponse) unknown = create_with (a, "{\"name\":\"Thunderbird\",\"colour\":\"red\"}");
    g_autoptr(PdResponse) no_token = pd_client_post_json (a->client, LIST, NULL, "{\"name\":\"x\"}");
    g_autoptr(JsonArray) still = NULL;

    pd_assert_response (none, 403, "reauth_required");
    pd_assert_response (bad, 403, "invalid_password");
    pd_assert_response (unknown, 400, "invalid_request");
    pd_assert_response (no_token, 401, "invalid_token");
    still = list_items (a);
    g_assert_cmpuint (json_array_get_length (still), ==, 0);
  }

  first = create_ok (a, "Thunderbird", &first_id);
  pd_server_advance_clock (server, 5);
  second = create_ok (a, "Mutt", &second_id);
  g_assert_cmpstr (first, !=, second);
  g_assert_cmpstr (first_id, !=, second_id);

  {
    g_autoptr(JsonArray) items = list_items (a);
    JsonObject *newest, *oldest;

    g_assert_cmpuint (json_array_get_length (items), ==, 2);
    newest = json_array_get_object_element (items, 0);
    oldest = json_array_get_object_element (items, 1);
    g_assert_cmpstr (json_object_get_string_member (newest, "id"), ==, second_id);
    g_assert_cmpstr (json_object_get_string_member (newest, "name"), ==, "Mutt");
    g_assert_cmpstr (json_object_get_string_member (oldest, "id"), ==, first_id);
    g_assert_cmpstr (json_object_get_string_member (oldest, "name"), ==, "Thunderbird");
    g_assert_true (json_object_get_null_member (newest, "last_used_at"));
    g_assert_cmpstr (json_object_get_string_member (newest, "created_at"), >,
                     json_object_get_string_member (oldest, "created_at"));
  }

  /* created within the same second: still newest first */
  {
    g_autofree char *third_id = NULL;
    g_autofree char *third = create_ok (a, "Evolution", &third_id);
    g_autoptr(JsonArray) items = list_items (a);

    g_assert_cmpuint (json_array_get_length (items), ==, 3);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "id"), ==, third_id);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 1), "id"), ==, second_id);
  }

  /* other methods */
  {
    g_autoptr(PdResponse) put = pd_client_put_json (a->client, LIST, access_of (a), "{}");
    g_autofree char *path = g_strconcat (LIST "/", first_id, NULL);
    g_autoptr(PdResponse) get_one = pd_client_get (a->client, path, access_of (a));

    pd_assert_response (put, 405, "invalid_request");
    pd_assert_response (get_one, 405, "invalid_request");
  }
}

/* The password grant takes an app password (case and spaces ignored) and
 * skips the second step; last_used_at is set */
static void
test_sign_in (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "signin");
  g_autofree char *secret = NULL, *password = NULL, *id = NULL, *input = NULL;
  g_autofree char *upper_email = g_ascii_strup (a->email, -1);
  g_autoptr(PdResponse) r = NULL;

  secret = pd_enable_otp (server, access_of (a), PASSWORD, NULL);
  password = create_ok (a, "Thunderbird", &id);
  input = typed (password);
  pd_server_advance_clock (server, 60);

  /* the account password asks for the code */
  {
    g_autoptr(PdResponse) p = pd_token_password (a->client, a->email, PASSWORD);

    pd_assert_response (p, 403, "mfa_required");
  }

  r = pd_token_password (a->client, upper_email, input);
  pd_assert_response (r, 200, NULL);
  g_assert_null (pd_response_string (r, "mfa_token"));
  g_assert_nonnull (pd_response_string (r, "access_token"));
  g_assert_nonnull (pd_response_string (r, "refresh_token"));
  g_assert_cmpstr (pd_response_string (r, "token_type"), ==, "Bearer");
  g_assert_nonnull (pd_response_string (r, "id_token"));

  /* the tokens work, and refresh */
  {
    g_autoptr(PdResponse) m = pd_get_me (a->client, pd_response_string (r, "access_token"));
    g_autoptr(PdResponse) f = pd_token_refresh (a->client, pd_response_string (r, "refresh_token"));

    g_assert_cmpstr (pd_response_string (m, "email"), ==, a->email);
    pd_assert_response (f, 200, NULL);
  }

  /* last_used_at: the server's time of the sign-in */
  {
    g_autoptr(JsonArray) items = list_items (a);
    JsonObject *o = find_item (items, id);
    const char *used;
    g_autoptr(GDateTime) t = NULL;
    gint64 now = pd_server_now (a->client);

    g_assert_nonnull (o);
    used = json_object_get_string_member (o, "last_used_at");
    g_assert_nonnull (used);
    t = g_date_time_new_from_iso8601 (used, NULL);
    g_assert_nonnull (t);
    g_assert_cmpint (g_date_time_to_unix (t), <=, now);
    g_assert_cmpint (g_date_time_to_unix (t), >=, now - 30);
    g_assert_cmpstr (used, >, json_object_get_string_member (o, "created_at"));
  }

  /* as typed: lower case without spaces, and spaces anywhere */
  {
    g_autofree char *spaced = g_strdup_printf (" %.3s  %s ", password, password + 3);
    g_autoptr(PdResponse) plain = pd_token_password (a->client, a->email, password);
    g_autoptr(PdResponse) loose = pd_token_password (a->client, a->email, spaced);

    pd_assert_response (plain, 200, NULL);
    pd_assert_response (loose, 200, NULL);
    g_assert_null (pd_response_string (loose, "mfa_token"));
  }

  /* a wrong one of the same shape, and the right one for another address */
  {
    g_autoptr(PdResponse) wrong = pd_token_password (a->client, a->email, "qwhtzkmrpaxbnyel");
    g_autoptr(PdResponse) other = pd_token_password (a->client, "nobody@example.com", password);
    g_autofree char *one_less = g_strndup (password, 15);
    g_autoptr(PdResponse) short_one = pd_token_password (a->client, a->email, one_less);

    pd_assert_response (wrong, 400, "invalid_grant");
    pd_assert_response (other, 400, "invalid_grant");
    pd_assert_response (short_one, 400, "invalid_grant");
  }
}

/* Wrong passwords count in the one failure counter, app passwords too */
static void
test_failure_counter (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(Account) a = account_new (server, "counter");
  g_autofree char *password = create_ok (a, "Thunderbird", NULL);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(PdResponse) r = pd_token_password (a->client, a->email, "aaaabbbbccccdddd");

      pd_assert_response (r, 400, "invalid_grant");
    }
  {
    g_autoptr(PdResponse) r = pd_token_password (a->client, a->email, password);

    pd_assert_response (r, 429, "too_many_requests");
  }
  pd_server_advance_clock (server, 901);
  {
    g_autoptr(PdResponse) r = pd_token_password (a->client, a->email, password);

    pd_assert_response (r, 200, NULL);
  }
}

/* Everywhere but the password grant an app password is a wrong password */
static void
test_wrong_elsewhere (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "elsewhere");
  g_autofree char *password = create_ok (a, "Thunderbird", NULL);

  /* as the proof, here and for two-step set-up */
  {
    g_autofree char *body = pd_json_strings ("name", "Mutt", "password", password, NULL);
    g_autofree char *proof = pd_json_strings ("password", password, NULL);
    g_autoptr(PdResponse) r = create_with (a, body);
    g_autoptr(PdResponse) setup = pd_client_post_json (a->client, "/api/v1/me/otp/setup", access_of (a), proof);
    g_autoptr(JsonArray) items = NULL;

    pd_assert_response (r, 403, "invalid_password");
    pd_assert_response (setup, 403, "invalid_password");
    items = list_items (a);
    g_assert_cmpuint (json_array_get_length (items), ==, 1);
  }
  /* as current_password */
  {
    g_autofree char *body = pd_json_strings ("current_password", password, "new_password", NEW_PASSWORD, NULL);
    g_autoptr(PdResponse) r = pd_client_post_json (a->client, "/api/v1/me/password", access_of (a), body);
    g_autoptr(PdResponse) old = pd_token_password (a->client, a->email, PASSWORD);

    pd_assert_response (r, 403, "invalid_password");
    /* unchanged */
    pd_assert_response (old, 200, NULL);
  }
  /* as the password of PUT /me/email */
  {
    g_autofree char *new_email = pd_unique_email ("moved");
    g_autofree char *body = pd_json_strings ("email", new_email, "password", password, NULL);
    g_autoptr(PdResponse) r = pd_client_put_json (a->client, "/api/v1/me/email", access_of (a), body);

    pd_assert_response (r, 403, "invalid_password");
  }
  /* still an app password */
  {
    g_autoptr(PdResponse) r = pd_token_password (a->client, a->email, password);

    pd_assert_response (r, 200, NULL);
  }
}

/* "name": 1–64 characters, counted as characters, not bytes */
static void
test_name (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "name");
  g_autoptr(GString) cyrillic_64 = g_string_new (NULL);
  g_autoptr(GString) emoji_64 = g_string_new (NULL);
  g_autofree char *cyrillic_65 = NULL, *ascii_65 = NULL, *ascii_64 = NULL;

  for (guint i = 0; i < 64; i++)
    {
      g_string_append (cyrillic_64, "я");        /* 2 bytes */
      g_string_append (emoji_64, "\xf0\x9f\x93\xa7"); /* U+1F4E7, 4 bytes */
    }
  cyrillic_65 = g_strconcat (cyrillic_64->str, "ж", NULL);
  ascii_64 = g_strnfill (64, 'x');
  ascii_65 = g_strnfill (65, 'x');

  {
    g_autoptr(PdResponse) empty = create (a, "");
    g_autoptr(PdResponse) long_ascii = create (a, ascii_65);
    g_autoptr(PdResponse) long_cyrillic = create (a, cyrillic_65);
    g_autoptr(PdResponse) missing = create_with (a, "{\"password\":\"" PASSWORD "\"}");
    g_autoptr(PdResponse) number = create_with (a, "{\"name\":7,\"password\":\"" PASSWORD "\"}");
    g_autoptr(PdResponse) control = create (a, "Thunder\nbird");
    g_autoptr(JsonArray) items = NULL;

    pd_assert_response (empty, 400, "invalid_request");
    pd_assert_response (long_ascii, 400, "invalid_request");
    pd_assert_response (long_cyrillic, 400, "invalid_request");
    pd_assert_response (missing, 400, "invalid_request");
    pd_assert_response (number, 400, "invalid_request");
    pd_assert_response (control, 400, "invalid_request");
    items = list_items (a);
    g_assert_cmpuint (json_array_get_length (items), ==, 0);
  }

  /* 64 characters of 1, 2 and 4 bytes, and one */
  {
    g_autofree char *p1 = create_ok (a, ascii_64, NULL);
    g_autofree char *p2 = create_ok (a, cyrillic_64->str, NULL);
    g_autofree char *p3 = create_ok (a, emoji_64->str, NULL);
    g_autofree char *p4 = create_ok (a, "я", NULL);
    g_autoptr(JsonArray) items = list_items (a);

    g_assert_cmpuint (json_array_get_length (items), ==, 4);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 1), "name"), ==,
                     emoji_64->str);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 2), "name"), ==,
                     cyrillic_64->str);
  }
}

/* At most 20 per account */
static void
test_limit (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "limit");
  g_autofree char *last_id = NULL;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *name = g_strdup_printf ("program %u", i + 1);
      g_autofree char *password = NULL;

      g_clear_pointer (&last_id, g_free);
      password = create_ok (a, name, &last_id);
    }
  {
    g_autoptr(PdResponse) r = create (a, "program 21");
    g_autofree char *wrong = pd_json_strings ("name", "program 21", "password", "not the password 1", NULL);
    g_autoptr(PdResponse) w = create_with (a, wrong);
    g_autoptr(JsonArray) items = list_items (a);

    pd_assert_response (r, 409, "app_password_limit");
    /* decided before the proof */
    pd_assert_response (w, 409, "app_password_limit");
    g_assert_cmpuint (json_array_get_length (items), ==, 20);
  }
  /* revoking one makes room */
  {
    g_autoptr(PdResponse) d = delete_id (a, last_id);
    g_autofree char *again = NULL;

    pd_assert_response (d, 204, NULL);
    again = create_ok (a, "program 21", NULL);
  }
}

/* The median time of three wrong passwords of the app-password form. */
static gint64
wrong_grant_time (PdClient   *client,
                  const char *email)
{
  gint64 took[3];

  for (guint i = 0; i < G_N_ELEMENTS (took); i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(PdResponse) r = pd_token_password (client, email, "zzzzyyyyxxxxwwww");

      took[i] = g_get_monotonic_time () - start;
      pd_assert_response (r, 400, "invalid_grant");
    }
  return MAX (MIN (took[0], took[1]), MIN (MAX (took[0], took[1]), took[2]));
}

/* A wrong password takes about as long whether the account has 20 app
 * passwords, none, or does not exist: without the padding to 20 hashes
 * the first took 20 times as long. The bound is loose for busy machines. */
static void
test_timing (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) full = account_new (server, "full");
  g_autoptr(Account) none = account_new (server, "none");
  gint64 t_full, t_none, t_unknown;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *password = create_ok (full, "program", NULL);
    }
  t_full = wrong_grant_time (full->client, full->email);
  t_none = wrong_grant_time (none->client, none->email);
  t_unknown = wrong_grant_time (none->client, "nobody-at-all@example.com");
  g_test_message ("wrong password: %" G_GINT64_FORMAT " us with 20 app passwords, %" G_GINT64_FORMAT
                  " us with none, %" G_GINT64_FORMAT " us for an unknown address", t_full, t_none, t_unknown);
  g_assert_cmpint (t_full, <, 3 * t_none);
  g_assert_cmpint (t_none, <, 3 * t_full);
  g_assert_cmpint (t_full, <, 3 * t_unknown);
  g_assert_cmpint (t_unknown, <, 3 * t_full);
}

/* No bound e-mail, nothing to sign in with */
static void
test_no_email (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *email = pd_unique_email ("social");
  g_autoptr(JsonObject) tokens = pd_social_tokens (server, "google", email, "Ivan", FALSE);
  const char *access = json_object_get_string_member (tokens, "access_token");
  g_autoptr(PdResponse) r = pd_client_post_json (client, LIST, access, "{\"name\":\"Thunderbird\"}");
  g_autoptr(PdResponse) l = pd_client_get (client, LIST, access);

  pd_assert_response (r, 409, "no_email");
  pd_assert_response (l, 200, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pd_response_object (l), "app_passwords")), ==, 0);
}

/* A long poll of GET /me in a thread of its own */
typedef struct
{
  PdServer *server;
  const char *path;
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
  g_autoptr(PdResponse) r = pd_client_get (client, p->path, p->access);

  p->status = r->status;
  p->took = g_get_monotonic_time () - start;
  return NULL;
}

/* DELETE ends the sessions that app password started, and only those */
static void
test_delete (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "delete");
  g_autoptr(Account) b = account_new (server, "other");
  g_autofree char *id_1 = NULL, *id_2 = NULL, *id_b = NULL;
  g_autofree char *p1 = create_ok (a, "Thunderbird", &id_1);
  g_autofree char *p2 = create_ok (a, "Mutt", &id_2);
  g_autofree char *pb = create_ok (b, "Thunderbird", &id_b);
  g_autoptr(PdResponse) s1 = pd_token_password (a->client, a->email, p1);
  g_autoptr(PdResponse) s1b = pd_token_password (a->client, a->email, p1);
  g_autoptr(PdResponse) s2 = pd_token_password (a->client, a->email, p2);
  g_autoptr(PdResponse) own = pd_token_password (a->client, a->email, PASSWORD);
  Poll poll = { server, "/api/v1/me?wait=30", NULL, 0, 0 };
  Poll other_poll = { server, "/api/v1/me?wait=3", NULL, 0, 0 };
  GThread *thread, *other_thread;

  pd_assert_response (s1, 200, NULL);
  pd_assert_response (s1b, 200, NULL);
  pd_assert_response (s2, 200, NULL);
  pd_assert_response (own, 200, NULL);

  /* another account's id, an unknown one: 404, and nothing ends */
  {
    g_autoptr(PdResponse) other = delete_id (a, id_b);
    g_autoptr(PdResponse) unknown = delete_id (a, "ap_nothing");
    g_autoptr(PdResponse) empty = pd_client_delete (a->client, LIST "/", access_of (a));
    g_autoptr(PdResponse) still = pd_token_password (b->client, b->email, pb);

    pd_assert_response (other, 404, "not_found");
    pd_assert_response (unknown, 404, "not_found");
    pd_assert_response (empty, 404, "not_found");
    pd_assert_response (still, 200, NULL);
  }

  /* a long poll of the session, and one of another session, waiting */
  poll.access = pd_response_string (s1, "access_token");
  thread = g_thread_new ("poll", poll_thread, &poll);
  other_poll.access = pd_response_string (s2, "access_token");
  other_thread = g_thread_new ("poll", poll_thread, &other_poll);
  g_usleep (500 * 1000);

  {
    g_autoptr(PdResponse) d = delete_id (a, id_1);

    pd_assert_response (d, 204, NULL);
    g_assert_cmpuint (d->body != NULL ? g_bytes_get_size (d->body) : 0, ==, 0);
  }
  g_thread_join (thread);
  g_assert_cmpuint (poll.status, ==, 401);
  g_assert_cmpint (poll.took, <, 10 * G_USEC_PER_SEC);
  /* the other waits its 3 s and gets the account */
  g_thread_join (other_thread);
  g_assert_cmpuint (other_poll.status, ==, 200);
  g_assert_cmpint (other_poll.took, >=, 2 * G_USEC_PER_SEC);

  /* its sessions ended: refresh and access tokens */
  {
    g_autoptr(PdResponse) r1 = pd_token_refresh (a->client, pd_response_string (s1, "refresh_token"));
    g_autoptr(PdResponse) r1b = pd_token_refresh (a->client, pd_response_string (s1b, "refresh_token"));
    g_autoptr(PdResponse) m1 = pd_client_get (a->client, "/api/v1/me", pd_response_string (s1b, "access_token"));
    g_autoptr(PdResponse) again = pd_token_password (a->client, a->email, p1);

    pd_assert_response (r1, 400, "invalid_grant");
    pd_assert_response (r1b, 400, "invalid_grant");
    pd_assert_response (m1, 401, "invalid_token");
    /* and the password no longer signs in */
    pd_assert_response (again, 400, "invalid_grant");
  }
  /* the others stay: the other app password's, the account password's,
   * the one that made the call, the other account's */
  {
    g_autoptr(PdResponse) r2 = pd_token_refresh (a->client, pd_response_string (s2, "refresh_token"));
    g_autoptr(PdResponse) r0 = pd_token_refresh (a->client, pd_response_string (own, "refresh_token"));
    g_autoptr(PdResponse) me = pd_get_me (a->client, access_of (a));
    g_autoptr(PdResponse) p2_again = pd_token_password (a->client, a->email, p2);
    g_autoptr(JsonArray) items = list_items (a);
    g_autoptr(JsonArray) items_b = list_items (b);

    pd_assert_response (r2, 200, NULL);
    pd_assert_response (r0, 200, NULL);
    pd_assert_response (p2_again, 200, NULL);
    g_assert_cmpuint (json_array_get_length (items), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "id"), ==, id_2);
    g_assert_cmpuint (json_array_get_length (items_b), ==, 1);
  }
  /* twice: unknown now */
  {
    g_autoptr(PdResponse) d = delete_id (a, id_1);

    pd_assert_response (d, 404, "not_found");
  }
}

/* A password reset: app passwords die with the sessions (section 7) */
static void
test_reset (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "reset");
  g_autofree char *password = create_ok (a, "Thunderbird", NULL);
  g_autofree char *body = pd_json_strings ("email", a->email, NULL);
  g_autoptr(PdResponse) ask = pd_client_post_json (a->client, "/api/v1/password/reset", NULL, body);
  g_autofree char *mail = NULL, *token = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  pd_assert_response (ask, 202, NULL);
  while ((mail = pd_maildir_newest_to (server, a->email)) == NULL ||
         strstr (mail, "/password/new?token=") == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_clear_pointer (&mail, g_free);
      g_usleep (10 * 1000);
    }
  {
    g_autofree char *mail_body = pd_mail_body (mail);
    g_auto(GStrv) lines = g_strsplit (mail_body, "\n", -1);

    for (guint i = 0; lines[i] != NULL && token == NULL; i++)
      if (strstr (lines[i], "/password/new?token=") != NULL)
        token = pd_url_param (g_strstrip (lines[i]), "token");
  }
  g_assert_nonnull (token);
  {
    g_autoptr(PdResponse) r = pd_client_post_form (a->client, "/api/v1/password/new", NULL, "token", token,
                                                   "password", NEW_PASSWORD, "password_again", NEW_PASSWORD, NULL);
    g_autoptr(PdResponse) app = NULL;
    g_autoptr(JsonObject) fresh = NULL;

    pd_assert_response (r, 200, NULL);
    app = pd_token_password (a->client, a->email, password);
    pd_assert_response (app, 400, "invalid_grant");
    {
      g_autoptr(PdResponse) s = pd_token_password (a->client, a->email, NEW_PASSWORD);

      pd_assert_response (s, 200, NULL);
      fresh = json_object_ref (pd_response_object (s));
    }
    {
      g_autoptr(PdResponse) l = pd_client_get (a->client, LIST, json_object_get_string_member (fresh, "access_token"));

      pd_assert_response (l, 200, NULL);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pd_response_object (l), "app_passwords")),
                        ==, 0);
    }
  }
}

/* --features=-app_passwords: not listed, the paths unknown, the grant
 * ignores the app passwords made while it was on */
static void
test_features_off (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdServer) off = NULL;
  g_autoptr(Account) a = account_new (server, "off");
  g_autofree char *id = NULL;
  g_autofree char *password = create_ok (a, "Thunderbird", &id);
  g_autofree char *item = g_strconcat (LIST "/", id, NULL);
  g_autofree char *proof = pd_json_strings ("name", "Mutt", "password", PASSWORD, NULL);

  pd_server_stop (server);
  off = pd_server_restart_with (server, "--features=-app_passwords");
  g_assert_false (features_list (a->client, "app_passwords"));
  g_assert_true (features_list (a->client, "otp"));
  g_assert_true (features_list (a->client, "password_reset"));
  {
    g_autoptr(PdResponse) get = pd_client_get (a->client, LIST, access_of (a));
    g_autoptr(PdResponse) post = pd_client_post_json (a->client, LIST, access_of (a), proof);
    g_autoptr(PdResponse) del = pd_client_delete (a->client, item, access_of (a));
    g_autoptr(PdResponse) unknown = pd_client_get (a->client, "/api/v1/me/nothing-here", access_of (a));
    g_autoptr(PdResponse) grant = pd_token_password (a->client, a->email, password);
    g_autoptr(PdResponse) own = pd_token_password (a->client, a->email, PASSWORD);

    pd_assert_response (unknown, 404, "not_found");
    pd_assert_response (get, 404, "not_found");
    pd_assert_response (post, 404, "not_found");
    pd_assert_response (del, 404, "not_found");
    pd_assert_response (grant, 400, "invalid_grant");
    pd_assert_response (own, 200, NULL);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/app-passwords/discovery", test_discovery);
  g_test_add_func ("/app-passwords/list-create", test_list_create);
  g_test_add_func ("/app-passwords/sign-in", test_sign_in);
  g_test_add_func ("/app-passwords/failure-counter", test_failure_counter);
  g_test_add_func ("/app-passwords/wrong-elsewhere", test_wrong_elsewhere);
  g_test_add_func ("/app-passwords/name", test_name);
  g_test_add_func ("/app-passwords/limit", test_limit);
  g_test_add_func ("/app-passwords/timing", test_timing);
  g_test_add_func ("/app-passwords/no-email", test_no_email);
  g_test_add_func ("/app-passwords/delete", test_delete);
  g_test_add_func ("/app-passwords/reset", test_reset);
  g_test_add_func ("/app-passwords/features-off", test_features_off);
  return g_test_run ();
}
