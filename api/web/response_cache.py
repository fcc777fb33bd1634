"""Rendered responses kept as bytes, with every header list they can be sent with prepared.

A cache hit is the hot path of the whole service: it looks one key up and hands
the server a body and a header list built when the response was first rendered
(plain, gzip, and the 304 for each), so answering costs almost nothing over the
server's own work.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

GZIP_MIN_BYTES = 1024
CACHE_MAX_ENTRIES = 4096

Headers = list[tuple[str, str]]


@dataclass(slots=True)
class CachedResponse:
    """A 200 answer: status, Flask's headers (no Content-Length), body and its strong ETag."""

    status: str
    headers: Headers
    body: bytes
    etag: str
    plain_headers: Headers = field(default_factory=list, repr=False)
    not_modified_headers: Headers = field(default_factory=list, repr=False)
    gzip_body: bytes | None = field(default=None, repr=False)
    gzip_headers: Headers = field(default_factory=list, repr=False)
    gzip_not_modified_headers: Headers = field(default_factory=list, repr=False)

    @classmethod
    def prepare(
        cls, status: str, headers: Headers, body: bytes, *, cache_control: str, extra: Headers
    ) -> CachedResponse:
        """Build every header list the response can go out with; ``extra`` goes on each."""
        etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
        entry = cls(status, headers, body, etag)
        own_cache_control = any(name.lower() == "cache-control" for name, _ in headers)
        caching = [("Vary", "Accept-Encoding")]
        if not own_cache_control:
            caching.append(("Cache-Control", cache_control))
        kept_on_304 = [(n, v) for n, v in headers if n.lower() == "cache-control"]
        entry.plain_headers = [
            *headers, ("ETag", etag), *caching, ("Content-Length", str(len(body))), *extra
        ]  # fmt: skip
        entry.not_modified_headers = [("ETag", etag), *caching, *kept_on_304, *extra]
        if len(body) >= GZIP_MIN_BYTES:
            gzip_etag = f'{etag[:-1]}-gzip"'
            entry.gzip_body = gzip.compress(body, compresslevel=6, mtime=0)
            entry.gzip_headers = [
                *headers,
                ("ETag", gzip_etag),
                *caching,
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(entry.gzip_body))),
                *extra,
            ]
            entry.gzip_not_modified_headers = [("ETag", gzip_etag), *caching, *kept_on_304, *extra]
        return entry


class ResponseCache:
    """Rendered responses of one content version, by request target; emptied on a new version.

    Looked up first by the raw path and query string (no parsing on a hit), then
    by the query normalised (parameters sorted), so that ``?a=1&b=2`` and
    ``?b=2&a=1`` share one entry. Bounded: the oldest entries go first.
    """

    def __init__(self, max_entries: int = CACHE_MAX_ENTRIES) -> None:
        # One attribute, read and replaced whole: a lookup never pairs one version's
        # name with another version's entries.
        self._current: tuple[str | None, dict[tuple[str, str], CachedResponse]] = (None, {})
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, version: str, path: str, query: str) -> CachedResponse | None:
        cached_version, entries = self._current
        if version != cached_version:
            return None
        entry = entries.get((path, query))
        if entry is None and query:
            entry = entries.get((path, normalised_query(query)))
        return entry

    def put(self, version: str, path: str, query: str, entry: CachedResponse) -> None:
        with self._lock:
            cached_version, entries = self._current
            if version != cached_version:
                entries = {}
                self._current = (version, entries)
            for key in {(path, query), (path, normalised_query(query))}:
                entries[key] = entry
            while len(entries) > self._max_entries:
                del entries[next(iter(entries))]


def normalised_query(query: str) -> str:
    """The query with its parameters sorted, so their order does not matter."""
    if not query:
        return ""
    return "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(query, keep_blank_values=True)))
