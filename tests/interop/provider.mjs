// SPDX-License-Identifier: GPL-3.0-or-later
//
// An OpenID provider that nobody here wrote (the npm package oidc-provider,
// OpenID-certified) for Passport's interop test. It listens on 127.0.0.1 with
// an ephemeral port and prints its issuer URL on stdout once it listens.
//
// One public native client (no client secret, PKCE required, loopback
// redirect URI on any port), one account found by any login, the package's
// own development login and consent pages (tests/interop/oidc-browser.py
// fills them). Variants:
//
//   --client-id ID        the client's id (default passport-desktop)
//   --alg RS256|ES256|PS256   id_token signing algorithm (default RS256)
//   --issuer-path /oidc   an issuer with a path
//   --access-ttl SECONDS  access token lifetime (default 3600)
//   --no-refresh          offline_access is not offered, so no refresh token
//                         is ever issued (the package's default behaviour
//                         without offline_access)
//   --email-verified-string   email_verified is the string "true" (as AWS
//                         Cognito's userinfo sends it)
//   --no-name             the account has no `name`
//   --wrong-iss           the `iss` of the authorization response is
//                         rewritten to another issuer: this is NOT the
//                         package's behaviour, it is a small redirect
//                         rewrite interposed by this script (a mix-up attack)
//   --events FILE         append one JSON line per provider event to FILE
//
// Scopes are strict: an authorization request with a scope the discovery
// does not list is answered with error=invalid_scope (the package itself
// would silently drop it; strict providers refuse). No `passport` scope is
// ever listed.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: opt } = parseArgs({
  options: {
    'client-id': { type: 'string', default: 'passport-desktop' },
    alg: { type: 'string', default: 'RS256' },
    'issuer-path': { type: 'string', default: '' },
    'access-ttl': { type: 'string', default: '3600' },
    'no-refresh': { type: 'boolean', default: false },
    'email-verified-string': { type: 'boolean', default: false },
    'no-name': { type: 'boolean', default: false },
    'wrong-iss': { type: 'boolean', default: false },
    events: { type: 'string' },
  },
});

if (!['RS256', 'ES256', 'PS256'].includes(opt.alg)) {
  console.error(`provider: unsupported --alg ${opt.alg}`);
  process.exit(2);
}
const prefix = opt['issuer-path'].replace(/\/+$/, '');
if (prefix !== '' && !prefix.startsWith('/')) {
  console.error('provider: --issuer-path must start with /');
  process.exit(2);
}

// Signing keys made afresh for each run: RS256 is always there (the
// package's default for everything else), plus the one the variant asks for.
function jwk(type, options, alg) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: alg };
}
const keys = [jwk('rsa', { modulusLength: 2048 }, 'RS256')];
if (opt.alg === 'ES256') keys.push(jwk('ec', { namedCurve: 'P-256' }, 'ES256'));
if (opt.alg === 'PS256') keys.push(jwk('rsa', { modulusLength: 2048 }, 'PS256'));

function log(event, detail) {
  if (opt.events) appendFileSync(opt.events, `${JSON.stringify({ event, ...detail })}\n`);
}

const account = {
  sub: 'alice',
  email: 'alice@example.org',
  email_verified: opt['email-verified-string'] ? 'true' : true,
  name: opt['no-name'] ? undefined : 'Alice Interop',
};

const scopes = opt['no-refresh'] ? ['openid'] : ['openid', 'offline_access'];
const configuration = {
  clients: [{
    client_id: opt['client-id'],
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: opt['no-refresh'] ? ['authorization_code'] : ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // A native client's loopback redirect URI matches on any port (RFC 8252
    // §7.3); the package implements that for application_type native.
    redirect_uris: ['http://127.0.0.1/callback'],
    id_token_signed_response_alg: opt.alg,
  }],
  jwks: { keys },
  scopes,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  pkce: { required: () => true },
  ttl: { AccessToken: Number(opt['access-ttl']) },
  features: {
    devInteractions: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
  },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { ...account, sub: id };
      },
    };
  },
  async renderError(ctx, out) {
    ctx.type = 'text/plain';
    ctx.body = JSON.stringify(out);
  },
};

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}${prefix}`;
  const provider = new Provider(issuer, configuration);

  for (const event of ['grant.success', 'grant.revoked', 'authorization.success',
    'authorization.error', 'server_error', 'access_token.destroyed',
    'refresh_token.destroyed', 'refresh_token.consumed', 'grant.error',
    'revocation.error', 'userinfo.error']) {
    provider.on(event, (...args) => {
      const detail = {};
      for (const a of args) {
        if (a instanceof Error) detail.error = a.message;
        else if (typeof a === 'string') detail.id = a;
        else if (a?.jti) detail.jti = a.jti;
      }
      log(event, detail);
    });
  }

  // Strict scopes: refuse what discovery does not list (RFC 6749 §4.1.2.1).
  const supported = new Set([...scopes, 'email', 'profile']);
  provider.use(async (ctx, next) => {
    if (ctx.path === '/auth' && ctx.method === 'GET') {
      const asked = (ctx.query.scope ?? '').split(' ').filter(Boolean);
      const unknown = asked.filter((s) => !supported.has(s));
      log('authorization.request', { scope: ctx.query.scope, prompt: ctx.query.prompt ?? null,
        redirect_uri: ctx.query.redirect_uri });
      const client = await provider.Client.find(String(ctx.query.client_id ?? ''));
      if (unknown.length && client && client.redirectUriAllowed(String(ctx.query.redirect_uri))) {
        const to = new URL(String(ctx.query.redirect_uri));
        to.searchParams.set('error', 'invalid_scope');
        to.searchParams.set('error_description', `unknown scope ${unknown.join(' ')}`);
        if (ctx.query.state) to.searchParams.set('state', String(ctx.query.state));
        to.searchParams.set('iss', issuer);
        ctx.redirect(to.href);
        return;
      }
    }
    await next();
    // --wrong-iss: the interposed rewrite of the authorization response.
    const location = ctx.response.get('Location');
    if (opt['wrong-iss'] && location && location.startsWith('http://127.0.0.1:')) {
      const to = new URL(location);
      if (to.pathname === '/callback' && to.searchParams.has('iss')) {
        to.searchParams.set('iss', 'http://127.0.0.1:1/not-this-issuer');
        ctx.response.set('Location', to.href);
      }
    }
  });

  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (prefix !== '') {
      if (req.url !== prefix && !req.url.startsWith(`${prefix}/`) && !req.url.startsWith(`${prefix}?`)) {
        res.writeHead(404).end();
        return;
      }
      // Mounted under the issuer's path, as Express would mount it.
      req.originalUrl = req.url;
      req.url = req.url.slice(prefix.length) || '/';
    }
    callback(req, res);
  });

  process.stdout.write(`${issuer}\n`);
});

process.on('SIGTERM', () => process.exit(0));
