#!/usr/bin/python3
"""Fail when the files in src/ include each other in a circle (doc/DESIGN.md,
"Includes follow the same direction"). A .c file and its .h are one node;
a private header NAME_int.h belongs to NAME. Prints each circle found."""

import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "src"


def node(name):
    return name[:-4] if name.endswith("_int") else name


def graph():
    g = {}
    for f in sorted(os.listdir(SRC)):
        if not f.endswith((".c", ".h")):
            continue
        a = node(f[:-2])
        g.setdefault(a, set())
        with open(os.path.join(SRC, f), encoding="utf-8") as fp:
            for inc in re.findall(r'^#include "([A-Za-z0-9_]+)\.h"',
                                  fp.read(), re.M):
                b = node(inc)
                if b != a:
                    g[a].add(b)
    return g


def circles(g):
    """Tarjan's strongly connected components of more than one node."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def main():
    g = graph()
    found = circles(g)
    for comp in found:
        inside = set(comp)
        edges = ["%s -> %s" % (a, b) for a in comp
                 for b in sorted(g[a]) if b in inside]
        print("include circle among %s: %s" % (", ".join(comp),
                                              "; ".join(edges)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
