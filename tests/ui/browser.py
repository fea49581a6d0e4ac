#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The user's browser in the AT-SPI story: the app runs "$PASSPORT_BROWSER URL".
# Headless Chromium opens the URL and, on passportd's stand-in social page,
# fills in the identity the story asked for (a JSON file named by
# PASSPORT_STORY_IDENTITY: {"email", "name", "verified", "action"}) and
# presses Continue (or Cancel). Chromium is driven over the DevTools protocol
# on a pipe (--remote-debugging-pipe: NUL-terminated JSON on fds 3 and 4), so
# nothing but the standard library is needed. Exits once the browser has
# landed on the app's loopback page, or with an error. Given a password
# reset link (…/password/new?token=…) instead, it types the new password
# ($PASSPORT_STORY_NEW_PASSWORD) twice, presses Save, and exits once the
# page says the password was changed. Given passportd's device page
# (…/device?user_code=…, the link of "Sign in with another device"), it is
# the phone: Continue with the code, signs in with
# $PASSPORT_STORY_DEVICE_EMAIL and $PASSPORT_STORY_DEVICE_PASSWORD, and
# presses Approve. Given a link to link another network
# (…/identities/link?ticket=…), it signs in on the stand-in social page as
# above and exits on passportd's page that says how it went.
import fcntl
import json
import os
import subprocess
import sys
import tempfile
import time

TIMEOUT = 60


class Chromium:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="passport-chromium-")
        to_browser_r, self.to_browser = os.pipe()
        self.from_browser, from_browser_w = os.pipe()

        def fds():
            # Move both out of the way first: either may already be 3 or 4.
            high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        self.proc = subprocess.Popen(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync",
             "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
             "about:blank"],
            preexec_fn=fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=None if os.environ.get("PASSPORT_STORY_DEBUG") else subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        return self.wait(lambda m: m.get("id") == self.next_id)

    def read(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_browser, 65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def wait(self, predicate):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            message = self.read()
            if predicate(message):
                if "error" in message:
                    raise RuntimeError(message["error"])
                return message
            self.events.append(message)
        raise TimeoutError("no answer from chromium")

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        subprocess.run(["rm", "-rf", self.profile])


def evaluate(browser, session, expression):
    answer = browser.send("Runtime.evaluate",
                          {"expression": expression, "returnByValue": True}, session)
    return answer["result"]["result"].get("value")


def wait_for(browser, session, expression):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            if evaluate(browser, session, expression):
                return
        except RuntimeError:
            pass  # the page is navigating
        time.sleep(0.2)
    try:
        where = evaluate(browser, session, "location.href.split('?')[0] + ' ' + document.title")
    except RuntimeError:
        where = "?"
    raise TimeoutError("%s (at %s)" % (expression, where))


def reset_password(browser, session, password):
    """The page of a reset mail: the new password twice, Save, then the
    page that says it was changed (it has no form)."""
    wait_for(browser, session, "document.readyState === 'complete' && !!document.getElementById('password')")
    evaluate(browser, session, """
        document.getElementById('password').value = %s;
        document.getElementById('password_again').value = %s;
        document.getElementById('save').click();
        true
    """ % (json.dumps(password), json.dumps(password)))
    wait_for(browser, session, "document.readyState === 'complete' && !document.getElementById('password')"
                               " && !!document.getElementById('message')")
    print("browser: %s" % evaluate(browser, session, "document.getElementById('message').textContent"),
          file=sys.stderr)


def approve_device(browser, session, email, password):
    """passportd's /device pages, as a phone's browser goes through them:
    the code (filled in from the link), the sign-in, then Approve."""
    wait_for(browser, session, "document.readyState === 'complete' && !!document.getElementById('user_code')"
                               " && document.getElementById('user_code').value !== ''")
    evaluate(browser, session, "document.getElementById('continue').click(); true")
    wait_for(browser, session, "document.readyState === 'complete' && !!document.getElementById('password')")
    evaluate(browser, session, """
        document.getElementById('email').value = %s;
        document.getElementById('password').value = %s;
        document.getElementById('sign-in').click();
        true
    """ % (json.dumps(email), json.dumps(password)))
    wait_for(browser, session, "document.readyState === 'complete' && !!document.getElementById('approve')")
    evaluate(browser, session, "document.getElementById('approve').click(); true")
    wait_for(browser, session, "document.readyState === 'complete' && !document.getElementById('approve')"
                               " && !document.getElementById('password')")
    print("browser: approved on the device page: %s" % evaluate(browser, session, "document.title"),
          file=sys.stderr)


def main():
    url = sys.argv[-1]
    identity = {"email": "ada@social.example", "name": "Ada Lovelace",
                "verified": False, "action": "continue"}
    path = os.environ.get("PASSPORT_STORY_IDENTITY")
    if path and os.path.exists(path):
        with open(path) as f:
            identity.update(json.load(f))

    browser = Chromium()
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
        session = browser.send("Target.attachToTarget",
                               {"targetId": target, "flatten": True})["result"]["sessionId"]
        browser.send("Page.enable", {}, session)
        browser.send("Page.navigate", {"url": url}, session)
        if "/password/new?token=" in url:
            reset_password(browser, session, os.environ["PASSPORT_STORY_NEW_PASSWORD"])
            return
        if "/device?user_code=" in url:
            approve_device(browser, session, os.environ["PASSPORT_STORY_DEVICE_EMAIL"],
                           os.environ["PASSPORT_STORY_DEVICE_PASSWORD"])
            return
        wait_for(browser, session, "document.readyState === 'complete' && !!document.getElementById('email')")
        # The user takes a moment (and the story photographs the app meanwhile).
        time.sleep(float(identity.get("delay", 0)))
        evaluate(browser, session, """
            document.getElementById('email').value = %s;
            document.getElementById('name').value = %s;
            document.getElementById('verified').checked = %s;
            document.getElementById(%s).click();
            true
        """ % (json.dumps(identity["email"]), json.dumps(identity["name"]),
               "true" if identity["verified"] else "false", json.dumps(identity["action"])))
        if "/identities/link?ticket=" in url:
            # Linking a network ends on passportd's own page, which says how.
            wait_for(browser, session, "document.readyState === 'complete' && !document.getElementById('email')"
                                       " && !!document.querySelector('p[id]')")
            print("browser: %s" % evaluate(browser, session, "document.querySelector('p[id]').id"), file=sys.stderr)
            return
        # The app's own page on 127.0.0.1 answers the redirect.
        wait_for(browser, session,
                 "location.hostname === '127.0.0.1' && location.pathname === '/callback'"
                 " && document.readyState === 'complete'")
        title = evaluate(browser, session, "document.title")
        print("browser: landed on the app's page: %s" % title, file=sys.stderr)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
