"""How pages go into a tantivy index: the writer, a whole build's documents, an update's.

What a page's document holds is decided here (and in ``documents.py``, ``engine.py``,
``text.py``, ``stemming.py``): the stored index's manifest names these modules in its
version, so that an index made by other code is never reused.

``languages`` are the stemmers the index has fields for (``stemming.site_languages``):
each page fills those of its locale's language too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import tantivy

from api.content.model.items import Page
from api.content.model.tag_index import tag_slugs
from api.search import engine
from api.search.search_documents import SearchDocument
from api.search.stemming import language_of

WRITER_HEAP_BYTES = 48_000_000  # a whole build
UPDATE_HEAP_BYTES = 15_000_000  # a process's updates, a few pages at a time: tantivy's least

TextOf = Callable[[Page], SearchDocument]


def _canonical_order(page: Page) -> tuple[float, str]:
    return (-(page.date.timestamp() if page.date else 0.0), page.path)


def new_writer(index: tantivy.Index, heap_bytes: int = WRITER_HEAP_BYTES) -> tantivy.IndexWriter:
    """One indexing thread, beside the Python thread that extracts the text."""
    return index.writer(heap_size=heap_bytes, num_threads=1)


def write_pages(
    writer: tantivy.IndexWriter,
    pages: Iterable[Page],
    text_of: TextOf,
    languages: tuple[str, ...] = (),
) -> dict[str, str | None]:
    """Add every page (uncommitted); their author slugs by path. Posts go in newest first,
    so that equal scores rank newest first."""
    ordered = sorted(pages, key=_canonical_order)
    for page in ordered:
        writer.add_document(page_document(page, text_of, languages))
    return {page.path: page.author_slug for page in ordered}


def replace_pages(
    writer: tantivy.IndexWriter,
    paths: Iterable[str],
    pages_by_path: Mapping[str, Page],
    text_of: TextOf,
    languages: tuple[str, ...] = (),
) -> tuple[dict[str, str | None], set[str]]:
    """Index ``paths`` again as ``pages_by_path`` has them (uncommitted); a path no longer
    there is removed. The author slugs of the pages indexed, and the paths removed."""
    indexed: dict[str, str | None] = {}
    removed: set[str] = set()
    for path in sorted(paths):
        writer.delete_documents_by_term(engine.PATH, path)
        page = pages_by_path.get(path)
        if page is None:
            removed.add(path)
        else:
            writer.add_document(page_document(page, text_of, languages))
            indexed[path] = page.author_slug
    return indexed, removed


def page_document(page: Page, text_of: TextOf, languages: tuple[str, ...] = ()) -> tantivy.Document:
    return engine.document(
        page.path,
        page.type,
        page.author_slug,
        tag_slugs(page.tags),
        text_of(page),
        stem_language(page, languages),
    )


def stem_language(page: Page, languages: tuple[str, ...]) -> str | None:
    """The language whose stemmed fields ``page`` fills in an index with ``languages``."""
    if not languages:
        return None
    language = language_of(page.locale)
    return language if language in languages else None
