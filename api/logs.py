"""How the service logs: set up by each entry point (``api.serve``, ``api.develop``, the
``flask content`` commands), never by the app factory, so that an app built by a test or
embedded elsewhere leaves its host's logging alone."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(levelname)s %(name)s: %(message)s"


def configure_logging() -> None:
    """The service's INFO lines (``INFO api.content.live.repository: content ... loaded``) on
    standard error; uncoloured where it is not a terminal."""
    plain_development_logs()
    logging.basicConfig(level=logging.INFO, format=FORMAT)


def plain_development_logs() -> None:
    """Only a terminal gets colour codes: werkzeug colours the development server's request
    lines with ANSI codes even when its log goes to a file or a pipe."""
    if not sys.stderr.isatty():
        import werkzeug.serving

        werkzeug.serving._log_add_style = False  # werkzeug's own switch (off on Windows)
