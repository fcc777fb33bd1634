"""One HTTP request with a deadline, and the back-off between tries: what purges and
webhooks share. Only the standard library: a sender thread needs nothing more.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

MAX_ANSWER_BYTES = 64 * 1024  # read (and drop) at most this much of an answer
USER_AGENT = "content-api-propagation/1"


class SendError(Exception):
    """The request got no HTTP answer: refused, unreachable, timed out, reset."""


def send(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    body: bytes | None = None,
    timeout: float,
) -> int:
    """Send one request and return the answer's status; ``SendError`` when there is none.

    ``timeout`` bounds connecting and each read, so a slow receiver costs at most
    about twice that.
    """
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request(method, target, body=body, headers={"User-Agent": USER_AGENT, **headers})
        answer = connection.getresponse()
        answer.read(MAX_ANSWER_BYTES)
        return answer.status
    except (OSError, http.client.HTTPException) as error:
        raise SendError(describe(error)) from None
    finally:
        connection.close()


def describe(error: BaseException) -> str:
    """A short reason for /healthz: never the request itself (its headers hold signatures)."""
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    reason = str(error) or type(error).__name__
    return reason[:200]


def backoff_delays(first: float, tries: int) -> list[float]:
    """The waits between ``tries`` tries: ``first``, then doubling (exponential back-off)."""
    return [first * 2**attempt for attempt in range(max(tries - 1, 0))]


def is_retryable(status: int) -> bool:
    """Server errors and throttling are worth another try; other refusals will not change."""
    return status >= 500 or status in (408, 425, 429)


def utc_now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Attempt:
    """The last thing that happened to one delivery, as /healthz shows it."""

    url: str
    content_version: str
    state: str  # pending, retrying, acknowledged / delivered, failed
    attempts: int = 0
    http_status: int | None = None
    error: str | None = None
    at: str = ""

    def as_dict(self) -> dict[str, Any]:
        """For /healthz: what is unknown (no HTTP status after a timeout) is left out."""
        document: dict[str, Any] = {
            "url": self.url,
            "contentVersion": self.content_version,
            "state": self.state,
            "attempts": self.attempts,
            "at": self.at,
        }
        if self.http_status is not None:
            document["httpStatus"] = self.http_status
        if self.error is not None:
            document["error"] = self.error
        return document
