"""What both generations share: the model's reference fields, and the checks on an answer.

A theme's loader embeds referenced files whole, so an answer can be far larger
than any file (a chain of featured posts embeds each post in the one before) and,
with references that go round, infinite; the themes' own builds fail there. An
answer that would be too large or too deep to send is refused with a clear error
instead (``AnswerTooLarge``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import fields

from api.schemas.model import MODEL_SCHEMAS
from api.schemas.model.fields import Resolved
from api.stackbit.js import json_float

MAX_DEPTH = 200  # levels of nesting in one answer; orjson writes at most 255
MAX_VALUES = 5_000_000  # JSON values in one answer, shared objects counted each time


class AnswerTooLarge(Exception):
    """The answer for a path would be too large or too deeply nested to send."""


@cache
def reference_fields() -> frozenset[tuple[str, str]]:
    """``(model, field)`` of every reference field (``reference<T>`` or a list of them).

    The model is the one our schemas describe, as the themes' ``.stackbit/models``
    do: ``PostLayout.author``, ``FeaturedPostsSection.posts``, ...
    """
    found = set()
    for model_name, schema in MODEL_SCHEMAS.items():
        for name, field in schema._declared_fields.items():
            inner = field.inner if isinstance(field, fields.List) else field
            if isinstance(inner, Resolved) and not field.dump_only:
                found.add((model_name, field.data_key or name))
    return frozenset(found)


def finish(answer: dict[str, Any]) -> dict[str, Any]:
    """Check the answer can be sent, and write its floats as ``JSON.stringify`` would."""
    size, height = _measure(answer, {}, 0)
    if height > MAX_DEPTH:
        raise AnswerTooLarge(f"its objects would nest {height} levels deep (at most {MAX_DEPTH})")
    if size > MAX_VALUES:
        raise AnswerTooLarge(f"it would hold {size} values (at most {MAX_VALUES})")
    return answer


def _measure(value: Any, known: dict[int, tuple[int, int]], depth: int) -> tuple[int, int]:
    """How many JSON values ``value`` writes out, and how deep it nests.

    Shared objects (a post embedded in several places) are walked once; a walk
    deeper than any answer may be stops early, so this never recurses too far.
    """
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return 1, 0
    if depth > MAX_DEPTH:  # too deep already: stop before Python's own recursion limit
        return 1, MAX_DEPTH + 1
    found = known.get(id(value))
    if found is not None:
        return found
    known[id(value)] = (MAX_VALUES + 1, MAX_DEPTH + 1)  # a cycle measures as too large
    size, height = 1, 0
    for key, item in list(items):
        if isinstance(item, float):
            value[key] = json_float(item)
        item_size, item_height = _measure(item, known, depth + 1)
        size, height = size + item_size, max(height, item_height + 1)
        if height > MAX_DEPTH or size > MAX_VALUES:
            break
    known[id(value)] = (size, height)
    return size, height
