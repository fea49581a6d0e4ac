#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs one libFuzzer target for a bounded time (meson test --suite fuzz).
#
#   run-fuzz.sh TARGET SEED_DIR ARTIFACT_DIR [leaks|no-leaks]
#
# The seeds are copied to a temporary corpus first, so the run never writes
# into the repository; libFuzzer runs every seed before it mutates, so an
# input of a past finding kept there fails the run again if it regresses.
# Time per target: $PASSPORT_FUZZ_SECONDS (default 45). A crash, a leak, a
# sanitizer report, a hang of more than 10 s or an assertion fails the test;
# the input is kept in ARTIFACT_DIR and printed (base64) so that it survives
# a CI machine: add it to SEED_DIR as a regression seed with the fix.
set -euo pipefail

target=$1
seeds=$2
artifacts=$3
leaks=1
[[ "${4:-leaks}" == no-leaks ]] && leaks=0
seconds=${PASSPORT_FUZZ_SECONDS:-45}
name=$(basename "$target")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$artifacts"
cp "$seeds"/* "$work/corpus/"

# UBSan reports are findings too (by default it only prints and goes on).
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# handle_sigtrap: g_error() and a fatal critical stop with SIGTRAP, which
# libFuzzer alone does not catch (no report, no input kept).
export ASAN_OPTIONS=detect_leaks=$leaks:strict_string_checks=1:handle_sigtrap=1
export G_DEBUG=fatal-criticals
export GIO_USE_PROXY_RESOLVER=dummy
export LC_ALL=C.UTF-8

rc=0
# A hard stop besides libFuzzer's own, should the run itself hang.
timeout --kill-after=10 $((seconds * 2 + 120)) \
  "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "$work/corpus" \
  >"$work/log" 2>&1 || rc=$?

if ((rc == 0)); then
  # The start and the end: seeds read, coverage reached, runs made.
  grep -E '^(INFO: seed corpus|#[0-9]+ +(INITED|DONE))|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' "$work/log" || true
  echo "$name: no finding in ${seconds} s"
  exit 0
fi

tail -n 80 "$work/log"
echo "$name: FAILED (exit status $rc)"
for input in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$work/log"); do
  echo "$name: the failing input is $input"
  echo "$name: keep it as tests/fuzz/corpus/$name/<finding> with the fix; its bytes (base64):"
  base64 -w 76 "$input"
done
exit 1
