#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs one test of the Windows lane: `meson test --wrapper` puts this before
`wine PROGRAM ARGS...`.

Now and then wine exits at once, with status 1 and not a byte of output,
before the program has started: seen once in eleven clean CI runs, on
a fuzz-seed replay, which prints a line per input as soon as it runs, and
never in 375 starts by hand (WINEDEBUG=-all hides wine's reason). Every
test of the lane prints before it can pass or fail, so a silent failure
means the program never ran: then, and only then, this runs it once more,
and says so on standard error. A program that ran and failed keeps its
result; one that fails silently twice fails.

Output is passed through as it comes (a test that hangs still shows how
far it got when meson's timeout ends it)."""

import os
import subprocess
import sys
import threading


def run(argv):
    seen = threading.Event()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def pump(source, sink):
        while True:
            chunk = os.read(source.fileno(), 65536)
            if not chunk:
                return
            seen.set()
            sink.write(chunk)
            sink.flush()

    threads = [threading.Thread(target=pump, args=(proc.stdout, sys.stdout.buffer)),
               threading.Thread(target=pump, args=(proc.stderr, sys.stderr.buffer))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return proc.wait(), seen.is_set()


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: wine-started.py wine PROGRAM [ARG...]')
    argv = sys.argv[1:]
    rc, spoke = run(argv)
    if rc != 0 and not spoke:
        program = os.path.basename(argv[1] if len(argv) > 1 else argv[0])
        sys.stderr.write('wine-started.py: %s exited %d without a word, before the program '
                         'started; running it once more\n' % (program, rc))
        sys.stderr.flush()
        rc, _ = run(argv)
    sys.exit(rc)


if __name__ == '__main__':
    main()
