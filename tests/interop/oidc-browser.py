#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The browser stand-in for the interop test (given to Passport through
# $PASSPORT_BROWSER): opens the authorization URL given as the last
# argument with a cookie jar, fills oidc-provider's development login page
# (any login; the password is not checked there) and its consent page, and
# follows the redirects to Passport's loopback listener.
#   PASSPORT_TEST_LOGIN   the account to sign in as (default alice)
#   PASSPORT_TEST_BROWSER_LOG  a file to append what happened to (for the
#                         test's failure messages)
import html.parser, http.cookiejar, os, sys, urllib.error, urllib.parse, urllib.request


class Form(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'form' and self.action is None:
            self.action = a.get('action')
        if tag == 'input' and a.get('type') == 'hidden':
            self.fields[a.get('name')] = a.get('value', '')


def note(text):
    path = os.environ.get('PASSPORT_TEST_BROWSER_LOG')
    if path:
        with open(path, 'a') as f:
            f.write(text + '\n')


def main():
    url = sys.argv[-1]
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    login = os.environ.get('PASSPORT_TEST_LOGIN', 'alice')
    request = urllib.request.Request(url)
    # Login, consent, then the redirect to the loopback listener: a few pages.
    for _ in range(6):
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as e:
            # Passport's listener answers a callback it refuses with 400.
            note('browser: %s answered %d' % (urllib.parse.urlsplit(e.url).netloc, e.code))
            return 1
        page = response.read().decode()
        where = urllib.parse.urlsplit(response.url)
        if where.path == '/callback':
            note('browser: back at the loopback listener, %d' % response.status)
            return 0
        form = Form()
        form.feed(page)
        if form.action is None or 'prompt' not in form.fields:
            note('browser: unexpected page at %s: %s' % (where.path, page[:300]))
            return 1
        fields = dict(form.fields)
        if fields['prompt'] == 'login':
            fields.update(login=login, password='any')
        note('browser: %s page' % fields['prompt'])
        request = urllib.request.Request(urllib.parse.urljoin(response.url, form.action),
                                         data=urllib.parse.urlencode(fields).encode(), method='POST')
    note('browser: too many pages')
    return 1


sys.exit(main())
