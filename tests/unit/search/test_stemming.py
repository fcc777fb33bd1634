"""Stemming: which stemmer a locale gets, stems made from the words as written, and snippets
that mark the stemmed forms of a query's words."""

from __future__ import annotations

import pytest

from api.search import parse_query
from api.search.search_documents import SearchDocument
from api.search.snippets import snippet
from api.search.stemming import STEMMERS, language_of, query_stems, site_languages, stem


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("en", "english"),
        ("en-GB", "english"),
        ("DE", "german"),
        ("de-CH", "german"),
        ("nb", "norwegian"),
        ("no", "norwegian"),
        ("pt-BR", "portuguese"),
        ("tr", "turkish"),
        ("pl", None),  # tantivy has no Polish stemmer
        ("zh-Hant-TW", None),
        ("", None),
        (None, None),
    ],
)
def test_a_locale_gets_the_stemmer_of_its_primary_language(code, language):
    assert language_of(code) == language


def test_every_language_of_the_table_has_a_stemmer_in_this_tantivy():
    assert {code: language_of(code) for code in STEMMERS} == STEMMERS


def test_a_site_has_the_stemmers_of_its_locales_and_a_site_of_one_locale_none():
    assert site_languages(["en", "de", "de-CH", "pl"]) == ("english", "german")
    assert site_languages(["pl", "ja"]) == ()
    assert site_languages(None) == ()


GIRLS, GIRL = "k\u0131zlar\u0131n", "k\u0131z"  # Turkish, with the dotless i (U+0131)


def test_a_query_word_is_stemmed_as_written_not_as_folded():
    query = parse_query(f"{GIRLS.capitalize()} ")

    assert query.words[0].text == "kizlarin"  # what the index matches as written
    assert query.words[0].written == GIRLS
    # The Turkish stemmer needs the dotless i: then the plural of "girl" is a form of it.
    assert query_stems(query, "turkish").stems == (stem(GIRL, "turkish"),)
    assert stem(GIRLS, "turkish") == stem(GIRL, "turkish") != stem("kizlarin", "turkish")


def test_a_query_has_no_stems_without_a_stemmer_or_a_word():
    assert query_stems(parse_query("gardens"), None) is None
    assert query_stems(parse_query('"in the garden"'), "english") is None  # phrases only


def document(body: str) -> SearchDocument:
    return SearchDocument("Title", "", "", "", body, "")


def test_a_snippet_marks_the_words_of_a_stem_confirmed_by_the_stemmer():
    text = "Happy people. A happening. Happiness, at last."
    query = parse_query("happiness ")

    marked = snippet(document(text), query, stems=query_stems(query, "english"))

    # "happy" and "happiness" share the stem "happi" (not a prefix of "happy"); "happening"
    # begins like it but is not a form of it.
    assert marked == "<mark>Happy</mark> people. A happening. <mark>Happiness</mark>, at last."
    assert snippet(document(text), query) == "…<mark>Happiness</mark>, at last."  # no stems
