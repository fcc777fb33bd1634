"""Full-text search over a snapshot: the index, the query language, snippets, related posts.

What the rest of the app calls:

- ``search_index(snapshot)``: the snapshot's index, built on first use and memoised;
- ``derive_search_index(previous, snapshot, changed_paths)``: for incremental reloads, make
  the new snapshot's index from the previous one by indexing only what changed;
- ``SearchIndex.build(pages, text_of)`` / ``index.updated(changed_paths, pages_by_path,
  text_of)``: the same, without the memo;
- ``parse_query(text)``: the user's text as words and phrases.
"""

from __future__ import annotations

from api.search.engine import analyze
from api.search.index import SearchFilters, SearchIndex, SearchResults
from api.search.query import ParsedQuery
from api.search.query import parse_query as _parse_query
from api.search.snapshots import (
    derive_search_index,
    follow_snapshots,
    hidden_paths,
    search_index,
    text_reader,
)


def parse_query(text: str) -> ParsedQuery:
    """Words and phrases of a search box's text, folded as the index folds them."""
    return _parse_query(text, analyze)


__all__ = [
    "ParsedQuery",
    "SearchFilters",
    "SearchIndex",
    "SearchResults",
    "derive_search_index",
    "follow_snapshots",
    "hidden_paths",
    "parse_query",
    "search_index",
    "text_reader",
]
