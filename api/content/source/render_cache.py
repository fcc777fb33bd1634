"""Rendered bodies kept across restarts, beside the parse cache: rendering is most of what a
page costs (a few ms of Python-Markdown and nh3 per post), and a body seldom changes.

What is kept is opaque here: the model's rendering (``api.content.model.rendering``) encodes
each body's HTML, table of contents and word count, and names the renderer's version (the
Markdown extensions and their configuration, the sanitizer's settings, the libraries'
versions and our rendering code). Entries are keyed by the body's bytes (``body_key``); the
version is in the file's name, so a renderer that changes starts from an empty file and
renders everything again.

One append-only file per content folder and renderer version
(``renders-<folder>-<version>.log``, in ``PARSE_CACHE_DIR``). Each entry is one frame, a
header (a magic, the key, the length, a checksum) and the payload, appended with one
``write`` on a descriptor opened with ``O_APPEND``: the workers of one server and the
export's processes append at once without mixing their frames. Each process reads entries
by offset (``pread``), from an index of the headers it builds on first use; each entry is
checked against its checksum when read, so a corrupt or truncated entry is ignored (and the
body rendered again), never served. A damaged header is skipped by looking for the next
magic. The parse cache's full save rewrites the file keeping only the live entries when it
has outgrown them, and removes the files of other renderer versions.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import struct
import tempfile
import threading
from collections.abc import Callable, Collection
from pathlib import Path

log = logging.getLogger(__name__)

MAGIC = b"\xd3rndr1\r\n"
_HEADER = struct.Struct("<8s20sI16s")  # magic, key, payload length, checksum
KEY_BYTES = 20
# The file is rewritten (live entries only) past this many bytes per byte of live bodies: an
# entry is about as large as its Markdown, so 3x means most of it belongs to old versions.
COMPACT_RATIO = 3
COMPACT_FLOOR = 4 << 20


def body_key(body: str) -> bytes:
    """What a rendered body depends on, besides the renderer: the body's bytes."""
    return hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=KEY_BYTES).digest()


def _checksum(key: bytes, payload: bytes) -> bytes:
    digest = hashlib.blake2b(key, digest_size=16)
    digest.update(payload)
    return digest.digest()


def frame(key: bytes, payload: bytes) -> bytes:
    """One entry as it is written: header, then payload."""
    return _HEADER.pack(MAGIC, key, len(payload), _checksum(key, payload)) + payload


class RenderCache:
    """The rendered bodies of one content folder for one renderer version, in a file in
    ``directory``; ``version`` is called on first use (it reads our rendering code)."""

    def __init__(self, directory: Path, root_key: str, version: Callable[[], str]) -> None:
        self.directory = directory
        self.root_key = root_key
        self._version_of = version
        self._path: Path | None = None
        self._lock = threading.Lock()
        self._pid = -1  # the process whose descriptor and index these are (workers fork)
        self._descriptor = -1
        self._index: dict[bytes, tuple[int, int]] | None = None  # key -> (offset, length)
        self.damaged = False  # a header that did not read was seen: compact at the next save
        self.hits = 0
        self.misses = 0
        self.stored = 0

    @property
    def path(self) -> Path:
        if self._path is None:
            version = self._version_of()
            self._path = self.directory / f"renders-{self.root_key}-{version}.log"
        return self._path

    def get(self, key: bytes) -> bytes | None:
        """The payload kept for ``key``, or ``None`` (none kept, or the entry is corrupt)."""
        with self._lock:
            if not self._ready():
                self.misses += 1
                return None
            assert self._index is not None
            found = self._index.get(key)
            if found is None:
                self.misses += 1
                return None
            offset, length = found
            try:
                data = os.pread(self._descriptor, _HEADER.size + length, offset)
            except OSError:
                data = b""
            payload = _verified(key, data, length)
            if payload is None:
                del self._index[key]  # rendered again, and appended again
                self.damaged = True
                self.misses += 1
                return None
            self.hits += 1
            return payload

    def put(self, key: bytes, payload: bytes) -> None:
        """Keep ``payload`` for ``key``: one appended frame (nothing when it cannot be written:
        the cache is an optimisation; the parse cache reports an unwritable folder)."""
        data = frame(key, payload)
        with self._lock:
            if not self._ready(create=True):
                return
            assert self._index is not None
            try:
                written = os.write(self._descriptor, data)
                end = os.lseek(self._descriptor, 0, os.SEEK_CUR)
            except OSError:
                return
            if written == len(data):
                self._index[key] = (end - len(data), len(payload))
                self.stored += 1

    def _ready(self, *, create: bool = False) -> bool:
        """Open the file and index it, once per process (a forked worker opens its own
        descriptor: ``O_APPEND`` offsets are per open file, and this one reads them)."""
        if self._pid == os.getpid() and self._descriptor >= 0:
            return True
        if self._pid != os.getpid():
            self._descriptor, self._index, self._pid = -1, None, os.getpid()
        flags = os.O_RDWR | os.O_APPEND | (os.O_CREAT if create else 0)
        try:
            if create:
                self.directory.mkdir(parents=True, exist_ok=True)
            self._descriptor = os.open(self.path, flags, 0o644)
        except OSError:
            self._index = {}
            return False
        self._index = self._read_index()
        return True

    def _read_index(self) -> dict[bytes, tuple[int, int]]:
        """Every entry's place, from the headers alone (payloads are checked when read); the
        file is mapped, not copied, so a worker's first lookup costs no memory of its own."""
        index: dict[bytes, tuple[int, int]] = {}
        try:
            size = os.fstat(self._descriptor).st_size
            if not size:
                return index
            data = mmap.mmap(self._descriptor, size, prot=mmap.PROT_READ)
        except (OSError, ValueError):
            return index
        with data:
            position = 0
            while position + _HEADER.size <= size:
                magic, key, length, _ = _HEADER.unpack_from(data, position)
                if magic != MAGIC or position + _HEADER.size + length > size:
                    self.damaged = True  # a torn or corrupt frame: look for the next one
                    position = data.find(MAGIC, position + 1)
                    if position < 0:
                        break
                    continue
                index[key] = (position, length)  # a later entry for a key wins
                position += _HEADER.size + length
            if 0 <= position < size and position + _HEADER.size > size:
                self.damaged = True  # a torn header at the end
        return index

    def compact(self, live: Callable[[], Collection[bytes]], live_bytes: int) -> None:
        """Rewrite the file with the entries of ``live`` keys only, when it has outgrown them
        (more than ``COMPACT_RATIO`` times ``live_bytes``) or a damaged frame was seen; remove
        the files of other renderer versions."""
        for other in self.directory.glob(f"renders-{self.root_key}-*.log"):
            if other.name != self.path.name:
                other.unlink(missing_ok=True)
        try:
            size = self.path.stat().st_size
        except OSError:
            return
        if not self.damaged and size <= max(COMPACT_FLOOR, COMPACT_RATIO * live_bytes):
            return
        keys = set(live())
        with self._lock:
            if not self._ready():
                return
            assert self._index is not None
            kept = []
            for key in keys & self._index.keys():
                offset, length = self._index[key]
                try:
                    payload = _verified(
                        key, os.pread(self._descriptor, _HEADER.size + length, offset), length
                    )
                except OSError:
                    payload = None
                if payload is not None:
                    kept.append(frame(key, payload))
            try:
                handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".renders-")
                try:
                    with os.fdopen(handle, "wb") as out:
                        out.writelines(kept)
                    os.replace(temporary, self.path)
                except BaseException:
                    Path(temporary).unlink(missing_ok=True)
                    raise
            except OSError as error:
                log.warning("cannot rewrite the render cache %s: %s", self.path, error)
                return
            os.close(self._descriptor)
            self._descriptor, self._index, self.damaged = -1, None, False
        log.debug("render cache %s rewritten: %d live entries", self.path, len(kept))


def _verified(key: bytes, data: bytes, length: int) -> bytes | None:
    """The payload of a frame read at its offset, if the frame is whole and its checksum holds."""
    if len(data) != _HEADER.size + length:
        return None
    magic, found_key, found_length, checksum = _HEADER.unpack_from(data, 0)
    payload = data[_HEADER.size :]
    if magic != MAGIC or found_key != key or found_length != length:
        return None
    if _checksum(key, payload) != checksum:
        return None
    return payload
