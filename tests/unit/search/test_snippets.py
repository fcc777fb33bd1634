"""Snippets: about thirty words around the best passage, matches marked, everything else
escaped."""

from __future__ import annotations

from api.search import parse_query
from api.search.search_documents import SearchDocument
from api.search.snippets import snippet


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
