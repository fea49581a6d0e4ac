#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Installs what Passport needs to build and test (on Debian and Ubuntu with
# apt-get; elsewhere it prints what to install), then configures and builds
# into ./build. Used by both commands of the README and by CI.
#
#   scripts/setup.sh            build dependencies + test dependencies
#   BUILD_DIR=dir scripts/setup.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$top/build}

# Debian 12 package names. Build: compiler, meson and the libraries.
# Test: Xvfb, a private D-Bus session with gnome-keyring (its password
# dialog, gcr-prompter from gcr, answered with xdotool), the accessibility
# bus, a real browser (chromium), the validators for the desktop files and
# gnome-text-editor (the idle peer of the app-idle benchmark). clang and its
# libFuzzer runtime build the fuzz targets (tests/fuzz). The Flatpak lane
# (tests/flatpak): bubblewrap, xdg-dbus-proxy, xdg-desktop-portal with its
# gtk backend (gnome-keyring's Secret backend comes with gnome-keyring),
# fuse3 for the document portal it starts, flatpak and flatpak-builder.
# The Windows lane (scripts/windows/build.sh): mingw-w64, wine, dpkg-dev
# for apt-get source, tcl and cmake for two of the libraries it builds.
# gdb prints the stacks of a test that hangs (tests/support/pd-watchdog.c).
debian_packages=(
  gcc pkg-config meson ninja-build gettext clang libclang-rt-14-dev
  libglib2.0-dev libsoup-3.0-dev libjson-glib-dev libsecret-1-dev
  libsqlite3-dev libargon2-dev libssl-dev libpwquality-dev cracklib-runtime
  libgtk-4-dev libadwaita-1-dev libqrencode-dev
  xvfb xauth dbus dbus-x11 gnome-keyring gcr xdotool libsecret-tools
  at-spi2-core python3 python3-gi gir1.2-atspi-2.0 gir1.2-glib-2.0
  gir1.2-gtk-4.0 gir1.2-adw-1
  chromium imagemagick appstream desktop-file-utils curl ca-certificates
  gnome-text-editor
  bubblewrap xdg-dbus-proxy xdg-desktop-portal xdg-desktop-portal-gtk fuse3
  flatpak flatpak-builder libglib2.0-bin
  mingw-w64 wine wine64 dpkg-dev tcl cmake
  gdb
)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${debian_packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
      command -v sudo >/dev/null || { echo "setup: need root or sudo to install packages" >&2; exit 1; }
      sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  cat >&2 <<MSG
setup: this is not a Debian-like system; install these (names as on Debian 12):
  ${debian_packages[*]}
Minimum versions: GLib 2.74, GTK 4.8, libadwaita 1.2, libsoup 3.2, json-glib 1.6, libsecret 0.20, Meson 1.0.
MSG
fi

# The interop test runs an OpenID provider from npm (oidc-provider, pinned
# in tests/interop/package-lock.json) on Node.js. Installed from Debian only
# when node or npm is missing: a Node.js from elsewhere (NodeSource bundles
# npm) stays as it is.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing nodejs npm" >&2
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
      command -v sudo >/dev/null || { echo "setup: need root or sudo to install packages" >&2; exit 1; }
      sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  else
    echo "setup: install Node.js (18 or later) and npm for the interop test" >&2
  fi
fi
# npm ci when the packages are missing or the lockfile changed since.
interop=$top/tests/interop
if command -v npm >/dev/null 2>&1; then
  lock_sum=$(sha256sum "$interop/package-lock.json" | cut -d' ' -f1)
  if [[ ! -d "$interop/node_modules" ||
        "$(cat "$interop/node_modules/.passport-lock-sha256" 2>/dev/null)" != "$lock_sum" ]]; then
    echo "setup: npm ci in tests/interop" >&2
    (cd "$interop" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock_sum" >"$interop/node_modules/.passport-lock-sha256"
  fi
fi

# Warnings are errors in CI; locally they are warnings.
werror=false
[[ -n "${CI:-}" || -n "${PASSPORT_WERROR:-}" ]] && werror=true

if [[ ! -f "$build_dir/build.ninja" ]]; then
  meson setup "$build_dir" "$top" -Dwerror=$werror
else
  meson configure "$build_dir" -Dwerror=$werror >/dev/null
fi
meson compile -C "$build_dir"
