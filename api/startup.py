"""Start-up checks: a mistake in how the service is started is one line and a non-zero exit.

They run before anything is loaded or any worker or watcher starts, so a typo in
``CONTENT_DIR`` or a busy port reads as what it is, not as a traceback from deep
inside a file watcher or a server. They check only at start-up: a content folder
that disappears later is the running server's business (it keeps serving).
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from api.settings import ConfigError

CONTENT_FOLDERS = ("pages", "data")


def check_content_dir(path: Path, *, setting: str | None = "CONTENT_DIR") -> None:
    """Raise ``ConfigError`` unless ``path`` is a readable folder that can be a content folder.

    ``setting`` names where the path came from (an environment variable), so the
    message says what to change; ``None`` for a path given on the command line.
    An empty folder passes (a new site); a site's root given instead of its
    ``content/`` folder does not.
    """
    named = f"{setting}={path}" if setting else str(path)
    fix = (
        f"set {setting} to the folder that holds the site's pages/ and data/ folders"
        if setting
        else "give the folder that holds the site's pages/ and data/ folders"
    )
    resolved = path.resolve()
    if not path.exists():
        raise ConfigError(f"{named}: no such folder ({resolved}); {fix}")
    if not path.is_dir():
        raise ConfigError(f"{named}: {resolved} is a file, not a folder; {fix}")
    if not os.access(path, os.R_OK | os.X_OK):
        raise ConfigError(f"{named}: the folder {resolved} cannot be read (permissions)")
    nested = path / "content"
    if not any((path / name).is_dir() for name in CONTENT_FOLDERS) and any(
        (nested / name).is_dir() for name in CONTENT_FOLDERS
    ):
        suggestion = f"{setting}={nested}" if setting else str(nested)
        raise ConfigError(
            f"{named}: {resolved} is a site's root (no pages/ or data/ in it), its content "
            f"folder is {nested.resolve()}; use {suggestion}"
        )


def check_port_free(host: str, port: int) -> None:
    """Raise ``ConfigError`` when another program already listens on ``host:port``.

    Binds a throw-away socket the way a server does (address reuse on, so a
    port left in TIME_WAIT by our own last run is not mistaken for a busy one).
    """
    if port == 0:  # the system picks a free port
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ConfigError(f"HOST={host}: not an address this machine has ({error})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ConfigError(
                    f"PORT={port}: {host}:{port} is already in use by another program; "
                    f"stop it or choose another port (PORT={port + 1} make serve)"
                ) from None
            raise ConfigError(f"HOST={host} PORT={port}: cannot listen there ({error})") from None
