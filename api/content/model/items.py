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
from typing import Any

from api.content.source.extras import Extras, extra_of


@dataclass(frozen=True, slots=True)
class Person:
    """A member of ``data/team/``."""

    slug: str
    path: str
    fields: Mapping[str, Any]
    extras: Extras = field(default=(), repr=False)  # what other views keep (source/extras.py)
    locale: str | None = None  # the locale of this version (None: a site of one locale)
    document: str | None = None  # the default-locale file's path, where it differs from path
    fallback_fields: tuple[str, ...] = ()  # fields filled from the locale's chain

    @property
    def name(self) -> str:
        """First and last name, as bylines show it."""
        parts = (self.fields.get("firstName"), self.fields.get("lastName"))
        return " ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())

    def extra(self, name: str) -> bytes | None:
        """What the view registered as ``name`` keeps of this person's file."""
        return extra_of(self.extras, name)


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
    extras: Extras = field(default=(), repr=False)  # what other views keep (source/extras.py)
    # On a site of several locales (``api.content.model.locale_views``); else as defaulted:
    locale: str | None = None  # the locale of the version served
    document: str | None = None  # the document it is a version of, where that is not ``path``
    translation_key: str | None = None  # links versions whose file names differ
    fallback_fields: tuple[str, ...] = ()  # front-matter fields filled from the locale's chain
    sources: tuple[str, ...] = ()  # the other files those fields came from (their keys count)

    @property
    def fields(self) -> dict[str, Any]:
        """The normalised front matter, decoded afresh: callers may change their copy."""
        return marshal.loads(self.blob)  # type: ignore[no-any-return]

    def extra(self, name: str) -> bytes | None:
        """What the view registered as ``name`` keeps of this page's file."""
        return extra_of(self.extras, name)
