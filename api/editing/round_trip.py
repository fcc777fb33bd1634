"""Entries as JSON, and back to the file's bytes with only what changed changed.

An entry is the file as data: a Markdown file's front matter (read as the server reads it:
dates stay the strings written) and its body, byte for byte; a JSON file's data. Writing
an entry back edits the file rather than writing it anew: the front matter is loaded with
ruamel.yaml's round-trip loader (comments, key order, quoting, flow or block style), only
the values that differ are set, and of its dump only the lines that differ from a dump of
the untouched document replace lines of the file (``line_patch.carry_over``); a JSON file is
written in its own indentation, key separator and escaping, the same way. The result is
always parsed back as the server will parse it and compared with what was asked: a file
that would not read back as asked is written plainer, never wrong.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from collections.abc import Callable
from difflib import SequenceMatcher
from typing import Any

import orjson
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    PlainScalarString,
    ScalarString,
    SingleQuotedScalarString,
)

from api.content.source.parsing import (
    ContentLoader,
    ParseError,
    decode_utf8,
    describe_type,
    find_non_json,
    markdown_body,
    parse_json,
    parse_markdown,
)
from api.content.source.validation import format_location
from api.editing.line_patch import carry_over

# (mapping, sequence, offset) indentations tried on a file; the one whose dump matches the
# file best is kept. The first is what Stackbit themes and most editors write.
INDENTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 4, 0))
_BOUNDARY = re.compile(r"^-{3,}[ \t]*\r?$", re.MULTILINE)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


class Unreadable(Exception):
    """The file on disk cannot be read as an entry (its own parse error)."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class NotFaithful(Exception):
    """No serialisation reads back as the entry asked for (should not happen)."""


# Reading


def read_entry(path: str, data: bytes) -> dict[str, Any]:
    """The entry of a file: ``{"frontMatter", "body"}`` (Markdown) or ``{"data"}`` (JSON)."""
    try:
        text = decode_utf8(data)
        if path.endswith(".md"):
            document = parse_markdown(text)
            _check_plain(document.front_matter)
            return {"frontMatter": document.front_matter, "body": markdown_body(text)}
        value = parse_json(text)
    except ParseError as error:
        raise Unreadable(error.message, error.line) from None
    except RecursionError:
        raise Unreadable("structure is nested too deeply") from None
    if not isinstance(value, dict):
        raise Unreadable(f"expected a JSON object, got {describe_type(value)}")
    _check_plain(value)
    return {"data": value}


def _check_plain(value: Any) -> None:
    bad = find_non_json(value)
    if bad is not None:
        where = format_location(bad[0])
        raise Unreadable(f"{where}: {bad[1]}" if where else bad[1])


def same(a: Any, b: Any) -> bool:
    """Equal as JSON values, types included (``1`` is not ``true`` nor ``1.0``), whatever the
    key order."""
    try:
        return orjson.dumps(a, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
            b, option=orjson.OPT_SORT_KEYS
        )
    except TypeError:
        return False


# Markdown


def render_markdown(old: bytes | None, front_matter: dict[str, Any], body: str) -> bytes:
    """The bytes of a Markdown file with this front matter and body: ``old`` edited where it
    differs, or a new file."""
    if old is None:
        return _verified(_new_markdown(front_matter, body), front_matter, body)
    text = old.decode("utf-8")
    try:
        head, written, tail, old_body = _split(text)
        old_front = read_entry("x.md", old)["frontMatter"]
    except (Unreadable, UnicodeDecodeError):
        return _verified(_new_markdown(front_matter, body), front_matter, body)
    crlf = "\r\n" in written
    lf_written = written.replace("\r\n", "\n") if crlf else written
    attempts: list[Callable[[], str]] = []
    edited = _edit_yaml(lf_written, old_front, front_matter)
    if edited is not None:
        before, after = edited
        attempts.append(lambda: carry_over(lf_written, before, after))
        attempts.append(lambda: after)
    attempts.append(lambda: _plain_yaml(front_matter))
    new_body = old_body if body == old_body else body
    for attempt in attempts:
        yaml_text = attempt()
        if crlf:
            yaml_text = yaml_text.replace("\n", "\r\n")
        candidate = f"{head}{yaml_text}{tail}{new_body}"
        if _reads_back(candidate, front_matter, body):
            return candidate.encode()
    raise NotFaithful("the front matter does not read back as written")


def _split(text: str) -> tuple[str, str, str, str]:
    """(everything up to the front matter, the front matter, its closing line, the body)."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    rest = text[len(bom) :]
    stripped = rest.lstrip()
    opening = _BOUNDARY.match(stripped)
    if opening is None or not stripped[opening.end() :].startswith("\n"):
        raise Unreadable("no front matter")
    start = opening.end() + 1
    closing = _BOUNDARY.search(stripped, start)
    if closing is None:
        raise Unreadable("front matter is not closed")
    end = closing.end() + (1 if stripped[closing.end() : closing.end() + 1] == "\n" else 0)
    head = bom + rest[: len(rest) - len(stripped)] + stripped[:start]
    return head, stripped[start : closing.start()], stripped[closing.start() : end], stripped[end:]


def _new_markdown(front_matter: dict[str, Any], body: str) -> str:
    return f"---\n{_plain_yaml(front_matter)}---\n{body}"


def _reads_back(text: str, front_matter: dict[str, Any], body: str) -> bool:
    try:
        document = parse_markdown(decode_utf8(text.encode()))
    except ParseError:
        return False
    return same(document.front_matter, front_matter) and markdown_body(text) == body


def _verified(text: str, front_matter: dict[str, Any], body: str) -> bytes:
    if not _reads_back(text, front_matter, body):
        raise NotFaithful("the front matter does not read back as written")
    return text.encode()


def _yaml(indent: tuple[int, int, int]) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 30  # never fold a long line
    yaml.allow_unicode = True
    mapping, sequence, offset = indent
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: YAML, document: Any) -> str:
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _edit_yaml(written: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[str, str] | None:
    """(the untouched document's dump, the edited one's), in the file's indentation."""
    best: tuple[float, tuple[int, int, int]] | None = None
    try:
        loaded = _yaml(INDENTS[0]).load(written)
    except (YAMLError, ValueError, TypeError):
        return None
    lines = written.splitlines()
    for indent in INDENTS:
        try:
            dumped = _dump(_yaml(indent), loaded) if loaded is not None else ""
        except (YAMLError, ValueError, TypeError):
            return None
        if dumped == written:
            best = (2.0, indent)
            break
        score = SequenceMatcher(None, lines, dumped.splitlines(), autojunk=False).ratio()
        if best is None or score > best[0]:
            best = (score, indent)
        if score > 0.98:  # all but a line or two (an escape written otherwise): this one
            break
    assert best is not None
    yaml = _yaml(best[1])
    try:
        document = yaml.load(written)
        if document is None:
            document = CommentedMap()
        if not isinstance(document, CommentedMap):
            return None
        before = _dump(yaml, document)
        _merge_map(document, old, new)
        return before, _dump(yaml, document)
    except (YAMLError, ValueError, TypeError, KeyError, IndexError):
        return None


def _merge_map(node: CommentedMap, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Make ``node`` (holding ``old``) hold ``new``: changed values set, keys the file has
    kept in its order, new keys placed after the key they follow in ``new``."""
    for key in [key for key in node if key not in new]:
        del node[key]
    previous = None
    for key, value in new.items():
        if key in node and key in old:
            if not same(old[key], value):
                node[key] = _merged(node[key], old[key], value)
        else:
            position = list(node).index(previous) + 1 if previous in node else 0
            node.insert(position, key, _fresh(value))
        previous = key


def _merge_seq(node: CommentedSeq, old: list[Any], new: list[Any]) -> None:
    if len(old) == len(new):
        for index, (was, value) in enumerate(zip(old, new, strict=True)):
            if not same(was, value):
                node[index] = _merged(node[index], was, value)
        return
    keys = [orjson.dumps(item, option=orjson.OPT_SORT_KEYS) for item in old]
    new_keys = [orjson.dumps(item, option=orjson.OPT_SORT_KEYS) for item in new]
    matcher = SequenceMatcher(None, keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for offset in range(i2 - i1):
                node[i1 + offset] = _merged(node[i1 + offset], old[i1 + offset], new[j1 + offset])
            continue
        for index in range(i2 - 1, i1 - 1, -1):
            del node[index]
        for offset, value in enumerate(new[j1:j2]):
            node.insert(i1 + offset, _fresh(value))


def _merged(node: Any, old: Any, new: Any) -> Any:
    if isinstance(node, CommentedMap) and isinstance(old, dict) and isinstance(new, dict):
        _merge_map(node, old, new)
        return node
    if isinstance(node, CommentedSeq) and isinstance(old, list) and isinstance(new, list):
        _merge_seq(node, old, new)
        return node
    if isinstance(new, str):
        if isinstance(node, ScalarString):
            if isinstance(node, PlainScalarString) and not _plain_reads_as_string(new):
                return SingleQuotedScalarString(new)
            return type(node)(new)  # quoted as it was, or a block scalar as it was
        if isinstance(node, datetime.date) and _ISO_DATE.match(new):
            try:
                return datetime.date.fromisoformat(new)  # written plain, as it was
            except ValueError:
                pass
    return _fresh(new)


def _fresh(value: Any) -> Any:
    """A new value as ruamel.yaml should write it: strings that the server's loader would read
    as something else (``yes``, ``~``, ``0o7``) quoted."""
    if isinstance(value, str):
        if "\n" in value or not value.isprintable():
            return DoubleQuotedScalarString(value)
        return value if _plain_reads_as_string(value) else SingleQuotedScalarString(value)
    if isinstance(value, dict):
        return {key: _fresh(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    return value


def _plain_reads_as_string(text: str) -> bool:
    """Whether the server's YAML loader reads ``text`` written plain as that string."""
    resolvers = ContentLoader.yaml_implicit_resolvers.get(text[:1], [])
    return not any(pattern.match(text) for _, pattern in resolvers)


def _plain_yaml(front_matter: dict[str, Any]) -> str:
    """A new front matter (or one no edit could keep): ruamel.yaml's block style."""
    if not front_matter:
        return ""
    return _dump(_yaml(INDENTS[0]), _fresh(front_matter))


# JSON


def render_json(old: bytes | None, data: dict[str, Any]) -> bytes:
    """The bytes of a JSON file with ``data``: ``old``'s indentation, separators, escaping and
    key order kept, only the lines that changed changed; or a new file (two spaces)."""
    if old is None:
        return _json_verified(json.dumps(data, indent=2, ensure_ascii=False) + "\n", data)
    try:
        text = decode_utf8(old)
        before_data = parse_json(text)
    except ParseError:
        return _json_verified(json.dumps(data, indent=2, ensure_ascii=False) + "\n", data)
    bom = "\ufeff" if old.startswith(b"\xef\xbb\xbf") else ""
    crlf = "\r\n" in text
    lf_text = text.replace("\r\n", "\n") if crlf else text
    dump = _json_style(lf_text)
    merged = _merge_plain(before_data, data)
    before, after = dump(before_data), dump(merged)
    for candidate in (carry_over(lf_text, before, after), after):
        result = candidate.replace("\n", "\r\n") if crlf else candidate
        if _json_reads_back(result, data):
            return (bom + result).encode()
    return _json_verified(json.dumps(data, indent=2, ensure_ascii=False) + "\n", data)


def _json_style(text: str) -> Callable[[Any], str]:
    """A ``json.dumps`` that writes as ``text`` is written."""
    indent: str | None = None
    lines = text.strip().splitlines()
    if len(lines) > 1:
        second = lines[1]
        indent = second[: len(second) - len(second.lstrip())] or None
    key_separator = ": " if re.search(r'"\s*: ', text) or indent is None else ":"
    if indent is not None and not re.search(r'"\s*: ', text) and re.search(r'":\S', text):
        key_separator = ":"
    escaped = re.search(r"\\u[0-9a-fA-F]{4}", text) is not None and text.isascii()
    ending = text[len(text.rstrip()) :]

    def dump(value: Any) -> str:
        separators = (",", key_separator) if indent is not None else (", ", key_separator)
        return json.dumps(value, indent=indent, separators=separators, ensure_ascii=escaped) + (
            ending
        )

    return dump


def _merge_plain(old: Any, new: Any) -> Any:
    """``new``, with the key order of ``old`` where they share keys."""
    if isinstance(old, dict) and isinstance(new, dict):
        result: dict[str, Any] = {}
        order = [key for key in old if key in new]
        inserted: dict[str | None, list[str]] = {}
        previous: str | None = None
        for key in new:
            if key not in old:
                inserted.setdefault(previous, []).append(key)
            else:
                previous = key
        for key in inserted.get(None, []):
            result[key] = new[key]
        for key in order:
            result[key] = _merge_plain(old[key], new[key])
            for added in inserted.get(key, []):
                result[added] = new[added]
        return result
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [_merge_plain(a, b) for a, b in zip(old, new, strict=True)]
    return new


def _json_reads_back(text: str, data: dict[str, Any]) -> bool:
    try:
        return same(orjson.loads(text), data)
    except orjson.JSONDecodeError:
        return False


def _json_verified(text: str, data: dict[str, Any]) -> bytes:
    if not _json_reads_back(text, data):
        raise NotFaithful("the JSON does not read back as written")
    return text.encode()
