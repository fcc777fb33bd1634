"""What parsing one file yields, in a form that can be cached, pickled to a worker, and indexed.

The normalised data is kept marshalled (``blob``): it is decoded only when a
response needs it, so a snapshot of a large site stays small and a restart
from the parse cache decodes nothing. What the index needs about a page
(title, date, draft flag, author, tags) sits beside it as ``PageFacts``.
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from api.content.source.locales import LOCALES_FILE, SITE_TRANSLATION
from api.content.source.model_types import EMBEDDING_SECTIONS, SECTION_LISTS
from api.content.source.paths import TEAM_DIR, reference_key
from api.content.source.problems import ContentProblem, Severity, gap_of
from api.content.source.validation import Location, parse_date


class FileKind(StrEnum):
    PAGE = "page"
    PERSON = "person"
    CONFIG = "config"
    STYLE = "style"
    LOCALES = "locales"


SITE_FILE_TYPES = {
    "data/config.json": (FileKind.CONFIG, "Config"),
    "data/style.json": (FileKind.STYLE, "ThemeStyle"),
    LOCALES_FILE: (FileKind.LOCALES, "Locales"),
}


def site_file_type(path: str) -> tuple[FileKind, str] | None:
    """The kind and model type of a site file or of its translation (``data/config.de.json``)."""
    found = SITE_FILE_TYPES.get(path)
    if found is None:
        match = SITE_TRANSLATION.fullmatch(path)
        if match:
            found = SITE_FILE_TYPES[f"data/{match['name']}.json"]
    return found


def kind_of(path: str) -> FileKind:
    site = site_file_type(path)
    if site is not None:
        return site[0]
    if path.startswith(f"{TEAM_DIR}/"):
        return FileKind.PERSON
    return FileKind.PAGE


class Reference(NamedTuple):
    location: Location
    target_type: str
    key: str


class PageFacts(NamedTuple):
    """What the index orders and filters pages by, without decoding their data.

    Worked out once at parse time (and cached), so that a restart does no parsing
    of dates or references either.
    """

    title: str
    timestamp: float | None  # the page's date, seconds since the epoch (UTC)
    is_draft: bool
    author_key: str | None  # the index key of the author reference
    tags: tuple[str, ...]
    embeds: tuple[str, ...] = ()  # section types that show other pages (EMBEDDING_SECTIONS)
    slug: str | None = None  # the file's own ``slug`` (a translation's URL uses it)
    translation_key: str | None = None  # links translations whose file names differ


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """One file after parsing and validation; ``blob`` is ``None`` when nothing usable came out."""

    path: str
    kind: FileKind
    type_name: str | None
    blob: bytes | None
    problems: tuple[ContentProblem, ...] = ()
    references: tuple[Reference, ...] = ()
    facts: PageFacts | None = None
    extras: tuple[tuple[str, bytes], ...] = ()  # what other views keep of it (extras.py)

    @classmethod
    def build(
        cls,
        path: str,
        kind: FileKind,
        type_name: str,
        data: dict[str, Any],
        problems: tuple[ContentProblem, ...] = (),
        references: tuple[Reference, ...] = (),
        extras: tuple[tuple[str, bytes], ...] = (),
    ) -> ParsedFile:
        facts = _page_facts(data) if kind is FileKind.PAGE else None
        blob = marshal.dumps(data)
        return cls(path, kind, type_name, blob, problems, references, facts, extras)

    @property
    def data(self) -> dict[str, Any]:
        assert self.blob is not None
        return marshal.loads(self.blob)  # type: ignore[no-any-return]

    @property
    def has_errors(self) -> bool:
        return self.blob is None or any(p.severity is Severity.ERROR for p in self.problems)

    @property
    def gaps(self) -> tuple[str, ...]:
        """Required fields missing at the top of the file (a translation takes them from its
        chain)."""
        return tuple(field for p in self.problems if (field := gap_of(p)) is not None)

    @property
    def has_errors_but_gaps(self) -> bool:
        """Errors other than ``gaps``: what no fallback chain can mend."""
        return self.blob is None or any(
            p.severity is Severity.ERROR and gap_of(p) is None for p in self.problems
        )

    def to_record(self) -> tuple[Any, ...]:
        """Plain tuples, for the parse cache."""
        problems = tuple((p.path, p.line, p.severity.value, p.message) for p in self.problems)
        references = tuple(tuple(reference) for reference in self.references)
        facts = tuple(self.facts) if self.facts else None
        kind = self.kind.value
        extras = self.extras
        return (self.path, kind, self.type_name, self.blob, problems, references, facts, extras)

    @classmethod
    def from_record(cls, record: tuple[Any, ...]) -> ParsedFile:
        """Back from the cache; a restart makes one per file, so no work is wasted here."""
        path, kind, type_name, blob, problems, references, facts, extras = record
        return cls(
            path,
            _KINDS[kind],
            type_name,
            blob,
            tuple(ContentProblem(p, line, Severity(s), m) for p, line, s, m in problems)
            if problems
            else (),
            tuple(Reference(tuple(loc), target, key) for loc, target, key in references)
            if references
            else (),
            PageFacts._make(facts) if facts else None,
            tuple((name, value) for name, value in extras),
        )


_KINDS = {kind.value: kind for kind in FileKind}


def _page_facts(data: dict[str, Any]) -> PageFacts:
    title, date, author, tags = (data.get(key) for key in ("title", "date", "author", "tags"))
    parsed_date = parse_date(date) if date is not None else None
    return PageFacts(
        title=title if isinstance(title, str) else "",
        timestamp=parsed_date[1].timestamp() if parsed_date else None,
        is_draft=data.get("isDraft") is True,
        author_key=reference_key(author) if isinstance(author, str) else None,
        tags=tuple(tag for tag in tags if isinstance(tag, str)) if isinstance(tags, list) else (),
        embeds=_embeds(data),
        slug=_text(data.get("slug")),
        translation_key=_text(data.get("translationKey")),
    )


def page_facts(data: dict[str, Any]) -> PageFacts:
    """What the index needs of a page's (possibly merged) fields."""
    return _page_facts(data)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _embeds(data: dict[str, Any]) -> tuple[str, ...]:
    found = {
        section.get("type")
        for key in SECTION_LISTS
        if isinstance(data.get(key), list)
        for section in data[key]
        if isinstance(section, dict) and isinstance(section.get("type"), str)
    }
    return tuple(kind for kind in EMBEDDING_SECTIONS if kind in found)


def file_key(path: str, data: bytes) -> bytes:
    """What a parse result depends on: the file's path and its bytes."""
    digest = hashlib.blake2b(path.encode(), digest_size=20)
    digest.update(b"\0")
    digest.update(data)
    return digest.digest()


@dataclass(slots=True, eq=False)
class FileVersion:
    """One version of one file: its parse, its Markdown body (pages) and its key."""

    parsed: ParsedFile
    body: str
    key: bytes
