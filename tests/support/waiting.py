"""Time in the tests. A test waits for the event itself wherever it can (a reload done, a line
in a log, a request arrived); what is left is written as seconds on a quiet machine and scaled
here, so that a busy machine (CI, two suites at once, other people's work) makes the suite
slower, never red:

- ``deadline(seconds)``: how long to wait for something that is going to happen before calling
  it lost. Times ``TEST_TIME_FACTOR`` (default 5; never below 1). A wait that proves something
  does *not* happen is no deadline: it is written as it is, and never shortened.
- ``within(seconds)``: a claim of speed ("visible within 1 s"). Held to the letter on a quiet
  machine, and relaxed in proportion to the machine's load when it is checked (the one-minute
  load average per core, when above 1), or by ``TEST_TIME_FACTOR`` when that is set.

``wait_until`` and ``wait_for`` poll a condition and give up after ``deadline(timeout)``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest

DEFAULT_TIME_FACTOR = 5.0


def time_factor() -> float:
    """``TEST_TIME_FACTOR``, or the default; at least 1, so a wait is only ever lengthened."""
    value = os.environ.get("TEST_TIME_FACTOR", "").strip()
    return max(1.0, float(value)) if value else DEFAULT_TIME_FACTOR


def deadline(seconds: float) -> float:
    """``seconds`` (enough on a quiet machine) scaled for this one: how long to wait before
    calling lost something that is going to happen."""
    return seconds * time_factor()


def load_factor() -> float:
    """How many times slower than a quiet machine this one is now: ``TEST_TIME_FACTOR`` when
    set, else the one-minute load average per core (at least 1)."""
    if os.environ.get("TEST_TIME_FACTOR", "").strip():
        return time_factor()
    return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


def within(seconds: float) -> float:
    """A claim of speed of ``seconds``, as it can be held on this machine now."""
    return seconds * load_factor()


def wait_until(condition: Callable[[], object], timeout: float, step: float = 0.02) -> float | None:
    """Seconds until ``condition()`` held, or None if it did not within ``deadline(timeout)``."""
    started = time.monotonic()
    give_up_after = deadline(timeout)
    while time.monotonic() - started < give_up_after:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    return None


def wait_for(predicate: Callable[[], object], timeout: float = 3.0) -> float:
    """Seconds until ``predicate()`` holds; fails the test after ``deadline(timeout)``."""
    waited = wait_until(predicate, timeout)
    if waited is None:
        pytest.fail(f"not true within {deadline(timeout):g}s ({timeout:g}s on a quiet machine)")
    return waited
