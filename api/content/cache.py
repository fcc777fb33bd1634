"""The persistent parse cache: what parsing a file gave, keyed by the file's path and bytes.

A restart over unchanged content then reads and hashes the files but parses none
of them. The cache lives outside the content folder (``PARSE_CACHE_DIR``), one
file per content folder, written atomically (a temporary file, then a rename),
so a crash mid-write leaves the old cache or none. It is safe to delete, and it
is ignored, never trusted, when it is stale (another parser version) or corrupt
(its checksum does not match).
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import tempfile
from importlib import metadata
from pathlib import Path

from api.content.loader import LoadedContent
from api.content.parsed import ParsedFile

log = logging.getLogger(__name__)

_CHECKSUM_BYTES = 32
_FORMAT = 3
# The modules whose code decides what parsing a file gives (see files.parse_source).
_PARSER_MODULES = (
    "files.py", "lines.py", "models.py", "parsed.py", "parsing.py", "paths.py", "validation.py",
    "js_yaml.py", "verbatim.py",
)  # fmt: skip


def parser_version() -> str:
    """Changes whenever the code or libraries that decide a parse result change."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"format {_FORMAT}".encode())
    content = Path(__file__).resolve().parent
    sources = [content / name for name in _PARSER_MODULES]
    sources += sorted((content.parent / "schemas").glob("*.py"))  # the model validated against
    for source in sources:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    for library in ("PyYAML", "python-frontmatter", "marshmallow"):
        try:
            digest.update(f"{library} {metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:  # pragma: no cover - always installed
            digest.update(library.encode())
    return digest.hexdigest()


class ParseCache:
    def __init__(self, directory: Path, root: Path) -> None:
        root_key = hashlib.blake2b(str(root.resolve()).encode(), digest_size=12).hexdigest()
        self.path = directory / f"parse-{root_key}.cache"
        self.version = parser_version()

    def load(self) -> tuple[dict[bytes, ParsedFile], LoadedContent | None]:
        """Cached parse results by file key, and the last good versions of files kept
        by the previous run; nothing when the cache is missing, stale or corrupt."""
        try:
            raw = self.path.read_bytes()
        except OSError:
            return {}, None
        checksum, payload = raw[:_CHECKSUM_BYTES], raw[_CHECKSUM_BYTES:]
        if hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES).digest() != checksum:
            log.warning("parse cache %s is corrupt; ignoring it", self.path)
            return {}, None
        try:
            version, *rest = marshal.loads(payload)
            if version != self.version:
                return {}, None
            records, kept = rest
            known = {key: ParsedFile.from_record(record) for key, record in records.items()}
            return known, _kept_content(kept)
        except (ValueError, TypeError, EOFError, KeyError) as error:
            log.warning("parse cache %s is unreadable (%s); ignoring it", self.path, error)
            return {}, None

    def save(self, loaded: LoadedContent) -> None:
        """Replace the cache with what ``loaded`` parsed and kept; failures are logged only."""
        records = {key: parsed.to_record() for key, parsed in loaded.parsed.items()}
        kept = {
            path: (loaded.keys[path], loaded.files[path].to_record(), loaded.bodies.get(path, ""))
            for path in loaded.kept
        }
        payload = marshal.dumps((self.version, records, kept))
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
        except OSError as error:
            log.warning("could not write parse cache %s: %s", self.path, error)


def _kept_content(kept: dict[str, tuple[bytes, tuple, str]]) -> LoadedContent | None:
    """The last good versions a previous run kept serving, as a previous load."""
    if not kept:
        return None
    previous = LoadedContent()
    for path, (key, record, body) in kept.items():
        previous.files[path] = ParsedFile.from_record(record)
        previous.keys[path] = key
        previous.bodies[path] = body
    return previous
