"""ContentChange values for the tests."""

from __future__ import annotations

from api.content.live.change import ContentChange


def change(
    version: str,
    previous: str,
    keys: tuple[str, ...] = (),
    paths: tuple[str, ...] = (),
    drafts: tuple[str, ...] = (),
) -> ContentChange:
    """A change of ``keys`` and ``paths``; ``drafts`` are keys and paths seen in preview only."""
    return ContentChange(
        previous_version=previous,
        version=version,
        keys=frozenset(keys),
        paths=paths,
        preview_keys=frozenset(keys) | frozenset(drafts),
        preview_paths=tuple(sorted({*paths, *drafts})),
    )
