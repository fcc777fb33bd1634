"""The current snapshot of the content, and how a new one replaces it.

Requests read ``repository.snapshot`` once and keep that object; a reload makes
a new snapshot off the request path and swaps it in with one assignment, so no
request ever sees half an index. The first load reads every file (or takes its
parse from the parse cache); after that a reload is told which paths changed
and derives the new snapshot from the old one, so an edit costs what it changes
(``api.content.live.state``, ``Snapshot.derive``). A full pass (SIGHUP, the watcher's
periodic check, a worker forked from an older parent) compares every file's stat
signature and reads only those that changed.

Each new snapshot states which content keys changed; the response cache and the
propagation consumers (purges, webhooks, event streams) learn of it through
``keys_since`` and ``subscribe``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from api.content.live.change import ContentChange
from api.content.live.proposal import proposal_problems
from api.content.live.state import ContentState, StateDelta
from api.content.model.diff import SnapshotDiff
from api.content.model.rendering import renderer_version
from api.content.model.snapshot import Snapshot, SnapshotOptions
from api.content.source.parse_cache import CacheContents, ParseCache
from api.content.source.parsed import FileVersion, ParsedFile
from api.content.source.problems import ContentProblem, Severity

log = logging.getLogger(__name__)

JOURNAL_COMPACT_BYTES = 1 << 20  # the parse cache's journal is compacted past this (and the cache)
HISTORY = 256  # snapshots whose changed keys are remembered, for caches that fell behind
Listener = Callable[[ContentChange], None]
Follower = Callable[[Snapshot, Snapshot, SnapshotDiff], None]

FOLDER_FAULT = "content-folder"
WATCHER_FAULT = "watcher"
PARSE_CACHE_FAULT = "parse-cache"


class ContentRepository:
    def __init__(
        self,
        root: Path,
        *,
        max_file_bytes: int,
        options: SnapshotOptions | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.root = root
        self.max_file_bytes = max_file_bytes
        self.options = options or SnapshotOptions()
        allow_raw_html = self.options.allow_raw_html
        self.cache = (
            ParseCache(
                cache_dir, root, renderer=lambda: renderer_version(allow_raw_html=allow_raw_html)
            )
            if cache_dir is not None
            else None
        )
        self.renders = self.cache.renders if self.cache is not None else None
        self._reporter = True
        self._reload_lock = threading.Lock()
        self._state: ContentState | None = None
        self._snapshot: Snapshot | None = None
        self._history: deque[tuple[int, frozenset[str] | None]] = deque(maxlen=HISTORY)
        self._listeners: list[Listener] = []
        self._followers: list[Follower] = []
        self._faults: dict[str, str] = {}
        self._folder_was_missing = False
        self.last_parsed = 0  # files parsed by the last reload (not taken from the parse cache)
        self.last_examined = 0  # files the last reload looked at
        self.trusted = 0  # files the first load took from the parse cache's records, unread
        self.full_checks = 0  # full checks done (every file read again): after a trusting start

    @property
    def reporter(self) -> bool:
        """Whether this process logs content problems and faults: every worker applies every
        change, so one of them (``api.serve``) says so, and the others keep quiet."""
        return self._reporter

    @reporter.setter
    def reporter(self, value: bool) -> None:
        self._reporter = value
        if self.cache is not None:
            self.cache.quiet = not value

    @property
    def served(self) -> Mapping[str, FileVersion] | None:
        """The versions the content state serves, by path (read-only: their file keys make the
        search index's fingerprints cheap); ``None`` before the first load."""
        return self._state.served if self._state is not None else None

    @property
    def snapshot(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is None:
            snapshot = self.reload()
        return snapshot

    # Faults: what keeps the service from being whole, while it goes on serving

    @property
    def faults(self) -> dict[str, str]:
        """Each current fault by cause: shown in ``/healthz``, cleared when the cause goes."""
        faults = dict(self._faults)
        if self.cache is not None and self.cache.error is not None:
            faults[PARSE_CACHE_FAULT] = self.cache.error
        return faults

    def set_fault(self, cause: str, message: str | None) -> None:
        """Record (or, with ``None``, clear) a fault; each is logged once when it appears."""
        old = self._faults.get(cause)
        if message is None:
            if old is not None:
                del self._faults[cause]
                log.log(logging.INFO if self.reporter else logging.DEBUG, "resolved: %s", old)
        elif message != old:
            self._faults[cause] = message
            log.log(logging.WARNING if self.reporter else logging.DEBUG, "%s", message)

    # Reloading

    def reload(self, paths: Iterable[str] | None = None, *, reread: bool = False) -> Snapshot:
        """Bring the snapshot up to date with the disk: for ``paths`` (relative to the root,
        files or folders), or every path when ``None`` (a stat pass; ``reread`` reads all).

        Nothing is swapped when nothing changed: the current snapshot (and its warm
        caches, and the memory a forked worker shares with its parent) stays. ``reread`` of
        every path is the full check (``check``).
        """
        snapshot = self._reload(paths, reread=reread)
        if paths is None and reread:
            self.full_checks += 1
        return snapshot

    def check(self) -> Snapshot:
        """The full check: every file read again and compared by its bytes, not its stat (after
        a start that trusted the parse cache's records, and on SIGHUP)."""
        return self.reload(None, reread=True)

    def _reload(self, paths: Iterable[str] | None, *, reread: bool) -> Snapshot:
        started = time.perf_counter()
        with self._reload_lock:
            current = self._snapshot
            if not self.root.is_dir():
                self._folder_was_missing = True
                self.set_fault(
                    FOLDER_FAULT,
                    f"content folder {self.root} is missing or not a folder; "
                    "serving the last content loaded until it is back",
                )
                if current is not None:
                    return current
                self._state = ContentState(self.root, self.max_file_bytes)
                built = Snapshot.build(self._state, self.options, sequence=1, renders=self.renders)
                return self._swap(built, None, None, started)
            self.set_fault(FOLDER_FAULT, None)
            if self._folder_was_missing:
                self._folder_was_missing, paths = False, None  # it may be another folder now
            if self._state is None or current is None:
                sequence = current.sequence + 1 if current is not None else 1
                return self._swap(self._first_load(sequence), None, None, started)
            kept_before = self._kept()
            try:
                delta = self._state.apply(paths, reread=reread)
                self._count(delta)
                self._log_problems(delta)
                if not delta.changed:
                    return current
                if delta.relocalised:  # every URL may have changed: nothing to derive from
                    built = Snapshot.build(
                        self._state,
                        self.options,
                        sequence=current.sequence + 1,
                        renders=self.renders,
                    )
                    snapshot, diff = built, None
                else:
                    snapshot, diff = current.derive(self._state, delta)
            except BaseException:
                # Half applied, the state can no longer be trusted to match the disk: the
                # next reload builds it again from scratch (the current snapshot serves on).
                self._state = None
                raise
            if self.cache is not None:
                kept = self._kept()
                disk = self._state.disk
                files = {path: disk.record(path) for path in delta.touched}
                self.cache.append(delta.fresh, None if _same(kept, kept_before) else kept, files)
                if self.reporter and self.cache.journal_outgrew(JOURNAL_COMPACT_BYTES):
                    versions = (entry.version for entry in disk.entries.values())
                    self.cache.save(versions, kept, disk.records())
            return self._swap(snapshot, diff, delta, started)

    def check_proposal(
        self, proposal: Mapping[str, tuple[ParsedFile, bytes] | None]
    ) -> list[ContentProblem]:
        """The errors a reload would report after the proposed files (path -> parse and bytes;
        ``None``: deleted) replaced those on disk: for a write, before anything is written."""
        if self._state is None:
            self.reload()
        with self._reload_lock:
            if self._state is None:
                return []  # the state could not be built: the reload said why
            return proposal_problems(self._state, proposal)

    def catch_up(self) -> Snapshot:
        """A stat pass over every file: for a worker forked from a parent that loaded earlier."""
        return self.reload(None)

    def _first_load(self, sequence: int) -> Snapshot:
        contents = self.cache.load() if self.cache is not None else CacheContents()
        state = ContentState(
            self.root,
            self.max_file_bytes,
            known=contents.known,
            kept=contents.kept,
            trusted=contents.files,
        )
        records = dict(contents.files)
        delta = state.apply(None)
        state.disk.known, state.disk.trusted = {}, {}  # used once: the entries hold them now
        self._state = state
        self.trusted = state.disk.trusted_count
        self._count(delta)
        self._log_problems(delta)
        if self.cache is not None:
            files = state.disk.records()
            if (
                delta.fresh
                or self.cache.has_journal()
                or len(contents.known) != len(state.disk.entries)
                or files != records
            ):
                self.cache.save(
                    (entry.version for entry in state.disk.entries.values()), self._kept(), files
                )
        return Snapshot.build(state, self.options, sequence=sequence, renders=self.renders)

    def _count(self, delta: StateDelta) -> None:
        self.last_parsed = delta.parsed
        self.last_examined = delta.examined

    def _kept(self) -> dict[str, FileVersion]:
        state = self._state
        if state is None:
            return {}
        return {path: state.candidates[path] for path in state.kept if path in state.candidates}

    def _swap(
        self,
        snapshot: Snapshot,
        diff: SnapshotDiff | None,
        delta: StateDelta | None,
        started: float,
    ) -> Snapshot:
        """Make ``snapshot`` (derived from the current one with ``diff``, or built from scratch
        when ``None``) the current one, and tell whoever follows or listens."""
        previous = self._snapshot
        change = None
        if previous is not None:
            change = ContentChange.between(previous, snapshot, diff, self._referrers(diff))
            if diff is not None:
                for follower in self._followers:
                    follower(previous, snapshot, diff)
        self._snapshot = snapshot
        self._history.append((snapshot.sequence, change.keys if diff and change else None))
        self._log_reload(snapshot, delta, started)
        if change is not None:
            self._notify(change)
        return snapshot

    # Who learns of a new snapshot

    def keys_since(self, sequence: int) -> frozenset[str] | None:
        """The public keys changed after snapshot ``sequence`` up to the current one;
        ``None`` when that is not known (too long ago, or a snapshot built from scratch)."""
        changed: set[str] = set()
        reached = False
        # a copy (made without a thread switch): the reloading thread appends meanwhile
        for number, keys in reversed(tuple(self._history)):
            if number <= sequence:
                reached = number == sequence
                break
            if keys is None:
                return None
            changed |= keys
        return frozenset(changed) if reached else None

    def follow(self, follower: Follower) -> None:
        """Call ``follower(previous, snapshot)`` for each snapshot derived from the last, just
        before it goes live: for what is derived alongside (the search index)."""
        self._followers.append(follower)

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener`` with a ``ContentChange`` after each new snapshot is live.

        It runs in the reloading thread: a listener hands its work to its own thread.
        """
        self._listeners.append(listener)

    def _referrers(self, diff: SnapshotDiff | None) -> dict[str, tuple[str, ...]]:
        """A copy of the referrers of the paths ``diff`` touched: a change's paths are worked
        out later, if a webhook or an event stream asks, and the state goes on changing."""
        found = self._state.claims.referrers if self._state is not None else {}
        if diff is None:
            return {}
        return {path: tuple(pages) for path in diff.touched if (pages := found.get(path))}

    def _notify(self, change: ContentChange) -> None:
        for listener in self._listeners:
            try:
                listener(change)
            except Exception:  # one consumer's bug must not stop the others or the reloads
                log.exception("a content change listener failed")

    # Logging: each problem once when it appears, one line per reload

    def _log_problems(self, delta: StateDelta) -> None:
        if not self.reporter:
            return
        for problem in delta.appeared:
            level = logging.ERROR if problem.severity is Severity.ERROR else logging.WARNING
            log.log(level, "%s", problem.format())

    def _log_reload(self, snapshot: Snapshot, delta: StateDelta | None, started: float) -> None:
        public, _ = snapshot.public_view()
        errors = sum(
            1 for problems in snapshot.problems_by_path.values() for p in problems
            if p.severity is Severity.ERROR
        )  # fmt: skip
        what = (
            "loaded"
            if delta is None
            else f"reloaded ({len(delta.served)} changed, {len(delta.fresh)} parsed)"
        )
        log.log(
            logging.INFO if self.reporter else logging.DEBUG,
            "content %s %s: %d posts, %d authors, %d errors, in %.0f ms",
            snapshot.version[:12],
            what,
            len(public.posts),
            len(public.authors),
            errors,
            (time.perf_counter() - started) * 1000,
        )


def _same(a: dict[str, FileVersion], b: dict[str, FileVersion]) -> bool:
    return a.keys() == b.keys() and all(a[path] is b[path] for path in a)
