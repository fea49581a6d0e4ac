#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds Passport and runs every test (README "Quick start", and CI).
# Extra arguments go to `meson test` (e.g. --suite unit).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$top/build}

"$top/scripts/setup.sh"

# Each test that needs a keyring, a display or the accessibility bus starts its
# own private ones (tests/support/run-isolated.sh), so nothing here touches the
# user's session.
meson test -C "$build_dir" --print-errorlogs --num-processes 2 "$@"
