#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds Passport and runs every test (README "Quick start", and CI).
# Extra arguments go to `meson test` (e.g. --suite unit).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$top/build}

"$top/scripts/setup.sh"

# Tests that need a keyring, a display or the accessibility bus start their own
# private ones (tests/support/run-isolated.sh), so nothing here touches the
# user's session.
rc=0
meson test -C "$build_dir" --print-errorlogs --num-processes 2 "$@" || rc=$?

# One plain closing line that any CI reads: "N passed, N failed, N skipped".
python3 - "$build_dir/meson-logs/testlog.json" <<'PY'
import json, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
try:
    lines = open(sys.argv[1], encoding="utf-8").readlines()
except FileNotFoundError:
    lines = []
if True:
    for line in lines:
        line = line.strip()
        if not line:
            continue
        result = json.loads(line).get("result", "")
        if result in ("OK", "EXPECTEDFAIL"):
            counts["passed"] += 1
        elif result == "SKIP":
            counts["skipped"] += 1
        else:
            counts["failed"] += 1
print(f"tests: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
PY
exit $rc
