"""Loading a content folder: read -> parse -> normalise and validate -> cross-file checks.

A file with an error is reported (path, line, message) and left out; it never
stops the rest of the site from loading. ``parse_source`` is a pure function of
one file's path and bytes, so its result can be cached by content hash.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from api.content.lines import LineFinder
from api.content.models import ContentProblem, Severity
from api.content.parsing import (
    ParseError,
    decode_utf8,
    describe_type,
    find_non_json,
    parse_json,
    parse_markdown,
)
from api.content.paths import (
    SLUG_RULE,
    TEAM_DIR,
    is_valid_slug,
    page_slug,
    page_url,
    person_slug,
)
from api.content.readers import SourceFile, read_content
from api.content.validation import (
    FieldProblem,
    Location,
    format_location,
    model_type_of,
    normalise,
)
from api.schemas import MODEL_SCHEMAS

log = logging.getLogger(__name__)

PAGE_TYPES = frozenset(
    {"PageLayout", "PostLayout", "PostFeedLayout", "ProjectLayout", "ProjectFeedLayout"}
)
POST_TYPE = "PostLayout"
PROJECT_TYPE = "ProjectLayout"


class FileKind(StrEnum):
    PAGE = "page"
    PERSON = "person"
    CONFIG = "config"
    STYLE = "style"


_SITE_FILE_TYPES = {
    "data/config.json": (FileKind.CONFIG, "Config"),
    "data/style.json": (FileKind.STYLE, "ThemeStyle"),
}


@dataclass(frozen=True, slots=True)
class Reference:
    location: Location
    target_type: str
    key: str


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """One file after parsing and validation; ``data`` is ``None`` when nothing usable came out."""

    path: str
    kind: FileKind
    type_name: str | None
    data: Mapping[str, Any] | None
    body: str = ""
    problems: tuple[ContentProblem, ...] = ()
    references: tuple[Reference, ...] = ()

    @property
    def has_errors(self) -> bool:
        return self.data is None or any(p.severity is Severity.ERROR for p in self.problems)


@dataclass(slots=True)
class LoadedContent:
    """Every usable file of a content folder, and every problem found in it."""

    files: dict[str, ParsedFile] = field(default_factory=dict)
    problems: list[ContentProblem] = field(default_factory=list)
    version: str = ""


def kind_of(path: str) -> FileKind:
    if path in _SITE_FILE_TYPES:
        return _SITE_FILE_TYPES[path][0]
    if path.startswith(f"{TEAM_DIR}/"):
        return FileKind.PERSON
    return FileKind.PAGE


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
    return ParsedFile(
        path, kind, None, None, problems=(ContentProblem(path, line, Severity.ERROR, message),)
    )


def _parse_page(path: str, text: str) -> ParsedFile:
    document = parse_markdown(text)
    front_matter = document.front_matter
    lines = _LazyLines(document.front_matter_text, document.opening_line)
    bad = find_non_json(front_matter)
    if bad is not None:
        return _unusable(path, FileKind.PAGE, lines.line_of(bad[0]), _at(bad[0], bad[1]))
    type_name = model_type_of(front_matter)
    if "type" not in front_matter and "layout" in front_matter:
        front_matter = {key: value for key, value in front_matter.items() if key != "layout"}
    if type_name is None:
        return _unusable(
            path, FileKind.PAGE, document.opening_line,
            "missing required field 'type' (the page's model, e.g. PostLayout)",
        )  # fmt: skip
    if not isinstance(type_name, str):
        return _unusable(path, FileKind.PAGE, lines.line_of(("type",)), "type: expected a string")
    if type_name in PAGE_TYPES:
        return _validated(path, FileKind.PAGE, type_name, front_matter, lines, document.body)
    problem = ContentProblem(
        path,
        lines.line_of(("type",)),
        Severity.WARNING if type_name not in MODEL_SCHEMAS else Severity.ERROR,
        f"unknown page type '{type_name}', served as it is in the file"
        if type_name not in MODEL_SCHEMAS
        else f"a {type_name} is not a page type",
    )
    data = {"type": type_name, **front_matter}
    return ParsedFile(path, FileKind.PAGE, type_name, data, document.body, (problem,))


def _parse_data_file(path: str, kind: FileKind, text: str) -> ParsedFile:
    data = parse_json(text)
    lines = _LazyLines(text, 1)
    if not isinstance(data, dict):
        return _unusable(path, kind, 1, f"expected a JSON object, got {describe_type(data)}")
    bad = find_non_json(data)
    if bad is not None:
        return _unusable(path, kind, lines.line_of(bad[0]), _at(bad[0], bad[1]))
    expected = "Person" if kind is FileKind.PERSON else _SITE_FILE_TYPES[path][1]
    written = data.get("type", expected)
    if written != expected:
        return _unusable(
            path, kind, lines.line_of(("type",)), f"type: expected {expected!r}, got {written!r}"
        )
    return _validated(path, kind, expected, data, lines, "")


def _validated(
    path: str, kind: FileKind, type_name: str, data: Mapping[str, Any], lines: _LazyLines, body: str
) -> ParsedFile:
    result = normalise(data, type_name)
    problems = tuple(_located(path, problem, lines) for problem in result.problems)
    references = tuple(
        Reference(use.location, use.target_type, use.key) for use in result.references
    )
    return ParsedFile(path, kind, type_name, result.data, body, problems, references)


def _located(path: str, problem: FieldProblem, lines: _LazyLines) -> ContentProblem:
    return ContentProblem(path, lines.line_of(problem.location), problem.severity, problem.message)


def _at(location: Location, message: str) -> str:
    return f"{format_location(location)}: {message}" if location else message


class _LazyLines:
    """Composes the file for line numbers only when a problem needs one."""

    def __init__(self, text: str, first_line: int) -> None:
        self._text = text
        self._first_line = first_line
        self._finder: LineFinder | None = None

    def line_of(self, location: Location) -> int:
        if self._finder is None:
            self._finder = LineFinder(self._text, self._first_line)
        return self._finder.line_of(location)


def load_content(root: Path, max_file_bytes: int) -> LoadedContent:
    """Load a whole content folder; see the module docstring."""
    read = read_content(root, max_file_bytes)
    parsed = [parse_source(source) for source in read.files]
    loaded = check_across_files(parsed, read.files)
    loaded.problems[:0] = read.problems
    loaded.problems.sort(key=lambda problem: (problem.path, problem.line))
    for problem in loaded.problems:
        log.log(
            logging.ERROR if problem.severity is Severity.ERROR else logging.WARNING,
            "%s", problem.format(),
        )  # fmt: skip
    return loaded


def check_across_files(parsed: list[ParsedFile], sources: Iterable[SourceFile]) -> LoadedContent:
    """What no single file can tell: duplicate URLs and slugs, dangling references."""
    parsed = sorted(parsed, key=lambda file: file.path)
    problems: list[ContentProblem] = [problem for file in parsed for problem in file.problems]
    types_by_path = {file.path: file.type_name for file in parsed}
    texts = {source.path: source.data for source in sources}
    usable: dict[str, ParsedFile] = {}
    claimed_urls: dict[str, str] = {}
    claimed_post_slugs: dict[str, str] = {}
    for file in parsed:
        if file.has_errors:
            continue
        conflict = _claim(file, claimed_urls, claimed_post_slugs)
        dangling = [_dangling(file, reference, types_by_path) for reference in file.references]
        new_problems = [message_at for message_at in dangling if message_at is not None]
        if conflict:
            new_problems.append(((), conflict))
        if new_problems:
            lines = _lines_for(file, texts.get(file.path, b""))
            problems.extend(
                ContentProblem(file.path, lines.line_of(location), Severity.ERROR, message)
                for location, message in new_problems
            )
            continue
        usable[file.path] = file
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(texts):
        digest.update(path.encode())
        digest.update(hashlib.blake2b(texts[path], digest_size=16).digest())
    return LoadedContent(usable, problems, digest.hexdigest())


def _claim(file: ParsedFile, urls: dict[str, str], post_slugs: dict[str, str]) -> str | None:
    """Register a page's URL (and a post's slug); a message if another file has it already."""
    if file.kind is FileKind.PERSON and not is_valid_slug(person_slug(file.path)):
        return f"file name is not a valid slug ({SLUG_RULE})"
    if file.kind is not FileKind.PAGE:
        return None
    url = page_url(file.path)
    if not all(is_valid_slug(segment) for segment in url.split("/") if segment):
        return f"file or folder name is not a valid URL segment ({SLUG_RULE})"
    owner = urls.setdefault(url.lower(), file.path)
    if owner != file.path:
        return f"URL {url} is already served by {owner}"
    if file.type_name == POST_TYPE:
        slug = page_slug(url)
        owner = post_slugs.setdefault(slug, file.path)
        if owner != file.path:
            return f"post slug '{slug}' is already used by {owner}"
    return None


def _dangling(
    file: ParsedFile, reference: Reference, types_by_path: Mapping[str, str | None]
) -> tuple[Location, str] | None:
    where = format_location(reference.location)
    if reference.key not in types_by_path:
        return reference.location, f"{where}: no such file: content/{reference.key}"
    found = types_by_path[reference.key]
    if found is not None and found != reference.target_type:
        return reference.location, (
            f"{where}: content/{reference.key} is a {found}, expected a {reference.target_type}"
        )
    return None


def _lines_for(file: ParsedFile, data: bytes) -> _LazyLines:
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if file.kind is not FileKind.PAGE:
        return _LazyLines(text, 1)
    try:
        document = parse_markdown(text)
    except ParseError:
        return _LazyLines("", 1)
    return _LazyLines(document.front_matter_text, document.opening_line)


__all__ = [
    "POST_TYPE",
    "PROJECT_TYPE",
    "FileKind",
    "LoadedContent",
    "ParsedFile",
    "check_across_files",
    "load_content",
    "parse_source",
]
