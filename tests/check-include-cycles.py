#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when the modules of src/core include each other in a cycle.

A module is a header with its -private.h and its .c: passport-foo.c's and
passport-foo-private.h's includes are passport-foo's dependencies. Only
`#include "..."` of files that exist in src/core count (config.h and the
generated passport-enums.h live in the build directory).

Usage: check-include-cycles.py [SOURCE_ROOT]
"""

import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def module_of(name):
    stem = name.rsplit(".", 1)[0]
    return stem[: -len("-private")] if stem.endswith("-private") else stem


def graph(core):
    names = {path.name for path in core.iterdir() if path.suffix in (".c", ".h")}
    edges = {}
    for name in sorted(names):
        text = (core / name).read_text(encoding="utf-8")
        deps = edges.setdefault(module_of(name), {})
        for included in INCLUDE.findall(text):
            included = pathlib.PurePosixPath(included).name
            target = module_of(included)
            if included in names and target != module_of(name):
                deps.setdefault(target, f"{name} includes {included}")
    return edges


def find_cycle(edges):
    """One cycle as a list of modules (first == last), or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {module: WHITE for module in edges}
    stack = []

    def visit(module):
        colour[module] = GREY
        stack.append(module)
        for target in sorted(edges.get(module, {})):
            if colour.get(target, WHITE) == GREY:
                return stack[stack.index(target):] + [target]
            if colour.get(target, WHITE) == WHITE:
                cycle = visit(target)
                if cycle:
                    return cycle
        stack.pop()
        colour[module] = BLACK
        return None

    for module in sorted(edges):
        if colour[module] == WHITE:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
    core = root / "src" / "core"
    edges = graph(core)
    cycles = []
    # Report every cycle, one at a time: cut the first edge of each found.
    while (cycle := find_cycle(edges)) is not None:
        cycles.append([(a, b, edges[a][b]) for a, b in zip(cycle, cycle[1:])])
        del edges[cycle[0]][cycle[1]]

    if not cycles:
        print(f"no include cycle among the {len(edges)} modules of {core}")
        return 0
    for steps in cycles:
        print("include cycle: " + " -> ".join([steps[0][0]] + [b for _, b, _ in steps]))
        for _, _, why in steps:
            print(f"  {why}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
