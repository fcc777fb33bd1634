"""The pure parts of search: Markdown to text, the query parser, snippets."""

from __future__ import annotations

import pytest

from api.search import parse_query
from api.search.query import MAX_TERMS, Phrase, Word
from api.search.search_documents import SearchDocument
from api.search.snippets import snippet
from api.search.text import body_text, display_text


def test_code_fences_are_kept_apart_from_prose():
    text = body_text("Intro words.\n\n```bash\nkubectl get pods\n```\n\nOutro words.\n")

    assert "kubectl" not in text.prose and "Intro words." in text.prose
    assert "Outro words." in text.prose
    assert text.code == "kubectl get pods"


@pytest.mark.parametrize(
    ("markdown", "kept", "dropped"),
    [
        ("See [the docs](https://example.com/docs) now.", "See the docs now.", "https"),
        ("![A diagram](/img/arch.png)", "A diagram", "arch"),
        ("Text <span class='x'>inside</span> tags.", "inside", "span"),
        ("Fish &amp; chips", "Fish & chips", "amp"),
        ("[ref]: https://example.com/ref\nBody.", "Body.", "example"),
        ("<!-- a comment -->Visible", "Visible", "comment"),
    ],
)
def test_link_targets_tags_and_entities_are_not_text(markdown, kept, dropped):
    prose = display_text(body_text(markdown).prose)

    assert kept in prose
    assert dropped not in prose


def test_display_text_drops_markdown_punctuation():
    markdown = (
        "## A heading\n\n- **bold** and *em* and `code`, and snake_case\n> quoted\n\n"
        "| a | b |\n|---|---|"
    )

    assert display_text(body_text(markdown).prose) == (
        "A heading bold and em and code, and snake_case quoted a b"
    )


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


def document(body: str, title: str = "Title", excerpt: str = "") -> SearchDocument:
    return SearchDocument(title, excerpt, "", "", body, "")


def test_a_snippet_is_about_thirty_words_around_the_best_passage():
    filler = " ".join(f"filler{n}" for n in range(200))
    body = f"{filler}. Alpha appears here, and beta right after it. {filler}"

    html = snippet(document(body), parse_query("alpha beta"))

    assert "<mark>Alpha</mark>" in html and "<mark>beta</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert 25 <= len(html.split()) <= 32


def test_a_snippet_prefers_the_passage_with_more_query_words():
    body = "Alpha alone. " + "x " * 200 + "Alpha with beta together."

    assert "<mark>beta</mark>" in snippet(document(body), parse_query("alpha beta"))


def test_a_snippet_escapes_everything_but_its_marks():
    html = snippet(document("Use <script>alert('x')</script> & enjoy."), parse_query("alert"))

    assert html == "Use &lt;script&gt;<mark>alert</mark>(&#x27;x&#x27;)&lt;/script&gt; &amp; enjoy."


def test_a_snippet_matches_accents_and_case_folded():
    html = snippet(document("Le CAFÉ et la Crème brûlée."), parse_query("cafe creme brulee"))

    assert html == "Le <mark>CAFÉ</mark> et la <mark>Crème</mark> <mark>brûlée</mark>."


def test_a_snippet_falls_back_to_the_title_then_the_excerpt():
    assert snippet(document("Nothing here.", title="Zebra Notes"), parse_query("zebra")) == (
        "<mark>Zebra</mark> Notes"
    )
    matched_elsewhere = snippet(document("Body.", excerpt="The excerpt."), parse_query("jason"))
    assert matched_elsewhere == "The excerpt."
