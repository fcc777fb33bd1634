"""``/api/events`` on a port of its own (``EVENTS_PORT``), beside the WSGI server.

Under ``make serve`` granian runs WSGI answers in a small pool of blocking threads (one per
worker by default: a cached answer never waits, and more threads only fight over the GIL).
An event stream inside WSGI would hold one of those threads for as long as it is open, so
the first stream on a worker would stop every other request on it. Here, every serving
process (each granian worker, all on one port through SO_REUSEPORT) listens on its own
small threaded HTTP server: a stream costs an idle Python thread blocked on its queue, woken
only by an event or a heartbeat, and no request thread at all. The API's own
``/api/events`` then answers ``307`` to this port.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson

from api.propagation.event_hub import EventHub

log = logging.getLogger(__name__)

EVENTS_PATH = "/api/events"


class EventServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    allow_reuse_port = True  # one listening socket per worker, on the same port

    def __init__(
        self,
        address: tuple[str, int],
        hub: EventHub,
        *,
        version: Callable[[], str],
        is_preview: Callable[[str | None], bool],
        cors_origins: tuple[str, ...],
    ) -> None:
        self.hub = hub
        self.version = version
        self.is_preview = is_preview
        self.cors_origins = cors_origins
        super().__init__(address, _Handler)

    def start(self) -> threading.Thread:
        thread = threading.Thread(
            target=self.serve_forever, name="content-events-server", daemon=True
        )
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EventServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.send_header("Allow", "GET, OPTIONS")
        self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Authorization, Last-Event-ID")
        self.send_header("Access-Control-Max-Age", "86400")
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] != EVENTS_PATH:
            self._error(404, "Only /api/events is served on this port")
            return
        preview = self.server.is_preview(self.headers.get("Authorization"))
        stream = self.server.hub.open(preview=preview, version=self.server.version())
        if stream is None:
            self._error(
                503, "Too many open event streams on this server; retry later", {"Retry-After": "5"}
            )
            return
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "private, no-store" if preview else "no-cache")
            self.send_header("X-Accel-Buffering", "no")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Transfer-Encoding", "chunked")
            self._cors()
            self.end_headers()
            for frame in stream:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client went away: noticed at the next frame or heartbeat
        finally:
            stream.close()
            self.close_connection = True

    def _cors(self) -> None:
        origins = self.server.cors_origins
        origin = self.headers.get("Origin")
        if "*" in origins:
            self.send_header("Access-Control-Allow-Origin", "*")
        elif origin in origins:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")

    def _error(self, code: int, message: str, headers: dict[str, str] | None = None) -> None:
        body = orjson.dumps({"code": code, "status": self.responses[code][0], "message": message})
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._cors()
        self.end_headers()
        self.wfile.write(body)
