"""What a new snapshot changed: content keys and the public page paths whose answers changed.

TEMPORARY (issue 13 branch): a minimal stand-in for the lead's issue-10
implementation, so that the propagation consumers can be tested before it is
merged. The interface (``ContentChange``) is the agreed one; ``file_change``
below is a crude file-level approximation (one key per changed file) and is to
be replaced whole by the real content keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from api.content.parsed import FileKind, ParsedFile
from api.content.paths import page_url


@dataclass(frozen=True)
class ContentChange:
    previous_version: str
    version: str
    keys: frozenset[str]  # content keys whose public answers changed
    paths: tuple[str, ...]  # front-end URL paths of public pages whose page changed
    preview_keys: frozenset[str]  # the same, counting drafts (for preview-only consumers)
    preview_paths: tuple[str, ...]


def file_change(
    previous_version: str,
    version: str,
    before: Mapping[str, tuple[bytes, ParsedFile]],
    after: Mapping[str, tuple[bytes, ParsedFile]],
) -> ContentChange:
    """TEMPORARY: one key per changed file (its path); a draft's file changes preview keys only."""
    changed = {path for path in before.keys() | after.keys() if before.get(path, (b"",))[0]
               != after.get(path, (b"",))[0]}  # fmt: skip
    public: set[str] = set()
    for path in changed:
        files = [entry[1] for entry in (before.get(path), after.get(path)) if entry is not None]
        if any(file.facts is None or not file.facts.is_draft for file in files):
            public.add(path)

    def paths_of(keys: set[str]) -> tuple[str, ...]:
        return tuple(
            sorted(
                page_url(path)
                for path in keys
                if (after.get(path) or before[path])[1].kind is FileKind.PAGE
            )
        )

    return ContentChange(
        previous_version,
        version,
        frozenset(public),
        paths_of(public),
        frozenset(changed),
        paths_of(changed),
    )
