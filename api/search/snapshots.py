"""Each snapshot's search index: built on first use, once, or derived from the previous one.

Search answers come from the same snapshot as every other answer, so the index
is looked up by snapshot. It is made on the first search (or related-posts
request) of a snapshot, memoised for the snapshot's life, and dropped with it.

After a reload the new snapshot's index is the previous one with only the
changed pages indexed again: the repository tells which files each derived
snapshot changed (``follow_snapshots``, registered with ``ContentRepository.follow``),
and the update is made on first use, so a burst of reloads with no search in
between costs one update, and a snapshot nobody searches costs nothing. A
snapshot built from scratch (the first, or after the folder came back) gets an
index built from its own pages: an index is never carried from one site to
another.
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
    """The snapshot's index: memoised; derived from an earlier one where there is one."""
    found = _indexes.get(snapshot)
    if found is not None:
        return found
    with _lock:  # one build per snapshot, however many requests ask at once
        found = _indexes.get(snapshot)
        if found is None:
            derivation = _pending.pop(snapshot, None)
            text_of = text_reader(snapshot)
            pages = snapshot.pages_by_path
            if derivation is not None:
                found = derivation.base.updated(derivation.changed_paths, pages, text_of)
            else:  # not derived from a snapshot with an index: built from its own pages
                found = SearchIndex.build(pages.values(), text_of)
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


def follow_snapshots(previous: Snapshot, snapshot: Snapshot) -> None:
    """``ContentRepository.follow`` hook: the new snapshot's index is derived from the
    previous one's by indexing only the files its derivation changed."""
    changed = {page.path for pair in snapshot.changed_pages for page in pair if page is not None}
    changed.update(snapshot.changed_people)
    # A person's slug may be their file's own ``slug`` field: name their pages here, since the
    # index can tell a person file's slug only from its name.
    slugs = {
        person.slug
        for path, old in snapshot.changed_people.items()
        for person in (old, snapshot.people_by_path.get(path))
        if person is not None
    }
    if slugs:
        changed.update(
            path for path, page in snapshot.pages_by_path.items() if page.author_slug in slugs
        )
    derive_search_index(previous, snapshot, changed)
