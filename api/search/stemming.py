"""Stemming on a site of several locales: which language's stemmer each locale gets, and the
stems of words as the index makes them.

A site with ``data/locales.json`` indexes each version of a page a second time, in fields of
its locale's language whose words are stemmed (``gärten`` and ``Gartens`` are both ``gart``
in German), so that a query in that locale also finds the other forms of its words. The
language is the primary subtag of the locale's BCP 47 code (``de-CH`` is German); a language
tantivy has no stemmer for gets none. A site of one locale has no stemmed fields at all: its
index, answers and stored files are what they were before stemming existed.

The stemmer sees a word lower-cased but with its accents, and the stem is folded afterwards,
as every indexed word is: stemmers read their language's letters (Turkish "girls" and "girl"
share a stem only when the stemmer sees the dotless i; French ``créée`` stems as ``cré``,
its folded ``creee`` not at all). A query word is stemmed from its form as written
(``Word.written``) the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache

from api.search.engine import stemmed_analyzer
from api.search.query import ParsedQuery, QueryStems

# The primary language subtag -> tantivy's stemmer (Snowball's algorithms, rust-stemmers).
STEMMERS = {
    "ar": "arabic",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "hu": "hungarian",
    "it": "italian",
    "nb": "norwegian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
}


@cache
def _stemmer_exists(language: str) -> bool:
    """Whether this tantivy has a stemmer for ``language`` (it refuses one it has not)."""
    try:
        stemmed_analyzer(language)
    except ValueError:  # "Unsupported language"
        return False
    return True


def language_of(code: str | None) -> str | None:
    """The stemmer of a locale code (``de-CH`` -> ``german``); ``None`` when there is none."""
    if not code:
        return None
    language = STEMMERS.get(code.split("-", 1)[0].lower())
    return language if language is not None and _stemmer_exists(language) else None


def site_languages(codes: Iterable[str] | None) -> tuple[str, ...]:
    """The stemmers a site's index has fields for: those of its declared locales, sorted;
    none for a site of one locale (``codes`` is ``None``)."""
    if codes is None:
        return ()
    return tuple(sorted({language for code in codes if (language := language_of(code))}))


@lru_cache(maxsize=8192)
def stem(word: str, language: str) -> str | None:
    """The stem of one word in ``language``, as the index holds it; ``None`` for no word."""
    tokens = stemmed_analyzer(language).analyze(word)
    return tokens[0] if len(tokens) == 1 else None


def query_stems(query: ParsedQuery, language: str | None) -> QueryStems | None:
    """What a query in ``language`` also matches; ``None`` without a stemmer or a word."""
    if language is None or not query.words:
        return None
    stems = tuple(stem(word.original, language) for word in query.words)
    return QueryStems(language, stems) if any(stems) else None
