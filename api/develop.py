"""``make run``: the development server (Werkzeug's, one process, threads), for trying the API.

``make serve`` (``api.serve``) is the production server. This one logs like it, serves the
same app, and reads the same settings, from the environment and a ``.env`` file in the
working directory (the environment wins), as every entry point does.
"""

from __future__ import annotations

import argparse
import sys

from flask.cli import load_dotenv

from api.app import create_app
from api.logs import configure_logging
from api.settings import ConfigError
from api.version import VERSION


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.develop", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--version", action="version", version=f"content-api {VERSION}")
    args = parser.parse_args(argv)
    load_dotenv()
    configure_logging()
    try:
        app = create_app({"host": args.host, "port": args.port})
    except ConfigError as error:
        print(f"Error: {error.format_message()}", file=sys.stderr)
        return 1
    settings = app.extensions["settings"]
    files = len(app.extensions["content"].served or {})
    print(
        f"serving {settings.content_dir.resolve()} ({files} file{'s' * (files != 1)}) "
        f"on http://{args.host}:{args.port} (the development server; make serve is the "
        "production one)",
        flush=True,
    )
    app.run(host=args.host, port=args.port, load_dotenv=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
