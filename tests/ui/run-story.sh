#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs story.py against the real app and passportd (or, with
# PASSPORT_RUN=oidc, oidc-story.py against oidc-provider), isolated: Xvfb, a
# private D-Bus session with an unlocked gnome-keyring and the AT-SPI bus,
# throw-away XDG directories, passportd on an ephemeral loopback port with a
# Maildir and a short resend delay.
#
#   run-story.sh PASSPORT PASSPORTD SCHEMA_DIR LOCALE_DIR SHOTS_DIR
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

if [[ "${1:-}" != --inside ]]; then
  exec "$here/../support/run-display.sh" dbus-run-session -- "$0" --inside "$@"
fi
shift
passport=$1 passportd=$2 schema_dir=$3 locale_dir=$4 shots=$5

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work"/{data,config,cache,run} "$shots"
chmod 700 "$work/run"
export XDG_DATA_HOME=$work/data XDG_CONFIG_HOME=$work/config XDG_CACHE_HOME=$work/cache
export XDG_RUNTIME_DIR=$work/run
export GSETTINGS_BACKEND=keyfile GSETTINGS_SCHEMA_DIR=$schema_dir
export PASSPORT_LOCALEDIR=$locale_dir
export PASSPORT_BROWSER="/usr/bin/python3 $here/browser.py"
export LC_ALL= LANG=C.UTF-8
unset GTK_A11Y NO_AT_BRIDGE

# In the foreground (as our child, so it can be stopped by its pid) and with
# its output away from ours: a daemon holding the test's stderr open keeps
# "meson test" waiting after the story has ended.
printf 'pw\n' >"$work/keyring-password"
gnome-keyring-daemon --foreground --unlock --components=secrets \
  <"$work/keyring-password" >"$work/keyring-env" 2>"$work/keyring.log" &
pids+=($!)
for _ in $(seq 100); do grep -q GNOME_KEYRING_CONTROL "$work/keyring-env" 2>/dev/null && break; sleep 0.1; done
set -a
# shellcheck disable=SC1091
. "$work/keyring-env"
set +a

/usr/libexec/at-spi-bus-launcher --launch-immediately >"$work/at-spi.log" 2>&1 &
pids+=($!)

if [[ "${PASSPORT_RUN:-story}" == oidc ]]; then
  # The app against a plain OpenID provider (oidc-story.py starts it).
  /usr/bin/python3 "$here/oidc-story.py" --app "$passport" --shots "$shots" --work "$work"
  exit
fi

"$passportd" --listen 127.0.0.1:0 --database "$work/passportd.sqlite3" \
  --maildir "$work/Maildir" --dev-outbox --resend-delay 2 --log-level warning >"$work/url" &
pids+=($!)
for _ in $(seq 100); do [[ -s "$work/url" ]] && break; sleep 0.1; done
server=$(head -n1 "$work/url")
[[ -n "$server" ]] || { echo "passportd did not start" >&2; exit 1; }

if [[ "${PASSPORT_RUN:-story}" == benchmark ]]; then
  # Time to the first frame of the sign-in page and the memory then, as
  # the app itself reports them (PASSPORT_BENCHMARK), best of five.
  for i in 1 2 3 4 5; do
    PASSPORT_BENCHMARK=1 "$passport" --server "$server" | tee "$work/bench-$i"
  done
  echo "best first-frame-ms: $(grep -h first-frame-ms "$work"/bench-* | awk '{print $2}' | sort -n | head -n1)"
  echo "max-rss-kib (median): $(grep -h max-rss-kib "$work"/bench-* | awk '{print $2}' | sort -n | sed -n 3p)"
  exit 0
fi

if [[ "${PASSPORT_RUN:-story}" == idle ]]; then
  # Wakeups and CPU while idle, beside gnome-text-editor (idle.py).
  /usr/bin/python3 "$here/idle.py" --app "$passport" --ctl "${PASSPORTCTL:?}" \
    --server "$server" --work "$work"
  exit
fi

if [[ "${PASSPORT_RUN:-story}" == stalls ]]; then
  # The story with the app's stall probe on: PASSPORT_BENCHMARK names the
  # report each run of the app appends to; stalls.py sums it up.
  PASSPORT_BENCHMARK=$work/stalls.jsonl /usr/bin/python3 "$here/story.py" --app "$passport" \
    --server "$server" --maildir "$work/Maildir" --shots "$shots" --work "$work"
  /usr/bin/python3 "$here/stalls.py" "$work/stalls.jsonl"
  exit
fi

/usr/bin/python3 "$here/story.py" --app "$passport" --server "$server" \
  --maildir "$work/Maildir" --shots "$shots" --work "$work"
