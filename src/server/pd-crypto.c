// SPDX-License-Identifier: GPL-3.0-or-later
//
// Randomness, hashes, password hashing and the id_token signing key.
#include "config.h"

#include <string.h>

#include <argon2.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "pd.h"

/* OWASP Password Storage Cheat Sheet, argon2id: m = 19 MiB, t = 2, p = 1. */
#define ARGON2_M_COST_KIB 19456
#define ARGON2_T_COST 2
#define ARGON2_PARALLELISM 1
#define ARGON2_SALT_LEN 16
#define ARGON2_HASH_LEN 32

char *
pd_base64url (const guchar *data,
              gsize         len)
{
  g_autofree char *b64 = g_base64_encode (data, len);
  GString *out = g_string_sized_new (strlen (b64));

  for (const char *p = b64; *p != '\0'; p++)
    {
      if (*p == '+')
        g_string_append_c (out, '-');
      else if (*p == '/')
        g_string_append_c (out, '_');
      else if (*p != '=')
        g_string_append_c (out, *p);
    }

  return g_string_free (out, FALSE);
}

char *
pd_random_token (gsize n_bytes)
{
  g_autofree guchar *buf = g_malloc (n_bytes);
  char *token;

  /* The system CSPRNG through OpenSSL; failure here means no entropy, and a
   * server without entropy must not hand out tokens. */
  if (RAND_bytes (buf, (int) n_bytes) != 1)
    g_error ("the system random number generator failed");

  token = pd_base64url (buf, n_bytes);
  explicit_bzero (buf, n_bytes);
  return token;
}

char *
pd_random_letters (guint n)
{
  GString *out = g_string_sized_new (n);

  while (out->len < n)
    {
      guchar bytes[32];

      if (RAND_bytes (bytes, sizeof bytes) != 1)
        g_error ("the system random number generator failed");
      /* 234 = 9 × 26: rejecting the rest keeps every letter equally likely */
      for (guint i = 0; i < sizeof bytes && out->len < n; i++)
        if (bytes[i] < 234)
          g_string_append_c (out, 'a' + bytes[i] % 26);
      explicit_bzero (bytes, sizeof bytes);
    }

  return g_string_free (out, FALSE);
}

char *
pd_sha256_hex (const char *data)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, data, -1);
}

char *
pd_sha256_b64url (const char *data)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (sum, (const guchar *) data, strlen (data));
  g_checksum_get_digest (sum, digest, &len);
  return pd_base64url (digest, len);
}

gboolean
pd_constant_equal (const char *a,
                   const char *b)
{
  gsize la, lb;
  guchar diff = 0;

  if (a == NULL || b == NULL)
    return FALSE;

  la = strlen (a);
  lb = strlen (b);
  if (la != lb)
    return FALSE;

  for (gsize i = 0; i < la; i++)
    diff |= (guchar) (a[i] ^ b[i]);

  return diff == 0;
}

char *
pd_password_hash (const char *password)
{
  guchar salt[ARGON2_SALT_LEN];
  gsize encoded_len;
  char *encoded;

  if (RAND_bytes (salt, sizeof salt) != 1)
    g_error ("the system random number generator failed");

  encoded_len = argon2_encodedlen (ARGON2_T_COST, ARGON2_M_COST_KIB, ARGON2_PARALLELISM,
                                   ARGON2_SALT_LEN, ARGON2_HASH_LEN, Argon2_id);
  encoded = g_malloc0 (encoded_len);

  if (argon2id_hash_encoded (ARGON2_T_COST, ARGON2_M_COST_KIB, ARGON2_PARALLELISM,
                             password, strlen (password), salt, sizeof salt,
                             ARGON2_HASH_LEN, encoded, encoded_len) != ARGON2_OK)
    g_error ("argon2id failed");

  return encoded;
}

gboolean
pd_password_verify (const char *encoded,
                    const char *password)
{
  if (encoded == NULL || password == NULL)
    return FALSE;
  return argon2id_verify (encoded, password, strlen (password)) == ARGON2_OK;
}

/* The RSA key: generated at first start and kept in the database. */

static char *
bn_param_b64url (EVP_PKEY   *pkey,
                 const char *name)
{
  BIGNUM *bn = NULL;
  g_autofree guchar *buf = NULL;
  int len;
  char *out;

  if (!EVP_PKEY_get_bn_param (pkey, name, &bn))
    return NULL;

  len = BN_num_bytes (bn);
  buf = g_malloc (len);
  BN_bn2bin (bn, buf);
  out = pd_base64url (buf, len);
  BN_free (bn);
  return out;
}

gboolean
pd_keys_load (Pd      *pd,
              GError **error)
{
  g_autofree char *pem = pd_db_get_meta (pd, "signing_key");
  EVP_PKEY *pkey = NULL;
  g_autofree char *n = NULL;
  g_autofree char *e = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(JsonNode) root = NULL;

  if (pem != NULL)
    {
      BIO *bio = BIO_new_mem_buf (pem, -1);
      pkey = PEM_read_bio_PrivateKey (bio, NULL, NULL, NULL);
      BIO_free (bio);
    }

  if (pkey == NULL)
    {
      BIO *bio;
      char *data;
      long len;

      pkey = EVP_RSA_gen (2048);
      if (pkey == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot generate the RSA signing key");
          return FALSE;
        }
      bio = BIO_new (BIO_s_mem ());
      PEM_write_bio_PrivateKey (bio, pkey, NULL, NULL, 0, NULL, NULL);
      len = BIO_get_mem_data (bio, &data);
      g_clear_pointer (&pem, g_free);
      pem = g_strndup (data, len);
      BIO_free (bio);
      pd_db_set_meta (pd, "signing_key", pem);
      g_info ("generated a new id_token signing key");
    }

  explicit_bzero (pem, strlen (pem));
  pd->signing_key = pkey;

  n = bn_param_b64url (pkey, OSSL_PKEY_PARAM_RSA_N);
  e = bn_param_b64url (pkey, OSSL_PKEY_PARAM_RSA_E);
  if (n == NULL || e == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the signing key is not an RSA key");
      return FALSE;
    }

  /* kid: a thumbprint-like digest of the modulus, stable across restarts. */
  pd->signing_kid = g_compute_checksum_for_string (G_CHECKSUM_SHA256, n, -1);
  pd->signing_kid[16] = '\0';

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "keys");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kty");
  json_builder_add_string_value (builder, "RSA");
  json_builder_set_member_name (builder, "use");
  json_builder_add_string_value (builder, "sig");
  json_builder_set_member_name (builder, "alg");
  json_builder_add_string_value (builder, "RS256");
  json_builder_set_member_name (builder, "kid");
  json_builder_add_string_value (builder, pd->signing_kid);
  json_builder_set_member_name (builder, "n");
  json_builder_add_string_value (builder, n);
  json_builder_set_member_name (builder, "e");
  json_builder_add_string_value (builder, e);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  pd->jwks = json_generator_to_data (gen, NULL);

  return TRUE;
}

void
pd_keys_free (Pd *pd)
{
  g_clear_pointer ((EVP_PKEY **) &pd->signing_key, EVP_PKEY_free);
  g_clear_pointer (&pd->signing_kid, g_free);
  g_clear_pointer (&pd->jwks, g_free);
}

static char *
b64url_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;
  gsize len;

  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, &len);
  return pd_base64url ((const guchar *) text, len);
}

char *
pd_jwt_sign (Pd         *pd,
             JsonObject *claims)
{
  g_autoptr(JsonObject) header = json_object_new ();
  g_autoptr(JsonNode) header_node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonNode) claims_node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *h = NULL;
  g_autofree char *c = NULL;
  g_autofree char *input = NULL;
  g_autofree guchar *sig = NULL;
  g_autofree char *sig64 = NULL;
  EVP_MD_CTX *ctx;
  size_t sig_len = 0;

  json_object_set_string_member (header, "alg", "RS256");
  json_object_set_string_member (header, "typ", "JWT");
  json_object_set_string_member (header, "kid", pd->signing_kid);
  json_node_set_object (header_node, header);
  json_node_set_object (claims_node, claims);

  h = b64url_json (header_node);
  c = b64url_json (claims_node);
  input = g_strconcat (h, ".", c, NULL);

  ctx = EVP_MD_CTX_new ();
  if (EVP_DigestSignInit (ctx, NULL, EVP_sha256 (), NULL, pd->signing_key) != 1 ||
      EVP_DigestSign (ctx, NULL, &sig_len, (const guchar *) input, strlen (input)) != 1)
    g_error ("cannot sign the id_token");
  sig = g_malloc (sig_len);
  if (EVP_DigestSign (ctx, sig, &sig_len, (const guchar *) input, strlen (input)) != 1)
    g_error ("cannot sign the id_token");
  EVP_MD_CTX_free (ctx);

  sig64 = pd_base64url (sig, sig_len);
  return g_strconcat (input, ".", sig64, NULL);
}
