// SPDX-License-Identifier: GPL-3.0-or-later
/* passportd: the whole story of architecture.md, steps 1–8, as one test,
 * with a scripted HTTP client as the browser. */
#include "config.h"

#include <string.h>

#include "pd-test-server.h"

#define IVAN_PASSWORD "blue whale sings at dawn 1"
#define MARIA_PASSWORD "green lantern on the hill 2"

static gint64
revision (PdResponse *r)
{
  return json_object_get_int_member (pd_response_object (r), "revision");
}

static JsonObject *
pending (PdResponse *r)
{
  JsonNode *node = json_object_get_member (pd_response_object (r), "pending_email");

  g_assert_nonnull (node);
  return JSON_NODE_HOLDS_NULL (node) ? NULL : json_node_get_object (node);
}

static void
test_story (void)
{
  g_autoptr(PdServer) server = pd_server_start (NULL);
  g_autoptr(PdClient) app = pd_client_new (server);
  g_autoptr(PdClient) browser = pd_client_new (server);
  const char *ivan_mail = "ivan.petrov@example.com";
  const char *ivan_new = "ivan.new@example.org";
  const char *ivan_gmail = "ivan.p@gmail.example";
  g_autoptr(JsonObject) ivan = NULL;
  g_autoptr(JsonObject) maria = NULL;
  const char *ivan_access;
  const char *maria_access;
  g_autofree char *version = NULL;
  g_autofree char *ivan_id = NULL;
  g_autofree char *api = NULL;

  /* 1. The server: discovery and the social networks it offers. */
  {
    g_autoptr(PdResponse) doc = pd_client_get (app, "/.well-known/openid-configuration", NULL);
    g_autoptr(PdResponse) providers = NULL;

    pd_assert_response (doc, 200, NULL);
    g_assert_cmpstr (pd_response_string (doc, "issuer"), ==, server->url);
    api = g_strdup (pd_response_string (doc, "passport_api_endpoint"));
    g_assert_nonnull (api);
    providers = pd_client_get (app, "/api/v1/providers", NULL);
    pd_assert_response (providers, 200, NULL);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (pd_response_object (providers),
                                                                           "providers")), ==, 3);
  }

  /* 2. Social sign-in in the browser: code + PKCE + state + nonce. The
   *    network has not verified Ivan's gmail address. */
  {
    g_autoptr(PdAuthRequest) req = NULL;
    g_autofree char *code = pd_browser_social_sign_in (server, "vk", ivan_gmail, "Ivan Petrov", FALSE, &req);
    g_autoptr(PdResponse) tokens = pd_token_code (app, code, req->redirect_uri, req->verifier);
    g_autoptr(JsonObject) claims = NULL;

    pd_assert_response (tokens, 200, NULL);
    claims = pd_jwt_payload (pd_response_string (tokens, "id_token"));
    g_assert_cmpstr (json_object_get_string_member (claims, "nonce"), ==, req->nonce);
    ivan = json_object_ref (pd_response_object (tokens));
    ivan_access = json_object_get_string_member (ivan, "access_token");
  }

  /* 3. The user agreement. */
  {
    g_autoptr(PdResponse) me = pd_get_me (app, ivan_access);
    g_autoptr(PdResponse) early = NULL;
    g_autofree char *body = pd_json_strings ("email", ivan_mail, "password", IVAN_PASSWORD, NULL);

    ivan_id = g_strdup (pd_response_string (me, "id"));
    g_assert_false (json_object_get_boolean_member (json_object_get_object_member (pd_response_object (me), "terms"),
                                                    "accepted"));
    early = pd_client_post_json (app, "/api/v1/me/email", ivan_access, body);
    pd_assert_response (early, 403, "terms_not_accepted");
    version = pd_terms_version (app);
    pd_accept_terms (app, ivan_access);
  }

  /* 4. Bind an e-mail and create the password; 5. confirm it by mail,
   *    the app waiting with a long poll. */
  {
    g_autofree char *body = pd_json_strings ("email", ivan_mail, "password", IVAN_PASSWORD, NULL);
    g_autoptr(PdResponse) bound = pd_client_post_json (app, "/api/v1/me/email", ivan_access, body);
    g_autoptr(PdResponse) waited = NULL;
    g_autoptr(PdResponse) page = NULL;
    g_autoptr(PdResponse) me = NULL;
    g_autofree char *mail = NULL;
    g_autofree char *account = NULL;
    g_autofree char *poll = NULL;

    pd_assert_response (bound, 202, NULL);
    g_assert_cmpstr (json_object_get_string_member (pending (bound), "address"), ==, ivan_mail);

    /* the password does not work before confirmation */
    {
      g_autoptr(PdResponse) grant = pd_token_password (app, ivan_mail, IVAN_PASSWORD);

      pd_assert_response (grant, 400, "invalid_grant");
    }
    /* resend after the delay (60 s): a new link, the old one is dead */
    pd_server_advance_clock (server, 61);
    {
      g_autoptr(PdResponse) resend = pd_client_post_json (app, "/api/v1/me/email/resend", ivan_access, "{}");

      pd_assert_response (resend, 202, NULL);
    }
    g_assert_cmpuint (pd_maildir_count (server), ==, 2);

    mail = pd_maildir_newest_to (server, ivan_mail);
    g_assert_nonnull (mail);
    account = pd_mail_header (mail, "X-Passport-Account");
    g_assert_cmpstr (account, ==, ivan_id);

    page = pd_confirm_newest (browser, ivan_mail);
    pd_assert_response (page, 200, NULL);

    /* the app's long poll sees the change at once */
    poll = g_strdup_printf ("/api/v1/me?wait=10&after_revision=%" G_GINT64_FORMAT, revision (bound));
    waited = pd_client_get (app, poll, ivan_access);
    pd_assert_response (waited, 200, NULL);
    g_assert_cmpint (revision (waited), >, revision (bound));

    me = pd_get_me (app, ivan_access);
    g_assert_cmpstr (pd_response_string (me, "email"), ==, ivan_mail);
    g_assert_true (json_object_get_boolean_member (pd_response_object (me), "email_verified"));
    g_assert_true (json_object_get_boolean_member (pd_response_object (me), "has_password"));
    g_assert_null (pending (me));
  }

  /* 7. From then on, e-mail and password sign in to the same account. */
  {
    g_autoptr(PdResponse) grant = pd_token_password (app, ivan_mail, IVAN_PASSWORD);
    g_autoptr(PdResponse) me = NULL;

    pd_assert_response (grant, 200, NULL);
    me = pd_get_me (app, pd_response_string (grant, "access_token"));
    g_assert_cmpstr (pd_response_string (me, "id"), ==, ivan_id);
  }

  /* 6. Maria, from Yandex, wants the same address: "a user with this
   *    e-mail already exists". */
  maria = pd_social_tokens (server, "yandex", "maria@yandex.example", "Maria Ivanova", TRUE);
  maria_access = json_object_get_string_member (maria, "access_token");
  pd_accept_terms (app, maria_access);
  {
    g_autofree char *body = pd_json_strings ("email", ivan_mail, "password", MARIA_PASSWORD, NULL);
    g_autoptr(PdResponse) conflict = pd_client_post_json (app, "/api/v1/me/email", maria_access, body);
    g_autoptr(PdResponse) me = pd_get_me (app, maria_access);

    pd_assert_response (conflict, 409, "email_exists");
    g_assert_null (pending (me));
  }

  /*    The way out: sign in as the holder (second session, by password),
   *    give that account a new address, confirm it ... */
  {
    g_autoptr(PdResponse) second = pd_token_password (app, ivan_mail, IVAN_PASSWORD);
    const char *holder;
    g_autofree char *body = pd_json_strings ("email", ivan_new, "password", IVAN_PASSWORD, NULL);
    g_autoptr(PdResponse) change = NULL;
    g_autoptr(PdResponse) still = NULL;
    g_autoptr(PdResponse) page = NULL;
    g_autoptr(PdResponse) me = NULL;

    pd_assert_response (second, 200, NULL);
    holder = pd_response_string (second, "access_token");
    change = pd_client_put_json (app, "/api/v1/me/email", holder, body);
    pd_assert_response (change, 202, NULL);

    /* until confirmed, the old address is still Ivan's */
    {
      g_autofree char *again = pd_json_strings ("email", ivan_mail, "password", MARIA_PASSWORD, NULL);

      still = pd_client_post_json (app, "/api/v1/me/email", maria_access, again);
      pd_assert_response (still, 409, "email_exists");
    }

    page = pd_confirm_newest (browser, ivan_new);
    pd_assert_response (page, 200, NULL);
    me = pd_get_me (app, holder);
    g_assert_cmpstr (pd_response_string (me, "email"), ==, ivan_new);
  }

  /*    ... and come back to bind the freed address. */
  {
    g_autofree char *body = pd_json_strings ("email", ivan_mail, "password", MARIA_PASSWORD, NULL);
    g_autoptr(PdResponse) bound = pd_client_post_json (app, "/api/v1/me/email", maria_access, body);
    g_autoptr(PdResponse) page = NULL;
    g_autoptr(PdResponse) me = NULL;
    g_autoptr(PdResponse) grant = NULL;
    g_autoptr(PdResponse) old = NULL;

    pd_assert_response (bound, 202, NULL);
    page = pd_confirm_newest (browser, ivan_mail);
    pd_assert_response (page, 200, NULL);
    me = pd_get_me (app, maria_access);
    g_assert_cmpstr (pd_response_string (me, "email"), ==, ivan_mail);

    grant = pd_token_password (app, ivan_mail, MARIA_PASSWORD);
    pd_assert_response (grant, 200, NULL);
    old = pd_token_password (app, ivan_mail, IVAN_PASSWORD);
    pd_assert_response (old, 400, "invalid_grant");
  }

  /*    An identity that verified the address binds it with no mail. */
  {
    guint mails = pd_maildir_count (server);
    g_autoptr(JsonObject) olga = pd_social_tokens (server, "google", "olga@gmail.example", "Olga", TRUE);
    const char *olga_access = json_object_get_string_member (olga, "access_token");
    g_autofree char *body = pd_json_strings ("email", "olga@gmail.example", "password", "quiet river stones 3", NULL);
    g_autoptr(PdResponse) bound = NULL;

    pd_accept_terms (app, olga_access);
    bound = pd_client_post_json (app, "/api/v1/me/email", olga_access, body);
    pd_assert_response (bound, 200, NULL);
    g_assert_cmpstr (pd_response_string (bound, "email"), ==, "olga@gmail.example");
    g_assert_cmpuint (pd_maildir_count (server), ==, mails);
  }

  /* 7. Change the password, sign out (revoke). */
  {
    g_autoptr(PdResponse) grant = pd_token_password (app, ivan_new, IVAN_PASSWORD);
    const char *access;
    const char *refresh;
    g_autofree char *body = pd_json_strings ("current_password", IVAN_PASSWORD,
                                             "new_password", "seven silver spoons 4", NULL);
    g_autoptr(PdResponse) changed = NULL;
    g_autoptr(PdResponse) fresh = NULL;
    g_autoptr(PdResponse) out = NULL;
    g_autoptr(PdResponse) gone = NULL;

    pd_assert_response (grant, 200, NULL);
    access = pd_response_string (grant, "access_token");
    refresh = pd_response_string (grant, "refresh_token");
    changed = pd_client_post_json (app, "/api/v1/me/password", access, body);
    g_assert_cmpuint (changed->status, ==, 204);
    fresh = pd_token_password (app, ivan_new, "seven silver spoons 4");
    pd_assert_response (fresh, 200, NULL);

    out = pd_client_post_form (app, "/oauth/revoke", NULL, "token", refresh,
                               "token_type_hint", "refresh_token", "client_id", PD_CLIENT_ID, NULL);
    g_assert_cmpuint (out->status, ==, 200);
    gone = pd_token_refresh (app, refresh);
    pd_assert_response (gone, 400, "invalid_grant");
  }

  /* 8. Restart: the server keeps its state; stored tokens still work. */
  {
    g_autoptr(PdResponse) maria_refresh = NULL;
    g_autoptr(PdResponse) me = NULL;
    g_autoptr(PdClient) app2 = NULL;
    g_autoptr(PdServer) again = NULL;
    g_autoptr(PdResponse) jwks_before = pd_client_get (app, "/oauth/jwks", NULL);
    g_autoptr(PdResponse) jwks_after = NULL;
    const char *args[] = { "--database", server->database, NULL };

    pd_server_stop (server);
    again = pd_server_startv (args);
    app2 = pd_client_new (again);
    maria_refresh = pd_token_refresh (app2, json_object_get_string_member (maria, "refresh_token"));
    pd_assert_response (maria_refresh, 200, NULL);
    me = pd_get_me (app2, pd_response_string (maria_refresh, "access_token"));
    g_assert_cmpstr (pd_response_string (me, "email"), ==, ivan_mail);
    jwks_after = pd_client_get (app2, "/oauth/jwks", NULL);
    g_assert_cmpstr (jwks_after->text, ==, jwks_before->text);
    pd_server_stop (again);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/story/steps-1-to-8", test_story);
  return g_test_run ();
}
