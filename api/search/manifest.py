"""What a stored search index holds, so that a restart can tell what to index again.

Beside the tantivy files, an index directory keeps two files of ours:

- ``search-pages``: a fingerprint of each page it indexed, by path (marshal, with a
  checksum). A fingerprint covers everything the index takes from a page: its path,
  type, title, tags, author slug and the author's name (which another file decides),
  and its file: the key the content state made of its bytes when it read them (the
  parser's version is in the index's version), or, without it, a hash of the front
  matter as parsed and the Markdown body (about 10 ms per 1,000 pages; the key costs
  a tenth of that). Made by the process that prepares the index, never a worker.
- ``search-info.json``: the version of the code that made the index (the parser's, ours,
  tantivy's, and on a site of several locales the stemmers it has fields for), how many
  replaced documents its statistics still count, the digest of every tantivy file (a file
  damaged since is noticed before it is reused) and the digest of ``search-pages``.
  Written last: an index without it is incomplete.

An index is made for the stemmers of its site's locales (none on a site of one locale), so
an index without stems is never reused for a site of several locales, nor one with stems
for a site of one, nor one with German stems for a site in French: their versions differ.
A page's fingerprint names its stemmer too, where it has one.

Anything that does not read back exactly (another version, a checksum that does not
match, a missing file) makes the index unusable, and it is built afresh.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from api.content.model.snapshot import Snapshot
from api.content.source.parse_cache import parser_version
from api.content.source.parsed import FileVersion
from api.search.snapshots import index_languages
from api.search.store import index_files, is_index_file
from api.search.writing import stem_language

FORMAT = 1
INFO = "search-info.json"
PAGES = "search-pages"
_CHECKSUM_BYTES = 32
# The modules whose code decides what the index holds of a page, and how.
_SEARCH_MODULES = ("search_documents.py", "engine.py", "text.py", "writing.py", "stemming.py")
_CONTENT_MODULES = ("model/tag_index.py", "source/paths.py")  # tag slugs


def index_version(languages: tuple[str, ...] = ()) -> str:
    """Changes whenever the code or libraries that decide what is indexed, and how, change,
    and with the stemmers the index has fields for (``engine.schema``)."""
    if not languages:
        return _code_version()
    stems = f"{_code_version()} stemming {','.join(languages)}"
    return hashlib.blake2b(stems.encode(), digest_size=16).hexdigest()


@cache
def _code_version() -> str:
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"format {FORMAT} parser {parser_version()}".encode())
    search = Path(__file__).resolve().parent
    sources = [search / name for name in _SEARCH_MODULES]
    sources += [search.parent / "content" / name for name in _CONTENT_MODULES]
    for source in sources:
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    try:
        digest.update(f"tantivy {metadata.version('tantivy')}".encode())
    except metadata.PackageNotFoundError:  # pragma: no cover - always installed
        digest.update(b"tantivy")
    return digest.hexdigest()


def fingerprints(
    snapshot: Snapshot, served: Mapping[str, FileVersion] | None = None
) -> dict[str, bytes]:
    """Each page's fingerprint, by path: equal fingerprints index equally.

    ``served`` (the content state's served versions) gives the key of each page's file
    (a hash of its path and bytes, made when it was read) where it is still the version
    the snapshot's page came from: then the page's text need not be hashed again.
    """
    found = {}
    languages = index_languages(snapshot)
    for path, page in snapshot.pages_by_path.items():
        author = snapshot.author_of(page)
        head = "\0".join(
            (
                path,
                page.type,
                page.title,
                "\x1f".join(page.tags),
                page.author_slug or "",
                author.name if author else "",
            )
        )
        language = stem_language(page, languages)
        if language is not None:
            head = f"{head}\0stemmed\0{language}"
        digest = hashlib.blake2b(head.encode("utf-8", "surrogatepass"), digest_size=16)
        version = served.get(path) if served is not None else None
        if version is not None and version.parsed.blob is page.blob:  # the page's own file
            digest.update(b"\0file\0")
            digest.update(version.key)
        else:
            digest.update(b"\0text\0")
            digest.update(page.blob)
            digest.update(b"\0")
            digest.update(page.body.encode("utf-8", "surrogatepass"))
        found[path] = digest.digest()
    return found


def changed_pages(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> set[str]:
    """Paths added, changed or removed between two sets of fingerprints."""
    changed = {path for path, fingerprint in new.items() if old.get(path) != fingerprint}
    changed.update(path for path in old if path not in new)
    return changed


@dataclass(frozen=True, slots=True)
class Info:
    """``search-info.json``: small, read by every process that opens the index."""

    version: str
    documents: int
    stale: int  # replaced documents still counted by the BM25 statistics
    files: dict[str, str]  # tantivy file name -> digest
    pages_digest: str


def file_digests(directory: Path, names: Iterable[str] | None = None) -> dict[str, str]:
    """The digest of each tantivy file in ``directory`` (or of ``names`` only)."""
    found = {}
    for name in index_files(directory) if names is None else names:
        digest = hashlib.blake2b(digest_size=16)
        with open(directory / name, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        found[name] = digest.hexdigest()
    return found


def write_manifest(
    directory: Path,
    pages: Mapping[str, bytes],
    *,
    stale: int,
    files: Mapping[str, str],
    languages: tuple[str, ...] = (),
) -> None:
    """Write ``search-pages``, then ``search-info.json`` (last: it marks the index complete)."""
    payload = marshal.dumps(dict(pages))
    checksum = hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES).digest()
    _write(directory / PAGES, checksum + payload)
    info = {
        "format": FORMAT,
        "version": index_version(languages),
        "documents": len(pages),
        "stale": stale,
        "files": dict(files),
        "pagesDigest": checksum.hex(),
    }
    _write(directory / INFO, json.dumps(info, sort_keys=True).encode())


def read_info(directory: Path, languages: tuple[str, ...] = ()) -> Info | None:
    """The index's info; ``None`` when it is missing, unreadable or of another version (of
    the code, or stemmed in other ``languages``)."""
    try:
        raw = json.loads((directory / INFO).read_bytes())
        info = Info(
            version=str(raw["version"]),
            documents=int(raw["documents"]),
            stale=int(raw["stale"]),
            files={str(name): str(digest) for name, digest in dict(raw["files"]).items()},
            pages_digest=str(raw["pagesDigest"]),
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    if raw.get("format") != FORMAT or info.version != index_version(languages):
        return None
    if not all(is_index_file(name) for name in info.files):  # never a path from a file
        return None
    return info


def read_pages(directory: Path, info: Info) -> dict[str, bytes] | None:
    """The fingerprints the index holds; ``None`` when they do not read back exactly."""
    try:
        raw = (directory / PAGES).read_bytes()
    except OSError:
        return None
    checksum, payload = raw[:_CHECKSUM_BYTES], raw[_CHECKSUM_BYTES:]
    if hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES).digest() != checksum:
        return None
    if checksum.hex() != info.pages_digest:
        return None
    try:
        pages = marshal.loads(payload)
    except (ValueError, TypeError, EOFError):
        return None
    if not isinstance(pages, dict) or len(pages) != info.documents:
        return None
    return pages


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole: a temporary file, synced, then renamed."""
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
