"""Carry a change made to a re-serialised text back onto the text as it was written.

A serialiser (ruamel.yaml, ``json.dumps``) writes a whole document in its own way: an
escape spelled otherwise, a number written otherwise. To change one field and nothing
else, the document is serialised twice, before (``before``) and after (``after``) the
change; the lines that differ between the two are the change, and only those lines of the
original (``written``) are replaced, found through the lines ``before`` shares with it.
"""

from __future__ import annotations

from difflib import SequenceMatcher


def carry_over(written: str, before: str, after: str) -> str:
    """``written`` with the change from ``before`` to ``after``, every other line kept.

    Where ``written`` and ``before`` differ around a changed line (a line the serialiser
    writes otherwise), that stretch is taken from ``after`` whole: the result always equals
    ``after`` in meaning, and is byte for byte ``written`` outside the change.
    """
    if before == after:
        return written
    if written == before:
        return after
    old, base, new = (text.splitlines(keepends=True) for text in (written, before, after))
    # positions in ``base`` (line boundaries) that correspond exactly to one in ``old``
    exact: dict[int, int] = {}
    # The same number of lines: line for line (an escape spelled otherwise changes no line
    # count, and repeated lines, blank ones above all, would only mislead a matcher).
    aligned = [("equal", 0, len(base), 0, len(old))] if len(base) == len(old) else None
    for tag, b1, b2, o1, o2 in aligned or _opcodes(base, old):
        exact.setdefault(b1, o1)
        exact[b2] = o2
        if tag == "equal":
            for offset in range(b2 - b1):
                exact[b1 + offset] = o1 + offset
    hunks = [[b1, b2, n1, n2] for tag, b1, b2, n1, n2 in _opcodes(base, new) if tag != "equal"]
    merged: list[list[int]] = []
    index = 0
    while index < len(hunks):
        b1, b2, n1, n2 = hunks[index]
        low = merged[-1][1] if merged else 0  # an exact position, as every end below is
        while b1 not in exact and b1 > low:  # widen the start through the lines kept
            b1, n1 = b1 - 1, n1 - 1
        while b2 not in exact:  # widen the end; into the next change, if it comes first
            high = hunks[index + 1][0] if index + 1 < len(hunks) else len(base)
            if b2 < high:
                b2, n2 = b2 + 1, n2 + 1
            else:
                index += 1
                b2, n2 = hunks[index][1], hunks[index][3]
        merged.append([b1, b2, n1, n2])
        index += 1
    result: list[str] = []
    position = 0
    for b1, b2, n1, n2 in merged:
        start, end = exact[b1], exact[b2]
        result.extend(old[position:start])
        result.extend(new[n1:n2])
        position = end
    result.extend(old[position:])
    return "".join(result)


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
