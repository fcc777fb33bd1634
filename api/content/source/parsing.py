"""Turning file bytes into plain data: front matter split, YAML and JSON loading.

Every function here is pure (bytes or text in, data or a ``ParseError`` out), so the
loader can run them anywhere and tests can feed them strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import frontmatter
import orjson
import yaml

try:  # libyaml's C parser is about eight times faster; the pure-Python one is the fallback.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


class ContentLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader, with the implicit types a content file does not want.

    - No sexagesimal numbers: ``aspectRatio: 16:9`` stays the string ``16:9``
      (YAML 1.1 would read the integer 969).
    - No timestamps: dates stay the strings the author wrote and are normalised
      to ISO 8601 by the date fields of the model, quoted or not.
    - No ``=`` value tag, which the safe constructor cannot build.
    """

    yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}

    def get_single_data(self) -> Any:
        """Build the document from libyaml's nodes with a fast path for plain data.

        PyYAML's constructor is pure Python and general; front matter is maps,
        lists and scalars, which ``_build`` makes about three times faster. Anything
        else (merge keys, explicit tags such as ``!!set``, unhashable keys) goes to
        PyYAML's safe constructor, which decides, and raises, as it always would.
        """
        node = self.get_single_node()
        if node is None:
            return None
        try:
            return _build(node, {})
        except _Unusual:
            return self.construct_document(node)


class _Unusual(Exception):
    """A node the fast path leaves to PyYAML's constructor."""


_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_MAP, _SEQ, _MERGE = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:merge"
_SCALARS = yaml.constructor.SafeConstructor()


def _build(node: yaml.Node, built: dict[int, Any]) -> Any:
    """Plain data from a node; aliases stay shared objects, as PyYAML makes them."""
    tag = node.tag
    if tag == _STR:
        return node.value
    found = built.get(id(node))
    if found is not None:
        return found
    if tag == _MAP:
        mapping: dict[Any, Any] = {}
        built[id(node)] = mapping
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                raise _Unusual
            key = _build(key_node, built)
            if isinstance(key, dict | list):
                raise _Unusual
            mapping[key] = _build(value_node, built)
        return mapping
    if tag == _SEQ:
        sequence: list[Any] = []
        built[id(node)] = sequence
        sequence.extend(_build(item, built) for item in node.value)
        return sequence
    if tag == _NULL:
        return None
    if tag == _INT:
        return _SCALARS.construct_yaml_int(node)
    if tag == _BOOL:
        return _SCALARS.construct_yaml_bool(node)
    if tag == _FLOAT:
        return _SCALARS.construct_yaml_float(node)
    raise _Unusual


ContentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
    list("yYnNtTfFoO"),
)
ContentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
        |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)
ContentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0[0-7_]+
        |[-+]?(?:0|[1-9][0-9_]*)
        |[-+]?0x[0-9a-fA-F_]+)$""",
        re.X,
    ),
    list("-+0123456789"),
)
ContentLoader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])
ContentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


# Constructs that open and must close, as PyYAML names them: an error inside one is the fault
# of the line that opened it.
_UNCLOSED = {
    "while parsing a flow sequence": "the '['",
    "while parsing a flow mapping": "the '{'",
    "while scanning a quoted scalar": "the quote",
}


@dataclass(frozen=True, slots=True)
class ParseError(Exception):
    """A file that could not be read as data, with the 1-based line where the parser stopped."""

    message: str
    line: int = 1

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class MarkdownDocument:
    """A ``.md`` file split into its front matter and its Markdown body."""

    front_matter: dict[str, Any]
    body: str
    front_matter_text: str
    opening_line: int  # 1-based file line of the opening '---'; YAML line 0 is on it


_YAML_HANDLER = frontmatter.YAMLHandler()


def decode_utf8(data: bytes) -> str:
    """Decode a content file; content must be UTF-8 (a BOM is tolerated)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ParseError(
            f"file is not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})", line
        ) from None
    return text.removeprefix("\ufeff")


def load_yaml(text: str, first_line: int = 1) -> Any:
    """Load YAML with ``ContentLoader``; errors carry the file line of the problem.

    ``first_line`` is the file line that holds the text's line 0.
    """
    try:
        return yaml.load(text, Loader=ContentLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or "invalid YAML"
        opened = _UNCLOSED.get(error.context or "")
        if opened and error.context_mark is not None:
            # The fault is where the unclosed thing began, not where the parser gave up.
            noticed = first_line + error.problem_mark.line if error.problem_mark else None
            where = f" on line {noticed}" if noticed is not None else ""
            line = first_line + error.context_mark.line
            message = f"invalid YAML: {opened} on this line is never closed ({problem}{where})"
            raise ParseError(message, line) from None
        if error.context_mark and "end of stream" in problem:
            mark = error.context_mark  # where the unclosed thing began, not the end of the file
        line = first_line + (mark.line if mark else 0)
        context = f" ({error.context})" if error.context else ""
        raise ParseError(f"invalid YAML: {problem}{context}", line) from None
    except yaml.YAMLError as error:
        raise ParseError(f"invalid YAML: {error}", first_line) from None


def parse_markdown(text: str) -> MarkdownDocument:
    """Split a Markdown file into front matter (a mapping) and body."""
    stripped = text.lstrip()
    skipped_lines = text.count("\n", 0, len(text) - len(stripped))
    if not _YAML_HANDLER.detect(stripped):
        raise ParseError("no front matter: the file must start with a '---' line", 1)
    opening = _YAML_HANDLER.FM_BOUNDARY.match(stripped)
    assert opening is not None  # detect() matched it
    try:
        front_matter_text, body = _YAML_HANDLER.split(stripped)
    except ValueError:
        raise ParseError("front matter is not closed: no second '---' line", 1) from None
    opening_line = skipped_lines + stripped.count("\n", 0, opening.end()) + 1
    data = load_yaml(front_matter_text, opening_line)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParseError(
            f"front matter must be a mapping of fields, not {describe_type(data)}",
            opening_line + 1,
        )
    return MarkdownDocument(data, body.strip(), front_matter_text, opening_line)


def parse_json(text: str) -> Any:
    """Load a JSON data file; errors carry the line of the problem."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise ParseError(f"invalid JSON: {error.msg}", error.lineno) from None


def describe_type(value: Any) -> str:
    """How a value reads in an error message: 'a string', 'a list', ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a YAML {type(value).__name__}"


MAX_DEPTH = 64
MAX_VALUES = 100_000
_MAX_INT = 2**63


def find_non_json(value: Any) -> tuple[tuple[str | int, ...], str] | None:
    """The first place where ``value`` is not plain JSON data, and why; ``None`` if it all is.

    Also bounds depth and size: YAML aliases share objects, so a small file can
    describe a structure that is astronomically large once written out as JSON
    (a "billion laughs" file); counting every visited value catches it before
    anything tries to serialise it.
    """
    visited = 0
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, location = stack.pop()
        visited += 1
        if visited > MAX_VALUES:
            return location, f"too many values (over {MAX_VALUES}, YAML aliases included)"
        if len(location) > MAX_DEPTH:
            return location, f"nested more than {MAX_DEPTH} levels deep"
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    return location, f"field names must be strings, got {describe_type(key)}"
                stack.append((child, (*location, key)))
        elif isinstance(item, list):
            stack.extend((child, (*location, index)) for index, child in enumerate(item))
        elif isinstance(item, bool) or item is None or isinstance(item, str):
            continue
        elif isinstance(item, int):
            if not -_MAX_INT <= item < _MAX_INT:
                return location, "integer too large"
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                return location, "not a finite number"
        else:
            return location, f"{describe_type(item)} is not allowed in content (use plain values)"
    return None


_BOUNDARY_REST = re.compile(r"-*[ \t\r]*(?:\n|$)")


def markdown_body(text: str) -> str:
    """The Markdown body of a page file exactly as the file has it, without parsing its front
    matter: everything after the line that closes the front matter, final newline included
    (``?include=markdown`` serves it as it is).

    Only the closing ``---`` line is looked for, with ``str.find``: a restart
    takes the bodies of a whole site this way, so it must cost next to nothing.
    """
    stripped = text.lstrip()
    if not _YAML_HANDLER.detect(stripped):
        return text
    position = stripped.find("\n")
    while position != -1:
        position = stripped.find("\n---", position)
        if position == -1:
            break
        rest = _BOUNDARY_REST.match(stripped, position + 4)
        if rest is not None:
            return stripped[rest.end() :]
        position += 1
    return ""


def has_body(body: str) -> bool:
    """Whether a page has a Markdown body at all: a file whose front matter is all it says
    (blank lines aside) has none, and gets no ``html``, ``toc`` or reading time."""
    return not body.isspace() and body != ""
