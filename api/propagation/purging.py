"""Purging caches by content key: after a change, every ``PURGE_URLS`` entry is asked to
drop the answers tagged with the changed keys.

The request is Varnish's xkey convention: ``PURGE`` with the keys, space-separated,
in ``xkey-purge`` (split over several requests when there are many), and the new
``X-Content-Version`` so that the cache can refuse to store answers of any other
version from then on (see deploy/varnish/content-api.vcl and the manual's
"Several replicas", docs/operations/deploying.md). Every round is sent twice, the second
time ``confirm_after`` seconds later: an answer of the old version fetched just before the
first purge and stored just after it is dropped by the second, so no stale object can remain.

Runs in the propagation thread, never in a reload or a request; each cache gets its
own thread for the round, so a dead one delays no other.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from api.content.live.change import ContentChange
from api.propagation.notice import shown_url
from api.propagation.sending import (
    Attempt,
    SendError,
    backoff_delays,
    is_retryable,
    send,
    utc_now_text,
)

log = logging.getLogger(__name__)

KEYS_HEADER = "xkey-purge"
VERSION_HEADER = "X-Content-Version"
MAX_KEYS_HEADER_BYTES = 4000  # Varnish's default limit for a request header is 8 KiB

Sender = Callable[..., int]


class Purger:
    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float = 2.0,
        tries: int = 5,
        first_backoff: float = 0.25,
        confirm_after: float = 0.3,
        sender: Sender = send,
    ) -> None:
        self.urls = tuple(urls)
        self.timeout = timeout
        self.tries = max(tries, 1)
        self.first_backoff = first_backoff
        self.confirm_after = confirm_after
        self._send = sender
        self._lock = threading.Lock()
        self._last: dict[str, Attempt] = {}
        self._pool: ThreadPoolExecutor | None = None

    def purge(self, change: ContentChange) -> bool:
        """Purge ``change.keys`` everywhere, twice; True when every cache acknowledged."""
        if not self.urls:
            return True
        acknowledged = self._round(change, "first")
        if self.confirm_after > 0:
            time.sleep(self.confirm_after)
            acknowledged = self._round(change, "confirm") and acknowledged
        return acknowledged

    def status(self) -> list[dict[str, Any]]:
        with self._lock:
            return [self._last[url].as_dict() for url in self.urls if url in self._last]

    def _round(self, change: ContentChange, which: str) -> bool:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(len(self.urls), thread_name_prefix="content-purge")
        results = self._pool.map(lambda url: self._purge_one(url, change, which), self.urls)
        return all(list(results))

    def _purge_one(self, url: str, change: ContentChange, which: str) -> bool:
        attempt = Attempt(shown_url(url), change.version, "pending")
        delays = backoff_delays(self.first_backoff, self.tries)
        for number in range(1, self.tries + 1):
            attempt.attempts, attempt.at = number, utc_now_text()
            try:
                status = self._send_batches(url, change)
            except SendError as error:
                attempt.http_status, attempt.error = None, str(error)
                retry = True
            else:
                attempt.http_status = status
                attempt.error = None if 200 <= status < 300 else f"answered {status}"
                if attempt.error is None:
                    attempt.state = "acknowledged"
                    self._record(url, attempt)
                    return True
                retry = is_retryable(status)
            if not retry or number == self.tries:
                break
            attempt.state = "retrying"
            self._record(url, attempt)
            time.sleep(delays[number - 1])
        attempt.state = "failed"
        self._record(url, attempt)
        log.warning(
            "purging %s for content %s failed (%s round, %d tries): %s",
            attempt.url,
            change.version[:12],
            which,
            attempt.attempts,
            attempt.error,
        )
        return False

    def _send_batches(self, url: str, change: ContentChange) -> int:
        """One PURGE per batch of keys (one without keys when none changed: it still tells
        the cache the new version). The first non-2xx status ends it."""
        batches = list(key_batches(sorted(usable_keys(change.keys)))) or [""]
        status = 0
        for batch in batches:
            headers = {VERSION_HEADER: change.version}
            if batch:
                headers[KEYS_HEADER] = batch
            status = self._send("PURGE", url, headers=headers, timeout=self.timeout)
            if not 200 <= status < 300:
                return status
        return status

    def _record(self, url: str, attempt: Attempt) -> None:
        with self._lock:
            self._last[url] = Attempt(**vars(attempt))


def usable_keys(keys: Iterable[str]) -> list[str]:
    """Keys that survive a header list: printable ASCII without spaces or commas."""
    usable = []
    for key in keys:
        if key and key.isascii() and key.isprintable() and " " not in key and "," not in key:
            usable.append(key)
        else:
            log.warning("content key %r cannot be sent in a purge; skipped", key)
    return usable


def key_batches(keys: Sequence[str], limit: int = MAX_KEYS_HEADER_BYTES) -> Iterable[str]:
    """Space-separated runs of ``keys`` of at most ``limit`` bytes (a longer key goes alone)."""
    batch: list[str] = []
    size = 0
    for key in keys:
        if batch and size + 1 + len(key) > limit:
            yield " ".join(batch)
            batch, size = [], 0
        size += len(key) + (1 if batch else 0)
        batch.append(key)
    if batch:
        yield " ".join(batch)
