"""The tantivy side of search: the schema, the analyzer, and queries built as objects.

tantivy was chosen by measurement (``bench/search_engines.py``; docs/decisions/tantivy.md has
the table): on 10,000 generated posts it ranks 1-3 word queries 30 times faster than
SQLite FTS5, whose BM25 is computed row by row for every match. Queries are
always built here from the parsed words (``query.py``), never parsed by tantivy
from the user's text, so no input can be an engine syntax error.

Field weights: a title match ranks above an excerpt, tag or author match, which
ranks above a body match, which ranks above a match in code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import tantivy

from api.search.query import ParsedQuery, Phrase, Word
from api.search.search_documents import FIELDS

ANALYZER = "folded"
MAX_TOKEN_BYTES = 40  # longer "words" (hashes, base64) are not indexed
FIELD_WEIGHTS = {
    "title": 10.0,
    "excerpt": 4.0,
    "tags": 4.0,
    "author": 4.0,
    "body": 1.0,
    "code": 0.3,
}
PREFIX_WEIGHT = 0.5  # a completion of the last word counts half a whole word, without BM25
TYPO_WEIGHT = 0.3
# Keys of the filters: stored raw (one term each), matched exactly.
PATH, TYPE, AUTHOR, TAG = "path", "type", "author_slug", "tag"

Occur = tantivy.Occur
Query = tantivy.Query


@cache
def analyzer() -> tantivy.TextAnalyzer:
    """Words are runs of letters and digits, lower-cased, accents folded (``Café`` -> ``cafe``)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def analyze(text: str) -> list[str]:
    """``text`` as the index's words, exactly as the index tokenizes it."""
    return analyzer().analyze(text)  # type: ignore[no-any-return]


@cache
def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(PATH, stored=True, tokenizer_name="raw")
    for name in (TYPE, AUTHOR, TAG):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in FIELDS:
        builder.add_text_field(name, tokenizer_name=ANALYZER)
    return builder.build()


def new_index(directory: Path | None = None) -> tantivy.Index:
    """An empty index: in ``directory`` (memory-mapped, its pages shared through the page
    cache by every process that opens it), or in this process's memory."""
    if directory is None:
        index = tantivy.Index(schema())
    else:
        index = tantivy.Index(schema(), path=str(directory), reuse=False)
    index.register_tokenizer(ANALYZER, analyzer())
    return index


def open_index(directory: Path) -> tantivy.Index:
    """The index stored in ``directory``, memory-mapped, at its last commit."""
    index = tantivy.Index.open(str(directory))
    index.register_tokenizer(ANALYZER, analyzer())
    return index


def document(
    path: str, page_type: str, author: str | None, tags: Iterable[str], text: Sequence[str]
) -> tantivy.Document:
    """One page as the index stores it: its keys for filtering, and its text by field."""
    values: dict[str, Any] = {PATH: path, TYPE: page_type, TAG: list(tags)}
    if author:
        values[AUTHOR] = author
    for name, value in zip(FIELDS, text, strict=True):
        if value:
            values[name] = value
    return tantivy.Document(**values)


# --- queries -------------------------------------------------------------------------------


def matching(query: ParsedQuery, *, typos: bool) -> tantivy.Query:
    """Documents with every word and phrase of ``query`` in any field, ranked by BM25.

    With ``typos``, each word of 5 letters or more also matches words one edit
    away (constant score, below the word itself); the last word matches as a
    prefix (constant score, below the whole word) when it is at least
    ``PREFIX_MIN_LENGTH`` long.
    """
    clauses = [(Occur.Must, _word(word, typos=typos)) for word in query.words]
    clauses += [(Occur.Must, _phrase(phrase)) for phrase in query.phrases]
    return Query.boolean_query(clauses)


def _word(word: Word, *, typos: bool) -> tantivy.Query:
    alternatives = []
    for name, weight in FIELD_WEIGHTS.items():
        alternatives.append(Query.boost_query(Query.term_query(schema(), name, word.text), weight))
        if word.prefix:
            completions = Query.fuzzy_term_query(schema(), name, word.text, 0, True, True)
            alternatives.append(Query.boost_query(completions, weight * PREFIX_WEIGHT))
        if typos and word.typos:
            near = Query.fuzzy_term_query(schema(), name, word.text, 1, True, word.prefix)
            alternatives.append(Query.boost_query(near, weight * TYPO_WEIGHT))
    return Query.boolean_query([(Occur.Should, query) for query in alternatives])


def _phrase(phrase: Phrase) -> tantivy.Query:
    alternatives = [
        (
            Occur.Should,
            Query.boost_query(Query.phrase_query(schema(), name, list(phrase.words)), weight),
        )
        for name, weight in FIELD_WEIGHTS.items()
    ]
    return Query.boolean_query(alternatives)


def filtered(
    query: tantivy.Query,
    *,
    hidden: Iterable[str] = (),
    excluded: tantivy.Query | None = None,
    page_type: str | None = None,
    author: str | None = None,
    tag: str | None = None,
) -> tantivy.Query:
    """``query`` restricted to what the audience may see and the filters ask for.

    Filters score nothing, so they never change the order of the hits.
    """
    clauses = [(Occur.Must, query)]
    for field, value in ((TYPE, page_type), (AUTHOR, author), (TAG, tag)):
        if value is not None:
            term = Query.term_query(schema(), field, value)
            clauses.append((Occur.Must, Query.const_score_query(term, 0.0)))
    hidden = list(hidden)
    if hidden:
        clauses.append((Occur.MustNot, Query.term_set_query(schema(), PATH, hidden)))
    if excluded is not None:
        clauses.append((Occur.MustNot, excluded))
    return Query.boolean_query(clauses)


def weighted_terms(terms: Iterable[tuple[str, float]], fields: Sequence[str]) -> tantivy.Query:
    """Documents with any of ``terms`` (each boosted by its weight) in ``fields``: likeness."""
    alternatives = [
        (Occur.Should, Query.boost_query(Query.term_query(schema(), name, term), weight))
        for term, weight in terms
        for name in fields
    ]
    return Query.boolean_query(alternatives)
