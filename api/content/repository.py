"""The current snapshot of the content, and how a new one replaces it.

Requests read ``repository.snapshot`` once and keep that object; a reload
builds a complete new snapshot off the request path and swaps it in with one
assignment, so no request ever sees half an index.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from api.content.index import Snapshot, SnapshotOptions
from api.content.loader import LoadedContent, load_content
from api.content.models import ContentProblem, Severity

log = logging.getLogger(__name__)


class ContentRepository:
    def __init__(
        self, root: Path, *, max_file_bytes: int, options: SnapshotOptions | None = None
    ) -> None:
        self.root = root
        self.max_file_bytes = max_file_bytes
        self.options = options or SnapshotOptions()
        self._reload_lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    @property
    def snapshot(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is None:
            snapshot = self.reload()
        return snapshot

    def reload(self) -> Snapshot:
        """Load the content folder again and make it the current snapshot."""
        with self._reload_lock:
            snapshot = Snapshot(self._load(), self.options)
            self._snapshot = snapshot
        public, _ = snapshot.public_view()
        log.info(
            "content %s loaded: %d posts, %d authors, %d problems",
            snapshot.version[:12],
            len(public.posts),
            len(public.authors),
            len(snapshot.problems),
        )
        return snapshot

    def _load(self) -> LoadedContent:
        if not self.root.is_dir():
            problem = ContentProblem(".", 1, Severity.ERROR, "content folder not found")
            log.error("content folder %s not found", self.root)
            return LoadedContent(problems=[problem], version="missing")
        return load_content(self.root, self.max_file_bytes)
