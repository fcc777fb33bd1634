"""Writes per second per token, across every worker of the replica: a token bucket per
token, kept in a small file (under ``flock``) in a folder the workers share."""

from __future__ import annotations

import fcntl
import math
import os
import struct
import time
from pathlib import Path

_STATE = struct.Struct("<dd")  # tokens left, when counted (time.time)


class RateLimit:
    def __init__(self, directory: Path, rate: float) -> None:
        self.directory = directory
        self.rate = rate
        self.burst = max(1.0, rate)

    def take(self, token_digest: str) -> float:
        """Spend one write of this token: 0 if it may write now, else the seconds until it
        may (``Retry-After``)."""
        path = self.directory / f"rate-{token_digest[:32]}"
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            raw = os.pread(descriptor, _STATE.size, 0)
            now = time.time()
            tokens, counted = _STATE.unpack(raw) if len(raw) == _STATE.size else (self.burst, now)
            tokens = min(self.burst, tokens + max(0.0, now - counted) * self.rate)
            if tokens < 1.0:
                return (1.0 - tokens) / self.rate
            os.pwrite(descriptor, _STATE.pack(tokens - 1.0, now), 0)
            return 0.0
        finally:
            os.close(descriptor)


def retry_after(seconds: float) -> str:
    """A ``Retry-After`` value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
