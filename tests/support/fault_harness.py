"""The production server as a process a test can hurt, and a steady GET load that watches it.

``Server`` starts ``python -m api.serve`` on a free loopback port and knows its
workers' pids; ``Load`` runs reader threads that GET a list of URLs over
keep-alive connections and record every outcome with its time and
``X-Content-Version``. A request that fails on a connection is retried once on a
new one, as browsers and HTTP client libraries do for an idempotent GET; both
the raw failure and the retry's outcome are recorded.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.servers import free_port, serve_process, stop_process_group
from tests.support.waiting import deadline


class Server:
    def __init__(self, content_dir: Path, workdir: Path, **environment: str) -> None:
        self.port = free_port()
        self.log_path = workdir / f"server-{self.port}.log"
        self._log = self.log_path.open("wb")
        self.process = serve_process(
            content_dir, workdir / "cache", self.port, self._log, **{"WORKERS": "2", **environment}
        )
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def wait_until_ready(self, timeout: float = 30) -> None:
        give_up_at = time.monotonic() + deadline(timeout)
        while time.monotonic() < give_up_at:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log}")
            if len(self.workers()) == 2 and get(self.port, "/healthz")[0] == 200:
                return
            time.sleep(0.1)
        raise RuntimeError(f"the server did not start in time:\n{self.log}")

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def workers(self) -> list[int]:
        """The pids of the server's worker processes (its children)."""
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def ready_workers(self) -> list[int]:
        """Workers that have caught up and said so in the log (``worker N serving``)."""
        said = self.log
        return [pid for pid in self.workers() if f"worker {pid} serving" in said]

    def stop(self) -> int:
        if self.process.poll() is None:
            stop_process_group(self.process, timeout=40)
        self._log.close()
        return self.process.returncode


def get(port: int, path: str, timeout: float = 5) -> tuple[int, str | None, bytes]:
    """GET on a new connection: (status, X-Content-Version, body); status 0 on a failure
    (none in ``deadline(timeout)`` is one)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline(timeout))
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.getheader("X-Content-Version"), response.read()
    except OSError:
        return 0, None, b""
    finally:
        connection.close()


@dataclass
class Outcome:
    started: float
    finished: float
    status: int  # 0: no answer
    version: str | None
    error: str = ""
    retried: bool = False  # the answer came from the retry on a new connection


@dataclass
class Load:
    """``threads`` readers GETting ``paths`` in turn until stopped."""

    port: int
    paths: Sequence[str]
    threads: int = 6
    outcomes: list[Outcome] = field(default_factory=list)
    raw_failures: list[tuple[float, str]] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> Load:
        for number in range(self.threads):
            thread = threading.Thread(target=self._read, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=deadline(10))

    def _read(self, number: int) -> None:
        connection: http.client.HTTPConnection | None = None
        index = number
        while not self._stopping.is_set():
            path = self.paths[index % len(self.paths)]
            index += 1
            started = time.monotonic()
            if connection is None:
                connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=deadline(10)
                )
            try:
                outcome = self._once(connection, path, started)
            except OSError as error:  # the connection broke: retry once on a new one
                connection.close()
                connection = None
                with self._lock:
                    self.raw_failures.append((time.monotonic(), f"{type(error).__name__}"))
                retry = http.client.HTTPConnection("127.0.0.1", self.port, timeout=deadline(10))
                try:
                    outcome = self._once(retry, path, started)
                    outcome.retried = True
                    connection = retry
                except OSError as again:
                    retry.close()
                    outcome = Outcome(
                        started, time.monotonic(), 0, None, f"{type(again).__name__}: {again}"
                    )
                    time.sleep(0.01)
            with self._lock:
                self.outcomes.append(outcome)
        if connection is not None:
            connection.close()

    @staticmethod
    def _once(connection: http.client.HTTPConnection, path: str, started: float) -> Outcome:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return Outcome(
            started, time.monotonic(), response.status, response.getheader("X-Content-Version")
        )

    def snapshot(self) -> list[Outcome]:
        with self._lock:
            return list(self.outcomes)
