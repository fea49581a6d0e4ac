#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# passportctl against passportd, in a private D-Bus session with
# gnome-keyring (run under tests/support/run-isolated.sh): the whole way a QA
# team prepares an account, with the exit codes --help documents.
import base64, calendar, glob, hashlib, hmac, http.client, json, os, re, select, struct, subprocess, sys, tempfile, time, urllib.parse

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
                               stderr=subprocess.PIPE, text=True,
                               env=dict(env, PASSPORT_BROWSER='/nonexistent/browser'))
    said = []
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline and not any('No web browser' in line for line in said):
            ready, _, _ = select.select([waiting.stderr], [], [], 1)
            if ready:
                line = waiting.stderr.readline()
                if not line:
                    break
                said.append(line)
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
finally:
    server.terminate()
    server.wait(timeout=30)

print('passportctl: %d checks passed' % checks)
