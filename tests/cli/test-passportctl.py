#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# passportctl against passportd, in a private D-Bus session with
# gnome-keyring (run under tests/support/run-isolated.sh): the whole way a QA
# team prepares an account, with the exit codes --help documents.
import base64, calendar, glob, hashlib, hmac, http.client, json, os, re, select, signal, struct, subprocess, sys, tempfile, time, urllib.parse

ctl, passportd, browser = sys.argv[1], os.environ['PASSPORTD'], os.environ['SCRIPTED_BROWSER']
tmp = tempfile.mkdtemp(prefix='passportctl-test-')
server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', tmp + '/db.sqlite3',
                           '--maildir', tmp + '/Maildir'], stdout=subprocess.PIPE)
url = server.stdout.readline().decode().strip()
env = dict(os.environ, PASSPORT_SERVER=url, PASSPORT_BROWSER='/usr/bin/python3 ' + browser,
           PASSPORT_TEST_EMAIL='qa.social@example.net', PASSPORT_TEST_NAME='QA Tester',
           PASSPORT_TEST_VERIFIED='0', PASSPORT_TEST_ACTION='continue', LC_ALL='C.UTF-8')
checks = 0


def run(args, stdin=None, expect=0, extra_env=None):
    global checks
    e = dict(env, **(extra_env or {}))
    p = subprocess.run([ctl] + args, input=stdin, capture_output=True, text=True, env=e, timeout=60)
    assert p.returncode == expect, '%s: exit %d, expected %d\nstdout: %s\nstderr: %s' % (
        args, p.returncode, expect, p.stdout, p.stderr)
    checks += 1
    return p


def state(expect=0):
    p = run(['status', '--json'], expect=expect)
    return json.loads(p.stdout)


def call(method, path, token=None):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request(method, path, headers={'Authorization': 'Bearer ' + token} if token else {})
    r = c.getresponse()
    r.read()
    return r.status


try:
    p = subprocess.run([ctl, 'status'], capture_output=True, text=True,
                       env={k: v for k, v in env.items() if k != 'PASSPORT_SERVER'})
    assert p.returncode == 2 and 'PASSPORT_SERVER' in p.stderr, p
    assert run(['frobnicate'], expect=2)
    assert 'Exit status' in run(['--help']).stdout

    s = state(expect=3)
    assert s['state'] == 'signed-out' and s['account'] is None, s

    # No browser can be opened (SSH, a container): the address comes first,
    # then the plain word that no browser opened, while the sign-in waits.
    waiting = subprocess.Popen([ctl, 'sign-in', '--provider', 'google'], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=dict(env, PASSPORT_BROWSER='/nonexistent/browser'))
    said = []
    pending = b''
    deadline = time.monotonic() + 20
    try:
        # Read from the pipe itself: select() on a buffered reader misses
        # the lines that came in the same write as the one readline() took.
        while time.monotonic() < deadline and not any('No web browser' in line for line in said):
            ready, _, _ = select.select([waiting.stderr], [], [], 1)
            if ready:
                chunk = os.read(waiting.stderr.fileno(), 65536)
                if not chunk:
                    break
                *lines, pending = (pending + chunk).split(b'\n')
                said += [line.decode() + '\n' for line in lines]
    finally:
        waiting.terminate()
        waiting.wait(timeout=10)
    url_at = [i for i, line in enumerate(said) if line.startswith(url + '/oauth/authorize?')]
    failed_at = [i for i, line in enumerate(said) if 'No web browser' in line]
    assert url_at and failed_at and url_at[0] < failed_at[0], said
    checks += 1

    p = run(['sign-in', '--provider', 'google'], expect=3)
    assert 'accept-terms' in p.stdout, p.stdout
    s = state(expect=3)
    assert s['state'] == 'needs-terms', s
    assert 'user agreement' in run(['terms']).stdout.lower()

    run(['accept-terms'], expect=3)
    assert state(expect=3)['state'] == 'needs-email'

    # A weak password: exit 1 with the server's reason.
    p = run(['bind-email', 'qa@example.com', '--json'], stdin='short\n', expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'weak_password', p.stdout

    run(['bind-email', 'qa@example.com'], stdin='a long QA password\n', expect=3)
    s = state(expect=3)
    assert s['state'] == 'awaiting-confirmation' and s['account']['pending_email'] == 'qa@example.com', s
    run(['resend'], expect=1)  # too early: the server's resend delay

    mail = open(sorted(glob.glob(tmp + '/Maildir/new/*'))[-1]).read()
    link = re.search(r'^(http://\S+/email/confirm\?token=\S+)$', mail, re.M).group(1)
    assert call('GET', link[len(url):]) == 200
    s = state(expect=0)
    assert s['state'] == 'signed-in' and s['account']['email'] == 'qa@example.com', s

    token = run(['token']).stdout.strip()
    assert call('GET', '/api/v1/me', token) == 200

    run(['sign-out'])
    assert state(expect=3)['state'] == 'signed-out'
    assert call('GET', '/api/v1/me', token) == 401, 'sign-out must revoke the tokens'

    p = run(['sign-in', '--email', 'qa@example.com', '--json'], stdin='wrong password\n', expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'invalid_grant', p.stdout
    run(['sign-in', '--email', 'qa@example.com'], stdin='a long QA password\n', expect=0)
    assert state(expect=0)['account']['email'] == 'qa@example.com'
    run(['sign-out'])

    # Forgot password (contract section 7): the contract's words, a link in
    # the mail of a bound address, the same answer for an unknown one.
    assert 'needs the address' in run(['reset-password'], expect=2).stderr
    before = set(glob.glob(tmp + '/Maildir/new/*'))
    mails = len(before)
    p = run(['reset-password', '--email', 'nobody@example.com', '--json'])
    answer = json.loads(p.stdout)
    assert answer['requested'] is True and answer['error'] is None, answer
    assert 'nobody@example.com' in answer['message'], answer
    p = run(['reset-password', 'qa@example.com'])
    assert p.stdout.strip() == ('If an account uses qa@example.com, we have sent it a link. Open it, '
                                'choose a new password, then sign in here with it.'), p.stdout
    # The mail goes after the answer; the unknown address's would be first.
    deadline = time.monotonic() + 10
    while len(glob.glob(tmp + '/Maildir/new/*')) < mails + 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(glob.glob(tmp + '/Maildir/new/*')) == mails + 1, 'one mail, none for an unknown address'
    mail = open((set(glob.glob(tmp + '/Maildir/new/*')) - before).pop()).read()
    assert 'qa@example.com' in mail and 'nobody@example.com' not in mail, mail
    link = re.search(r'^(http://\S+/password/new\?token=(\S+))$', mail, re.M)
    assert link, mail
    p = run(['reset-password', 'not an address', '--json'], expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'invalid_email', p.stdout
    p = run(['reset-password', 'qa@example.com', '--json'], expect=1)
    answer = json.loads(p.stdout)
    assert answer['error']['code'] == 'too_many_requests' and 0 < answer['error']['retry_after'] <= 60, answer
    assert 'Error:' in run(['reset-password', 'qa@example.com'], expect=1).stderr

    # The link's form (the user's browser), then the new password signs in.
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request('POST', urllib.parse.urlsplit(link.group(1)).path,
              body=urllib.parse.urlencode({'token': link.group(2), 'password': 'a new QA password',
                                           'password_again': 'a new QA password'}),
              headers={'Content-Type': 'application/x-www-form-urlencoded'})
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
    checks += 1
    run(['sign-in', '--email', 'qa@example.com'], stdin='a long QA password\n', expect=1)
    run(['sign-in', '--email', 'qa@example.com'], stdin='a new QA password\n', expect=0)
    # Signed in, there is nothing to reset.
    run(['reset-password', 'qa@example.com'], expect=1)
    run(['sign-out'])
finally:
    server.terminate()
    server.wait(timeout=30)

# A server that does not offer it: said so, and nothing is sent.
tmp2 = tempfile.mkdtemp(prefix='passportctl-test-')
server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', tmp2 + '/db.sqlite3',
                           '--maildir', tmp2 + '/Maildir',
                           '--features=-password_reset'],
                          stdout=subprocess.PIPE)
try:
    env['PASSPORT_SERVER'] = server.stdout.readline().decode().strip()
    p = run(['reset-password', 'qa@example.com', '--no-keyring'], expect=1)
    assert 'does not offer password reset' in p.stderr, p.stderr
    assert not glob.glob(tmp2 + '/Maildir/new/*')
finally:
    server.terminate()
    server.wait(timeout=30)

# Two-step sign-in (contract 8.3), on a server with the test clock: the code
# is asked for after the password, from standard input or --otp /
# --recovery-code for scripts.
tmp3 = tempfile.mkdtemp(prefix='passportctl-test-')
server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', tmp3 + '/db.sqlite3',
                           '--maildir', tmp3 + '/Maildir', '--test-clock'],
                          stdout=subprocess.PIPE, env=dict(os.environ, PASSPORTD_TESTING='1'))


def api(method, path, body=None, token=None):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    headers = {'Content-Type': 'application/json'}
    if token:
        headers['Authorization'] = 'Bearer ' + token
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = c.getresponse()
    data = r.read()
    return r.status, json.loads(data) if data else None


def next_step():
    """Moves the server's clock to 1 s into its next 30 s step; returns the step."""
    status, now = api('POST', '/_test/clock', {'advance': 0})
    assert status == 200, now
    t = calendar.timegm(time.strptime(now['now'][:19], '%Y-%m-%dT%H:%M:%S'))
    status, _ = api('POST', '/_test/clock', {'advance': 30 - t % 30 + 1})
    assert status == 200
    return (t + 30 - t % 30 + 1) // 30


def totp(secret, step):
    key = base64.b32decode(secret + '=' * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack('>Q', step), hashlib.sha1).digest()
    offset = digest[-1] & 0xf
    return '%06d' % ((struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7fffffff) % 1000000)


try:
    url = server.stdout.readline().decode().strip()
    env['PASSPORT_SERVER'] = url
    env['PASSPORT_TEST_EMAIL'] = 'qa.otp@example.net'
    run(['sign-in', '--provider', 'google'], expect=3)
    run(['accept-terms'], expect=3)
    run(['bind-email', 'qa.otp@example.com'], stdin='a long QA password\n', expect=3)
    mail = open(sorted(glob.glob(tmp3 + '/Maildir/new/*'))[-1]).read()
    link = re.search(r'^(http://\S+/email/confirm\?token=\S+)$', mail, re.M).group(1)
    assert call('GET', link[len(url):]) == 200
    token = run(['token']).stdout.strip()
    status, setup = api('POST', '/api/v1/me/otp/setup', {'password': 'a long QA password'}, token)
    assert status == 200, setup
    secret = setup['secret']
    status, confirm = api('POST', '/api/v1/me/otp/confirm', {'otp': totp(secret, next_step())}, token)
    assert status == 200, confirm
    recovery = confirm['recovery_codes']
    run(['sign-out'])

    # The code from standard input, after the password.
    p = run(['sign-in', '--email', 'qa.otp@example.com'],
            stdin='a long QA password\n%s\n' % totp(secret, next_step()), expect=0)
    s = state(expect=0)
    assert s['state'] == 'signed-in' and s['account']['email'] == 'qa.otp@example.com', s
    run(['sign-out'])

    # A wrong code: exit 1 with invalid_grant; no code at all: the step is said.
    code = totp(secret, next_step())
    wrong = '%06d' % ((int(code) + 1) % 1000000)
    p = run(['sign-in', '--email', 'qa.otp@example.com', '--otp', wrong, '--json'],
            stdin='a long QA password\n', expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'invalid_grant', p.stdout
    p = run(['sign-in', '--email', 'qa.otp@example.com'], stdin='a long QA password\n', expect=1)
    assert 'code' in p.stderr.lower(), p.stderr
    assert state(expect=3)['state'] == 'signed-out'

    # --otp and --recovery-code for scripts.
    run(['sign-in', '--email', 'qa.otp@example.com', '--otp', code], stdin='a long QA password\n')
    run(['sign-out'])
    run(['sign-in', '--email', 'qa.otp@example.com', '--recovery-code', recovery[0].lower()],
        stdin='a long QA password\n')
    assert state(expect=0)['state'] == 'signed-in'
    run(['sign-out'])
    # A recovery code typed on standard input is told apart from a TOTP code.
    run(['sign-in', '--email', 'qa.otp@example.com'], stdin='a long QA password\n%s\n' % recovery[1])
    run(['sign-out'])
    assert run(['sign-in', '--email', 'x@example.com', '--otp', '1', '--recovery-code', 'B'],
               expect=2)
    # --otp-stdin: the code is the line after the password, so no code
    # stands on the command line, where other users could read it.
    run(['sign-in', '--email', 'qa.otp@example.com', '--otp-stdin'],
        stdin='a long QA password\n%s\n' % totp(secret, next_step()))
    assert state(expect=0)['state'] == 'signed-in'
    run(['sign-out'])
    run(['sign-in', '--email', 'qa.otp@example.com', '--otp-stdin'], stdin='a long QA password\n%s\n' % recovery[2])
    run(['sign-out'])
    # No code on the line after: said at once, and nothing more is read.
    p = run(['sign-in', '--email', 'qa.otp@example.com', '--otp-stdin'], stdin='a long QA password\n', expect=1)
    assert 'standard input' in p.stderr, p.stderr
    for other in (['--otp', '1'], ['--recovery-code', 'B']):
        p = run(['sign-in', '--email', 'x@example.com', '--otp-stdin'] + other, expect=2)
        assert '--otp-stdin' in p.stderr, p.stderr
finally:
    server.terminate()
    server.wait(timeout=30)

# Two-step set-up (contract 8.2) and the proof (section 4) from passportctl,
# on a server with the test clock: the TOTP codes are computed here from the
# secret passportctl prints, each in a step of its own (next_step()), since
# the server takes no step twice. The secrets go to standard output only,
# never to standard error, even with every debug message on.
tmp4 = tempfile.mkdtemp(prefix='passportctl-test-')
server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', tmp4 + '/db.sqlite3',
                           '--maildir', tmp4 + '/Maildir', '--test-clock'],
                          stdout=subprocess.PIPE, env=dict(os.environ, PASSPORTD_TESTING='1'))
RECOVERY = re.compile(r'^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$')
DEBUG = {'G_MESSAGES_DEBUG': 'all'}


def codes_of(stdout):
    codes = [line for line in stdout.splitlines() if RECOVERY.match(line)]
    assert len(codes) == 10 and len(set(codes)) == 10, stdout
    return codes


def secret_free(p, *secrets):
    for secret in secrets:
        for form in {secret, secret.replace('-', ''), secret.lower()}:
            assert form not in p.stderr, 'a secret on standard error: %s' % p.stderr


try:
    url = server.stdout.readline().decode().strip()
    env['PASSPORT_SERVER'] = url
    env['PASSPORT_TEST_EMAIL'] = 'qa.setup@example.net'
    password = 'a long QA password\n'

    # Usage: exit 2 before anything is sent.
    assert 'otp needs' in run(['otp'], expect=2).stderr
    assert 'otp needs' in run(['otp', 'frobnicate'], expect=2).stderr
    assert 'needs the code' in run(['otp', 'confirm'], expect=2).stderr
    assert 'app-passwords needs' in run(['app-passwords'], expect=2).stderr
    assert '1 to 64' in run(['app-passwords', 'create'], expect=2).stderr
    assert '1 to 64' in run(['app-passwords', 'create', 'x' * 65], expect=2).stderr
    assert 'needs the id' in run(['app-passwords', 'revoke'], expect=2).stderr
    assert 'Too many' in run(['otp', 'setup', 'extra'], expect=2).stderr
    assert run(['otp', 'disable', '--otp', '1', '--recovery-code', 'B'], expect=2)
    # Not signed in: something is left to do.
    p = run(['otp', 'setup'], stdin=password, expect=3)
    assert 'sign-in' in p.stdout, p.stdout

    run(['sign-in', '--provider', 'google'], expect=3)
    run(['accept-terms'], expect=3)
    run(['bind-email', 'qa.setup@example.com'], stdin=password, expect=3)
    mail = open(sorted(glob.glob(tmp4 + '/Maildir/new/*'))[-1]).read()
    link = re.search(r'^(http://\S+/email/confirm\?token=\S+)$', mail, re.M).group(1)
    assert call('GET', link[len(url):]) == 200
    s = state()
    assert s['account']['otp'] == {'enabled': False, 'recovery_codes_left': 0}, s
    assert 'Two-step: off' in run(['status']).stdout

    # No proof: the server says what it takes, and so does passportctl (3:
    # something is left to do); a wrong password is an error (1).
    p = run(['otp', 'setup'], stdin='', expect=3)
    assert 'password' in p.stderr and '--otp' not in p.stderr, p.stderr
    p = run(['otp', 'setup', '--json'], stdin='', expect=3)
    answer = json.loads(p.stdout)
    assert answer['error']['code'] == 'reauth_required' and answer['error']['accepted'] == ['password'], answer
    p = run(['otp', 'setup'], stdin='wrong password\n', expect=1)
    assert p.stderr.strip() == 'Error: The current password is wrong.', p.stderr
    p = run(['otp', 'setup', '--json'], stdin='wrong password\n', expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'invalid_password', p.stdout
    # The app's code is no proof while two-step sign-in is off.
    p = run(['otp', 'setup', '--json', '--otp', '123456'], expect=3)
    assert json.loads(p.stdout)['error']['accepted'] == ['password'], p.stdout

    # Set-up: the JSON shape, then again in words (a new set-up replaces
    # the first; its secret is the one that counts).
    p = run(['otp', 'setup', '--json'], stdin=password, extra_env=DEBUG)
    setup = json.loads(p.stdout)
    assert sorted(setup) == ['expires_at', 'otpauth_uri', 'secret'], setup
    assert re.match(r'^[A-Z2-7]{32}$', setup['secret']), setup
    assert setup['otpauth_uri'].startswith('otpauth://totp/') and setup['secret'] in setup['otpauth_uri'], setup
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', setup['expires_at']), setup
    secret_free(p, setup['secret'])
    p = run(['otp', 'setup'], stdin=password, extra_env=DEBUG)
    secret = re.search(r'^Secret: ([A-Z2-7]+)$', p.stdout, re.M).group(1)
    uri = re.search(r'^URI: (otpauth://totp/\S+)$', p.stdout, re.M).group(1)
    assert secret != setup['secret'] and 'secret=' + secret in uri, p.stdout
    assert 'passportctl otp confirm CODE' in p.stdout, p.stdout
    secret_free(p, secret, uri)

    code = totp(secret, next_step())
    p = run(['otp', 'confirm', '%06d' % ((int(code) + 1) % 1000000)], expect=1)
    assert 'wrong or has already been used' in p.stderr, p.stderr
    p = run(['otp', 'confirm', code], extra_env=DEBUG)
    recovery = codes_of(p.stdout)
    assert 'Keep these recovery codes' in p.stdout, p.stdout
    secret_free(p, *recovery)
    s = state()
    assert s['account']['otp'] == {'enabled': True, 'recovery_codes_left': 10}, s
    assert 'Two-step: on, 10 recovery codes left' in run(['status']).stdout
    p = run(['otp', 'setup'], stdin=password, expect=1)
    assert 'otp disable' in p.stderr, p.stderr
    p = run(['otp', 'confirm', totp(secret, next_step()), '--json'], expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'no_otp_setup', p.stdout

    # Signing in now takes the code; then a new set with the app's code as
    # the proof, and the old set is void.
    run(['sign-out'])
    run(['sign-in', '--email', 'qa.setup@example.com', '--otp', totp(secret, next_step())], stdin=password)
    p = run(['otp', 'recovery-codes', '--json', '--otp', totp(secret, next_step())], extra_env=DEBUG)
    renewed = json.loads(p.stdout)
    assert sorted(renewed) == ['recovery_codes'], renewed
    assert all(RECOVERY.match(c) for c in renewed['recovery_codes']), renewed
    assert len(set(renewed['recovery_codes'])) == 10 and not set(renewed['recovery_codes']) & set(recovery)
    secret_free(p, *renewed['recovery_codes'])
    p = run(['otp', 'disable', '--recovery-code', recovery[0], '--json'], expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'invalid_otp', p.stdout
    # With two-step sign-in on, the codes are offered too.
    p = run(['otp', 'disable'], stdin='', expect=3)
    assert 'password' in p.stderr and '--otp CODE' in p.stderr and '--recovery-code CODE' in p.stderr, p.stderr
    p = run(['otp', 'disable', '--json'], stdin='', expect=3)
    assert json.loads(p.stdout)['error']['accepted'] == ['password', 'otp', 'recovery_code'], p.stdout
    # The app's code as the proof from standard input (--otp-stdin), not
    # from the command line.
    p = run(['otp', 'recovery-codes', '--otp-stdin', '--json'], stdin=totp(secret, next_step()) + '\n')
    assert len(json.loads(p.stdout)['recovery_codes']) == 10, p.stdout
    p = run(['otp', 'recovery-codes', '--otp-stdin', '--json'], stdin='000000\n', expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'invalid_otp', p.stdout
    assert '--sign-in-again' in run(['otp', 'setup', '--sign-in-again', '--otp-stdin'], expect=2).stderr
    # A recovery code as typed (lower case, no dashes) turns it off.
    p = run(['otp', 'recovery-codes'], stdin=password)
    fresh = codes_of(p.stdout)
    assert 'old ones no longer work' in p.stdout, p.stdout
    s = state()
    assert s['account']['otp'] == {'enabled': True, 'recovery_codes_left': 10}, s
    p = run(['status'])
    assert 'Two-step: on, 10 recovery codes left' in p.stdout and 'Few recovery' not in p.stdout, p.stdout
    # With 2 or fewer left, status suggests a new set (contract 8.3).
    for used in fresh[4:]:
        run(['sign-out'])
        run(['sign-in', '--email', 'qa.setup@example.com', '--recovery-code', used], stdin=password)
        left = state()['account']['otp']['recovery_codes_left']
        p = run(['status'])
        assert ('Few recovery codes are left' in p.stdout) == (left <= 2), p.stdout
    assert left == 4, left
    for used in fresh[:3]:
        run(['sign-out'])
        run(['sign-in', '--email', 'qa.setup@example.com', '--recovery-code', used], stdin=password)
    p = run(['status'])
    assert 'Two-step: on, 1 recovery code left\n' in p.stdout and 'otp recovery-codes' in p.stdout, p.stdout
    p = run(['otp', 'disable', '--recovery-code', fresh[3].lower().replace('-', '')])
    assert 'Two-step sign-in is off' in p.stdout, p.stdout
    assert state()['account']['otp'] == {'enabled': False, 'recovery_codes_left': 0}
    p = run(['otp', 'recovery-codes'], stdin=password, expect=1)
    assert 'otp setup' in p.stderr, p.stderr
    p = run(['otp', 'disable', '--json'], stdin=password, expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'otp_not_enabled', p.stdout
    run(['sign-out'])
    run(['sign-in', '--email', 'qa.setup@example.com'], stdin=password)
    run(['sign-out'])

    # An account without a password: a fresh sign-in is its proof; after
    # 5 minutes only a new sign-in in the browser is, which --sign-in-again
    # makes before the call.
    env['PASSPORT_TEST_EMAIL'] = 'qa.social-only@example.net'
    run(['sign-in', '--provider', 'vk'], expect=3)
    run(['accept-terms'], expect=3)
    p = run(['otp', 'setup', '--json'], stdin='')
    assert re.match(r'^[A-Z2-7]+$', json.loads(p.stdout)['secret']), p.stdout
    status, _ = api('POST', '/_test/clock', {'advance': 301})
    assert status == 200
    p = run(['otp', 'setup'], stdin='', expect=3)
    assert 'recent sign-in' in p.stderr and '--sign-in-again' in p.stderr, p.stderr
    assert 'Secret' not in p.stdout, p.stdout
    p = run(['otp', 'setup', '--json'], stdin='', expect=3)
    answer = json.loads(p.stdout)['error']
    assert answer['code'] == 'reauth_required' and answer['accepted'] == ['sign_in'], p.stdout
    assert '--sign-in-again' in answer['message'], p.stdout

    # --sign-in-again is the proof itself, and only for a call that takes one.
    assert '--sign-in-again' in run(['otp', 'setup', '--sign-in-again', '--otp', '123456'], expect=2).stderr
    run(['otp', 'disable', '--sign-in-again', '--recovery-code', 'BCDF-GHJK-LMNP'], expect=2)
    assert '--sign-in-again' in run(['otp', 'confirm', '123456', '--sign-in-again'], expect=2).stderr
    run(['status', '--sign-in-again'], expect=2)

    # It signs in again in the browser (max_age=0) first. The browser signs
    # in to another account: refused with the core's words, no call made,
    # our session kept.
    old = run(['token']).stdout.strip()
    p = run(['otp', 'setup', '--sign-in-again'], expect=1,
            extra_env={'PASSPORT_TEST_EMAIL': 'qa.someone-else@example.net'})
    assert 'The browser signed in to another account.' in p.stderr, p.stderr
    assert 'Secret' not in p.stdout, p.stdout
    assert call('GET', '/api/v1/me', old) == 200
    p = run(['otp', 'setup', '--sign-in-again', '--json'], expect=1,
            extra_env={'PASSPORT_TEST_EMAIL': 'qa.someone-else@example.net'})
    assert 'another account' in json.loads(p.stdout)['error']['message'], p.stdout
    # Given up in the browser: exit 1 too.
    p = run(['otp', 'setup', '--sign-in-again'], expect=1, extra_env={'PASSPORT_TEST_ACTION': 'cancel'})
    assert 'Secret' not in p.stdout and 'Error:' in p.stderr, (p.stdout, p.stderr)
    # Ctrl+C while the browser is awaited: cancelled through the flow, the
    # session kept.
    waiting = subprocess.Popen([ctl, 'otp', 'setup', '--sign-in-again'], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env=dict(env, PASSPORT_TEST_ACTION='ignore'))
    said = ''
    deadline = time.monotonic() + 20
    while 'Waiting for the sign-in' not in said and time.monotonic() < deadline:
        if select.select([waiting.stderr], [], [], 1)[0]:
            chunk = os.read(waiting.stderr.fileno(), 65536).decode()
            if not chunk:
                break
            said += chunk
    waiting.send_signal(signal.SIGINT)
    out, err = waiting.communicate(timeout=30)
    assert waiting.returncode == 1 and 'Sign-in cancelled.' in said + err, (waiting.returncode, said, err)
    assert 'Secret' not in out, out
    checks += 1
    assert call('GET', '/api/v1/me', old) == 200
    assert run(['token']).stdout.strip() == old

    # The same account in the browser: the address is printed as sign-in
    # prints it (the account's network, max_age=0), then the set-up needs
    # no proof. The old session is revoked, the new one remembered.
    p = run(['otp', 'setup', '--sign-in-again'], extra_env=DEBUG)
    address = re.search(r'^(%s/oauth/authorize\?\S+)$' % re.escape(url), p.stderr, re.M)
    assert address, p.stderr
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(address.group(1)).query)
    assert query['max_age'] == ['0'] and query['provider'] == ['vk'], query
    secret = re.search(r'^Secret: ([A-Z2-7]+)$', p.stdout, re.M).group(1)
    assert re.search(r'^URI: otpauth://totp/\S+$', p.stdout, re.M), p.stdout
    secret_free(p, secret, old)
    assert call('GET', '/api/v1/me', old) == 401, 'the old session must be revoked'
    fresh = run(['token']).stdout.strip()
    assert fresh != old and call('GET', '/api/v1/me', fresh) == 200
    assert fresh not in p.stderr
    assert state(expect=3)['state'] == 'needs-email'
    # Within the 5 minutes the next call needs no proof either.
    p = run(['otp', 'setup', '--json'], stdin='')
    assert json.loads(p.stdout)['secret'] != secret, p.stdout
    # identities link takes it too: the browser signs in again, then links.
    status, _ = api('POST', '/_test/clock', {'advance': 301})
    assert status == 200
    assert '--sign-in-again' in run(['identities', 'link', 'google'], stdin='', expect=3).stderr
    p = run(['identities', 'link', 'google', '--sign-in-again'])
    assert 'Google is now linked' in p.stdout, p.stdout
    # --provider picks the network; delete-account takes it as well.
    status, _ = api('POST', '/_test/clock', {'advance': 301})
    assert status == 200
    run(['delete-account', '--yes'], stdin='', expect=3)
    p = run(['delete-account', '--yes', '--sign-in-again', '--provider', 'google'])
    assert 'provider=google' in p.stderr and 'max_age=0' in p.stderr, p.stderr
    assert 'The account is deleted' in p.stdout, p.stdout
    assert state(expect=3)['state'] == 'signed-out'

    # App passwords (contract 8.4), with two-step sign-in on again.
    run(['sign-in', '--email', 'qa.setup@example.com'], stdin=password)
    secret = json.loads(run(['otp', 'setup', '--json'], stdin=password).stdout)['secret']
    codes_of(run(['otp', 'confirm', totp(secret, next_step())]).stdout)
    assert 'This account has no app passwords.' in run(['app-passwords', 'list']).stdout
    assert json.loads(run(['app-passwords', 'list', '--json']).stdout) == {'app_passwords': []}
    p = run(['app-passwords', 'create', 'Thunderbird', '--json'], stdin='', expect=3)
    assert json.loads(p.stdout)['error']['accepted'] == ['password', 'otp', 'recovery_code'], p.stdout
    p = run(['app-passwords', 'create', 'Thunderbird'], stdin='wrong password\n', expect=1)
    assert 'password is wrong' in p.stderr, p.stderr

    p = run(['app-passwords', 'create', 'Thunderbird', '--json'], stdin=password, extra_env=DEBUG)
    created = json.loads(p.stdout)
    assert sorted(created) == ['created_at', 'id', 'last_used_at', 'name', 'password'], created
    assert created['name'] == 'Thunderbird' and created['last_used_at'] is None, created
    assert re.match(r'^[a-z]{16}$', created['password']), created
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', created['created_at']), created
    secret_free(p, created['password'])
    # In words, in fours, with the app's code as the proof and a name in Russian.
    p = run(['app-passwords', 'create', 'Почта на телефоне', '--otp', totp(secret, next_step())],
            extra_env=DEBUG)
    grouped = re.search(r'^([a-z]{4} [a-z]{4} [a-z]{4} [a-z]{4})$', p.stdout, re.M).group(1)
    assert '“Почта на телефоне”' in p.stdout and 'not shown again' in p.stdout, p.stdout
    secret_free(p, grouped, grouped.replace(' ', ''))
    listed = json.loads(run(['app-passwords', 'list', '--json']).stdout)['app_passwords']
    assert [a['name'] for a in listed] == ['Почта на телефоне', 'Thunderbird'], listed
    assert all(a['last_used_at'] is None for a in listed), listed
    second = listed[0]['id']

    # It signs in without the second step, even while two-step sign-in is
    # on (only its line on standard input: a code would be asked for in
    # vain), and as typed in fours in capitals; it is no proof.
    run(['sign-out'])
    run(['sign-in', '--email', 'qa.setup@example.com'], stdin=created['password'] + '\n')
    assert state()['state'] == 'signed-in'
    p = run(['app-passwords', 'create', 'Other', '--json'], stdin=created['password'] + '\n', expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'invalid_password', p.stdout
    run(['sign-out'])
    run(['sign-in', '--email', 'qa.setup@example.com'], stdin=grouped.upper() + '\n')
    listed = json.loads(run(['app-passwords', 'list', '--json']).stdout)['app_passwords']
    assert all(re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', a['last_used_at']) for a in listed), listed
    p = run(['app-passwords', 'list'])
    lines = p.stdout.splitlines()
    assert len(lines) == 3 and lines[0].split() == ['ID', 'NAME', 'CREATED', 'LAST', 'USED'], p.stdout
    assert lines[1].startswith(second + ' ') and 'Почта на телефоне' in lines[1], p.stdout
    assert 'never' not in p.stdout and created['id'] in lines[2], p.stdout
    # The columns line up (the Russian name counted in characters).
    assert lines[0].index('CREATED') == lines[1].index(listed[0]['created_at'][:4]), p.stdout

    p = run(['app-passwords', 'revoke', 'ap_unknown'], expect=1)
    assert 'no app password with that id' in p.stderr, p.stderr
    p = run(['app-passwords', 'revoke', created['id'], '--json'])
    assert json.loads(p.stdout) == {'revoked': created['id']}, p.stdout
    run(['sign-out'])
    run(['sign-in', '--email', 'qa.setup@example.com'], stdin=created['password'] + '\n', expect=1)
    # Revoking the one this session was started with ends the session.
    run(['sign-in', '--email', 'qa.setup@example.com'], stdin=grouped + '\n')
    p = run(['app-passwords', 'revoke', second])
    assert 'revoked' in p.stdout, p.stdout
    s = state(expect=1)
    assert s['state'] == 'signed-out' and 'session has ended' in s['error']['message'], s
    run(['sign-in', '--email', 'qa.setup@example.com', '--otp', totp(secret, next_step())], stdin=password)
    assert json.loads(run(['app-passwords', 'list', '--json']).stdout) == {'app_passwords': []}
    assert 'This account has no app passwords.' in run(['app-passwords', 'list']).stdout
    run(['sign-out'])
finally:
    server.terminate()
    server.wait(timeout=30)

# A server without two-step sign-in or app passwords: said so, exit 1.
tmp5 = tempfile.mkdtemp(prefix='passportctl-test-')
server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', tmp5 + '/db.sqlite3',
                           '--maildir', tmp5 + '/Maildir', '--features=-otp,-app_passwords'],
                          stdout=subprocess.PIPE)
try:
    env['PASSPORT_SERVER'] = server.stdout.readline().decode().strip()
    p = run(['otp', 'setup', '--no-keyring'], stdin='', expect=1)
    assert p.stderr.strip() == 'Error: This server does not offer two-step sign-in.', p.stderr
    p = run(['otp', 'confirm', '123456', '--no-keyring', '--json'], expect=1)
    assert 'two-step' in json.loads(p.stdout)['error']['message'], p.stdout
    p = run(['app-passwords', 'list', '--no-keyring'], expect=1)
    assert p.stderr.strip() == 'Error: This server does not offer app passwords.', p.stderr
    # Nor does status speak of it.
    assert 'Two-step' not in run(['status', '--no-keyring'], expect=3).stdout
finally:
    server.terminate()
    server.wait(timeout=30)

# An app password's id goes into the path of DELETE: '..' or '.' must not
# turn it into another path (DELETE /me/ or the list). Every request passes
# through a recording proxy (passportd's public URL), which shows that
# nothing is sent for such an id.
import http.server, socketserver, threading

seen = []


class Recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def forward(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else None
        seen.append((self.command, self.path))
        u = urllib.parse.urlsplit(backend)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=90)
        c.request(self.command, self.path, body=body,
                  headers={k: v for k, v in self.headers.items()
                           if k.lower() not in ('connection', 'keep-alive', 'transfer-encoding')})
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status, r.reason)
        for k, v in r.getheaders():
            if k.lower() not in ('connection', 'keep-alive', 'transfer-encoding', 'content-length',
                                 'date', 'server'):
                self.send_header(k, v)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = forward

    def log_message(self, *args):
        pass


class Proxy(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


proxy = Proxy(('127.0.0.1', 0), Recorder)
threading.Thread(target=proxy.serve_forever, daemon=True).start()
public = 'http://127.0.0.1:%d' % proxy.server_address[1]
tmp6 = tempfile.mkdtemp(prefix='passportctl-test-')
server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', tmp6 + '/db.sqlite3',
                           '--maildir', tmp6 + '/Maildir', '--public-url', public],
                          stdout=subprocess.PIPE)
try:
    backend = server.stdout.readline().decode().split()[0]
    env['PASSPORT_SERVER'] = url = public
    env['PASSPORT_TEST_EMAIL'] = 'qa.ids@example.net'
    run(['sign-in', '--provider', 'google'], expect=3, extra_env={'PASSPORT_TEST_VERIFIED': '1'})
    run(['accept-terms'], expect=3)
    run(['bind-email', 'qa.ids@example.net'], stdin='a long QA password\n')
    assert state()['state'] == 'signed-in'
    for bad in ['..', '.']:
        before = len(seen)
        p = run(['app-passwords', 'revoke', bad], expect=1)
        assert 'no app password with that id' in p.stderr, p.stderr
        assert ('GET', '/api/v1/me') in seen[before:], seen[before:]
        assert not [r for r in seen[before:] if r[0] == 'DELETE'], seen[before:]
    assert state()['state'] == 'signed-in'
    run(['sign-out'])
finally:
    server.terminate()
    server.wait(timeout=30)
    proxy.shutdown()

# Linked sign-in methods (contract section 10): the scripted browser plays
# the network's stand-in page of the link passportctl opens (who signs in
# there: PASSPORT_TEST_EMAIL), and passportctl follows the outcome with the
# long poll. The link holds a one-time ticket: standard output only.
tmp9 = tempfile.mkdtemp(prefix='passportctl-test-')
server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', tmp9 + '/db.sqlite3',
                           '--maildir', tmp9 + '/Maildir'], stdout=subprocess.PIPE)
LINK = re.compile(r'^  (http://\S+/identities/link\?ticket=(\S+))$', re.M)


def providers_of(listed):
    return sorted(i['provider'] for i in listed['identities'])


try:
    url = server.stdout.readline().decode().strip()
    env['PASSPORT_SERVER'] = url
    password = 'a long QA password\n'
    help_text = run(['--help']).stdout
    for word in ['identities list', 'identities link PROVIDER', 'identities unlink PROVIDER']:
        assert word in help_text, word

    # Usage: exit 2 before anything is sent.
    assert 'identities needs' in run(['identities'], expect=2).stderr
    assert 'identities needs' in run(['identities', 'frobnicate'], expect=2).stderr
    assert 'network’s id' in run(['identities', 'link'], expect=2).stderr
    assert 'network’s id' in run(['identities', 'unlink'], expect=2).stderr
    assert 'Too many' in run(['identities', 'list', 'extra'], expect=2).stderr
    # Not signed in: something is left to do.
    assert 'sign-in' in run(['identities', 'list'], expect=3).stdout

    # A Google account that already signs in to another Passport account.
    env['PASSPORT_TEST_EMAIL'] = 'qa.taken@example.net'
    run(['sign-in', '--provider', 'google'], expect=3)
    run(['sign-out'])

    # This account signs in with VK and has a password.
    env['PASSPORT_TEST_EMAIL'] = 'qa.links@example.net'
    run(['sign-in', '--provider', 'vk'], expect=3, extra_env={'PASSPORT_TEST_VERIFIED': '1'})
    run(['accept-terms'], expect=3)
    run(['bind-email', 'qa.links@example.net'], stdin=password)
    listed = json.loads(run(['identities', 'list', '--json']).stdout)
    linked_at = listed['identities'][0].pop('linked_at', None)
    assert listed == {'identities': [{'provider': 'vk', 'email': 'qa.links@example.net',
                                      'email_verified': True}]}, listed
    # when it was linked (contract 1.1): now, in UTC
    assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', linked_at or ''), linked_at
    assert abs(calendar.timegm(time.strptime(linked_at, '%Y-%m-%dT%H:%M:%SZ')) - time.time()) < 600, linked_at
    p = run(['identities', 'list'])
    lines = p.stdout.splitlines()
    assert lines[0].split() == ['PROVIDER', 'NETWORK', 'E-MAIL', 'LINKED'], p.stdout
    assert lines[1].split()[:3] == ['vk', 'VK', 'qa.links@example.net'], p.stdout
    assert re.fullmatch(r'\d{4}-\d\d-\d\d \d\d:\d\d', ' '.join(lines[1].split()[3:])), p.stdout
    assert re.search(r'^Can be linked too .*: .*\bgoogle\b', p.stdout, re.M) and ', vk' not in p.stdout, p.stdout

    # The proof: none (exit 3, what the server takes), a wrong password (1).
    p = run(['identities', 'link', 'google', '--json'], stdin='', expect=3)
    assert json.loads(p.stdout)['error']['accepted'] == ['password'], p.stdout
    p = run(['identities', 'link', 'google'], stdin='wrong password\n', expect=1)
    assert 'password is wrong' in p.stderr and not LINK.search(p.stdout), (p.stdout, p.stderr)
    p = run(['identities', 'link', 'mastodon'], stdin=password, expect=1)
    assert 'does not offer that network' in p.stderr, p.stderr

    # The Google account of the other Passport account: refused, with the
    # reason, after the link was printed; the ticket never on standard error.
    p = run(['identities', 'link', 'google'], stdin=password, expect=1,
            extra_env=dict(DEBUG, PASSPORT_TEST_EMAIL='qa.taken@example.net'))
    link = LINK.search(p.stdout)
    assert link and link.group(1).startswith(url + '/'), p.stdout
    assert ('Error: That network account signs in to another account. Unlink it there first.'
            in p.stderr), p.stderr
    assert link.group(2) not in p.stderr, p.stderr
    assert 'now linked' not in p.stdout, p.stdout
    assert call('GET', urllib.parse.urlsplit(link.group(1)).path + '?ticket=' + link.group(2)) == 410
    assert providers_of(json.loads(run(['identities', 'list', '--json']).stdout)) == ['vk']

    # Cancelled at the network: exit 1, said so.
    p = run(['identities', 'link', 'google', '--json'], stdin=password, expect=1,
            extra_env={'PASSPORT_TEST_ACTION': 'cancel'})
    first, rest = p.stdout.split('\n', 1)
    started, outcome = json.loads(first), json.loads(rest)
    assert sorted(started) == ['id', 'link_url', 'provider'] and started['provider'] == 'google', started
    assert started['id'].startswith('lnk_') and '/identities/link?ticket=' in started['link_url'], started
    assert outcome == {'id': started['id'], 'provider': 'google', 'status': 'cancelled',
                       'message': 'Linking was cancelled in the browser.', 'error': None}, outcome

    # Linked with the password: exit 0, and the list shows it.
    p = run(['identities', 'link', 'google'], stdin=password,
            extra_env={'PASSPORT_TEST_EMAIL': 'qa.links.google@example.net'})
    assert LINK.search(p.stdout) and 'Google is now linked to your account.' in p.stdout, p.stdout
    listed = json.loads(run(['identities', 'list', '--json']).stdout)
    assert providers_of(listed) == ['google', 'vk'], listed
    google = [dict(i) for i in listed['identities'] if i['provider'] == 'google']
    assert google and google[0].pop('linked_at') >= linked_at, listed
    assert google == [{'provider': 'google', 'email': 'qa.links.google@example.net',
                       'email_verified': False}], listed
    # Once is enough: already linked, before any browser is opened.
    p = run(['identities', 'link', 'google', '--json'], stdin=password, expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'already_linked', p.stdout
    assert 'identities unlink' in json.loads(p.stdout)['error']['message'], p.stdout

    # --no-browser: the link only, and the wait until Ctrl+C.
    run(['identities', 'unlink', 'google'])
    waiting = subprocess.Popen([ctl, 'identities', 'link', 'google', '--no-browser'], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=dict(env, PASSPORT_BROWSER='/bin/false'))
    waiting.stdin.write(password)
    waiting.stdin.close()
    waiting.stdin = None
    said = ''
    # Line by line (select() would not see what readline() has buffered);
    # a passportctl that never prints the link is killed.
    watchdog = threading.Timer(20, waiting.kill)
    watchdog.start()
    while not LINK.search(said):
        line = waiting.stdout.readline()
        if not line:
            break
        said += line
    watchdog.cancel()
    assert LINK.search(said), said
    time.sleep(0.5)
    waiting.send_signal(signal.SIGINT)
    out, err = waiting.communicate(timeout=20)
    assert waiting.returncode == 1, (waiting.returncode, out, err)
    assert 'Stopped waiting' in err and 'No web browser' not in err, err
    checks += 1
    # The attempt is still pending, and its link still works.
    s = state()
    assert s['state'] == 'signed-in', s
    assert subprocess.run(['/usr/bin/python3', browser, LINK.search(said).group(1)],
                          env=dict(env, PASSPORT_TEST_EMAIL='qa.links.later@example.net')).returncode == 0
    assert providers_of(json.loads(run(['identities', 'list', '--json']).stdout)) == ['google', 'vk']

    # Unlinked: gone from the list; twice: no such network.
    p = run(['identities', 'unlink', 'google'])
    assert p.stdout.strip() == 'Google is unlinked.', p.stdout
    assert providers_of(json.loads(run(['identities', 'list', '--json']).stdout)) == ['vk']
    p = run(['identities', 'unlink', 'google'], expect=1)
    assert 'No network of that id is linked' in p.stderr, p.stderr
    assert json.loads(run(['identities', 'unlink', 'yandex', '--json'], expect=1).stdout)['error']['code'] == 'not_found'
    # With a password, the last network may go too.
    assert json.loads(run(['identities', 'unlink', 'vk', '--json']).stdout) == {'unlinked': 'vk'}
    assert json.loads(run(['identities', 'list', '--json']).stdout) == {'identities': []}
    assert 'No social network is linked to this account.' in run(['identities', 'list']).stdout
    run(['sign-out'])

    # Without a password, the only network is the only way in.
    env['PASSPORT_TEST_EMAIL'] = 'qa.social-only@example.net'
    run(['sign-in', '--provider', 'yandex'], expect=3)
    run(['accept-terms'], expect=3)
    p = run(['identities', 'unlink', 'yandex'], expect=1)
    assert 'only way to sign in' in p.stderr and 'bind-email' in p.stderr, p.stderr
    p = run(['identities', 'unlink', 'yandex', '--json'], expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'last_sign_in_method', p.stdout
    assert providers_of(json.loads(run(['identities', 'list', '--json'], expect=0).stdout)) == ['yandex']
    run(['sign-out'])
finally:
    server.terminate()
    server.wait(timeout=30)

# A server without them: said so, exit 1, before any password is read.
tmp10 = tempfile.mkdtemp(prefix='passportctl-test-')
server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', tmp10 + '/db.sqlite3',
                           '--maildir', tmp10 + '/Maildir', '--features=-identities'], stdout=subprocess.PIPE)
try:
    env['PASSPORT_SERVER'] = server.stdout.readline().decode().strip()
    p = run(['identities', 'list', '--no-keyring'], expect=1)
    assert p.stderr.strip() == 'Error: This server does not offer linked sign-in methods.', p.stderr
    p = run(['identities', 'link', 'google', '--no-keyring', '--json'], stdin='', expect=1)
    assert 'linked sign-in methods' in json.loads(p.stdout)['error']['message'], p.stdout
    p = run(['identities', 'unlink', 'google', '--no-keyring'], expect=1)
    assert 'does not offer linked sign-in methods' in p.stderr, p.stderr
finally:
    server.terminate()
    server.wait(timeout=30)

# Sessions (contract section 9) and account deletion (section 12). The
# device name passportctl sends comes from --device-name or
# $PASSPORT_DEVICE_NAME; a second session is a password grant made here, so
# its refresh token is known and can be seen refused once it is signed out.
tmp7 = tempfile.mkdtemp(prefix='passportctl-test-')
server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', tmp7 + '/db.sqlite3',
                           '--maildir', tmp7 + '/Maildir'], stdout=subprocess.PIPE)


def grant(**fields):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request('POST', '/oauth/token', body=urllib.parse.urlencode(dict(fields, client_id='passport-desktop')),
              headers={'Content-Type': 'application/x-www-form-urlencoded'})
    r = c.getresponse()
    return r.status, json.loads(r.read() or b'null')


try:
    url = server.stdout.readline().decode().strip()
    env['PASSPORT_SERVER'] = url
    env['PASSPORT_TEST_EMAIL'] = 'qa.sessions@example.net'
    env.pop('PASSPORT_DEVICE_NAME', None)
    password = 'a long QA password\n'
    help_text = run(['--help']).stdout
    for word in ['sessions list', 'sessions revoke ID', 'sessions revoke-others', 'delete-account',
                 '--device-name', '--yes']:
        assert word in help_text, word

    # Usage: exit 2 before anything is sent.
    assert 'sessions needs' in run(['sessions'], expect=2).stderr
    assert 'sessions needs' in run(['sessions', 'frobnicate'], expect=2).stderr
    assert 'needs the id' in run(['sessions', 'revoke'], expect=2).stderr
    assert 'Too many' in run(['sessions', 'list', 'extra'], expect=2).stderr

    run(['sign-in', '--provider', 'google'], expect=3, extra_env={'PASSPORT_TEST_VERIFIED': '1'})
    run(['accept-terms'], expect=3)
    run(['bind-email', 'qa.sessions@example.net'], stdin=password)
    run(['sign-out'])
    run(['sign-in', '--email', 'qa.sessions@example.net', '--device-name', 'qa-box (Test OS)'], stdin=password)
    sessions = json.loads(run(['sessions', 'list', '--json']).stdout)['sessions']
    assert len(sessions) == 1, sessions
    this = sessions[0]
    assert sorted(this) == ['client_id', 'client_name', 'created_at', 'current', 'device_name', 'id', 'ip',
                            'last_used_at', 'method'], this
    assert this['current'] is True and this['method'] == 'password', this
    assert this['device_name'] == 'qa-box (Test OS)' and this['client_id'] == 'passport-desktop', this
    assert re.match(r'^ses_[0-9a-f]{32}$', this['id']) and this['ip'] == '127.0.0.1', this
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', this['last_used_at']), this

    # $PASSPORT_DEVICE_NAME names another passportctl's session (its
    # refresh token is gone with it: --no-keyring), and a password grant
    # that sends no name is an unknown device.
    run(['sign-in', '--email', 'qa.sessions@example.net', '--no-keyring'], stdin=password,
        extra_env={'PASSPORT_DEVICE_NAME': 'env-box (Env OS)'})
    status, other = grant(grant_type='password', username='qa.sessions@example.net',
                          password=password.strip())
    assert status == 200, other
    sessions = json.loads(run(['sessions', 'list', '--json']).stdout)['sessions']
    assert [s['device_name'] for s in sessions] == [None, 'env-box (Env OS)', 'qa-box (Test OS)'], sessions
    assert [s['current'] for s in sessions] == [False, False, True], sessions
    assert all(s['method'] == 'password' for s in sessions), sessions
    env_box = sessions[1]['id']
    p = run(['sessions', 'list'])
    lines = p.stdout.splitlines()
    assert lines[0].split() == ['ID', 'DEVICE', 'METHOD', 'LAST', 'USED', 'IP'], p.stdout
    assert lines[1].startswith('  ' + sessions[0]['id'] + ' ') and 'unknown device' in lines[1], p.stdout
    assert lines[3].startswith('* ' + this['id'] + ' ') and 'qa-box (Test OS)' in lines[3], p.stdout
    assert lines[3].index('password') == lines[0].index('METHOD'), p.stdout
    assert lines[3].rstrip().endswith('127.0.0.1') and '* this device' in p.stdout, p.stdout

    # One signed out by its id; an unknown id is said so.
    p = run(['sessions', 'revoke', env_box])
    assert env_box in p.stdout and 'signed out' in p.stdout, p.stdout
    p = run(['sessions', 'revoke', 'ses_unknown'], expect=1)
    assert 'no session with that id' in p.stderr, p.stderr
    assert len(json.loads(run(['sessions', 'list', '--json']).stdout)['sessions']) == 2
    # All the others: one, and its refresh token is refused; this one stays.
    p = run(['sessions', 'revoke-others'])
    assert 'Signed out on 1 other device.' in p.stdout, p.stdout
    status, answer = grant(grant_type='refresh_token', refresh_token=other['refresh_token'])
    assert status == 400 and answer['error'] == 'invalid_grant', (status, answer)
    assert json.loads(run(['sessions', 'revoke-others', '--json']).stdout) == {'revoked': 0}
    assert state()['state'] == 'signed-in'
    # This one by its id: signed out here, and nothing is left to restore.
    token = run(['token']).stdout.strip()
    p = run(['sessions', 'revoke', this['id'], '--json'])
    assert json.loads(p.stdout) == {'revoked': this['id'], 'current': True}, p.stdout
    s = state(expect=3)
    assert s['state'] == 'signed-out' and s['error'] is None, s
    assert call('GET', '/api/v1/me', token) == 401

    # Account deletion: only with --yes, and with the proof.
    run(['sign-in', '--email', 'qa.sessions@example.net'], stdin=password)
    p = run(['delete-account'], stdin=password, expect=2)
    assert 'for good' in p.stderr and '--yes' in p.stderr, p.stderr
    p = run(['delete-account', '--yes'], stdin='wrong password\n', expect=1)
    assert 'password is wrong' in p.stderr, p.stderr
    p = run(['delete-account', '--yes', '--json'], stdin='', expect=3)
    assert json.loads(p.stdout)['error']['accepted'] == ['password'], p.stdout
    s = state()
    assert s['state'] == 'signed-in' and s['account']['email'] == 'qa.sessions@example.net', s
    deleted = s['account']['id']
    token = run(['token']).stdout.strip()
    p = run(['delete-account', '--yes', '--json'], stdin=password, extra_env=DEBUG)
    assert json.loads(p.stdout) == {'deleted': deleted}, p.stdout
    secret_free(p, password.strip())
    s = state(expect=3)
    assert s['state'] == 'signed-out' and s['error'] is None, s
    assert call('GET', '/api/v1/me', token) == 401
    run(['sign-in', '--email', 'qa.sessions@example.net'], stdin=password, expect=1)
    # The address is free at once: a new account binds it (verified by its
    # social network, so without a mail) instead of meeting a conflict.
    env['PASSPORT_TEST_EMAIL'] = 'qa.sessions@example.net'
    run(['sign-in', '--provider', 'vk'], expect=3, extra_env={'PASSPORT_TEST_VERIFIED': '1'})
    run(['accept-terms'], expect=3)
    run(['bind-email', 'qa.sessions@example.net'], stdin='another long QA password\n')
    s = state()
    assert s['account']['email'] == 'qa.sessions@example.net' and s['account']['id'] != deleted, s
    p = run(['delete-account', '--yes'], stdin='another long QA password\n')
    assert 'deleted' in p.stdout, p.stdout
    assert state(expect=3)['state'] == 'signed-out'
    # A sign-up left half-way (QA cleaning up): the account has no password,
    # so the fresh sign-in is the proof; the social network then starts anew.
    env['PASSPORT_TEST_EMAIL'] = 'qa.half-way@example.net'
    run(['sign-in', '--provider', 'vk'], expect=3)
    s = state(expect=3)
    assert s['state'] == 'needs-terms', s
    p = run(['delete-account', '--yes', '--json'], stdin='')
    assert json.loads(p.stdout) == {'deleted': s['account']['id']}, p.stdout
    assert state(expect=3)['state'] == 'signed-out'
    run(['sign-in', '--provider', 'vk'], expect=3)
    assert state(expect=3)['account']['id'] != s['account']['id']
    run(['sign-out'])
finally:
    server.terminate()
    server.wait(timeout=30)

# A server without them: said so, exit 1, before any password is read.
tmp8 = tempfile.mkdtemp(prefix='passportctl-test-')
server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', tmp8 + '/db.sqlite3',
                           '--maildir', tmp8 + '/Maildir', '--features=-sessions,-delete_account,-device'],
                          stdout=subprocess.PIPE)
try:
    env['PASSPORT_SERVER'] = server.stdout.readline().decode().strip()
    p = run(['sessions', 'list', '--no-keyring'], expect=1)
    assert p.stderr.strip() == 'Error: This server does not offer the list of sessions.', p.stderr
    p = run(['sessions', 'revoke-others', '--no-keyring', '--json'], expect=1)
    assert 'list of sessions' in json.loads(p.stdout)['error']['message'], p.stdout
    p = run(['delete-account', '--yes', '--no-keyring'], stdin='', expect=1)
    assert p.stderr.strip() == 'Error: This server does not offer account deletion.', p.stderr
    p = run(['sign-in', '--device', '--no-keyring'], expect=1)
    assert p.stderr.strip() == 'Error: This server does not offer sign-in with another device.', p.stderr
    assert not p.stdout, p.stdout
    p = run(['sign-in', '--device', '--no-keyring', '--json'], expect=1)
    assert 'sign-in with another device' in json.loads(p.stdout)['error']['message'], p.stdout
finally:
    server.terminate()
    server.wait(timeout=30)

# Sign-in with another device (contract 11): passportctl prints the code, the
# link and how long the code works (on a terminal, or with --qr, also the QR
# code of the link with the code in it), then waits while "the phone" answers
# on passportd's /device page, as pd_device_decide() plays it in C.
import http.cookiejar, pty, queue, signal, urllib.error, urllib.request
import ctypes, ctypes.util

USER_CODE = r'[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}'
HALF_BLOCKS = {' ': (True, True), '▀': (False, True), '▄': (True, False), '█': (False, False)}
ESCAPES = re.compile(r'\x1b\[[0-9;]*m')


def device_decide(user_code, email, password, approve):
    """The /device page in a browser of its own (a cookie jar): the code, the
    account's e-mail and password, then Approve or Deny. Returns the last page."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    hidden = {}

    def page(fields=None):
        data = urllib.parse.urlencode(dict(hidden, **fields)).encode() if fields is not None else None
        try:
            r = opener.open(url + '/device', data=data, timeout=30)
            status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        assert status == 200, (status, text)
        for name in ('csrf', 'flow'):
            m = re.search(r'<input[^>]*\bname="%s"[^>]*\bvalue="([^"]*)"' % name, text)
            if m:
                hidden[name] = m.group(1)
        return text

    page()
    assert 'csrf' in hidden
    page({'action': 'code', 'user_code': user_code})
    assert 'flow' in hidden
    page({'action': 'password', 'email': email, 'password': password})
    answer = page({'action': 'approve' if approve else 'deny'})
    assert ('id="approved"' if approve else 'id="denied"') in answer, answer
    return answer


class Background:
    """passportctl running while the test plays the phone: its standard
    output line by line, as it comes."""

    def __init__(self, args, extra_env=None):
        self.p = subprocess.Popen([ctl] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=dict(env, **(extra_env or {})))
        self.lines, self.out, self.err = queue.Queue(), [], []
        threading.Thread(target=self.read, args=(self.p.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self.read, args=(self.p.stderr, self.err.append), daemon=True).start()

    @staticmethod
    def read(stream, put):
        for line in stream:
            put(line)
        put(None)

    def until(self, pattern, seconds=20):
        """The first line (from here on) that matches pattern."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError('no %r within %d s: %r' % (pattern, seconds, self.out))
            assert line is not None, 'ended before %r: %r %r' % (pattern, self.out, self.err)
            self.out.append(line)
            if re.search(pattern, line):
                return line

    def end(self, expect, seconds=30):
        global checks
        try:
            code = self.p.wait(timeout=seconds)
        finally:
            self.p.kill()
        while (line := self.lines.get(timeout=10)) is not None:
            self.out.append(line)
        deadline = time.monotonic() + 10
        while (not self.err or self.err[-1] is not None) and time.monotonic() < deadline:
            time.sleep(0.05)
        out, err = ''.join(self.out), ''.join(line for line in self.err if line is not None)
        assert code == expect, 'exit %d, expected %d\nstdout: %s\nstderr: %s' % (code, expect, out, err)
        checks += 1
        return out, err


def qr_modules(text):
    """The modules of the QR code drawn in text (True: dark), its quiet
    zone checked and taken off."""
    rows = [ESCAPES.sub('', line).rstrip('\r') for line in text.split('\n')]
    rows = [row for row in rows if row and set(row) <= set(HALF_BLOCKS) and set(row) != {' '}]
    assert rows, text
    size = len(rows[0])
    assert all(len(row) == size for row in rows), rows
    grid = []
    for row in rows:
        grid.append([HALF_BLOCKS[c][0] for c in row])
        grid.append([HALF_BLOCKS[c][1] for c in row])
    # An odd size: the last character row's lower half is quiet zone too.
    assert size % 2 == 1 and len(grid) == size + 1, (size, len(grid))
    for y, line in enumerate(grid):
        for x, dark in enumerate(line):
            if x < 4 or y < 4 or x >= size - 4 or y >= size - 4:
                assert not dark, 'the quiet zone of 4 modules is light: (%d, %d)\n%s' % (x, y, text)
    modules = [line[4:size - 4] for line in grid[4:size - 4]]
    n = len(modules)
    assert n >= 21 and (n - 21) % 4 == 0, n
    # The finder patterns in three corners: dark ring, light ring, dark 3x3.
    for ox, oy in ((0, 0), (n - 7, 0), (0, n - 7)):
        for y in range(7):
            for x in range(7):
                ring = max(abs(x - 3), abs(y - 3))
                assert modules[oy + y][ox + x] == (ring != 2), 'finder at (%d, %d)\n%s' % (ox, oy, text)
    return modules


def qr_expected(data):
    """What libqrencode makes of data (8 bit, level M, the smallest version)."""
    class QRcode(ctypes.Structure):
        _fields_ = [('version', ctypes.c_int), ('width', ctypes.c_int), ('data', ctypes.POINTER(ctypes.c_ubyte))]
    lib = ctypes.CDLL(ctypes.util.find_library('qrencode') or 'libqrencode.so.4')
    lib.QRcode_encodeString8bit.restype = ctypes.POINTER(QRcode)
    lib.QRcode_encodeString8bit.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
    lib.QRcode_free.argtypes = [ctypes.POINTER(QRcode)]
    qr = lib.QRcode_encodeString8bit(data.encode(), 0, 1)  # QR_ECLEVEL_M
    w = qr.contents.width
    modules = [[bool(qr.contents.data[y * w + x] & 1) for x in range(w)] for y in range(w)]
    lib.QRcode_free(qr)
    return modules


tmp9 = tempfile.mkdtemp(prefix='passportctl-test-')
server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', tmp9 + '/db.sqlite3',
                           '--maildir', tmp9 + '/Maildir', '--test-clock'],
                          stdout=subprocess.PIPE, env=dict(os.environ, PASSPORTD_TESTING='1'))
running = []
try:
    url = server.stdout.readline().decode().strip()
    env['PASSPORT_SERVER'] = url
    env['PASSPORT_TEST_EMAIL'] = email = 'qa.device@example.net'
    password = 'a long QA password'
    help_text = run(['--help']).stdout
    assert 'sign-in --device' in help_text and '--qr' in help_text, help_text
    assert 'sign-in needs --provider ID, --email ADDRESS or --device.' in run(['sign-in'], expect=2).stderr
    p = run(['sign-in', '--device', '--email', email], expect=2)
    assert 'sign-in --device takes neither --provider nor --email.' in p.stderr, p.stderr
    run(['sign-in', '--provider', 'google'], expect=3, extra_env={'PASSPORT_TEST_VERIFIED': '1'})
    run(['accept-terms'], expect=3)
    run(['bind-email', email], stdin=password + '\n')
    run(['sign-out'])

    # Approved. With --json the code comes at once as one line, for a
    # script to hand on; then the status, signed in. Nothing secret on
    # either stream, every debug message on.
    p = Background(['sign-in', '--device', '--json', '--device-name', 'qa-desk (Test OS)'], DEBUG)
    running.append(p.p)
    first = json.loads(p.until(r'\S'))
    assert sorted(first) == ['expires_in', 'user_code', 'verification_uri', 'verification_uri_complete'], first
    assert re.match('^%s$' % USER_CODE, first['user_code']), first
    assert first['verification_uri'] == url + '/device', first
    assert first['verification_uri_complete'] == (url + '/device?user_code=' +
                                                  first['user_code'].replace('-', '')), first
    assert 590 <= first['expires_in'] <= 600, first
    device_decide(first['user_code'], email, password, approve=True)
    out, err = p.end(0)
    final = json.loads(out[out.index('\n') + 1:])
    assert final['state'] == 'signed-in' and final['account']['email'] == email, final
    s = state()
    assert s['state'] == 'signed-in' and s['account']['email'] == email, s
    this = [x for x in json.loads(run(['sessions', 'list', '--json']).stdout)['sessions'] if x['current']]
    assert len(this) == 1 and this[0]['method'] == 'device', this
    assert this[0]['device_name'] == 'qa-desk (Test OS)', this
    token = run(['token']).stdout.strip()
    assert token and token not in out and token not in err, 'the access token in the output'
    assert 'device_code' not in out + err and 'refresh_token' not in out + err, err
    # sign-in adds an account; with --account, the one named is signed in
    assert 'Already signed in' in run(['sign-in', '--device', '--account', email], expect=1).stderr
    run(['sign-out'])

    # Denied: said so, exit 1. Words for people; standard output is no
    # terminal here, so no QR code.
    p = Background(['sign-in', '--device'])
    running.append(p.p)
    p.until(re.escape(url + '/device') + r'\s*$')
    code = re.search(USER_CODE, p.until(USER_CODE)).group(0)
    p.until(r'works for 10 minutes')
    device_decide(code, email, password, approve=False)
    out, err = p.end(1)
    assert 'Error: The sign-in was denied on the other device.' in err, err
    assert not set('▀▄█') & set(out), out
    assert 'signed-out' in out, out
    assert state(expect=3)['state'] == 'signed-out'

    # --qr draws it all the same: the link with the code in it, in half
    # blocks, dark on light with a quiet zone. Ctrl+C cancels, through the
    # flow: nothing is left signed in or waiting.
    p = Background(['sign-in', '--device', '--qr'])
    running.append(p.p)
    code = re.search(USER_CODE, p.until(USER_CODE)).group(0)
    p.until(r'QR code')
    p.until(r'█')
    p.until(r'^\s*$')
    qr = ''.join(p.out)
    assert code in qr and '▀' in qr and '▄' in qr and '█' in qr, qr
    assert not ESCAPES.search(qr), 'colours only on a terminal: %r' % qr
    complete = url + '/device?user_code=' + code.replace('-', '')
    assert qr_modules(qr[qr.index('QR code'):]) == qr_expected(complete), qr
    p.p.send_signal(signal.SIGINT)
    out, err = p.end(1, seconds=10)
    assert 'cancelled' in err.lower(), err
    assert state(expect=3)['state'] == 'signed-out'

    # On a terminal the QR code comes by itself, its colours set (light
    # glyphs on dark), whatever the terminal's theme.
    master, slave = pty.openpty()
    p = subprocess.Popen([ctl, 'sign-in', '--device'], stdout=slave, stderr=subprocess.PIPE, env=env)
    running.append(p)
    os.close(slave)
    shown = b''
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not re.search(rb'\xe2\x96\x88(\x1b\[0m)?\r?\n\r?\n', shown):
        if select.select([master], [], [], 1)[0]:
            try:
                shown += os.read(master, 65536)
            except OSError:
                break
    text = shown.decode()
    code = re.search(USER_CODE, text).group(0)
    assert '\x1b[' in text and 'QR code' in text, text
    assert qr_modules(text[text.index('QR code'):]) == qr_expected(
        url + '/device?user_code=' + code.replace('-', '')), text
    p.send_signal(signal.SIGINT)
    assert p.wait(timeout=10) == 1
    os.close(master)
    checks += 1

    # Lapsed: the server's clock passes the 600 s; the next poll ends it.
    p = Background(['sign-in', '--device', '--json'])
    running.append(p.p)
    first = json.loads(p.until(r'\S'))
    status, _ = api('POST', '/_test/clock', {'advance': 601})
    assert status == 200
    out, err = p.end(1)
    final = json.loads(out[out.index('\n') + 1:])
    assert final['state'] == 'signed-out' and final['error']['code'] == 'expired_token', final
    assert 'code has expired' in final['error']['message'], final
finally:
    for p in running:
        p.kill()
    server.terminate()
    server.wait(timeout=30)

# Several accounts: two passportd on two loopback ports, two accounts on
# the first. Each sign-in adds one and makes it the active one; --account
# and "accounts switch" choose; signing out keeps the account, needing a
# sign-in; "accounts remove" forgets only the one named.
servers = []
try:
    def start(name):
        d = tempfile.mkdtemp(prefix='passportctl-' + name + '-')
        p = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', d + '/db.sqlite3',
                              '--maildir', d + '/Maildir'], stdout=subprocess.PIPE)
        servers.append(p)
        return p.stdout.readline().decode().strip()

    url_a, url_b = start('a'), start('b')

    def call_at(where, token):
        u = urllib.parse.urlsplit(where)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        c.request('GET', '/api/v1/me', headers={'Authorization': 'Bearer ' + token})
        r = c.getresponse()
        r.read()
        return r.status
    del env['PASSPORT_SERVER']

    def sign_in(where, name, email=None):
        """A social sign-in as @name; with @email, also the agreement and a
        password bound to that (verified) address."""
        social = {'PASSPORT_TEST_EMAIL': email or name.lower() + '@social.example', 'PASSPORT_TEST_NAME': name,
                  'PASSPORT_TEST_VERIFIED': '1'}
        run(['--server', where, 'sign-in', '--provider', 'google'], expect=3, extra_env=social)
        if email:
            run(['--server', where, 'accept-terms'], expect=3)
            run(['--server', where, 'bind-email', email], stdin='a long QA password\n')

    def accounts():
        listed = json.loads(run(['accounts', 'list', '--json']).stdout)
        return {(a['name'], a['server']): a for a in listed if a['server'] in (url_a, url_b)}

    def who(args=(), expect=0, extra_env=None):
        s = json.loads(run(list(args) + ['status', '--json'], expect=expect, extra_env=extra_env).stdout)
        return s['account']['display_name'] if s['account'] else None, s['server']

    sign_in(url_a, 'Alice', 'alice@example.org')
    sign_in(url_b, 'Bob')
    sign_in(url_a, 'Carol')
    a = accounts()
    assert sorted(a) == [('Alice', url_a), ('Bob', url_b), ('Carol', url_a)], a
    assert all(x['state'] == 'signed-in' for x in a.values()), a
    assert [k for k, x in a.items() if x['active']] == [('Carol', url_a)], a
    assert a[('Alice', url_a)]['email'] == 'alice@example.org' and a[('Bob', url_b)]['email'] is None, a
    bob, carol = a[('Bob', url_b)]['account_id'], a[('Carol', url_a)]['account_id']
    listed = run(['accounts', 'list']).stdout
    assert re.search(r'^\* Carol on ' + re.escape(url_a) + r' \(signed in\)$', listed, re.M), listed
    assert re.search(r'^  alice@example\.org on ' + re.escape(url_a) + r' \(signed in\)$', listed, re.M), listed

    # No --server: the active account's; --account (e-mail in any case, or
    # id) or $PASSPORT_ACCOUNT: another
    assert who(expect=3) == ('Carol', url_a)
    assert who(['--account', 'ALICE@example.org']) == ('Alice', url_a)
    assert who(extra_env={'PASSPORT_ACCOUNT': bob}, expect=3) == ('Bob', url_b)
    token_b = run(['--account', bob, 'token']).stdout.strip()
    assert call_at(url_b, token_b) == 200
    # the server named, without --account: the active one if it is there, else any of its own
    assert who(['--server', url_b], expect=3) == ('Bob', url_b)
    assert who(['--server', url_a], expect=3) == ('Carol', url_a)
    p = run(['--account', 'nobody@example.org', 'status'], expect=1)
    assert 'No account nobody@example.org is known here.' in p.stderr, p.stderr
    assert 'accounts needs list' in run(['accounts'], expect=2).stderr
    assert 'not with --no-keyring' in run(['--no-keyring', 'accounts', 'list'], expect=2).stderr

    # switch: the next commands follow, in new processes
    assert 'Now using Bob on ' + url_b in run(['accounts', 'switch', bob]).stdout
    assert who(expect=3) == ('Bob', url_b)
    assert [k for k, x in accounts().items() if x['active']] == [('Bob', url_b)]
    run(['accounts', 'switch', 'nobody@example.org'], expect=1)

    # signing out one account of a server leaves the other signed in
    run(['--account', 'alice@example.org', 'sign-out'])
    a = accounts()
    assert a[('Alice', url_a)]['state'] == 'needs-sign-in', a
    assert a[('Carol', url_a)]['state'] == 'signed-in', a
    assert who(['--account', carol], expect=3) == ('Carol', url_a)
    assert who(['--account', 'alice@example.org'], expect=3) == (None, url_a)
    # and signing in again as Alice brings her back, active
    run(['--server', url_a, 'sign-in', '--email', 'alice@example.org'], stdin='a long QA password\n')
    a = accounts()
    assert a[('Alice', url_a)]['state'] == 'signed-in' and a[('Alice', url_a)]['active'], a

    # remove: revoked at the server, gone from the list and the keyring; the others stay
    token_c = run(['--account', carol, 'token']).stdout.strip()
    assert call_at(url_a, token_c) == 200
    assert 'Removed Carol on ' + url_a in run(['accounts', 'remove', carol]).stdout
    assert call_at(url_a, token_c) == 401
    a = accounts()
    assert ('Carol', url_a) not in a, a
    assert a[('Bob', url_b)]['state'] == 'signed-in', a
    assert a[('Alice', url_a)]['state'] == 'signed-in', a
    run(['--account', carol, 'status'], expect=1)
    assert who(['--account', bob], expect=3) == ('Bob', url_b)

    # the list says who, never a secret; only the user reads it
    path = os.path.join(os.environ.get('XDG_CONFIG_HOME', os.path.expanduser('~/.config')),
                        'passport', 'accounts.ini')
    text = open(path).read()
    assert 'alice@example.org' in text and bob in text and carol not in text, text
    assert token_b not in text and token_c not in text, text
    assert os.stat(path).st_mode & 0o077 == 0, oct(os.stat(path).st_mode)
    checks += 1

    # The keyring's health, each state produced for real: gnome-keyring
    # unlocked, then its login collection locked over D-Bus, no session bus at
    # all, and --no-keyring. (Last: the keyring stays locked.)
    def keyring(args=(), extra_env=None):
        """The keyring member of status --json, whatever the exit status."""
        global checks
        p = subprocess.run([ctl] + list(args) + ['--server', url_a, 'status', '--json'], capture_output=True,
                           text=True, env=dict(env, **(extra_env or {})), timeout=60)
        checks += 1
        return json.loads(p.stdout)['keyring']

    assert keyring() == {'state': 'available', 'advice': None}, keyring()
    assert keyring(['--no-keyring'])['state'] == 'no-backend'
    subprocess.run(['gdbus', 'call', '--session', '--dest', 'org.freedesktop.secrets', '--object-path',
                    '/org/freedesktop/secrets', '--method', 'org.freedesktop.Secret.Service.Lock',
                    "[objectpath '/org/freedesktop/secrets/collection/login']"], check=True, capture_output=True)
    k = keyring()
    assert k['state'] == 'locked' and 'Unlock it with its password' in k['advice'], k
    p = subprocess.run([ctl, '--account', bob, 'status'], capture_output=True, text=True, env=env, timeout=60)
    assert 'Keyring: locked' in p.stdout and 'The keyring is locked.' in p.stderr, p
    k = keyring(extra_env={'DBUS_SESSION_BUS_ADDRESS': 'unix:path=' + tmp + '/no-bus'})
    assert k['state'] == 'missing' and 'No keyring is running' in k['advice'], k
    checks += 1
finally:
    for p in servers:
        p.terminate()
        p.wait(timeout=30)

print('passportctl: %d checks passed' % checks)
