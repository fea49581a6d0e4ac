#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a command in a private D-Bus session with a private home and an
# unlocked gnome-keyring (the Secret Service), as the keyring tests need:
#   run-isolated.sh CMD [ARG...]
# PASSPORT_NO_KEYRING_DAEMON=1 leaves the keyring out (the "no keyring" case).
set -euo pipefail

if [[ -z "${PASSPORT_ISOLATED_INNER:-}" ]]; then
  home=$(mktemp -d "${TMPDIR:-/tmp}/passport-isolated-XXXXXX")
  # A GTK or libadwaita test starts xdg-desktop-portal on the private bus
  # (libadwaita asks it for the colour scheme), which starts the document
  # portal: it mounts FUSE on $XDG_RUNTIME_DIR/doc, and rm cannot remove a
  # mount point while that portal is still going away with the bus.
  trap 'fusermount3 -u -z "$home/run/doc" 2>/dev/null || true; rm -rf "$home"' EXIT
  export HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
         XDG_CACHE_HOME="$home/cache" XDG_RUNTIME_DIR="$home/run"
  mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
  chmod 700 "$XDG_RUNTIME_DIR"
  PASSPORT_ISOLATED_INNER=1 dbus-run-session -- "$0" "$@" 2> >(grep -v 'Unable to set up fd limit\|dbus-daemon\[' >&2)
  exit $?
fi

if [[ -z "${PASSPORT_NO_KEYRING_DAEMON:-}" ]]; then
  # The login keyring, created and unlocked with a throwaway password.
  eval "$(printf 'passport-test' | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
fi
exec "$@"
