"""Full-text search over a snapshot: the index, the query language, snippets, related posts.

What the rest of the app calls:

- ``search_index(snapshot)``: the snapshot's index, made on first use and memoised;
- ``keep_search_index(snapshot, store)`` / ``start_search_build(snapshot, store)``: the
  first snapshot's index is prepared on disk (``IndexStore``, beside the parse cache),
  reused across restarts and shared by the workers; in this process on first use, or in
  a builder process forked before the workers;
- ``derive_search_index(previous, snapshot, changed_paths)``: for incremental reloads, make
  the new snapshot's index from the previous one by indexing only what changed;
- ``SearchIndex.build(pages, text_of)`` / ``index.updated(changed_paths, pages_by_path,
  text_of)``: the same, without the memo;
- ``parse_query(text)``: the user's text as words and phrases;
- ``stemming``: on a site of several locales, each version is indexed stemmed in its
  locale's language too, and a query in a locale also matches its words' stems.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from api.search.background_build import (
    BackgroundBuild,
    keep_search_index,
    start_search_build,
)
from api.search.engine import analyze, lowercase
from api.search.query import ParsedQuery
from api.search.query import parse_query as _parse_query
from api.search.search_index import SearchFilters, SearchIndex, SearchResults
from api.search.snapshots import (
    derive_search_index,
    follow_snapshots,
    hidden_paths,
    provide_search_index,
    search_index,
    text_reader,
)
from api.search.store import IndexStore

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    """Each snapshot's index is derived from the last one's; with a parse cache, the first
    one's is kept on disk beside it (made on the first search, reused by the next start)."""
    repository = app.extensions["content"]
    settings = app.extensions["settings"]
    repository.follow(follow_snapshots)
    if settings.parse_cache_dir is not None:
        store = IndexStore.beside_parse_cache(settings.parse_cache_dir, settings.content_dir)
        keep_search_index(repository.snapshot, store, repository.served)


def parse_query(text: str) -> ParsedQuery:
    """Words and phrases of a search box's text, folded as the index folds them (each word
    with its form as written, for a stemmer)."""
    return _parse_query(text, analyze, lowercase)


__all__ = [
    "BackgroundBuild",
    "IndexStore",
    "ParsedQuery",
    "SearchFilters",
    "SearchIndex",
    "SearchResults",
    "derive_search_index",
    "follow_snapshots",
    "hidden_paths",
    "keep_search_index",
    "parse_query",
    "provide_search_index",
    "search_index",
    "start_search_build",
    "text_reader",
]
