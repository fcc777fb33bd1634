"""The query parser: words, prefixes, phrases, and a bound on the number of terms."""

from __future__ import annotations

import pytest

from api.search import parse_query
from api.search.query import MAX_TERMS, Phrase, Word


@pytest.mark.parametrize(
    ("text", "words", "phrases"),
    [
        ("kubern", [Word("kubern", prefix=True)], []),
        ("kubern ", [Word("kubern")], []),
        ("ku", [Word("ku")], []),  # too short to be a prefix
        ("Café Naïve", [Word("cafe"), Word("naive", prefix=True)], []),
        ('"end of silos" ai', [Word("ai", prefix=False)], [("end", "of", "silos")]),
        ('"end of silos"', [], [("end", "of", "silos")]),
        ('"silos"', [Word("silos")], []),
        ('"unbalanced quote', [Word("unbalanced"), Word("quote", prefix=True)], []),
        ("silos silos", [Word("silos")], []),
        ("NEAR(a b)", [Word("near"), Word("a"), Word("b")], []),
        ("!!! ??? 🚀", [], []),
        ("a\x00b", [Word("a"), Word("b")], []),
    ],
)
def test_the_query_parser(text, words, phrases):
    parsed = parse_query(text)

    assert list(parsed.words) == words
    assert [phrase.words for phrase in parsed.phrases] == phrases


def test_a_long_query_is_cut_to_the_first_terms():
    parsed = parse_query(" ".join(f"w{n}" for n in range(40)))

    assert len(parsed.words) + len(parsed.phrases) == MAX_TERMS
    assert parsed.words[0] == Word("w0")
    assert isinstance(parse_query('"a b" "c d"').phrases[0], Phrase)
