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

from api.content.live import chain_gaps
from api.content.live.claims import NameClaims, person_slug_of
from api.content.live.on_disk import DiskFiles
from api.content.source.hints import reference_form
from api.content.source.locales import (
    LOCALES_FILE,
    SITE_TRANSLATION,
    Locales,
    page_identity,
    parse_locales,
    undeclared_suffix,
)
from api.content.source.parsed import FileKind, FileVersion, Reference
from api.content.source.parser import lines_for
from api.content.source.paths import REPOSITORY_PREFIX
from api.content.source.problems import ContentProblem, Severity, gap_of
from api.content.source.reading import ReadResult
from api.content.source.validation import format_location

log = logging.getLogger(__name__)


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
    touched: set[str] = field(default_factory=set)  # paths whose file was read anew or went
    problems_changed: bool = False
    relocalised: bool = False  # data/locales.json changed: every page's URL may have
    examined: int = 0  # files looked at
    parsed: int = 0  # files parsed (not taken from the parse cache)

    @property
    def changed(self) -> bool:
        return bool(self.served or self.rebound or self.problems_changed or self.relocalised)


def _key_digest(key: bytes) -> int:
    """A served file's share of the version: its key already hashes its path and bytes."""
    return int.from_bytes(key[:16], "big")


def _digest(*parts: bytes) -> int:
    digest = hashlib.blake2b(b"\0".join(parts), digest_size=16).digest()
    return int.from_bytes(digest, "big")


class ContentState:
    """Every content file under ``root`` and what of it is served; see the module docstring.

    What is on disk is ``disk`` (``api.content.live.on_disk``), who claims which name and who
    refers to whom ``claims`` (``api.content.live.claims``); this class decides, file by file,
    which version is each file's candidate and whether it is served.
    """

    def __init__(
        self,
        root: Path,
        max_file_bytes: int,
        *,
        known: dict[bytes, FileVersion] | None = None,
        kept: dict[str, FileVersion] | None = None,
        trusted: dict[str, tuple[bytes, bytes]] | None = None,
    ) -> None:
        self.disk = DiskFiles(root, max_file_bytes, known, trusted)
        self.claims = NameClaims()
        self.candidates: dict[str, FileVersion] = {}
        self.kept: set[str] = set()
        self.served: dict[str, FileVersion] = {}
        self.person_slugs: dict[str, str] = {}  # served people's slugs, by path
        self.problems: dict[str, tuple[ContentProblem, ...]] = {}
        self.locales: Locales | None = None  # data/locales.json, when it is usable
        self._served_digest = 0
        self._problems_digest = 0
        for path, version in (kept or {}).items():
            self.candidates[path] = version
            self.claims.index(path, version)

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
        or it was written too recently to tell (see ``reading.RACY_NS``).
        """
        delta = StateDelta()
        found = ReadResult()
        disk = self.disk
        if paths is None:
            on_disk = disk.walk(found)
            # candidates: the last good versions from the parse cache, whose files may be gone
            examine = on_disk | disk.entries.keys() | disk.file_problems.keys()
            examine |= self.candidates.keys()
        else:
            examine = disk.expand(paths, found)
        walk_problems = {problem.path: problem for problem in found.problems}
        examine |= walk_problems.keys()
        delta.examined = len(examine)
        walked = on_disk if paths is None else set()  # the walk follows no symlinked folder
        refreshed = disk.refresh(sorted(examine), walk_problems, walked, reread, self.candidates)
        delta.parsed += len(refreshed.fresh)
        delta.fresh.extend(refreshed.fresh)
        delta.touched = refreshed.touched
        affected = self._update_candidates(refreshed.touched, refreshed.retyped)
        relocalised = self._follow_locales()
        delta.relocalised = bool(relocalised)
        self._decide(affected | relocalised | refreshed.touched, delta)
        return delta

    # Locales

    def _follow_locales(self) -> set[str]:
        """Take ``data/locales.json`` as it is now: usable whole, or (an error, or no file) a
        site of one locale. When that changes, every name changes (URLs, slugs within their
        locale): every candidate claims again and is decided again."""
        entry = self.disk.entries.get(LOCALES_FILE)
        locales = None
        if entry is not None and not entry.version.parsed.has_errors:
            locales = parse_locales(entry.version.parsed.data)
        if locales == self.locales:
            return set()
        for path, version in self.candidates.items():
            self.claims.unindex(path, version)
        self.locales = self.claims.locales = locales
        for path, entry in self.disk.entries.items():  # a translation's gaps: it may be now
            version = entry.version
            if version.parsed.has_errors and not version.parsed.has_errors_but_gaps:
                if self._acceptable(path, version):
                    self.candidates[path] = version
                elif self.candidates.get(path) is version:
                    del self.candidates[path]
        for path, version in self.candidates.items():
            self.claims.index(path, version)
        return set(self.candidates) | set(self.served)

    def _acceptable(self, path: str, version: FileVersion) -> bool:
        return chain_gaps.acceptable(path, version, self.claims, self.locales)

    def _update_candidates(self, touched: set[str], retyped: set[str]) -> set[str]:
        """Each touched file's candidate; returns the paths to decide again."""
        affected: set[str] = set()
        for path in touched:
            entry = self.disk.entries.get(path)
            old = self.candidates.get(path)
            accepted = entry is not None and self._acceptable(path, entry.version)
            if entry is None:
                new = None
            elif accepted:
                new = entry.version
            else:
                new = old  # its own errors: the last good version, if there is one
            if entry is not None and not accepted and new is not None:
                self.kept.add(path)
            else:
                self.kept.discard(path)
            if new is old:
                continue
            if old is not None:
                affected.update(self.claims.unindex(path, old))
            if new is None:
                self.candidates.pop(path, None)
            else:
                self.candidates[path] = new
                affected.update(self.claims.index(path, new))
        for path in retyped:
            affected.update(self.claims.referrers.get(path, ()))
        return affected

    # Deciding what is served

    def _decide(self, paths: set[str], delta: StateDelta) -> None:
        for path in sorted(paths):
            candidate = self.candidates.get(path) if not self._unlocalised(path) else None
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
        slug = (
            person_slug_of(path, served, self.locales) if is_person and served is not None else None
        )
        if self.person_slugs.get(path) == slug:
            return
        if slug is None:
            self.person_slugs.pop(path, None)
        else:
            self.person_slugs[path] = slug
        delta.rebound.update(
            referrer for referrer in self.claims.referrers.get(path, ()) if referrer in self.served
        )

    def _cross_problems(
        self, path: str, candidate: FileVersion
    ) -> tuple[list[ContentProblem], bool]:
        """Problems that other files give this candidate, as the other files are now, and
        whether it can still be served (no other file owns its URL or slug)."""
        found: list[tuple[tuple[str | int, ...], str]] = []
        notes: list[tuple[tuple[str | int, ...], str]] = []  # warnings: served all the same
        parsed = candidate.parsed
        unlocalised = self._locale_problem(path, candidate, notes)
        if unlocalised:
            found.append(unlocalised)
        for reference in parsed.references:
            where = format_location(reference.location)
            target = self.disk.entries.get(reference.key)
            if target is None:
                message = f"{where}: no such file: content/{reference.key}"
                found.append((reference.location, message + self._reference_hint(reference)))
                continue
            kind = target.version.parsed.type_name
            if kind is not None and kind != reference.target_type:
                message = (
                    f"{where}: content/{reference.key} is a {kind}, "
                    f"expected a {reference.target_type}"
                )
                found.append((reference.location, message))
        conflict = self.claims.conflict(path, candidate) or unlocalised
        if conflict and conflict is not unlocalised:
            found.append(conflict)
        unfilled = chain_gaps.unfilled(path, candidate, self.claims, self.candidates, self.locales)
        found += unfilled
        conflict = conflict or (unfilled[0] if unfilled else None)
        if not found and not notes:
            return [], True
        lines = lines_for(parsed.kind, self._bytes_for_lines(path))
        problems = [
            ContentProblem(path, lines.line_of(location), Severity.ERROR, message)
            for location, message in found
        ] + [
            ContentProblem(path, lines.line_of(location), Severity.WARNING, message)
            for location, message in notes
        ]
        return problems, conflict is None

    def _locale_problem(
        self, path: str, candidate: FileVersion, notes: list[tuple[tuple[str | int, ...], str]]
    ) -> tuple[tuple[str | int, ...], str] | None:
        """Why a site file's translation cannot be served (its locale is not declared), or
        ``None``; warnings about names that look like a locale's go to ``notes``."""
        parsed, locales = candidate.parsed, self.locales
        site_translation = SITE_TRANSLATION.fullmatch(path)
        if site_translation is not None and locales is not None:
            code = locales.canonical(site_translation["code"])
            if code is None:
                declared = ", ".join(locales.codes)
                written = site_translation["code"]
                return (), f"'{written}' is not a declared locale ({declared}); ignored"
            if code == locales.default:
                return (), f"the default locale's is data/{site_translation['name']}.json; ignored"
            return None
        if locales is None:
            return None
        if parsed.kind in (FileKind.PAGE, FileKind.PERSON):
            code = undeclared_suffix(path, locales)
            if code is not None:
                declared = ", ".join(locales.codes)
                notes.append(
                    ((), f"'{code}' is not a declared locale ({declared}): served as an "
                     "ordinary file, the suffix part of its name")
                )  # fmt: skip
        facts = parsed.facts
        if facts is not None and facts.slug:
            identity = page_identity(path, facts.slug, locales)
            if identity.code == locales.default and identity.slug != facts.slug:
                message = "only a translation's slug changes its URL; this one is its file name's"
                notes.append((("slug",), f"slug: {message}"))
        return None

    def _unlocalised(self, path: str) -> bool:
        """A site file's translation on a site of one locale: not content at all (as before
        sites had locales), so neither served nor reported."""
        return self.locales is None and SITE_TRANSLATION.fullmatch(path) is not None

    @staticmethod
    def _reference_hint(reference: Reference) -> str:
        """The form a dangling reference should take, when it does not take it.

        It depends on the reference alone: a message that named the nearest existing file
        would change when another file comes or goes, which decides nothing again here
        (``LoadedContent.suggestions`` names it, for ``content check``)."""
        form = reference_form(reference.target_type)
        folder, rest = form.removeprefix(REPOSITORY_PREFIX).split("<", 1)
        if reference.key.startswith(folder) and reference.key.endswith(rest.split(">")[-1]):
            return ""
        return f" (a reference is a path like {form})"

    def dangling_references(self) -> Iterator[tuple[str, Reference]]:
        """Each candidate's references to no file at all, by the candidate's path."""
        for path, candidate in self.candidates.items():
            for reference in candidate.parsed.references:
                if reference.key not in self.disk.entries:
                    yield path, reference

    def _bytes_for_lines(self, path: str) -> bytes:
        """The file as it is now, only to turn a problem's location into a line number."""
        try:
            with open(os.path.join(self.disk.root, path), "rb") as handle:
                return handle.read(self.disk.max_file_bytes + 1)
        except OSError:
            return b""

    def _set_problems(self, path: str, cross: list[ContentProblem], delta: StateDelta) -> None:
        file_problem = self.disk.file_problems.get(path)
        entry = self.disk.entries.get(path)
        if self._unlocalised(path):  # not content on a site of one locale: nothing to report
            file_problem, entry, cross = None, None, []
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
        if entry is not None:
            own = entry.version.parsed.problems
            if self.candidates.get(path) is entry.version and entry.version.parsed.gaps:
                own = tuple(p for p in own if gap_of(p) is None)  # the chain's to fill
            problems.extend(own)
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


def _problems_digest(path: str, problems: tuple[ContentProblem, ...]) -> int:
    name = path.encode("utf-8", "surrogateescape")  # a name that is not UTF-8 is reported
    return _digest(name, *(problem.format().encode() for problem in problems))
