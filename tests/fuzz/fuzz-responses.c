/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every parser of a server answer, each fed the same body as the client
 * reads it (the strict JSON reader first): discovery, GET /providers,
 * GET /terms, GET /me (and the update of an account from it), userinfo,
 * the token endpoint's answer and an error answer with its details. The
 * Retry-After header of the error answer is the body's first line. */
#include "config.h"

#include <string.h>

#include "passport-core.h"
#include "passport-http-private.h"
#include "passport-json-private.h"
#include "passport-server-private.h"
#include "passport-token-endpoint-private.h"

#define BASE "https://passport.example"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* A good GET /me answer, the account each parsed one is copied into. */
#define ACCOUNT \
  "{\"id\":\"acc_1\",\"display_name\":\"Ann\",\"email\":\"ann@example.org\"," \
  "\"email_verified\":true,\"pending_email\":null,\"has_password\":true," \
  "\"terms\":{\"accepted\":true,\"version\":\"2025-01\"}," \
  "\"identities\":[{\"provider\":\"google\",\"email\":\"ann@gmail.com\",\"email_verified\":true}]," \
  "\"revision\":13}"

static void
error_answer (JsonNode   *node,
              const char *retry_after)
{
  const guint statuses[] = { 400, 401, 403, 409, 429, 503 };
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);

  if (retry_after != NULL)
    soup_message_headers_append (headers, "Retry-After", retry_after);
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(GError) error = passport_http_error_from_response (statuses[i], headers, node);

      g_assert (error != NULL && error->domain == PASSPORT_ERROR);
      (void) passport_error_get_retry_after (error);
      (void) passport_error_get_reasons (error);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *first_line = NULL;

  /* A header value is one line of visible characters. */
  first_line = g_strndup ((const char *) data, size);
  first_line[strcspn (first_line, "\r\n")] = '\0';
  error_answer (NULL, g_utf8_validate (first_line, -1, NULL) ? first_line : NULL);

  node = passport_json_parse_object ((const char *) data, size, NULL);
  if (node == NULL)
    return 0;

  error_answer (node, NULL);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PassportServer) server = passport_server_new_from_discovery (BASE, node, &error);

    g_assert ((server == NULL) != (error == NULL));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) providers = passport_server_parse_providers (node, &error);

    g_assert ((providers == NULL) != (error == NULL));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PassportTerms) terms = passport_server_parse_terms (node, &error);

    g_assert ((terms == NULL) != (error == NULL));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) good = passport_json_parse_object (ACCOUNT, strlen (ACCOUNT), NULL);
    g_autoptr(PassportAccount) base = passport_account_new_from_json (good, NULL);
    g_autoptr(PassportAccount) account = passport_account_new_from_json (node, &error);

    g_assert ((account == NULL) != (error == NULL));
    g_assert (base != NULL);
    if (account != NULL)
      {
        passport_account_update (base, account);
        g_assert (g_strcmp0 (passport_account_get_id (base), passport_account_get_id (account)) == 0);
      }
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PassportAccount) account = passport_account_new_from_userinfo (node, &error);

    g_assert ((account == NULL) != (error == NULL));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PassportTokenResponse) response = passport_token_response_parse (node, &error);

    g_assert ((response == NULL) != (error == NULL));
    g_assert (response == NULL ||
              (response->expires_in >= 0 && response->expires_in <= PASSPORT_TOKEN_MAX_LIFETIME));
  }
  return 0;
}
