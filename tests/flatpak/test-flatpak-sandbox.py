#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Flatpak lane: the real passportctl inside bubblewrap as Flatpak would
# run it, against passportd outside on loopback.
#   test-flatpak-sandbox.py PASSPORTCTL MANIFEST
# (PASSPORTD, SCRIPTED_BROWSER and CHECK_MANIFEST in the environment; run
# under run-display.sh and run-isolated.sh: a display for the portal's gtk
# backend, a private session bus with an unlocked gnome-keyring.)
#
# The sandbox is made from the manifest: check-manifest.py turns its
# finish-args into metadata with flatpak build-finish, and that metadata is
# the sandbox's /.flatpak-info (so GLib and libsecret know they are
# sandboxed, and xdg-desktop-portal knows the app), decides whether the
# network and IPC are shared, and gives the D-Bus filter its rules. The bus
# reaches the sandbox through xdg-dbus-proxy, which lets it talk to the
# portals only, as Flatpak's does; its log is what the test reads to see
# which calls were made. The host's /usr stands in for the runtime; its
# applications are hidden, as the runtime has no web browser, so GLib opens
# links through the OpenURI portal.
#
# What it shows: a social sign-in opens the browser through the OpenURI
# portal (the browser stand-in is the desktop's default web handler) and the
# redirect reaches the loopback listener inside the sandbox; the session is
# stored by libsecret's file backend under the sandbox's
# $XDG_DATA_HOME/keyrings, keyed by the Secret portal (gnome-keyring's
# backend), with no Secret Service call; a new sandboxed process restores
# it; sign-out removes it; a password sign-in does the same. When the app is
# built (PASSPORT_APP), the GTK app in the same sandbox, driven through
# AT-SPI, restores that session, signs out, and signs in with Google through
# the OpenURI portal, and passportctl restores the app's session.
import argparse, configparser, glob, json, os, re, shutil, subprocess, sys, tempfile, time, urllib.request

APP_ID = 'io.github.passportdesk.Passport'
KEYRING_MAGIC = b'GnomeKeyring\n\r\0\n'
ctl, manifest = os.path.abspath(sys.argv[1]), sys.argv[2]
passportd, browser = os.environ['PASSPORTD'], os.environ['SCRIPTED_BROWSER']
check_manifest = os.environ['CHECK_MANIFEST']
shim = os.environ['PORTAL_RESPONSE_SHIM']
children = []
checks = 0


class Failed(Exception):
    pass


def require(condition, message):
    global checks
    if not condition:
        raise Failed(message)
    checks += 1


def wait_for(what, condition, timeout=20, interval=0.05):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise Failed('timed out after %d s waiting for %s' % (timeout, what))
        time.sleep(interval)


def start(argv, log, **kwargs):
    p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, **kwargs)
    children.append(p)
    return p


def missing_programs():
    need = {
        'bwrap': 'bubblewrap', 'xdg-dbus-proxy': 'xdg-dbus-proxy', 'flatpak': 'flatpak',
        'flatpak-builder': 'flatpak-builder', 'gdbus': 'libglib2.0-bin',
        'gnome-keyring-daemon': 'gnome-keyring', 'secret-tool': 'libsecret-tools',
        '/usr/libexec/xdg-desktop-portal': 'xdg-desktop-portal',
        '/usr/libexec/xdg-desktop-portal-gtk': 'xdg-desktop-portal-gtk',
        '/usr/share/xdg-desktop-portal/portals/gtk.portal': 'xdg-desktop-portal-gtk',
        '/usr/share/xdg-desktop-portal/portals/gnome-keyring.portal': 'gnome-keyring (42 or later)',
    }
    return ['%s (Debian package %s)' % (path, package) for path, package in need.items()
            if not (os.path.exists(path) if path.startswith('/') else shutil.which(path))]


def gdbus_property(interface, name):
    p = subprocess.run(['gdbus', 'call', '--session', '--dest', 'org.freedesktop.portal.Desktop',
                        '--object-path', '/org/freedesktop/portal/desktop', '--method',
                        'org.freedesktop.DBus.Properties.Get', interface, name],
                       capture_output=True, text=True, timeout=30)
    return p.stdout.strip() if p.returncode == 0 else None


class Sandbox:
    """A Flatpak-like sandbox for APP_ID with the context of @metadata."""

    def __init__(self, tmp, metadata):
        self.tmp = tmp
        keys = configparser.ConfigParser(interpolation=None, delimiters=('=',))
        keys.optionxform = str
        keys.read_string(metadata)
        context = keys['Context']
        self.shared = set(filter(None, context.get('shared', '').split(';')))
        # [Session Bus Policy] name=see|talk|own: the proxy's --see/--talk/--own.
        policy = keys['Session Bus Policy'] if keys.has_section('Session Bus Policy') else {}
        self.bus_rules = ['--%s=%s' % (level, name) for name, level in policy.items()
                          if level in ('see', 'talk', 'own')]
        # /.flatpak-info: the app's metadata and an instance, as flatpak run
        # writes it.
        self.info = os.path.join(tmp, 'flatpak-info')
        with open(self.info, 'w') as f:
            f.write(metadata.rstrip('\n') + '\n\n[Instance]\ninstance-id=%d\nbranch=master\narch=%s\n'
                    'flatpak-version=1.14.4\nsession-bus-proxy=true\n' % (os.getpid(), os.uname().machine))
        self.home = os.path.join(tmp, 'home')
        self.app_dir = os.path.join(self.home, '.var', 'app', APP_ID)
        for sub in ('data', 'config', 'cache'):
            os.makedirs(os.path.join(self.app_dir, sub))
        self.keyring = os.path.join(self.app_dir, 'data', 'keyrings', 'default.keyring')
        self.runtime_dir = '/run/user/%d' % os.getuid()
        self.proxy_dir = os.path.join(tmp, 'proxy')
        os.makedirs(self.proxy_dir)
        self.proxy_socket = os.path.join(self.proxy_dir, 'bus')
        self.proxy_log = os.path.join(tmp, 'dbus-proxy.log')

    def base(self):
        argv = ['bwrap', '--die-with-parent', '--unshare-pid', '--new-session',
                '--ro-bind', '/usr', '/usr', '--ro-bind', '/etc', '/etc',
                '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp',
                '--ro-bind', self.info, '/.flatpak-info']
        for link in ('bin', 'lib', 'lib64', 'sbin'):
            if os.path.islink('/' + link):
                argv += ['--symlink', os.readlink('/' + link), '/' + link]
        if 'network' not in self.shared:
            argv.append('--unshare-net')
        if 'ipc' not in self.shared:
            argv.append('--unshare-ipc')
        return argv

    def start_proxy(self, log):
        # The proxy runs sandboxed too, with the same /.flatpak-info: the
        # portal asks the bus for the caller's pid, which is the proxy's,
        # and reads the app id from that process's /.flatpak-info.
        address = os.environ['DBUS_SESSION_BUS_ADDRESS']
        argv = self.base() + ['--bind', self.proxy_dir, self.proxy_dir]
        path = re.search(r'unix:path=([^,;]+)', address)
        if path:
            argv += ['--ro-bind', path.group(1), path.group(1)]
        argv += ['--', 'xdg-dbus-proxy', address, self.proxy_socket, '--filter', '--log',
                 '--own=%s' % APP_ID, '--own=%s.*' % APP_ID,
                 '--call=org.freedesktop.portal.*=*',
                 '--broadcast=org.freedesktop.portal.*=@/org/freedesktop/portal/*']
        argv += self.bus_rules
        # xdg-dbus-proxy logs with g_print: line-buffered, so the log is
        # complete when a sandboxed process has ended.
        start(['stdbuf', '-oL', '-eL'] + argv, log)
        wait_for('the D-Bus proxy socket', lambda: os.path.exists(self.proxy_socket))

    def command(self, argv, env=None, binds=()):
        """bwrap's command line for @argv in the sandbox; @binds are
        (outside, inside) pairs bound read-only."""
        sandbox_env = {
            'HOME': self.home, 'PATH': '/app/bin:/usr/bin', 'LC_ALL': 'C.UTF-8',
            'XDG_DATA_HOME': os.path.join(self.app_dir, 'data'),
            'XDG_CONFIG_HOME': os.path.join(self.app_dir, 'config'),
            'XDG_CACHE_HOME': os.path.join(self.app_dir, 'cache'),
            'XDG_DATA_DIRS': '/app/share:/usr/share', 'XDG_RUNTIME_DIR': self.runtime_dir,
            'DBUS_SESSION_BUS_ADDRESS': 'unix:path=%s/bus' % self.runtime_dir,
            'FLATPAK_ID': APP_ID, 'GIO_USE_PROXY_RESOLVER': 'dummy', 'G_DEBUG': 'fatal-criticals',
            # Debian 12's libsecret loses a fast Response (portal-response-shim.c).
            'LD_PRELOAD': '/app/lib/portal-response-shim.so',
        }
        sandbox_env.update(env or {})
        full = self.base() + [
            # The runtime has no web browser: GLib falls back to the portal.
            '--tmpfs', '/usr/share/applications',
            '--ro-bind', ctl, '/app/bin/passportctl',
            '--ro-bind', shim, '/app/lib/portal-response-shim.so',
            '--dir', self.home, '--bind', self.app_dir, self.app_dir,
            '--dir', self.runtime_dir, '--ro-bind', self.proxy_socket, self.runtime_dir + '/bus']
        for outside, inside in binds:
            full += ['--ro-bind', outside, inside]
        full.append('--clearenv')
        for name, value in sandbox_env.items():
            full += ['--setenv', name, value]
        return full + ['--'] + argv

    def run(self, argv, stdin=None, env=None, timeout=30):
        try:
            return subprocess.run(self.command(argv, env), input=stdin, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failed('sandboxed %s did not end within %d s' % (' '.join(argv), timeout))

    def proxy_lines(self):
        with open(self.proxy_log, errors='replace') as f:
            return f.read().splitlines()

    def session_items(self, server_url):
        """The labels of the session items libsecret finds inside the
        sandbox (secret-tool prints the secret too, which stays here). By
        the schema's server attribute: the file backend keeps no
        xdg:schema."""
        p = self.run(['secret-tool', 'search', '--all', 'server', server_url])
        if p.returncode not in (0, 1):
            raise Failed('secret-tool search in the sandbox: exit %d: %s' % (p.returncode, p.stderr.strip()))
        return [line for line in p.stdout.splitlines() if line.startswith('label = ')]


def app_flow(sandbox, url, tmp, log):
    """The GTK app in the same sandbox, driven through AT-SPI as
    tests/ui/story.py drives it: it restores the session passportctl
    stored, signs out, and signs in with Google through the OpenURI portal;
    passportctl then finds that session in a new process."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'ui'))
    sys.dont_write_bytecode = True
    import story as ui_story
    from gi.repository import Atspi, GLib

    p = subprocess.run(['gdbus', 'call', '--session', '--dest', 'org.a11y.Bus', '--object-path',
                        '/org/a11y/bus', '--method', 'org.a11y.Bus.GetAddress'],
                       capture_output=True, text=True, timeout=30)
    a11y = re.search(r"unix:path=([^,']+)", p.stdout)
    require(a11y is not None, 'no accessibility bus: %s %s' % (p.stdout, p.stderr))
    binds = [(os.environ['PASSPORT_APP'], '/app/bin/passport'),
             (os.environ['PASSPORT_SCHEMAS'], '/app/share/glib-2.0/schemas/gschemas.compiled'),
             (a11y.group(1), sandbox.runtime_dir + '/at-spi-bus')]
    if os.path.isdir('/tmp/.X11-unix'):
        binds.append(('/tmp/.X11-unix', '/tmp/.X11-unix'))
    # What flatpak run gives a GTK app under X11 with the a11y bus.
    # GTK's cairo renderer: Xvfb's software GL would take the CPU the test
    # needs on a loaded machine, and rendering is not what this shows.
    env = {'DISPLAY': os.environ['DISPLAY'], 'GDK_BACKEND': 'x11', 'GSETTINGS_BACKEND': 'keyfile',
           'AT_SPI_BUS_ADDRESS': 'unix:path=%s/at-spi-bus' % sandbox.runtime_dir, 'LANGUAGE': '',
           'GSK_RENDERER': 'cairo'}
    story = ui_story.Story(argparse.Namespace(app=None, shots=tmp, work=tmp))
    story.proc = None

    def start_app():
        proc = start(sandbox.command(['passport', '--server', url], env, binds), log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and story.app is None:
            desktop = Atspi.get_desktop(0)
            for i in range(desktop.get_child_count()):
                app = desktop.get_child_at_index(i)
                try:
                    if app is not None and app.get_name() == 'passport':
                        story.app = app
                except GLib.Error:
                    pass
            require(proc.poll() is None, 'the sandboxed app ended (exit %s)' % proc.returncode)
            time.sleep(0.2)
        require(story.app is not None, 'the sandboxed app did not appear on the accessibility bus')
        return proc

    def page(key, timeout=60):
        # As story.page, without its name check and screenshot; walking the
        # tree is a round trip per node (GTK 4.8 has no AT-SPI cache), so
        # once a second.
        name = story.name(key)
        deadline = time.monotonic() + timeout
        while name not in story.current_pages():
            if time.monotonic() > deadline:
                raise Failed('the sandboxed app did not show %r (shown: %s)' % (name, story.current_pages()))
            time.sleep(1)

    def quit_app(proc):
        story.press_keys('Control_L', 'w')   # closes the window; the app ends
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            raise Failed('the sandboxed app did not end after Ctrl+W')
        require(proc.returncode == 0, 'the sandboxed app ended with %d' % proc.returncode)
        story.app = None

    try:
        proc = start_app()
        page('account-page')   # restored from the portal's keyring
        story.sign_out()
        page('sign-in-page')
        wait_for('the app\'s sign-out to reach the keyring', lambda: sandbox.session_items(url) == [],
                 interval=0.5)
        before = len(sandbox.proxy_lines())
        story.click('provider', 'Google')
        page('account-page')   # back from the browser outside
        require(any('org.freedesktop.portal.OpenURI.OpenURI' in line
                    for line in sandbox.proxy_lines()[before:]),
                'the app did not open the browser through the OpenURI portal')
        wait_for('the app\'s session in the keyring', lambda: len(sandbox.session_items(url)) == 1,
                 interval=0.5)
        quit_app(proc)
    except AssertionError as e:   # story.py's helpers assert
        raise Failed('the sandboxed app: %s' % e)


def main():
    global checks
    missing = missing_programs()
    if missing:
        print('FAIL: the Flatpak lane needs %s; scripts/setup.sh installs them' % ', '.join(missing),
              file=sys.stderr)
        return 1
    for name in ('PASSPORT_BROWSER', 'SECRET_BACKEND', 'SECRET_FILE_TEST_PATH', 'SECRET_FILE_TEST_PASSWORD'):
        os.environ.pop(name, None)

    tmp = tempfile.mkdtemp(prefix='passport-flatpak-')
    logs = {}

    def log(name):
        logs[name] = os.path.join(tmp, name + '.log')
        return open(logs[name], 'w')

    try:
        # The manifest, read by flatpak: the sandbox's metadata.
        metadata_file = os.path.join(tmp, 'metadata')
        p = subprocess.run(['/usr/bin/python3', check_manifest, manifest, '--metadata-out', metadata_file],
                           capture_output=True, text=True, timeout=60)
        require(p.returncode == 0, 'check-manifest.py failed:\n' + p.stdout + p.stderr)
        with open(metadata_file) as f:
            sandbox = Sandbox(tmp, f.read())
        require('network' in sandbox.shared, 'the manifest does not share the network')
        require(not any('org.freedesktop.secrets' in rule for rule in sandbox.bus_rules),
                'the manifest lets the app talk to the Secret Service')

        server = subprocess.Popen([passportd, '--listen', '127.0.0.1:0', '--test-clock',
                                   '--database', os.path.join(tmp, 'db.sqlite3'),
                                   '--maildir', os.path.join(tmp, 'Maildir')],
                                  stdout=subprocess.PIPE, stderr=log('passportd'),
                                  env=dict(os.environ, PASSPORTD_TESTING='1'))
        children.append(server)
        url = server.stdout.readline().decode().strip()
        require(url.startswith('http://127.0.0.1:'), 'passportd did not start: %r' % url)

        # The desktop outside: the browser stand-in is its default web
        # handler. It notes each start in a file the sandbox cannot reach.
        opened = os.path.join(tmp, 'browser-opened')
        wrapper = os.path.join(tmp, 'browser')
        with open(wrapper, 'w') as f:
            f.write('#!/bin/sh\necho "$$" >> "%s"\nexec /usr/bin/python3 "%s" "$1" 2>>"%s"\n'
                    % (opened, browser, os.path.join(tmp, 'browser.log')))
        os.chmod(wrapper, 0o755)
        applications = os.path.join(os.environ['XDG_DATA_HOME'], 'applications')
        os.makedirs(applications, exist_ok=True)
        with open(os.path.join(applications, 'passport-test-browser.desktop'), 'w') as f:
            f.write('[Desktop Entry]\nType=Application\nName=Test browser\nExec=%s %%u\n'
                    'MimeType=x-scheme-handler/http;x-scheme-handler/https;\nNoDisplay=true\n' % wrapper)
        os.makedirs(os.environ['XDG_CONFIG_HOME'], exist_ok=True)
        with open(os.path.join(os.environ['XDG_CONFIG_HOME'], 'mimeapps.list'), 'w') as f:
            f.write('[Default Applications]\nx-scheme-handler/http=passport-test-browser.desktop\n'
                    'x-scheme-handler/https=passport-test-browser.desktop\n')

        # xdg-desktop-portal with only the gtk backend and gnome-keyring's
        # Secret backend (UseIn=gnome), whatever else is installed.
        portals = os.path.join(tmp, 'portals')
        os.makedirs(portals)
        for name in ('gtk.portal', 'gnome-keyring.portal'):
            shutil.copy(os.path.join('/usr/share/xdg-desktop-portal/portals', name), portals)
        start(['/usr/libexec/xdg-desktop-portal', '--replace'], log('xdg-desktop-portal'),
              env=dict(os.environ, XDG_CURRENT_DESKTOP='GNOME', XDG_DESKTOP_PORTAL_DIR=portals,
                       G_MESSAGES_DEBUG='all', PASSPORT_TEST_EMAIL='flatpak@example.net',
                       PASSPORT_TEST_NAME='Flatpak Tester', PASSPORT_TEST_ACTION='continue'))
        p = subprocess.run(['gdbus', 'wait', '--session', '--timeout', '30', 'org.freedesktop.portal.Desktop'],
                           capture_output=True, text=True, timeout=60)
        require(p.returncode == 0, 'xdg-desktop-portal did not appear on the bus: ' + p.stderr)
        require(gdbus_property('org.freedesktop.portal.Secret', 'version') is not None,
                'the portal has no Secret interface (gnome-keyring\'s backend not found)')
        require(gdbus_property('org.freedesktop.portal.OpenURI', 'version') is not None,
                'the portal has no OpenURI interface (the gtk backend did not start: is there a display?)')

        sandbox.start_proxy(log('dbus-proxy'))  # writes sandbox.proxy_log

        def ctl_run(args, expect, stdin=None):
            p = sandbox.run(['passportctl'] + args, stdin=stdin, env={'PASSPORT_SERVER': url})
            require(p.returncode == expect, 'sandboxed passportctl %s: exit %d, expected %d\n%s'
                    % (' '.join(args), p.returncode, expect, p.stderr))
            return p

        def status(expect):
            state = json.loads(ctl_run(['status', '--json'], expect).stdout)
            return state

        fresh = status(3)
        require(fresh['state'] == 'signed-out', 'a fresh sandbox is signed out')
        # The keyring's health says where the session will be kept.
        require(fresh['keyring']['state'] == 'sandboxed',
                'the keyring is said to be the Secret portal: %r' % fresh['keyring'])

        # Social sign-in: GLib finds no browser inside, so it asks the
        # OpenURI portal; the portal starts the default web handler outside;
        # its redirect comes back to passportctl's loopback listener inside.
        before = len(sandbox.proxy_lines())
        ctl_run(['sign-in', '--provider', 'google'], 3)
        with open(opened) as f:
            require(len(f.read().split()) == 1, 'the browser was started once, outside the sandbox')
        calls = sandbox.proxy_lines()[before:]
        require(any('org.freedesktop.portal.OpenURI.OpenURI' in line for line in calls),
                'the browser was not opened through the OpenURI portal:\n' + '\n'.join(calls))
        require(status(3)['state'] == 'needs-terms', 'the social account signed in, next the terms')

        # The session is in the file keyring inside the sandbox.
        require(os.path.exists(sandbox.keyring), 'no keyring file at $XDG_DATA_HOME/keyrings/default.keyring')
        with open(sandbox.keyring, 'rb') as f:
            require(f.read(len(KEYRING_MAGIC)) == KEYRING_MAGIC, 'the keyring file is not libsecret\'s format')
        require(len(sandbox.session_items(url)) == 1, 'one session item in the sandbox\'s keyring')

        ctl_run(['accept-terms'], 3)
        ctl_run(['bind-email', 'flatpak@example.net'], 3, stdin='a long QA password in a sandbox\n')
        require(status(3)['state'] == 'awaiting-confirmation', 'awaiting the confirmation mail')
        mail_files = sorted(glob.glob(os.path.join(tmp, 'Maildir', 'new', '*')))
        require(mail_files, 'no confirmation mail')
        with open(mail_files[-1]) as f:
            link = re.search(r'^(http://\S+/email/confirm\?token=\S+)$', f.read(), re.M)
        require(link is not None, 'no confirmation link in the mail')
        with urllib.request.urlopen(link.group(1), timeout=30) as response:
            require(response.status == 200, 'confirming the e-mail')

        # A new sandboxed process restores the session from the file keyring.
        state = status(0)
        require(state['state'] == 'signed-in' and state['account']['email'] == 'flatpak@example.net'
                and state.get('remembered', True) is not False, 'restored and signed in: %s' % state)

        ctl_run(['sign-out'], 0)
        require(status(3)['state'] == 'signed-out', 'signed out in a new process')
        require(sandbox.session_items(url) == [], 'sign-out left the session in the sandbox\'s keyring')

        # E-mail and password, the same way.
        ctl_run(['sign-in', '--email', 'flatpak@example.net'], 0, stdin='a long QA password in a sandbox\n')
        require(len(sandbox.session_items(url)) == 1, 'the password sign-in stored its session')
        require(status(0)['account']['email'] == 'flatpak@example.net', 'restored after the password sign-in')

        # The app: restores it, signs out, signs in through the browser.
        if os.environ.get('PASSPORT_APP'):
            app_flow(sandbox, url, tmp, log('passport'))
            with open(opened) as f:
                require(len(f.read().split()) == 2, 'the app opened the browser outside')
            require(status(0)['account']['email'] == 'flatpak@example.net',
                    'passportctl restores the app\'s session in a new process')
        ctl_run(['sign-out'], 0)
        require(sandbox.session_items(url) == [], 'the second sign-out left the session behind')
        require(status(3)['state'] == 'signed-out', 'signed out at the end')

        # Who was called: the Secret portal, never the Secret Service.
        lines = sandbox.proxy_lines()
        require(any('org.freedesktop.portal.Secret.RetrieveSecret' in line for line in lines),
                'libsecret never asked the Secret portal for the app\'s key')
        service = [line for line in lines if 'org.freedesktop.secrets' in line
                   or 'org.freedesktop.Secret.' in line]
        require(service == [], 'the sandbox called the Secret Service:\n' + '\n'.join(service[:5]))

        # Outside: the login keyring holds the portal's key for the app and
        # no Passport session.
        p = subprocess.run(['secret-tool', 'search', '--all', 'server', url],
                           capture_output=True, text=True, timeout=30)
        require('label = ' not in p.stdout, 'a Passport session reached the Secret Service outside')
        p = subprocess.run(['gdbus', 'call', '--session', '--dest', 'org.freedesktop.secrets',
                            '--object-path', '/org/freedesktop/secrets', '--method',
                            'org.freedesktop.Secret.Service.SearchItems', "{'app_id': '%s'}" % APP_ID],
                           capture_output=True, text=True, timeout=30)
        require(p.returncode == 0 and '/org/freedesktop/secrets/collection/' in p.stdout,
                'gnome-keyring holds no portal key for %s: %s %s' % (APP_ID, p.stdout, p.stderr))

        # The check above can fail: a Secret Service call from inside is
        # refused by the proxy, and its log shows it.
        p = sandbox.run(['gdbus', 'call', '--session', '--dest', 'org.freedesktop.secrets',
                         '--object-path', '/org/freedesktop/secrets', '--method',
                         'org.freedesktop.Secret.Service.SearchItems', "{'server': '%s'}" % url])
        require(p.returncode != 0, 'the proxy let the sandbox reach the Secret Service')
        require(any('org.freedesktop.secrets' in line for line in sandbox.proxy_lines()[len(lines):]),
                'the proxy log does not show the call to the Secret Service')

        print('ok: %d checks (social sign-in through the OpenURI portal, the session in the Secret '
              'portal\'s file keyring, restored in new sandboxed processes, removed by sign-out%s)'
              % (checks, '; the app too' if os.environ.get('PASSPORT_APP') else ''))
        return 0
    except (Failed, subprocess.TimeoutExpired, json.JSONDecodeError) as e:
        print('FAIL: %s' % e, file=sys.stderr)
        for name, path in sorted(logs.items()):
            with open(path, errors='replace') as f:
                tail = f.read().splitlines()[-25:]
            print('--- %s (last lines) ---\n%s' % (name, '\n'.join(tail)), file=sys.stderr)
        return 1
    finally:
        for child in reversed(children):
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        # xdg-desktop-portal started the document portal (by D-Bus
        # activation), which mounts a FUSE file system on the private
        # $XDG_RUNTIME_DIR/doc; run-isolated.sh could not remove it.
        doc = os.path.join(os.environ.get('XDG_RUNTIME_DIR', '/nonexistent'), 'doc')
        if os.path.ismount(doc):
            subprocess.run(['fusermount3', '-u', '-z', doc], timeout=30)
        if os.environ.get('PASSPORT_FLATPAK_KEEP'):
            print('kept %s' % tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


sys.exit(main())
