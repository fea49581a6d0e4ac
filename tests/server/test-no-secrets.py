#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# passportd never writes a secret where it does not belong: after a whole
# story (social sign-in, bind, confirm, password grant, refresh, password
# change, password reset, two-step sign-in, an app password, device
# authorization, linking a sign-in method) with debug
# logging, no token, code, password or confirmation token appears in its
# log, and none but hashes in its database files. The
# confirmation token is only in the mail (that is its job).
import base64, glob, hashlib, http.client, json, os, re, shutil, subprocess, sys, tempfile, urllib.parse

exe = os.environ['PASSPORTD']
tmp = tempfile.mkdtemp(prefix='passportd-secrets-')
log_path = os.path.join(tmp, 'passportd.log')
log = open(log_path, 'wb')
proc = subprocess.Popen([exe, '--listen', '127.0.0.1:0', '--database', os.path.join(tmp, 'db.sqlite3'),
                         '--maildir', os.path.join(tmp, 'Maildir'), '--log-level', 'debug', '--dev-outbox'],
                        stdout=subprocess.PIPE, stderr=log)
failures = 0
try:
    base = proc.stdout.readline().decode().strip()
    assert base.startswith('http://127.0.0.1:'), base
    url = urllib.parse.urlparse(base)

    def req(method, path, body=None, form=None, token=None, headers=None):
        c = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        h = dict(headers or {})
        if form is not None:
            body = urllib.parse.urlencode(form)
            h['Content-Type'] = 'application/x-www-form-urlencoded'
        elif body is not None:
            body = json.dumps(body)
            h['Content-Type'] = 'application/json'
        if token:
            h['Authorization'] = 'Bearer ' + token
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        return r.status, dict(r.getheaders()), data, parsed

    secrets = []
    b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()
    verifier = b64(os.urandom(32))
    challenge = b64(hashlib.sha256(verifier.encode()).digest())
    redirect = 'http://127.0.0.1:5555/callback'
    q = urllib.parse.urlencode(dict(client_id='passport-desktop', redirect_uri=redirect, response_type='code',
                                    scope='openid profile email passport', state='state-1', nonce='nonce-1',
                                    code_challenge=challenge, code_challenge_method='S256', provider='google'))
    status, headers, page, _ = req('GET', '/oauth/authorize?' + q)
    assert status == 200, status
    cookie = headers['Set-Cookie'].split(';')[0]
    flow = re.search(r'name="flow" value="([^"]+)"', page.decode()).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.decode()).group(1)
    secrets += [csrf, verifier]
    status, headers, _, _ = req('POST', '/oauth/social', headers={'Cookie': cookie},
                                form=dict(flow=flow, csrf=csrf, email='secret@example.com', name='Anna', action='continue'))
    assert status == 302, status
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(headers['Location']).query))['code']
    secrets.append(code)
    status, _, _, tokens = req('POST', '/oauth/token', form=dict(grant_type='authorization_code', code=code,
                                                                 redirect_uri=redirect, code_verifier=verifier,
                                                                 client_id='passport-desktop'))
    assert status == 200, status
    secrets += [tokens['access_token'], tokens['refresh_token']]
    access = tokens['access_token']

    password = 'Correct-Horse-Battery-7'
    new_password = 'Another-Long-Secret-42'
    secrets += [password, new_password]
    assert req('POST', '/api/v1/me/terms', {'version': '2025-01'}, token=access)[0] == 200
    status, _, _, me = req('POST', '/api/v1/me/email', {'email': 'anna@example.com', 'password': password}, token=access)
    assert status == 202, status
    mail = open(sorted(glob.glob(os.path.join(tmp, 'Maildir', 'new', '*')))[-1]).read()
    link = re.search(r'^(http://\S+/email/confirm\?token=(\S+))$', mail, re.M)
    confirm_token = link.group(2)
    secrets.append(confirm_token)
    assert req('GET', link.group(1)[len(base):])[0] == 200
    status, _, _, pw_tokens = req('POST', '/oauth/token', form=dict(grant_type='password', username='anna@example.com',
                                                                    password=password, client_id='passport-desktop'))
    assert status == 200, status
    secrets += [pw_tokens['access_token'], pw_tokens['refresh_token']]
    status, _, _, refreshed = req('POST', '/oauth/token', form=dict(grant_type='refresh_token',
                                                                    refresh_token=pw_tokens['refresh_token'],
                                                                    client_id='passport-desktop'))
    assert status == 200, status
    secrets += [refreshed['access_token'], refreshed['refresh_token']]
    assert req('POST', '/api/v1/me/password', {'current_password': password, 'new_password': new_password},
               token=refreshed['access_token'])[0] == 204
    assert req('POST', '/oauth/token', form=dict(grant_type='password', username='anna@example.com',
                                                 password='wrong password', client_id='passport-desktop'))[0] == 400
    # Password reset (section 7): its link and the password set with it.
    import time
    before = set(glob.glob(os.path.join(tmp, 'Maildir', 'new', '*')))
    assert req('POST', '/api/v1/password/reset', {'email': 'anna@example.com'})[0] == 202
    deadline = time.monotonic() + 10
    while set(glob.glob(os.path.join(tmp, 'Maildir', 'new', '*'))) == before and time.monotonic() < deadline:
        time.sleep(0.02)  # the mail is written after the answer
    (reset_path,) = set(glob.glob(os.path.join(tmp, 'Maildir', 'new', '*'))) - before
    reset_mail = open(reset_path).read()
    reset = re.search(r'^(http://\S+/password/new\?token=(\S+))$', reset_mail, re.M)
    reset_password = 'Third-Long-Secret-99'
    secrets += [reset.group(2), reset_password]
    assert req('GET', reset.group(1)[len(base):])[0] == 200
    assert req('POST', '/api/v1/password/new', form=dict(token=reset.group(2), password=reset_password,
                                                         password_again=reset_password))[0] == 200
    # Two-step sign-in (section 8): the secret, the recovery codes, the mfa_token.
    import hmac, struct
    status, _, _, t = req('POST', '/oauth/token', form=dict(grant_type='password', username='anna@example.com',
                                                            password=reset_password, client_id='passport-desktop'))
    assert status == 200, status
    secrets += [t['access_token'], t['refresh_token']]
    status, _, _, setup = req('POST', '/api/v1/me/otp/setup', {'password': reset_password}, token=t['access_token'])
    assert status == 200, status
    secrets.append(setup['secret'])
    key = base64.b32decode(setup['secret'] + '=' * (-len(setup['secret']) % 8))
    digest = hmac.new(key, struct.pack('>Q', int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[19] & 15
    totp = '%06d' % ((struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7fffffff) % 1000000)
    status, _, _, confirmed = req('POST', '/api/v1/me/otp/confirm', {'otp': totp}, token=t['access_token'])
    assert status == 200, status
    secrets += confirmed['recovery_codes'] + [c.replace('-', '') for c in confirmed['recovery_codes']]
    status, _, _, mfa = req('POST', '/oauth/token', form=dict(grant_type='password', username='anna@example.com',
                                                              password=reset_password, client_id='passport-desktop'))
    assert status == 403 and mfa['error'] == 'mfa_required', status
    secrets.append(mfa['mfa_token'])
    status, _, _, t2 = req('POST', '/oauth/token', form=dict(grant_type='urn:passport:params:oauth:grant-type:otp',
                                                             mfa_token=mfa['mfa_token'], client_id='passport-desktop',
                                                             recovery_code=confirmed['recovery_codes'][0]))
    assert status == 200, status
    secrets += [t2['access_token'], t2['refresh_token']]
    # An app password (section 8.4): shown once, signs in, then revoked.
    status, _, _, app = req('POST', '/api/v1/me/app-passwords', {'name': 'Thunderbird', 'password': reset_password},
                            token=t2['access_token'])
    assert status == 201, status
    spaced = ' '.join(app['password'][i:i + 4] for i in range(0, 16, 4)).upper()
    secrets += [app['password'], spaced]
    status, _, _, t3 = req('POST', '/oauth/token', form=dict(grant_type='password', username='anna@example.com',
                                                             password=spaced, client_id='passport-desktop'))
    assert status == 200, status
    secrets += [t3['access_token'], t3['refresh_token']]
    assert req('DELETE', '/api/v1/me/app-passwords/' + app['id'], token=t2['access_token'])[0] == 204
    # Device authorization (section 11): the device_code, the page's csrf
    # and the tokens; the user code is no secret (the page looks it up).
    status, _, _, dev = req('POST', '/oauth/device', form=dict(client_id='passport-desktop',
                                                               scope='openid profile email passport',
                                                               device_name='anna-laptop'))
    assert status == 200, status
    secrets.append(dev['device_code'])
    status, headers, page, _ = req('GET', '/device?user_code=' + dev['user_code'].replace('-', ''))
    assert status == 200, status
    dcookie = headers['Set-Cookie'].split(';')[0]
    dcsrf = re.search(r'name="csrf" value="([^"]+)"', page.decode()).group(1)
    secrets.append(dcsrf)
    status, _, page, _ = req('POST', '/device', headers={'Cookie': dcookie},
                             form=dict(csrf=dcsrf, action='code', user_code=dev['user_code']))
    assert status == 200, status
    dflow = re.search(r'name="flow" value="([^"]+)"', page.decode()).group(1)
    for step in (dict(action='provider', provider='vk'),
                 dict(action='continue', email='device@example.com', name='Dev'),
                 dict(action='approve')):
        status, _, page, _ = req('POST', '/device', headers={'Cookie': dcookie},
                                 form=dict(csrf=dcsrf, flow=dflow, **step))
        assert status == 200, (status, step)
    status, _, _, t4 = req('POST', '/oauth/token', form=dict(grant_type='urn:ietf:params:oauth:grant-type:device_code',
                                                             device_code=dev['device_code'],
                                                             client_id='passport-desktop'))
    assert status == 200, status
    secrets += [t4['access_token'], t4['refresh_token']]
    # Linking a sign-in method (section 10): the ticket (its link_url) and
    # the page's csrf. The device's sign-in is fresh: the proof of an
    # account without a password.
    status, _, _, lnk = req('POST', '/api/v1/me/identities/link', body=dict(provider='google'),
                            token=t4['access_token'])
    assert status == 201, status
    ticket = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(lnk['link_url']).query))['ticket']
    secrets += [ticket, lnk['link_url']]
    status, headers, page, _ = req('GET', urllib.parse.urlparse(lnk['link_url']).path + '?ticket=' + ticket)
    assert status == 200, status
    lcookie = headers['Set-Cookie'].split(';')[0]
    lflow = re.search(r'name="flow" value="([^"]+)"', page.decode()).group(1)
    lcsrf = re.search(r'name="csrf" value="([^"]+)"', page.decode()).group(1)
    secrets.append(lcsrf)
    status, _, page, _ = req('POST', '/oauth/social', headers={'Cookie': lcookie},
                             form=dict(flow=lflow, csrf=lcsrf, email='linked@example.com', action='continue'))
    assert status == 200 and b'id="linked"' in page, status
    # The development outbox lists the mail with its link (for the demo).
    status, _, outbox, _ = req('GET', '/outbox')
    assert status == 200 and link.group(1).encode() in outbox, 'the outbox lacks the link'
finally:
    proc.terminate()
    rc = proc.wait(timeout=30)
    log.close()

assert rc == 0, 'passportd exit status %d' % rc
places = {'log': open(log_path, 'rb').read()}
for path in glob.glob(os.path.join(tmp, 'db.sqlite3*')):
    places[os.path.basename(path)] = open(path, 'rb').read()
assert len(places['log']) > 0, 'the debug log is empty: the test would prove nothing'
assert 'db.sqlite3' in places

for name, data in places.items():
    for secret in secrets:
        if secret.encode() in data:
            failures += 1
            print('not ok: a secret (%d characters) appears in %s' % (len(secret), name))
# The database does hold the hashes (proof that it was looked at).
hash_of_access = hashlib.sha256(access.encode()).hexdigest().encode()
db_bytes = b''.join(v for k, v in places.items() if k.startswith('db.sqlite3'))
if hash_of_access not in db_bytes:
    failures += 1
    print('not ok: the access token hash is not in the database either')

shutil.rmtree(tmp)
print('checked %d secrets in %d places: %s' % (len(secrets), len(places), 'FAIL' if failures else 'ok'))
sys.exit(1 if failures else 0)
