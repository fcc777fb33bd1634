"""The delivery layer: a thin WSGI layer in front of Flask for caching, ETags, gzip and CORS.

A GET response is a pure function of (content snapshot, path, query), so the
first answer for a key is kept as bytes with its strong ETag, and the next ones
skip Flask entirely. The snapshot is pinned into the WSGI environ before Flask
sees the request, so the body, its ETag and the cache key all come from the same
snapshot even when a reload swaps it mid-request. Conditional requests (304),
gzip, CORS and ``Cache-Control`` are handled here, for cached and uncached
responses alike.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

import orjson

from api.config import Settings
from api.content.repository import ContentRepository

SNAPSHOT_KEY = "content.snapshot"
VIEW_KEY = "content.view"
PREVIEW_KEY = "content.preview"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
GZIP_MIN_BYTES = 1024
CACHE_MAX_ENTRIES = 4096
MAX_TARGET_BYTES = 2048  # path plus query string
MAX_HEADER_BYTES = 8192  # one request header
MAX_HEADERS_BYTES = 16384  # all request headers together

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(slots=True)
class CachedResponse:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str | None = None
    _gzipped: bytes | None = field(default=None, repr=False)

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


class ResponseCache:
    """A bounded LRU of rendered responses, emptied when the snapshot changes."""

    def __init__(self, max_entries: int = CACHE_MAX_ENTRIES) -> None:
        self._entries: OrderedDict[tuple[str, str], CachedResponse] = OrderedDict()
        self._version: str | None = None
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, version: str, key: tuple[str, str]) -> CachedResponse | None:
        with self._lock:
            if version != self._version:
                return None
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, version: str, key: tuple[str, str], entry: CachedResponse) -> None:
        with self._lock:
            if version != self._version:
                self._entries.clear()
                self._version = version
            self._entries[key] = entry
            if len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


class Delivery:
    def __init__(self, app: WSGIApp, repository: ContentRepository, settings: Settings) -> None:
        self.app = app
        self.repository = repository
        self.cache = ResponseCache()
        self.cache_control = (
            f"public, max-age={settings.cache_max_age}, "
            f"stale-while-revalidate={settings.cache_stale_while_revalidate}"
        )
        self.cors_origins = settings.cors_origins
        self.preview_token = settings.preview_token
        self.vary_on_authorization = settings.preview_token is not None

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        refusal = _oversized(environ)
        if refusal is not None:
            return self._refuse(refusal, environ, start_response)
        snapshot = self.repository.snapshot
        preview = self._is_preview(environ)
        view, version = (snapshot.preview, "") if preview else snapshot.public_view()
        environ[SNAPSHOT_KEY], environ[VIEW_KEY], environ[PREVIEW_KEY] = snapshot, view, preview
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "OPTIONS":
            return self._preflight(environ, start_response)
        if method not in ("GET", "HEAD"):
            entry = self._render(environ)
            return self._send(entry, environ, start_response, body=entry.body)
        if preview:  # drafts: never cached here, never by anyone else
            entry = self._render({**environ, "REQUEST_METHOD": "GET"})
            return self._send(
                entry,
                environ,
                start_response,
                body=b"" if method == "HEAD" else entry.body,
                extra=[("Cache-Control", "private, no-store")],
                length=len(entry.body),
            )
        key = (environ.get("PATH_INFO", ""), _normalised_query(environ.get("QUERY_STRING", "")))
        entry = self.cache.get(version, key)
        if entry is None:
            entry = self._render({**environ, "REQUEST_METHOD": "GET"})
            if entry.status.startswith("200"):
                entry.etag = _etag(entry.body)
                self.cache.put(version, key, entry)
        return self._respond(entry, environ, start_response, head=method == "HEAD")

    def _is_preview(self, environ: dict[str, Any]) -> bool:
        """A request with ``Authorization: Bearer <PREVIEW_TOKEN>``, compared in constant time."""
        if self.preview_token is None:
            return False
        scheme, _, credentials = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(credentials.strip().encode(), self.preview_token.encode())

    def _refuse(
        self, status: HTTPStatus, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Answer an oversized request before any work is done for it."""
        message = {
            HTTPStatus.REQUEST_URI_TOO_LONG: f"Request target longer than {MAX_TARGET_BYTES} bytes",
            HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: "Request headers too large",
        }[status]
        body = orjson.dumps({"code": status.value, "status": status.phrase, "message": message})
        entry = CachedResponse(
            f"{status.value} {status.phrase}", [("Content-Type", "application/json")], body
        )
        return self._send(entry, environ, start_response, body=body)

    def _render(self, environ: dict[str, Any]) -> CachedResponse:
        """Run the Flask app and keep its whole response."""
        captured: dict[str, Any] = {}

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        return CachedResponse(captured["status"], headers, body)

    def _respond(
        self,
        entry: CachedResponse,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        *,
        head: bool,
    ) -> Iterable[bytes]:
        if entry.etag is None:
            return self._send(entry, environ, start_response, body=b"" if head else entry.body)
        gzipped = len(entry.body) >= GZIP_MIN_BYTES and _accepts_gzip(environ)
        etag = f'{entry.etag[:-1]}-gzip"' if gzipped else entry.etag
        extra = [("ETag", etag), ("Vary", "Accept-Encoding")]
        if not _has_header(entry.headers, "Cache-Control"):  # a view may set its own
            extra.append(("Cache-Control", self.cache_control))
        if _matches(environ.get("HTTP_IF_NONE_MATCH"), entry.etag):
            own = [(k, v) for k, v in entry.headers if k.lower() == "cache-control"]
            start_response("304 Not Modified", [*extra, *own, *self._common_headers(environ)])
            return [b""]
        body = entry.gzipped() if gzipped else entry.body
        if gzipped:
            extra.append(("Content-Encoding", "gzip"))
        return self._send(
            entry,
            environ,
            start_response,
            body=b"" if head else body,
            extra=extra,
            length=len(body),
        )

    def _send(
        self,
        entry: CachedResponse,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        *,
        body: bytes,
        extra: list[tuple[str, str]] | None = None,
        length: int | None = None,
    ) -> Iterable[bytes]:
        headers = [*entry.headers, *(extra or ())]
        if not _has_header(headers, "Cache-Control"):
            headers.append(("Cache-Control", "no-cache"))
        headers.append(("Content-Length", str(len(body) if length is None else length)))
        headers.extend(self._common_headers(environ))
        start_response(entry.status, headers)
        return [body]

    def _preflight(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        headers = [
            ("Allow", ALLOWED_METHODS),
            ("Access-Control-Allow-Methods", ALLOWED_METHODS),
            ("Access-Control-Allow-Headers", "Authorization, If-None-Match, Content-Type"),
            ("Access-Control-Max-Age", "86400"),
            ("Content-Length", "0"),
            *self._common_headers(environ),
        ]
        start_response("204 No Content", headers)
        return [b""]

    def _common_headers(self, environ: dict[str, Any]) -> list[tuple[str, str]]:
        headers = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer")]
        snapshot = environ.get(SNAPSHOT_KEY)
        if snapshot is not None:
            headers.append(("X-Content-Version", snapshot.version))
        if self.vary_on_authorization:
            headers.append(("Vary", "Authorization"))
        if "*" in self.cors_origins:
            headers.append(("Access-Control-Allow-Origin", "*"))
        else:
            headers.append(("Vary", "Origin"))
            origin = environ.get("HTTP_ORIGIN")
            if origin in self.cors_origins:
                headers.append(("Access-Control-Allow-Origin", origin))
        if any(name == "Access-Control-Allow-Origin" for name, _ in headers):
            headers.append(("Access-Control-Expose-Headers", "ETag, Link"))
        return headers


def _oversized(environ: dict[str, Any]) -> HTTPStatus | None:
    """414 or 431 for a request too large to be a reasonable read of this API."""
    target = len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", ""))
    if target > MAX_TARGET_BYTES:
        return HTTPStatus.REQUEST_URI_TOO_LONG
    total = 0
    for name, value in environ.items():
        if name.startswith("HTTP_") and isinstance(value, str):
            size = len(name) + len(value)
            total += size
            if size > MAX_HEADER_BYTES or total > MAX_HEADERS_BYTES:
                return HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
    return None


def _has_header(headers: list[tuple[str, str]], name: str) -> bool:
    lowered = name.lower()
    return any(key.lower() == lowered for key, _ in headers)


def _normalised_query(query: str) -> str:
    """The query as a cache key: parameters sorted, so their order does not matter."""
    if not query:
        return ""
    return "&".join(f"{k}={v}" for k, v in sorted(parse_qsl(query, keep_blank_values=True)))


def _etag(body: bytes) -> str:
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def _accepts_gzip(environ: dict[str, Any]) -> bool:
    accepted = environ.get("HTTP_ACCEPT_ENCODING", "")
    for part in accepted.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=").strip()
            return quality not in ("0", "0.0", "0.00", "0.000")
    return False


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison, as RFC 9110 asks for If-None-Match; gzip and plain share the tag."""
    if not if_none_match:
        return False
    base = etag.strip('"')
    for candidate in if_none_match.split(","):
        tag = candidate.strip().removeprefix("W/").strip('"')
        if tag == "*" or tag == base or tag == f"{base}-gzip":
            return True
    return False
