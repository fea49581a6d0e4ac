#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""wine-started.py runs a program once more only when it failed without a
word (wine did not start it); any other outcome stands. Played with shell
commands in wine's place, since a failed wine start cannot be made on
purpose."""

import os
import subprocess
import sys
import tempfile

wrapper = sys.argv[1]
failures = []


def check(name, script, want_rc, want_runs, want_retry_note):
    with tempfile.TemporaryDirectory() as d:
        runs = os.path.join(d, 'runs')
        # "$1" counts the runs; the script sees how many came before.
        p = subprocess.run([wrapper, 'sh', '-c', 'n=$(cat "$0" 2>/dev/null || echo 0); '
                            'echo $((n + 1)) > "$0"; ' + script, runs],
                           capture_output=True, text=True, timeout=30)
        got_runs = int(open(runs).read()) if os.path.exists(runs) else 0
        retried = 'running it once more' in p.stderr
        ok = p.returncode == want_rc and got_runs == want_runs and retried == want_retry_note
        print('%s - %s (exit %d, %d runs, note %s)' % ('ok' if ok else 'not ok', name,
                                                       p.returncode, got_runs, retried))
        if not ok:
            failures.append(name)
            print('#   stdout %r stderr %r' % (p.stdout, p.stderr))
        return p


p = check('a silent failure, then a run that speaks: run once more, its result stands',
          '[ "$n" -eq 0 ] && exit 1; echo ran; exit 0', 0, 2, True)
if 'ran' not in p.stdout:
    failures.append('second run output')
check('a silent failure twice: fails', 'exit 1', 1, 2, True)
check('a failure that spoke on standard output: not run again', 'echo failing; exit 1', 1, 1, False)
check('a failure that spoke on standard error: not run again', 'echo failing >&2; exit 3', 3, 1, False)
check('a silent success: not run again', 'exit 0', 0, 1, False)
p = check('output passes through, in order', 'echo one; echo two >&2; echo three', 0, 1, False)
if p.stdout != 'one\nthree\n' or p.stderr != 'two\n':
    failures.append('pass-through')
    print('not ok - pass-through %r %r' % (p.stdout, p.stderr))

if failures:
    sys.exit('%d failed: %s' % (len(failures), ', '.join(failures)))
