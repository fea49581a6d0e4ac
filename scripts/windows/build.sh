#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Cross-builds Passport's GTK-free part for 64-bit Windows with Debian's
# mingw-w64 and runs it under wine (README "Windows"):
#
#   1. the libraries the core needs, from Debian's source packages (zlib,
#      libffi, pcre2, GLib, libpsl, nghttp2, SQLite, libsoup 3, json-glib;
#      libqrencode for passportctl) and a libintl stand-in (scripts/windows/intl), installed into a prefix
#      in the cache, keyed by a hash of deps.sh, the cross file, the
#      stand-in and the source packages' versions;
#   2. libpassport-core, passportctl.exe and the client's tests in $BUILD_DIR
#      (default build-win; -Dserver=false -Dapp=false);
#   3. under wine: the core's tests, the credential-store conformance test
#      against the Windows Credential Manager, the flow's unit test and the
#      fuzz seeds (meson test --suite core --suite flow --suite fuzz-seeds),
#      then passportctl.exe against a Linux passportd on 127.0.0.1
#      (tests/windows/test-wine-passportctl.py).
#
#   scripts/windows/build.sh [deps|build|test|all]     (default: all)
#   scripts/windows/build.sh key     the prefix's cache key
#
# Environment: PASSPORT_WINDOWS_CACHE (default ~/.cache/passport-windows),
# BUILD_DIR (default build-win), NATIVE_BUILD_DIR (the Linux passportd and
# passportctl; default $BUILD_DIR-native, configured with -Dapp=false and
# built here when they are missing; CI passes its ./build), JOBS (default 2).
#
# Needs (Debian 12): mingw-w64 wine wine64 dpkg-dev tcl cmake meson, and
# deb-src entries for `apt-get source` (added here when missing and root).
# Debian's mirror may lack a source tarball (json-glib's was missing here):
# put PACKAGE_VERSION.orig.tar.* into $PASSPORT_WINDOWS_CACHE/src by hand;
# without it the script exits 77 (skipped) before building anything.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/scripts/windows
stage=${1:-all}
cache=${PASSPORT_WINDOWS_CACHE:-$HOME/.cache/passport-windows}
build_dir=${BUILD_DIR:-$top/build-win}
native_dir=${NATIVE_BUILD_DIR:-$build_dir-native}
jobs=${JOBS:-2}
host=x86_64-w64-mingw32
src_dir=$cache/src

# The libraries and how each is built: scripts/windows/deps.sh. Changing
# it (or the cross file, or the stand-in) rebuilds the prefix; changing
# this script does not.
# shellcheck source=deps.sh
source "$here/deps.sh"

log() { printf 'windows: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
run_nice() { nice -n 10 "$@"; }

check_tools() {
  local missing=()
  for tool in $host-gcc wine wineboot winepath meson ninja cmake pkg-config dpkg-source tclsh python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) ||
    die "missing ${missing[*]} (Debian: apt-get install mingw-w64 wine wine64 dpkg-dev tcl cmake meson)"
}

# deb-src entries beside the deb ones, so that `apt-get source` works.
ensure_deb_src() {
  [[ -n "$(apt-cache showsrc zlib 2>/dev/null)" ]] && return 0
  [[ $(id -u) -eq 0 ]] || die "apt-get source needs deb-src entries in the apt sources"
  log "adding deb-src entries beside the deb ones"
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    sed -n 's/^Types:.*\bdeb\b.*/Types: deb-src/; /^\(Types\|URIs\|Suites\|Components\|Signed-By\|\)\(:\|$\)/p' \
      /etc/apt/sources.list.d/debian.sources >/etc/apt/sources.list.d/passport-deb-src.sources
  fi
  if [[ -f /etc/apt/sources.list ]]; then
    sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list >/etc/apt/sources.list.d/passport-deb-src.list
  fi
  apt-get update -qq
}

# Whether every file a .dsc lists is beside it.
dsc_complete() {
  local file
  for file in $(awk '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 } on { print $3 }' "$1"); do
    [[ -f "$(dirname "$1")/$file" ]] || return 1
  done
}

# The source package's .dsc in $src_dir, downloaded if there is none: the
# newest version the mirror has (a security update may be listed but not
# served). Prints the .dsc, or the bare orig tarball put there by hand.
fetch_source() {
  local pkg=$1 found
  found=$(ls "$src_dir/${pkg}_"*.dsc 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z "$found" ]]; then
    ensure_deb_src
    local version
    for version in $(apt-cache showsrc --only-source "$pkg" | sed -n 's/^Version: //p' | sort -rV); do
      if (cd "$src_dir" && apt-get source -qq --download-only "$pkg=$version" >/dev/null 2>&1); then
        break
      fi
    done
    found=$(ls "$src_dir/${pkg}_"*.dsc 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  # A .dsc whose files are not all there (the mirror lacked one): fall back
  # to an orig tarball alone.
  if [[ -n "$found" ]] && dsc_complete "$found"; then
    echo "$found"
    return 0
  fi
  found=$(ls "$src_dir/${pkg}_"*.orig.tar.* 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z "$found" ]]; then
    # Not this project's failure: the mirror does not serve it. Exit 77
    # (skipped) so that CI can tell this from a broken build.
    log "no source for $pkg: apt-get source failed; put ${pkg}_VERSION.orig.tar.xz into $src_dir"
    exit 77
  fi
  echo "$found"
}

# Unpacks a source (with Debian's patches when it is a .dsc) into $2.
unpack_source() {
  local source=$1 dest=$2
  rm -rf "$dest"
  if [[ "$source" == *.dsc ]]; then
    # gpgv cannot check the signature without Debian's keyring; the
    # checksums in the .dsc are checked.
    dpkg-source -q -x "$source" "$dest" >/dev/null 2>&1 ||
      dpkg-source -x "$source" "$dest" >&2
  else
    mkdir -p "$dest"
    tar -xf "$source" -C "$dest" --strip-components=1
  fi
}

declare -A sources
resolve_sources() {
  mkdir -p "$src_dir"
  local pkg
  for pkg in "${packages[@]}"; do
    sources[$pkg]=$(fetch_source "$pkg")
  done
}

# The cache key: what decides the prefix's contents.
prefix_key() {
  {
    cat "$here/deps.sh" "$here/x86_64-w64-mingw32.ini" "$here"/intl/*
    local pkg
    for pkg in "${packages[@]}"; do basename "${sources[$pkg]}"; done
    $host-gcc --version | head -n 1
  } | sha256sum | cut -c1-16
}

check_tools
resolve_sources
key=$(prefix_key)
# One prefix, at a fixed path (the .pc files name it): rebuilt when the key
# changes.
prefix=$cache/prefix
work=$cache/work

case $stage in
  deps|build|test|all) ;;
  key) echo "$key"; exit 0 ;;
  *) die "usage: $0 [deps|build|test|all|key]" ;;
esac

if [[ "$(cat "$prefix/.key" 2>/dev/null)" != "$key" ]]; then
  rm -rf "$prefix" "$work"
  mkdir -p "$prefix"
  echo "$key" >"$prefix/.key"
fi
# The cross file that names the prefix, for the libraries' builds and for
# Passport's (whose build.ninja reads it again when Meson regenerates).
mkdir -p "$work"
printf "[constants]\nprefix = '%s'\n" "$prefix" >"$work/prefix.ini"

if [[ ! -f "$prefix/.complete" ]]; then
  start=$SECONDS
  build_deps
  log "libraries built in $((SECONDS - start)) s"
else
  log "libraries: cached in $prefix"
fi
[[ $stage == deps ]] && exit 0

# 2. Passport for Windows: the core, passportctl.exe and the client's tests.
werror=false
[[ -n "${CI:-}" || -n "${PASSPORT_WERROR:-}" ]] && werror=true
start=$SECONDS
if [[ ! -f "$build_dir/build.ninja" ]]; then
  meson setup "$build_dir" "$top" --cross-file "$work/prefix.ini" \
    --cross-file "$here/x86_64-w64-mingw32.ini" -Dserver=false -Dapp=false -Dtests=true \
    -Dwerror=$werror >"$cache/setup.log" 2>&1 || { tail -n 40 "$cache/setup.log" >&2; die "meson setup failed"; }
else
  meson configure "$build_dir" -Dwerror=$werror >/dev/null
fi
run_nice meson compile -C "$build_dir" -j "$jobs" >"$cache/compile.log" 2>&1 ||
  { grep -B2 -A12 'error:\|FAILED' "$cache/compile.log" | head -n 80 >&2; die "the Windows build failed"; }
log "Passport built in $((SECONDS - start)) s ($build_dir)"
[[ $stage == build ]] && exit 0

# 3. Under wine, in a wine prefix of its own (its registry holds what the
# Credential Manager stores).
export WINEPREFIX=$cache/wine WINEDEBUG=-all WINEDLLOVERRIDES='mscoree,mshtml='
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
  log "creating the wine prefix $WINEPREFIX"
  wineboot -i >/dev/null 2>&1 || die "wineboot failed"
fi
# One wineserver for the whole run (started here, ended at exit): without
# it each wine process boots wine's services again, several times slower.
wineserver -p
trap 'wineserver -k 2>/dev/null || true' EXIT
# No debugger for a crashing process: wine's would wait for someone to
# attach, and the test for it, until its timeout.
wine reg delete 'HKLM\Software\Microsoft\Windows NT\CurrentVersion\AeDebug' /v Debugger /f \
  >/dev/null 2>&1 || true
WINEPATH=$(winepath -w "$prefix/bin" 2>/dev/null)
export WINEPATH

rc=0
# The core's tests (unit and in-process servers), the memory store's and the
# Credential Manager's conformance, the flow's unit test, the fuzz seeds.
rm -f "$build_dir/meson-logs/testlog.json"
# wine-started.py runs a test once more when wine exited at once without a
# word, before the program started (once in eleven clean CI runs).
meson test -C "$build_dir" --print-errorlogs --num-processes 2 --timeout-multiplier 3 \
  --wrapper "$top/tests/windows/wine-started.py" \
  --suite core --suite flow --suite fuzz-seeds || rc=1
# meson names the logs of a wrapped run after the wrapper; the summary below
# and .ci/run read testlog.json.
for ext in json txt; do
  if [[ -f "$build_dir/meson-logs/testlog-wine-started.py.$ext" ]]; then
    mv -f "$build_dir/meson-logs/testlog-wine-started.py.$ext" "$build_dir/meson-logs/testlog.$ext"
  fi
done

# passportctl.exe against passportd: the Linux passportd and passportctl
# (the account's preparation) from $NATIVE_BUILD_DIR, built here when
# missing.
if [[ ! -x "$native_dir/src/server/passportd" || ! -x "$native_dir/src/cli/passportctl" ]]; then
  log "building passportd and passportctl for Linux in $native_dir"
  [[ -f "$native_dir/build.ninja" ]] || meson setup "$native_dir" "$top" -Dapp=false >/dev/null
  run_nice meson compile -C "$native_dir" -j "$jobs" src/server/passportd src/cli/passportctl >/dev/null
fi
PASSPORTD=$native_dir/src/server/passportd SCRIPTED_BROWSER=$top/tests/support/scripted-browser.py \
  GSETTINGS_BACKEND=memory "$top/tests/support/run-isolated.sh" /usr/bin/python3 \
  "$top/tests/windows/test-wine-passportctl.py" "$native_dir/src/cli/passportctl" \
  "$build_dir/src/cli/passportctl.exe" | tee "$cache/passportctl.log" || rc=1

# One closing line for both.
python3 - "$build_dir/meson-logs/testlog.json" "$cache/passportctl.log" <<'PY'
import json, re, sys
passed = failed = skipped = 0
try:
    for line in open(sys.argv[1], encoding="utf-8"):
        result = json.loads(line).get("result", "") if line.strip() else ""
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        elif result:
            failed += 1
except FileNotFoundError:
    failed += 1
m = re.search(r"^(\d+) passed, (\d+) failed$", open(sys.argv[2]).read(), re.M)
if m:
    passed, failed = passed + int(m.group(1)), failed + int(m.group(2))
else:
    failed += 1
print(f"windows: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $rc
