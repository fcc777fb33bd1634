"""Where search indexes are kept on disk, and who may remove them.

One folder per content root, beside the parse cache (``search-<hash of the root>``):

- ``index-<id>/``: one prepared index each (tantivy's files, the manifest, ``.lock``).
  Every build gets a fresh directory, so two servers started at once on one cache
  folder (a rolling restart) never write to one directory; once complete, a directory
  never changes again.
- ``current``: the name of the newest complete index, replaced atomically (a temporary
  file renamed over it): where the next start begins.
- ``private-<id>/``: a worker's own copy of an index, made on its first live edit: hard
  links to the published files (tantivy never changes a file it has written, so the
  copy shares their disk blocks and page cache) plus the segments the worker writes.

A process using a directory holds a shared ``flock`` on its ``.lock`` file for as long
as it may read it (the server's parent holds it for the index its workers open, so a
worker that is forked late still finds it). Cleaning takes the lock exclusively, without
waiting, before it renames a directory to ``trash-<id>`` and deletes it: a directory in
use is never removed, and one being removed is never taken up (it is no longer under
its name).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import logging
import os
import re
import secrets
import shutil
import time
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)

LOCK = ".lock"
POINTER = "current"
INDEX, PRIVATE, PENDING, TRASH = "index-", "private-", "tmp-", "trash-"
ABANDONED_SECONDS = 3600  # a temporary file or folder this old belongs to no live process
_NAME = re.compile(r"index-[0-9a-f]+-[0-9]+-[0-9a-f]+")
# tantivy's own files: its metadata, and segment files named by the segment's id.
_TANTIVY_FILE = re.compile(r"meta\.json|\.managed\.json|[0-9a-f]{32}\.[0-9a-z.]+")


def is_index_file(name: str) -> bool:
    """Whether ``name`` is one of tantivy's file names (a plain name, never a path)."""
    return _TANTIVY_FILE.fullmatch(name) is not None


def index_files(directory: Path) -> list[str]:
    """The names of tantivy's files in ``directory`` (not its lock files, not ours)."""
    return sorted(
        entry.name
        for entry in os.scandir(directory)
        if _TANTIVY_FILE.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)
    )


class Held:
    """A directory this process holds a shared lock on: nobody removes it meanwhile."""

    def __init__(self, path: Path, descriptor: int) -> None:
        self.path = path
        self._finalizer = weakref.finalize(self, _close, descriptor)

    def release(self) -> None:
        self._finalizer()


def _close(descriptor: int) -> None:
    with contextlib.suppress(OSError):
        os.close(descriptor)


class IndexStore:
    """The search index directories of one content root (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def beside_parse_cache(cls, cache_dir: Path, root: Path) -> IndexStore:
        """The store for ``root`` in the parse cache folder, named like its parse cache."""
        root_key = hashlib.blake2b(str(root.resolve()).encode(), digest_size=12).hexdigest()
        return cls(cache_dir / f"search-{root_key}")

    # Directories of our own

    def reserve(self) -> Held:
        """A new, empty index directory, held: where one build writes."""
        return self._new_directory(INDEX)

    def private_directory(self, source: Path) -> Held:
        """A new directory of this process's own holding a copy of the index in ``source``."""
        held = self._new_directory(PRIVATE)
        try:
            link_index_files(source, held.path)
        except BaseException:
            held.release()
            raise
        return held

    def _new_directory(self, kind: str) -> Held:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = _new_id()
        pending = self.folder / f"{PENDING}{name}"
        pending.mkdir()
        descriptor = os.open(pending / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        path = self.folder / f"{kind}{name}"
        os.rename(pending, path)  # it appears under its name already held
        return Held(path, descriptor)

    # The newest complete index

    def take_published(self) -> Held | None:
        """The newest complete index, held; ``None`` when there is none to take."""
        try:
            name = (self.folder / POINTER).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not _NAME.fullmatch(name):  # never trust a file: no path may come from it
            return None
        path = self.folder / name
        try:
            descriptor = os.open(path / LOCK, os.O_RDWR)
        except OSError:
            return None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:  # being removed
            os.close(descriptor)
            return None
        if not path.is_dir():  # renamed away before the lock was ours
            os.close(descriptor)
            return None
        return Held(path, descriptor)

    def publish(self, directory: Path) -> None:
        """Make ``directory`` (complete) the one the next start begins with."""
        temporary = self.folder / f".{POINTER}.{_new_id()}"
        temporary.write_text(directory.name + "\n", encoding="ascii")
        os.replace(temporary, self.folder / POINTER)

    # Cleaning

    def clean(self) -> list[str]:
        """Remove every directory that no process holds, but the published one; the names."""
        try:
            current = (self.folder / POINTER).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            current = ""
        removed = []
        for entry in self._entries():
            name = entry.name
            if name.startswith(TRASH) or (
                name.startswith((PENDING, f".{POINTER}.")) and _abandoned(entry)
            ):
                _remove(entry)
                removed.append(name)
            elif name.startswith((INDEX, PRIVATE)) and name != current and _take_to_remove(entry):
                removed.append(name)
        return removed

    def _entries(self) -> Iterator[os.DirEntry[str]]:
        try:
            with os.scandir(self.folder) as entries:
                yield from list(entries)
        except OSError:
            return


def _take_to_remove(entry: os.DirEntry[str]) -> bool:
    """Remove the directory if no process holds it: lock it, rename it away, delete it."""
    path = Path(entry.path)
    try:
        descriptor = os.open(path / LOCK, os.O_RDWR)
    except FileNotFoundError:  # never complete, or left half removed: nobody can hold it
        _remove(path)
        return True
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(descriptor)
        return False  # in use
    try:
        trash = path.with_name(f"{TRASH}{_new_id()}")
        os.rename(path, trash)
        _remove(trash)
    except OSError:
        return False
    finally:
        os.close(descriptor)
    return True


def link_index_files(source: Path, target: Path, names: Iterable[str] | None = None) -> None:
    """Copy the index in ``source`` (its files, or ``names``) into ``target`` as hard links
    (a copy where links fail): they share disk blocks and page cache."""
    for name in index_files(source) if names is None else names:
        try:
            os.link(source / name, target / name)
        except OSError as error:
            if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
            shutil.copyfile(source / name, target / name)


def _remove(path: Path | os.DirEntry[str]) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _abandoned(entry: os.DirEntry[str]) -> bool:
    try:
        return time.time() - entry.stat(follow_symlinks=False).st_mtime > ABANDONED_SECONDS
    except OSError:
        return False


def _new_id() -> str:
    return f"{time.time_ns():x}-{os.getpid()}-{secrets.token_hex(4)}"
