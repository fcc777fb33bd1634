"""JSON shown with the docs' trimming marks (``...``), compared with a real answer: the rules
are in tests/api/test_docs_examples.py's docstring; the docs' write examples
(tests/api/test_editing_docs.py) are checked with them too."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

GAP = "@@gap@@"  # `...` among an object's members or a list's items
ANY = "@@any@@"  # `...` where a value stands


def parse_trimmed(text: str) -> Any:
    """Parse JSON in which `...` stands for what was left out (see the module's docstring)."""
    out, stack, index, in_string = [], [], 0, False
    while index < len(text):
        char = text[index]
        if in_string:
            out.append(char)
            if char == "\\":
                out.append(text[index + 1])
                index += 1
            elif char == '"':
                in_string = False
        elif text.startswith("...", index):
            previous = "".join(out).rstrip()[-1:]
            if stack and stack[-1] == "{" and previous != ":":
                out.append(f'"{GAP}": null')
            elif stack and stack[-1] == "[":
                out.append(f'"{GAP}"')
            else:
                out.append(f'"{ANY}"')
            index += 2
        else:
            if char == '"':
                in_string = True
            elif char in "{[":
                stack.append(char)
            elif char in "}]":
                stack.pop()
            out.append(char)
        index += 1
    fixed = "".join(out)
    fixed = re.sub(r'\{\s*"@@gap@@": null\s*\}', f'"{ANY}"', fixed)  # {...}: any object
    fixed = re.sub(r'\[\s*"@@gap@@"\s*\]', f'"{ANY}"', fixed)  # [...]: any list
    return json.loads(fixed, object_pairs_hook=list)


def mismatches(shown: Any, real: Any, where: str = "$") -> Iterator[str]:
    """Where ``real`` differs from the trimmed ``shown`` (objects parsed as pair lists)."""
    if shown == ANY:
        return
    if isinstance(shown, list) and shown and all(isinstance(p, tuple) for p in shown):
        yield from object_mismatches(shown, real, where)
    elif shown == [] and isinstance(real, dict):
        if real:
            yield f"{where}: an empty object shown, {sorted(real)} answered"
    elif isinstance(shown, list):
        yield from list_mismatches(shown, real, where)
    elif isinstance(shown, str) and shown.endswith("...") and shown != "...":
        prefix = shown[:-3].rstrip()
        if not (isinstance(real, str) and real.startswith(prefix)):
            yield f"{where}: shown {shown!r}, answered {real!r}"
    elif shown == "...":
        if not isinstance(real, str):
            yield f"{where}: a string shown, {real!r} answered"
    elif shown != real or type(shown) is not type(real):
        yield f"{where}: shown {shown!r}, answered {real!r}"


def object_mismatches(shown: list, real: Any, where: str) -> Iterator[str]:
    if not isinstance(real, dict):
        yield f"{where}: an object shown, {type(real).__name__} answered"
        return
    members = [(key, value) for key, value in shown if key != GAP]
    trimmed = len(members) < len(shown)
    keys = [key for key, _ in members]
    missing = [key for key in keys if key not in real]
    if missing:
        yield f"{where}: shown {missing}, not in the answer (which has {list(real)})"
        return
    if not trimmed and set(real) != set(keys):
        yield f"{where}: the answer also has {[k for k in real if k not in keys]} (trim with ...)"
    order = [key for key in real if key in keys]
    if order != keys:
        yield f"{where}: keys shown in the order {keys}, answered in the order {order}"
    for key, value in members:
        yield from mismatches(value, real[key], f"{where}.{key}")


def list_mismatches(shown: list, real: Any, where: str) -> Iterator[str]:
    if not isinstance(real, list):
        yield f"{where}: a list shown, {type(real).__name__} answered"
        return
    if GAP not in shown:
        if len(shown) != len(real):
            yield f"{where}: {len(shown)} items shown, {len(real)} answered (trim with ...)"
            return
        for index, (item, actual) in enumerate(zip(shown, real, strict=True)):
            yield from mismatches(item, actual, f"{where}[{index}]")
        return
    # The items between gaps: the first run is at the start unless a gap leads, the last at the
    # end unless a gap closes, and each run is found after the one before it.
    runs: list[list] = [[]]
    for item in shown:
        if item == GAP:
            runs.append([])
        else:
            runs[-1].append(item)
    position = 0
    for number, run in enumerate(runs):
        if not run:
            continue
        if number == 0:
            starts: range | list[int] = [0]
        elif number == len(runs) - 1:
            starts = [len(real) - len(run)]
        else:
            starts = range(position, len(real) - len(run) + 1)
        found = None
        for start in starts:
            if start < position or start + len(run) > len(real):
                continue
            problems = [
                problem
                for k, item in enumerate(run)
                for problem in mismatches(item, real[start + k], f"{where}[{start + k}]")
            ]
            if not problems:
                found = start
                break
            if len(starts) == 1:
                yield from problems
                return
        if found is None:
            yield f"{where}: the items shown {run!r} are not in the answer in that order"
            return
        position = found + len(run)
