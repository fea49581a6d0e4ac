/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Proof Key for Code Exchange (RFC 7636) and the random strings of a
 * sign-in. All randomness comes from the system CSPRNG (getrandom(2);
 * BCryptGenRandom on Windows). */

/* A new code verifier: 32 random bytes, base64url without padding
 * (43 characters). Free with passport_secure_free(). */
char *passport_pkce_new_verifier     (void);

/* The S256 challenge of @verifier: BASE64URL(SHA256(ASCII(verifier))).
 * Returns a newly allocated string. */
char *passport_pkce_challenge_s256   (const char *verifier);

/* @n_bytes random bytes as base64url without padding (for state, nonce).
 * Free with passport_secure_free() when secret, g_free() otherwise. */
char *passport_random_token          (gsize n_bytes);

/* Fills @buffer with @len bytes from the kernel CSPRNG. Aborts if the
 * kernel cannot give randomness (there is no safe fallback). */
void  passport_random_bytes          (guint8 *buffer,
                                      gsize   len);

/* base64url (RFC 4648 §5) without padding of @len bytes. Newly allocated. */
char *passport_base64url_encode      (const guint8 *data,
                                      gsize         len);

/* Decodes base64url with or without padding; NULL when @text is not
 * valid base64url. Newly allocated, *@out_len set. */
guint8 *passport_base64url_decode    (const char *text,
                                      gsize      *out_len);

G_END_DECLS
