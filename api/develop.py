"""``make run``: the development server (Werkzeug's, one process, threads), for trying the API.

``make serve`` (``api.serve``) is the production server. This one logs like it, serves the
same app, and reads the same settings; it also reads a ``.env`` file in the working
directory when python-dotenv is installed, as ``flask run`` does.
"""

from __future__ import annotations

import argparse
import sys

from flask.cli import load_dotenv

from api.app import create_app
from api.logs import configure_logging
from api.settings import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.develop", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    load_dotenv()
    configure_logging()
    try:
        app = create_app()
    except ConfigError as error:
        print(f"Error: {error.format_message()}", file=sys.stderr)
        return 1
    app.run(host=args.host, port=args.port, load_dotenv=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
