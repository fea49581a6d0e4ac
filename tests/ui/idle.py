#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The app-idle benchmark: how often the real app's main thread wakes up, and
# how much CPU it uses, while it shows a page and nothing happens, beside
# gnome-text-editor idling in the same session at the same time. Run by
# run-story.sh (PASSPORT_RUN=idle), which provides Xvfb, a private D-Bus
# session with gnome-keyring and the AT-SPI bus, and passportd.
#
# Pages: the sign-in page (a first start against the server) and "Check
# your inbox" while the app long-polls for the confirmation (prepared with
# passportctl, which shares the keyring item, then the app started again).
#
# Prints figures only; it fails when the app cannot be brought to a page,
# never because of a time. A wakeup is a context switch of the main thread
# (voluntary + involuntary, /proc/PID/task/PID/status); CPU is utime + stime
# of the whole process (/proc/PID/stat).
#
#   idle.py --app PASSPORT --ctl PASSPORTCTL --server URL --work DIR
import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402

TIMEOUT = 60
SETTLE = 3      # seconds after the page is shown, before measuring
# Seconds after the peer's window is shown, before measuring it: by then
# its text cursor has stopped blinking (gtk-cursor-blink-timeout, 10 s), as
# it has in an editor left alone.
PEER_SETTLE = 15
WINDOW = 10     # seconds measured
PEER = "gnome-text-editor"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def context_switches(pid):
    total = 0
    with open("/proc/%d/task/%d/status" % (pid, pid)) as f:
        for line in f:
            if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                total += int(line.split()[1])
    return total


def cpu_ms(pid):
    with open("/proc/%d/stat" % pid) as f:
        # The command name may contain spaces; fields after ")" are fixed.
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS


def measure(pids):
    """Wakeups/s of each main thread and CPU ms of each process over WINDOW s."""
    before = {pid: (context_switches(pid), cpu_ms(pid)) for pid in pids}
    start = time.monotonic()
    time.sleep(WINDOW)
    elapsed = time.monotonic() - start
    return {pid: ((context_switches(pid) - before[pid][0]) / elapsed,
                  cpu_ms(pid) - before[pid][1]) for pid in pids}


def measure_pair(app, peer):
    """(app figures, peer figures or None), measured over the same window."""
    figures = measure([app.pid] + ([peer.pid] if peer else []))
    return figures[app.pid], figures[peer.pid] if peer else None


def server_connections(pid, port):
    """The app's open TCP connections to the server (the long poll is one)."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/%d/net/tcp" % pid, "/proc/%d/net/tcp6" % pid):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                    # 01: ESTABLISHED
                    if fields[3] == "01" and remote_port == port and fields[9] in inodes:
                        count += 1
        except OSError:
            continue
    return count


def on_bus(pid):
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        try:
            if app is not None and app.get_process_id() == pid:
                return app
        except GLib.Error:
            pass
    return None


def pages(app):
    """The accessible names of the pages shown (fillers with a name)."""
    names = []
    stack = [app]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        try:
            if item.get_role_name() == "filler" and item.get_name():
                names.append(item.get_name())
            stack.extend(item.get_child_at_index(i) for i in range(item.get_child_count()))
        except GLib.Error:
            pass
    return names


def wait_for_page(proc, name):
    deadline = time.monotonic() + TIMEOUT
    app = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("idle: the app exited (status %d) before %r was shown" % (proc.returncode, name))
        app = app or on_bus(proc.pid)
        if app is not None and name in pages(app):
            return
        time.sleep(0.2)
    raise SystemExit("idle: page %r not shown (shown: %s)" % (name, pages(app) if app else "nothing"))


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_peer(work):
    """gnome-text-editor with an empty document, or None with the reason."""
    path = shutil.which(PEER)
    if path is None:
        return None, "%s is not installed (scripts/setup.sh installs it)" % PEER
    log = open(os.path.join(work, "peer.log"), "w")
    # --standalone: its own instance, not a window of one already running.
    proc = subprocess.Popen([path, "--standalone", "--new-window"], stdout=log, stderr=log)
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return None, "%s exited at start (status %d, see %s)" % (PEER, proc.returncode, log.name)
        app = on_bus(proc.pid)
        if app is not None and app.get_child_count() > 0:
            return proc, None
        time.sleep(0.2)
    stop(proc)
    return None, "%s showed no window within %d s" % (PEER, TIMEOUT)


def ctl(args, server, *command, stdin=None):
    result = subprocess.run([args.ctl, "--server", server, *command], input=stdin,
                            text=True, capture_output=True, timeout=120)
    # 3: something is left to do (here: the confirmation), as wanted.
    if result.returncode not in (0, 3):
        raise SystemExit("idle: passportctl %s failed (%d): %s" % (
            " ".join(command), result.returncode, result.stderr.strip()))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True)
    parser.add_argument("--ctl", required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    port = int(args.server.rstrip("/").rsplit(":", 1)[1])

    env = dict(os.environ)
    env.pop("PASSPORT_BENCHMARK", None)

    peer, peer_problem = start_peer(args.work)
    peer_settled = time.monotonic() + PEER_SETTLE
    if peer_problem:
        print("idle: peer: %s; no peer figures" % peer_problem, flush=True)

    rows = []
    app = None
    try:
        # The sign-in page: a first start against the server.
        app = subprocess.Popen([args.app, "--server", args.server], env=env)
        wait_for_page(app, "Sign in")
        time.sleep(max(SETTLE, peer_settled - time.monotonic() if peer else 0))
        rows.append(("sign-in",) + measure_pair(app, peer) + (None,))
        stop(app)

        # "Check your inbox": signed in with a social network, terms
        # accepted, an e-mail bound; the app waits for the confirmation.
        ctl(args, args.server, "sign-in", "--provider", "google")
        ctl(args, args.server, "accept-terms")
        ctl(args, args.server, "bind-email", "idle@example.com", stdin="quiet meadow lantern orbit 42\n")
        app = subprocess.Popen([args.app, "--server", args.server], env=env)
        wait_for_page(app, "Check your inbox")
        time.sleep(SETTLE)
        polling = server_connections(app.pid, port)
        rows.append(("confirm (long poll)",) + measure_pair(app, peer) + (polling,))
        stop(app)
    finally:
        stop(app)
        stop(peer)

    print()
    print("app-idle: %d s per page, from %d s after the page was shown (the peer's window: %d s);"
          " wakeups = context switches of the main thread" % (WINDOW, SETTLE, PEER_SETTLE))
    header = ("page", "app wakeups/s", "app CPU ms", "peer wakeups/s", "peer CPU ms", "ratio")
    print("%-20s %14s %11s %15s %12s %7s" % header)
    for page, (app_wakeups, app_cpu), peer_figures, polling in rows:
        if peer_figures:
            peer_wakeups, peer_cpu = peer_figures
            ratio = "%.1f×" % (app_wakeups / peer_wakeups) if peer_wakeups > 0 else "n/a"
            peer_cols = ("%.1f" % peer_wakeups, "%.0f" % peer_cpu, ratio)
        else:
            peer_cols = ("-", "-", "-")
        print("%-20s %14.1f %11.0f %15s %12s %7s" % ((page, app_wakeups, app_cpu) + peer_cols))
        if polling is not None:
            print("  (the app had %d connection(s) open to the server while measured)" % polling)
    print("peer: %s" % (PEER if peer else peer_problem))
    print("ratio: app wakeups / peer wakeups (n/a when the peer had none)")
    print("goal (issue 8): at most 20 wakeups/s and at most 2× the peer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
