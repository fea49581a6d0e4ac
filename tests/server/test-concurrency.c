// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd under races: two accounts binding one address (by confirmation
 * links and by verified identities) — exactly one wins; one refresh token
 * presented by many threads at once — exactly one 200, then the family is
 * revoked. Every thread has its own client and a warm connection, and all
 * are released at the same moment. */
#include "config.h"

#include <string.h>

#include "pd-test-server.h"

#define ROUNDS 5
#define REFRESH_THREADS 8

static PdServer *shared;

/* A start line for threads. */
typedef struct
{
  GMutex lock;
  GCond cond;
  guint waiting;
  guint expected;
  gboolean go;
} Gate;

static void
gate_init (Gate  *gate,
           guint  expected)
{
  g_mutex_init (&gate->lock);
  g_cond_init (&gate->cond);
  gate->waiting = 0;
  gate->expected = expected;
  gate->go = FALSE;
}

static void
gate_clear (Gate *gate)
{
  g_mutex_clear (&gate->lock);
  g_cond_clear (&gate->cond);
}

/* Called by each thread; returns when all have arrived. */
static void
gate_pass (Gate *gate)
{
  g_mutex_lock (&gate->lock);
  gate->waiting++;
  if (gate->waiting == gate->expected)
    {
      gate->go = TRUE;
      g_cond_broadcast (&gate->cond);
    }
  while (!gate->go)
    g_cond_wait (&gate->cond, &gate->lock);
  g_mutex_unlock (&gate->lock);
}

typedef struct
{
  Gate *gate;
  const char *method;
  char *path;           /* or an absolute URL */
  const char *bearer;
  char *json;           /* body, or NULL */
  const char *content_type;  /* of the body; JSON when NULL */
  char *cookie;         /* a Set-Cookie value for the jar, or NULL */
  PdResponse *response;
} Racer;

static gpointer
racer_thread (gpointer data)
{
  Racer *racer = data;
  g_autoptr(PdClient) client = pd_client_new (shared);
  g_autoptr(GBytes) body = NULL;

  /* warm up a keep-alive connection first */
  {
    g_autoptr(PdResponse) warm = pd_client_get (client, "/api/v1/terms", NULL);

    g_assert_cmpuint (warm->status, ==, 200);
  }
  if (racer->json != NULL)
    body = g_bytes_new (racer->json, strlen (racer->json));
  if (racer->cookie != NULL)
    {
      /* into the jar: it decides the Cookie header of every request */
      g_autofree char *url = pd_server_url (shared, racer->path);
      g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);

      soup_cookie_jar_set_cookie (client->jar, uri, racer->cookie);
    }
  gate_pass (racer->gate);
  racer->response = pd_client_send (client, racer->method, racer->path, racer->bearer,
                                    body ? (racer->content_type ? racer->content_type : "application/json") : NULL,
                                    body, NULL);
  return NULL;
}

static void
race (Racer *racers,
      guint  n)
{
  g_autofree GThread **threads = g_new0 (GThread *, n);
  Gate gate;

  gate_init (&gate, n);
  for (guint i = 0; i < n; i++)
    {
      racers[i].gate = &gate;
      threads[i] = g_thread_new ("racer", racer_thread, &racers[i]);
    }
  for (guint i = 0; i < n; i++)
    g_thread_join (threads[i]);
  gate_clear (&gate);
}

static void
racer_clear (Racer *racer)
{
  g_clear_pointer (&racer->response, pd_response_free);
  g_clear_pointer (&racer->path, g_free);
  g_clear_pointer (&racer->json, g_free);
  g_clear_pointer (&racer->cookie, g_free);
}

static const char *
access_of (JsonObject *tokens)
{
  return json_object_get_string_member (tokens, "access_token");
}

/* --------------------------------------------------------------- */

static void
test_confirm_race (void)
{
  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autofree char *address = pd_unique_email ("race-link");
      g_autofree char *a_email = pd_unique_email ("race-a");
      g_autofree char *b_email = pd_unique_email ("race-b");
      g_autoptr(JsonObject) a = pd_social_tokens (shared, "google", a_email, "Anna", FALSE);
      g_autoptr(JsonObject) b = pd_social_tokens (shared, "vk", b_email, "Boris", FALSE);
      g_autoptr(PdClient) client = pd_client_new (shared);
      g_autofree char *body_a = pd_json_strings ("email", address, "password", "first racer password", NULL);
      g_autofree char *body_b = pd_json_strings ("email", address, "password", "second racer password", NULL);
      g_autoptr(PdResponse) bind_a = NULL;
      g_autoptr(PdResponse) bind_b = NULL;
      g_autoptr(PdResponse) me_a = NULL;
      g_autoptr(PdResponse) me_b = NULL;
      g_autofree char *mail_a = NULL;
      g_autofree char *mail_b = NULL;
      Racer racers[2] = { { 0 } };
      guint ok = 0, refused = 0, bound = 0;

      pd_accept_terms (client, access_of (a));
      pd_accept_terms (client, access_of (b));
      bind_a = pd_client_post_json (client, "/api/v1/me/email", access_of (a), body_a);
      pd_assert_response (bind_a, 202, NULL);
      mail_a = pd_maildir_newest_to (shared, address);
      bind_b = pd_client_post_json (client, "/api/v1/me/email", access_of (b), body_b);
      pd_assert_response (bind_b, 202, NULL);
      mail_b = pd_maildir_newest_to (shared, address);
      g_assert_cmpstr (mail_a, !=, mail_b);

      racers[0].method = racers[1].method = "GET";
      racers[0].path = pd_mail_link (mail_a);
      racers[1].path = pd_mail_link (mail_b);
      race (racers, 2);

      for (guint i = 0; i < 2; i++)
        {
          if (racers[i].response->status == 200)
            ok++;
          else if (racers[i].response->status >= 400)
            {
              g_autofree char *lower = g_ascii_strdown (racers[i].response->text, -1);

              g_assert_nonnull (strstr (lower, "another account"));
              refused++;
            }
        }
      g_assert_cmpuint (ok, ==, 1);
      g_assert_cmpuint (refused, ==, 1);

      me_a = pd_get_me (client, access_of (a));
      me_b = pd_get_me (client, access_of (b));
      bound += g_strcmp0 (pd_response_string (me_a, "email"), address) == 0;
      bound += g_strcmp0 (pd_response_string (me_b, "email"), address) == 0;
      g_assert_cmpuint (bound, ==, 1);
      /* the winner is the one whose page said so */
      g_assert_cmpint (racers[0].response->status == 200, ==,
                       g_strcmp0 (pd_response_string (me_a, "email"), address) == 0);

      racer_clear (&racers[0]);
      racer_clear (&racers[1]);
    }
}

static void
test_bind_verified_race (void)
{
  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autofree char *address = pd_unique_email ("race-verified");
      /* the same address, verified by two networks: two identities, two
       * accounts */
      g_autoptr(JsonObject) a = pd_social_tokens (shared, "google", address, "Anna", TRUE);
      g_autoptr(JsonObject) b = pd_social_tokens (shared, "yandex", address, "Boris", TRUE);
      g_autoptr(PdClient) client = pd_client_new (shared);
      g_autoptr(PdResponse) me_a = NULL;
      g_autoptr(PdResponse) me_b = NULL;
      Racer racers[2] = { { 0 } };
      guint won = 0, lost = 0, bound = 0;

      pd_accept_terms (client, access_of (a));
      pd_accept_terms (client, access_of (b));
      {
        g_autoptr(PdResponse) check_a = pd_get_me (client, access_of (a));
        g_autoptr(PdResponse) check_b = pd_get_me (client, access_of (b));

        g_assert_cmpstr (pd_response_string (check_a, "id"), !=, pd_response_string (check_b, "id"));
      }

      for (guint i = 0; i < 2; i++)
        {
          racers[i].method = "POST";
          racers[i].path = g_strdup ("/api/v1/me/email");
          racers[i].bearer = access_of (i == 0 ? a : b);
          racers[i].json = pd_json_strings ("email", address, "password", "a racer's fine password", NULL);
        }
      race (racers, 2);

      for (guint i = 0; i < 2; i++)
        {
          if (racers[i].response->status == 200)
            won++;
          else
            {
              pd_assert_response (racers[i].response, 409, "email_exists");
              lost++;
            }
        }
      g_assert_cmpuint (won, ==, 1);
      g_assert_cmpuint (lost, ==, 1);

      me_a = pd_get_me (client, access_of (a));
      me_b = pd_get_me (client, access_of (b));
      bound += g_strcmp0 (pd_response_string (me_a, "email"), address) == 0;
      bound += g_strcmp0 (pd_response_string (me_b, "email"), address) == 0;
      g_assert_cmpuint (bound, ==, 1);
      /* the loser has no password and nothing pending */
      {
        PdResponse *loser = racers[0].response->status == 200 ? me_b : me_a;

        g_assert_false (json_object_get_boolean_member (pd_response_object (loser), "has_password"));
        g_assert_true (json_object_get_null_member (pd_response_object (loser), "email"));
      }

      racer_clear (&racers[0]);
      racer_clear (&racers[1]);
    }
}

typedef struct
{
  Gate *gate;
  const char *refresh_token;
  PdResponse *response;
} Refresher;

static gpointer
refresher_thread (gpointer data)
{
  Refresher *r = data;
  g_autoptr(PdClient) client = pd_client_new (shared);

  {
    g_autoptr(PdResponse) warm = pd_client_get (client, "/api/v1/terms", NULL);

    g_assert_cmpuint (warm->status, ==, 200);
  }
  gate_pass (r->gate);
  r->response = pd_token_refresh (client, r->refresh_token);
  return NULL;
}

static void
test_parallel_refresh (void)
{
  for (guint round = 0; round < ROUNDS; round++)
    {
      g_autofree char *email = pd_unique_email ("refresh-race");
      g_autoptr(JsonObject) t = pd_social_tokens (shared, "google", email, "Rita", FALSE);
      g_autoptr(PdClient) client = pd_client_new (shared);
      Refresher refreshers[REFRESH_THREADS] = { { 0 } };
      GThread *threads[REFRESH_THREADS];
      Refresher *winner = NULL;
      guint ok = 0;
      Gate gate;

      gate_init (&gate, REFRESH_THREADS);
      for (guint i = 0; i < REFRESH_THREADS; i++)
        {
          refreshers[i].gate = &gate;
          refreshers[i].refresh_token = json_object_get_string_member (t, "refresh_token");
          threads[i] = g_thread_new ("refresher", refresher_thread, &refreshers[i]);
        }
      for (guint i = 0; i < REFRESH_THREADS; i++)
        g_thread_join (threads[i]);
      gate_clear (&gate);

      for (guint i = 0; i < REFRESH_THREADS; i++)
        {
          if (refreshers[i].response->status == 200)
            {
              ok++;
              winner = &refreshers[i];
            }
          else
            pd_assert_response (refreshers[i].response, 400, "invalid_grant");
        }
      g_assert_cmpuint (ok, ==, 1);

      /* the retired token was presented again: the whole family is revoked,
       * the winner's new tokens included */
      {
        g_autoptr(PdResponse) me = pd_client_get (client, "/api/v1/me",
                                                  pd_response_string (winner->response, "access_token"));
        g_autoptr(PdResponse) again = pd_token_refresh (client, pd_response_string (winner->response, "refresh_token"));
        g_autoptr(PdResponse) first = pd_client_get (client, "/api/v1/me", access_of (t));

        g_assert_cmpuint (me->status, ==, 401);
        pd_assert_response (again, 400, "invalid_grant");
        g_assert_cmpuint (first->status, ==, 401);
      }

      for (guint i = 0; i < REFRESH_THREADS; i++)
        pd_response_free (refreshers[i].response);
    }
}

static void
test_many_sign_ins (void)
{
  /* the same new identity finishing sign-in in several browsers at once
   * makes one account, not several */
  g_autofree char *email = pd_unique_email ("stampede");
  PdAuthRequest *requests[4];
  PdSocialPage *pages[4];
  Racer racers[4] = { { 0 } };
  g_autoptr(GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(PdClient) client = pd_client_new (shared);

  for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
    {
      g_autoptr(PdClient) browser = pd_client_new (shared);
      g_autofree char *url = NULL;

      requests[i] = pd_auth_request_new ();
      url = pd_auth_request_url (shared, requests[i], "google");
      pages[i] = pd_browser_open (browser, url);
      racers[i].method = "POST";
      racers[i].path = g_strdup ("/oauth/social");
      racers[i].content_type = "application/x-www-form-urlencoded";
      racers[i].json = soup_form_encode ("flow", pages[i]->flow, "csrf", pages[i]->csrf,
                                         "email", email, "name", "Stam Pede",
                                         "action", "continue", NULL);
      /* what the browser's jar sends back */
      racers[i].cookie = g_strdup_printf ("pd_csrf=%s; Path=/oauth", pages[i]->csrf);
    }
  race (racers, G_N_ELEMENTS (racers));

  for (guint i = 0; i < G_N_ELEMENTS (racers); i++)
    {
      g_autofree char *code = NULL;
      g_autoptr(PdResponse) tokens = NULL;
      g_autoptr(PdResponse) me = NULL;

      pd_assert_response (racers[i].response, 302, NULL);
      code = pd_location_param (racers[i].response, "code");
      g_assert_nonnull (code);
      tokens = pd_token_code (client, code, requests[i]->redirect_uri, requests[i]->verifier);
      pd_assert_response (tokens, 200, NULL);
      me = pd_get_me (client, pd_response_string (tokens, "access_token"));
      g_hash_table_add (ids, g_strdup (pd_response_string (me, "id")));
      racer_clear (&racers[i]);
      pd_auth_request_free (requests[i]);
      pd_social_page_free (pages[i]);
    }
  g_assert_cmpuint (g_hash_table_size (ids), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  shared = pd_server_start (NULL);

  g_test_add_func ("/concurrency/confirm-race", test_confirm_race);
  g_test_add_func ("/concurrency/bind-verified-race", test_bind_verified_race);
  g_test_add_func ("/concurrency/parallel-refresh", test_parallel_refresh);
  g_test_add_func ("/concurrency/same-identity", test_many_sign_ins);

  ret = g_test_run ();
  pd_server_stop (shared);
  pd_server_free (shared);
  return ret;
}
