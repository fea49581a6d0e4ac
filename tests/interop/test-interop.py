#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# passportctl against an OpenID provider that nobody here wrote: the npm
# package oidc-provider (OpenID-certified), pinned in tests/interop's
# package-lock.json and installed by scripts/setup.sh. Run under
# tests/support/run-isolated.sh (private D-Bus session and gnome-keyring).
#
#   test-interop.py PASSPORTCTL [VARIANT...]
#
# Without node or without the installed package the test FAILS with the
# reason: it is never skipped.
import json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.error, urllib.parse, urllib.request

here = os.path.dirname(os.path.abspath(__file__))
ctl = sys.argv[1]
only = set(sys.argv[2:])
tmp = tempfile.mkdtemp(prefix='passport-interop-')
checks = 0
# A plain provider has its own sign-in page: Passport leaves the provider
# parameter out of the authorization request for it.
SIGN_IN = ['sign-in', '--provider', 'any']


def fail(message):
    print('interop: FAIL: ' + message, file=sys.stderr)
    sys.exit(1)


node = shutil.which('node')
if node is None:
    fail('node is not installed: run scripts/setup.sh (it installs nodejs and npm with apt-get)')
if not os.path.isfile(os.path.join(here, 'node_modules', 'oidc-provider', 'package.json')):
    fail('tests/interop/node_modules is missing: run scripts/setup.sh (npm ci in tests/interop)')


class Provider:
    def __init__(self, name, *flags):
        self.events_path = os.path.join(tmp, name + '.events')
        self.log = open(os.path.join(tmp, name + '.stderr'), 'w')
        self.process = subprocess.Popen([node, os.path.join(here, 'provider.mjs'), '--events',
                                         self.events_path] + list(flags),
                                        stdout=subprocess.PIPE, stderr=self.log, cwd=here)
        self.issuer = self.process.stdout.readline().decode().strip()
        if not self.issuer.startswith('http://127.0.0.1:'):
            self.stop()
            fail('%s: the provider did not start: %s' % (name, open(self.log.name).read()))
        self.discovery = json.loads(urllib.request.urlopen(
            self.issuer + '/.well-known/openid-configuration', timeout=10).read())

    def events(self, kind=None):
        try:
            lines = open(self.events_path).read().splitlines()
        except FileNotFoundError:
            return []
        found = [json.loads(line) for line in lines]
        return [e for e in found if kind is None or e['event'] == kind]

    def userinfo(self, token):
        request = urllib.request.Request(self.discovery['userinfo_endpoint'],
                                         headers={'Authorization': 'Bearer ' + token})
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, None

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def run(provider, args, expect=0, extra_env=None, timeout=60):
    global checks
    env = dict(os.environ, PASSPORT_SERVER=provider.issuer, LC_ALL='C.UTF-8',
               PASSPORT_BROWSER='/usr/bin/python3 ' + os.path.join(here, 'oidc-browser.py'),
               PASSPORT_TEST_BROWSER_LOG=os.path.join(tmp, 'browser.log'))
    env.pop('PASSPORT_CLIENT_ID', None)
    env.pop('PASSPORT_REDIRECT_PORT', None)
    env.update(extra_env or {})
    started = time.monotonic()
    try:
        p = subprocess.run([ctl] + args, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError('%s: still running after %d s (hangs)\nstdout: %s\nstderr: %s' % (
            args, timeout, e.stdout, e.stderr))
    assert p.returncode == expect, '%s: exit %d, expected %d\nstdout: %s\nstderr: %s' % (
        args, p.returncode, expect, p.stdout, p.stderr)
    checks += 1
    p.elapsed = time.monotonic() - started
    return p


def status(provider, expect=0, extra_env=None):
    return json.loads(run(provider, ['status', '--json'], expect=expect, extra_env=extra_env).stdout)


def last_authorization(provider):
    asked = provider.events('authorization.request')
    assert asked, 'no authorization request reached the provider'
    return asked[-1]


def check_scopes(provider, offline):
    scope = last_authorization(provider)['scope'].split()
    assert 'passport' not in scope, 'the passport scope was sent to a provider without it: %s' % scope
    assert {'openid', 'profile', 'email'} <= set(scope), scope
    assert ('offline_access' in scope) == offline, scope
    if offline:
        # OpenID Connect Core §11: offline_access needs prompt=consent.
        assert last_authorization(provider)['prompt'] == 'consent', last_authorization(provider)


def sign_in_and_out(provider, offline=True, extra_env=None):
    """The common part of every variant that signs in: sign-in, status, a
    new process, sign-out with revocation."""
    run(provider, SIGN_IN, extra_env=extra_env)
    check_scopes(provider, offline)
    s = status(provider, extra_env=extra_env)
    assert s['state'] == 'signed-in' and s['account']['id'] == 'alice', s
    token = run(provider, ['token'], extra_env=extra_env).stdout.strip()
    code, info = provider.userinfo(token)
    assert code == 200 and info['sub'] == 'alice', (code, info)
    run(provider, ['sign-out'], extra_env=extra_env)
    assert status(provider, expect=3, extra_env=extra_env)['state'] == 'signed-out'
    assert provider.userinfo(token)[0] == 401, 'sign-out must revoke the tokens'
    return s


def variant_default():
    provider = Provider('default', '--access-ttl', '4')
    try:
        assert 'passport' not in provider.discovery['scopes_supported']
        p = run(provider, SIGN_IN)
        assert 'not remember' not in p.stderr.lower(), p.stderr
        check_scopes(provider, offline=True)
        text = run(provider, ['status']).stdout
        assert 'Account: Alice Interop (alice)' in text, text
        assert 'State:   signed-in' in text, text
        s = status(provider)
        assert s['state'] == 'signed-in' and s['remembered'] is True, s
        assert s.get('not_remembered_reason') is None, s
        assert s['account'] == dict(s['account'], id='alice', display_name='Alice Interop',
                                    email='alice@example.org', email_verified=True), s

        # Each passportctl is a new process that restores from the keyring.
        first = run(provider, ['token']).stdout.strip()
        assert provider.userinfo(first)[0] == 200
        # A 4-second access token is refreshed when half of it is gone.
        time.sleep(2.5)
        consumed = len(provider.events('refresh_token.consumed'))
        second = run(provider, ['token']).stdout.strip()
        assert second != first, 'the access token was not refreshed'
        assert len(provider.events('refresh_token.consumed')) > consumed, 'no refresh at the provider'
        code, info = provider.userinfo(second)
        assert code == 200 and info['email'] == 'alice@example.org', (code, info)
        # The rotated refresh token was stored: a new process goes on.
        time.sleep(2.5)
        third = run(provider, ['token']).stdout.strip()
        assert third not in (first, second)
        assert status(provider)['state'] == 'signed-in'

        run(provider, ['sign-out'])
        assert status(provider, expect=3)['state'] == 'signed-out'
        assert provider.userinfo(third)[0] == 401, 'sign-out must revoke the tokens'
        assert provider.events('grant.revoked'), 'the provider saw no revocation'
    finally:
        provider.stop()


def variant_alg(alg):
    provider = Provider(alg, '--alg', alg)
    try:
        assert alg in provider.discovery['id_token_signing_alg_values_supported']
        sign_in_and_out(provider)
    finally:
        provider.stop()


def variant_issuer_path():
    provider = Provider('issuer-path', '--issuer-path', '/oidc')
    try:
        assert provider.issuer.endswith('/oidc'), provider.issuer
        s = sign_in_and_out(provider)
        assert s['server'] == provider.issuer, s
    finally:
        provider.stop()


def variant_no_refresh():
    provider = Provider('no-refresh', '--no-refresh')
    try:
        assert 'offline_access' not in provider.discovery['scopes_supported']
        s = json.loads(run(provider, SIGN_IN + ['--json']).stdout)
        check_scopes(provider, offline=False)
        assert s['state'] == 'signed-in', s
        assert s['remembered'] is False, 'status --json must not claim the session is remembered: %s' % s
        assert s['not_remembered_reason'] == 'no_refresh_token', s
        # Honest: the next process is signed out.
        assert status(provider, expect=3)['state'] == 'signed-out'
        p = run(provider, SIGN_IN)
        assert 'sign in again' in p.stderr, 'sign-in must warn that the session is not remembered: ' + p.stderr
    finally:
        provider.stop()


def variant_email_verified_string():
    provider = Provider('email-verified-string', '--email-verified-string')
    try:
        s = sign_in_and_out(provider)
        assert s['account']['email_verified'] is True, s
    finally:
        provider.stop()


def variant_wrong_iss():
    provider = Provider('wrong-iss', '--wrong-iss')
    try:
        p = run(provider, SIGN_IN + ['--json'], expect=1, timeout=60)
        assert p.elapsed < 30, 'a refused callback must end the sign-in at once (took %.0f s)' % p.elapsed
        s = json.loads(p.stdout)
        assert s['state'] == 'signed-out' and s['error'] is not None, s
        assert 'another address' in s['error']['message'], s
        assert status(provider, expect=3)['state'] == 'signed-out'
    finally:
        provider.stop()


def variant_no_name():
    provider = Provider('no-name', '--no-name')
    try:
        run(provider, SIGN_IN)
        text = run(provider, ['status']).stdout
        assert 'Account: alice@example.org (alice)' in text, text
        assert '(null)' not in text, text
        assert status(provider)['account']['display_name'] == 'alice@example.org'
        run(provider, ['sign-out'])
    finally:
        provider.stop()


def variant_client_id():
    provider = Provider('client-id', '--client-id', 'interop-native-app')
    try:
        sign_in_and_out(provider, extra_env={'PASSPORT_CLIENT_ID': 'interop-native-app'})
        run(provider, ['--client-id', 'interop-native-app'] + SIGN_IN)
        assert status(provider, extra_env={'PASSPORT_CLIENT_ID': 'interop-native-app'})['state'] == 'signed-in'
        run(provider, ['--client-id', 'interop-native-app', 'sign-out'])
        # The default client id is not registered there: the provider refuses
        # it on its own page (it cannot send the browser back to a client it
        # does not know), so Passport would wait for the browser; stop there.
        errors = len(provider.events('authorization.error'))
        waiting = subprocess.Popen([ctl] + SIGN_IN, env=dict(os.environ, PASSPORT_SERVER=provider.issuer,
                                   PASSPORT_BROWSER='/usr/bin/python3 ' + os.path.join(here, 'oidc-browser.py')),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while len(provider.events('authorization.error')) == errors and time.monotonic() < deadline:
            time.sleep(0.2)
        waiting.terminate()
        waiting.wait(timeout=30)
        refused = provider.events('authorization.error')[errors:]
        assert refused and 'client' in refused[-1].get('error', ''), refused
    finally:
        provider.stop()


def free_ports(count):
    """The first of @count consecutive free ports."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            first = s.getsockname()[1]
        if first + count > 65535:
            continue
        ok = True
        for port in range(first, first + count):
            with socket.socket() as s:
                try:
                    s.bind(('127.0.0.1', port))
                except OSError:
                    ok = False
        if ok:
            return first
    raise AssertionError('no free ports')


def variant_redirect_port():
    provider = Provider('redirect-port')
    try:
        port = free_ports(1)
        run(provider, ['--redirect-port', str(port)] + SIGN_IN)
        assert last_authorization(provider)['redirect_uri'] == 'http://127.0.0.1:%d/callback' % port
        run(provider, ['sign-out'])

        # A range whose first port is busy: the next one.
        first = free_ports(2)
        with socket.socket() as busy:
            busy.bind(('127.0.0.1', first))
            busy.listen()
            run(provider, SIGN_IN, extra_env={'PASSPORT_REDIRECT_PORT': '%d-%d' % (first, first + 1)})
            assert last_authorization(provider)['redirect_uri'] == 'http://127.0.0.1:%d/callback' % (first + 1)
            run(provider, ['sign-out'])
            # All busy: a clear error at once.
            p = run(provider, ['--redirect-port', str(first)] + SIGN_IN, expect=1)
            assert str(first) in p.stderr, p.stderr
    finally:
        provider.stop()


variants = {
    'default': variant_default,
    'es256': lambda: variant_alg('ES256'),
    'ps256': lambda: variant_alg('PS256'),
    'issuer-path': variant_issuer_path,
    'no-refresh': variant_no_refresh,
    'email-verified-string': variant_email_verified_string,
    'wrong-iss': variant_wrong_iss,
    'no-name': variant_no_name,
    'client-id': variant_client_id,
    'redirect-port': variant_redirect_port,
}

failed = []
for name, fn in variants.items():
    if only and name not in only:
        continue
    try:
        fn()
        print('interop: %s: ok' % name)
    except AssertionError as e:
        failed.append(name)
        print('interop: %s: FAILED: %s' % (name, e), file=sys.stderr)

shutil.rmtree(tmp, ignore_errors=True)
if failed:
    fail('%d of the variants failed: %s' % (len(failed), ', '.join(failed)))
print('interop: %d checks passed' % checks)
