"""The current snapshot of the content, and how a new one replaces it.

Requests read ``repository.snapshot`` once and keep that object; a reload
builds a complete new snapshot off the request path and swaps it in with one
assignment, so no request ever sees half an index. Reloads are incremental:
files whose bytes did not change are not parsed again (parse results are kept
in memory and in the persistent parse cache), and a file that turns bad keeps
serving its last good version.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from api.content.cache import ParseCache
from api.content.changes import ContentChange, file_change  # TEMPORARY (issue 13 stub)
from api.content.index import Snapshot, SnapshotOptions
from api.content.loader import LoadedContent, load_content
from api.content.models import ContentProblem, Severity
from api.content.parsed import ParsedFile
from api.content.readers import changed_since

log = logging.getLogger(__name__)


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
        self.cache = ParseCache(cache_dir, root) if cache_dir is not None else None
        self._reload_lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._known: dict[bytes, ParsedFile] = {}
        self._loaded: LoadedContent | None = None
        self._load_started_ns = 0
        self.freeze_after_reload = False  # gc.freeze() each new snapshot (long-running servers)
        self._listeners: list[Callable[[ContentChange], None]] = []  # TEMPORARY (issue 13 stub)

    def subscribe(self, listener: Callable[[ContentChange], None]) -> None:
        """TEMPORARY (issue 13 stub of the lead's issue-10 interface): ``listener`` is called
        in the reloader thread right after each new snapshot is live; it must not block."""
        self._listeners.append(listener)

    @property
    def snapshot(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is None:
            snapshot = self.reload()
        return snapshot

    def reload(self) -> Snapshot:
        """Load the content folder again and make it the current snapshot.

        Nothing is swapped when nothing changed: the current snapshot (and its
        warm caches, and the memory a forked worker shares with its parent) stays.
        """
        with self._reload_lock:
            current = self._snapshot
            before = self._loaded  # TEMPORARY (issue 13 stub)
            loaded = self._load()
            if current is not None and current.version == loaded.version:
                return current
            snapshot = Snapshot(loaded, self.options)
            self._snapshot = snapshot
            if self.freeze_after_reload:
                # Millions of long-lived objects: keep the cyclic GC from scanning them all
                # (pauses) and from touching pages a forked worker shares with its parent.
                gc.freeze()
        if current is not None and before is not None:  # TEMPORARY (issue 13 stub)
            change = file_change(
                current.version,
                snapshot.version,
                {path: (key, before.files[path]) for path, key in before.keys.items()},
                {path: (key, loaded.files[path]) for path, key in loaded.keys.items()},
            )
            for listener in self._listeners:
                try:
                    listener(change)
                except Exception:
                    log.exception("a content change listener failed")
        public, _ = snapshot.public_view()
        log.info(
            "content %s loaded: %d posts, %d authors, %d problems (%d files parsed)",
            snapshot.version[:12],
            len(public.posts),
            len(public.authors),
            len(snapshot.problems),
            loaded.fresh,
        )
        return snapshot

    def changed_since_load(self) -> bool:
        """Whether the files on disk may differ from the current snapshot (a quick stat pass)."""
        if self._loaded is None:
            return True
        paths = {parsed.path for parsed in self._loaded.parsed.values()}
        return changed_since(self.root, paths, self._load_started_ns)

    def _load(self) -> LoadedContent:
        if not self.root.is_dir():
            problem = ContentProblem(".", 1, Severity.ERROR, "content folder not found")
            log.error("content folder %s not found", self.root)
            return LoadedContent(problems=[problem], version="missing")
        self._load_started_ns = time.time_ns()
        if self._loaded is None and self.cache is not None:
            self._known, self._loaded = self.cache.load()
        loaded = load_content(
            self.root, self.max_file_bytes, known=self._known, previous=self._loaded
        )
        if self.cache is not None and (
            loaded.fresh or loaded.kept or self._known.keys() != loaded.parsed.keys()
        ):
            self.cache.save(loaded)
        self._known, self._loaded = loaded.parsed, loaded
        return loaded
