"""Writing answers as files: each body and its gzip bytes, in worker processes when it pays.

The answers of a large site are independent of each other, so they are split
between forked workers that share the loaded snapshot; each worker asks the app
for its answers and writes their files, and sends back only what the manifest
and the server configurations need (no bodies).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from api.export.fetch import Answer, Headers, WsgiClient
from api.export.naming import Target, extension_for

PARALLEL_MIN_ITEMS = 400  # below this, starting workers costs more than it saves
ITEMS_PER_TASK = 32


@dataclass(frozen=True, slots=True)
class Written:
    """One exported answer: where its file is and what the live server sends with it."""

    producer: int  # index in the producer table
    target: Target
    file: str  # relative to the export's root
    media_type: str
    etag: str
    size: int
    gzip_size: int | None
    headers: Headers  # of the 200 answer
    gzip_headers: Headers | None
    not_modified_headers: Headers
    paginated: bool

    def same_answer_for(self, target: Target, producer: int) -> Written:
        """This answer recorded again for another target that answers the same bytes."""
        return replace(self, target=target, producer=producer)


@dataclass(frozen=True, slots=True)
class Item:
    producer: int
    target: Target


class AnswerWriter:
    """Asks the app for targets and writes their files under ``root``."""

    def __init__(self, client: WsgiClient, root: Path) -> None:
        self.client = client
        self.root = root
        self._folders: set[str] = set()

    def export(self, item: Item) -> list[Written]:
        """The item's answer and, when it is paginated, the answers of its other pages."""
        first = self.client.answer(item.target)
        written = [self._write(item.producer, first)]
        for page in range(2, first.last_page + 1):
            answer = self.client.answer(item.target.with_page(page))
            written.append(self._write(item.producer, answer))
        return written

    def _write(self, producer: int, answer: Answer) -> Written:
        relative = answer.target.file(extension_for(answer.media_type))
        folder, _, _ = relative.rpartition("/")
        if folder not in self._folders:
            os.makedirs(self.root / folder, exist_ok=True)
            self._folders.add(folder)
        path = os.path.join(self.root, relative)
        _write_bytes(path, answer.plain.body)
        gzip_size = None
        if answer.gzip is not None:
            _write_bytes(path + ".gz", answer.gzip.body)
            gzip_size = len(answer.gzip.body)
        return Written(
            producer=producer,
            target=answer.target,
            file=relative,
            media_type=answer.media_type,
            etag=answer.etag,
            size=len(answer.plain.body),
            gzip_size=gzip_size,
            headers=answer.plain.headers,
            gzip_headers=answer.gzip.headers if answer.gzip is not None else None,
            not_modified_headers=answer.not_modified.headers,
            paginated=answer.paginated,
        )


def _write_bytes(path: str, data: bytes) -> None:
    with open(path, "wb") as file:
        file.write(data)


def write_all(writer: AnswerWriter, items: Sequence[Item], workers: int) -> list[Written]:
    """Export every item, in ``workers`` forked processes when there are enough of them."""
    if workers <= 1 or len(items) < PARALLEL_MIN_ITEMS:
        return [written for item in items for written in writer.export(item)]
    global _shared
    _shared = (writer, items)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            chunks = pool.imap_unordered(_export_range, _ranges(len(items), ITEMS_PER_TASK))
            return [written for chunk in chunks for written in chunk]
    finally:
        _shared = None


_shared: tuple[AnswerWriter, Sequence[Item]] | None = None


def _export_range(bounds: tuple[int, int]) -> list[Written]:
    """In a worker: export items[start:stop] (the items were inherited through fork)."""
    assert _shared is not None
    writer, items = _shared
    start, stop = bounds
    return [written for item in items[start:stop] for written in writer.export(item)]


def _ranges(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(start + size, total)
