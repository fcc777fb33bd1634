"""The tantivy side of search: the schema, the analyzer, and queries built as objects.

tantivy was chosen by measurement (``bench/search_engines.py``; docs/decisions/tantivy.md has
the table): on 10,000 generated posts it ranks 1-3 word queries 30 times faster than
SQLite FTS5, whose BM25 is computed row by row for every match. Queries are
always built here from the parsed words (``query.py``), never parsed by tantivy
from the user's text, so no input can be an engine syntax error.

Field weights: a title match ranks above an excerpt, tag or author match, which
ranks above a body match, which ranks above a match in code.

On a site of several locales the schema has a stemmed twin of each text field but the
author and code, per language the site's locales have a stemmer for (``title_german``,
``stemming.py``); a page's version fills those of its locale's language. A site of one
locale has none: its schema, its documents and its queries are what they were before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import tantivy

from api.search.query import ParsedQuery, Phrase, QueryStems, Word
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
STEM_WEIGHT = 0.5  # another form of the word counts half the word as written
# The text fields with stemmed twins: names and code are not words of a language.
STEMMED_FIELDS = ("title", "excerpt", "tags", "body")
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
def stemmed_analyzer(language: str) -> tantivy.TextAnalyzer:
    """Words as ``analyzer`` makes them, stemmed in ``language`` before their accents are
    folded (a stemmer reads its language's letters). ``ValueError`` for a language that
    tantivy has no stemmer for."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer(language))
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


@cache
def lowercased() -> tantivy.TextAnalyzer:
    """The index's words lower-cased only, accents kept: what a stemmer reads of a query."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES))
        .filter(tantivy.Filter.lowercase())
        .build()
    )


def lowercase(text: str) -> list[str]:
    """``text`` as the index's words, lower-cased, accents kept (one for one with ``analyze``)."""
    return lowercased().analyze(text)  # type: ignore[no-any-return]


def stemmed_field(name: str, language: str) -> str:
    """The stemmed twin of text field ``name`` in ``language`` (``body_german``)."""
    return f"{name}_{language}"


def _stemmed_tokenizer(language: str) -> str:
    return f"{ANALYZER}_{language}"


@cache
def schema(languages: tuple[str, ...] = ()) -> tantivy.Schema:
    """The fields of an index; with ``languages`` (a site of several locales), the stemmed
    twins of the text fields in each, after the fields every index has."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(PATH, stored=True, tokenizer_name="raw")
    for name in (TYPE, AUTHOR, TAG):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in FIELDS:
        builder.add_text_field(name, tokenizer_name=ANALYZER)
    for language in languages:
        for name in STEMMED_FIELDS:  # BM25 needs frequencies; phrases never match stems
            builder.add_text_field(
                stemmed_field(name, language),
                tokenizer_name=_stemmed_tokenizer(language),
                index_option="freq",
            )
    return builder.build()


def new_index(directory: Path | None = None, languages: tuple[str, ...] = ()) -> tantivy.Index:
    """An empty index: in ``directory`` (memory-mapped, its pages shared through the page
    cache by every process that opens it), or in this process's memory."""
    if directory is None:
        index = tantivy.Index(schema(languages))
    else:
        index = tantivy.Index(schema(languages), path=str(directory), reuse=False)
    _register_analyzers(index, languages)
    return index


def open_index(directory: Path, languages: tuple[str, ...] = ()) -> tantivy.Index:
    """The index stored in ``directory``, memory-mapped, at its last commit; ``ValueError``
    when its fields are not those of an index with stems in ``languages``."""
    index = tantivy.Index.open(str(directory))
    if index.schema != schema(languages):
        raise ValueError(f"{directory} holds an index of other fields (stemming: {languages})")
    _register_analyzers(index, languages)
    return index


def _register_analyzers(index: tantivy.Index, languages: tuple[str, ...]) -> None:
    index.register_tokenizer(ANALYZER, analyzer())
    for language in languages:
        index.register_tokenizer(_stemmed_tokenizer(language), stemmed_analyzer(language))


def document(
    path: str,
    page_type: str,
    author: str | None,
    tags: Iterable[str],
    text: Sequence[str],
    language: str | None = None,
) -> tantivy.Document:
    """One page as the index stores it: its keys for filtering, and its text by field (and
    again, stemmed, in ``language``'s fields)."""
    values: dict[str, Any] = {PATH: path, TYPE: page_type, TAG: list(tags)}
    if author:
        values[AUTHOR] = author
    for name, value in zip(FIELDS, text, strict=True):
        if value:
            values[name] = value
            if language is not None and name in STEMMED_FIELDS:
                values[stemmed_field(name, language)] = value
    return tantivy.Document(**values)


# --- queries -------------------------------------------------------------------------------


def matching(
    query: ParsedQuery,
    *,
    typos: bool,
    stems: QueryStems | None = None,
    languages: tuple[str, ...] = (),
) -> tantivy.Query:
    """Documents with every word and phrase of ``query`` in any field, ranked by BM25.

    With ``typos``, each word of 5 letters or more also matches words one edit
    away (constant score, below the word itself); the last word matches as a
    prefix (constant score, below the whole word) when it is at least
    ``PREFIX_MIN_LENGTH`` long. With ``stems`` (in one of ``languages``, the index's), a
    word also matches the words of its stem in that language's stemmed fields (BM25, at
    ``STEM_WEIGHT``); phrases match as written.
    """
    fields = schema(languages)
    language = stems.language if stems is not None else ""
    word_stems = stems.stems if stems is not None else (None,) * len(query.words)
    clauses = [
        (Occur.Must, _word(fields, word, typos=typos, stem=stem, language=language))
        for word, stem in zip(query.words, word_stems, strict=True)
    ]
    clauses += [(Occur.Must, _phrase(fields, phrase)) for phrase in query.phrases]
    return Query.boolean_query(clauses)


def _word(
    fields: tantivy.Schema,
    word: Word,
    *,
    typos: bool,
    stem: str | None = None,
    language: str = "",
) -> tantivy.Query:
    alternatives = []
    for name, weight in FIELD_WEIGHTS.items():
        alternatives.append(Query.boost_query(Query.term_query(fields, name, word.text), weight))
        if word.prefix:
            completions = Query.fuzzy_term_query(fields, name, word.text, 0, True, True)
            alternatives.append(Query.boost_query(completions, weight * PREFIX_WEIGHT))
        if typos and word.typos:
            near = Query.fuzzy_term_query(fields, name, word.text, 1, True, word.prefix)
            alternatives.append(Query.boost_query(near, weight * TYPO_WEIGHT))
    if stem is not None:
        for name in STEMMED_FIELDS:
            field = stemmed_field(name, language)
            stemmed = Query.term_query(fields, field, stem)
            alternatives.append(Query.boost_query(stemmed, FIELD_WEIGHTS[name] * STEM_WEIGHT))
    return Query.boolean_query([(Occur.Should, query) for query in alternatives])


def _phrase(fields: tantivy.Schema, phrase: Phrase) -> tantivy.Query:
    alternatives = [
        (
            Occur.Should,
            Query.boost_query(Query.phrase_query(fields, name, list(phrase.words)), weight),
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
    languages: tuple[str, ...] = (),
) -> tantivy.Query:
    """``query`` restricted to what the audience may see and the filters ask for.

    Filters score nothing, so they never change the order of the hits.
    """
    fields = schema(languages)
    clauses = [(Occur.Must, query)]
    for field, value in ((TYPE, page_type), (AUTHOR, author), (TAG, tag)):
        if value is not None:
            term = Query.term_query(fields, field, value)
            clauses.append((Occur.Must, Query.const_score_query(term, 0.0)))
    hidden = list(hidden)
    if hidden:
        clauses.append((Occur.MustNot, Query.term_set_query(fields, PATH, hidden)))
    if excluded is not None:
        clauses.append((Occur.MustNot, excluded))
    return Query.boolean_query(clauses)


def weighted_terms(
    terms: Iterable[tuple[str, float]], fields: Sequence[str], languages: tuple[str, ...] = ()
) -> tantivy.Query:
    """Documents with any of ``terms`` (each boosted by its weight) in ``fields``: likeness."""
    alternatives = [
        (Occur.Should, Query.boost_query(Query.term_query(schema(languages), name, term), weight))
        for term, weight in terms
        for name in fields
    ]
    return Query.boolean_query(alternatives)
