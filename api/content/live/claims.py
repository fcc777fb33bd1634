"""Who claims which name: URLs, post slugs and author slugs, and which files refer to which.

A name belongs to the first path, in sorted order, of the candidates that claim it; the
others cannot be reached and are left out (``conflict``). Claims and references are
registered and taken back candidate by candidate, so an edit re-decides only the files
whose names or references it touches.
"""

from __future__ import annotations

from collections.abc import Iterator

from api.content.source.locales import Identity, Locales, page_identity, person_identity
from api.content.source.model_types import POST_TYPE
from api.content.source.parsed import FileKind, FileVersion
from api.content.source.paths import SLUG_RULE, is_valid_slug, person_slug

# Post slugs that would be shadowed by a fixed route under /api/posts/.
RESERVED_POST_SLUGS = frozenset({"recent"})


class Claims:
    """Who claims each name (a URL, a slug); the first path in sorted order owns it."""

    def __init__(self) -> None:
        self._by_name: dict[str, str | set[str]] = {}

    def add(self, name: str, path: str) -> None:
        found = self._by_name.get(name)
        if found is None:
            self._by_name[name] = path
        elif isinstance(found, str):
            if found != path:
                self._by_name[name] = {found, path}
        else:
            found.add(path)

    def remove(self, name: str, path: str) -> None:
        found = self._by_name.get(name)
        if found is None:
            return
        if isinstance(found, str):
            if found == path:
                del self._by_name[name]
            return
        found.discard(path)
        if len(found) == 1:
            self._by_name[name] = next(iter(found))

    def owner(self, name: str) -> str | None:
        found = self._by_name.get(name)
        if found is None or isinstance(found, str):
            return found
        return min(found)

    def claimants(self, name: str) -> Iterator[str]:
        found = self._by_name.get(name)
        if isinstance(found, str):
            yield found
        elif found is not None:
            yield from found


def person_slug_of(path: str, version: FileVersion, locales: Locales | None = None) -> str:
    """A person's slug: the file's own ``slug`` field where the model has one, else its name
    (a translation's, ``jane.de.json``: its document's, ``jane``)."""
    return person_identity(path, _own_slug(version), locales).slug


def page_identity_of(path: str, version: FileVersion, locales: Locales | None) -> Identity:
    facts = version.parsed.facts
    return page_identity(path, facts.slug if facts is not None else None, locales)


def _own_slug(version: FileVersion) -> str | None:
    slug = version.parsed.data.get("slug") if version.parsed.blob is not None else None
    return slug.strip() if isinstance(slug, str) and slug.strip() else None


class NameClaims:
    """The names every candidate claims, and the references every candidate makes."""

    def __init__(self) -> None:
        self.urls = Claims()
        self.post_slugs = Claims()
        self.people = Claims()
        self.referrers: dict[str, set[str]] = {}  # a path -> the candidates that refer to it
        self.locales: Locales | None = None  # a slug is claimed within its locale
        # On a site of several locales, each document's versions (a translation takes the
        # fields it lacks from them): one changes, the others are decided again.
        self.documents = Claims()

    def identity(self, path: str, version: FileVersion) -> Identity | None:
        """A page's or person's identity (its locale, its document), else ``None``."""
        kind = version.parsed.kind
        if kind is FileKind.PERSON:
            return person_identity(path, _own_slug(version), self.locales)
        if kind is FileKind.PAGE:
            return page_identity_of(path, version, self.locales)
        return None

    def versions_of(self, path: str, version: FileVersion) -> set[str]:
        """The candidates that are versions of the same document as ``path`` (itself too)."""
        found: set[str] = set()
        for claims, name in self._names(path, version):
            if claims is self.documents:
                found.update(claims.claimants(name))
        return found

    def _names(self, path: str, version: FileVersion) -> Iterator[tuple[Claims, str]]:
        parsed = version.parsed
        identity = self.identity(path, version)
        if identity is None:
            return
        if parsed.kind is FileKind.PERSON:
            yield self.people, self._within(identity, identity.slug)
        else:
            yield self.urls, identity.url.lower()
            if parsed.type_name == POST_TYPE:
                yield self.post_slugs, self._within(identity, identity.slug)
        if self.locales is not None:
            yield self.documents, f"{parsed.kind}:{identity.document}"
            key = parsed.facts.translation_key if parsed.facts is not None else None
            if key:
                yield self.documents, f"key:{key}"

    @staticmethod
    def _within(identity: Identity, name: str) -> str:
        """A slug as claimed: on a site of several locales, within its locale."""
        return name if identity.code is None else f"{identity.code}:{name}"

    def index(self, path: str, version: FileVersion) -> set[str]:
        """Register a candidate's claims and references; returns who else claims its names."""
        others: set[str] = set()
        for claims, name in self._names(path, version):
            claims.add(name, path)
            others.update(claims.claimants(name))
        for reference in version.parsed.references:
            self.referrers.setdefault(reference.key, set()).add(path)
        return others

    def unindex(self, path: str, version: FileVersion) -> set[str]:
        """Take back a candidate's claims and references; returns who else claims its names."""
        others: set[str] = set()
        for claims, name in self._names(path, version):
            claims.remove(name, path)
            others.update(claims.claimants(name))
        for reference in version.parsed.references:
            found = self.referrers.get(reference.key)
            if found is not None:
                found.discard(path)
                if not found:
                    del self.referrers[reference.key]
        return others

    def conflict(
        self, path: str, candidate: FileVersion
    ) -> tuple[tuple[str | int, ...], str] | None:
        """Why ``candidate`` cannot be served under its names (its location in the file and a
        message), or ``None``: a name another path owns, an invalid or reserved one."""
        parsed = candidate.parsed
        if parsed.kind is FileKind.PERSON:
            identity = person_identity(path, _own_slug(candidate), self.locales)
            slug = identity.slug
            own = _own_slug(candidate)
            where: tuple[str | int, ...] = ("slug",) if own and own != person_slug(path) else ()
            prefix = "slug: " if where else ""
            if not is_valid_slug(slug):
                what = "not a valid slug" if where else "file name is not a valid slug"
                return where, f"{prefix}{what} ({SLUG_RULE})"
            owner = self.people.owner(self._within(identity, slug))
            if owner != path:
                return where, f"{prefix}author slug '{slug}' is already used by content/{owner}"
            return None
        if parsed.kind is not FileKind.PAGE:
            return None
        identity = page_identity_of(path, candidate, self.locales)
        url = identity.url
        if not all(is_valid_slug(segment) for segment in url.split("/") if segment):
            if identity.code is not None and parsed.facts and parsed.facts.slug:
                return ("slug",), f"slug: not a valid URL segment ({SLUG_RULE})"
            return (), f"file or folder name is not a valid URL segment ({SLUG_RULE})"
        owner = self.urls.owner(url.lower())
        if owner != path:
            return (), f"URL {url} is already served by {owner}"
        if parsed.type_name == POST_TYPE:
            slug = identity.slug
            if slug in RESERVED_POST_SLUGS:
                return (), (
                    f"post slug '{slug}' is taken by the API's route /api/posts/{slug}; "
                    "rename the file"
                )
            owner = self.post_slugs.owner(self._within(identity, slug))
            if owner != path:
                return (), f"post slug '{slug}' is already used by {owner}"
        return None
