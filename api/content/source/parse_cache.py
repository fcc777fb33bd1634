"""The persistent parse cache: what parsing a file gave, keyed by the file's path and bytes.

A restart over unchanged content then reads and hashes the files but parses none
of them. The cache lives outside the content folder (``PARSE_CACHE_DIR``), as one
file per content folder, written whole and atomically (a temporary file, then a
rename) after a full load, plus a journal that each live edit appends to (one
checksummed frame per edit, one ``write`` each, so workers appending at once do
not mix their frames), folded into the file at the next full save. It is safe to
delete, and it is ignored, never trusted, when it is stale (another parser
version) or corrupt (a checksum does not match).

It also keeps the last good versions of files whose current version has errors,
so that a restart keeps serving them (see ``api.content.live.state``), and each file's
record as it was read (its stat signature, its key; the parse and the Markdown body are
kept by key): a warm start trusts a file whose inode, size and modification time are those
of its record and reads no byte of it (``api.content.live.on_disk``), and a full check
after the start reads every file again to catch what that trust got wrong.

Rendered bodies are kept beside it, in a file of their own (``render_cache``).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import struct
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from api.content.source.extras import registered
from api.content.source.parsed import FileVersion, ParsedFile
from api.content.source.render_cache import RenderCache, body_key

log = logging.getLogger(__name__)

_CHECKSUM_BYTES = 32
_FRAME_HEADER = struct.Struct("<I32s")
_FORMAT = 5
# The folders (under api/) whose code decides what parsing a file gives: every module of the
# source stage (see parser.parse_source) and the model validated against.
_PARSER_FOLDERS = ("content/source", "schemas/model")

Kept = dict[str, FileVersion]
FileRecord = tuple[bytes, bytes]  # a file as last read: its stat signature, its key


@dataclass(slots=True)
class CacheContents:
    """What a previous run kept: each version by key (its parse and its body), the last good
    versions of broken files, and each file's record by path."""

    known: dict[bytes, FileVersion] = field(default_factory=dict)
    kept: Kept = field(default_factory=dict)
    files: dict[str, FileRecord] = field(default_factory=dict)


def parser_version() -> str:
    """Changes whenever the code or libraries that decide a parse result change."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"format {_FORMAT}".encode())
    package = Path(__file__).resolve().parents[2]
    sources = [
        path for folder in _PARSER_FOLDERS for path in sorted((package / folder).glob("*.py"))
    ]
    for source in sources:
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    for extra in registered():  # what other views keep of each file is part of its parse
        digest.update(f"extra {extra.name}".encode())
        for module in extra.modules:
            spec = find_spec(module)
            if spec is not None and spec.origin is not None:
                digest.update(Path(spec.origin).read_bytes())
    for library in ("PyYAML", "python-frontmatter", "marshmallow"):
        try:
            digest.update(f"{library} {metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:  # pragma: no cover - always installed
            digest.update(library.encode())
    return digest.hexdigest()


class ParseCache:
    """The parse results of one content folder, and (given the renderer's version, which is
    the model's to name) its rendered bodies (``renders``, ``render_cache``)."""

    def __init__(
        self, directory: Path, root: Path, *, renderer: Callable[[], str] | None = None
    ) -> None:
        root_key = hashlib.blake2b(str(root.resolve()).encode(), digest_size=12).hexdigest()
        self.renders = RenderCache(directory, root_key, renderer) if renderer else None
        self.path = directory / f"parse-{root_key}.cache"
        self.journal = directory / f"parse-{root_key}.journal"
        self.version = parser_version()
        self.error: str | None = None  # why the last write failed; None once one succeeds
        self.quiet = False  # another process logs for the server (see ContentRepository.reporter)

    def load(self) -> CacheContents:
        """What the previous runs kept (nothing when the cache is missing, stale or corrupt)."""
        contents = CacheContents()
        try:
            raw = self.path.read_bytes()
        except OSError:
            raw = None
        if raw is not None:
            payload = _verified(raw[:_CHECKSUM_BYTES], memoryview(raw)[_CHECKSUM_BYTES:])
            if payload is None:
                log.warning("parse cache %s is corrupt; ignoring it", self.path)
            else:
                self._merge(payload, contents)
            del raw, payload
        for payload in self._journal_frames():
            self._merge(payload, contents)
        return contents

    def _merge(self, payload: bytes | memoryview, contents: CacheContents) -> None:
        try:
            version, records, kept_records, files = marshal.loads(payload)
            if version != self.version:
                return
            known = contents.known
            for key, (record, body) in records.items():
                known[key] = FileVersion(ParsedFile.from_record(record), body, key)
            if kept_records is not None:
                contents.kept.clear()
                contents.kept.update(
                    (path, FileVersion(ParsedFile.from_record(record), body, key))
                    for path, (key, record, body) in kept_records.items()
                )
            for path, record in files.items():
                if record is None:
                    contents.files.pop(path, None)
                else:
                    signature, key = record
                    contents.files[path] = (signature, key)
        except (ValueError, TypeError, EOFError, KeyError) as error:
            log.warning("parse cache %s is unreadable (%s); ignoring it", self.path, error)

    def _journal_frames(self) -> Iterable[bytes]:
        try:
            raw = self.journal.read_bytes()
        except OSError:
            return
        position = 0
        while position + _FRAME_HEADER.size <= len(raw):
            length, checksum = _FRAME_HEADER.unpack_from(raw, position)
            start = position + _FRAME_HEADER.size
            payload = _verified(checksum, raw[start : start + length])
            if payload is None:
                return  # a torn or corrupt tail: what came before it is good
            yield payload
            position = start + length

    def save(
        self,
        versions: Iterable[FileVersion],
        kept: Mapping[str, FileVersion],
        files: Mapping[str, FileRecord] | None = None,
    ) -> None:
        """Replace the cache with ``versions``, ``kept`` and the file records, and empty the
        journal; rewrite the render cache with the bodies of ``versions`` only, if it has
        outgrown them."""
        versions = list(versions)
        records = {version.key: (version.parsed.to_record(), version.body) for version in versions}
        payload = marshal.dumps((self.version, records, _kept_records(kept), dict(files or {})))
        checksum = hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES).digest()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".parse-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(checksum)
                    out.write(payload)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self.journal.unlink(missing_ok=True)
        except OSError as error:
            self._failed(error)
            return
        self._succeeded()
        if self.renders is not None:
            bodies = [version.body for version in versions if version.body]
            self.renders.compact(
                lambda: {body_key(body) for body in bodies}, sum(len(body) for body in bodies)
            )

    def append(
        self,
        fresh: Iterable[FileVersion],
        kept: Mapping[str, FileVersion] | None,
        files: Mapping[str, FileRecord | None] | None = None,
    ) -> None:
        """Add what one live change parsed (and the kept versions, when they changed), and the
        records of the files it read (``None``: not to be trusted, or gone)."""
        records = {version.key: (version.parsed.to_record(), version.body) for version in fresh}
        if not records and kept is None and not files:
            return
        kept_records = None if kept is None else _kept_records(kept)
        payload = marshal.dumps((self.version, records, kept_records, dict(files or {})))
        checksum = hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES).digest()
        frame = _FRAME_HEADER.pack(len(payload), checksum) + payload
        try:
            self.journal.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(descriptor, frame)
            finally:
                os.close(descriptor)
        except OSError as error:
            self._failed(error)
            return
        self._succeeded()

    def journal_outgrew(self, floor: int) -> bool:
        """Whether the journal is larger than the cache itself (and ``floor``): each live edit
        appends to it, in every worker, so a long run must compact it (``save``)."""
        try:
            journal = self.journal.stat().st_size
        except OSError:
            return False
        try:
            cache = self.path.stat().st_size
        except OSError:
            cache = 0
        return journal > max(cache, floor)

    def has_journal(self) -> bool:
        try:
            return self.journal.stat().st_size > 0
        except OSError:
            return False

    def _failed(self, error: OSError) -> None:
        message = f"cannot write the parse cache in {self.path.parent}: {error.strerror or error}"
        if message != self.error and not self.quiet:
            log.warning("%s; serving goes on, restarts will parse again", message)
        self.error = message

    def _succeeded(self) -> None:
        if self.error is not None and not self.quiet:
            log.info("the parse cache in %s is writable again", self.path.parent)
        self.error = None


def _verified(checksum: bytes, payload: bytes | memoryview) -> bytes | memoryview | None:
    if hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES).digest() != checksum:
        return None
    return payload


def _kept_records(kept: Mapping[str, FileVersion]) -> dict[str, tuple[bytes, Any, str]]:
    return {
        path: (version.key, version.parsed.to_record(), version.body)
        for path, version in kept.items()
    }
