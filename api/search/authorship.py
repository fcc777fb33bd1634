"""Which author each indexed page has, by path: what an index needs to find the pages that a
changed person file touches, kept without copying.

An index opened in a worker reads the slugs from the snapshot's pages when asked: the
worker shares those pages with the process it was forked from, and reading them all up
front would copy their memory into it (reading an object writes its reference count).
Each update lays its few changes over the previous mapping instead of copying it: at
100,000 pages a copy per edit would cost every worker tens of MiB.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any


def _slug_of(page: Any) -> str | None:
    return page.author_slug  # type: ignore[no-any-return]


class AuthorSlugs(Mapping[str, str | None]):
    """Author slugs by path: a base mapping and the changes laid over it; never copied."""

    def __init__(
        self,
        base: Mapping[str, Any],
        read: Callable[[Any], str | None] | None = None,
        changed: Mapping[str, str | None] | None = None,
        removed: frozenset[str] = frozenset(),
    ) -> None:
        self._base = base
        self._read = read
        self._changed: Mapping[str, str | None] = changed or {}
        self._removed = removed  # paths of the base no longer indexed
        added = sum(1 for path in self._changed if path not in base)
        self._length = len(base) - sum(1 for path in removed if path in base) + added

    @classmethod
    def of_pages(cls, pages_by_path: Mapping[str, Any]) -> AuthorSlugs:
        """The slugs of these pages, read from them when asked."""
        return cls(pages_by_path, _slug_of)

    def with_changes(
        self, changed: Mapping[str, str | None], removed: Collection[str]
    ) -> AuthorSlugs:
        """These slugs after an update: ``changed`` indexed (again), ``removed`` gone."""
        now_changed = {path: slug for path, slug in self._changed.items() if path not in removed}
        now_changed.update(changed)
        now_removed = (self._removed | frozenset(removed)) - now_changed.keys()
        return AuthorSlugs(self._base, self._read, now_changed, now_removed)

    def __getitem__(self, path: str) -> str | None:
        if path in self._changed:
            return self._changed[path]
        if path in self._removed:
            raise KeyError(path)
        found = self._base[path]
        return self._read(found) if self._read is not None else found  # type: ignore[no-any-return]

    def __contains__(self, path: object) -> bool:
        if path in self._changed:
            return True
        return path not in self._removed and path in self._base

    def __iter__(self) -> Iterator[str]:
        for path in self._base:
            if path not in self._changed and path not in self._removed:
                yield path
        yield from self._changed

    def __len__(self) -> int:
        return self._length
