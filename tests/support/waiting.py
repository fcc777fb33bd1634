"""Waiting for something to become true, for the tests that watch a change happen."""

from __future__ import annotations

import time

import pytest


def wait_for(predicate, timeout: float = 3.0) -> float:
    """Seconds until ``predicate()`` holds; fails the test after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.02)
    pytest.fail(f"not true within {timeout}s")
