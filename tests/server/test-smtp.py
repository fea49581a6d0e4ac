#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# passportd's SMTP relay: with --smtp, the confirmation mail reaches an SMTP
# server too (a real one, Python's smtpd on loopback), the same message as
# in the Maildir, with the link and the Russian subject when asked in Russian.
import base64, glob, hashlib, http.client, json, os, re, subprocess, sys, tempfile, threading, urllib.parse
import warnings

with warnings.catch_warnings():
    warnings.simplefilter('ignore', DeprecationWarning)
    import asyncore, smtpd

received = []


class Sink(smtpd.SMTPServer):
    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        received.append((mailfrom, rcpttos, data))


sink = Sink(('127.0.0.1', 0), None, decode_data=False)
smtp_port = sink.socket.getsockname()[1]
threading.Thread(target=asyncore.loop, kwargs={'timeout': 0.1}, daemon=True).start()

tmp = tempfile.mkdtemp(prefix='passportd-smtp-')
proc = subprocess.Popen([os.environ['PASSPORTD'], '--listen', '127.0.0.1:0', '--database', tmp + '/db.sqlite3',
                         '--maildir', tmp + '/Maildir', '--smtp', '127.0.0.1:%d' % smtp_port],
                        stdout=subprocess.PIPE)
try:
    base = proc.stdout.readline().decode().strip()
    u = urllib.parse.urlsplit(base)

    def req(method, path, body=None, form=None, token=None, headers=None):
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
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
        return r.status, dict(r.getheaders()), r.read()

    b64 = lambda b: base64.urlsafe_b64encode(b).rstrip(b'=').decode()
    verifier = b64(os.urandom(32))
    q = urllib.parse.urlencode(dict(client_id='passport-desktop', redirect_uri='http://127.0.0.1:5555/callback',
                                    response_type='code', scope='openid', state='s', nonce='n', provider='vk',
                                    code_challenge=b64(hashlib.sha256(verifier.encode()).digest()),
                                    code_challenge_method='S256'))
    status, headers, page = req('GET', '/oauth/authorize?' + q)
    flow = re.search(r'name="flow" value="([^"]+)"', page.decode()).group(1)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.decode()).group(1)
    status, headers, _ = req('POST', '/oauth/social', headers={'Cookie': 'pd_csrf=' + csrf},
                             form=dict(flow=flow, csrf=csrf, email='s@example.net', name='S', action='continue'))
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(headers['Location']).query))['code']
    status, _, body = req('POST', '/oauth/token', form=dict(grant_type='authorization_code', code=code,
                                                            redirect_uri='http://127.0.0.1:5555/callback',
                                                            code_verifier=verifier, client_id='passport-desktop'))
    assert status == 200, body
    token = json.loads(body)['access_token']
    assert req('POST', '/api/v1/me/terms', {'version': '2025-01'}, token=token)[0] == 200
    status, _, body = req('POST', '/api/v1/me/email', {'email': 'relay@example.com', 'password': 'a long password'},
                          token=token, headers={'Accept-Language': 'ru'})
    assert status == 202, body

    for _ in range(100):
        if received:
            break
        threading.Event().wait(0.1)
    assert len(received) == 1, 'the relay got %d mails' % len(received)
    mailfrom, rcpttos, data = received[0]
    assert rcpttos == ['relay@example.com'], rcpttos
    text = data.decode('utf-8')
    maildir = open(glob.glob(tmp + '/Maildir/new/*')[0], encoding='utf-8').read()
    link = re.search(r'^(http://\S+/email/confirm\?token=\S+)$', maildir, re.M).group(1)
    assert link in text, 'the relayed mail lacks the link'
    subject = re.search(r'^Subject: =\?UTF-8\?B\?(\S+)\?=$', text, re.M).group(1)
    assert base64.b64decode(subject).decode() == 'Подтвердите адрес электронной почты'
    assert 'X-Passport-Account: acc_' in text
    # The password reset mail (section 7) takes the same way, once the
    # address is bound, in the language of the request.
    assert req('GET', link[len(base):])[0] == 200
    assert req('POST', '/api/v1/password/reset', {'email': 'relay@example.com'},
               headers={'Accept-Language': 'ru'})[0] == 202
    for _ in range(100):
        if len(received) == 2:
            break
        threading.Event().wait(0.1)
    assert len(received) == 2, 'the relay got %d mails' % len(received)
    mailfrom, rcpttos, data = received[1]
    assert rcpttos == ['relay@example.com'], rcpttos
    text = data.decode('utf-8')
    reset = re.search(r'^(http://\S+/api/v1/password/new\?token=\S+)$', text.replace('\r\n', '\n'), re.M)
    assert reset, 'the relayed reset mail lacks the link on a line of its own'
    subject = re.search(r'^Subject: =\?UTF-8\?B\?(\S+)\?=$', text, re.M).group(1)
    assert base64.b64decode(subject).decode() == 'Сброс пароля Passport'
    # Without --dev-outbox there is no outbox page.
    assert req('GET', '/outbox')[0] == 404
finally:
    proc.terminate()
    assert proc.wait(timeout=30) == 0

print('SMTP relay: 2 mails relayed and checked')
