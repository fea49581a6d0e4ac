/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "passport-pkce.h"

/* RFC 7636 Appendix B. */
static void
test_rfc7636_vector (void)
{
  g_autofree char *challenge =
    passport_pkce_challenge_s256 ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

  g_assert_cmpstr (challenge, ==, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void
test_rfc7636_verifier_encoding (void)
{
  /* The octets of Appendix B encode to its verifier. */
  static const guint8 octets[32] = {
    116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173,
    187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83,
    132, 141, 121
  };
  g_autofree char *verifier = passport_base64url_encode (octets, sizeof octets);
  g_autofree guint8 *back = NULL;
  gsize len = 0;

  g_assert_cmpstr (verifier, ==, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  back = passport_base64url_decode (verifier, &len);
  g_assert_nonnull (back);
  g_assert_cmpmem (back, len, octets, sizeof octets);
}

static void
test_verifier_shape (void)
{
  g_autofree char *a = passport_pkce_new_verifier ();
  g_autofree char *b = passport_pkce_new_verifier ();

  /* RFC 7636 §4.1: 43–128 characters of the unreserved set. */
  g_assert_cmpuint (strlen (a), ==, 43);
  for (const char *p = a; *p; p++)
    g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
  g_assert_cmpstr (a, !=, b);
}

static void
test_random_token (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 1000; i++)
    {
      char *token = passport_random_token (16);

      g_assert_cmpuint (strlen (token), ==, 22);
      g_assert_false (g_hash_table_contains (seen, token));
      g_hash_table_add (seen, token);
    }
}

static void
test_base64url_invalid (void)
{
  gsize len;

  g_assert_null (passport_base64url_decode ("abc$", &len));
  g_assert_null (passport_base64url_decode ("a", &len));
  g_assert_null (passport_base64url_decode ("ab+/", &len));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pkce/rfc7636-appendix-b", test_rfc7636_vector);
  g_test_add_func ("/pkce/rfc7636-verifier-encoding", test_rfc7636_verifier_encoding);
  g_test_add_func ("/pkce/verifier-shape", test_verifier_shape);
  g_test_add_func ("/pkce/random-token", test_random_token);
  g_test_add_func ("/pkce/base64url-invalid", test_base64url_invalid);

  return g_test_run ();
}
