"""JavaScript semantics the themes' resolvers rely on, for data that came from JSON or YAML.

The themes sort by ``new Date(post.date)``, slice with ``props.recentCount || 3``,
list files in ``glob``'s order and test truthiness the JavaScript way; the view
must do the same, including where Python would do something else (an empty list
is truthy, ``"2"`` slices like ``2``).
"""

from __future__ import annotations

import math
import re
import unicodedata
from calendar import timegm
from typing import Any

import orjson

from api.stackbit.js_yaml import js_number_text

_WHITESPACE = "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(code) for code in range(0x2000, 0x200B)
)


def truthy(value: Any) -> bool:
    """JavaScript truthiness: ``0``, ``NaN``, ``""``, ``null``, ``false`` are falsy, ``[]`` not."""
    if value is None or value is False or value == "":
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value == value and value != 0
    return True


def to_number(value: Any) -> float:
    """``Number(value)`` for JSON values."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return _string_to_number(value)
    if isinstance(value, list):
        if not value:
            return 0.0
        return (
            to_number(value[0]) if len(value) == 1 and not isinstance(value[0], dict) else math.nan
        )
    return math.nan


_DECIMAL = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_RADIX = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}


def _string_to_number(text: str) -> float:
    text = text.strip(_WHITESPACE)
    if not text:
        return 0.0
    if _DECIMAL.fullmatch(text):
        return float(text.replace("Infinity", "inf"))
    radix = _RADIX.get(text[:2])
    if radix is not None:
        try:
            return float(int(text[2:], radix)) if "_" not in text else math.nan
        except ValueError:
            return math.nan
    return math.nan


def slice_end(value: Any, length: int) -> int:
    """Where ``array.slice(0, value)`` stops, for an array of ``length`` items."""
    number = to_number(value)
    if math.isnan(number):
        return 0
    if math.isinf(number):
        return length if number > 0 else 0
    end = math.trunc(number)
    return max(length + end, 0) if end < 0 else min(end, length)


# ECMAScript's date time string format; V8 also takes a space for the "T". A date alone is
# UTC; a date and time without an offset is local time, which these builds ran in UTC.
_DATE = re.compile(
    r"([+-]\d{6}|\d{4})(?:-(\d\d)(?:-(\d\d))?)?"
    r"(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?)?"
    r"(Z|[+-]\d\d:\d\d)?"
)


def date_milliseconds(value: Any) -> float:
    """``new Date(value).getTime()``: milliseconds since the epoch, ``NaN`` if invalid."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(math.trunc(value)) if abs(value) <= 8.64e15 else math.nan
    if not isinstance(value, str):
        return math.nan
    match = _DATE.fullmatch(value.strip(_WHITESPACE))
    if match is None:
        return math.nan
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    if offset is not None and hour is None:
        return math.nan
    parts = [int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0)]
    limits = [(1, 12), (1, _days_in(int(year), parts[0])), (0, 24), (0, 59), (0, 59)]
    if any(not low <= part <= high for part, (low, high) in zip(parts, limits, strict=True)):
        return math.nan
    if parts[2] == 24 and (parts[3] or parts[4] or int((fraction or "0")[:3] or 0)):
        return math.nan
    seconds = timegm((int(year), *parts, 0, 0, 0))
    milliseconds = seconds * 1000 + int((fraction or "0")[:3].ljust(3, "0"))
    if offset and offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        milliseconds -= sign * (int(offset[1:3]) * 60 + int(offset[4:6])) * 60_000
    return float(milliseconds) if abs(milliseconds) <= 8.64e15 else math.nan


def _days_in(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def newest_first(first: float, second: float) -> float:
    """The themes' comparator, ``dateB - dateA``, with ``NaN`` where JavaScript has it."""
    return second - first


# ICU's root collation order for ASCII punctuation and symbols (they sort before digits,
# digits before letters): `"a_b" < "a-b" < "a.b" < "a/b" < "a1" < "ab"`.
_SYMBOLS = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
_SYMBOL_RANK = {symbol: rank for rank, symbol in enumerate(_SYMBOLS)}


def locale_order(text: str) -> tuple[Any, ...]:
    """A sort key close to ``a.localeCompare(b, 'en')``, which ``glob`` sorts its files by.

    Case and accents only break ties (ICU's secondary and tertiary levels), lower
    case first; symbols come before digits, digits before letters.
    """
    primary, secondary, tertiary = [], [], []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        base = decomposed[0]
        folded = base.lower()
        if folded in _SYMBOL_RANK:
            primary.append((0, _SYMBOL_RANK[folded], ""))
        elif folded.isdigit():
            primary.append((1, 0, folded))
        elif folded.isalpha():
            primary.append((2, 0, folded))
        else:
            primary.append((3, ord(base), ""))
        secondary.append(decomposed[1:])
        tertiary.append(0 if base == folded else 1)
    return (primary, secondary, tertiary, text)


def code_unit_order(text: str) -> bytes:
    """JavaScript's default ``sort()`` order for strings: by UTF-16 code units."""
    return text.encode("utf-16-be", "surrogatepass")


def json_float(value: float) -> Any:
    """A float that ``orjson`` writes as ``JSON.stringify`` does (only tiny ones differ)."""
    text = js_number_text(value)
    if orjson.dumps(value).decode() == text:
        return value
    return orjson.Fragment(text)
