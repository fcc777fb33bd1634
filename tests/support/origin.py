"""Small real HTTP servers on 127.0.0.1 for the propagation tests: an origin that answers
like the content API (ETag, Cache-Control, Cache-Tag, X-Content-Version, 304s and an event
stream), and receivers that record what they are sent (webhooks, purges)."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.waiting import deadline


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float  # time.monotonic() when it arrived


@dataclass
class Item:
    body: bytes
    tags: str = ""
    cache_control: str = "public, max-age=60, stale-while-revalidate=600"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


@dataclass
class Origin:
    """What the origin serves; tests change it while it runs."""

    items: dict[str, Item] = field(default_factory=dict)
    version: str = "v1"
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # /api/events sends its first chunk, then holds the rest until a test sets this
    stream_released: threading.Event = field(default_factory=threading.Event)

    def seen(self, path: str, method: str = "GET") -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path == path and r.method == method]


def first_event_chunk(origin: Origin, port: int) -> bytes:
    """What a proxy on ``port`` passes on of ``/api/events`` while the origin holds back all
    but its first chunk (``stream_released``): up to that first chunk, which must come
    through unbuffered; the origin is released once it has."""
    origin.stream_released.clear()  # the origin sends its first chunk and holds the rest
    with socket.create_connection(("127.0.0.1", port), timeout=deadline(5)) as sock:
        sock.sendall(b"GET /api/events HTTP/1.1\r\nHost: test\r\n\r\n")
        received = b""
        while b": first" not in received:
            chunk = sock.recv(4096)
            assert chunk, received  # the stream ended before its first chunk came through
            received += chunk
        origin.stream_released.set()
    return received


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _record(self) -> Received:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        received = Received(
            self.command,
            self.path,
            {k.lower(): v for k, v in self.headers.items()},
            body,
            time.monotonic(),
        )
        return received


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    state: Any
    handle_request_with: Callable[[_Handler, Received], None]


class OriginHandler(_Handler):
    def do_GET(self) -> None:
        origin: Origin = self.server.state
        received = self._record()
        with origin.lock:
            origin.requests.append(received)
            item = origin.items.get(self.path)
            version = origin.version
        if self.path == "/api/events":
            self._stream(origin)
            return
        if item is None:
            self._send(404, b'{"code": 404}', [("Cache-Control", "no-cache")])
            return
        headers = [
            ("ETag", item.etag),
            ("Cache-Control", item.cache_control),
            ("X-Content-Version", version),
        ]
        if item.tags:
            headers.append(("Cache-Tag", item.tags))
        if received.headers.get("if-none-match") == item.etag:
            self._send(304, b"", headers)
            return
        self._send(200, item.body, [("Content-Type", "application/json"), *headers])

    do_HEAD = do_GET

    def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304 and self.command != "HEAD":
            self.wfile.write(body)

    def _stream(self, origin: Origin) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for number, chunk in enumerate((b": first\n\n", b"event: content\ndata: {}\n\n")):
            if number:
                origin.stream_released.wait(deadline(30))
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.close_connection = True


@dataclass
class Receiver:
    """Records every request; answers with ``status`` after ``delay`` seconds, and not before
    ``hold`` is set when there is one."""

    status: int = 200
    delay: float = 0.0
    hold: threading.Event | None = None
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def all(self) -> list[Received]:
        with self.lock:
            return list(self.received)


class ReceiverHandler(_Handler):
    def _any(self) -> None:
        receiver: Receiver = self.server.state
        received = self._record()
        with receiver.lock:
            receiver.received.append(received)
            status, delay, hold = receiver.status, receiver.delay, receiver.hold
        if hold is not None:
            hold.wait(deadline(30))
        if delay:
            time.sleep(delay)
        try:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except OSError:
            pass  # the sender gave up waiting

    do_GET = do_POST = do_PURGE = _any


@contextmanager
def serve(handler: type[_Handler], state: Any) -> Iterator[str]:
    """Run a threading HTTP server on a free loopback port; yield its base URL."""
    server = _Server(("127.0.0.1", 0), handler)
    server.state = state
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def unreachable_url() -> str:
    """A loopback URL nothing listens on (the port was just free)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"
