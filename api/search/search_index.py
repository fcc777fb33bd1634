"""The search index of one snapshot: built from its pages, or derived from the previous one.

``SearchIndex.build(pages, text_of)`` indexes every page (drafts included: what
an audience may see is decided per query, from its view). ``index.updated(...)``
gives the index of the next snapshot by indexing again only the pages whose
files changed, and the pages whose author's file changed. Either way the index
never changes once made: it searches through a tantivy searcher pinned to the
segments of its own commit, so a request holding an old snapshot keeps getting
that snapshot's answers while the next one is built.

An updated index matches exactly the documents a full build would. Its BM25
statistics still count the replaced versions of changed pages (tantivy deletes
by marking, as Lucene does) until tantivy merges those segments away, so scores
can differ from a full build's by that much; past ``MAX_STALE_SHARE`` replaced
documents, ``updated`` builds afresh instead.

The tantivy index lives in memory, or in a directory that other processes read
too (``SearchIndex.open``: the index ``api.search.preparing`` prepared for the
snapshot). A directory others read is never written: the first update in a
process copies it, file by file as hard links (tantivy never changes a file it
wrote), into a directory of the process's own, and writes there. A writer is
made per process, never carried across a fork.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import tantivy

from api.content.model.items import Page
from api.content.source.model_types import POST_TYPE
from api.content.source.paths import TEAM_DIR, person_slug
from api.search import engine
from api.search.authorship import AuthorSlugs
from api.search.query import ParsedQuery, QueryStems
from api.search.search_documents import SearchDocument
from api.search.tiers import Found, Looser, SearchResults, ranked
from api.search.writing import UPDATE_HEAP_BYTES, TextOf, new_writer, replace_pages, write_pages

log = logging.getLogger(__name__)

MAX_STALE_SHARE = 0.2
TYPO_FILL_BELOW = 50  # stemmed and typo matches are looked for when the exact ones are fewer


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """What ``/api/search`` narrows the hits to (``None``: no filter)."""

    page_type: str | None = None
    author: str | None = None
    tag: str | None = None


class NotWritable(Exception):
    """This process may not write to the index (another process's directory)."""


class PrivateCopy(NamedTuple):
    """This process's own copy of a published index, to write to."""

    index: tantivy.Index
    directory: Path
    hold: object  # keeps the directory from being removed while the index lives


MakePrivateCopy = Callable[[Path, tuple[str, ...]], PrivateCopy]  # (published, languages)


class _Shared:
    """The tantivy index that a chain of ``SearchIndex`` generations commits to, in turn.

    Only the newest generation may be updated; an older one that is asked to
    (two reloads branching from one snapshot) builds afresh instead.
    """

    def __init__(
        self,
        index: tantivy.Index,
        documents: int,
        *,
        languages: tuple[str, ...] = (),
        stale: int = 0,
        published: Path | None = None,
        private_copy: MakePrivateCopy | None = None,
        hold: object = None,
    ) -> None:
        self.index = index
        self.languages = languages  # the stemmers it has fields for (engine.schema)
        self.lock = threading.Lock()
        self.generation = 0
        self.stale = stale  # replaced documents still counted by BM25 statistics
        self.documents = documents
        self.published = published  # a directory other processes read: never written
        self._private_copy = private_copy
        self._holds = [hold]  # what keeps the directories read from being removed
        self._owner: int | None = None  # the process whose own directory the index is in
        self._private: Path | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._writer_pid = 0

    @property
    def directory(self) -> Path | None:
        """Where the index is: a published directory, this process's own, or ``None`` (memory)."""
        return self.published or self._private

    def writer(self) -> tantivy.IndexWriter:
        """This process's writer: threads do not survive a fork, so a worker makes its own.

        An index in memory is the process's own copy after a fork; an index in a
        directory is written only by the process that owns the directory, made on
        first use from a published one (``NotWritable`` otherwise).
        """
        pid = os.getpid()
        if self._writer is not None and self._writer_pid == pid:
            return self._writer
        if self.published is not None:
            if self._private_copy is None:
                raise NotWritable(f"{self.published} is read by other processes")
            copy = self._private_copy(self.published, self.languages)
            self.index, self._private = copy.index, copy.directory
            self._holds.append(copy.hold)
            self.published, self._owner = None, pid
        elif self._owner is not None and self._owner != pid:
            raise NotWritable("the index is in another process's directory")
        self._writer = new_writer(self.index, UPDATE_HEAP_BYTES)
        self._writer_pid = pid
        return self._writer


class SearchIndex:
    """Full-text search over one snapshot's pages; never changes once made."""

    def __init__(
        self,
        shared: _Shared,
        searcher: tantivy.Searcher,
        authors: AuthorSlugs,
    ) -> None:
        self._shared = shared
        self._generation = shared.generation
        self._searcher = searcher
        self._authors = authors  # path -> author slug, to find the pages an author file touches

    # Building

    @classmethod
    def build(
        cls, pages: Iterable[Page], text_of: TextOf, languages: tuple[str, ...] = ()
    ) -> SearchIndex:
        """Index every page, in this process's memory (and stemmed in ``languages``: those of
        the site's locales, ``stemming.site_languages``)."""
        started = time.perf_counter()
        index = engine.new_index(languages=languages)
        writer = new_writer(index)
        authors = AuthorSlugs(write_pages(writer, pages, text_of, languages))
        writer.commit()
        writer.wait_merging_threads()  # no tantivy thread may be running when a server forks
        index.reload()
        shared = _Shared(index, len(authors), languages=languages)
        log.info("search index: %d pages in %.2f s", len(authors), time.perf_counter() - started)
        return cls(shared, index.searcher(), authors)

    @classmethod
    def open(
        cls,
        directory: Path,
        pages_by_path: Mapping[str, Page],
        *,
        languages: tuple[str, ...] = (),
        stale: int = 0,
        private_copy: MakePrivateCopy | None = None,
        hold: object = None,
    ) -> SearchIndex:
        """The index prepared in ``directory`` for exactly these pages, read where it is (memory-
        mapped: every process that opens it shares its pages). Updates go to a copy that
        ``private_copy`` makes in this process's own directory; without it, to a fresh
        build in memory. ``hold`` lives as long as the index (a lock on the directory).

        Raises ``ValueError`` (or ``OSError``) when the directory does not hold them, or holds
        them with other stemmed fields than ``languages``.
        """
        index = engine.open_index(directory, languages)
        searcher = index.searcher()
        authors = AuthorSlugs.of_pages(pages_by_path)
        if searcher.num_docs != len(authors):
            raise ValueError(f"{directory} holds {searcher.num_docs} documents, not {len(authors)}")
        shared = _Shared(
            index,
            len(authors),
            languages=languages,
            stale=stale,
            published=directory,
            private_copy=private_copy,
            hold=hold,
        )
        return cls(shared, searcher, authors)

    def updated(
        self,
        changed_paths: Collection[str],
        pages_by_path: Mapping[str, Page],
        text_of: TextOf,
        languages: tuple[str, ...] = (),
    ) -> SearchIndex:
        """The index of the snapshot whose pages are ``pages_by_path``, ``changed_paths`` (files
        added, changed or removed since this index's snapshot) re-indexed.

        A changed person file re-indexes the pages it is the author of (the author's
        name is indexed). The result matches what ``build`` would give for those pages
        (with stems in ``languages``; other languages than this index's: built afresh).
        """
        shared = self._shared
        if languages != shared.languages:
            return SearchIndex.build(pages_by_path.values(), text_of, languages)
        touched = _touched_pages(changed_paths, pages_by_path, self._authors)
        if not touched:
            return self
        with shared.lock:
            stale_after = shared.stale + sum(1 for path in touched if path in self._authors)
            too_stale = stale_after > MAX_STALE_SHARE * max(len(pages_by_path), 1)
            if self._generation != shared.generation or too_stale:
                return SearchIndex.build(pages_by_path.values(), text_of, languages)
            try:
                writer = shared.writer()
            except (NotWritable, OSError, ValueError) as error:
                log.info("search index: building afresh, this one cannot be updated: %s", error)
                return SearchIndex.build(pages_by_path.values(), text_of, languages)
            authors = self._authors.with_changes(
                *replace_pages(writer, touched, pages_by_path, text_of, languages)
            )
            writer.commit()
            shared.index.reload()
            shared.generation += 1
            shared.stale = stale_after
            shared.documents = len(authors)
            return SearchIndex(shared, shared.index.searcher(), authors)

    # Searching

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this index has stemmed fields for."""
        return self._shared.languages

    def search(
        self,
        query: ParsedQuery,
        *,
        hidden: Collection[str] = (),
        filters: SearchFilters = SearchFilters(),
        offset: int = 0,
        limit: int = 10,
        stems: QueryStems | None = None,
    ) -> SearchResults:
        """The hits ``offset`` to ``offset + limit`` and the number of matches.

        Pages matched with every word as written come first, by score. Then, when
        those are fewer than ``TYPO_FILL_BELOW``, the looser matches, tier by tier, each
        tier's scores scaled below the lowest of the tiers above, so that a higher score
        always means a better hit: with ``stems`` (a query in a locale whose language has
        a stemmer), the pages found only through the stems of its words; then the pages
        found only by tolerating a typo. (Past that many exact hits nobody reads on to
        the looser ones, and looking for them would double the cost of a broad query.)
        """
        if query.is_empty:
            return SearchResults([], 0)
        languages = self._shared.languages
        if stems is not None and stems.language not in languages:
            stems = None  # an index without that language's fields: the words as written
        narrowing: dict[str, Any] = {"hidden": hidden, "page_type": filters.page_type}
        narrowing.update(author=filters.author, tag=filters.tag, languages=languages)

        def narrow(query: tantivy.Query, excluded: tantivy.Query | None) -> tantivy.Query:
            return engine.filtered(query, excluded=excluded, **narrowing)

        looser = []
        if stems is not None:
            matching = engine.matching(query, typos=False, stems=stems, languages=languages)
            looser.append(Looser(matching, typo=False, stemmed=True))
        if query.tolerates_typos:
            matching = engine.matching(query, typos=True, stems=stems, languages=languages)
            looser.append(Looser(matching, typo=True, stemmed=stems is not None))
        return ranked(
            self._search,
            engine.matching(query, typos=False, languages=languages),
            looser,
            narrow,
            offset=offset,
            limit=limit,
            fill_below=TYPO_FILL_BELOW,
        )

    def _search(self, query: tantivy.Query, offset: int, limit: int) -> Found:
        """Paths and scores of hits ``offset`` to ``offset + limit``, and the number of matches."""
        searcher = self._searcher
        # No page starts past the last document: keeps a huge page number from asking
        # tantivy for a heap of that size.
        offset = min(offset, searcher.num_docs)
        result = searcher.search(query, limit=max(limit, 1), count=True, offset=offset)
        if limit <= 0:
            return Found([], result.count)
        hits = [(searcher.doc(address)[engine.PATH][0], score) for score, address in result.hits]
        return Found(hits, result.count)

    def similar(
        self,
        page: Page,
        text: SearchDocument,
        *,
        hidden: Collection[str] = (),
        limit: int = 50,
    ) -> list[tuple[str, float]]:
        """Posts that share the most distinctive words of ``page``'s text, best first."""
        terms = self._distinctive_terms(text)
        if not terms:
            return []
        languages = self._shared.languages
        query = engine.weighted_terms(terms, ("title", "excerpt", "tags", "body"), languages)
        narrowed = engine.filtered(
            query, hidden=[*hidden, page.path], page_type=POST_TYPE, languages=languages
        )
        return self._search(narrowed, 0, limit).hits

    def _distinctive_terms(self, text: SearchDocument, count: int = 20) -> list[tuple[str, float]]:
        """The words of a text with the highest tf-idf, weighed by where they appear."""
        searcher = self._searcher
        documents = max(searcher.num_docs, 1)
        frequencies: dict[str, float] = {}
        for name, value in zip(text._fields, text, strict=True):
            weight = engine.FIELD_WEIGHTS[name]
            if name == "code" or not value:
                continue
            for term in engine.analyze(value):
                if len(term) > 2:
                    frequencies[term] = frequencies.get(term, 0.0) + weight
        scored = []
        for term, frequency in frequencies.items():
            df = max(searcher.doc_freq("body", term), searcher.doc_freq("title", term))
            if df <= 1 or df > documents // 2 + 1:  # only this page has it, or most pages do
                continue
            scored.append((term, frequency * _idf(df, documents)))
        scored.sort(key=lambda item: (-item[1], item[0]))
        return scored[:count]


def _idf(document_frequency: int, documents: int) -> float:
    return math.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))


def _touched_pages(
    changed_paths: Collection[str],
    pages_by_path: Mapping[str, Page],
    authors: Mapping[str, str | None],
) -> set[str]:
    """Changed page files, and the pages (before and after) of changed person files."""
    touched = {path for path in changed_paths if path in pages_by_path or path in authors}
    people = {person_slug(path) for path in changed_paths if path.startswith(f"{TEAM_DIR}/")}
    if people:
        touched.update(path for path, slug in authors.items() if slug in people)
        touched.update(path for path, page in pages_by_path.items() if page.author_slug in people)
    return touched


def describe(index: SearchIndex) -> dict[str, Any]:
    """Counts for logs and tests."""
    return {
        "documents": index._searcher.num_docs,
        "segments": index._searcher.num_segments,
        "generation": index._generation,
        "directory": index._shared.directory,
    }
