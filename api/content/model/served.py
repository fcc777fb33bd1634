"""What a snapshot is made of: the content state's served files and what one update changed
(the protocols ``api.content.live.state`` meets), and the items, site files and translations
made of them. Kept apart from ``snapshot`` so that the snapshot holds what it does with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from typing import Any, Protocol

from api.content.model.items import Page, Person
from api.content.source.extras import Extras
from api.content.source.locales import (
    SITE_TRANSLATION,
    Locales,
    page_identity,
    person_identity,
)
from api.content.source.parsed import FileKind, FileVersion
from api.content.source.paths import tag_slug
from api.content.source.problems import ContentProblem


class ServedContent(Protocol):
    """What a snapshot is made of: the content state's served files and its verdicts
    (``api.content.live.state.ContentState`` is one)."""

    @property
    def served(self) -> Mapping[str, FileVersion]: ...
    @property
    def person_slugs(self) -> Mapping[str, str]: ...
    @property
    def problems(self) -> Mapping[str, tuple[ContentProblem, ...]]: ...
    @property
    def kept(self) -> AbstractSet[str]: ...
    @property
    def version(self) -> str: ...
    @property
    def locales(self) -> Locales | None: ...


class ServedDelta(Protocol):
    """What one update of the content state changed in what is served
    (``api.content.live.state.StateDelta`` is one)."""

    @property
    def served(self) -> Mapping[str, FileVersion | None]: ...
    @property
    def rebound(self) -> AbstractSet[str]: ...
    @property
    def problems_changed(self) -> bool: ...


SITE_PATHS = frozenset({"data/config.json", "data/style.json"})


def touches_pages(delta: ServedDelta, pages_by_path: Mapping[str, Page]) -> bool:
    """Whether ``delta`` adds, removes, edits or rebinds a page (of ``pages_by_path``)."""
    return bool(delta.rebound) or any(
        path in pages_by_path or (version is not None and version.parsed.kind is FileKind.PAGE)
        for path, version in delta.served.items()
    )


def people_sorted(people: Iterable[Person]) -> list[Person]:
    return sorted(people, key=lambda person: person.slug)


def site_of(served: Mapping[str, FileVersion]) -> dict[str, Mapping[str, Any]]:
    site = {}
    for path in sorted(SITE_PATHS):
        version = served.get(path)
        if version is not None:
            site[version.parsed.kind.value] = version.parsed.data
    return site


def site_translations_of(served: Mapping[str, FileVersion]) -> dict[str, Mapping[str, Any]]:
    """The site files' translations served (``data/config.de.json``...), by path."""
    return {
        path: version.parsed.data
        for path, version in served.items()
        if SITE_TRANSLATION.fullmatch(path)
    }


def site_extras_of(served: Mapping[str, FileVersion]) -> dict[str, Extras]:
    """What registered views keep of the site files (``api.content.source.extras``)."""
    return {
        version.parsed.kind.value: version.parsed.extras
        for path in sorted(SITE_PATHS)
        if (version := served.get(path)) is not None
    }


def person_of(path: str, version: FileVersion, state: ServedContent) -> Person:
    slug = state.person_slugs.get(path) or path
    if state.locales is None:
        return Person(slug, path, version.parsed.data, version.parsed.extras)
    identity = person_identity(path, None, state.locales)
    document = identity.document if identity.document != path else None
    return Person(slug, path, version.parsed.data, version.parsed.extras, identity.code, document)


def page_of(path: str, version: FileVersion, state: ServedContent) -> Page:
    parsed = version.parsed
    assert parsed.blob is not None and parsed.type_name is not None and parsed.facts is not None
    facts = parsed.facts
    identity = page_identity(path, facts.slug, state.locales)
    author = state.person_slugs.get(facts.author_key) if facts.author_key else None
    return Page(
        path=path,
        url=identity.url,
        slug=identity.slug,
        type=parsed.type_name,
        blob=parsed.blob,
        body=version.body,
        date=datetime.fromtimestamp(facts.timestamp, UTC) if facts.timestamp is not None else None,
        is_draft=facts.is_draft,
        title=facts.title,
        tags=facts.tags,
        tag_slugs=tuple(dict.fromkeys(tag_slug(tag) for tag in facts.tags if tag_slug(tag))),
        author_slug=author,
        embeds=facts.embeds,
        extras=parsed.extras,
        locale=identity.code,
        document=identity.document if identity.document != path else None,
        translation_key=facts.translation_key if identity.code is not None else None,
    )
