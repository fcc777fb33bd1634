"""Loading a content folder: read, parse every file (or take it from the parse cache),
then check what no single file can tell (duplicate URLs and slugs, dangling references).

A file with an error is reported (path, line, message) and left out; it never
stops the rest of the site from loading.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from api.content.files import lines_for, parse_source
from api.content.models import ContentProblem, Severity
from api.content.parsed import POST_TYPE, FileKind, ParsedFile, Reference
from api.content.parsing import decode_utf8, markdown_body
from api.content.paths import SLUG_RULE, is_valid_slug, page_slug, page_url, person_slug
from api.content.readers import SourceFile, read_content
from api.content.validation import Location, format_location

log = logging.getLogger(__name__)

PARALLEL_MIN_FILES = 400  # below this, starting worker processes costs more than it saves


@dataclass(slots=True)
class LoadedContent:
    """A loaded content folder: what is served, and every problem found.

    ``files``, ``bodies`` and ``keys`` are by path, for the files served;
    ``kept`` names those served in their last good version because their
    current one has errors. ``parsed`` holds every parse result of this load by
    file key, for the next load and the parse cache.
    """

    files: dict[str, ParsedFile] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    keys: dict[str, bytes] = field(default_factory=dict)
    problems: list[ContentProblem] = field(default_factory=list)
    kept: set[str] = field(default_factory=set)
    parsed: dict[bytes, ParsedFile] = field(default_factory=dict)
    fresh: int = 0
    version: str = ""


def file_key(source: SourceFile) -> bytes:
    """What a parse result depends on: the file's path and its bytes."""
    digest = hashlib.blake2b(source.path.encode(), digest_size=20)
    digest.update(b"\0")
    digest.update(source.data)
    return digest.digest()


def load_content(
    root: Path,
    max_file_bytes: int,
    *,
    known: Mapping[bytes, ParsedFile] | None = None,
    previous: LoadedContent | None = None,
    processes: int | None = None,
) -> LoadedContent:
    """Load a whole content folder; see the module docstring.

    Files whose key is in ``known`` (earlier parse results) are not parsed again;
    the others are, in ``processes`` worker processes when there are many. A
    file that now has errors but was served in ``previous`` keeps that version.
    """
    known = known or {}
    read = read_content(root, max_file_bytes)
    keys = {source.path: file_key(source) for source in read.files}
    missing = [source for source in read.files if keys[source.path] not in known]
    fresh = dict(zip((s.path for s in missing), parse_all(missing, processes), strict=True))
    parsed = [fresh.get(s.path) or known[keys[s.path]] for s in read.files]
    loaded = check_across_files(parsed, read.files)
    loaded.keys = {path: keys[path] for path in loaded.files}
    if previous is not None:
        _keep_last_good(loaded, previous, present=keys.keys())
    loaded.parsed = {keys[file.path]: file for file in parsed}
    loaded.fresh = len(missing)
    loaded.problems[:0] = read.problems
    loaded.problems.sort(key=lambda problem: (problem.path, problem.line))
    loaded.version = _version(loaded.keys, loaded.problems)
    for problem in loaded.problems:
        level = logging.ERROR if problem.severity is Severity.ERROR else logging.WARNING
        log.log(level, "%s", problem.format())
    return loaded


def _keep_last_good(loaded: LoadedContent, previous: LoadedContent, present: Iterable[str]) -> None:
    """A file saved half-written keeps serving its last good version until it is valid again.

    Only files that still exist: a deleted file disappears at once.
    """
    for path in present:
        if path in loaded.files or path not in previous.files:
            continue
        if not any(problem.path == path for problem in loaded.problems):
            continue
        loaded.files[path] = previous.files[path]
        loaded.keys[path] = previous.keys[path]
        if path in previous.bodies:
            loaded.bodies[path] = previous.bodies[path]
        loaded.kept.add(path)


def parse_all(sources: Sequence[SourceFile], processes: int | None = None) -> list[ParsedFile]:
    """Parse files, in parallel worker processes when there are many and it is safe to fork.

    The workers are forked with the sources already in their memory and receive
    only index ranges; only the (compact) results travel back.
    """
    global _forked_sources
    processes = processes or os.cpu_count() or 1
    if len(sources) < PARALLEL_MIN_FILES or processes < 2 or not _fork_is_safe():
        with _gc_paused():
            return [parse_source(source) for source in sources]
    step = max(16, len(sources) // (processes * 8))
    ranges = [(start, min(start + step, len(sources))) for start in range(0, len(sources), step)]
    _forked_sources = sources
    try:
        with multiprocessing.get_context("fork").Pool(processes, initializer=gc.disable) as pool:
            chunks = pool.map(_parse_range, ranges)
    finally:
        _forked_sources = ()
    return [parsed for chunk in chunks for parsed in chunk]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing makes and drops many containers, none in cycles: the cyclic GC only costs."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_forked_sources: Sequence[SourceFile] = ()


def _parse_range(bounds: tuple[int, int]) -> list[ParsedFile]:
    return [parse_source(source) for source in _forked_sources[bounds[0] : bounds[1]]]


def _fork_is_safe() -> bool:
    """Forking a process that runs other threads can deadlock the child; only fork alone."""
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


def _version(keys: Mapping[str, bytes], problems: Sequence[ContentProblem]) -> str:
    """Names what is served: the same files in the same versions, with the same problems
    (which ``/healthz`` shows), give the same name."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(keys):
        digest.update(keys[path])
    for problem in problems:
        digest.update(problem.format().encode())
    return digest.hexdigest()


def check_across_files(parsed: list[ParsedFile], sources: Sequence[SourceFile]) -> LoadedContent:
    """What no single file can tell: duplicate URLs and slugs, dangling references."""
    parsed = sorted(parsed, key=lambda file: file.path)
    problems: list[ContentProblem] = [problem for file in parsed for problem in file.problems]
    types_by_path = {file.path: file.type_name for file in parsed}
    data_by_path = {source.path: source.data for source in sources}
    usable: dict[str, ParsedFile] = {}
    bodies: dict[str, str] = {}
    claimed_urls: dict[str, str] = {}
    claimed_post_slugs: dict[str, str] = {}
    for file in parsed:
        if file.has_errors:
            continue
        found = [_dangling(reference, types_by_path) for reference in file.references]
        new_problems = [located for located in found if located is not None]
        conflict = _claim(file, claimed_urls, claimed_post_slugs)
        if conflict:
            new_problems.append(((), conflict))
        if new_problems:
            lines = lines_for(file.kind, data_by_path.get(file.path, b""))
            problems.extend(
                ContentProblem(file.path, lines.line_of(location), Severity.ERROR, message)
                for location, message in new_problems
            )
            continue
        usable[file.path] = file
        if file.kind is FileKind.PAGE:
            bodies[file.path] = markdown_body(decode_utf8(data_by_path[file.path]))
    return LoadedContent(files=usable, bodies=bodies, problems=problems)


def _claim(file: ParsedFile, urls: dict[str, str], post_slugs: dict[str, str]) -> str | None:
    """Register a page's URL (and a post's slug); a message if another file has it already."""
    if file.kind is FileKind.PERSON and not is_valid_slug(person_slug(file.path)):
        return f"file name is not a valid slug ({SLUG_RULE})"
    if file.kind is not FileKind.PAGE:
        return None
    url = page_url(file.path)
    if not all(is_valid_slug(segment) for segment in url.split("/") if segment):
        return f"file or folder name is not a valid URL segment ({SLUG_RULE})"
    owner = urls.setdefault(url.lower(), file.path)
    if owner != file.path:
        return f"URL {url} is already served by {owner}"
    if file.type_name == POST_TYPE:
        slug = page_slug(url)
        owner = post_slugs.setdefault(slug, file.path)
        if owner != file.path:
            return f"post slug '{slug}' is already used by {owner}"
    return None


def _dangling(
    reference: Reference, types_by_path: Mapping[str, str | None]
) -> tuple[Location, str] | None:
    where = format_location(reference.location)
    if reference.key not in types_by_path:
        return reference.location, f"{where}: no such file: content/{reference.key}"
    found = types_by_path[reference.key]
    if found is not None and found != reference.target_type:
        message = (
            f"{where}: content/{reference.key} is a {found}, expected a {reference.target_type}"
        )
        return reference.location, message
    return None
