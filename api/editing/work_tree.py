"""The content folder as a write touches it: which paths may be written, and reading, writing
and deleting them without ever leaving the folder.

Only ``.md`` files under ``pages/`` and ``.json`` files under ``data/`` can be written; a
path is refused if it has ``..``, ``.`` or an empty segment, a hidden name, a backslash or a
control character. Every folder on the way is opened relative to the one before it with
``O_NOFOLLOW`` (``openat``), and so is the file: a symlink anywhere below the content
folder is refused, even one swapped in while the write runs. A file is written whole or not
at all: into a temporary file beside it, flushed to disk, then renamed over it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from api.editing.refusal import Refusal

MAX_PATH_LENGTH = 512
WRITABLE = "only .md files under pages/ and .json files under data/ can be written"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


class PathRefused(Refusal):
    """A path that may not be written (or read as an entry): 400, or 403."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(status, message)


def check_path(path: str) -> str:
    """``path`` if it names a writable file of the content folder, else ``PathRefused``."""
    if not path or len(path) > MAX_PATH_LENGTH or _UNSAFE.search(path):
        raise PathRefused("not a content path", 400)
    if unicodedata.normalize("NFC", path) != path:
        raise PathRefused("not a content path: write it in Unicode normal form C", 400)
    parts = path.split("/")
    if path.startswith("/") or any(part in ("", ".", "..") for part in parts):
        raise PathRefused("not a content path: a relative path, without '.' or '..'", 400)
    if any(part.startswith(".") for part in parts):
        raise PathRefused(f"hidden files are not content; {WRITABLE}")
    writable = (parts[0] == "pages" and path.endswith(".md") and len(parts) > 1) or (
        parts[0] == "data" and path.endswith(".json") and len(parts) > 1
    )
    if not writable:
        raise PathRefused(WRITABLE)
    return path


def temporary_name(name: str) -> str:
    """The temporary file a write of ``name`` goes through (hidden: never content)."""
    return f".{name}.content-api-write.tmp"


class WorkTree:
    """Files of the content folder, reached without following a symlink."""

    def __init__(self, root: Path, max_file_bytes: int) -> None:
        self.root = root.resolve()
        self.max_file_bytes = max_file_bytes

    @contextlib.contextmanager
    def _folder(self, path: str, create: bool = False) -> Iterator[int]:
        """The folder holding ``path``, opened; ``FileNotFoundError`` if it is not there."""
        descriptor = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for part in path.split("/")[:-1]:
                try:
                    inner = os.open(
                        part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=descriptor
                    )
                except FileNotFoundError:
                    if not create:
                        raise
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o755, dir_fd=descriptor)
                    inner = os.open(
                        part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=descriptor
                    )
                except OSError as error:
                    if error.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise PathRefused(
                            f"{part}: a symlink or a file, not a folder; never followed"
                        ) from None
                    raise
                os.close(descriptor)
                descriptor = inner
            yield descriptor
        finally:
            os.close(descriptor)

    def read(self, path: str) -> bytes | None:
        """The file's bytes; ``None`` if it does not exist. ``PathRefused`` for a symlink or
        anything but a regular file; ``FileTooLarge`` past ``MAX_FILE_BYTES``."""
        name = path.rsplit("/", 1)[-1]
        try:
            with self._folder(path) as folder:
                try:
                    descriptor = os.open(
                        name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder
                    )
                except OSError as error:
                    if error.errno == errno.ELOOP:
                        raise PathRefused(f"{path} is a symlink; never followed") from None
                    raise
                try:
                    status = os.fstat(descriptor)
                    if not stat.S_ISREG(status.st_mode):
                        raise PathRefused(f"{path} is not a regular file")
                    if status.st_size > self.max_file_bytes:
                        raise FileTooLarge(path)
                    return _read_all(descriptor, self.max_file_bytes)
                finally:
                    os.close(descriptor)
        except FileNotFoundError:
            return None

    def write(self, path: str, data: bytes) -> None:
        """Replace (or create) the file with ``data``, atomically; its mode kept."""
        name = path.rsplit("/", 1)[-1]
        temporary = temporary_name(name)
        with self._folder(path, create=True) as folder:
            mode = 0o644
            try:
                status = os.stat(name, dir_fd=folder, follow_symlinks=False)
                if stat.S_ISLNK(status.st_mode):
                    raise PathRefused(f"{path} is a symlink; never followed")
                mode = stat.S_IMODE(status.st_mode)
            except FileNotFoundError:
                pass
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
            descriptor = os.open(temporary, flags, mode, dir_fd=folder)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(descriptor, view) :]
                os.fchmod(descriptor, mode)
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
            os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
            os.fsync(folder)

    def delete(self, path: str) -> None:
        name = path.rsplit("/", 1)[-1]
        with contextlib.suppress(FileNotFoundError), self._folder(path) as folder:
            status = os.stat(name, dir_fd=folder, follow_symlinks=False)
            if stat.S_ISLNK(status.st_mode):
                raise PathRefused(f"{path} is a symlink; never followed")
            os.unlink(name, dir_fd=folder)
            os.fsync(folder)

    def remove_temporary(self, path: str) -> None:
        """A temporary file a crash left beside ``path``."""
        name = temporary_name(path.rsplit("/", 1)[-1])
        with contextlib.suppress(OSError), self._folder(path) as folder:
            os.unlink(name, dir_fd=folder)


class FileTooLarge(Exception):
    """A file over ``MAX_FILE_BYTES``."""


def _read_all(descriptor: int, limit: int) -> bytes:
    chunks = []
    total = 0
    while True:
        chunk = os.read(descriptor, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > limit:
            raise FileTooLarge("")
        chunks.append(chunk)
