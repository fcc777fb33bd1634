"""File I/O only: find the content files under the root and read their bytes.

Nothing outside the root is ever read: the walk does not follow symlinked
directories, and a symlinked file is read only when its target lies inside the
root (one that leads outside is reported and skipped).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from api.content.models import ContentProblem, Severity
from api.content.paths import PAGES_DIR, TEAM_DIR

SITE_FILES = ("data/config.json", "data/style.json")


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: str  # relative to the root, POSIX separators
    data: bytes


@dataclass(slots=True)
class ReadResult:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[ContentProblem] = field(default_factory=list)


def read_content(root: Path, max_file_bytes: int) -> ReadResult:
    """Read every page (``pages/**/*.md``), person (``data/team/**/*.json``) and site file."""
    root = root.resolve()
    result = ReadResult()
    for relative in content_paths(root, result):
        source = _read_one(root, relative, max_file_bytes, result)
        if source is not None:
            result.files.append(source)
    return result


def content_paths(root: Path, result: ReadResult | None = None) -> list[str]:
    """The content files under ``root`` (relative, sorted), without reading them."""
    result = result if result is not None else ReadResult()
    root = root.resolve()
    candidates = [
        *_walk(root, PAGES_DIR, ".md", result),
        *_walk(root, TEAM_DIR, ".json", result),
        *(path for path in SITE_FILES if os.path.lexists(root / path)),
    ]
    return sorted(candidates)


def changed_since(root: Path, paths: set[str], since_ns: int) -> bool:
    """Whether the content files differ from ``paths`` or any was written at ``since_ns`` or later.

    Only a quick stat pass, to decide whether a reload (which compares content
    hashes) is worth doing.
    """
    root = root.resolve()
    current = content_paths(root)
    if set(current) != paths:
        return True
    for relative in current:
        try:
            status = os.stat(os.path.join(root, relative))
        except OSError:
            return True
        if max(status.st_mtime_ns, status.st_ctime_ns) >= since_ns:
            return True
    return False


def _walk(root: Path, subdir: str, suffix: str, result: ReadResult) -> Iterator[str]:
    top = root / subdir
    if not top.is_dir():
        return
    for directory, dirnames, filenames in os.walk(top, followlinks=False):
        relative_dir = Path(directory).relative_to(root).as_posix()
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            if os.path.islink(os.path.join(directory, name)):
                result.problems.append(
                    ContentProblem(
                        f"{relative_dir}/{name}",
                        1,
                        Severity.WARNING,
                        "symlinked directory is not followed; its files are not served",
                    )
                )
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            if name.endswith(suffix) and not name.startswith("."):
                yield f"{relative_dir}/{name}"


def _read_one(
    root: Path, relative: str, max_file_bytes: int, result: ReadResult
) -> SourceFile | None:
    """Read one file, refusing a symlink that leads outside the root.

    Plain ``os`` calls on strings: this runs once per file per load. ``O_NOFOLLOW``
    makes the common case (not a link) one ``open`` with no ``lstat`` before it.
    """
    path = os.path.join(root, relative)
    try:
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as error:
            if error.errno != errno.ELOOP:  # ELOOP: a symlink
                raise
            if not Path(path).resolve().is_relative_to(root):
                result.problems.append(
                    ContentProblem(
                        relative,
                        1,
                        Severity.ERROR,
                        "symlink leads outside the content folder; ignored",
                    )
                )
                return None
            descriptor = os.open(path, os.O_RDONLY)
        try:
            data = _read_bounded(descriptor, max_file_bytes)
        finally:
            os.close(descriptor)
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
    return SourceFile(relative, data)


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
