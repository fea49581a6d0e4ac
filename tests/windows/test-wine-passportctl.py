#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# passportctl.exe (the Windows cross-build) under wine against passportd (the
# Linux build) on 127.0.0.1, run by scripts/windows/build.sh inside
# tests/support/run-isolated.sh:
#
#   test-wine-passportctl.py LINUX_PASSPORTCTL WINDOWS_PASSPORTCTL_EXE
#
# The Linux passportctl prepares an account with a password (social sign-in
# through the scripted browser, terms, e-mail bound and confirmed), as
# tests/cli/test-passportctl.py does. Then passportctl.exe, each command a
# new Windows process: signed out, a wrong password, password sign-in, the
# session restored from the Credential Manager by the next processes
# (status, token, the token good at the server), sign-out (the token
# revoked, nothing restored), and browser sign-ins whose redirect reaches
# the loopback listener of the Windows process: through $PASSPORT_BROWSER
# (GLib's spawn), and through the default browser (GLib's app info, wine's
# winebrowser).
# Environment: PASSPORTD, SCRIPTED_BROWSER, WINE (default: wine); WINEPATH
# and WINEPREFIX as build.sh sets them.
import glob, http.client, json, os, re, shutil, subprocess, sys, tempfile, urllib.parse

linux_ctl, windows_ctl = sys.argv[1], sys.argv[2]
passportd, browser = os.environ['PASSPORTD'], os.environ['SCRIPTED_BROWSER']
wine = os.environ.get('WINE', 'wine').split()
tmp = tempfile.mkdtemp(prefix='passport-wine-test-')
server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--database', tmp + '/db.sqlite3',
                           '--maildir', tmp + '/Maildir'], stdout=subprocess.PIPE)
url = server.stdout.readline().decode().strip()
env = dict(os.environ, PASSPORT_SERVER=url, PASSPORT_BROWSER='/usr/bin/python3 ' + browser,
           PASSPORT_TEST_EMAIL='qa.wine@example.net', PASSPORT_TEST_NAME='QA Wine',
           PASSPORT_TEST_VERIFIED='0', PASSPORT_TEST_ACTION='continue', LC_ALL='C.UTF-8',
           WINEDEBUG='-all')
passed = 0
failed = 0
email, password = 'qa.wine@example.com', 'a long QA password'


def run(command, args, stdin=None, expect=0, extra_env=None, drop_env=()):
    e = {k: v for k, v in dict(env, **(extra_env or {})).items() if k not in drop_env}
    p = subprocess.run(command + args, input=stdin, capture_output=True, text=True, env=e, timeout=60)
    assert p.returncode == expect, '%s: exit %d, expected %d\nstdout: %s\nstderr: %s' % (
        args, p.returncode, expect, p.stdout, p.stderr)
    return p


def linux(args, **kw):
    return run([linux_ctl], args, **kw)


def windows(args, **kw):
    return run(wine + [windows_ctl], args, **kw)


def call(method, path, token=None):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.request(method, path, headers={'Authorization': 'Bearer ' + token} if token else {})
    r = c.getresponse()
    r.read()
    return r.status


def check(name, function):
    global passed, failed
    try:
        function()
        passed += 1
        print('ok - ' + name, flush=True)
    except Exception as e:  # noqa: BLE001 - every failure is reported and counted
        failed += 1
        print('not ok - %s: %s' % (name, e), flush=True)


def prepare_account():
    # The Linux client, as a QA script would: a social sign-in, the terms,
    # an e-mail address with a password, confirmed from the mail.
    linux(['sign-in', '--provider', 'google'], expect=3)
    linux(['accept-terms'], expect=3)
    linux(['bind-email', email], stdin=password + '\n', expect=3)
    mail = open(sorted(glob.glob(tmp + '/Maildir/new/*'))[-1]).read()
    link = re.search(r'^(http://\S+/email/confirm\?token=\S+)$', mail, re.M).group(1)
    assert call('GET', link[len(url):]) == 200
    linux(['sign-out'])


def signed_out():
    s = json.loads(windows(['status', '--json'], expect=3).stdout)
    assert s['state'] == 'signed-out' and s['account'] is None, s


def wrong_password():
    p = windows(['sign-in', '--email', email, '--json'], stdin='wrong password\n', expect=1)
    assert json.loads(p.stdout)['error']['code'] == 'invalid_grant', p.stdout


state = {}


def password_sign_in():
    p = windows(['sign-in', '--email', email], stdin=password + '\n', expect=0)
    assert password not in p.stdout + p.stderr


def restored_status():
    # A new process: the session comes back from the Credential Manager.
    s = json.loads(windows(['status', '--json']).stdout)
    assert s['state'] == 'signed-in' and s['account']['email'] == email, s


def token():
    state['token'] = windows(['token']).stdout.strip()
    assert state['token'] and call('GET', '/api/v1/me', state['token']) == 200


def sign_out():
    windows(['sign-out'])
    signed_out()
    assert call('GET', '/api/v1/me', state['token']) == 401, 'sign-out must revoke the tokens'


def browser_sign_in():
    # The browser (the Linux scripted browser, started by the Windows
    # process through GLib's spawn) comes back to the loopback listener
    # of passportctl.exe.
    # The same network account as the preparation's: the same Passport
    # account, which has the e-mail address by now.
    p = windows(['sign-in', '--provider', 'google'])
    s = json.loads(windows(['status', '--json']).stdout)
    assert s['state'] == 'signed-in' and s['account']['email'] == email, (s, p.stderr)
    windows(['sign-out'])


def default_browser_sign_in():
    # Without $PASSPORT_BROWSER the core asks GLib for the default handler
    # of http URLs: under wine that is winebrowser, told here (in the wine
    # prefix's registry, for this test only) to run the scripted browser.
    script = tmp + '/browser.sh'
    with open(script, 'w') as f:
        f.write('#!/bin/sh\nexec /usr/bin/python3 %s "$@"\n' % browser)
    os.chmod(script, 0o755)
    key = r'HKCU\Software\Wine\WineBrowser'
    subprocess.run(wine + ['reg', 'add', key, '/v', 'Browsers', '/d', script, '/f'],
                   capture_output=True, env=env, timeout=60, check=True)
    try:
        p = windows(['sign-in', '--provider', 'google'], drop_env=('PASSPORT_BROWSER',))
        s = json.loads(windows(['status', '--json']).stdout)
        assert s['state'] == 'signed-in' and s['account']['email'] == email, (s, p.stderr)
        windows(['sign-out'])
    finally:
        subprocess.run(wine + ['reg', 'delete', key, '/v', 'Browsers', '/f'],
                       capture_output=True, env=env, timeout=60)


try:
    check('prepare the account (Linux passportctl)', prepare_account)
    check('signed out at first', signed_out)
    check('a wrong password', wrong_password)
    check('password sign-in', password_sign_in)
    check('status in a new process (restored)', restored_status)
    check('token in a new process', token)
    check('status again', restored_status)
    check('sign-out', sign_out)
    check('nothing restored after sign-out', signed_out)
    check('browser sign-in through the loopback listener', browser_sign_in)
    check('browser sign-in through the default browser (GLib, winebrowser)', default_browser_sign_in)
    check('signed out at the end', signed_out)
finally:
    server.terminate()
    server.wait(timeout=10)
    shutil.rmtree(tmp, ignore_errors=True)

print('%d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
