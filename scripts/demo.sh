#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The demo (README "Quick start"): builds everything, starts the reference
# server passportd on loopback with the stand-in social networks and the
# development outbox, and opens the Passport app against it when the app is
# built. Ctrl+C stops it all. The demo's data lives in build/demo/.
#
#   scripts/demo.sh              port 8765 (PASSPORT_DEMO_PORT to change)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$top/build}
port=${PASSPORT_DEMO_PORT:-8765}

echo "demo: installing what is missing and building Passport (the first time takes a few minutes)…" >&2
"$top/scripts/setup.sh"
echo "demo: built; starting passportd on 127.0.0.1:$port" >&2

demo_dir="$build_dir/demo"
mkdir -p "$demo_dir"

fifo=$(mktemp -u)
mkfifo "$fifo"
"$build_dir/src/server/passportd" \
  --listen "127.0.0.1:$port" \
  --database "$demo_dir/passportd.sqlite3" \
  --maildir "$demo_dir/Maildir" \
  --dev-outbox >"$fifo" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -f "$fifo"' EXIT INT TERM

read -r server_url <"$fifo" || { echo "demo: passportd did not start" >&2; exit 1; }
# Keep draining the server's stdout so it never blocks on a full pipe.
cat "$fifo" >/dev/null &

cat <<MSG

Passport demo
  server (passportd):   $server_url
  discovery:            $server_url/.well-known/openid-configuration
  sent mail (outbox):   $server_url/outbox   <- open confirmation links here
  Maildir:              $demo_dir/Maildir
  stand-in networks:    google, vk, yandex (any e-mail and name will do)

MSG

app="$build_dir/src/app/passport"
ctl="$build_dir/src/cli/passportctl"
if [[ -x "$app" && -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  echo "Opening Passport. Close its window or press Ctrl+C to stop the demo."
  GSETTINGS_SCHEMA_DIR="$build_dir/data" "$app" --server "$server_url" || true
else
  echo "No desktop session here (DISPLAY is not set), so the app is not opened."
  if [[ -x "$ctl" ]]; then
    echo "Sign in from this terminal instead; it prints the address to open in a browser:"
    echo "  $ctl --server $server_url sign-in --provider google --no-browser"
    echo "Over SSH, the browser on your own machine must reach both this server and the"
    echo "sign-in's return port: connect with ssh -L $port:127.0.0.1:$port -L 8766:127.0.0.1:8766"
    echo "and add --redirect-port 8766 to the command above."
  fi
  echo "Press Ctrl+C to stop the demo."
  wait "$server_pid"
fi
