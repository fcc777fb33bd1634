"""What is on disk: every content file as last read (its stat signature, its version), the
files that could not be read, and where symlinks lead; kept up to date path by path.

``refresh`` reads again only the paths it is given, and only those whose stat signature
changed (or that were written too recently to tell): an edit reads one file. What is served
of all this is decided by ``api.content.live.state``.

A warm start reads no file whose record the parse cache kept (``trusted``) when its inode,
size and modification time are still the record's: the record's version (parse and body) is
taken as it is. That trust is checked by a full check (``refresh`` with ``reread``: every
file read, its key compared) in the background after the start and on SIGHUP.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from api.content.source.parallel import parse_all
from api.content.source.parsed import FileKind, FileVersion, ParsedFile, file_key
from api.content.source.parsing import ParseError, decode_utf8, markdown_body
from api.content.source.problems import ContentProblem, Severity
from api.content.source.reading import (
    RACY_NS,
    ReadResult,
    SourceFile,
    content_paths,
    has_symlinked_folder,
    is_content_path,
    read_file,
    signature_of,
    walk_folder,
)
from api.content.source.reading import (
    SIGNATURE as _SIGNATURE,
)


@dataclass(slots=True, eq=False)
class FileEntry:
    """A content file as last read from disk."""

    signature: bytes
    racy: bool
    version: FileVersion


@dataclass(slots=True)
class Refreshed:
    """What one ``refresh`` found changed on disk."""

    touched: set[str] = field(default_factory=set)  # paths whose entry or read problem changed
    retyped: set[str] = field(default_factory=set)  # of those, whose existence or type changed
    fresh: list[FileVersion] = field(default_factory=list)  # versions parsed (not from cache)


FileRecord = tuple[bytes, bytes]  # (stat signature, key): a file as read, for the parse cache


def _same_file(signature: bytes, status: os.stat_result) -> bool:
    """Whether a file's inode, size and modification time are those of ``signature``'s."""
    inode, size, mtime_ns, _ = _SIGNATURE.unpack(signature)
    return status.st_ino == inode and status.st_size == size and status.st_mtime_ns == mtime_ns


class DiskFiles:
    """Every content file under ``root`` as last read, by path (relative, POSIX)."""

    def __init__(
        self,
        root: Path,
        max_file_bytes: int,
        known: dict[bytes, FileVersion] | None = None,
        trusted: dict[str, FileRecord] | None = None,
    ) -> None:
        self.root = root
        self.max_file_bytes = max_file_bytes
        self.known = known or {}  # versions by key (from the parse cache), used once
        self.trusted = trusted or {}  # the records of the files as last read, used once
        self.trusted_count = 0  # files taken from their record, unread
        self.entries: dict[str, FileEntry] = {}
        self.file_problems: dict[str, ContentProblem] = {}  # unreadable files, skipped folders
        self._folders: dict[str, int] = {}  # how many known files each folder holds, deep
        # Symlinked files: an edit of the target names the target's path only.
        self._link_target: dict[str, str] = {}  # link -> target
        self._links: dict[str, set[str]] = {}  # target -> links

    def walk(self, found: ReadResult) -> set[str]:
        """Every content file on disk now (the walk follows no symlinked folder)."""
        return set(content_paths(self.root, found))

    def expand(self, paths: Iterable[str], found: ReadResult) -> set[str]:
        """The files a set of changed paths can stand for: a folder stands for what it holds
        now and for every known file that was under it."""
        examine: set[str] = set()
        folders: set[str] = set()  # folders that held known files: look at each of those
        for relative in paths:
            relative = relative.strip("/")
            if not relative or relative.startswith("../"):
                continue
            full = os.path.join(self.root, relative)
            if os.path.isdir(full) and not os.path.islink(full):
                examine.update(walk_folder(self.root, relative, found))
                if relative in self.entries or relative in self.file_problems:
                    examine.add(relative)  # a file that became a folder
            elif is_content_path(relative) or relative in self.file_problems:
                examine.add(relative)
            if relative in self._folders or any(
                problem.startswith(f"{relative}/") for problem in self.file_problems
            ):
                folders.add(relative)
            examine.update(self._links.get(relative, ()))
            for target, links in self._links.items():
                if target.startswith(f"{relative}/"):
                    examine.update(links)
        for folder in folders:
            prefix = f"{folder}/"
            examine.update(path for path in self.entries if path.startswith(prefix))
            examine.update(path for path in self.file_problems if path.startswith(prefix))
        return examine

    def refresh(
        self,
        examine: list[str],
        walk_problems: dict[str, ContentProblem],
        walked: set[str],
        reread: bool,
        kept_elsewhere: Container[str],
    ) -> Refreshed:
        """Read what changed on disk: the paths whose entry changed, those of them whose
        existence or model type changed (their referrers must be decided again), and the
        versions parsed. ``kept_elsewhere``: paths with a version kept whose file may be gone."""
        touched: set[str] = set()
        to_parse: list[SourceFile] = []
        keys: list[bytes] = []
        trusted: list[tuple[str, FileEntry]] = []
        root = self.root.resolve()
        for path in examine:
            read = ReadResult()
            source = None
            problem = walk_problems.get(path)
            if problem is None and not _is_utf8(path):
                problem = ContentProblem(
                    os.fsencode(path).decode("utf-8", "backslashreplace"),
                    1,
                    Severity.ERROR,
                    "file name is not valid UTF-8; ignored",
                )
            elif (
                problem is None
                and is_content_path(path)
                and (path in walked or not has_symlinked_folder(root, path, resolved=True))
            ):
                entry = self.entries.get(path)
                if (
                    entry is not None
                    and not reread
                    and not entry.racy
                    and self._unchanged(root, path, entry)
                ):
                    continue
                if entry is None and not reread and path in self.trusted:
                    found = self._trust(root, path)
                    if found is not None:
                        trusted.append((path, found))
                        if self.file_problems.pop(path, None) is not None:
                            touched.add(path)
                        self._set_link(path, None)
                        continue
                source = read_file(root, path, self.max_file_bytes, read, resolved=True)
                problem = read.problems[0] if read.problems else None
            if self.file_problems.get(path) != problem:
                if problem is None:
                    self.file_problems.pop(path, None)
                else:
                    self.file_problems[path] = problem
                touched.add(path)
            self._set_link(path, source.target if source is not None else None)
            if source is None:
                if self.entries.pop(path, None) is not None:
                    self._count_folders(path, -1)
                    touched.add(path)
                elif path in kept_elsewhere:  # a kept version whose file is gone
                    touched.add(path)
                continue
            key = file_key(path, source.data)
            entry = self.entries.get(path)
            if entry is not None and entry.version.key == key:
                entry.signature, entry.racy = source.signature, source.racy
                continue
            to_parse.append(source)
            keys.append(key)
        retyped: set[str] = set()
        versions, fresh = self._parse_versions(to_parse, keys)
        read = (
            (source.path, FileEntry(source.signature, source.racy, version))
            for source, version in zip(to_parse, versions, strict=True)
        )
        for path, new in (*trusted, *read):
            old = self.entries.get(path)
            if old is None or old.version.parsed.type_name != new.version.parsed.type_name:
                retyped.add(path)
            if old is None:
                self._count_folders(path, 1)
            self.entries[path] = new
            touched.add(path)
        retyped.update(path for path in touched if path not in self.entries)
        self.trusted_count += len(trusted)
        return Refreshed(touched, retyped, fresh)

    def _trust(self, root: Path, path: str) -> FileEntry | None:
        """The file's entry from its record, unread, if its inode, size and modification time
        are still the record's (a symlink is always read: where it leads may have changed)."""
        signature, key = self.trusted.pop(path)
        version = self.known.get(key)
        if version is None:
            return None
        try:
            status = os.lstat(os.path.join(root, path))
        except OSError:
            return None
        if not stat.S_ISREG(status.st_mode) or not _same_file(signature, status):
            return None
        if status.st_size > self.max_file_bytes:
            return None  # the limit changed since: read it, and report it
        racy = status.st_mtime_ns >= time.time_ns() - RACY_NS
        return FileEntry(signature_of(status), racy, version)

    def record(self, path: str) -> FileRecord | None:
        """The file's record for the parse cache: ``None`` when there is none to trust (gone,
        a symlink, or written too recently to tell a later write by its signature)."""
        entry = self.entries.get(path)
        if entry is None or entry.racy or path in self._link_target:
            return None
        return entry.signature, entry.version.key

    def records(self) -> dict[str, FileRecord]:
        """Every file's record (those there are), for the parse cache's full save."""
        links = self._link_target
        return {
            path: (entry.signature, entry.version.key)
            for path, entry in self.entries.items()
            if not entry.racy and path not in links
        }

    def _set_link(self, path: str, target: str | None) -> None:
        old = self._link_target.get(path)
        if old == target:
            return
        if old is not None:
            links = self._links[old]
            links.discard(path)
            if not links:
                del self._links[old]
            del self._link_target[path]
        if target is not None:
            self._link_target[path] = target
            self._links.setdefault(target, set()).add(path)

    def _count_folders(self, path: str, step: int) -> None:
        """Keep ``_folders`` true: a change under a folder no known file is in costs nothing."""
        folder = path.rpartition("/")[0]
        while folder:
            count = self._folders.get(folder, 0) + step
            if count:
                self._folders[folder] = count
            else:
                self._folders.pop(folder, None)
            folder = folder.rpartition("/")[0]

    def _unchanged(self, root: Path, path: str, entry: FileEntry) -> bool:
        try:
            return signature_of(os.stat(os.path.join(root, path))) == entry.signature
        except OSError:
            return False

    def _parse_versions(
        self, sources: list[SourceFile], keys: list[bytes]
    ) -> tuple[list[FileVersion], list[FileVersion]]:
        """A version of each source (whose file key is in ``keys``), parsed or from the parse
        cache; and those parsed."""
        missing = [s for s, key in zip(sources, keys, strict=True) if key not in self.known]
        parsed_now = dict(zip((s.path for s in missing), parse_all(missing), strict=True))
        versions, fresh = [], []
        for source, key in zip(sources, keys, strict=True):
            parsed = parsed_now.get(source.path)
            if parsed is None:
                versions.append(self.known[key])  # its parse and body, as the cache kept them
                continue
            version = FileVersion(parsed, _body(parsed, source.data), key)
            versions.append(version)
            fresh.append(version)
        return versions, fresh


def _is_utf8(path: str) -> bool:
    """A name the file system gave as bytes that are not UTF-8 (``os.fsdecode``'s surrogates)."""
    try:
        path.encode()
    except UnicodeEncodeError:
        return False
    return True


def _body(parsed: ParsedFile, data: bytes) -> str:
    """The Markdown body of a usable page, exactly as the file has it."""
    if parsed.kind is not FileKind.PAGE or parsed.blob is None:
        return ""
    try:
        return markdown_body(decode_utf8(data))
    except ParseError:
        return ""
