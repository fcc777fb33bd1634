"""A write (or a read of an entry) refused: the HTTP status, a message, and what the answer
carries besides (the current entry of a 412, the problems of a 422, a ``Retry-After``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class Refusal(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})
