"""The typed content objects the loader produces and the index holds.

Frozen: a snapshot is shared by every request thread, so nothing in it may change
after it is built. The ``fields`` mappings are the normalised file data, and the
snapshot's indexes are plain dicts for speed; by convention nobody writes to them.
"""

from __future__ import annotations

import marshal
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """One problem in one file, reported like a compiler reports code errors."""

    path: str  # relative to the content root, POSIX separators
    line: int
    severity: Severity
    message: str

    def format(self, root_label: str = "") -> str:
        """``path:line: severity: message``, the path prefixed with how the user named the root."""
        path = f"{root_label.rstrip('/')}/{self.path}" if root_label else self.path
        return f"{path}:{self.line}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class Person:
    """A member of ``data/team/``."""

    slug: str
    path: str
    fields: Mapping[str, Any]
    verbatim: bytes | None = field(default=None, repr=False)  # the file as written (verbatim.py)

    @property
    def name(self) -> str:
        """First and last name, as bylines show it."""
        parts = (self.fields.get("firstName"), self.fields.get("lastName"))
        return " ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())


@dataclass(frozen=True, slots=True)
class Page:
    """A ``.md`` file under ``pages/``: a post, a project, a feed or any other page.

    Its front matter stays marshalled until a response needs it (``fields``): a
    large site then costs little memory, and what lists sort and filter by is
    kept decoded beside it.
    """

    path: str
    url: str
    slug: str
    type: str
    blob: bytes = field(repr=False)
    body: str = field(repr=False)
    date: datetime | None  # aware; orders posts and projects
    is_draft: bool
    title: str
    tags: tuple[str, ...]
    tag_slugs: tuple[str, ...] = ()  # the tags as slugs, each once
    author_slug: str | None = None
    embeds: tuple[str, ...] = ()  # section types showing other pages (parsed.EMBEDDING_SECTIONS)
    verbatim: bytes | None = field(default=None, repr=False)  # the file as written (verbatim.py)

    @property
    def fields(self) -> dict[str, Any]:
        """The normalised front matter, decoded afresh: callers may change their copy."""
        return marshal.loads(self.blob)  # type: ignore[no-any-return]
