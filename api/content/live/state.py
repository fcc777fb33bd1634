"""What is on disk and what of it is served, kept up to date path by path.

The state records every content file (its stat signature, the key of its bytes,
its parse), each file's *candidate* (the version that may be served) and the
cross-file facts that decide whether a candidate is served: which file claims
which URL and slug, which files refer to which. ``apply(paths)`` reads only
those paths again and decides again only about the files they can affect, so
an edit costs what it changes; ``apply(None)`` is the same code over every path
(the start, SIGHUP, the periodic safety check), so both roads give the same
state by construction.

The rule for errors, the same on a cold start, a warm start and a live change:

- A file's own errors (its bytes do not parse or validate): it keeps serving its
  last good version while it exists, if one was ever loaded (in this process or,
  through the parse cache, an earlier run). This is the one thing that depends on
  history, and ``/healthz`` shows it (``servingLastGood``).
- Errors that come from other files: decided for the candidate against the
  other files as they are now, every time; nothing from history. A reference
  that dangles (no such file, or a file of another model) is reported and left
  unresolved, the file still served (a post without its author, a section
  without that post): deleting one post must not take down every page that
  features it. A URL, post slug or author slug that another file also claims
  leaves the file out, since it could not be reached: the first path in sorted
  order owns the name.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from api.content.source.model_types import POST_TYPE
from api.content.source.parsed import FileKind, FileVersion, ParsedFile, file_key
from api.content.source.parser import lines_for
from api.content.source.parsing import ParseError, decode_utf8, markdown_body
from api.content.source.paths import SLUG_RULE, is_valid_slug, page_slug, page_url, person_slug
from api.content.source.problems import ContentProblem, Severity
from api.content.source.reading import (
    ReadResult,
    SourceFile,
    content_paths,
    has_symlinked_folder,
    is_content_path,
    read_file,
    signature_of,
    walk_folder,
)
from api.content.source.validation import format_location

log = logging.getLogger(__name__)

# Post slugs that would be shadowed by a fixed route under /api/posts/.
RESERVED_POST_SLUGS = frozenset({"recent"})


@dataclass(slots=True, eq=False)
class FileEntry:
    """A content file as last read from disk."""

    signature: bytes
    racy: bool
    version: FileVersion


@dataclass(slots=True)
class StateDelta:
    """What one ``apply`` changed in what is served.

    ``served`` maps every path whose served version changed to the new one
    (``None``: no longer served). ``rebound`` names served pages whose own version
    is unchanged but whose author now resolves differently. ``appeared`` holds the
    problems that were not there before (to log once), ``fresh`` the versions parsed
    (not taken from the parse cache).
    """

    served: dict[str, FileVersion | None] = field(default_factory=dict)
    rebound: set[str] = field(default_factory=set)
    appeared: list[ContentProblem] = field(default_factory=list)
    fresh: list[FileVersion] = field(default_factory=list)
    problems_changed: bool = False
    examined: int = 0  # files looked at
    parsed: int = 0  # files parsed (not taken from the parse cache)

    @property
    def changed(self) -> bool:
        return bool(self.served or self.rebound or self.problems_changed)


class Claims:
    """Who claims each name (a URL, a slug); the first path in sorted order owns it."""

    def __init__(self) -> None:
        self._by_name: dict[str, str | set[str]] = {}

    def add(self, name: str, path: str) -> None:
        found = self._by_name.get(name)
        if found is None:
            self._by_name[name] = path
        elif isinstance(found, str):
            if found != path:
                self._by_name[name] = {found, path}
        else:
            found.add(path)

    def remove(self, name: str, path: str) -> None:
        found = self._by_name.get(name)
        if found is None:
            return
        if isinstance(found, str):
            if found == path:
                del self._by_name[name]
            return
        found.discard(path)
        if len(found) == 1:
            self._by_name[name] = next(iter(found))

    def owner(self, name: str) -> str | None:
        found = self._by_name.get(name)
        if found is None or isinstance(found, str):
            return found
        return min(found)

    def claimants(self, name: str) -> Iterator[str]:
        found = self._by_name.get(name)
        if isinstance(found, str):
            yield found
        elif found is not None:
            yield from found


def person_slug_of(path: str, version: FileVersion) -> str:
    """A person's slug: the file's own ``slug`` field where the model has one, else its name."""
    slug = version.parsed.data.get("slug") if version.parsed.blob is not None else None
    if isinstance(slug, str) and slug.strip():
        return slug.strip()
    return person_slug(path)


def _key_digest(key: bytes) -> int:
    """A served file's share of the version: its key already hashes its path and bytes."""
    return int.from_bytes(key[:16], "big")


def _digest(*parts: bytes) -> int:
    digest = hashlib.blake2b(b"\0".join(parts), digest_size=16).digest()
    return int.from_bytes(digest, "big")


class ContentState:
    """Every content file under ``root`` and what of it is served; see the module docstring."""

    def __init__(
        self,
        root: Path,
        max_file_bytes: int,
        *,
        known: dict[bytes, ParsedFile] | None = None,
        kept: dict[str, FileVersion] | None = None,
    ) -> None:
        self.root = root
        self.max_file_bytes = max_file_bytes
        self.known = known or {}  # parse results by key (from the parse cache), used once
        self.entries: dict[str, FileEntry] = {}
        self.file_problems: dict[str, ContentProblem] = {}  # unreadable files, skipped folders
        self.candidates: dict[str, FileVersion] = {}
        self.kept: set[str] = set()
        self.served: dict[str, FileVersion] = {}
        self.person_slugs: dict[str, str] = {}  # served people's slugs, by path
        self.problems: dict[str, tuple[ContentProblem, ...]] = {}
        self.urls = Claims()
        self.post_slugs = Claims()
        self.people = Claims()
        self.referrers: dict[str, set[str]] = {}
        self._folders: dict[str, int] = {}  # how many known files each folder holds, deep
        # Symlinked files: an edit of the target names the target's path only.
        self._link_target: dict[str, str] = {}  # link -> target
        self._links: dict[str, set[str]] = {}  # target -> links
        self._served_digest = 0
        self._problems_digest = 0
        for path, version in (kept or {}).items():
            self.candidates[path] = version
            self._index(path, version)

    # What it serves

    @property
    def version(self) -> str:
        """Names what is served: the same files in the same versions with the same problems."""
        state = self._served_digest.to_bytes(16, "big") + self._problems_digest.to_bytes(16, "big")
        return hashlib.blake2b(state, digest_size=16).hexdigest()

    def all_problems(self) -> list[ContentProblem]:
        """Every problem, by path and line."""
        found = [problem for problems in self.problems.values() for problem in problems]
        found.sort(key=lambda problem: (problem.path, problem.line))
        return found

    # Applying changes

    def apply(self, paths: Iterable[str] | None, *, reread: bool = False) -> StateDelta:
        """Bring the state up to date with the disk for ``paths`` (``None``: every path).

        Paths are relative to the root (files or folders, existing or not). A file
        whose stat signature did not change is not read again, unless ``reread``
        or it was written too recently to tell (see ``readers.RACY_NS``).
        """
        delta = StateDelta()
        found = ReadResult()
        if paths is None:
            on_disk = set(content_paths(self.root, found))
            # candidates: the last good versions from the parse cache, whose files may be gone
            examine = on_disk | self.entries.keys() | self.file_problems.keys()
            examine |= self.candidates.keys()
        else:
            examine = self._expand(paths, found)
        walk_problems = {problem.path: problem for problem in found.problems}
        examine |= walk_problems.keys()
        delta.examined = len(examine)
        walked = on_disk if paths is None else set()  # the walk follows no symlinked folder
        touched, retyped = self._refresh(sorted(examine), walk_problems, walked, reread, delta)
        affected = self._update_candidates(touched, retyped)
        self._decide(affected | touched, delta)
        return delta

    def _expand(self, paths: Iterable[str], found: ReadResult) -> set[str]:
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

    def _refresh(
        self,
        examine: list[str],
        walk_problems: dict[str, ContentProblem],
        walked: set[str],
        reread: bool,
        delta: StateDelta,
    ) -> tuple[set[str], set[str]]:
        """Read what changed on disk; returns the paths whose entry changed, and those of them
        whose existence or model type changed (their referrers must be decided again)."""
        touched: set[str] = set()
        to_parse: list[SourceFile] = []
        keys: list[bytes] = []
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
                elif path in self.candidates:  # a kept version whose file is gone
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
        delta.parsed += len(fresh)
        delta.fresh.extend(fresh)
        for source, version in zip(to_parse, versions, strict=True):
            old = self.entries.get(source.path)
            if old is None or old.version.parsed.type_name != version.parsed.type_name:
                retyped.add(source.path)
            if old is None:
                self._count_folders(source.path, 1)
            self.entries[source.path] = FileEntry(source.signature, source.racy, version)
            touched.add(source.path)
        retyped.update(path for path in touched if path not in self.entries)
        return touched, retyped

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
        from api.content.source.parallel import parse_all

        missing = [s for s, key in zip(sources, keys, strict=True) if key not in self.known]
        parsed_now = dict(zip((s.path for s in missing), parse_all(missing), strict=True))
        versions, fresh = [], []
        for source, key in zip(sources, keys, strict=True):
            parsed = parsed_now.get(source.path)
            version = FileVersion(
                parsed or self.known[key], _body(parsed or self.known[key], source.data), key
            )
            versions.append(version)
            if parsed is not None:
                fresh.append(version)
        return versions, fresh

    def _update_candidates(self, touched: set[str], retyped: set[str]) -> set[str]:
        """Each touched file's candidate; returns the paths to decide again."""
        affected: set[str] = set()
        for path in touched:
            entry = self.entries.get(path)
            old = self.candidates.get(path)
            if entry is None:
                new = None
            elif not entry.version.parsed.has_errors:
                new = entry.version
            else:
                new = old  # its own errors: the last good version, if there is one
            if entry is not None and entry.version.parsed.has_errors and new is not None:
                self.kept.add(path)
            else:
                self.kept.discard(path)
            if new is old:
                continue
            if old is not None:
                affected.update(self._unindex(path, old))
            if new is None:
                self.candidates.pop(path, None)
            else:
                self.candidates[path] = new
                affected.update(self._index(path, new))
        for path in retyped:
            affected.update(self.referrers.get(path, ()))
        return affected

    def _names(self, path: str, version: FileVersion) -> Iterator[tuple[Claims, str]]:
        parsed = version.parsed
        if parsed.kind is FileKind.PERSON:
            yield self.people, person_slug_of(path, version)
        elif parsed.kind is FileKind.PAGE:
            url = page_url(path)
            yield self.urls, url.lower()
            if parsed.type_name == POST_TYPE:
                yield self.post_slugs, page_slug(url)

    def _index(self, path: str, version: FileVersion) -> set[str]:
        """Register a candidate's claims and references; returns who else claims its names."""
        others: set[str] = set()
        for claims, name in self._names(path, version):
            claims.add(name, path)
            others.update(claims.claimants(name))
        for reference in version.parsed.references:
            self.referrers.setdefault(reference.key, set()).add(path)
        return others

    def _unindex(self, path: str, version: FileVersion) -> set[str]:
        others: set[str] = set()
        for claims, name in self._names(path, version):
            claims.remove(name, path)
            others.update(claims.claimants(name))
        for reference in version.parsed.references:
            found = self.referrers.get(reference.key)
            if found is not None:
                found.discard(path)
                if not found:
                    del self.referrers[reference.key]
        return others

    # Deciding what is served

    def _decide(self, paths: set[str], delta: StateDelta) -> None:
        for path in sorted(paths):
            candidate = self.candidates.get(path)
            cross, reachable = (
                self._cross_problems(path, candidate) if candidate is not None else ([], False)
            )
            served = candidate if reachable else None
            old = self.served.get(path)
            if served is not old:
                if old is not None:
                    self._served_digest ^= _key_digest(old.key)
                if served is None:
                    self.served.pop(path, None)
                else:
                    self.served[path] = served
                    self._served_digest ^= _key_digest(served.key)
                delta.served[path] = served
            self._rebind_people(path, served, delta)
            self._set_problems(path, cross, delta)

    def _rebind_people(self, path: str, served: FileVersion | None, delta: StateDelta) -> None:
        """A person who starts or stops being served, or changes slug, changes every byline."""
        is_person = served is not None and served.parsed.kind is FileKind.PERSON
        slug = person_slug_of(path, served) if is_person and served is not None else None
        if self.person_slugs.get(path) == slug:
            return
        if slug is None:
            self.person_slugs.pop(path, None)
        else:
            self.person_slugs[path] = slug
        delta.rebound.update(
            referrer for referrer in self.referrers.get(path, ()) if referrer in self.served
        )

    def _cross_problems(
        self, path: str, candidate: FileVersion
    ) -> tuple[list[ContentProblem], bool]:
        """Problems that other files give this candidate, as the other files are now, and
        whether it can still be served (no other file owns its URL or slug)."""
        found: list[tuple[tuple[str | int, ...], str]] = []
        parsed = candidate.parsed
        for reference in parsed.references:
            where = format_location(reference.location)
            target = self.entries.get(reference.key)
            if target is None:
                found.append(
                    (reference.location, f"{where}: no such file: content/{reference.key}")
                )
                continue
            kind = target.version.parsed.type_name
            if kind is not None and kind != reference.target_type:
                message = (
                    f"{where}: content/{reference.key} is a {kind}, "
                    f"expected a {reference.target_type}"
                )
                found.append((reference.location, message))
        conflict = self._conflict(path, candidate)
        if conflict:
            found.append(conflict)
        if not found:
            return [], True
        lines = lines_for(parsed.kind, self._bytes_for_lines(path))
        problems = [
            ContentProblem(path, lines.line_of(location), Severity.ERROR, message)
            for location, message in found
        ]
        return problems, conflict is None

    def _conflict(
        self, path: str, candidate: FileVersion
    ) -> tuple[tuple[str | int, ...], str] | None:
        parsed = candidate.parsed
        if parsed.kind is FileKind.PERSON:
            slug = person_slug_of(path, candidate)
            where: tuple[str | int, ...] = ("slug",) if slug != person_slug(path) else ()
            prefix = "slug: " if where else ""
            if not is_valid_slug(slug):
                what = "not a valid slug" if where else "file name is not a valid slug"
                return where, f"{prefix}{what} ({SLUG_RULE})"
            owner = self.people.owner(slug)
            if owner != path:
                return where, f"{prefix}author slug '{slug}' is already used by content/{owner}"
            return None
        if parsed.kind is not FileKind.PAGE:
            return None
        url = page_url(path)
        if not all(is_valid_slug(segment) for segment in url.split("/") if segment):
            return (), f"file or folder name is not a valid URL segment ({SLUG_RULE})"
        owner = self.urls.owner(url.lower())
        if owner != path:
            return (), f"URL {url} is already served by {owner}"
        if parsed.type_name == POST_TYPE:
            slug = page_slug(url)
            if slug in RESERVED_POST_SLUGS:
                return (), (
                    f"post slug '{slug}' is taken by the API's route /api/posts/{slug}; "
                    "rename the file"
                )
            owner = self.post_slugs.owner(slug)
            if owner != path:
                return (), f"post slug '{slug}' is already used by {owner}"
        return None

    def _bytes_for_lines(self, path: str) -> bytes:
        """The file as it is now, only to turn a problem's location into a line number."""
        try:
            with open(os.path.join(self.root, path), "rb") as handle:
                return handle.read(self.max_file_bytes + 1)
        except OSError:
            return b""

    def _set_problems(self, path: str, cross: list[ContentProblem], delta: StateDelta) -> None:
        file_problem = self.file_problems.get(path)
        entry = self.entries.get(path)
        if (
            not cross
            and file_problem is None
            and (entry is None or not entry.version.parsed.problems)
            and path not in self.problems
        ):
            return  # no problem before, none now: the common case, made cheap
        problems: list[ContentProblem] = []
        if file_problem is not None:
            problems.append(file_problem)
        entry = self.entries.get(path)
        if entry is not None:
            problems.extend(entry.version.parsed.problems)
        problems.extend(cross)
        new = tuple(sorted(problems, key=lambda problem: problem.line))
        old = self.problems.get(path, ())
        if new == old:
            return
        if old:
            self._problems_digest ^= _problems_digest(path, old)
        if new:
            self.problems[path] = new
            self._problems_digest ^= _problems_digest(path, new)
        else:
            self.problems.pop(path, None)
        delta.problems_changed = True
        delta.appeared.extend(problem for problem in new if problem not in old)


def _is_utf8(path: str) -> bool:
    """A name the file system gave as bytes that are not UTF-8 (``os.fsdecode``'s surrogates)."""
    try:
        path.encode()
    except UnicodeEncodeError:
        return False
    return True


def _problems_digest(path: str, problems: tuple[ContentProblem, ...]) -> int:
    name = path.encode("utf-8", "surrogateescape")  # a name that is not UTF-8 is reported
    return _digest(name, *(problem.format().encode() for problem in problems))


def _body(parsed: ParsedFile, data: bytes) -> str:
    """The Markdown body of a usable page, exactly as the file has it."""
    if parsed.kind is not FileKind.PAGE or parsed.blob is None:
        return ""
    try:
        return markdown_body(decode_utf8(data))
    except ParseError:
        return ""
