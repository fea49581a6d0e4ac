#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs a command on a private X display (Xvfb):
#   run-display.sh CMD [ARG...]
#
# Xvfb chooses a free display number itself and writes it to -displayfd only
# once it accepts connections, so tests started side by side never share a
# display or reach one that is not up yet (`xvfb-run -a` did both: "cannot
# open display: :99"). Xvfb is stopped when the command ends, and the
# command's exit status is ours. PASSPORT_XVFB_TIMEOUT (seconds, default 10)
# bounds the wait for Xvfb.
set -uo pipefail

me=run-display.sh
timeout=${PASSPORT_XVFB_TIMEOUT:-10}

if (($# == 0)); then
  echo "usage: $me CMD [ARG...]" >&2
  exit 2
fi
if ! command -v Xvfb >/dev/null 2>&1; then
  echo "$me: Xvfb is not installed (Debian package xvfb; scripts/setup.sh installs it)" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/passport-display-XXXXXX") || exit 1
xvfb_pid=
child_pid=

cleanup() {
  if [[ -n $xvfb_pid ]]; then
    kill -TERM "$xvfb_pid" 2>/dev/null
    wait "$xvfb_pid" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The command runs in the background so that a signal (meson's timeout)
# reaches us at once; we hand it on and stop Xvfb.
on_signal() {
  [[ -n $child_pid ]] && kill -"$1" "$child_pid" 2>/dev/null
  exit $((128 + $(kill -l "$1")))
}
for sig in HUP INT TERM; do
  # shellcheck disable=SC2064
  trap "on_signal $sig" "$sig"
done

fail() {
  echo "$me: $1" >&2
  if [[ -s $work/xvfb.log ]]; then
    echo "$me: Xvfb said:" >&2
    tail -n 20 "$work/xvfb.log" >&2
  fi
  exit 1
}

# A FIFO, not a file: opening its write end blocks until we read, and when
# Xvfb dies before it is ready the read ends at once with EOF.
mkfifo "$work/displayfd" || fail "cannot create a FIFO in $work"
Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp -noreset \
  3>"$work/displayfd" </dev/null >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!

display=
read -r -t "$timeout" display <"$work/displayfd"
status=$?
if ((status > 128)); then
  fail "Xvfb did not report a display within $timeout s"
elif [[ ! $display =~ ^[0-9]+$ ]]; then
  if kill -0 "$xvfb_pid" 2>/dev/null; then
    fail "Xvfb reported no display number (got '$display')"
  fi
  wait "$xvfb_pid" 2>/dev/null
  fail "Xvfb exited (status $?) before it was ready"
fi
if [[ ! -S /tmp/.X11-unix/X$display ]]; then
  fail "Xvfb reported display :$display, but /tmp/.X11-unix/X$display is not a socket"
fi

export DISPLAY=":$display"
# Nothing of the user's own session: GTK would prefer Wayland when it can.
unset WAYLAND_DISPLAY

# An explicit <&0: a background job's stdin is /dev/null otherwise.
"$@" <&0 &
child_pid=$!
wait "$child_pid"
rc=$?
child_pid=
exit "$rc"
