"""Data as the Stackbit themes' JavaScript loaders read it: js-yaml 3 and ``JSON.parse``.

Our own loader (``api.content.source.parsing``) reads YAML 1.1 without timestamps, and
normalises what it reads. The themes read the same files with js-yaml 3 (through
the ``front-matter`` package or ``@stackbit/utils``), whose plain scalars resolve
differently: ``yes``/``on`` stay strings, ``1e3`` and ``1:30`` are numbers, and
every number is a JavaScript double. Objects also order their keys the
JavaScript way (integer-like keys first). The Stackbit view must hand a theme
exactly what its own loader would, so it keeps a copy of every file's data read
this way (see ``api.stackbit.verbatim``).

Timestamps are the one js-yaml type left out: the Personal theme's loader turns
an unquoted date into a ``Date``, which Next.js refuses to serialise (its build
fails), and the sourcebit themes read YAML without timestamps; a date stays the
text the file has, as those builds that work see it.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

import yaml

try:  # libyaml composes the nodes; resolving and building them is ours
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

_PLAIN = "!plain"  # a plain (unquoted, untagged) scalar, resolved below
_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_MAX_SAFE_INTEGER = 2**53
_MAX_ARRAY_INDEX = 2**32 - 2


class _Composer(_BaseLoader):  # type: ignore[misc, valid-type]
    """libyaml's composer, with every plain scalar left for js-yaml's rules."""

    yaml_implicit_resolvers: dict[str, list[Any]] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]


def load_yaml_as_js(text: str, *, core: bool = False) -> Any:
    """What js-yaml 3 ``load`` gives for ``text``, as JSON-ready Python data; with ``core``,
    what js-yaml 4 gives with its ``JSON_SCHEMA`` (``@stackbit/utils``, which
    ``sourcebit-source-filesystem`` reads files with: no ``<<`` merges, no base-60 numbers,
    ``010`` is ten).

    Raises ``yaml.YAMLError`` where libyaml cannot read the text at all.
    """
    loader = _Composer(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    resolve = resolve_plain_core if core else resolve_plain
    return None if node is None else _build(node, {}, resolve)


def _build(node: yaml.Node, built: dict[int, Any], resolve: Any) -> Any:
    kind = type(node)
    if kind is yaml.ScalarNode:
        tag, value = node.tag, node.value
        if tag == _PLAIN:
            return resolve(value) if _MAYBE_NOT_A_STRING(value) else value
        return _scalar(tag, value, resolve)
    found = built.get(id(node))
    if found is not None:  # an alias: the same object, as js-yaml shares it
        return found
    if kind is yaml.SequenceNode:
        sequence: list[Any] = []
        built[id(node)] = sequence
        sequence.extend(_build(item, built, resolve) for item in node.value)
        return sequence
    mapping: dict[str, Any] = {}
    built[id(node)] = mapping
    merged: set[str] = set()  # keys a merge put in, which later keys may override
    merges = resolve is resolve_plain  # js-yaml 4's JSON_SCHEMA has no merge type
    for key_node, value_node in node.value:
        if merges and key_node.tag == _PLAIN and key_node.value == "<<":
            _merge(mapping, _build(value_node, built, resolve), merged)
            continue
        key = _build(key_node, built, resolve)
        if type(key) is not str:
            key = js_string(key)
        mapping[key] = _build(value_node, built, resolve)
        if merged:
            merged.discard(key)
    return js_object(mapping)


def _merge(target: dict[str, Any], source: Any, merged: set[str]) -> None:
    """js-yaml's ``<<``: each source's keys that ``target`` does not have yet, in order."""
    for item in source if isinstance(source, list) else [source]:
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            if key not in target:
                target[key] = value
                merged.add(key)


def _scalar(tag: str, value: str, resolve: Any) -> Any:
    if tag == _PLAIN:
        return resolve(value)
    if tag in (_INT, _FLOAT, _BOOL, _NULL):
        resolved = resolve(value)
        return value if isinstance(resolved, str) else resolved
    return value


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_FLOAT_PATTERN = re.compile(
    r"""^(?:[-+]?(?:0|[1-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?
    |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_BASE60_TAIL = re.compile(r"^(?::[0-5]?[0-9])+$")
# Whatever could resolve to something other than a string starts like one of these.
_MAYBE_NOT_A_STRING = re.compile(
    r"[-+.0-9~]|(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)\Z|\Z"
).match


def resolve_plain(value: str) -> Any:
    """A plain scalar by js-yaml 3's implicit types: null, bool, int, float, else a string."""
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    if _is_int(value):
        return js_number(_int_value(value))
    if _FLOAT_PATTERN.match(value) and not value.endswith("_"):
        return js_number(_float_value(value))
    return value


_CORE_INT = re.compile(r"[-+]?(?:0b[01]+|0x[0-9a-fA-F]+|0o[0-7]+|[0-9]+)\Z")
_CORE_FLOAT = re.compile(
    r"""(?:[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?
    |\.[0-9]+(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))\Z""",
    re.X,
)
_CORE_BASES = {"0b": 2, "0x": 16, "0o": 8}
_DOUBLE_LIMIT = 2**1024


def resolve_plain_core(value: str) -> Any:
    """A plain scalar by js-yaml 4's ``JSON_SCHEMA`` (its core types): null, bool, int
    (``0b``, ``0x``, ``0o``, else decimal even with leading zeros), float, else a string."""
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    if _CORE_INT.match(value):
        sign = -1 if value[0] == "-" else 1
        digits = value.lstrip("+-")
        base = _CORE_BASES.get(digits[:2], 10)
        number = sign * int(digits[2:] if base != 10 else digits, base)
        if abs(number) < _DOUBLE_LIMIT:  # else not isFinite: js-yaml tries it as a float
            return js_number(number)
    if _CORE_FLOAT.match(value):
        number = _float_value(value)
        if math.isfinite(number) or value.lstrip("+-").startswith("."):
            return js_number(number)
    return value


def _is_int(data: str) -> bool:
    """js-yaml 3's ``resolveYamlInteger``, character by character as it reads."""
    if not data:
        return False
    index, end = 0, len(data)
    if data[0] in "-+":
        index = 1
    if index >= end:
        return False
    if data[index] == "0":
        if index + 1 == end:
            return True
        index += 1
        prefix = data[index]
        digits = "01" if prefix == "b" else "0123456789abcdefABCDEF" if prefix == "x" else None
        if digits is not None:
            index += 1
        body = data[index:]
        allowed = digits if digits is not None else "01234567"
        return (
            any(ch != "_" for ch in body)
            and all(ch == "_" or ch in allowed for ch in body)
            and not body.endswith("_")
        )
    if data[index] == "_":
        return False
    has_digits = False
    last = ""
    while index < end:
        last = data[index]
        if last == ":":
            break
        if last != "_":
            if last not in "0123456789":
                return False
            has_digits = True
        index += 1
    if not has_digits or last == "_":
        return False
    return last != ":" or _BASE60_TAIL.match(data[index:]) is not None


def _int_value(data: str) -> float | int:
    value = data.replace("_", "")
    sign = -1 if value[0] == "-" else 1
    value = value.lstrip("+-")
    if value == "0":
        return 0
    if value[0] == "0":
        if value[1:2] == "b":
            return sign * int(value[2:], 2)
        if value[1:2] == "x":
            return sign * int(value[2:], 16)
        return sign * int(value, 8)
    if ":" in value:
        total = 0
        for part in value.split(":"):
            total = total * 60 + int(part)
        return sign * total
    return sign * int(value)


def _float_value(data: str) -> float:
    value = data.replace("_", "").lower()
    sign = -1.0 if value[0] == "-" else 1.0
    value = value.lstrip("+-")
    if value == ".inf":
        return sign * math.inf
    if value == ".nan":
        return math.nan
    if ":" in value:  # base 60, summed from the last part as js-yaml does
        total, base = 0.0, 1.0
        for part in reversed(value.split(":")):
            total += float(part) * base
            base *= 60
        return sign * total
    return sign * float(value)


def js_number(value: float | int) -> int | float | None:
    """A number as a JavaScript double serialises: ``null`` if not finite, an ``int``
    for whole values below 1e21 (with the digits ``JSON.stringify`` writes), else a float."""
    try:
        number = float(value)
    except OverflowError:  # an integer beyond the largest double: Infinity in JavaScript
        return None
    if not math.isfinite(number):
        return None
    if number.is_integer() and abs(number) < 1e21:
        if isinstance(value, int) and abs(value) <= _MAX_SAFE_INTEGER:
            return value
        return int(Decimal(repr(number)))  # the shortest digits, padded with zeros, as JS
    return number


def js_number_text(number: float) -> str:
    """``Number.prototype.toString()`` of a finite double (ECMAScript's Number::toString).

    ``repr`` gives the same shortest round-trip digits JavaScript picks; only where
    the decimal point goes, and when to use an exponent, differ.
    """
    if number == 0:
        return "0"
    _, digit_tuple, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    count = len(digits)
    point = count + int(exponent)  # the value is 0.<digits> * 10**point
    if count <= point <= 21:
        text = digits + "0" * (point - count)
    elif 0 < point <= 21:
        text = f"{digits[:point]}.{digits[point:]}"
    elif -6 < point <= 0:
        text = "0." + "0" * -point + digits
    else:
        power = point - 1
        head = digits[0] + (f".{digits[1:]}" if count > 1 else "")
        text = f"{head}e{'+' if power >= 0 else '-'}{abs(power)}"
    return ("-" if number < 0 else "") + text


def js_string(value: Any) -> str:
    """``String(value)`` for what a YAML key can be (js-yaml turns every key into a string)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number_text(value)
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    return "[object Object]"


def _is_array_index(key: str) -> bool:
    return key.isdigit() and (key == "0" or key[0] != "0") and int(key) <= _MAX_ARRAY_INDEX


def js_object(mapping: dict[str, Any]) -> dict[str, Any]:
    """The key order of a JavaScript object: integer-like keys first, ascending, then the rest."""
    if not any(key[:1].isdigit() and _is_array_index(key) for key in mapping):
        return mapping
    items = list(mapping.items())
    mapping.clear()  # reordered in place: a YAML alias may already point at this object
    mapping.update(sorted((item for item in items if _is_array_index(item[0])), key=_index))
    mapping.update(item for item in items if not _is_array_index(item[0]))
    return mapping


def _index(item: tuple[str, Any]) -> int:
    return int(item[0])


def js_json_value(value: Any) -> Any:
    """``JSON.parse`` data from Python's: numbers as doubles, keys in JavaScript's order."""
    if isinstance(value, dict):
        return js_object({key: js_json_value(item) for key, item in value.items()})
    if isinstance(value, list):
        return [js_json_value(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return js_number(value)
    return value
