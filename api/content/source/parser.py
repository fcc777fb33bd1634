"""One file's way from bytes to a ``ParsedFile``: decode, parse, check, normalise, validate.

``parse_source`` is a pure function of a file's path and bytes: its result can be
cached by content hash and computed in another process.
"""

from __future__ import annotations

from typing import Any

from api.content.source.extras import Extras, compute_extras
from api.content.source.hints import did_you_mean
from api.content.source.lines import LineFinder
from api.content.source.locales import LocalesError, parse_locales
from api.content.source.model_types import PAGE_TYPES
from api.content.source.parsed import (
    FileKind,
    ParsedFile,
    Reference,
    kind_of,
    site_file_type,
)
from api.content.source.parsing import (
    ParseError,
    decode_utf8,
    describe_type,
    find_non_json,
    parse_json,
    parse_markdown,
)
from api.content.source.problems import ContentProblem, Severity
from api.content.source.reading import SourceFile
from api.content.source.validation import (
    FieldProblem,
    Location,
    format_location,
    model_type_of,
    normalise,
    without_nulls,
)
from api.schemas.model import MODEL_SCHEMAS


def parse_source(source: SourceFile) -> ParsedFile:
    """Parse, normalise and validate one file, on its own."""
    kind = kind_of(source.path)
    try:
        text = decode_utf8(source.data)
        if kind is FileKind.PAGE:
            return _parse_page(source.path, text)
        return _parse_data_file(source.path, kind, text)
    except ParseError as error:
        return _unusable(source.path, kind, error.line, error.message)
    except RecursionError:
        return _unusable(source.path, kind, 1, "structure is nested too deeply")


def _unusable(path: str, kind: FileKind, line: int, message: str) -> ParsedFile:
    problem = ContentProblem(path, line, Severity.ERROR, message)
    return ParsedFile(path, kind, None, None, problems=(problem,))


def _parse_page(path: str, text: str) -> ParsedFile:
    document = parse_markdown(text)
    front_matter = document.front_matter
    lines = LazyLines(document.front_matter_text, document.opening_line)
    bad = find_non_json(front_matter)
    if bad is not None:
        return _unusable(path, FileKind.PAGE, lines.line_of(bad[0]), _at(bad[0], bad[1]))
    type_name = model_type_of(front_matter)
    if type_name is None:
        return _unusable(
            path, FileKind.PAGE, document.opening_line,
            "missing required field 'type' (the page's model, e.g. PostLayout)",
        )  # fmt: skip
    if not isinstance(type_name, str):
        return _unusable(path, FileKind.PAGE, lines.line_of(("type",)), "type: expected a string")
    extras = compute_extras(FileKind.PAGE, text, document.front_matter_text, front_matter)
    if type_name in PAGE_TYPES:
        return _validated(path, FileKind.PAGE, type_name, front_matter, lines, extras)
    if type_name in MODEL_SCHEMAS:
        message = f"a {type_name} is not a page type"
        return _unusable(path, FileKind.PAGE, lines.line_of(("type",)), message)
    warning = ContentProblem(
        path,
        lines.line_of(("type",)),
        Severity.WARNING,
        f"unknown page type '{type_name}'{did_you_mean(type_name, PAGE_TYPES)}: served as a page "
        "of its own type, as the file has it (at its URL and in /api/pages, in no list or feed)",
    )
    data = without_nulls(front_matter)  # served as the file has it; `type` after its fields
    data.setdefault("type", type_name)
    return ParsedFile.build(path, FileKind.PAGE, type_name, data, (warning,), extras=extras)


def _parse_data_file(path: str, kind: FileKind, text: str) -> ParsedFile:
    data = parse_json(text)
    lines = LazyLines(text, 1)
    if not isinstance(data, dict):
        return _unusable(path, kind, 1, f"expected a JSON object, got {describe_type(data)}")
    bad = find_non_json(data)
    if bad is not None:
        return _unusable(path, kind, lines.line_of(bad[0]), _at(bad[0], bad[1]))
    if kind is FileKind.LOCALES:
        return _parsed_locales(path, data, lines)
    site = site_file_type(path)
    expected = "Person" if kind is FileKind.PERSON or site is None else site[1]
    written = data.get("type", expected)
    if written != expected:
        message = f"type: expected {expected!r}, got {written!r}"
        return _unusable(path, kind, lines.line_of(("type",)), message)
    return _validated(path, kind, expected, data, lines, compute_extras(kind, text, None, data))


def _parsed_locales(path: str, data: dict[str, Any], lines: LazyLines) -> ParsedFile:
    """``data/locales.json``: usable whole, or an error naming what and where."""
    try:
        parse_locales(data)
    except LocalesError as error:
        return _unusable(path, FileKind.LOCALES, lines.line_of(error.location), error.message)
    return ParsedFile.build(path, FileKind.LOCALES, "Locales", data)


def _validated(
    path: str,
    kind: FileKind,
    type_name: str,
    data: dict[str, Any],
    lines: LazyLines,
    extras: Extras = (),
) -> ParsedFile:
    result = normalise(data, type_name)
    problems = tuple(_located(path, problem, lines) for problem in result.problems)
    references = tuple(
        Reference(use.location, use.target_type, use.key) for use in result.references
    )
    return ParsedFile.build(path, kind, type_name, result.data, problems, references, extras)


def _located(path: str, problem: FieldProblem, lines: LazyLines) -> ContentProblem:
    return ContentProblem(path, lines.line_of(problem.location), problem.severity, problem.message)


def _at(location: Location, message: str) -> str:
    return f"{format_location(location)}: {message}" if location else message


class LazyLines:
    """Composes the file for line numbers only when a problem needs one."""

    def __init__(self, text: str, first_line: int) -> None:
        self._text = text
        self._first_line = first_line
        self._finder: LineFinder | None = None

    def line_of(self, location: Location) -> int:
        if self._finder is None:
            self._finder = LineFinder(self._text, self._first_line)
        return self._finder.line_of(location)


def lines_for(kind: FileKind, data: bytes) -> LazyLines:
    """Line lookup for a file whose problem is found later, across files."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if kind is not FileKind.PAGE:
        return LazyLines(text, 1)
    try:
        document = parse_markdown(text)
    except ParseError:
        return LazyLines("", 1)
    return LazyLines(document.front_matter_text, document.opening_line)
