"""Telling the other workers of this replica about a write, and waiting until they serve it.

Each worker of ``make serve`` has its own snapshot. The worker that writes applies the
change to its own at once; the others would notice the files through their watchers (a
burst ends after 0.1 s of quiet), but a write answers only once every worker serves it
(read your writes: the next GET may reach any of them). So each worker listens on a Unix
datagram socket in a folder made before the fork; the writer sends each sibling the paths
it wrote, the sibling reloads exactly those paths at once and answers. The answer says the
sibling has read the files as they are after the write, which a content version cannot
say when several writes run at once (the siblings may skip a version on the way).

A single process (the development server, tests) has no siblings.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import orjson

from api.worker_folders import shared_folder

log = logging.getLogger(__name__)

MAX_DATAGRAM = 200_000  # larger path lists ask for a full stat pass instead
SUFFIX = ".worker"


class Siblings:
    def __init__(self, directory: Path | None = None) -> None:
        """Create the shared folder: in the parent, before any worker is forked."""
        self.directory = (
            directory if directory is not None else shared_folder("content-api-editing-")
        )
        self._listening: socket.socket | None = None
        self._counter = 0
        self._lock = threading.Lock()

    def _own_address(self, pid: int | None = None) -> str:
        return str(self.directory / f"{pid or os.getpid()}{SUFFIX}")

    def listen(self, reload: Callable[[list[str] | None], str]) -> None:
        """In each worker: answer the siblings' writes by ``reload(paths)`` (it returns the
        version served after it)."""
        address = self._own_address()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(address)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        server.bind(address)
        self._listening = server
        thread = threading.Thread(
            target=self._serve, args=(server, reload), name="content-siblings", daemon=True
        )
        thread.start()

    def _serve(self, server: socket.socket, reload: Callable[[list[str] | None], str]) -> None:
        while True:
            try:
                message = server.recv(MAX_DATAGRAM + 1024)
                request = orjson.loads(message)
            except OSError:
                return
            except orjson.JSONDecodeError:
                continue
            try:
                version = reload(request.get("paths"))
            except Exception:  # a failed reload is the watcher's to retry; answer anyway
                log.exception("reloading a sibling's write failed")
                version = ""
            with contextlib.suppress(OSError):
                answer = orjson.dumps(
                    {"id": request.get("id"), "pid": os.getpid(), "version": version}
                )
                server.sendto(answer, request["reply"])

    def tell(self, paths: Iterable[str], timeout: float) -> list[int]:
        """Have every live sibling reload ``paths``; wait until each says it has, or
        ``timeout``. The pids of the siblings that did not answer in time."""
        own = os.getpid()
        siblings = []
        for entry in self.directory.glob(f"*{SUFFIX}"):
            name = entry.name.removesuffix(SUFFIX)
            if name.isdigit() and int(name) != own:
                siblings.append(int(name))
        if not siblings:
            return []
        with self._lock:
            self._counter += 1
            number = self._counter
        reply = str(self.directory / f"reply-{own}-{number}")
        listed = sorted(set(paths))
        message = orjson.dumps({"id": number, "paths": listed, "reply": reply})
        if len(message) > MAX_DATAGRAM:
            message = orjson.dumps({"id": number, "paths": None, "reply": reply})
        waiting: set[int] = set()
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as client:
            client.bind(reply)
            try:
                for pid in siblings:
                    try:
                        client.sendto(message, self._own_address(pid))
                        waiting.add(pid)
                    except (ConnectionRefusedError, FileNotFoundError):
                        with contextlib.suppress(OSError):  # a worker that died
                            os.unlink(self._own_address(pid))
                    except OSError as error:
                        log.warning("cannot tell worker %d of a write: %s", pid, error)
                give_up_at = time.monotonic() + timeout
                while waiting:
                    left = give_up_at - time.monotonic()
                    if left <= 0:
                        break
                    client.settimeout(left)
                    try:
                        answer = orjson.loads(client.recv(4096))
                    except (TimeoutError, OSError, orjson.JSONDecodeError):
                        break
                    if answer.get("id") == number:
                        waiting.discard(answer.get("pid"))
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(reply)
        return sorted(pid for pid in waiting if _alive(pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
