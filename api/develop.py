"""``make run``: the development server (Werkzeug's, one process, threads), for trying the API.

``make serve`` (``api.serve``) is the production server. This one logs like it, serves the
same app, and reads the same settings, from the environment and a ``.env`` file in the
working directory (the environment wins), as every entry point does.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterable
from typing import Any

from flask import Flask
from flask.cli import load_dotenv
from werkzeug.serving import make_server

from api.app import create_app
from api.logs import configure_logging, plain_development_logs
from api.settings import ConfigError
from api.version import VERSION


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.develop", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, help="default: PORT (5000)")
    parser.add_argument("--version", action="version", version=f"content-api {VERSION}")
    args = parser.parse_args(argv)
    load_dotenv()
    configure_logging()
    try:
        overrides = {"host": args.host, **({"port": args.port} if args.port else {})}
        app = create_app(overrides)
    except ConfigError as error:
        print(f"Error: {error.format_message()}", file=sys.stderr)
        return 1
    settings = app.extensions["settings"]
    files = len(app.extensions["content"].served or {})
    print(
        f"serving {settings.content_dir.resolve()} ({files} file{'s' * (files != 1)}) "
        f"on http://{settings.host}:{settings.port} (the development server; make serve is the "
        "production one)",
        flush=True,
    )
    serve_until_interrupted(app, settings.host, settings.port)
    return 0


def serve_until_interrupted(app: Flask, host: str, port: int) -> None:
    """Werkzeug's threaded server, until Ctrl+C or SIGTERM: then it stops listening, lets the
    requests in flight finish (``SHUTDOWN_TIMEOUT`` at most) and returns; connections kept
    open but idle (a browser's) are not waited for."""
    plain_development_logs()
    in_flight = RequestsInFlight(app.wsgi_app)
    server = make_server(host, port, in_flight, threaded=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.socket.close()
        in_flight.wait_until_none(app.extensions["settings"].shutdown_timeout or None)


class RequestsInFlight:
    """A WSGI layer that counts the requests being answered, so a stop can wait for them."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0
        self._changed = threading.Condition()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self._changed:
            self.count += 1
        try:
            yield from self.app(environ, start_response)
        finally:
            with self._changed:
                self.count -= 1
                self._changed.notify_all()

    def wait_until_none(self, timeout: float | None) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.count == 0, timeout=timeout)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
