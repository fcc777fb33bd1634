"""Webhooks: each change, signed, POSTed to every ``WEBHOOK_URLS`` entry.

Each hook has its own thread and queue, so a slow or dead receiver delays no other
hook, no reload and no request. A delivery is tried at most ``tries`` times, with
exponential back-off between tries, each bounded by ``timeout``; a receiver that
keeps failing is given up on (and shown so in /healthz), and what it missed rides
along with its next delivery, so it still learns every changed path. Changes that
queue up while a receiver is slow are folded into one delivery (from the first
previous version to the last version) rather than sent one by one, late.

The secret signs the body and goes nowhere else: not in a header, a log line or
/healthz.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from api.content.live.change import ContentChange
from api.propagation.notice import SIGNATURE_HEADER, change_body, merged, shown_url, signature
from api.propagation.sending import (
    Attempt,
    SendError,
    backoff_delays,
    is_retryable,
    send,
    utc_now_text,
)

log = logging.getLogger(__name__)

Sender = Callable[..., int]


class WebhookSender:
    def __init__(
        self,
        urls: Sequence[str],
        secret: str,
        *,
        timeout: float = 5.0,
        tries: int = 5,
        first_backoff: float = 1.0,
        sender: Sender = send,
        on_update: Callable[[], None] = lambda: None,
    ) -> None:
        """``on_update`` is called (in a hook's thread) whenever a delivery's state changes."""
        self._hooks = [
            _Hook(url, secret, timeout=timeout, tries=tries, first_backoff=first_backoff,
                  sender=sender, on_update=on_update)
            for url in urls
        ]  # fmt: skip

    def deliver(self, change: ContentChange) -> None:
        """Queue ``change`` for every hook; returns at once."""
        for hook in self._hooks:
            hook.enqueue(change)

    def status(self) -> list[dict[str, Any]]:
        return [hook.status() for hook in self._hooks]

    def wait_idle(self, timeout: float) -> bool:
        """Whether every queue emptied and every delivery finished within ``timeout`` (tests)."""
        deadline = time.monotonic() + timeout
        return all(hook.wait_idle(deadline - time.monotonic()) for hook in self._hooks)


class _Hook:
    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float,
        tries: int,
        first_backoff: float,
        sender: Sender,
        on_update: Callable[[], None],
    ) -> None:
        self.url = url
        self._on_update = on_update
        self.shown = shown_url(url)
        self._secret = secret
        self._timeout = timeout
        self._tries = max(tries, 1)
        self._first_backoff = first_backoff
        self._send = sender
        self._condition = threading.Condition()
        self._pending: list[ContentChange] = []
        self._missed: ContentChange | None = None  # given up on: sent with the next delivery
        self._busy = False
        self._last: Attempt | None = None
        self._delivered = 0
        self._failed = 0
        self._thread: threading.Thread | None = None

    def enqueue(self, change: ContentChange) -> None:
        with self._condition:
            self._pending.append(change)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name=f"content-webhook {self.shown}", daemon=True
                )
                self._thread.start()
            self._condition.notify()

    def status(self) -> dict[str, Any]:
        with self._condition:
            status: dict[str, Any] = {
                "url": self.shown,
                "pending": len(self._pending),
                "delivered": self._delivered,
                "failed": self._failed,
            }
            if self._last is not None:
                status["lastDelivery"] = self._last.as_dict()
            return status

    def wait_idle(self, timeout: float) -> bool:
        with self._condition:
            return self._condition.wait_for(
                lambda: not self._pending and not self._busy, timeout=max(timeout, 0)
            )

    def _run(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: bool(self._pending))
                change = self._missed
                for queued in self._pending:
                    change = queued if change is None else merged(change, queued)
                self._pending.clear()
                self._busy = True
            assert change is not None
            try:
                delivered = self._deliver(change)
            except Exception:  # never let one bad delivery end the hook's thread
                log.exception("webhook %s: delivery failed unexpectedly", self.shown)
                delivered = False
            with self._condition:
                self._missed = None if delivered else change
                self._busy = False
                self._condition.notify_all()

    def _deliver(self, change: ContentChange) -> bool:
        body = change_body(change)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(body, self._secret),
        }
        attempt = Attempt(self.shown, change.version, "pending")
        delays = backoff_delays(self._first_backoff, self._tries)
        for number in range(1, self._tries + 1):
            attempt.attempts, attempt.at = number, utc_now_text()
            try:
                status = self._send(
                    "POST", self.url, headers=headers, body=body, timeout=self._timeout
                )
            except SendError as error:
                attempt.http_status, attempt.error, retry = None, str(error), True
            else:
                attempt.http_status = status
                if 200 <= status < 300:
                    attempt.state, attempt.error = "delivered", None
                    self._record(attempt, delivered=True)
                    return True
                attempt.error, retry = f"answered {status}", is_retryable(status)
            if not retry or number == self._tries:
                break
            attempt.state = "retrying"
            self._record(attempt)
            time.sleep(delays[number - 1])
        attempt.state = "failed"
        self._record(attempt, failed=True)
        log.warning(
            "webhook %s: gave up on content %s after %d tries: %s",
            self.shown,
            change.version[:12],
            attempt.attempts,
            attempt.error,
        )
        return False

    def _record(self, attempt: Attempt, *, delivered: bool = False, failed: bool = False) -> None:
        with self._condition:
            self._last = Attempt(**vars(attempt))
            self._delivered += delivered
            self._failed += failed
        try:
            self._on_update()
        except Exception:
            log.exception("webhook %s: reporting its state failed", self.shown)
