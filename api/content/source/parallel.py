"""Parsing many files at once, in forked worker processes when there are enough to pay."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from api.content.source.parsed import ParsedFile
from api.content.source.parser import parse_source
from api.content.source.reading import SourceFile

PARALLEL_MIN_FILES = 400  # below this, starting worker processes costs more than it saves


def parse_all(sources: Sequence[SourceFile], processes: int | None = None) -> list[ParsedFile]:
    """Parse files, in parallel worker processes when there are many and it is safe to fork.

    The workers are forked with the sources already in their memory and receive
    only index ranges; only the (compact) results travel back.
    """
    global _forked_sources
    processes = processes or os.cpu_count() or 1
    if len(sources) < PARALLEL_MIN_FILES or processes < 2 or not _fork_is_safe():
        with _gc_paused():
            return [parse_source(source) for source in sources]
    step = max(16, len(sources) // (processes * 8))
    ranges = [(start, min(start + step, len(sources))) for start in range(0, len(sources), step)]
    _forked_sources = sources
    try:
        with (
            _gc_paused(),  # the results arrive as many small objects, none in cycles
            multiprocessing.get_context("fork").Pool(processes, initializer=gc.disable) as pool,
        ):
            chunks = pool.map(_parse_range, ranges)
    finally:
        _forked_sources = ()
    return [parsed for chunk in chunks for parsed in chunk]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing makes and drops many containers, none in cycles: the cyclic GC only costs."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_forked_sources: Sequence[SourceFile] = ()


def _parse_range(bounds: tuple[int, int]) -> list[ParsedFile]:
    return [parse_source(source) for source in _forked_sources[bounds[0] : bounds[1]]]


def _fork_is_safe() -> bool:
    """Forking a process that runs other threads can deadlock the child; only fork alone."""
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
