#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sums up the app-stalls benchmark: each run of the app in the AT-SPI story
# appended one JSON line (src/app/passport-stall-probe.c) to REPORT. Prints
# the longest main-loop stall and where it was, the app's own work apart
# from GTK's rendering and from unmarked work, and the longest few. Prints
# figures; asserts no time.
#
#   stalls.py REPORT
import json
import sys

KINDS = {
    "own": "the app's own work",
    "start-up": "start-up (app-first-frame measures it)",
    "rendering": "GTK rendering",
    "other": "unmarked (GTK input, accessibility, GLib, flow callbacks)",
}


def describe(stall):
    if stall is None:
        return "none"
    return "%.1f ms at %.1f s, %s (main thread asleep in the kernel %d%% of it)" % (
        stall["ms"], stall["at_s"], stall["where"], round(100 * stall["blocked"]))


def main():
    with open(sys.argv[1]) as f:
        runs = [json.loads(line) for line in f if line.strip()]
    if not runs:
        print("app-stalls: no report was written (did the app start with PASSPORT_BENCHMARK?)")
        return 1

    goal = runs[0]["stall_ms"]
    print("app-stalls: %d runs of the app, %.0f s, %d pings of the main loop; a stall is a ping "
          "answered more than %d ms late" % (len(runs), sum(r["seconds"] for r in runs),
                                              sum(r["pings"] for r in runs), goal))
    for i, run in enumerate(runs, 1):
        over = ", ".join("%s %d" % (k, run["kinds"][k]["over"]) for k in KINDS)
        print("  run %d (%.0f s): longest %s; over %d ms: %s" % (
            i, run["seconds"], describe(run["longest"]), goal, over))

    stalls = [s for r in runs if r["longest"] for s in [r["longest"]]]
    stalls.sort(key=lambda s: -s["ms"])
    print("longest stall: %s [%s]" % (describe(stalls[0] if stalls else None),
                                      stalls[0]["kind"] if stalls else "-"))
    for kind, name in KINDS.items():
        top = sorted((s for r in runs for s in r["kinds"][kind]["top"]), key=lambda s: -s["ms"])
        count = sum(r["kinds"][kind]["over"] for r in runs)
        total = sum(r["kinds"][kind]["over_ms"] for r in runs)
        print("%s: %d stalls over %d ms (%.0f ms in all); longest %s" % (
            name, count, goal, total, describe(top[0] if top else None)))
        for stall in top[1:5]:
            print("    then %s" % describe(stall))

    # No peer: a peer app would have to carry the same probe and play the
    # same story; the goal stands beside the figure instead.
    own = max((s["ms"] for r in runs for s in r["kinds"]["own"]["top"]), default=0.0)
    print("goal: none of the app's own work over %d ms (one frame at 60 Hz); longest own: %.1f ms "
          "(no peer measured: none carries this probe)" % (goal, own))
    return 0


if __name__ == "__main__":
    sys.exit(main())
