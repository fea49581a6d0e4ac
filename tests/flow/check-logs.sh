#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The client never logs a secret: runs the flow tests (the story, the
# conflict, password sign-ins) with every debug message on, and fails when
# the output holds a password the tests typed, a token or an authorization
# code.
#   check-logs.sh TEST-FLOW-EXECUTABLE
set -uo pipefail

log=$(mktemp)
trap 'rm -f "$log"' EXIT

G_MESSAGES_DEBUG=all "$1" >"$log" 2>&1
rc=$?
if ((rc != 0)); then
  echo "the flow tests failed (exit $rc); their output:" >&2
  tail -50 "$log" >&2
  exit 1
fi

lines=$(wc -l <"$log")
if ((lines < 100)); then
  echo "only $lines lines of debug output: the check would prove nothing" >&2
  exit 1
fi

status=0
for secret in 'a long and good password' 'an even better password' "first account's secret" \
              "newcomer's good password" 'my good password' 'not the password' \
              '"access_token"' '"refresh_token"' 'access_token=' 'refresh_token=' 'code=' \
              'token=' 'Bearer ' '"mfa_token"' 'mfa_token=' 'otp=' 'recovery_code='; do
  if grep -qF -- "$secret" "$log"; then
    echo "not ok: the debug output holds “$secret”:" >&2
    grep -nF -- "$secret" "$log" | head -3 >&2
    status=1
  fi
done
echo "checked $lines lines of debug output: $([[ $status == 0 ]] && echo 'no secrets' || echo 'SECRETS FOUND')"
exit $status
