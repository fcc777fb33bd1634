"""The delivery layer: a thin WSGI layer in front of Flask for caching, ETags, gzip and CORS.

A public GET answer is a pure function of (content, path, query), so the first
answer for a target is kept as bytes with its strong ETag and its header lists
(``response_cache``), and the next ones skip Flask entirely. The request's content
(``request_content.RequestContent``: the snapshot, the audience's view) is pinned into
the WSGI environ before Flask sees the request, so a body, its ETag and its cache key
always come from the same snapshot, even when a reload swaps it mid-request. While
rendering, the answer records there the content keys it was built from; they go out as
the ``Cache-Tag`` header and decide which cached answers a new snapshot drops. Preview
answers (drafts) are never cached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

import orjson
from flask import Flask

from api.content.live.repository import ContentRepository
from api.content.model.keys import VERSION, header_value
from api.content.model.snapshot import Snapshot
from api.content.model.views import ContentView
from api.settings import Settings
from api.tokens import bearer_matches
from api.web.request_content import RequestContent, pinned
from api.web.response_cache import CachedResponse, Headers, ResponseCache

# Says whether an answer came from the response cache (HIT) or was just rendered (MISS).
CACHE_STATUS_HEADER = "X-Response-Cache"
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
ENTRY_METHODS = "GET, HEAD, PUT, PATCH, DELETE, OPTIONS"
COMMIT_METHODS = "POST, OPTIONS"
# Paths of the editing API: private answers, writes.
PRIVATE_PREFIXES = ("/api/entries/", "/api/commits")
PRIVATE_EXPOSED_HEADERS = (
    "Access-Control-Expose-Headers",
    "ETag, Location, Retry-After, X-Content-Version",
)
MAX_TARGET_BYTES = 2048  # path plus query string
MAX_HEADER_BYTES = 8192  # one request header
MAX_HEADERS_BYTES = 16384  # all request headers together
SECURITY_HEADERS: Headers = [
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
]
EXPOSED_HEADERS = (
    "Access-Control-Expose-Headers",
    "ETag, Link, X-Content-Version, Cache-Tag, X-Response-Cache",
)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
StartResponse = Callable[..., Any]


class Delivery:
    def __init__(
        self,
        app: WSGIApp,
        repository: ContentRepository,
        settings: Settings,
        *,
        streams: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.streams = streams  # paths of long-lived streams (Server-Sent Events)
        # The production server bounds request headers itself (before Python sees them);
        # elsewhere (the development server, tests) this layer does.
        self.check_header_sizes = True
        self.repository = repository
        self.cache = ResponseCache(settings.response_cache_entries)
        self.tag_header = settings.cache_tag_header
        self.cache_control = (
            f"public, max-age={settings.cache_max_age}, "
            f"stale-while-revalidate={settings.cache_stale_while_revalidate}"
        )
        self.preview_token = settings.preview_token
        self.any_origin = "*" in settings.cors_origins
        self.cors_origins = frozenset(settings.cors_origins)
        self.static_headers: Headers = [*SECURITY_HEADERS]
        if self.preview_token is not None:
            self.static_headers.append(("Vary", "Authorization"))
        if self.any_origin:
            self.static_headers += [("Access-Control-Allow-Origin", "*"), EXPOSED_HEADERS]
        else:
            self.static_headers.append(("Vary", "Origin"))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path in self.streams:  # never ends: straight to Flask, never kept
            return self.app(environ, start_response)
        refusal = _oversized(
            path, environ.get("QUERY_STRING", ""), environ if self.check_header_sizes else None
        )
        if refusal is not None:
            return self._refuse(refusal, environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        if path.startswith(PRIVATE_PREFIXES):
            return self._private(environ, start_response, method)
        snapshot = self.repository.snapshot
        preview = self.preview_token is not None and bearer_matches(
            environ.get("HTTP_AUTHORIZATION"), self.preview_token
        )
        if not preview and method in ("GET", "HEAD"):
            return self._public_get(snapshot, environ, start_response, head=method == "HEAD")
        view = self._view(snapshot, environ, preview=preview)
        if isinstance(view, CachedResponse):  # a locale the site does not have
            return self._send(view, environ, start_response, head=method == "HEAD")
        RequestContent(snapshot, view, preview).pin(environ)
        if method == "OPTIONS":
            return self._preflight(environ, start_response)
        rendered = self._render({**environ, "REQUEST_METHOD": "GET"} if preview else environ)
        if preview:  # drafts: never cached here, never by anyone else
            rendered.headers.append(("Cache-Control", "private, no-store"))
        return self._send(rendered, environ, start_response, head=method == "HEAD")

    def _public_get(
        self,
        snapshot: Snapshot,
        environ: dict[str, Any],
        start_response: StartResponse,
        *,
        head: bool,
    ) -> Iterable[bytes]:
        """A public GET or HEAD: from the response cache, or rendered (and kept) on a miss."""
        view, version = snapshot.public_view()
        step = version[len(snapshot.version) :]
        current = self._advance_cache(snapshot, step)
        path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
        entry = self._lookup(snapshot, path, query) if current else None
        if entry is None:
            view = self._view(snapshot, environ, preview=False, public=view)
            if isinstance(view, CachedResponse):  # a locale the site does not have
                return self._send(view, environ, start_response, head=head)
            content = RequestContent(snapshot, view)
            content.pin(environ)
            rendered = self._render({**environ, "REQUEST_METHOD": "GET"})
            language = content.answered_in or view.locale  # a page's URL may name its own
            if snapshot.locales is not None and language:
                rendered.headers.append(("Content-Language", language))
            if not rendered.status.startswith("200"):
                return self._send(rendered, environ, start_response, head=head)
            if _not_for_keeping(rendered.headers):  # /healthz: made afresh, still an ETag
                fresh = self._prepare(rendered, snapshot.version, self.static_headers)
                return self._respond(fresh, environ, start_response, head=head)
            content_keys = frozenset(content.keys) or frozenset({VERSION})
            extra = [
                *self.static_headers,
                (self.tag_header, header_value(content_keys)),
                (CACHE_STATUS_HEADER, "HIT"),
            ]
            entry = self._prepare(rendered, snapshot.version, extra, content_keys)
            if current:  # a late answer of an older snapshot is not kept
                self.cache.put(snapshot.sequence, step, path, query, entry)
            return self._respond(entry, environ, start_response, head=head, missed=True)
        return self._respond(entry, environ, start_response, head=head)

    def _lookup(self, snapshot: Snapshot, path: str, query: str) -> CachedResponse | None:
        """The cache's entry for the target, restamped with ``snapshot``'s version."""
        entry = self.cache.get(path, query)
        if entry is not None and entry.version != snapshot.version:
            fresh = entry.restamped(snapshot.version)
            self.cache.replace(path, query, entry, fresh)
            entry = fresh
        return entry

    def _view(
        self,
        snapshot: Snapshot,
        environ: dict[str, Any],
        *,
        preview: bool,
        public: ContentView | None = None,
    ) -> ContentView | CachedResponse:
        """The view this request reads: its audience's, in the locale its ``?locale=`` names
        (``?fallback=false``: only that locale's own versions); a 400 for a locale the site
        does not declare. A site of one locale ignores both, as it always did."""
        query = environ.get("QUERY_STRING", "")
        locales = snapshot.locales
        if locales is None or ("locale=" not in query and "fallback=" not in query):
            if public is not None:
                return public
            return snapshot.preview if preview else snapshot.public_view()[0]
        arguments = parse_qs(query)
        written = (arguments.get("locale") or [""])[0]
        code = locales.canonical(written) if written else locales.default
        if code is None:
            declared = ", ".join(locales.codes)
            return _error(400, f"Unknown locale '{written[:40]}': this site has {declared}")
        fallback = (arguments.get("fallback") or ["true"])[0].strip().lower()
        if fallback not in ("true", "false", "1", "0", "yes", "no"):
            return _error(400, "fallback: expected true or false")
        view, _ = snapshot.view_in(code, preview=preview, fallback=fallback in ("true", "1", "yes"))
        return view

    def _advance_cache(self, snapshot: Snapshot, step: str) -> bool:
        """Bring the response cache to ``snapshot`` (and its public view's ``step``), dropping
        the answers whose content keys changed; whether the cache is now at it (an older
        snapshot still answering a request is not)."""
        cache = self.cache
        if snapshot.sequence > cache.sequence or (
            snapshot.sequence == cache.sequence and step != cache.view
        ):
            cache.advance(snapshot.sequence, step, self.repository.keys_since(cache.sequence))
        return snapshot.sequence == cache.sequence and step == cache.view

    def _prepare(
        self,
        rendered: CachedResponse,
        version: str,
        extra: Headers,
        keys: frozenset[str] = frozenset(),
    ) -> CachedResponse:
        return CachedResponse.prepare(
            rendered.status,
            rendered.headers,
            rendered.body,
            cache_control=self.cache_control,
            extra=extra,
            version=version,
            keys=keys,
        )

    def _respond(
        self,
        entry: CachedResponse,
        environ: dict[str, Any],
        start_response: StartResponse,
        *,
        head: bool,
        missed: bool = False,
    ) -> Iterable[bytes]:
        """Send a cached 200 (or 304) with its prepared headers: the hot path. An answer
        rendered just now (``missed``) says so in its cache status header."""
        status, headers, body = self.answer(
            entry,
            environ.get("HTTP_IF_NONE_MATCH"),
            environ.get("HTTP_ACCEPT_ENCODING"),
            environ.get("HTTP_ORIGIN"),
            head=head,
        )
        if missed:
            headers = _missed(headers)
        start_response(entry.status if status == 200 else "304 Not Modified", headers)
        return [body]

    def answer(
        self,
        entry: CachedResponse,
        if_none_match: str | None,
        accept_encoding: str | None,
        origin: str | None,
        *,
        head: bool,
    ) -> tuple[int, Headers, bytes]:
        """What a kept answer goes out as, given the request's ``If-None-Match``,
        ``Accept-Encoding`` and ``Origin``: the status code (200 or 304), the prepared
        headers (and the CORS ones a configured origin list adds), the body (none for a
        HEAD or a 304)."""
        gzipped = entry.gzip_body is not None and _accepts_gzip(accept_encoding)
        if if_none_match is not None and (
            if_none_match == entry.etag or _matches(if_none_match, entry.etag)
        ):
            headers = entry.gzip_not_modified_headers if gzipped else entry.not_modified_headers
            return 304, headers if self.any_origin else headers + self._cors_for(origin), b""
        headers = entry.gzip_headers if gzipped else entry.plain_headers
        if not self.any_origin:
            headers = headers + self._cors_for(origin)
        if head:
            return 200, headers, b""
        return 200, headers, entry.gzip_body if gzipped else entry.body  # type: ignore[return-value]

    def _render(self, environ: dict[str, Any]) -> CachedResponse:
        """Run the Flask app and keep its whole answer (its headers without Content-Length)."""
        captured: list[Any] = []

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
            captured[:] = [status, headers]
            return lambda data: None

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        status, headers = captured
        kept = [(name, value) for name, value in headers if name.lower() != "content-length"]
        return CachedResponse(status, kept, body, etag="")

    def _send(
        self,
        response: CachedResponse,
        environ: dict[str, Any],
        start_response: StartResponse,
        *,
        head: bool,
    ) -> Iterable[bytes]:
        """Send an answer that is not cached: an error, a preview, a refusal."""
        headers = [*response.headers]
        if not any(name.lower() == "cache-control" for name, _ in headers):
            headers.append(("Cache-Control", "no-cache"))
        headers.append(("Content-Length", str(len(response.body))))
        content = pinned(environ)
        if content is not None:
            headers.append(("X-Content-Version", content.snapshot.version))
        start_response(response.status, headers + self.static_headers + self._cors(environ))
        return [b"" if head else response.body]

    def _cors(self, environ: dict[str, Any]) -> Headers:
        """The CORS headers that depend on the request: only with a configured origin list."""
        return self._cors_for(environ.get("HTTP_ORIGIN"))

    def _cors_for(self, origin: str | None) -> Headers:
        if self.any_origin:
            return []
        if origin in self.cors_origins:
            return [("Access-Control-Allow-Origin", origin), EXPOSED_HEADERS]
        return []

    def _preflight(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        headers = [
            ("Allow", ALLOWED_METHODS),
            ("Access-Control-Allow-Methods", ALLOWED_METHODS),
            ("Access-Control-Allow-Headers", "Authorization, If-None-Match, Content-Type"),
            ("Access-Control-Max-Age", "86400"),
            ("Content-Length", "0"),
        ]
        start_response("204 No Content", headers + self.static_headers + self._cors(environ))
        return [b""]

    def _private(
        self, environ: dict[str, Any], start_response: StartResponse, method: str
    ) -> Iterable[bytes]:
        """The editing API: never cached, by anyone; CORS only for the origins listed."""
        cors = self._write_cors(environ)
        if method == "OPTIONS":
            allowed = COMMIT_METHODS if environ["PATH_INFO"] == "/api/commits" else ENTRY_METHODS
            headers = [("Allow", allowed), ("Content-Length", "0"), *SECURITY_HEADERS]
            if cors:
                headers += [
                    ("Access-Control-Allow-Methods", allowed),
                    (
                        "Access-Control-Allow-Headers",
                        "Authorization, Content-Type, If-Match, If-None-Match",
                    ),
                    ("Access-Control-Max-Age", "86400"),
                ]
            start_response("204 No Content", headers + cors)
            return [b""]
        rendered = self._render(environ)
        headers = [
            (name, value) for name, value in rendered.headers if name.lower() != "cache-control"
        ]
        headers += [
            ("Cache-Control", "private, no-store"),
            ("Vary", "Authorization, Origin"),
            ("Content-Length", str(len(rendered.body))),
            *SECURITY_HEADERS,
        ]
        start_response(rendered.status, headers + cors)
        return [b"" if method == "HEAD" else rendered.body]

    def _write_cors(self, environ: dict[str, Any]) -> Headers:
        """CORS headers of the editing API: only for an origin ``CORS_ORIGINS`` names (``*``
        opens reads to any origin, never writes: a page of any site must not write with a
        token it was given; ``*,https://editor.example`` lets that one write), and never
        ``Access-Control-Allow-Credentials``."""
        origin = environ.get("HTTP_ORIGIN")
        if origin is None or origin == "*" or origin not in self.cors_origins:
            return []
        return [("Access-Control-Allow-Origin", origin), PRIVATE_EXPOSED_HEADERS]

    def _refuse(
        self, status: HTTPStatus, environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        """Answer an oversized request before any work is done for it."""
        message = {
            HTTPStatus.REQUEST_URI_TOO_LONG: f"Request target longer than {MAX_TARGET_BYTES} bytes",
            HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: "Request headers too large",
        }[status]
        body = orjson.dumps({"code": status.value, "status": status.phrase, "message": message})
        response = CachedResponse(
            f"{status.value} {status.phrase}", [("Content-Type", "application/json")], body, ""
        )
        return self._send(response, environ, start_response, head=False)


def _error(code: int, message: str) -> CachedResponse:
    status = HTTPStatus(code)
    body = orjson.dumps({"code": code, "status": status.phrase, "message": message})
    return CachedResponse(
        f"{code} {status.phrase}", [("Content-Type", "application/json")], body, ""
    )


def _oversized(path: str, query: str, environ: dict[str, Any] | None) -> HTTPStatus | None:
    """414 or 431 for a request too large to be a reasonable read of this API."""
    if len(path) + len(query) > MAX_TARGET_BYTES:
        return HTTPStatus.REQUEST_URI_TOO_LONG
    if environ is None:
        return None
    total = 0
    for name, value in environ.items():
        if name[:5] == "HTTP_":
            size = len(name) + len(value)
            if size > MAX_HEADER_BYTES:
                return HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
            total += size
    return HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE if total > MAX_HEADERS_BYTES else None


def _missed(headers: Headers) -> Headers:
    return [(n, "MISS") if n == CACHE_STATUS_HEADER else (n, v) for n, v in headers]


def _not_for_keeping(headers: Headers) -> bool:
    """An answer that must be made afresh each time (``/healthz``: ``no-cache``)."""
    return any(
        name.lower() == "cache-control" and ("no-cache" in value or "no-store" in value)
        for name, value in headers
    )


def _accepts_gzip(accepted: str | None) -> bool:
    if not accepted:
        return False
    for part in accepted.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=").strip()
            return quality not in ("0", "0.0", "0.00", "0.000")
    return False


def _matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison, as RFC 9110 asks for If-None-Match; gzip and plain share the tag."""
    base = etag.strip('"')
    for candidate in if_none_match.split(","):
        tag = candidate.strip().removeprefix("W/").strip('"')
        if tag in ("*", base, f"{base}-gzip"):
            return True
    return False


def init_app(app: Flask, *, streams: frozenset[str] = frozenset()) -> Delivery:
    """Put the delivery layer in front of the app (``app.wsgi_app``); ``streams`` are the paths
    of answers that never end (Server-Sent Events), which go straight to Flask."""
    delivery = Delivery(
        app.wsgi_app, app.extensions["content"], app.extensions["settings"], streams=streams
    )
    app.wsgi_app = delivery  # type: ignore[method-assign]
    return delivery
