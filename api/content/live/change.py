"""What a new snapshot changed: the content keys whose answers changed, and the page paths.

A key changes when anything an answer tagged with it shows may have changed: a
page's key with its file, the post list's key when a post comes, goes or moves
in the order, an author's post list when one of their posts does. Keys are
computed for two audiences: the public (drafts are invisible, so a draft's edit
changes no public key) and preview (everything). See ``api.content.model.keys``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class ContentChange:
    """One new snapshot as its consumers (caches, webhooks, event streams) learn of it.

    The page paths can take a pass over every page to find (the pages that show the newest
    posts), and the preview keys a sort of every page, so both are worked out on first use:
    only webhooks and open event streams ask (preview ones only for the preview's).
    """

    __slots__ = (
        "_lock", "_paths", "_paths_of", "_preview_keys", "_preview_keys_of", "_preview_paths",
        "_preview_paths_of", "keys", "previous_version", "version",
    )  # fmt: skip

    def __init__(
        self,
        previous_version: str,
        version: str,
        keys: frozenset[str],
        paths: tuple[str, ...] | Callable[[], tuple[str, ...]] = (),
        preview_keys: frozenset[str] | Callable[[], frozenset[str]] = frozenset(),
        preview_paths: tuple[str, ...] | Callable[[], tuple[str, ...]] = (),
    ) -> None:
        self.previous_version = previous_version
        self.version = version
        self.keys = keys  # content keys whose public answers changed
        self._lock = threading.Lock()
        self._paths, self._paths_of = _eager_or_lazy(paths, tuple)
        self._preview_keys, self._preview_keys_of = _eager_or_lazy(preview_keys, frozenset)
        self._preview_paths, self._preview_paths_of = _eager_or_lazy(preview_paths, tuple)

    def _worked_out(self, name: str) -> Any:
        """The value in slot ``_<name>``, made by ``_<name>_of`` on first use (then dropped)."""
        with self._lock:
            value = getattr(self, f"_{name}")
            if value is None:
                value = getattr(self, f"_{name}_of")()
                setattr(self, f"_{name}", value)
                setattr(self, f"_{name}_of", None)
            return value

    @property
    def paths(self) -> tuple[str, ...]:
        """Front-end URL paths of public pages whose page changed."""
        return self._worked_out("paths")

    @property
    def preview_keys(self) -> frozenset[str]:
        """The keys that changed, counting drafts."""
        return self._worked_out("preview_keys")

    @property
    def preview_paths(self) -> tuple[str, ...]:
        """The paths that changed, counting drafts."""
        return self._worked_out("preview_paths")

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

    def __repr__(self) -> str:
        return f"ContentChange({self.previous_version[:12]} -> {self.version[:12]})"


def _eager_or_lazy(value: Any, make: Callable[[Any], Any]) -> tuple[Any, Any]:
    """``(value, None)`` for a value given, ``(None, maker)`` for one to work out when asked."""
    return (None, value) if callable(value) else (make(value), None)
