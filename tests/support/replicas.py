"""Replicas of the content API for the deploy test: ``python -m api.serve`` (what ``make serve``
runs) on a clone each, purging Varnish and a recorder, posting webhooks to a receiver."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import serve_process, stop_process_group, wait_until_ready
from tests.support.waiting import deadline


@dataclass
class Replica:
    name: str
    port: int
    clone: Path

    def get(self, path: str, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=deadline(timeout))
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
        finally:
            connection.close()

    def serves_other(self, version: str, answers: int = 6) -> bool:
        """Whether ``answers`` /healthz answers in a row name one version, not ``version``."""
        seen = set()
        for _ in range(answers):
            status, _, body = self.get("/healthz")
            seen.add(json.loads(body)["contentVersion"] if status == 200 else None)
        return len(seen) == 1 and version not in seen and None not in seen

    def serves(self, version: str, answers: int = 6) -> bool:
        """Whether ``answers`` /healthz answers in a row name ``version`` (each worker's turn)."""
        for _ in range(answers):
            status, _, body = self.get("/healthz")
            if status != 200 or json.loads(body)["contentVersion"] != version:
                return False
        return True


@contextmanager
def running_replica(
    name: str, clone: Path, port: int, cache_dir: Path, log: Path, **settings: str
) -> Iterator[Replica]:
    # One SITE_URL for the oracle and the replicas alike: unset, it follows each server's own
    # port, and /api/site (its siteUrl) would differ between servers that serve the same content.
    settings = {"SITE_URL": "https://blog.example", **settings}
    with log.open("wb") as sink:
        process = serve_process(clone / "content", cache_dir, port, sink, **settings)
        try:
            wait_until_ready(port, process, timeout=120)
            yield Replica(name, port, clone)
        finally:
            stop_process_group(process)
