#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The Flatpak manifest, read by Flatpak's own tools (the runtime cannot be
# downloaded here, so nothing is built):
#   check-manifest.py MANIFEST [--metadata-out FILE]
#
# 1. flatpak-builder --show-manifest parses it. Its parser only warns about
#    a key it does not know (and drops it), so warnings are made fatal and
#    the parsed manifest must equal the file: nothing ignored.
# 2. The runtime is GNOME's, the SDK's branch the same, the build system of
#    every module one flatpak-builder knows.
# 3. finish-args are exactly the minimal set; named again as forbidden:
#    talking to the Secret Service (the Secret portal serves), X11 without
#    the Wayland fallback, the home or host file system, the whole session bus.
# 4. flatpak build-finish turns finish-args into the app's metadata with
#    flatpak's own option parser (an unknown socket or device is an error
#    there), and that metadata grants nothing more. --metadata-out keeps it:
#    the sandbox test (test-flatpak-sandbox.py) runs with exactly it.
#
# Then the same checks run on broken copies of the manifest and must refuse
# each one, so this test is seen to fail.
import configparser, copy, json, os, shutil, subprocess, sys, tempfile

MINIMAL_FINISH_ARGS = {
    '--share=network', '--share=ipc', '--socket=wayland', '--socket=fallback-x11', '--device=dri',
}
FORBIDDEN = (
    '--talk-name=org.freedesktop.secrets', '--own-name=org.freedesktop.secrets',
    '--socket=x11', '--socket=session-bus', '--socket=system-bus',
    '--filesystem=', '--device=all', '--talk-name=org.freedesktop.Flatpak',
)
BUILD_SYSTEMS = {'autotools', 'cmake', 'cmake-ninja', 'meson', 'simple', 'qmake'}
# GNOME 51 is the stable release on the day this was written (2026-11);
# README "Flatpak" says why. An older branch is a regression.
OLDEST_RUNTIME = 51


class Refused(Exception):
    pass


def require(condition, message):
    if not condition:
        raise Refused(message)


def show_manifest(path):
    env = dict(os.environ, G_DEBUG='fatal-warnings', LC_ALL='C.UTF-8')
    p = subprocess.run(['flatpak-builder', '--show-manifest', path],
                       capture_output=True, text=True, env=env, timeout=60)
    require(p.returncode == 0 and not p.stderr.strip(),
            'flatpak-builder --show-manifest refused it (exit %d): %s' % (p.returncode, p.stderr.strip()))
    return json.loads(p.stdout)


def finish_metadata(manifest, scratch):
    """flatpak build-finish on an empty app directory: flatpak's metadata."""
    app = os.path.join(scratch, 'app')
    shutil.rmtree(app, ignore_errors=True)
    os.makedirs(os.path.join(app, 'files', 'bin'))
    command = os.path.join(app, 'files', 'bin', manifest['command'])
    with open(command, 'w') as f:
        f.write('#!/bin/sh\n')
    os.chmod(command, 0o755)
    arch = os.uname().machine
    with open(os.path.join(app, 'metadata'), 'w') as f:
        f.write('[Application]\nname=%s\nruntime=%s/%s/%s\nsdk=%s/%s/%s\n' % (
            manifest['id'], manifest['runtime'], arch, manifest['runtime-version'],
            manifest['sdk'], arch, manifest['runtime-version']))
    env = dict(os.environ, HOME=os.path.join(scratch, 'home'), LC_ALL='C.UTF-8')
    p = subprocess.run(['flatpak', 'build-finish', app, '--command=' + manifest['command']]
                       + manifest.get('finish-args', []),
                       capture_output=True, text=True, env=env, timeout=60)
    require(p.returncode == 0, 'flatpak build-finish refused the finish-args: %s' % p.stderr.strip())
    with open(os.path.join(app, 'metadata')) as f:
        return f.read()


def check(path, scratch):
    with open(path) as f:
        original = json.load(f)
    parsed = show_manifest(path)
    require(parsed == original,
            'flatpak-builder read something else than the file says (an unknown key is dropped): %s'
            % sorted(set(json.dumps(original, sort_keys=True).split(','))
                     - set(json.dumps(parsed, sort_keys=True).split(',')))[:5])

    require(parsed.get('runtime') == 'org.gnome.Platform' and parsed.get('sdk') == 'org.gnome.Sdk',
            'the runtime is not GNOME\'s: %s / %s' % (parsed.get('runtime'), parsed.get('sdk')))
    version = str(parsed.get('runtime-version', ''))
    require(version.isdigit() and int(version) >= OLDEST_RUNTIME,
            'runtime-version %r: the current stable GNOME runtime is %d or later' % (version, OLDEST_RUNTIME))
    for module in parsed.get('modules', []):
        require(isinstance(module, dict) and module.get('buildsystem', 'autotools') in BUILD_SYSTEMS,
                'module %s: unknown build system %s' % (module.get('name'), module.get('buildsystem')))

    # flatpak's parser first: it names an option it does not know.
    metadata = finish_metadata(parsed, scratch)
    args = parsed.get('finish-args', [])
    for arg in args:
        for forbidden in FORBIDDEN:
            # a name covers its subnames; an option ending in '=' any value
            require(arg != forbidden and not arg.startswith(forbidden if forbidden.endswith('=')
                                                            else forbidden + '.'),
                    'forbidden permission %s' % arg)
    require(set(args) == MINIMAL_FINISH_ARGS and len(args) == len(set(args)),
            'finish-args are not the minimal set: extra %s, missing %s'
            % (sorted(set(args) - MINIMAL_FINISH_ARGS), sorted(MINIMAL_FINISH_ARGS - set(args))))

    keys = configparser.ConfigParser(interpolation=None, delimiters=('=',))
    keys.optionxform = str
    keys.read_string(metadata)
    context = keys['Context'] if keys.has_section('Context') else {}
    shared = set(filter(None, context.get('shared', '').split(';')))
    sockets = set(filter(None, context.get('sockets', '').split(';')))
    devices = set(filter(None, context.get('devices', '').split(';')))
    require(shared == {'network', 'ipc'}, 'metadata shares %s' % sorted(shared))
    require({'wayland', 'fallback-x11'} <= sockets and sockets <= {'wayland', 'fallback-x11', 'x11'},
            'metadata sockets %s' % sorted(sockets))
    require(devices == {'dri'}, 'metadata devices %s' % sorted(devices))
    require('filesystems' not in context, 'metadata grants file systems: %s' % context.get('filesystems'))
    for section in ('Session Bus Policy', 'System Bus Policy'):
        if keys.has_section(section):
            require(not dict(keys[section]), 'metadata [%s] grants %s' % (section, dict(keys[section])))
    return metadata


def mutants(original):
    def with_args(extra=(), drop=()):
        m = copy.deepcopy(original)
        m['finish-args'] = [a for a in m['finish-args'] if a not in drop] + list(extra)
        return m

    yield 'talks to the Secret Service', with_args(['--talk-name=org.freedesktop.secrets'])
    yield 'plain X11 instead of the fallback', with_args(['--socket=x11'], ['--socket=fallback-x11'])
    yield 'the home directory', with_args(['--filesystem=home'])
    yield 'a socket flatpak does not know', with_args(['--socket=fallback-x12'], ['--socket=fallback-x11'])
    m = copy.deepcopy(original)
    m['modulez'] = m.pop('modules')
    yield 'a misspelt key', m
    m = copy.deepcopy(original)
    m['runtime-version'] = '43'
    yield 'the retired GNOME 43 runtime', m


def main():
    path = sys.argv[1]
    metadata_out = sys.argv[sys.argv.index('--metadata-out') + 1] if '--metadata-out' in sys.argv else None
    for program in ('flatpak-builder', 'flatpak'):
        if shutil.which(program) is None:
            print('FAIL: %s is not installed (Debian package %s; scripts/setup.sh installs it)'
                  % (program, program), file=sys.stderr)
            return 1
    scratch = tempfile.mkdtemp(prefix='passport-manifest-')
    try:
        try:
            metadata = check(path, scratch)
        except Refused as e:
            print('FAIL: %s: %s' % (path, e), file=sys.stderr)
            return 1
        print('ok: %s read by flatpak-builder and flatpak build-finish; minimal permissions' % path)

        with open(path) as f:
            original = json.load(f)
        for what, manifest in mutants(original):
            copy_path = os.path.join(scratch, 'mutant.json')
            with open(copy_path, 'w') as f:
                json.dump(manifest, f, indent=2)
            try:
                check(copy_path, scratch)
            except Refused as e:
                print('ok: refused a manifest with %s (%s)' % (what, e))
                continue
            print('FAIL: a manifest with %s passed the checks' % what, file=sys.stderr)
            return 1

        if metadata_out:
            with open(metadata_out, 'w') as f:
                f.write(metadata)
        return 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


sys.exit(main())
