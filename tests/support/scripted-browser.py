#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A scripted browser for tests where only the redirects matter: opens the
# authorization URL given as the last argument, fills passportd's stand-in
# social page and follows the redirect to the app's loopback listener (or,
# for a link of a network to an account, stops at the page that says how
# it went).
# Who signs in comes from the environment:
#   PASSPORT_TEST_EMAIL, PASSPORT_TEST_NAME, PASSPORT_TEST_VERIFIED=1,
#   PASSPORT_TEST_ACTION=continue|cancel|ignore (ignore: never come back).
import html.parser, http.client, os, sys, urllib.parse


class Form(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'input' and a.get('type') == 'hidden':
            self.fields[a.get('name')] = a.get('value', '')


def request(url, method='GET', body=None, headers=None):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    path = u.path + ('?' + u.query if u.query else '')
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response, response.read()


def main():
    url = sys.argv[-1]
    action = os.environ.get('PASSPORT_TEST_ACTION', 'continue')
    if action == 'ignore':
        return 0
    response, page = request(url)
    if response.status != 200:
        print('scripted-browser: authorize answered %d' % response.status, file=sys.stderr)
        return 1
    form = Form()
    form.feed(page.decode())
    cookie = response.getheader('Set-Cookie', '').split(';')[0]
    fields = dict(flow=form.fields['flow'], csrf=form.fields['csrf'],
                  email=os.environ.get('PASSPORT_TEST_EMAIL', 'someone@example.com'),
                  name=os.environ.get('PASSPORT_TEST_NAME', 'Someone'), action=action)
    if os.environ.get('PASSPORT_TEST_VERIFIED') == '1':
        fields['verified'] = '1'
    base = urllib.parse.urlsplit(url)
    social = '%s://%s/oauth/social' % (base.scheme, base.netloc)
    response, _ = request(social, 'POST', urllib.parse.urlencode(fields),
                          {'Content-Type': 'application/x-www-form-urlencoded', 'Cookie': cookie})
    if response.status in (200, 409) and action == 'continue':
        # Linking a network (contract 10): the outcome is a page of its own.
        return 0
    if response.status != 302:
        print('scripted-browser: social page answered %d' % response.status, file=sys.stderr)
        return 1
    response, _ = request(response.getheader('Location'))
    return 0 if response.status == 200 else 1


sys.exit(main())
