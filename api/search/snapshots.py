"""Each snapshot's search index: made on first use, once, from one of three sources.

Search answers come from the same snapshot as every other answer, so the index
is looked up by snapshot. It is made on the first search (or related-posts
request) of a snapshot, memoised for the snapshot's life, and dropped with it.
Where it comes from:

- **provided** (``provide_search_index``): prepared elsewhere, typically on disk by
  ``api.search.background_build`` (a process forked before the server's workers, or on first
  use in this process), and opened when first asked for;
- **derived**: after a reload, the previous snapshot's index with only the changed
  pages indexed again. The repository tells which files each derived snapshot
  changed (``follow_snapshots``, registered with ``ContentRepository.follow``), and
  the update is made on first use, so a burst of reloads with no search in between
  costs one update, and a snapshot nobody searches costs nothing;
- **built** from the snapshot's own pages, in memory: a snapshot built from scratch
  (the first one when no index is provided, or after the folder came back). An index
  is never carried from one site to another.

Making an index may wait (for a build in another process); that holds only the lock
of that snapshot's source, never the reloads that record new derivations.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from api.content.model.diff import SnapshotDiff
from api.content.model.items import Page
from api.content.model.snapshot import Snapshot
from api.content.model.views import ContentView
from api.search.search_documents import SearchDocument, search_document
from api.search.search_index import SearchIndex, TextOf
from api.search.stemming import site_languages

Opener = Callable[[], SearchIndex]


@dataclass(frozen=True, slots=True)
class _Derivation:
    base: _Source  # the source of an earlier snapshot's index: made, or provided
    changed_paths: frozenset[str]  # every file changed since that snapshot


class _Source:
    """How one snapshot's index is made (see the module docstring), and once made, the index.

    One thread makes it; others asking meanwhile wait for that one.
    """

    def __init__(self, opener: Opener | None = None, derivation: _Derivation | None = None):
        self._lock = threading.Lock()
        self.index: SearchIndex | None = None
        self.opener = opener
        self.derivation = derivation

    @property
    def can_be_a_base(self) -> bool:
        """Whether a later snapshot's index may be derived from this one without its snapshot."""
        return self.index is not None or self.opener is not None

    def get(self, snapshot: Snapshot | None) -> SearchIndex:
        found = self.index
        if found is not None:
            return found
        with self._lock:
            if self.index is None:
                if self.opener is not None:
                    made = self.opener()
                elif snapshot is None:
                    raise RuntimeError("an index built from its snapshot needs the snapshot")
                elif self.derivation is not None:
                    base = self.derivation.base.get(None)
                    made = base.updated(
                        self.derivation.changed_paths,
                        snapshot.pages_by_path,
                        text_reader(snapshot),
                        index_languages(snapshot),
                    )
                else:
                    made = SearchIndex.build(
                        snapshot.pages_by_path.values(),
                        text_reader(snapshot),
                        index_languages(snapshot),
                    )
                self.index = made
                self.opener = self.derivation = None  # what made it may go (a snapshot)
            return self.index


_lock = threading.Lock()  # guards the registry only; never held while an index is made
_sources: WeakKeyDictionary[Snapshot, _Source] = WeakKeyDictionary()
_hidden: WeakKeyDictionary[ContentView, frozenset[str]] = WeakKeyDictionary()


def search_index(snapshot: Snapshot) -> SearchIndex:
    """The snapshot's index: memoised; provided, derived or built on first use."""
    source = _sources.get(snapshot)
    if source is None:
        with _lock:
            source = _sources.get(snapshot)
            if source is None:
                source = _sources[snapshot] = _Source()
    return source.get(snapshot)


def provide_search_index(snapshot: Snapshot, opener: Opener) -> None:
    """The snapshot's index is ``opener()``, called on first use (once; it may wait), instead
    of a build from its pages. Later snapshots derived from it update what it gives."""
    with _lock:
        _sources[snapshot] = _Source(opener=opener)


def derive_search_index(
    previous: Snapshot, snapshot: Snapshot, changed_paths: Collection[str]
) -> None:
    """Record that ``snapshot`` is ``previous`` with ``changed_paths`` (content-relative file
    paths added, changed or removed), so that its index is derived, not built, on first use.

    Call it when the new snapshot is made. Without it (or when ``previous`` never
    had an index, nor a provided one) the new snapshot's index is built in full on
    first use.
    """
    changed = frozenset(changed_paths)
    with _lock:
        base = _sources.get(previous)
        if base is None:
            return
        earlier = base.derivation  # read once: it may be made (and this cleared) meanwhile
        if base.index is None and earlier is not None:  # never made: one update for both
            derivation = _Derivation(earlier.base, earlier.changed_paths | changed)
        elif base.can_be_a_base:
            derivation = _Derivation(base, changed)
        else:
            return
        _sources[snapshot] = _Source(derivation=derivation)


def index_languages(snapshot: Snapshot) -> tuple[str, ...]:
    """The stemmers the snapshot's index has fields for: its locales' (none on a site of one)."""
    locales = snapshot.locales
    return site_languages(locales.codes if locales is not None else None)


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


def follow_snapshots(previous: Snapshot, snapshot: Snapshot, diff: SnapshotDiff) -> None:
    """``ContentRepository.follow`` hook: the new snapshot's index is derived from the
    previous one's by indexing only the files its derivation changed."""
    changed = set(diff.touched)
    # A person's slug may be their file's own ``slug`` field: name their pages here, since the
    # index can tell a person file's slug only from its name.
    slugs = {person.slug for pair in diff.people for person in pair if person is not None}
    if slugs:
        changed.update(
            path for path, page in snapshot.pages_by_path.items() if page.author_slug in slugs
        )
    derive_search_index(previous, snapshot, changed)
