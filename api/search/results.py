"""Search answers and related posts for one audience of one snapshot: what the views return.

The index finds paths and scores; this turns them into the documents the
schemas shape (``SearchHit``, post summaries), with snippets cut from the text
that was indexed.
"""

from __future__ import annotations

from typing import Any

from api.content.documents import Documents
from api.content.model import keys as content_keys
from api.content.model.items import Page
from api.content.model.tag_index import tag_slugs
from api.content.source.model_types import POST_TYPE
from api.search.query import ParsedQuery
from api.search.search_index import SearchFilters, SearchResults
from api.search.snapshots import hidden_paths, search_index, text_reader
from api.search.snippets import snippet
from api.search.stemming import language_of, query_stems

SIMILAR_CANDIDATES = 50


def search(
    documents: Documents,
    query: ParsedQuery,
    filters: SearchFilters,
    *,
    offset: int,
    limit: int,
) -> tuple[list[dict[str, Any]], int]:
    """The hits ``offset`` to ``offset + limit`` as SearchHit documents, and the total.

    On a site of several locales the query also matches the stems of its words in the
    language of the view's locale, where it has a stemmer (ranked below the words as written).
    """
    snapshot, view = documents.snapshot, documents.view
    documents.uses(content_keys.SEARCH)  # any page or author name may change the hits
    stems = query_stems(query, language_of(view.locale)) if snapshot.locales else None
    results: SearchResults = search_index(snapshot).search(
        query,
        hidden=hidden_paths(snapshot, view),
        filters=filters,
        offset=offset,
        limit=limit,
        stems=stems,
    )
    text_of = text_reader(snapshot)
    hits = []
    for hit in results.hits:
        page = view.pages_by_file.get(hit.path) or snapshot.pages_by_path[hit.path]
        text = text_of(page)
        person = documents.author_of(page)
        hit_document = {
            "type": page.type,
            "slug": page.slug,
            "url": page.url,
            "title": page.title,
            "score": round(hit.score, 4),
            "snippet": snippet(text, query, typos=hit.typo, stems=stems if hit.stemmed else None),
            "date": page.fields.get("date"),
            "excerpt": text.excerpt or None,
            "author": documents.author_summary(person) if person else None,
            "isDraft": True if page.is_draft else None,
            "locale": page.locale if documents.locales is not None else None,
        }
        hits.append({key: value for key, value in hit_document.items() if value is not None})
    return hits, results.total


def related_posts(documents: Documents, post: Page, limit: int) -> list[Page]:
    """The posts most like ``post``: most shared tags first, then the most similar text
    (the search index's likeness), then the newest; never ``post`` itself."""
    snapshot, view = documents.snapshot, documents.view
    documents.uses(content_keys.SEARCH, content_keys.POSTS, content_keys.TAGS)
    shared: dict[str, int] = {}
    for slug in tag_slugs(post.tags):
        tag = view.tags.by_slug.get(slug)
        for other in tag.posts if tag else ():
            shared[other.path] = shared.get(other.path, 0) + 1
    similar = dict(
        search_index(snapshot).similar(
            post,
            text_reader(snapshot)(post),
            hidden=hidden_paths(snapshot, view),
            limit=max(SIMILAR_CANDIDATES, limit),
        )
    )
    shown = view.pages_by_file
    candidates = [
        shown[path]
        for path in shared.keys() | similar.keys()
        if path != post.path and path in shown and shown[path].type == POST_TYPE
    ]
    candidates.sort(
        key=lambda page: (
            -shared.get(page.path, 0),
            -similar.get(page.path, 0.0),
            -(page.date.timestamp() if page.date else 0.0),
            page.slug,
        )
    )
    return candidates[:limit]
