/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "passport-pkce.h"
#include "fake-oidc.h"

static void
answer_free (FakeAnswer *a)
{
  g_free (a->content_type);
  g_free (a->body);
  g_free (a->retry_after);
  g_free (a->location);
  g_free (a);
}

static gboolean
unpause_cb (gpointer data)
{
  g_object_set_data (data, "unpause-source", NULL);
  soup_server_message_unpause (data);
  return G_SOURCE_REMOVE;
}

static void
slow_finished_cb (SoupServerMessage *msg,
                  gpointer           data)
{
  /* The client gave up and hung up: nothing left to unpause. */
  guint id = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (msg), "unpause-source"));

  if (id != 0)
    g_source_remove (id);
  g_object_set_data (G_OBJECT (msg), "unpause-source", NULL);
}

static char *
b64 (const char *text)
{
  return passport_base64url_encode ((const guint8 *) text, strlen (text));
}

static char *
token_answer (Fake       *fake,
              const char *nonce)
{
  g_autofree char *header = b64 ("{\"alg\":\"RS256\",\"kid\":\"test\"}");
  g_autofree char *nonce_claim = nonce ? g_strdup_printf (",\"nonce\":\"%s\"", nonce) : g_strdup ("");
  g_autofree char *auth_time_claim =
    fake->token_auth_time != 0 ? g_strdup_printf (",\"auth_time\":%" G_GINT64_FORMAT, fake->token_auth_time)
                               : g_strdup ("");
  g_autofree char *claims = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *expires_in = NULL;
  const char *at_suffix = fake->access_token_suffix ? fake->access_token_suffix : "";
  const char *rt_suffix = fake->refresh_token_suffix ? fake->refresh_token_suffix : "";
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  fake->serial++;
  g_free (fake->access_token);
  fake->access_token = g_strdup_printf ("at-%u", fake->serial);
  if (fake->refresh_token != NULL)
    g_ptr_array_add (fake->retired, g_steal_pointer (&fake->refresh_token));
  fake->refresh_token = g_strdup_printf ("rt-%u", fake->serial);

  if (fake->expires_in_json == NULL)
    expires_in = g_strdup_printf (",\"expires_in\":%" G_GINT64_FORMAT, fake->access_ttl);
  else if (*fake->expires_in_json == '\0')
    expires_in = g_strdup ("");
  else
    expires_in = g_strdup_printf (",\"expires_in\":%s", fake->expires_in_json);

  if (fake->token_without_id)
    return g_strdup_printf ("{\"access_token\":\"%s%s\",\"token_type\":\"Bearer\"%s,"
                            "\"refresh_token\":\"%s%s\"}",
                            fake->access_token, at_suffix, expires_in,
                            fake->refresh_token, rt_suffix);

  claims = g_strdup_printf ("{\"iss\":\"%s\",\"sub\":\"plain-user\",\"aud\":\"%s\","
                            "\"exp\":%" G_GINT64_FORMAT ",\"iat\":%" G_GINT64_FORMAT ","
                            "\"email\":\"plain@example.com\"%s%s}",
                            fake->token_iss ? fake->token_iss : fake->base,
                            fake->token_aud ? fake->token_aud : "passport-desktop",
                            now + 300, now, nonce_claim, auth_time_claim);
  payload = b64 (claims);
  return g_strdup_printf ("{\"access_token\":\"%s%s\",\"token_type\":\"Bearer\"%s,"
                          "\"refresh_token\":\"%s%s\",\"scope\":\"openid\","
                          "\"id_token\":\"%s.%s.c2ln\"}",
                          fake->access_token, at_suffix, expires_in,
                          fake->refresh_token, rt_suffix, header, payload);
}

char *
fake_good_answer (Fake       *fake,
                  const char *path)
{
  if (g_str_equal (path, "/.well-known/openid-configuration"))
    {
      g_autofree char *api = fake->with_api
        ? g_strdup_printf (",\"passport_api_endpoint\":\"%s/api\"", fake->base) : g_strdup ("");

      return g_strdup_printf ("{\"issuer\":\"%s\",\"authorization_endpoint\":\"%s/authorize\","
                              "\"token_endpoint\":\"%s/token\",\"userinfo_endpoint\":\"%s/userinfo\","
                              "\"revocation_endpoint\":\"%s/revoke\","
                              "\"jwks_uri\":\"%s/jwks\",\"response_types_supported\":[\"code\"],"
                              "\"code_challenge_methods_supported\":[\"S256\"],"
                              "\"authorization_response_iss_parameter_supported\":true%s}",
                              fake->base, fake->base, fake->base, fake->base, fake->base,
                              fake->base, api);
    }
  if (g_str_equal (path, "/api/providers"))
    return g_strdup ("{\"providers\":[{\"id\":\"google\",\"name\":\"Google\",\"icon_url\":null}]}");
  if (g_str_equal (path, "/api/terms"))
    return g_strdup ("{\"version\":\"1\",\"url\":null,\"text\":\"Terms\"}");
  if (g_str_equal (path, "/userinfo"))
    return g_strdup ("{\"sub\":\"plain-user\",\"name\":\"Plain User\",\"email\":\"plain@example.com\","
                     "\"email_verified\":true}");
  if (g_str_equal (path, "/api/me"))
    return g_strdup ("{\"id\":\"acc\",\"display_name\":\"A\",\"email\":null,\"email_verified\":false,"
                     "\"pending_email\":null,\"has_password\":false,\"terms\":{\"accepted\":true,"
                     "\"version\":\"1\"},\"identities\":[],\"revision\":1}");
  return NULL;
}

static void
set_json (SoupServerMessage *msg,
          guint              status,
          const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static GHashTable *
read_form (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  return soup_form_decode (text);
}

static void
handle_token (Fake              *fake,
              SoupServerMessage *msg)
{
  g_autoptr(GHashTable) form = read_form (msg);
  const char *grant = g_hash_table_lookup (form, "grant_type");
  g_autofree char *answer = NULL;

  if (g_strcmp0 (grant, "password") == 0)
    answer = token_answer (fake, NULL);
  else if (g_strcmp0 (grant, "authorization_code") == 0)
    {
      const char *verifier = g_hash_table_lookup (form, "code_verifier");
      g_autofree char *challenge = verifier ? passport_pkce_challenge_s256 (verifier) : NULL;

      if (fake->issued_code == NULL ||
          g_strcmp0 (g_hash_table_lookup (form, "code"), fake->issued_code) != 0 ||
          g_strcmp0 (challenge, fake->pending_challenge) != 0 ||
          g_strcmp0 (g_hash_table_lookup (form, "redirect_uri"), fake->pending_redirect) != 0)
        {
          set_json (msg, 400, "{\"error\":\"invalid_grant\"}");
          return;
        }
      g_clear_pointer (&fake->issued_code, g_free);
      answer = token_answer (fake, fake->token_nonce ? fake->token_nonce : fake->pending_nonce);
    }
  else if (g_strcmp0 (grant, "refresh_token") == 0)
    {
      const char *presented = g_hash_table_lookup (form, "refresh_token");

      fake->refresh_requests++;
      if (fake->transient_failures > 0)
        {
          fake->transient_failures--;
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Retry-After", "0");
          set_json (msg, 503, "{\"error\":\"server_error\"}");
          return;
        }
      if (presented == NULL || g_strcmp0 (presented, fake->refresh_token) != 0)
        {
          /* Reuse of a retired token ends the family. */
          g_clear_pointer (&fake->refresh_token, g_free);
          g_clear_pointer (&fake->access_token, g_free);
          set_json (msg, 400, "{\"error\":\"invalid_grant\"}");
          return;
        }
      answer = token_answer (fake, NULL);
    }
  else
    {
      set_json (msg, 400, "{\"error\":\"unsupported_grant_type\"}");
      return;
    }

  set_json (msg, 200, answer);
}

static void
handle_authorize (Fake              *fake,
                  SoupServerMessage *msg,
                  GHashTable        *query)
{
  const char *redirect = query ? g_hash_table_lookup (query, "redirect_uri") : NULL;
  const char *state = query ? g_hash_table_lookup (query, "state") : NULL;
  g_autofree char *escaped_iss = NULL;
  g_autofree char *location = NULL;

  if (redirect == NULL || state == NULL ||
      g_strcmp0 (g_hash_table_lookup (query, "code_challenge_method"), "S256") != 0 ||
      g_strcmp0 (g_hash_table_lookup (query, "client_id"), "passport-desktop") != 0)
    {
      soup_server_message_set_status (msg, 400, NULL);
      return;
    }

  g_free (fake->pending_challenge);
  fake->pending_challenge = g_strdup (g_hash_table_lookup (query, "code_challenge"));
  g_free (fake->pending_redirect);
  fake->pending_redirect = g_strdup (redirect);
  g_free (fake->pending_nonce);
  fake->pending_nonce = g_strdup (g_hash_table_lookup (query, "nonce"));
  g_free (fake->issued_code);
  fake->issued_code = passport_random_token (16);

  escaped_iss = g_uri_escape_string (fake->base, NULL, FALSE);
  switch (fake->authorize_mode)
    {
    case FAKE_AUTHORIZE_OK:
      location = g_strdup_printf ("%s?code=%s&state=%s&iss=%s", redirect, fake->issued_code,
                                  state, escaped_iss);
      break;
    case FAKE_AUTHORIZE_DENY:
      location = g_strdup_printf ("%s?error=access_denied&error_description=Cancelled&state=%s&iss=%s",
                                  redirect, state, escaped_iss);
      break;
    case FAKE_AUTHORIZE_WRONG_ISS:
      location = g_strdup_printf ("%s?code=%s&state=%s&iss=https%%3A%%2F%%2Fevil.example",
                                  redirect, fake->issued_code, state);
      break;
    case FAKE_AUTHORIZE_WRONG_STATE:
      location = g_strdup_printf ("%s?code=%s&state=forged&iss=%s", redirect, fake->issued_code,
                                  escaped_iss);
      break;
    case FAKE_AUTHORIZE_NEVER:
    default:
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC,
                                        "<html>Sign in</html>", 20);
      return;
    }

  soup_server_message_set_redirect (msg, 302, location);
}

static gboolean
bearer_ok (Fake              *fake,
           SoupServerMessage *msg)
{
  const char *auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Authorization");

  return fake->access_token != NULL && auth != NULL && g_str_has_prefix (auth, "Bearer ") &&
         g_str_equal (auth + 7, fake->access_token);
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  Fake *fake = data;
  FakeAnswer *answer = g_hash_table_lookup (fake->answers, path);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *good = NULL;

  if (answer == NULL)
    {
      if (g_str_equal (path, "/token"))
        handle_token (fake, msg);
      else if (g_str_equal (path, "/authorize"))
        handle_authorize (fake, msg, query);
      else if (g_str_equal (path, "/revoke"))
        {
          g_autoptr(GHashTable) form = read_form (msg);

          g_ptr_array_add (fake->revoked, g_strdup (g_hash_table_lookup (form, "token")));
          soup_server_message_set_status (msg, 200, NULL);
        }
      else if ((g_str_equal (path, "/api/me") || g_str_equal (path, "/userinfo")) &&
               !bearer_ok (fake, msg))
        {
          if (g_str_equal (path, "/api/me"))
            fake->me_requests++;
          soup_message_headers_replace (headers, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
          set_json (msg, 401, "{\"error\":\"invalid_token\"}");
        }
      else if ((good = fake_good_answer (fake, path)) != NULL)
        {
          if (g_str_equal (path, "/api/me"))
            fake->me_requests++;
          set_json (msg, 200, good);
        }
      else
        soup_server_message_set_status (msg, 404, NULL);
      return;
    }

  soup_server_message_set_status (msg, answer->status, NULL);
  if (answer->retry_after != NULL)
    soup_message_headers_replace (headers, "Retry-After", answer->retry_after);
  if (answer->location != NULL)
    soup_message_headers_replace (headers, "Location", answer->location);

  if (answer->huge > 0)
    {
      SoupMessageBody *body = soup_server_message_get_response_body (msg);
      g_autofree char *chunk = g_malloc (65536);

      memset (chunk, ' ', 65536);
      if (answer->chunked)
        soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_replace (headers, "Content-Type", "application/json");
      soup_message_body_append (body, SOUP_MEMORY_COPY, "{\"a\":\"", 6);
      for (gsize sent = 0; sent < answer->huge; sent += 65536)
        soup_message_body_append (body, SOUP_MEMORY_COPY, chunk, 65536);
      soup_message_body_append (body, SOUP_MEMORY_COPY, "\"}", 2);
      soup_message_body_complete (body);
    }
  else if (answer->body != NULL)
    soup_server_message_set_response (msg, answer->content_type ? answer->content_type
                                                                 : "application/json",
                                      SOUP_MEMORY_COPY, answer->body, strlen (answer->body));

  if (answer->delay_ms > 0)
    {
      guint id;

      soup_server_message_pause (msg);
      id = g_timeout_add_full (G_PRIORITY_DEFAULT, answer->delay_ms, unpause_cb,
                               g_object_ref (msg), g_object_unref);
      g_object_set_data (G_OBJECT (msg), "unpause-source", GUINT_TO_POINTER (id));
      g_signal_connect (msg, "finished", G_CALLBACK (slow_finished_cb), NULL);
      g_signal_connect (msg, "disconnected", G_CALLBACK (slow_finished_cb), NULL);
    }
}

Fake *
fake_new (gboolean with_api)
{
  Fake *fake = g_new0 (Fake, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fake->with_api = with_api;
  fake->access_ttl = 300;
  fake->retired = g_ptr_array_new_with_free_func (g_free);
  fake->revoked = g_ptr_array_new_with_free_func (g_free);
  fake->answers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) answer_free);
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, NULL, handler, fake, NULL);
  soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake->server);
  fake->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return fake;
}

void
fake_free (Fake *fake)
{
  soup_server_disconnect (fake->server);
  g_object_unref (fake->server);
  g_hash_table_unref (fake->answers);
  g_ptr_array_unref (fake->retired);
  g_ptr_array_unref (fake->revoked);
  g_free (fake->base);
  g_free (fake->token_aud);
  g_free (fake->token_iss);
  g_free (fake->token_nonce);
  g_free (fake->expires_in_json);
  g_free (fake->access_token_suffix);
  g_free (fake->refresh_token_suffix);
  g_free (fake->pending_challenge);
  g_free (fake->pending_redirect);
  g_free (fake->pending_nonce);
  g_free (fake->issued_code);
  g_free (fake->access_token);
  g_free (fake->refresh_token);
  g_free (fake);
}

FakeAnswer *
fake_set (Fake       *fake,
          const char *path,
          int         status,
          const char *body)
{
  FakeAnswer *answer = g_new0 (FakeAnswer, 1);

  answer->status = status;
  answer->body = g_strdup (body);
  g_hash_table_replace (fake->answers, g_strdup (path), answer);
  return answer;
}
