/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The id_token claim checks (iss, aud, azp, exp, iat, nonce, sub, email).
 * The input is the claims' JSON, or "HEADER\nCLAIMS"; the harness makes the
 * JWS of it (the signature is not checked). The input is also tried as a
 * whole token, for the split and the base64url decoding. */
#include "config.h"

#include <string.h>

#include "passport-core.h"
#include "passport-token-endpoint-private.h"

#define ISSUER "https://passport.example"
#define CLIENT_ID "passport-desktop"
#define NONCE "n0nce"
#define NOW G_GINT64_CONSTANT (1700000000)

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
check (const char *token)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *email = NULL;
  gboolean ok;

  ok = passport_id_token_check (token, ISSUER, CLIENT_ID, NONCE, NOW, &subject, &email, NULL, &error);
  g_assert (ok == (error == NULL));
  g_assert (!ok || (subject != NULL && *subject != '\0'));
  g_assert (ok || error->code == PASSPORT_ERROR_INVALID_ID_TOKEN);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *text = (const char *) data;
  const char *newline = memchr (data, '\n', size);
  const char *header = "{\"alg\":\"RS256\",\"kid\":\"k1\"}";
  gsize header_len = strlen (header);
  const char *claims = text;
  gsize claims_len = size;
  g_autofree char *eh = NULL;
  g_autofree char *ec = NULL;
  g_autofree char *token = NULL;
  g_autofree char *whole = g_strndup (text, size);

  if (newline != NULL)
    {
      header = text;
      header_len = (gsize) (newline - text);
      claims = newline + 1;
      claims_len = size - header_len - 1;
    }
  eh = passport_base64url_encode ((const guint8 *) header, header_len);
  ec = passport_base64url_encode ((const guint8 *) claims, claims_len);
  token = g_strconcat (eh, ".", ec, ".c2lnbmF0dXJl", NULL);

  check (token);
  check (whole);
  return 0;
}
