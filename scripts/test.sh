#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds Passport and runs every test (README "Quick start", and CI).
# Extra arguments go to `meson test` (e.g. --suite unit).
#
# In CI (CI set) or with PASSPORT_SANITIZE=1 it also builds ${BUILD_DIR}-asan
# with AddressSanitizer and UBSan and runs the unit and integration suites
# there; any finding fails. The closing line sums both runs.
#
# In CI (CI set) or with PASSPORT_FUZZ=1 it also builds ${BUILD_DIR}-fuzz with
# clang, libFuzzer, ASan and UBSan and runs the fuzz suite: each target of
# tests/fuzz for $PASSPORT_FUZZ_SECONDS (default 45) from its seed corpus; a
# crash fails and prints the input to keep as a seed. Counted in the line too.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$top/build}
asan_dir=$build_dir-asan
fuzz_dir=$build_dir-fuzz
sanitize=false
[[ -n "${CI:-}" || "${PASSPORT_SANITIZE:-}" == 1 ]] && sanitize=true
fuzz=false
[[ -n "${CI:-}" || "${PASSPORT_FUZZ:-}" == 1 ]] && fuzz=true

"$top/scripts/setup.sh"

# Tests that need a keyring, a display or the accessibility bus start their own
# private ones (tests/support/run-isolated.sh, run-display.sh), so nothing here
# touches the user's session.
rc=0
meson test -C "$build_dir" --print-errorlogs --num-processes 2 "$@" || rc=$?
logs=("$build_dir/meson-logs/testlog.json")

# The sanitizer build: without the app (no test of these suites needs it),
# which halves its build time.
build_failures=0
if $sanitize; then
  werror=false
  [[ -n "${CI:-}" || -n "${PASSPORT_WERROR:-}" ]] && werror=true
  rm -f "$asan_dir/meson-logs/testlog.json"
  if [[ ! -f "$asan_dir/build.ninja" ]]; then
    meson setup "$asan_dir" "$top" -Db_sanitize=address,undefined -Dapp=false \
      -Dwerror=$werror >/dev/null || build_failures=1
  else
    meson configure "$asan_dir" -Dwerror=$werror >/dev/null || build_failures=1
  fi
  if ((build_failures == 0)) && meson compile -C "$asan_dir" >"$asan_dir/compile.log" 2>&1; then
    meson test -C "$asan_dir" --print-errorlogs --num-processes 2 --timeout-multiplier 3 \
      --suite unit --suite integration || rc=$?
    logs+=("$asan_dir/meson-logs/testlog.json")
  else
    [[ -f "$asan_dir/compile.log" ]] && tail -n 40 "$asan_dir/compile.log" >&2
    echo "test.sh: the sanitizer build ($asan_dir) failed" >&2
    build_failures=1
    rc=1
  fi
fi

# The fuzz build: clang (GCC has no libFuzzer), only the targets of the fuzz
# suite are built (meson test builds what its tests need). Warnings are not
# errors here: clang warns about GLib's own macros (-Wcast-align in
# G_DEFINE_EXTENDED_ERROR); the GCC builds hold the line on warnings.
if $fuzz; then
  rm -f "$fuzz_dir/meson-logs/testlog.json"
  fuzz_ok=true
  if [[ ! -f "$fuzz_dir/build.ninja" ]]; then
    CC=clang meson setup "$fuzz_dir" "$top" -Dfuzzing=true -Db_sanitize=address,undefined \
      -Db_lundef=false -Dapp=false >/dev/null || fuzz_ok=false
  fi
  if $fuzz_ok; then
    meson test -C "$fuzz_dir" --print-errorlogs --num-processes 2 --suite fuzz || rc=$?
    if [[ -f "$fuzz_dir/meson-logs/testlog.json" ]]; then
      logs+=("$fuzz_dir/meson-logs/testlog.json")
    else
      fuzz_ok=false
    fi
  fi
  if ! $fuzz_ok; then
    echo "test.sh: the fuzz build ($fuzz_dir) failed" >&2
    build_failures=$((build_failures + 1))
    rc=1
  fi
fi

# One plain closing line that any CI reads: "N passed, N failed, N skipped"
# (a failed sanitizer or fuzz build counts as one failure).
python3 - "$build_failures" "${logs[@]}" <<'PY'
import json, sys
counts = {"passed": 0, "failed": int(sys.argv[1]), "skipped": 0}
lines = []
for path in sys.argv[2:]:
    try:
        lines += open(path, encoding="utf-8").readlines()
    except FileNotFoundError:
        pass
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
