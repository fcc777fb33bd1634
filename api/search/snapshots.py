"""Each snapshot's search index: built on first use, once, or derived from the previous one.

Search answers come from the same snapshot as every other answer, so the index
is looked up by snapshot. It is made on the first search (or related-posts
request) of a snapshot, memoised for the snapshot's life, and dropped with it.

Incremental reloads (``derive_search_index``): when a new snapshot is made from
the previous one and knows which files changed, its index can be the previous
index with only those pages indexed again. That is recorded at reload time and
done on first use, so a burst of reloads with no search in between costs one
update (of all their changes together), and a snapshot nobody searches costs
nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from api.content.index import ContentView, Snapshot
from api.content.models import Page
from api.search.documents import SearchDocument, search_document
from api.search.index import SearchIndex, TextOf

_lock = threading.RLock()
_indexes: WeakKeyDictionary[Snapshot, SearchIndex] = WeakKeyDictionary()
_pending: WeakKeyDictionary[Snapshot, _Derivation] = WeakKeyDictionary()
_hidden: WeakKeyDictionary[ContentView, frozenset[str]] = WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class _Derivation:
    base: SearchIndex  # the index of an earlier snapshot
    changed_paths: frozenset[str]  # every file changed since that snapshot


def search_index(snapshot: Snapshot) -> SearchIndex:
    """The snapshot's index: memoised; derived from an earlier one where recorded."""
    found = _indexes.get(snapshot)
    if found is not None:
        return found
    with _lock:  # one build per snapshot, however many requests ask at once
        found = _indexes.get(snapshot)
        if found is None:
            derivation = _pending.pop(snapshot, None)
            text_of = text_reader(snapshot)
            if derivation is None:
                found = SearchIndex.build(snapshot.pages_by_path.values(), text_of)
            else:
                found = derivation.base.updated(
                    derivation.changed_paths, snapshot.pages_by_path, text_of
                )
            _indexes[snapshot] = found
    return found


def derive_search_index(
    previous: Snapshot, snapshot: Snapshot, changed_paths: Collection[str]
) -> None:
    """Record that ``snapshot`` is ``previous`` with ``changed_paths`` (content-relative file
    paths added, changed or removed), so that its index is derived, not built, on first use.

    Call it when the new snapshot is made. Without it (or when ``previous`` never
    had an index) the new snapshot's index is built in full on first use.
    """
    with _lock:
        base = _indexes.get(previous)
        changed = frozenset(changed_paths)
        if base is None:
            earlier = _pending.get(previous)
            if earlier is None:
                return
            base, changed = earlier.base, earlier.changed_paths | changed
        _pending[snapshot] = _Derivation(base, changed)


def text_reader(snapshot: Snapshot) -> TextOf:
    """The function giving a page's searchable text in ``snapshot`` (its author's name resolved)."""

    def text_of(page: Page) -> SearchDocument:
        author = snapshot.author_of(page)
        return search_document(page, author.name if author else "")

    return text_of


def hidden_paths(snapshot: Snapshot, view: ContentView) -> frozenset[str]:
    """Pages of the snapshot this audience may not see (drafts, and posts not yet due)."""
    found = _hidden.get(view)
    if found is None:
        visible = {page.path for page in view.pages_by_url.values()}
        found = frozenset(path for path in snapshot.pages_by_path if path not in visible)
        _hidden[view] = found
    return found
