"""The worker processes of one replica, as each of them sees the others.

``make serve`` forks several workers after loading the content; each watches the
folder and reloads by itself. Caches and webhook receivers must hear of a change
once per replica, and only when the whole replica serves it: a purge sent while a
sibling worker still answers with the old version would let that old answer back
into the cache. So the workers of one replica share a small folder (made by the
parent before the fork): each writes the version it serves into a file named by
its pid, and one of them, the leader (whoever holds a POSIX lock on ``leader.lock``;
the lock goes with its process, so another worker takes over if it dies), propagates
each change once every live sibling serves it. The leader also writes the
propagation status there, so /healthz shows it whichever worker answers.

A single process (the development server, tests) is a replica of one worker.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from api.worker_folders import shared_folder

LOCK_NAME = "leader.lock"
STATUS_NAME = "status.json"
POLL_SECONDS = 0.02


class ReplicaWorkers:
    def __init__(self, directory: Path | None = None) -> None:
        """Create the shared folder: in the parent, before any worker is forked."""
        self.directory = (
            directory if directory is not None else shared_folder("content-api-replica-")
        )
        self._leader_pid: int | None = None
        self._lock_fd: int | None = None

    def record(self, version: str) -> None:
        """Say which version this process serves now."""
        _write_atomically(self.directory / str(os.getpid()), version.encode())

    def is_leader(self) -> bool:
        """Whether this process propagates changes; takes the lead if nobody holds it."""
        pid = os.getpid()
        if self._leader_pid == pid:
            return True
        try:
            fd = os.open(self.directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return True  # nowhere to coordinate: better twice than never
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        # Never close this descriptor (nor open another on the file): closing any
        # descriptor of a file drops the process's POSIX locks on it.
        self._lock_fd, self._leader_pid = fd, pid
        return True

    def lagging(self, version: str) -> list[int]:
        """Live workers that do not serve ``version`` yet (files of dead ones are removed)."""
        behind = []
        for entry in self.directory.iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            if not _alive(pid):
                entry.unlink(missing_ok=True)
                continue
            try:
                serving = entry.read_text()
            except OSError:
                continue
            if serving != version:
                behind.append(pid)
        return sorted(behind)

    def wait_until_serving(
        self, version: str, timeout: float, give_up: Callable[[], bool] = lambda: False
    ) -> list[int]:
        """Wait until every live worker serves ``version``, ``give_up()`` says so, or
        ``timeout`` passes; return the workers still behind."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                behind = self.lagging(version)
            except OSError:
                return []
            if not behind or give_up() or time.monotonic() >= deadline:
                return behind
            time.sleep(POLL_SECONDS)

    def write_status(self, status: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):
            _write_atomically(self.directory / STATUS_NAME, orjson.dumps(status))

    def read_status(self) -> dict[str, Any] | None:
        try:
            return orjson.loads((self.directory / STATUS_NAME).read_bytes())  # type: ignore[no-any-return]
        except (OSError, orjson.JSONDecodeError):
            return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
