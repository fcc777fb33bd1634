"""Asking the app for its answers exactly as the live server gives them.

Requests go to the app's whole WSGI stack, the delivery layer in front of
Flask, so bodies, ETags, gzip bytes and every header are the ones a client of
the live server receives; nothing here rebuilds an answer by hand.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from api.export.naming import Target

Headers = tuple[tuple[str, str], ...]
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_LAST_PAGE = re.compile(r'<[^>]*[?&]page=(\d+)[^>]*>\s*;\s*rel="last"')


class UnexpectedAnswer(RuntimeError):
    """The app did not answer a URL the export lists with a 200."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: Headers
    body: bytes

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class Answer:
    """A 200 answer as a client without gzip, one with gzip, and one revalidating receive it."""

    target: Target
    plain: Response
    gzip: Response | None  # None when the live server does not compress this answer
    not_modified: Response

    @property
    def media_type(self) -> str:
        return self.plain.header("Content-Type") or "application/octet-stream"

    @property
    def etag(self) -> str:
        return self.plain.header("ETag") or ""

    @property
    def last_page(self) -> int:
        """The last page a paginated answer links to (1 when it has no ``Link: rel="last"``)."""
        return last_page(self.plain.headers)

    @property
    def paginated(self) -> bool:
        link = self.plain.header("Link")
        return bool(link and _LAST_PAGE.search(link))


def last_page(headers: Headers) -> int:
    """The last page an answer with these headers links to (1 without ``Link: rel="last"``)."""
    link = next((value for name, value in headers if name.lower() == "link"), None)
    match = _LAST_PAGE.search(link) if link else None
    return int(match[1]) if match else 1


class WsgiClient:
    """Calls a WSGI app in this process, as an HTTP server would for each request."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def request(
        self,
        method: str,
        path_info: str,
        query_string: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": path_info,
            "QUERY_STRING": query_string,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "localhost",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        started: list[Any] = []

        def start_response(status: str, response_headers: list[tuple[str, str]], exc: Any = None):
            started[:] = [status, response_headers]
            return lambda data: None

        chunks = self.app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        status, response_headers = started
        return Response(int(status.split(" ", 1)[0]), tuple(response_headers), body)

    def get(self, target: Target, headers: Mapping[str, str] | None = None) -> Response:
        return self.request("GET", target.path_info, target.query_string, headers)

    def answer(self, target: Target) -> Answer:
        """The target's 200 answer in its three forms; ``UnexpectedAnswer`` for anything else."""
        plain = self.get(target)
        if plain.status != 200:
            raise UnexpectedAnswer(
                f"{target.url} answered {plain.status}, not 200: {plain.body[:200]!r}"
            )
        gzip = self.get(target, {"Accept-Encoding": "gzip"})
        if gzip.status != 200 or gzip.header("Content-Encoding") != "gzip":
            gzip_or_none = None
        else:
            gzip_or_none = gzip
        not_modified = self.get(target, {"If-None-Match": plain.header("ETag") or '""'})
        return Answer(target, plain, gzip_or_none, not_modified)
