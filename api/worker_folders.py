"""A folder the server's processes share: made by the parent before it forks its workers,
removed when the process that made it exits (never by a worker, whose exit is routine).

The editing API's sibling sockets and the replica workers' leader lock and versions each keep
one; made in the parent, every worker inherits its path.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path


def shared_folder(prefix: str) -> Path:
    """A new temporary folder named ``prefix...``, removed at the creating process's exit."""
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    creator = os.getpid()
    atexit.register(lambda: os.getpid() == creator and shutil.rmtree(directory, ignore_errors=True))
    return directory
