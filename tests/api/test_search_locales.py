"""Search in a site's own languages: on a site of several locales a query also finds the other
forms of its words, by its locale's stemmer (tantivy's Snowball stemmers), ranked below the
words as written; a language without a stemmer, a phrase, and a site of one locale match the
words as written only.

The stemming site (tests/fixtures/stemming-site): English (default), German, Swiss German
falling back to German, and Polish, which tantivy has no stemmer for. English posts say
"Running", "runs" (twice) and "cunning"; German ones "Gärten", "Garten", "Gartens" and
"Häusern". ("runs" and "Häusern" are two edits or more from "running" and "haus": only a
stemmer finds them; a trailing space keeps the last word from matching as a prefix.)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import tantivy

from api import create_app
from api.content.live.repository import ContentRepository
from api.search import IndexStore, SearchIndex, engine, search_index, text_reader
from api.search.preparing import prepare
from api.search.search_index import describe
from tests.support.sites import FIXTURES

SITE = FIXTURES / "stemming-site"


@pytest.fixture(scope="module")
def client():
    return create_app({"content_dir": SITE, "parse_cache_dir": None}).test_client()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the stemming site to change."""
    return Path(shutil.copytree(SITE, tmp_path / "content"))


def search(client, query: str, locale: str | None = None) -> list[dict]:
    url = f"/api/search?q={query}&page_size=50" + (f"&locale={locale}" if locale else "")
    response = client.get(url)
    assert response.status_code == 200, (url, response.data[:300])
    return response.get_json()["items"]


def urls(hits: list[dict]) -> list[str]:
    return [hit["url"] for hit in hits]


def test_an_english_query_finds_the_other_forms_of_its_words_below_the_word_itself(client):
    hits = search(client, "running%20")  # a finished word: no prefix completions

    # The word as written, then its other forms (the stem "run"), then one typo away.
    assert urls(hits) == ["/blog/marathon", "/blog/errand", "/blog/allotment", "/blog/fox"]
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
    assert hits[0]["snippet"] == "<mark>Running</mark> a marathon takes months of patience."
    assert hits[1]["snippet"] == "He <mark>runs</mark> an errand for the neighbours on Sundays."
    assert hits[3]["snippet"] == "A <mark>cunning</mark> fox crosses the lawn at dusk."
    assert search(client, "running%20", "en") == hits  # the default locale, named or not


def test_a_german_query_finds_the_german_forms_of_its_words(client):
    hits = search(client, "gärten%20", "de")

    # "Garten" and "Gärten" are the word as written (accents fold); "Gartens" is its stem.
    assert urls(hits) == ["/de", "/de/blog/winterruhe", "/de/blog/pflege"]
    assert hits[2]["score"] < min(hit["score"] for hit in hits[:2])
    assert hits[2]["snippet"] == "Die Pflege des <mark>Gartens</mark> braucht Geduld und Wasser."
    # The other way round: the form as written first, then the others.
    assert urls(search(client, "gartens%20", "de")) == [
        "/de/blog/pflege",
        "/de",
        "/de/blog/winterruhe",
    ]
    # Every word must match, a stem as well as a word as written.
    both = search(client, "gärten%20geduld", "de")
    assert urls(both) == ["/de/blog/pflege"]
    assert both[0]["snippet"] == (
        "Die Pflege des <mark>Gartens</mark> braucht <mark>Geduld</mark> und Wasser."
    )


def test_a_locale_falling_back_to_german_stems_in_german(client):
    assert urls(search(client, "haus%20", "de")) == ["/de/blog/dorf"]
    hits = search(client, "haus%20", "de-CH")
    assert urls(hits) == ["/de-CH/blog/dorf"]
    assert hits[0]["snippet"] == "Zwischen den <mark>Häusern</mark> blühen Blumen."
    assert urls(search(client, "gärten%20", "de-CH")) == [
        "/de-CH",
        "/de-CH/blog/winterruhe",
        "/de-CH/blog/pflege",
    ]


def test_stems_are_those_of_the_language_of_the_locale_asked_in(client):
    # German shows the English posts it has no translation of, but stems German: "running"
    # is no form of "runs" there (the typo still finds "cunning").
    assert urls(search(client, "running%20", "de")) == ["/de/blog/marathon", "/de/blog/fox"]
    # The German stem of "gärten" is no English word, and English shows no German-only post.
    assert "/blog/pflege" not in urls(search(client, "gartens%20"))


def test_a_language_without_a_stemmer_matches_the_words_as_written(client):
    assert search(client, "ogrody%20", "pl") == []  # Polish: tantivy has no stemmer for it
    assert urls(search(client, "ogrodzie", "pl")) == ["/pl/blog/ogrod"]
    snapshot = client.application.extensions["content"].snapshot
    assert search_index(snapshot).languages == ("english", "german")


def test_a_phrase_matches_its_words_as_written(client):
    assert search(client, '"des gärten"', "de") == []
    assert urls(search(client, '"des gartens"', "de")) == ["/de/blog/pflege"]


@pytest.mark.parametrize("on_disk", [False, True], ids=["in memory", "kept on disk"])
def test_an_edited_german_translation_is_found_by_its_stems_after_an_update(
    site, tmp_path, on_disk
):
    cache = tmp_path / "cache" if on_disk else None
    app = create_app({"content_dir": site, "parse_cache_dir": cache, "content_watch": False})
    client = app.test_client()
    repository = app.extensions["content"]
    assert urls(search(client, "haus%20", "de")) == ["/de/blog/dorf"]
    before = search_index(repository.snapshot)

    path = site / "pages" / "blog" / "allotment.de.md"
    path.write_text(
        path.read_text().replace("zum Kleingarten", "an den Häusern vorbei zum Kleingarten"),
        encoding="utf-8",
    )
    repository.reload(["pages/blog/allotment.de.md"])

    hits = search(client, "haus%20", "de")
    assert sorted(urls(hits)) == ["/de/blog/allotment", "/de/blog/dorf"]
    edited = next(hit for hit in hits if hit["url"] == "/de/blog/allotment")
    assert "an den <mark>Häusern</mark> vorbei" in edited["snippet"]
    assert urls(search(client, "haus%20", "en")) == []  # the English version is unchanged
    # Updated, not built again: the next generation of the same index.
    after = search_index(repository.snapshot)
    assert describe(after)["generation"] == describe(before)["generation"] + 1
    if on_disk:  # a published index is copied before it is written to
        assert describe(after)["directory"].name.startswith("private-")
    # What a fresh start finds.
    fresh = create_app({"content_dir": site, "parse_cache_dir": None}).test_client()
    assert sorted(urls(search(fresh, "haus%20", "de"))) == sorted(urls(hits))


def without_locales(root: Path, target: Path) -> Path:
    site = Path(shutil.copytree(root, target))
    (site / "data" / "locales.json").unlink()
    return site


def prepared(store: IndexStore, root: Path) -> tuple[str, tantivy.Schema]:
    """Prepare the index of ``root`` in ``store``: how (reused, built), and the fields it has
    (read at once: the next preparation removes the directory)."""
    repository = ContentRepository(root, max_file_bytes=1 << 20)
    done = prepare(store, store.reserve(), repository.reload())
    return done.how, tantivy.Index.open(str(done.directory)).schema


def test_a_stored_index_is_reused_only_for_a_site_with_the_same_stemmers(site, tmp_path):
    store = IndexStore(tmp_path / "store")
    stemmed = engine.schema(("english", "german"))

    assert prepared(store, site) == ("built", stemmed)
    assert prepared(store, site) == ("reused", stemmed)

    # The same files without data/locales.json: a site of one locale, its index without stems.
    (site / "data" / "locales.json").rename(tmp_path / "locales.json")
    assert prepared(store, site) == ("built", engine.schema())
    assert prepared(store, site) == ("reused", engine.schema())

    # Back to several locales, then to other languages: built again each time.
    (tmp_path / "locales.json").rename(site / "data" / "locales.json")
    assert prepared(store, site) == ("built", stemmed)
    locales = json.loads((site / "data" / "locales.json").read_text())
    locales["locales"] = [{"code": "en"}, {"code": "fr"}, {"code": "pl"}]
    (site / "data" / "locales.json").write_text(json.dumps(locales))
    assert prepared(store, site) == ("built", engine.schema(("english", "french")))


def test_an_index_is_never_opened_with_other_stemmers_than_it_was_made_with(site, tmp_path):
    snapshot = ContentRepository(site, max_file_bytes=1 << 20).reload()
    store = IndexStore(tmp_path / "store")
    target = store.reserve()
    prepare(store, target, snapshot)

    with pytest.raises(ValueError, match="other fields"):
        SearchIndex.open(target.path, snapshot.pages_by_path)  # as if without stems
    with pytest.raises(ValueError, match="other fields"):
        SearchIndex.open(target.path, snapshot.pages_by_path, languages=("english",))
    opened = SearchIndex.open(target.path, snapshot.pages_by_path, languages=("english", "german"))
    assert opened.languages == ("english", "german")


def test_a_site_of_one_locale_indexes_no_stems(tmp_path):
    plain = without_locales(SITE, tmp_path / "content")
    snapshot = ContentRepository(plain, max_file_bytes=1 << 20).reload()

    index = SearchIndex.build(snapshot.pages_by_path.values(), text_reader(snapshot))
    assert index.languages == ()
    store = IndexStore(tmp_path / "store")
    done = prepare(store, store.reserve(), snapshot)
    assert tantivy.Index.open(str(done.directory)).schema == engine.schema()
    info = json.loads((done.directory / "search-info.json").read_text())
    assert sorted(info) == ["documents", "files", "format", "pagesDigest", "stale", "version"]
    client = create_app({"content_dir": plain, "parse_cache_dir": None}).test_client()
    # "runs" is no form of "running" here: the word as written, and one typo away.
    assert urls(search(client, "running%20")) == ["/blog/marathon", "/blog/fox"]
    assert urls(search(client, "running%20", "de")) == ["/blog/marathon", "/blog/fox"]
