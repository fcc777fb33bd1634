"""File I/O only: find the content files under the root and read their bytes.

Nothing outside the root is ever read: the walk does not follow symlinked
directories, and a symlinked file is read only when its target lies inside the
root (one that leads outside is reported and skipped).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from api.content.source.paths import PAGES_DIR, TEAM_DIR
from api.content.source.problems import ContentProblem, Severity

SITE_FILES = ("data/config.json", "data/style.json", "data/locales.json")
# A site file's translation: data/config.de.json, data/style.pt-BR.json (see locales.py).
_SITE_TRANSLATION = re.compile(r"data/(?:config|style)\.[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\.json")


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # relative to the root, POSIX separators
    data: bytes
    signature: bytes = b""  # the file's stat signature when it was read (see ``signature_of``)
    racy: bool = False  # written so recently that a later write could keep the same signature
    target: str | None = None  # a symlink's: the file it leads to, relative to the root


SIGNATURE = struct.Struct("<QQqq")  # inode, size, modification and change times (ns)
# File times tick coarsely (a few ms): a file read within this long of its last write may be
# written again without its signature changing, so it is read again at the next stat pass
# (git calls these entries "racily clean").
RACY_NS = 100_000_000
MAX_READ_ATTEMPTS = 3  # a file that keeps changing while it is read is reported, not guessed


def signature_of(status: os.stat_result) -> bytes:
    """Inode, size, modification and change times: what changes when a file is written."""
    return SIGNATURE.pack(status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def is_content_path(relative: str) -> bool:
    """Whether a path (relative, POSIX) names a content file, by the walk's own rules."""
    if relative in SITE_FILES or _SITE_TRANSLATION.fullmatch(relative):
        return True
    if any(not part or part.startswith(".") for part in relative.split("/")):
        return False
    return (relative.startswith(f"{PAGES_DIR}/") and relative.endswith(".md")) or (
        relative.startswith(f"{TEAM_DIR}/") and relative.endswith(".json")
    )


def is_content_folder(relative: str) -> bool:
    """Whether a folder (relative, POSIX) can hold content files: it is walked, or on the way."""
    if any(not part or part.startswith(".") for part in relative.split("/")):
        return False
    return any(
        relative == top or relative.startswith(f"{top}/") or top.startswith(f"{relative}/")
        for top in (PAGES_DIR, TEAM_DIR)
    )


@dataclass(slots=True)
class ReadResult:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[ContentProblem] = field(default_factory=list)


def content_paths(root: Path, result: ReadResult | None = None) -> list[str]:
    """The content files under ``root`` (relative, sorted), without reading them."""
    result = result if result is not None else ReadResult()
    root = root.resolve()
    candidates = [
        *_walk(root, PAGES_DIR, ".md", result),
        *_walk(root, TEAM_DIR, ".json", result),
        *(
            path
            for path in _site_files(root)
            if os.path.lexists(root / path) and not has_symlinked_folder(root, path)
        ),
    ]
    return sorted(candidates)


def _site_files(root: Path) -> list[str]:
    """The site files, and the translations of the configuration and style in ``data/``."""
    try:
        names = os.listdir(root / "data")
    except OSError:
        names = []
    found = [f"data/{name}" for name in names if _SITE_TRANSLATION.fullmatch(f"data/{name}")]
    return [*SITE_FILES, *sorted(found)]


def walk_folder(root: Path, relative: str, result: ReadResult) -> list[str]:
    """The content files under one folder of the root (for a folder created, moved or removed)."""
    root = root.resolve()
    if not is_content_folder(relative):
        return []
    found: list[str] = []
    for top, suffix in ((PAGES_DIR, ".md"), (TEAM_DIR, ".json")):
        if relative == top or relative.startswith(f"{top}/"):
            found.extend(_walk(root, relative, suffix, result))
        elif top.startswith(f"{relative}/"):
            found.extend(_walk(root, top, suffix, result))
    found.extend(  # the site files, as ``content_paths`` finds them
        path
        for path in _site_files(root)
        if path.startswith(f"{relative}/")
        and os.path.lexists(root / path)
        and not has_symlinked_folder(root, path)
    )
    return sorted(found)


def has_symlinked_folder(root: Path, relative: str, *, resolved: bool = False) -> bool:
    """Whether a folder on the way from the root to ``relative`` is a symlink (never followed)."""
    parts = relative.split("/")[:-1]
    here = str(root if resolved else root.resolve())
    for part in parts:
        here = os.path.join(here, part)
        if os.path.islink(here):
            return True
    return False


def _walk(root: Path, subdir: str, suffix: str, result: ReadResult) -> Iterator[str]:
    top = root / subdir
    if has_symlinked_folder(root, f"{subdir}/-") or os.path.islink(top):
        if os.path.islink(top):
            result.problems.append(_symlinked_folder(subdir))
        return
    if not top.is_dir():
        return
    for directory, dirnames, filenames in os.walk(top, followlinks=False):
        relative_dir = Path(directory).relative_to(root).as_posix()
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            if os.path.islink(os.path.join(directory, name)):
                result.problems.append(_symlinked_folder(f"{relative_dir}/{name}"))
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            if name.endswith(suffix) and not name.startswith("."):
                yield f"{relative_dir}/{name}"


def _symlinked_folder(relative: str) -> ContentProblem:
    return ContentProblem(
        relative,
        1,
        Severity.WARNING,
        "symlinked directory is not followed; its files are not served",
    )


def read_file(
    root: Path, relative: str, max_file_bytes: int, result: ReadResult, *, resolved: bool = False
) -> SourceFile | None:
    """Read one content file as it is now: ``None`` (and a problem in ``result`` where one
    applies) when it is missing, unreadable, too large or a symlink leading outside.

    A file that changes while it is read (its signature differs before and after) is
    read again, so what is kept is one whole version of the file. ``resolved``: the
    caller has resolved ``root`` already (a pass over thousands of files does it once).
    """
    root = root if resolved else root.resolve()
    for _ in range(MAX_READ_ATTEMPTS):
        source = _read_one(root, relative, max_file_bytes, result)
        if source is None:
            return None
        try:
            after = signature_of(os.stat(os.path.join(root, relative)))
        except OSError:
            return None  # gone since: the event of its removal follows
        if after == source.signature:
            return source
    result.problems.append(
        ContentProblem(relative, 1, Severity.ERROR, "file keeps changing while it is read")
    )
    return None


def _read_one(
    root: Path, relative: str, max_file_bytes: int, result: ReadResult
) -> SourceFile | None:
    """Read one file, refusing a symlink that leads outside the root.

    Plain ``os`` calls on strings: this runs once per file per load. ``O_NOFOLLOW``
    makes the common case (not a link) one ``open`` with no ``lstat`` before it.
    """
    path = os.path.join(root, relative)
    target = None
    try:
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as error:
            if error.errno != errno.ELOOP:  # ELOOP: a symlink
                raise
            resolved = Path(path).resolve()
            if not resolved.is_relative_to(root):
                result.problems.append(
                    ContentProblem(
                        relative,
                        1,
                        Severity.ERROR,
                        "symlink leads outside the content folder; ignored",
                    )
                )
                return None
            if not resolved.exists():
                result.problems.append(
                    ContentProblem(
                        relative,
                        1,
                        Severity.WARNING,
                        f"symlink leads to a missing file ({os.readlink(path)}); ignored",
                    )
                )
                return None
            target = resolved.relative_to(root).as_posix()
            descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            status = os.fstat(descriptor)
            if stat.S_ISDIR(status.st_mode):
                return None  # a folder now: the walk lists what it holds, never the folder
            if not stat.S_ISREG(status.st_mode):  # a named pipe would block the reload for ever
                result.problems.append(
                    ContentProblem(relative, 1, Severity.ERROR, "not a regular file; ignored")
                )
                return None
            data = _read_bounded(descriptor, max_file_bytes)
        finally:
            os.close(descriptor)
    except FileNotFoundError:
        return None  # removed between the walk (or the event) and now
    except OSError as error:
        result.problems.append(
            ContentProblem(relative, 1, Severity.ERROR, f"cannot read file: {error.strerror}")
        )
        return None
    if len(data) > max_file_bytes:
        result.problems.append(
            ContentProblem(
                relative,
                1,
                Severity.ERROR,
                f"file is larger than the {max_file_bytes}-byte limit (MAX_FILE_BYTES)",
            )
        )
        return None
    racy = status.st_mtime_ns >= time.time_ns() - RACY_NS
    return SourceFile(relative, data, signature_of(status), racy, target)


def _read_bounded(descriptor: int, max_file_bytes: int) -> bytes:
    """At most ``max_file_bytes + 1`` bytes (one more tells the file is too large).

    It asks for what the file holds, not for the limit: a buffer of the limit's
    size would be a memory mapping per file, and a large site would run out of them.
    """
    size = min(os.fstat(descriptor).st_size, max_file_bytes)
    data = os.read(descriptor, size + 1)
    while size < len(data) <= max_file_bytes:  # the file grew since the fstat: read on
        more = os.read(descriptor, max_file_bytes + 1 - len(data))
        if not more:
            break
        data += more
    return data
