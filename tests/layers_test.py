#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The layering of src/ (docs/architecture.md) and the size rules of STYLE.md, checked.

- A directory of src/ includes only the directories below it (the table of allowed_includes).
- No source or header file under src/ is longer than 600 lines.
- No class or struct under src/ or include/ has more than 8 bool members: state is an enum.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parents[1]

# What each directory of src/ may include from src/ (itself always). app, testing: anything.
allowed_includes = {
    "runtime": set(),
    "router": set(),
    "http": set(),
    "net": set(),
    "pubsub": set(),
    "json": {"http"},
    "middleware": {"http", "json", "runtime", "router"},
    "client": {"runtime", "http", "net", "json"},
    "server": {"http", "net", "runtime", "json", "router", "pubsub"},
    "websocket": {"http", "net", "runtime", "pubsub"},
}
max_lines = 600
max_bools = 8

include_re = re.compile(r'^#include "([a-z_]+)/')
open_re = re.compile(r"^(\s*)(?:class|struct)\s+(?:\w+\s+)*?(\w+)\b[^;]*\{\s*$")
bool_re = re.compile(r"^\s*(?:mutable\s+)?bool\s+\w+\s*(?:=[^;]*|\{[^;]*\})?;")


def sources(*dirs):
    for d in dirs:
        for p in sorted((root / d).rglob("*")):
            if p.suffix in (".cpp", ".hpp"):
                yield p


def bool_members(lines):
    """(class name, count) for every class or struct body, counting its direct bool members."""
    stack, counts = [], []
    for line in lines:
        m = open_re.match(line)
        if m:
            stack.append((m.group(2), len(m.group(1)), len(counts)))
            counts.append([m.group(2), 0])
            continue
        if stack and line.rstrip() == " " * stack[-1][1] + "};":
            stack.pop()
            continue
        if stack and bool_re.match(line):
            indent = len(line) - len(line.lstrip())
            if indent == stack[-1][1] + 2:
                counts[stack[-1][2]][1] += 1
    return counts


def main():
    failures = []
    for path in sources("src"):
        rel = path.relative_to(root)
        layer = rel.parts[1]
        text = path.read_text().splitlines()
        if len(text) > max_lines:
            failures.append(f"{rel}: {len(text)} lines (at most {max_lines})")
        if layer in allowed_includes:
            for n, line in enumerate(text, 1):
                m = include_re.match(line)
                if m and m.group(1) not in ("swoop", layer) and m.group(1) not in allowed_includes[layer]:
                    failures.append(f"{rel}:{n}: {layer}/ includes {m.group(1)}/")
    for path in sources("src", "include"):
        for name, count in bool_members(path.read_text().splitlines()):
            if count > max_bools:
                failures.append(f"{path.relative_to(root)}: {name} has {count} bool members")
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
