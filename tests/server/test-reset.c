// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: password reset, section 7 of the contract, row by row with
 * the state after it: the request that answers alike for every address
 * (its timing measured and printed, not asserted), its limits, the link
 * (only the newest works, opening it uses nothing, an hour on the test
 * clock, once), the form's 422 that keeps the link, the reset ending
 * every session and long poll, the failure counter and the revision, the
 * pages and the mail in Russian, the pages' headers, and --features. Each
 * test has its own server: the limit per client IP is shared by them all
 * (every request comes from 127.0.0.1). */
#include "config.h"

#include <string.h>

#include "pd-test-server.h"

#define PASSWORD "a sturdy passphrase 7"
#define NEW_PASSWORD "another sturdy passphrase 8"

/* --------------------------------------------------------------- */

static PdResponse *
ask_reset (PdClient   *client,
           const char *email)
{
  g_autofree char *body = pd_json_strings ("email", email, NULL);

  return pd_client_post_json (client, "/api/v1/password/reset", NULL, body);
}

/* The reset is answered before its mail is written: waits until
 * MAILDIR/new holds @count mails. */
static void
wait_mail_count (PdServer *server,
                 guint     count)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (pd_maildir_count (server) < count && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_cmpuint (pd_maildir_count (server), ==, count);
}

/* The reset link of a mail: the line that holds it, alone. */
static char *
reset_link (const char *mail)
{
  g_autofree char *body = pd_mail_body (mail);
  g_auto(GStrv) lines = g_strsplit (body, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "/api/v1/password/new?token=") != NULL)
      {
        g_assert_true (g_str_has_prefix (lines[i], "http://127.0.0.1:"));
        g_assert_null (strchr (lines[i], ' '));
        return g_strdup (lines[i]);
      }
  g_error ("no reset link in %s", mail);
  return NULL;
}

/* Asks for a link for the bound @email; returns the new link. @mails is
 * the count of mails before. */
static char *
new_link (PdServer   *server,
          PdClient   *client,
          const char *email,
          guint       mails)
{
  g_autoptr(PdResponse) r = ask_reset (client, email);
  g_autofree char *mail = NULL;

  pd_assert_response (r, 202, NULL);
  wait_mail_count (server, mails + 1);
  mail = pd_maildir_newest_to (server, email);
  g_assert_nonnull (mail);
  return reset_link (mail);
}

static char *
token_of (const char *link)
{
  return pd_url_param (link, "token");
}

static PdResponse *
submit (PdClient   *client,
        const char *token,
        const char *password,
        const char *again)
{
  return pd_client_post_form (client, "/api/v1/password/new", NULL,
                              "token", token, "password", password, "password_again", again, NULL);
}

/* The headers of section 4's "every HTML page". */
static void
assert_page (PdResponse *r,
             guint       status)
{
  pd_assert_response (r, status, NULL);
  g_assert_true (g_str_has_prefix (pd_response_header (r, "Content-Type"), "text/html"));
  g_assert_cmpstr (pd_response_header (r, "Cache-Control"), ==, "no-store");
  g_assert_cmpstr (pd_response_header (r, "Referrer-Policy"), ==, "no-referrer");
  g_assert_nonnull (strstr (pd_response_header (r, "Content-Security-Policy"), "frame-ancestors 'none'"));
}

static void
assert_form (PdResponse *r,
             guint       status,
             const char *token)
{
  g_autofree char *hidden = g_strdup_printf ("name=\"token\" value=\"%s\"", token);

  assert_page (r, status);
  g_assert_nonnull (strstr (r->text, "<title>Choose a new password</title>"));
  g_assert_nonnull (strstr (r->text, hidden));
  g_assert_nonnull (strstr (r->text, "id=\"password\" name=\"password\" type=\"password\""));
  g_assert_nonnull (strstr (r->text, "id=\"password_again\" name=\"password_again\" type=\"password\""));
  g_assert_nonnull (strstr (r->text, ">New password</label>"));
  g_assert_nonnull (strstr (r->text, ">Repeat the password</label>"));
  g_assert_nonnull (strstr (r->text, ">Save</button>"));
}

#define DEAD_EN "This link no longer works: a link works for an hour, once, and only the newest one. " \
                "Ask for a new link in the app."

static void
assert_dead (PdResponse *r,
             guint       status)
{
  assert_page (r, status);
  g_assert_nonnull (strstr (r->text, DEAD_EN));
  g_assert_null (strstr (r->text, "<form"));
}

static gint64
revision (PdClient   *client,
          const char *access)
{
  g_autoptr(PdResponse) r = pd_get_me (client, access);

  return json_object_get_int_member (pd_response_object (r), "revision");
}

/* A bound account with a password and no mail sent. */
typedef struct
{
  PdClient *client;
  JsonObject *tokens;
  char *email;
} Account;

static Account *
account_new (PdServer   *server,
             const char *who)
{
  Account *a = g_new0 (Account, 1);

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

/* --------------------------------------------------------------- */
/* The request                                                      */
/* --------------------------------------------------------------- */

static int
cmp_gint64 (gconstpointer a,
            gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Bound, pending and unknown addresses get the same answer: status, body
 * and headers; only the bound one a mail. The time of each answer is
 * printed (median and maximum of several), not asserted: the look-up and
 * the mail come after the answer, so nothing the server does for a bound
 * address is in it, and a loaded machine's noise is not the server's. */
static void
test_enumeration (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) bound = account_new (server, "bound");
  g_autofree char *pending = pd_unique_email ("pending");
  g_autofree char *unknown = pd_unique_email ("unknown");
  g_autoptr(PdClient) client = pd_client_new (server);
  const char *addresses[] = { bound->email, pending, unknown };
  const char *names[] = { "bound", "pending", "unknown" };
  GArray *times[3];
  char *texts[3] = { NULL, NULL, NULL };
  guint rounds = 9;

  /* an account whose address waits for confirmation (its mail is the first) */
  {
    g_autoptr(JsonObject) tokens = pd_social_tokens (server, "vk", pending, "P", FALSE);
    const char *access = json_object_get_string_member (tokens, "access_token");
    g_autofree char *body = pd_json_strings ("email", pending, "password", PASSWORD, NULL);
    g_autoptr(PdResponse) r = NULL;

    pd_accept_terms (client, access);
    r = pd_client_post_json (client, "/api/v1/me/email", access, body);
    pd_assert_response (r, 202, NULL);
    wait_mail_count (server, 1);
  }

  for (guint k = 0; k < 3; k++)
    times[k] = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint round = 0; round < rounds; round++)
    {
      for (guint i = 0; i < 3; i++)
        {
          guint k = (i + round) % 3;
          gint64 start;

          /* a request right after a bound one would meet the server writing
           * that one's mail (its fsync), which is not this answer's time */
          g_usleep (20 * 1000);
          start = g_get_monotonic_time ();
          g_autoptr(PdResponse) r = ask_reset (client, addresses[k]);
          gint64 elapsed = g_get_monotonic_time () - start;

          pd_assert_response (r, 202, NULL);
          g_assert_cmpstr (r->text, ==, "{}");
          g_assert_cmpstr (pd_response_header (r, "Content-Type"), ==, "application/json");
          g_assert_cmpstr (pd_response_header (r, "Cache-Control"), ==, "no-store");
          g_assert_null (pd_response_header (r, "Retry-After"));
          g_array_append_val (times[k], elapsed);
          if (round == 0)
            texts[k] = g_strdup (r->text);
          else
            g_assert_cmpstr (r->text, ==, texts[k]);
        }
      /* only the bound address got a mail: one more each round, to it */
      wait_mail_count (server, 2 + round);
      /* past both limits (an address a minute, 10 an hour from one IP) */
      pd_server_advance_clock (server, 3600);
    }
  g_assert_cmpstr (texts[0], ==, texts[1]);
  g_assert_cmpstr (texts[0], ==, texts[2]);

  /* nothing more arrived for pending or unknown: the bound address's
   * mails of each round were written after theirs (one main loop) */
  {
    g_autoptr(GPtrArray) names_in = pd_maildir_list (server);
    g_autofree char *to_pending = pd_maildir_newest_to (server, pending);
    g_autofree char *subject = pd_mail_header (to_pending, "Subject");

    g_assert_cmpuint (names_in->len, ==, 1 + rounds);
    /* the pending address's only mail is its confirmation */
    g_assert_cmpstr (subject, ==, "Confirm your e-mail address");
    g_assert_null (pd_maildir_newest_to (server, unknown));
  }

  for (guint k = 0; k < 3; k++)
    {
      g_array_sort (times[k], cmp_gint64);
      g_test_message ("POST /password/reset for a %s address: median %.2f ms, max %.2f ms (%u requests)",
                      names[k], g_array_index (times[k], gint64, times[k]->len / 2) / 1000.0,
                      g_array_index (times[k], gint64, times[k]->len - 1) / 1000.0, times[k]->len);
      g_array_unref (times[k]);
      g_free (texts[k]);
    }
}

/* 400 and 422, which count for nothing; then one per address a minute and
 * ten per client IP an hour, with Retry-After and retry_after; a 429 does
 * not count. */
static void
test_limits (void)
{
  g_autoptr(PdServer) server = pd_server_start ("--frozen-clock", NULL);
  g_autoptr(PdClient) client = pd_client_new (server);
  g_autofree char *a = pd_unique_email ("limit");
  g_autofree char *upper = g_ascii_strup (a, -1);
  const char *malformed[] = {
    "{\"email\": 5}", "{}", "[\"a@example.com\"]", "{\"email\": \"a@example.com\", \"x\": 1}", "not json",
  };
  const char *invalid[] = { "no-at-sign", "two@@example.com", "a@nodot", " ", "a b@example.com" };

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    for (guint n = 0; n < 3; n++)
      {
        g_autoptr(PdResponse) r = pd_client_post_json (client, "/api/v1/password/reset", NULL, malformed[i]);
        pd_assert_response (r, 400, "invalid_request");
      }
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    for (guint n = 0; n < 3; n++)
      {
        g_autoptr(PdResponse) r = ask_reset (client, invalid[i]);
        pd_assert_response (r, 422, "invalid_email");
      }

  /* per address: 30 malformed ones above did not count */
  {
    g_autoptr(PdResponse) first = ask_reset (client, a);
    g_autoptr(PdResponse) again = NULL;
    g_autoptr(PdResponse) later = NULL;
    g_autoptr(PdResponse) after = NULL;

    pd_assert_response (first, 202, NULL);
    /* the same address in capitals is the same address */
    again = ask_reset (client, upper);
    pd_assert_response (again, 429, "too_many_requests");
    g_assert_cmpstr (pd_response_header (again, "Retry-After"), ==, "60");
    g_assert_cmpint (json_object_get_int_member (pd_response_object (again), "retry_after"), ==, 60);

    pd_server_advance_clock (server, 30);
    later = ask_reset (client, a);
    pd_assert_response (later, 429, "too_many_requests");
    g_assert_cmpstr (pd_response_header (later, "Retry-After"), ==, "30");
    g_assert_cmpint (json_object_get_int_member (pd_response_object (later), "retry_after"), ==, 30);

    /* 60 s after the one that counted (the 429 30 s ago did not) */
    pd_server_advance_clock (server, 30);
    after = ask_reset (client, a);
    pd_assert_response (after, 202, NULL);
  }
  pd_server_advance_clock (server, 3600);

  /* per IP: ten an hour, whatever the addresses */
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *who = pd_unique_email ("ip");
      g_autoptr(PdResponse) r = ask_reset (client, who);
      pd_assert_response (r, 202, NULL);
    }
  pd_server_advance_clock (server, 1800);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *who = pd_unique_email ("ip");
      g_autoptr(PdResponse) r = ask_reset (client, who);
      pd_assert_response (r, 429, "too_many_requests");
      g_assert_cmpstr (pd_response_header (r, "Retry-After"), ==, "1800");
      g_assert_cmpint (json_object_get_int_member (pd_response_object (r), "retry_after"), ==, 1800);
    }
  /* still limited one second before the hour, a malformed one still 400 */
  pd_server_advance_clock (server, 1799);
  {
    g_autoptr(PdResponse) r = ask_reset (client, "x@example.com");
    g_autoptr(PdResponse) bad = ask_reset (client, "bad");

    pd_assert_response (r, 429, "too_many_requests");
    g_assert_cmpint (json_object_get_int_member (pd_response_object (r), "retry_after"), ==, 1);
    pd_assert_response (bad, 422, "invalid_email");
  }
  /* the hour passed: ten more, so the 429s in this hour did not count */
  pd_server_advance_clock (server, 1);
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *who = pd_unique_email ("ip2");
      g_autoptr(PdResponse) r = ask_reset (client, who);
      pd_assert_response (r, 202, NULL);
    }
  {
    g_autoptr(PdResponse) r = ask_reset (client, "y@example.com");
    pd_assert_response (r, 429, "too_many_requests");
    g_assert_cmpstr (pd_response_header (r, "Retry-After"), ==, "3600");
  }
  /* nobody was bound: no mail at all */
  g_assert_cmpuint (pd_maildir_count (server), ==, 0);

  /* the counts go with the pruning once their hour is over */
  pd_server_advance_clock (server, 3600);
  {
    g_autoptr(JsonObject) pruned = pd_server_prune (server);
    g_assert_cmpint (pd_prune_count (pruned, "reset_requests"), >=, 2 * 10);
  }
}

/* --------------------------------------------------------------- */
/* The link                                                         */
/* --------------------------------------------------------------- */

/* The mail; GET does not use the link; only the newest works; the form's
 * 422 keeps it; a good password uses it; unknown links. */
static void
test_link (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "link");
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autofree char *first = new_link (server, a->client, a->email, 0);
  g_autofree char *first_token = token_of (first);
  g_autofree char *second = NULL;
  g_autofree char *second_token = NULL;

  /* the mail */
  {
    g_autofree char *mail = pd_maildir_newest_to (server, a->email);
    g_autofree char *subject = pd_mail_header (mail, "Subject");
    g_autofree char *body = pd_mail_body (mail);
    g_autofree char *account = pd_mail_header (mail, "X-Passport-Account");
    g_autofree char *expected = g_strdup_printf ("Someone (we hope you) asked to reset the password of the "
                                                 "Passport account %s.\nTo choose a new password, open this "
                                                 "link within an hour:\n\n%s\n\nIt works once, and only the "
                                                 "newest link works.\nIf it was not you, ignore this mail: "
                                                 "your password stays as it is.\n", a->email, first);

    g_assert_cmpstr (subject, ==, "Reset your Passport password");
    g_assert_cmpstr (body, ==, expected);
    g_assert_nonnull (account);
    g_assert_true (g_str_has_prefix (first, server->url));
    /* at least 128 bits: 32 bytes as base64url */
    g_assert_cmpuint (strlen (first_token), >=, 43);
  }

  /* opening it (a mail scanner, then the user) uses nothing */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(PdResponse) page = pd_client_get (browser, first, NULL);
      assert_form (page, 200, first_token);
    }

  /* a new link voids the older one */
  pd_server_advance_clock (server, 60);
  second = new_link (server, a->client, a->email, 1);
  second_token = token_of (second);
  g_assert_cmpstr (first_token, !=, second_token);
  {
    g_autoptr(PdResponse) old_page = pd_client_get (browser, first, NULL);
    g_autoptr(PdResponse) old_post = submit (browser, first_token, NEW_PASSWORD, NEW_PASSWORD);
    g_autoptr(PdResponse) page = pd_client_get (browser, second, NULL);

    assert_dead (old_page, 410);
    assert_dead (old_post, 410);
    assert_form (page, 200, second_token);
  }

  /* 422: the reasons under the form, the link still valid */
  {
    g_autoptr(PdResponse) short_one = submit (browser, second_token, "short", "short");
    g_autoptr(PdResponse) mismatch = submit (browser, second_token, NEW_PASSWORD, PASSWORD);
    g_autoptr(PdResponse) named = submit (browser, second_token, "petrov rules the world", "petrov rules the world");
    g_autoptr(PdResponse) common = submit (browser, second_token, "password", "passwort");
    g_autoptr(PdResponse) empty = pd_client_post_form (browser, "/api/v1/password/new", NULL,
                                                       "token", second_token, NULL);
    g_autoptr(PdResponse) still = pd_client_get (browser, second, NULL);

    assert_form (short_one, 422, second_token);
    g_assert_nonnull (strstr (short_one->text, "At least 8 characters."));
    g_assert_null (strstr (short_one->text, "The passwords do not match."));
    assert_form (mismatch, 422, second_token);
    g_assert_nonnull (strstr (mismatch->text, "The passwords do not match."));
    g_assert_null (strstr (mismatch->text, "At least"));
    assert_form (named, 422, second_token);
    g_assert_nonnull (strstr (named->text, "Must not contain your name."));
    assert_form (common, 422, second_token);
    g_assert_nonnull (strstr (common->text, "This password is too common."));
    g_assert_nonnull (strstr (common->text, "The passwords do not match."));
    assert_form (empty, 422, second_token);
    /* the passwords are never echoed */
    g_assert_null (strstr (mismatch->text, NEW_PASSWORD));
    assert_form (still, 200, second_token);
  }
  {
    g_autofree char *local = g_strndup (a->email, strcspn (a->email, "@"));
    g_autofree char *with_email = g_strconcat ("x", local, "x", NULL);
    g_autoptr(PdResponse) r = submit (browser, second_token, with_email, with_email);

    assert_form (r, 422, second_token);
    g_assert_nonnull (strstr (r->text, "Must not contain your e-mail address."));
  }
  {
    g_autofree char *long_one = g_strnfill (129, 'q');
    g_autoptr(PdResponse) r = submit (browser, second_token, long_one, long_one);

    assert_form (r, 422, second_token);
    g_assert_nonnull (strstr (r->text, "Too long."));
  }

  /* the old password still works until the reset */
  {
    g_autoptr(PdResponse) t = pd_token_password (browser, a->email, PASSWORD);
    pd_assert_response (t, 200, NULL);
  }

  /* 200: changed, and the link used up */
  {
    g_autoptr(PdResponse) done = submit (browser, second_token, NEW_PASSWORD, NEW_PASSWORD);
    g_autoptr(PdResponse) again = submit (browser, second_token, NEW_PASSWORD, NEW_PASSWORD);
    g_autoptr(PdResponse) page = pd_client_get (browser, second, NULL);
    g_autoptr(PdResponse) old_password = pd_token_password (browser, a->email, PASSWORD);
    g_autoptr(PdResponse) new_password = pd_token_password (browser, a->email, NEW_PASSWORD);

    assert_page (done, 200);
    g_assert_nonnull (strstr (done->text, "Your password has been changed and all devices have been signed out. "
                                          "Return to the app and sign in with the new password."));
    assert_dead (again, 410);
    assert_dead (page, 410);
    pd_assert_response (old_password, 400, "invalid_grant");
    pd_assert_response (new_password, 200, NULL);
  }

  /* unknown links: 404 with the same text; nothing user-supplied echoed */
  {
    g_autoptr(PdResponse) unknown = pd_client_get (browser, "/api/v1/password/new?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
    g_autoptr(PdResponse) script = pd_client_get (browser, "/api/v1/password/new?token=%3Cscript%3E", NULL);
    g_autoptr(PdResponse) none = pd_client_get (browser, "/api/v1/password/new", NULL);
    g_autoptr(PdResponse) post = submit (browser, "<script>", NEW_PASSWORD, NEW_PASSWORD);
    g_autoptr(PdResponse) post_none = pd_client_post_form (browser, "/api/v1/password/new", NULL,
                                                           "password", NEW_PASSWORD, NULL);
    g_autoptr(PdResponse) wrong_method = pd_client_get (browser, "/api/v1/password/reset", NULL);

    assert_dead (unknown, 404);
    assert_dead (script, 404);
    g_assert_null (strstr (script->text, "<script>"));
    assert_dead (none, 404);
    assert_dead (post, 404);
    assert_dead (post_none, 404);
    pd_assert_response (wrong_method, 405, "invalid_request");
  }
}

/* An hour on the server's clock, then 410; pruned a day later, then 404. */
static void
test_expiry (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "expiry");
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autofree char *link = new_link (server, a->client, a->email, 0);
  g_autofree char *token = token_of (link);

  pd_server_advance_clock (server, 3600 - 2);
  {
    g_autoptr(PdResponse) page = pd_client_get (browser, link, NULL);
    g_autoptr(PdResponse) weak = submit (browser, token, "short", "short");

    assert_form (page, 200, token);
    assert_form (weak, 422, token);
  }
  pd_server_advance_clock (server, 4);
  {
    g_autoptr(PdResponse) page = pd_client_get (browser, link, NULL);
    g_autoptr(PdResponse) post = submit (browser, token, NEW_PASSWORD, NEW_PASSWORD);
    g_autoptr(PdResponse) old_password = pd_token_password (browser, a->email, PASSWORD);
    g_autoptr(JsonObject) pruned = pd_server_prune (server);

    assert_dead (page, 410);
    assert_dead (post, 410);
    pd_assert_response (old_password, 200, NULL);
    /* an expired link is kept a day to say 410 */
    g_assert_cmpint (pd_prune_count (pruned, "reset_tokens"), ==, 0);
  }
  pd_server_advance_clock (server, 86400);
  {
    g_autoptr(JsonObject) pruned = pd_server_prune (server);
    g_autoptr(PdResponse) page = NULL;

    g_assert_cmpint (pd_prune_count (pruned, "reset_tokens"), ==, 1);
    page = pd_client_get (browser, link, NULL);
    assert_dead (page, 404);
  }
}

/* --------------------------------------------------------------- */
/* What a reset ends                                                */
/* --------------------------------------------------------------- */

typedef struct
{
  PdServer *server;
  char *path;
  const char *access;
  PdResponse *response;
} Poll;

static gpointer
poll_thread (gpointer data)
{
  Poll *poll = data;
  g_autoptr(PdClient) client = pd_client_new (poll->server);

  poll->response = pd_client_get (client, poll->path, poll->access);
  return NULL;
}

/* Every session (a browser one and a password one) ends: their refresh and
 * access tokens are refused and a waiting long poll gets 401; the failure
 * counter is cleared; revision grows by one. */
static void
test_sessions (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "sessions");
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autoptr(PdResponse) grant = pd_token_password (a->client, a->email, PASSWORD);
  const char *browser_refresh = json_object_get_string_member (a->tokens, "refresh_token");
  const char *grant_access, *grant_refresh;
  gint64 rev;
  g_autofree char *link = NULL;
  g_autofree char *token = NULL;
  Poll poll = { server, NULL, NULL, NULL };
  GThread *thread;

  pd_assert_response (grant, 200, NULL);
  grant_access = pd_response_string (grant, "access_token");
  grant_refresh = pd_response_string (grant, "refresh_token");
  rev = revision (a->client, access_of (a));

  /* asking for a link changes nothing in the account */
  link = new_link (server, browser, a->email, 0);
  token = token_of (link);
  g_assert_cmpint (revision (a->client, access_of (a)), ==, rev);

  /* the failure counter full: even the right password gets 429 */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(PdResponse) t = pd_token_password (browser, a->email, "wrong password here");
      pd_assert_response (t, 400, "invalid_grant");
    }
  {
    g_autoptr(PdResponse) t = pd_token_password (browser, a->email, PASSWORD);
    pd_assert_response (t, 429, "too_many_requests");
  }

  poll.access = access_of (a);
  poll.path = g_strdup_printf ("/api/v1/me?wait=30&after_revision=%" G_GINT64_FORMAT, rev);
  thread = g_thread_new ("poll", poll_thread, &poll);
  g_usleep (500 * 1000);

  {
    g_autoptr(PdResponse) done = submit (browser, token, NEW_PASSWORD, NEW_PASSWORD);
    assert_page (done, 200);
  }

  g_thread_join (thread);
  pd_assert_response (poll.response, 401, "invalid_token");
  g_assert_nonnull (strstr (pd_response_header (poll.response, "WWW-Authenticate"), "invalid_token"));
  pd_response_free (poll.response);
  g_free (poll.path);

  /* both sessions are over */
  {
    g_autoptr(PdResponse) me1 = pd_client_get (a->client, "/api/v1/me", access_of (a));
    g_autoptr(PdResponse) me2 = pd_client_get (a->client, "/api/v1/me", grant_access);
    g_autoptr(PdResponse) r1 = pd_token_refresh (a->client, browser_refresh);
    g_autoptr(PdResponse) r2 = pd_token_refresh (a->client, grant_refresh);
    g_autoptr(PdResponse) poll_again = pd_client_get (a->client, "/api/v1/me?wait=5", access_of (a));

    pd_assert_response (me1, 401, "invalid_token");
    pd_assert_response (me2, 401, "invalid_token");
    pd_assert_response (r1, 400, "invalid_grant");
    pd_assert_response (r2, 400, "invalid_grant");
    pd_assert_response (poll_again, 401, "invalid_token");
  }

  /* the counter was cleared: the new password works at once; the account
   * moved by one revision and keeps its address and password */
  {
    g_autoptr(PdResponse) t = pd_token_password (browser, a->email, NEW_PASSWORD);
    g_autoptr(PdResponse) me = NULL;
    JsonObject *o;

    pd_assert_response (t, 200, NULL);
    me = pd_get_me (browser, pd_response_string (t, "access_token"));
    o = pd_response_object (me);
    g_assert_cmpint (json_object_get_int_member (o, "revision"), ==, rev + 1);
    g_assert_cmpstr (json_object_get_string_member (o, "email"), ==, a->email);
    g_assert_true (json_object_get_boolean_member (o, "has_password"));
  }
}

/* After a reset, a new link works (and sets the password once more). Other
 * live links a reset would void cannot exist: each new link voids the older. */
static void
test_reset_twice (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "voids");
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autofree char *link = new_link (server, browser, a->email, 0);
  g_autofree char *token = token_of (link);
  g_autoptr(PdResponse) done = submit (browser, token, NEW_PASSWORD, NEW_PASSWORD);
  g_autofree char *later = NULL;

  assert_page (done, 200);
  /* a link asked for afterwards works: one reset, then another */
  pd_server_advance_clock (server, 60);
  later = new_link (server, browser, a->email, 1);
  {
    g_autofree char *later_token = token_of (later);
    g_autoptr(PdResponse) page = pd_client_get (browser, later, NULL);
    g_autoptr(PdResponse) r = submit (browser, later_token, PASSWORD, PASSWORD);
    g_autoptr(PdResponse) t = pd_token_password (browser, a->email, PASSWORD);

    assert_form (page, 200, later_token);
    assert_page (r, 200);
    pd_assert_response (t, 200, NULL);
  }
}

typedef struct
{
  PdServer *server;
  const char *token;
  const char *password;
  PdResponse *response;
} Submit;

static gpointer
submit_thread (gpointer data)
{
  Submit *s = data;
  g_autoptr(PdClient) client = pd_client_new (s->server);

  s->response = submit (client, s->token, s->password, s->password);
  return NULL;
}

/* Two posts of one link at once (both pass the first check while their
 * passwords are hashed): one sets its password, the other gets 410. */
static void
test_race (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "race");
  g_autofree char *link = new_link (server, a->client, a->email, 0);
  g_autofree char *token = token_of (link);
  Submit one = { server, token, NEW_PASSWORD, NULL };
  Submit two = { server, token, "a third sturdy passphrase 9", NULL };
  GThread *t1 = g_thread_new ("one", submit_thread, &one);
  GThread *t2 = g_thread_new ("two", submit_thread, &two);
  Submit *won, *lost;

  g_thread_join (t1);
  g_thread_join (t2);
  won = one.response->status == 200 ? &one : &two;
  lost = won == &one ? &two : &one;
  assert_page (won->response, 200);
  assert_dead (lost->response, 410);
  {
    g_autoptr(PdResponse) winner = pd_token_password (a->client, a->email, won->password);
    g_autoptr(PdResponse) loser = pd_token_password (a->client, a->email, lost->password);

    pd_assert_response (winner, 200, NULL);
    pd_assert_response (loser, 400, "invalid_grant");
  }
  pd_response_free (one.response);
  pd_response_free (two.response);
}

/* --------------------------------------------------------------- */
/* Russian                                                          */
/* --------------------------------------------------------------- */

static char *
decode_subject (const char *value)
{
  g_autofree char *b64 = NULL;
  gsize len;
  g_autofree guchar *raw = NULL;

  g_assert_true (g_str_has_prefix (value, "=?UTF-8?B?") && g_str_has_suffix (value, "?="));
  b64 = g_strndup (value + 10, strlen (value) - 12);
  raw = g_base64_decode (b64, &len);
  return g_strndup ((const char *) raw, len);
}

static void
test_russian (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(Account) a = account_new (server, "ru");
  g_autoptr(PdClient) browser = pd_client_new (server);
  g_autofree char *link = NULL;
  g_autofree char *token = NULL;

  pd_client_set_language (a->client, "ru-RU,ru;q=0.9,en;q=0.5");
  pd_client_set_language (browser, "ru");
  link = new_link (server, a->client, a->email, 0);
  token = token_of (link);

  {
    g_autofree char *mail = pd_maildir_newest_to (server, a->email);
    g_autofree char *subject = pd_mail_header (mail, "Subject");
    g_autofree char *decoded = decode_subject (subject);
    g_autofree char *language = pd_mail_header (mail, "Content-Language");
    g_autofree char *body = pd_mail_body (mail);
    g_autofree char *first = g_strdup_printf ("Кто-то (надеемся, вы) попросил сбросить пароль учётной записи "
                                              "Passport %s.\nЧтобы задать новый пароль, откройте ссылку в "
                                              "течение часа:\n\n%s\n\n", a->email, link);

    g_assert_cmpstr (decoded, ==, "Сброс пароля Passport");
    g_assert_cmpstr (language, ==, "ru");
    g_assert_true (g_str_has_prefix (body, first));
    g_assert_nonnull (strstr (body, "Она работает один раз, и действует только самая новая ссылка."));
    g_assert_nonnull (strstr (body, "Если это были не вы, не обращайте внимания на письмо: пароль останется прежним."));
  }

  {
    g_autoptr(PdResponse) page = pd_client_get (browser, link, NULL);
    g_autoptr(PdResponse) weak = submit (browser, token, "короткий", "другой");
    g_autoptr(PdResponse) unknown = pd_client_get (browser, "/api/v1/password/new?token=x", NULL);

    assert_page (page, 200);
    g_assert_nonnull (strstr (page->text, "<html lang=\"ru\">"));
    g_assert_nonnull (strstr (page->text, "<title>Выберите новый пароль</title>"));
    g_assert_nonnull (strstr (page->text, ">Новый пароль</label>"));
    g_assert_nonnull (strstr (page->text, ">Повторите пароль</label>"));
    g_assert_nonnull (strstr (page->text, ">Сохранить</button>"));
    assert_page (weak, 422);
    g_assert_nonnull (strstr (weak->text, "Пароли не совпадают."));
    assert_page (unknown, 404);
    g_assert_nonnull (strstr (unknown->text, "Ссылка больше не действует: она работает час, один раз, и только "
                                             "самая новая. Запросите новую ссылку в приложении."));
  }
  {
    g_autoptr(PdResponse) weak = submit (browser, token, "abc", "abc");

    assert_page (weak, 422);
    g_assert_nonnull (strstr (weak->text, "Не короче 8 символов."));
  }
  {
    g_autoptr(PdResponse) done = submit (browser, token, NEW_PASSWORD, NEW_PASSWORD);

    assert_page (done, 200);
    g_assert_nonnull (strstr (done->text, "Пароль изменён, на всех устройствах выполнен выход. "
                                          "Вернитесь в приложение и войдите с новым паролем."));
  }
}

/* --------------------------------------------------------------- */
/* --features                                                       */
/* --------------------------------------------------------------- */

static JsonArray *
features_of (PdClient *client)
{
  g_autoptr(PdResponse) r = pd_client_get (client, "/.well-known/openid-configuration", NULL);
  JsonObject *o;

  pd_assert_response (r, 200, NULL);
  o = pd_response_object (r);
  g_assert_true (json_object_has_member (o, "passport_features"));
  return json_array_ref (json_object_get_array_member (o, "passport_features"));
}

static void
test_features (void)
{
  /* all by default, and listed by name */
  {
    g_autoptr(PdServer) server = pd_server_start (NULL);
    g_autoptr(PdClient) client = pd_client_new (server);
    g_autoptr(JsonArray) features = features_of (client);

    g_assert_cmpuint (json_array_get_length (features), ==, 7);
    g_assert_cmpstr (json_array_get_string_element (features, 0), ==, "password_reset");
    g_assert_cmpstr (json_array_get_string_element (features, 1), ==, "otp");
    g_assert_cmpstr (json_array_get_string_element (features, 2), ==, "app_passwords");
    g_assert_cmpstr (json_array_get_string_element (features, 3), ==, "sessions");
    g_assert_cmpstr (json_array_get_string_element (features, 4), ==, "identities");
    g_assert_cmpstr (json_array_get_string_element (features, 5), ==, "device");
    g_assert_cmpstr (json_array_get_string_element (features, 6), ==, "delete_account");
  }
  {
    g_autoptr(PdServer) server = pd_server_start ("--features=password_reset", NULL);
    g_autoptr(PdClient) client = pd_client_new (server);
    g_autoptr(JsonArray) features = features_of (client);

    g_assert_cmpuint (json_array_get_length (features), ==, 1);
  }
  /* off: not listed, and every endpoint of it 404 not_found */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PdServer) server = pd_server_start (i == 0 ? "--features=-password_reset" : "--features=", NULL);
      g_autoptr(PdClient) client = pd_client_new (server);
      g_autoptr(JsonArray) features = features_of (client);
      g_autoptr(Account) a = account_new (server, "off");
      g_autoptr(PdResponse) reset = ask_reset (client, a->email);
      g_autoptr(PdResponse) page = pd_client_get (client, "/api/v1/password/new?token=abc", NULL);
      g_autoptr(PdResponse) post = submit (client, "abc", NEW_PASSWORD, NEW_PASSWORD);

      /* the other features stay */
      g_assert_cmpuint (json_array_get_length (features), ==, i == 0 ? 6 : 0);
      if (i == 0)
        {
          g_assert_cmpstr (json_array_get_string_element (features, 0), ==, "otp");
          g_assert_cmpstr (json_array_get_string_element (features, 1), ==, "app_passwords");
          g_assert_cmpstr (json_array_get_string_element (features, 2), ==, "sessions");
          g_assert_cmpstr (json_array_get_string_element (features, 3), ==, "identities");
          g_assert_cmpstr (json_array_get_string_element (features, 4), ==, "device");
          g_assert_cmpstr (json_array_get_string_element (features, 5), ==, "delete_account");
        }
      pd_assert_response (reset, 404, "not_found");
      pd_assert_response (page, 404, "not_found");
      pd_assert_response (post, 404, "not_found");
      g_usleep (100 * 1000);
      g_assert_cmpuint (pd_maildir_count (server), ==, 0);
    }
  /* every other feature off */
  {
    g_autoptr(PdServer) server = pd_server_start ("--features=-otp,-app_passwords,-sessions,-device,"
                                                  "-delete_account,-identities", NULL);
    g_autoptr(PdClient) client = pd_client_new (server);
    g_autoptr(JsonArray) features = features_of (client);

    g_assert_cmpuint (json_array_get_length (features), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (features, 0), ==, "password_reset");
  }
  /* an unknown name: exit 2 */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocess) p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                                 &error, g_getenv ("PASSPORTD"), "--listen", "127.0.0.1:0",
                                                 "--database", ":memory:", "--features=-otp_typo", NULL);
    g_autofree char *err = NULL;

    g_assert_no_error (error);
    g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, NULL, &err, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 2);
    g_assert_nonnull (strstr (err, "otp_typo"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reset/enumeration", test_enumeration);
  g_test_add_func ("/reset/limits", test_limits);
  g_test_add_func ("/reset/link", test_link);
  g_test_add_func ("/reset/expiry", test_expiry);
  g_test_add_func ("/reset/sessions", test_sessions);
  g_test_add_func ("/reset/twice", test_reset_twice);
  g_test_add_func ("/reset/race", test_race);
  g_test_add_func ("/reset/russian", test_russian);
  g_test_add_func ("/reset/features", test_features);
  return g_test_run ();
}
