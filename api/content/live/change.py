"""One new snapshot as its consumers (caches, webhooks, event streams) learn of it.

A change is a value made from the two snapshots and the diff between them (``between``), or
from values already worked out (``of``: a change merged from two, or a version announced).
Its public keys are worked out at once: every response cache needs them. The page paths can
take a pass over every page (the pages that show the newest posts), and the preview keys a
sort of every page, so both are worked out on first use, by methods, never by closures: only
webhooks and open event streams ask (preview ones only for the preview's). Nothing here
refers back to the change itself, so a replaced snapshot is freed as soon as the last change
that names it is.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping

from api.content.model import keys as k
from api.content.model.affected import changed_keys, changed_paths
from api.content.model.diff import SnapshotDiff
from api.content.model.snapshot import Snapshot

# What a snapshot built from scratch may have changed: everything (every page and person).
ANYTHING = frozenset({k.VERSION, k.ANY_PAGE, k.ANY_PERSON})
_NO_DIFF = SnapshotDiff()


class ContentChange:
    """The content keys and front-end paths one new snapshot changed, for the public and for
    preview, from ``previous_version`` to ``version``."""

    __slots__ = (
        "_lock", "_paths", "_preview_keys", "_preview_paths", "_source", "keys",
        "previous_version", "version",
    )  # fmt: skip

    def __init__(
        self,
        previous_version: str,
        version: str,
        keys: frozenset[str],
        *,
        source: _Source | None = None,
        paths: tuple[str, ...] | None = None,
        preview_keys: frozenset[str] | None = None,
        preview_paths: tuple[str, ...] | None = None,
    ) -> None:
        self.previous_version = previous_version
        self.version = version
        self.keys = keys  # content keys whose public answers changed
        self._lock = threading.Lock()
        self._source = source  # what the lazy parts are worked out from (None: all given)
        self._paths = paths
        self._preview_keys = preview_keys
        self._preview_paths = preview_paths

    @classmethod
    def between(
        cls,
        previous: Snapshot,
        snapshot: Snapshot,
        diff: SnapshotDiff | None,
        referrers: Mapping[str, tuple[str, ...]],
    ) -> ContentChange:
        """The change from ``previous`` to ``snapshot``: derived with ``diff``, or built from
        scratch (``None``: anything may have changed). ``referrers`` names, for each path the
        diff touched, the pages that refer to it (a copy: the content state goes on changing)."""
        if diff is None:
            source = _Source(previous, snapshot, _NO_DIFF, referrers, ANYTHING)
            return cls(previous.version, snapshot.version, ANYTHING, source=source)
        keys = changed_keys(previous, snapshot, diff)
        source = _Source(previous, snapshot, diff, referrers, None)
        return cls(previous.version, snapshot.version, keys, source=source)

    @classmethod
    def of(
        cls,
        previous_version: str,
        version: str,
        keys: frozenset[str] = frozenset(),
        paths: Iterable[str] = (),
        preview_keys: frozenset[str] = frozenset(),
        preview_paths: Iterable[str] = (),
    ) -> ContentChange:
        """A change whose every part is known (merged from two, or a version announced)."""
        return cls(
            previous_version,
            version,
            keys,
            paths=tuple(paths),
            preview_keys=preview_keys,
            preview_paths=tuple(preview_paths),
        )

    @property
    def paths(self) -> tuple[str, ...]:
        """Front-end URL paths of public pages whose page changed."""
        with self._lock:
            if self._paths is None:
                self._paths = self._require_source().paths(self.keys, preview=False)
                self._release()
            return self._paths

    @property
    def preview_keys(self) -> frozenset[str]:
        """The keys that changed, counting drafts."""
        with self._lock:
            if self._preview_keys is None:
                self._preview_keys = self._require_source().preview_keys()
                self._release()
            return self._preview_keys

    @property
    def preview_paths(self) -> tuple[str, ...]:
        """The paths that changed, counting drafts."""
        keys = self.preview_keys
        with self._lock:
            if self._preview_paths is None:
                self._preview_paths = self._require_source().paths(keys, preview=True)
                self._release()
            return self._preview_paths

    def body(self, *, preview: bool = False) -> dict[str, object]:
        """The JSON body webhooks and event streams send."""
        return {
            "contentVersion": self.version,
            "previousVersion": self.previous_version,
            "changed": {
                "paths": list(self.preview_paths if preview else self.paths),
                "keys": sorted(self.preview_keys if preview else self.keys),
            },
        }

    def _require_source(self) -> _Source:
        assert self._source is not None  # every part not given is worked out from it
        return self._source

    def _release(self) -> None:
        """Once every part is worked out, the two snapshots are not needed any more."""
        if None not in (self._paths, self._preview_keys, self._preview_paths):
            self._source = None

    def __repr__(self) -> str:
        return f"ContentChange({self.previous_version[:12]} -> {self.version[:12]})"


class _Source:
    """The two snapshots, their diff and the referrers a change's lazy parts come from."""

    __slots__ = ("anything", "diff", "previous", "referrers", "snapshot")

    def __init__(
        self,
        previous: Snapshot,
        snapshot: Snapshot,
        diff: SnapshotDiff,
        referrers: Mapping[str, tuple[str, ...]],
        anything: frozenset[str] | None,
    ) -> None:
        self.previous = previous
        self.snapshot = snapshot
        self.diff = diff
        self.referrers = referrers
        self.anything = anything  # the keys of a snapshot built from scratch

    def preview_keys(self) -> frozenset[str]:
        if self.anything is not None:
            return self.anything
        return changed_keys(self.previous, self.snapshot, self.diff, preview=True)

    def paths(self, keys: frozenset[str], *, preview: bool) -> tuple[str, ...]:
        return changed_paths(
            self.previous, self.snapshot, self.diff, keys, self.referrers, preview=preview
        )
