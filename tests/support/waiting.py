"""Waiting for something to become true, for the tests that watch a change happen."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest


def wait_until(condition: Callable[[], object], timeout: float, step: float = 0.02) -> float | None:
    """Seconds until ``condition()`` held, or None if it did not within ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    return None


def wait_for(predicate: Callable[[], object], timeout: float = 3.0) -> float:
    """Seconds until ``predicate()`` holds; fails the test after ``timeout``."""
    waited = wait_until(predicate, timeout)
    if waited is None:
        pytest.fail(f"not true within {timeout}s")
    return waited
