"""Writing answers as files: each body and its gzip bytes, in worker processes when it pays.

The answers of a large site are independent of each other, so they are split
between forked workers that share the loaded snapshot; each worker asks the app
for its answers and writes their files, and sends back only what the manifest
and the server configurations need (no bodies). An answer the previous export
already holds, unchanged (``Reuse``: see ``previous``), is linked from it instead.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from api.export.fetch import Answer, Headers, WsgiClient, last_page
from api.export.naming import Target, extension_for

CACHE_STATUS = "x-response-cache"  # HIT or MISS: true of one request, not of the answer
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
    keys: tuple[str, ...] | None = None  # the content keys it was built from (None: unknown)
    kept: bool = field(default=False, compare=False)  # linked from the previous export

    def same_answer_for(self, target: Target, producer: int) -> Written:
        """This answer recorded again for another target that answers the same bytes."""
        return replace(self, target=target, producer=producer)


@dataclass(frozen=True, slots=True)
class Item:
    producer: int
    target: Target


class Reuse(Protocol):
    """The previous export's answers that are still the answers (``previous.Previous``)."""

    root: Path

    def reusable(self, target: Target) -> Written | None: ...


class AnswerWriter:
    """Asks the app for targets and writes their files under ``root`` (or links them from the
    previous export, with ``reuse``); ``tag_header`` names an answer's content keys."""

    def __init__(
        self,
        client: WsgiClient,
        root: Path,
        *,
        tag_header: str = "Cache-Tag",
        reuse: Reuse | None = None,
    ) -> None:
        self.client = client
        self.root = root
        self.tag_header = tag_header
        self.reuse = reuse
        self._folders: set[str] = set()

    def export(self, item: Item) -> list[Written]:
        """The item's answer and, when it is paginated, the answers of its other pages."""
        first = self._answer(item.producer, item.target)
        written = [first]
        for page in range(2, last_page(first.headers) + 1):
            written.append(self._answer(item.producer, item.target.with_page(page)))
        return written

    def _answer(self, producer: int, target: Target) -> Written:
        """The answer to ``target``: the previous export's if it is still the answer."""
        if self.reuse is not None:
            kept = self.reuse.reusable(target)
            if kept is not None and self._link(kept):
                return replace(kept, producer=producer, kept=True)
        return self._write(producer, self.client.answer(target))

    def _link(self, kept: Written) -> bool:
        """Link the files of a kept answer from the previous export (copied where a link
        cannot be made); False if they are gone."""
        assert self.reuse is not None
        self._folder(kept.file)
        names = [kept.file] if kept.gzip_size is None else [kept.file, kept.file + ".gz"]
        made: list[Path] = []
        for name in names:
            source, destination = self.reuse.root / name, self.root / name
            try:
                os.link(source, destination)
            except FileNotFoundError:
                break
            except OSError:  # another file system, or no hard links there
                try:
                    shutil.copyfile(source, destination)
                except FileNotFoundError:
                    break
            made.append(destination)
        else:
            return True
        for destination in made:  # a half-kept answer is written whole; never through a link
            destination.unlink()
        return False

    def _folder(self, relative: str) -> None:
        folder, _, _ = relative.rpartition("/")
        if folder not in self._folders:
            os.makedirs(self.root / folder, exist_ok=True)
            self._folders.add(folder)

    def _write(self, producer: int, answer: Answer) -> Written:
        relative = answer.target.file(extension_for(answer.media_type))
        self._folder(relative)
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
            headers=_lasting(answer.plain.headers),
            gzip_headers=_lasting(answer.gzip.headers) if answer.gzip is not None else None,
            not_modified_headers=_lasting(answer.not_modified.headers),
            paginated=answer.paginated,
            keys=_keys(answer.plain.header(self.tag_header)),
        )


def _lasting(headers: Headers) -> Headers:
    """The headers without the one saying whether the app had the answer cached just now."""
    return tuple((name, value) for name, value in headers if name.lower() != CACHE_STATUS)


def _keys(header: str | None) -> tuple[str, ...] | None:
    """The content keys a ``Cache-Tag`` value names (None: the answer names none)."""
    if not header:
        return None
    return tuple(key.strip() for key in header.split(",") if key.strip())


def _write_bytes(path: str, data: bytes) -> None:
    """Write a new file at ``path``: a name linked from the previous export is unlinked
    first, so that the file OUT serves until the swap is never written through."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
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
