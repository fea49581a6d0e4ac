/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A small OpenID provider inside the test process (SoupServer on
 * 127.0.0.1, ephemeral port) for faults passportd cannot be made to show:
 * garbage answers, slow answers, transient 503s on refresh, wrong
 * id_tokens. It is a real HTTP server; the client under test cannot tell
 * it from another provider. It checks PKCE and rotates refresh tokens
 * like the contract says. */

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  int status;
  char *content_type;
  char *body;
  gsize huge;          /* send this many bytes of padding instead of body */
  gboolean chunked;
  guint delay_ms;
  char *retry_after;
  char *location;
} FakeAnswer;

typedef enum
{
  FAKE_AUTHORIZE_OK,
  FAKE_AUTHORIZE_DENY,
  FAKE_AUTHORIZE_NEVER,      /* the page never redirects */
  FAKE_AUTHORIZE_WRONG_ISS,
  FAKE_AUTHORIZE_WRONG_STATE,
} FakeAuthorizeMode;

typedef struct
{
  SoupServer *server;
  char *base;
  gboolean with_api;
  GHashTable *answers;        /* path → FakeAnswer, overriding the good ones */

  /* id_token knobs */
  char *token_aud;
  char *token_iss;
  char *token_nonce;          /* NULL: echo the authorization request's */
  gboolean token_without_id;
  gint64 token_auth_time;     /* 0: no auth_time claim */

  /* authorization endpoint */
  FakeAuthorizeMode authorize_mode;
  char *pending_challenge;
  char *pending_redirect;
  char *pending_nonce;
  char *issued_code;

  /* tokens */
  gint64 access_ttl;
  /* Malformed answers no real provider can be made to send: the raw JSON
   * of expires_in instead of access_ttl ("" leaves the member out), and
   * raw JSON string text appended to the tokens it issues. */
  char *expires_in_json;
  char *access_token_suffix;
  char *refresh_token_suffix;
  guint serial;
  char *access_token;
  char *refresh_token;
  GPtrArray *retired;         /* rotated-out refresh tokens */
  guint refresh_requests;
  guint transient_failures;   /* answer this many refreshes with 503 first */
  GPtrArray *revoked;
  guint me_requests;
} Fake;

Fake       *fake_new      (gboolean with_api);
void        fake_free     (Fake *fake);
FakeAnswer *fake_set      (Fake       *fake,
                           const char *path,
                           int         status,
                           const char *body);
/* The answer the fake gives for @path when nothing overrides it. */
char       *fake_good_answer (Fake       *fake,
                              const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fake, fake_free)

G_END_DECLS
