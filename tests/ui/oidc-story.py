#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The real app against a plain OpenID provider that nobody here wrote (npm
# oidc-provider, tests/interop/provider.mjs), driven through the
# accessibility bus like story.py: the sign-in page offers exactly "Sign in
# with <host>" and no e-mail and password; the browser sign-in (the
# provider's own login and consent pages, filled by
# tests/interop/oidc-browser.py) ends on the account page, which says that
# this server does not offer account management and shows no Change
# Password nor sign-in methods; the session comes back after a restart (in
# Russian), and Sign Out works. The client id and the loopback port are the
# app's per-server settings (GSettings client-ids, redirect-ports).
#
# Run by run-story.sh with PASSPORT_RUN=oidc (Xvfb, a private D-Bus session
# with gnome-keyring and the AT-SPI bus). Without node or the npm package it
# FAILS with the reason: it is never skipped.
#
#   oidc-story.py --app PASSPORT --shots DIR --work DIR
import argparse
import faulthandler
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from story import NAMES, Story  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.path.normpath(os.path.join(HERE, "..", "interop"))
SCHEMA = "io.github.passportdesk.Passport"
CLIENT_ID = "passport-ui-oidc"

NAMES["en"].update({
    "not-managed": "This server does not offer account management: e-mail, password "
                   "and sign-in methods cannot be changed here.",
    "sign-in-methods": "Sign-in methods",
})
NAMES["ru"].update({
    "not-managed": "Этот сервер не предлагает управление учётной записью: почту, пароль "
                   "и способы входа здесь изменить нельзя.",
    "change-password": "Смена пароля", "current-password": "Текущий пароль",
    "sign-in-methods": "Способы входа",
})


def fail(message):
    print("ui-oidc: FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OidcStory(Story):
    def __init__(self, args):
        super().__init__(args)
        self.provider = None
        self.issuer = None
        self.browser_log = os.path.join(args.work, "oidc-browser.log")

    def shot(self, key):
        path = os.path.join(self.shots, "shot-oidc-%s-%s.png" % (self.lang, key))
        time.sleep(0.4)  # let the crossfade end
        subprocess.run(["import", "-window", "root", path], check=False)

    # --- the provider --------------------------------------------------------
    def start_provider(self):
        node = shutil.which("node")
        if node is None:
            fail("node is not installed: run scripts/setup.sh (it installs nodejs and npm with apt-get)")
        if not os.path.isfile(os.path.join(INTEROP, "node_modules", "oidc-provider", "package.json")):
            fail("tests/interop/node_modules is missing: run scripts/setup.sh (npm ci in tests/interop)")
        log = open(os.path.join(self.args.work, "provider.stderr"), "w")
        self.provider = subprocess.Popen(
            [node, os.path.join(INTEROP, "provider.mjs"), "--client-id", CLIENT_ID,
             "--events", os.path.join(self.args.work, "provider.events")],
            stdout=subprocess.PIPE, stderr=log, cwd=INTEROP)
        self.issuer = self.provider.stdout.readline().decode().strip()
        if not self.issuer.startswith("http://127.0.0.1:"):
            fail("the provider did not start: %s" % open(log.name).read())
        urllib.request.urlopen(self.issuer + "/.well-known/openid-configuration", timeout=10).read()

    def stop_provider(self):
        if self.provider is not None:
            self.provider.terminate()
            self.provider.wait(timeout=30)
            self.provider = None

    def settings(self):
        """The app's settings for this server: the client id the provider
        registered, and a loopback port range (the provider accepts any
        port; this checks that the app takes the setting)."""
        port = self.port = free_port()
        for key, value in (("client-ids", "{'%s': '%s'}" % (self.issuer, CLIENT_ID)),
                           ("redirect-ports", "{'%s': '%d-%d'}" % (self.issuer, port, port + 9))):
            subprocess.run(["gsettings", "set", SCHEMA, key, value], check=True)

    # --- what is on the page -------------------------------------------------
    @staticmethod
    def visible(item):
        """Whether @item and all that hold it are visible (GTK 4.8 tells
        no SHOWING; a hidden widget, and each page of the stack but the
        current one, lack VISIBLE)."""
        while item is not None and item.get_role_name() != "application":
            if not item.get_state_set().contains(Atspi.StateType.VISIBLE):
                return False
            item = item.get_parent()
        return True

    def showing(self, role, name=None, prefix=None):
        """The names of the controls of @role that are on screen, named
        @name or starting with @prefix."""
        found = []
        for item in self.walk():
            try:
                if item.get_role_name() != role:
                    continue
                text = item.get_name() or ""
                if (name is not None and text != name) or (prefix is not None and not text.startswith(prefix)):
                    continue
                if self.visible(item):
                    found.append(text)
            except GLib.Error:
                continue
        return found

    def start_app(self, lang="en"):
        self.start(lang=lang, extra=["--server", self.issuer], env_extra={
            "PASSPORT_BROWSER": "/usr/bin/python3 " + os.path.join(INTEROP, "oidc-browser.py"),
            "PASSPORT_TEST_BROWSER_LOG": self.browser_log,
        })

    def check_account_page(self):
        self.find("label", self.name("not-managed"))
        for role, key in (("push button", "change-password"), ("password text", "current-password"),
                          ("text", "current-password"), ("list", "sign-in-methods"),
                          ("list box", "sign-in-methods")):
            shown = self.showing(role, self.name(key))
            assert not shown, "the account page of a plain provider offers %s %r" % (role, shown)
        self.find("push button", self.name("sign-out"), sensitive=True)

    # --- the story ------------------------------------------------------------
    def run(self):
        self.start_provider()
        self.settings()
        host = "127.0.0.1"

        print("ui-oidc: provider at %s; starting the app" % self.issuer, flush=True)
        # The sign-in page: one way in, named after the provider's host.
        self.start_app()
        self.page("sign-in-page")
        self.find("push button", self.name("provider") % host, sensitive=True)
        offered = self.showing("push button", prefix="Sign in with ")
        assert offered == [self.name("provider") % host], \
            "the sign-in page of a plain provider offers %r" % offered
        assert not self.showing("push button", self.name("with-password")), \
            "e-mail and password offered by a server without the passport API"

        print("ui-oidc: signing in through the browser", flush=True)
        # The provider's own login and consent pages, in the browser.
        self.click("provider", host)
        try:
            self.page("account-page", timeout=60)
        except AssertionError:
            log = open(self.browser_log).read() if os.path.exists(self.browser_log) else "(no browser log)"
            raise AssertionError("not signed in; the browser said:\n" + log)
        with open(os.path.join(self.args.work, "provider.events")) as f:
            asked = [json.loads(line) for line in f if '"authorization.request"' in line]
        port = urllib.parse.urlsplit(asked[-1]["redirect_uri"]).port
        assert self.port <= port <= self.port + 9, "the redirect-ports setting was not used: %r" % asked[-1]
        self.check_account_page()

        print("ui-oidc: restarting the app in Russian", flush=True)
        # The session comes back after a restart, from the keyring and the
        # provider's userinfo; in Russian, the line is Russian.
        self.stop()
        self.start_app(lang="ru")
        self.page("account-page", timeout=60)
        self.check_account_page()
        self.sign_out()
        self.page("sign-in-page")
        assert not self.showing("push button", self.name("with-password")), \
            "e-mail and password offered after signing out"
        self.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True)
    parser.add_argument("--shots", required=True)
    parser.add_argument("--work", required=True)
    story = OidcStory(parser.parse_args())
    # A hang says where it is, before meson's 300 s timeout kills it silently.
    faulthandler.dump_traceback_later(240, exit=True)
    try:
        story.run()
    except Exception:
        story.shot("failure")
        raise
    finally:
        story.stop()
        story.stop_provider()
    print("ui-oidc: all steps done")


if __name__ == "__main__":
    main()
