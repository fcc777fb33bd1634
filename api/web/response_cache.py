"""Rendered responses kept as bytes, with every header list they can be sent with prepared.

A cache hit is the hot path of the whole service: it looks one key up and hands
the server a body and a header list built when the response was first rendered
(plain, gzip, and the 304 for each), so answering costs almost nothing over the
server's own work.

Entries outlive snapshots: each knows the content keys it was built from, and a
new snapshot drops only the entries whose keys it changed (``advance``), so an
edit of one post leaves every answer that does not show that post cached.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

GZIP_MIN_BYTES = 1024
CACHE_MAX_ENTRIES = 4096
VERSION_HEADER = "X-Content-Version"

Headers = list[tuple[str, str]]
CacheKey = tuple[str, str]


@dataclass(slots=True)
class CachedResponse:
    """A 200 answer: status, Flask's headers (no Content-Length), body and its strong ETag."""

    status: str
    headers: Headers
    body: bytes
    etag: str
    keys: frozenset[str] = frozenset()
    version: str = ""  # the content version its X-Content-Version header names
    plain_headers: Headers = field(default_factory=list, repr=False)
    not_modified_headers: Headers = field(default_factory=list, repr=False)
    gzip_body: bytes | None = field(default=None, repr=False)
    gzip_headers: Headers = field(default_factory=list, repr=False)
    gzip_not_modified_headers: Headers = field(default_factory=list, repr=False)
    extra: Headers = field(default_factory=list, repr=False)

    @classmethod
    def prepare(
        cls,
        status: str,
        headers: Headers,
        body: bytes,
        *,
        cache_control: str,
        extra: Headers,
        version: str = "",
        keys: frozenset[str] = frozenset(),
    ) -> CachedResponse:
        """Build every header list the response can go out with; ``extra`` goes on each,
        then ``X-Content-Version`` (see ``restamped``)."""
        etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
        entry = cls(status, headers, body, etag, keys, version, extra=extra)
        if len(body) >= GZIP_MIN_BYTES:
            entry.gzip_body = gzip.compress(body, compresslevel=6, mtime=0)
        own_cache_control = any(name.lower() == "cache-control" for name, _ in headers)
        entry._build_headers(None if own_cache_control else cache_control)
        return entry

    def _build_headers(self, cache_control: str | None) -> None:
        headers, etag, extra = self.headers, self.etag, self.extra
        caching = [("Vary", "Accept-Encoding")]
        if cache_control is not None:
            caching.append(("Cache-Control", cache_control))
        stamp = [(VERSION_HEADER, self.version)] if self.version else []
        kept_on_304 = [(n, v) for n, v in headers if n.lower() == "cache-control"]
        self.plain_headers = [
            *headers, ("ETag", etag), *caching, ("Content-Length", str(len(self.body))),
            *extra, *stamp,
        ]  # fmt: skip
        self.not_modified_headers = [("ETag", etag), *caching, *kept_on_304, *extra, *stamp]
        if self.gzip_body is not None:
            gzip_etag = f'{etag[:-1]}-gzip"'
            self.gzip_headers = [
                *headers,
                ("ETag", gzip_etag),
                *caching,
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(self.gzip_body))),
                *extra,
                *stamp,
            ]
            self.gzip_not_modified_headers = [
                ("ETag", gzip_etag), *caching, *kept_on_304, *extra, *stamp
            ]  # fmt: skip

    def restamped(self, version: str) -> CachedResponse:
        """The same answer, its ``X-Content-Version`` naming a newer snapshot it is still
        true of (its content keys did not change), so versions never go backward."""
        fresh = CachedResponse(
            self.status, self.headers, self.body, self.etag, self.keys, version,
            gzip_body=self.gzip_body, extra=self.extra,
        )  # fmt: skip

        def swap(headers: Headers) -> Headers:
            return [(n, version) if n == VERSION_HEADER else (n, v) for n, v in headers]

        fresh.plain_headers = swap(self.plain_headers)
        fresh.not_modified_headers = swap(self.not_modified_headers)
        fresh.gzip_headers = swap(self.gzip_headers)
        fresh.gzip_not_modified_headers = swap(self.gzip_not_modified_headers)
        return fresh


class ResponseCache:
    """Rendered responses by request target, valid for one snapshot ``sequence`` and public
    ``view`` (see ``Snapshot.public_view``), carried to the next snapshot minus the
    entries whose content keys changed.

    Looked up first by the raw path and query string (no parsing on a hit), then
    by the query normalised (parameters sorted), so that ``?a=1&b=2`` and
    ``?b=2&a=1`` share one entry. Bounded: the oldest entries go first.
    """

    def __init__(self, max_entries: int = CACHE_MAX_ENTRIES) -> None:
        self.sequence = 0  # the snapshot the entries are true of
        self.view = ""  # and the step of its public view ("" unless HIDE_FUTURE_POSTS)
        self._entries: dict[CacheKey, CachedResponse] = {}
        self._by_content_key: dict[str, set[CacheKey]] = {}
        self._max_entries = max_entries
        self._lock = threading.Lock()
        self.dropped = 0  # entries dropped by content changes (for tests and benchmarks)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, path: str, query: str) -> CachedResponse | None:
        entries = self._entries
        entry = entries.get((path, query))
        if entry is None and query:
            entry = entries.get((path, normalised_query(query)))
        return entry

    def put(self, sequence: int, view: str, path: str, query: str, entry: CachedResponse) -> None:
        """Keep ``entry`` if it was rendered from the snapshot the cache is at."""
        with self._lock:
            if sequence != self.sequence or view != self.view:
                return
            for key in {(path, query), (path, normalised_query(query))}:
                self._remove(key)
                self._entries[key] = entry
                for content_key in entry.keys:
                    self._by_content_key.setdefault(content_key, set()).add(key)
            while len(self._entries) > self._max_entries:
                self._remove(next(iter(self._entries)))

    def replace(self, path: str, query: str, old: CachedResponse, new: CachedResponse) -> None:
        """Put a restamped entry where ``old`` was (if it still is)."""
        with self._lock:
            for key in {(path, query), (path, normalised_query(query))}:
                if self._entries.get(key) is old:
                    self._entries[key] = new

    def advance(self, sequence: int, view: str, changed: Iterable[str] | None) -> None:
        """Move to snapshot ``sequence`` and public ``view`` (a step of HIDE_FUTURE_POSTS):
        drop the entries tagged with a ``changed`` key (``None``: all of them; also when
        the view stepped, which no key describes)."""
        with self._lock:
            if sequence < self.sequence or (sequence == self.sequence and view == self.view):
                return
            if changed is None or view != self.view:
                self.dropped += len(self._entries)
                self._entries.clear()
                self._by_content_key.clear()
            else:
                for content_key in changed:
                    for key in self._by_content_key.pop(content_key, ()):
                        if key in self._entries:
                            self.dropped += 1
                            self._remove(key)
            self.sequence, self.view = sequence, view

    def _remove(self, key: CacheKey) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        for content_key in entry.keys:
            keys = self._by_content_key.get(content_key)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_content_key[content_key]


def normalised_query(query: str) -> str:
    """The query with its parameters sorted by name, so their order does not matter.

    The parameters stay as written (``%26`` is not ``&``), and a stable sort keeps the
    order of a repeated name's values: the first one is the one that counts.
    """
    if not query:
        return ""
    return "&".join(sorted(query.split("&"), key=lambda item: unquote_plus(item.split("=")[0])))
