"""Request targets of the export and the files their answers are written to: pure functions.

A target's file sits in a folder named after its URL path, so an export reads
like the API: ``/api/posts/a`` is ``api/posts/a/_index.json``, page 2 of
``/api/posts`` is ``api/posts/_page-2.json``, and ``/api/pages?path=/blog`` is
``api/pages/_path/blog/_index.json``. Every name the export adds starts with
``_``, which no URL segment can (segments are slugs: they start with a letter
or a digit), so an added name never collides with a segment of another URL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import quote

RESERVED_PREFIX = "_"
INDEX_NAME = "_index"
PAGE_NAME = "_page-{}"

# File extensions of the media types the API answers with; others use their subtype.
KNOWN_EXTENSIONS = {
    "application/json": "json",
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "jsonfeed",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/html": "html",
    "text/plain": "txt",
}


class UnsafeName(ValueError):
    """A URL segment or query value that cannot name a file inside the export."""


@dataclass(frozen=True, slots=True)
class Target:
    """One request the export answers: a URL path, the query values naming it, a page.

    ``keys`` are query parameters that select one of many answers of the same
    path (``path`` of ``/api/pages``); ``path`` values are URL paths, the others
    single segments (a slug).
    """

    path: str
    keys: tuple[tuple[str, str], ...] = ()
    page: int = 1

    def with_page(self, page: int) -> Target:
        return replace(self, page=page)

    @property
    def query(self) -> tuple[tuple[str, str], ...]:
        """The query parameters a client sends for this target, in a stable order."""
        pairs = list(self.keys)
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        return tuple(pairs)

    @property
    def url(self) -> str:
        """The URL as a client writes it: ``/api/pages?path=/blog&page=2``."""
        query = "&".join(f"{name}={quote(value, safe='/')}" for name, value in self.query)
        return quote(self.path) + (f"?{query}" if query else "")

    @property
    def query_string(self) -> str:
        """The query string as a browser's ``URLSearchParams`` encodes it."""
        return "&".join(f"{name}={quote(value, safe='')}" for name, value in self.query)

    @property
    def path_info(self) -> str:
        """``PATH_INFO`` of a WSGI request for this path (UTF-8 bytes as Latin-1, per PEP 3333)."""
        return self.path.encode("utf-8").decode("latin-1")

    @property
    def folder(self) -> str:
        """The folder of this target's answers, relative to the export's root."""
        parts = _segments(self.path)
        for name, value in self.keys:
            parts.append(RESERVED_PREFIX + name)
            parts.extend(_segments(value) if name == "path" else [_segment(value)])
        return "/".join(parts)

    def file(self, extension: str) -> str:
        """This target's file, relative to the export's root."""
        name = INDEX_NAME if self.page == 1 else PAGE_NAME.format(self.page)
        return f"{self.folder}/{name}.{extension}"


def _segments(path: str) -> list[str]:
    return [_segment(segment) for segment in path.split("/") if segment]


def _segment(segment: str) -> str:
    """A URL segment as a folder name; refuses what could leave the folder or collide."""
    if (
        not segment
        or segment in {".", ".."}
        or segment.startswith((RESERVED_PREFIX, "."))
        or any(char in segment for char in "/\\\0")
        or len(segment.encode("utf-8")) > 240
    ):
        raise UnsafeName(f"cannot name a file after the URL segment {segment!r}")
    return segment


def extension_for(media_type: str) -> str:
    """The file extension for answers of ``media_type`` (its parameters ignored)."""
    base = media_type.split(";", 1)[0].strip().lower()
    known = KNOWN_EXTENSIONS.get(base)
    if known is not None:
        return known
    subtype = base.rpartition("/")[2].replace("+", "-")
    cleaned = "".join(char for char in subtype if char.isalnum() or char == "-")
    return cleaned or "bin"
