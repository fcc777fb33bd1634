"""Sites in several languages (the contract's "Locales"), on a bilingual fixture site: English
(default), German, and Swiss German falling back to German; one post only in German, one
translated slug, one missing translation, translated people, configuration and style.

The golden answers (tests/golden/bilingual/) were read and checked by hand once; any change
to them must be one we meant.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import create_app
from api.cli import content_cli
from api.content.live.change import ContentChange
from tests.support.sites import FIXTURES, ROOT

SITE = FIXTURES / "bilingual-site"
GOLDEN = ROOT / "tests" / "golden" / "bilingual"
LOCALE_FIELDS = {"locale", "translations", "fallbackFields"}


@pytest.fixture(scope="module")
def client():
    return create_app({"content_dir": SITE, "parse_cache_dir": None}).test_client()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the bilingual site to change."""
    return Path(shutil.copytree(SITE, tmp_path / "content"))


def body(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.data[:300])
    return response.get_json(force=True)


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("*.json")), ids=lambda path: path.stem)
def test_golden_answers(client, golden: Path):
    expected = json.loads(golden.read_text(encoding="utf-8"))
    response = client.get(expected["request"])

    assert response.status_code == 200
    assert response.headers.get("Content-Language") == expected["contentLanguage"]
    assert response.get_json(force=True) == expected["answer"]


def test_each_locale_falls_back_field_by_field_along_its_chain(client):
    swiss = body(client, "/api/posts/hello-world?locale=de-CH")

    assert swiss["url"] == "/de-CH/blog/hallo-welt"  # the Swiss URL of the German version
    assert swiss["locale"] == "de"  # the version served: de-CH has none, de has
    assert swiss["title"] == "Hallo, Welt"
    assert swiss["fallbackFields"] == ["author", "featuredImage"]  # from the English version
    assert swiss["featuredImage"]["url"] == "/images/garden.jpg"
    assert swiss["html"] == "<p>Gärten wachsen im Frühling. Blumen blühen überall.</p>"
    english = body(client, "/api/posts/hello-world")
    assert "fallbackFields" not in english
    assert english["translations"] == [{"locale": "de", "url": "/de/blog/hallo-welt"}]


def test_references_resolve_in_the_answers_locale(client):
    german = body(client, "/api/posts/hallo-welt?locale=de")

    assert german["author"]["role"] == "Redakteurin"  # jane-doe.de.json
    assert german["author"]["bio"] == "Writes about gardens."  # filled from jane-doe.json
    assert german["author"]["fallbackFields"] == ["bio"]
    assert body(client, "/api/posts/hello-world")["author"]["role"] == "Editor"


def test_lists_are_complete_in_every_locale_and_fallback_false_keeps_only_its_own(client):
    def slugs(url):
        return [(item["slug"], item["locale"]) for item in body(client, url)["items"]]

    assert slugs("/api/posts") == [("second-post", "en"), ("hello-world", "en")]
    assert slugs("/api/posts?locale=de") == [
        ("nur-deutsch", "de"),
        ("second-post", "en"),
        ("hallo-welt", "de"),
    ]
    assert slugs("/api/posts?locale=de&fallback=false") == [
        ("nur-deutsch", "de"),
        ("hallo-welt", "de"),
    ]
    assert slugs("/api/posts?locale=de-CH&fallback=false") == []


def test_a_document_only_in_german_shows_only_in_german_and_its_fallbacks(client):
    assert client.get("/api/posts/nur-deutsch").status_code == 404
    assert body(client, "/api/posts/nur-deutsch?locale=de")["locale"] == "de"
    assert body(client, "/api/posts/nur-deutsch?locale=de-CH")["url"] == "/de-CH/blog/nur-deutsch"


def test_a_post_is_found_by_its_translated_slug_and_by_its_default_one(client):
    by_default_slug = body(client, "/api/posts/hello-world?locale=de")
    by_own_slug = body(client, "/api/posts/hallo-welt?locale=de")

    assert by_default_slug == by_own_slug
    assert client.get("/api/posts/hallo-welt").status_code == 404  # not an English slug


def test_pages_by_any_locales_url_answer_in_that_locale(client):
    response = client.get("/api/pages", query_string={"path": "/de/ueber-uns"})
    assert response.headers["Content-Language"] == "de"
    assert response.get_json()["title"] == "Über uns"
    assert body(client, "/api/pages?path=/about&locale=de")["url"] == "/de/ueber-uns"
    swiss = body(client, "/api/pages?path=/de-CH")
    assert swiss["url"] == "/de-CH" and swiss["title"] == "Startseite"
    paths = body(client, "/api/pages/paths")["items"]
    assert {(item["path"], item["locale"]) for item in paths} >= {
        ("/about", "en"),
        ("/de/ueber-uns", "de"),
        ("/de-CH/ueber-uns", "de-CH"),
        ("/de/blog/second-post", "de"),
    }


def test_sections_show_their_posts_in_the_pages_locale(client):
    home = body(client, "/api/pages?path=/de")
    featured, recent = home["sections"]

    assert [post["url"] for post in featured["posts"]] == ["/de/blog/hallo-welt"]
    assert [post["slug"] for post in recent["posts"]] == [
        "nur-deutsch",
        "second-post",
        "hallo-welt",
    ]


def test_site_tags_feeds_and_search_are_per_locale(client):
    assert body(client, "/api/site?locale=de-CH")["config"]["titleSuffix"] == (
        "Zwei Sprachen (Schweiz)"
    )
    assert body(client, "/api/site?locale=de")["style"]["fontBody"] == "fontSecondary"
    tags = {tag["slug"] for tag in body(client, "/api/tags?locale=de")["items"]}
    assert {"gärten", "neuigkeiten"} <= tags and "gardens" not in tags
    feed = client.get("/api/feed.xml?locale=de").data.decode()
    assert "<title>Zwei Sprachen</title>" in feed and "<language>de-DE</language>" in feed
    assert "http://127.0.0.1:5000/api/feed.xml?locale=de" in feed
    hits = body(client, "/api/search?q=blumen&locale=de")["items"]
    assert [(hit["url"], hit["locale"]) for hit in hits] == [("/de/blog/hallo-welt", "de")]
    assert body(client, "/api/search?q=blumen")["items"] == []  # no English page says it


def test_the_sitemap_has_every_url_of_every_locale_each_linked_to_the_others(client):
    tree = ElementTree.fromstring(client.get("/api/sitemap.xml").data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = {
        url.find("s:loc", ns).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)
        }
        for url in tree.findall("s:url", ns)
    }
    base = "http://127.0.0.1:5000"

    assert urls[f"{base}/de/blog/hallo-welt"] == {
        "en": f"{base}/blog/hello-world",
        "de": f"{base}/de/blog/hallo-welt",
        "de-CH": f"{base}/de-CH/blog/hallo-welt",  # de-CH shows the German version
        "x-default": f"{base}/blog/hello-world",
    }
    # A locale shows an untranslated document from its chain, at a URL of its own: the front
    # end builds that page, so the sitemap has it, as /api/pages/paths has.
    assert urls[f"{base}/de/blog/second-post"]["en"] == f"{base}/blog/second-post"
    assert urls[f"{base}/de/blog/nur-deutsch"]["x-default"] == f"{base}/de/blog/nur-deutsch"
    assert f"{base}/blog/nur-deutsch" not in urls  # only in German: not in English
    paths = {item["path"] for item in body(client, "/api/pages/paths")["items"]}
    assert {url.removeprefix(base) for url in urls} == paths


def test_the_locales_resource_says_what_is_missing(client):
    german = next(item for item in body(client, "/api/locales")["items"] if item["code"] == "de")

    assert german == {
        "code": "de",
        "fallback": "en",
        "documents": 5,
        "missing": ["pages/blog/second-post.md"],
    }


def test_an_undeclared_locale_is_400_and_a_huge_one_414(client):
    response = client.get("/api/posts?locale=fr")

    assert response.status_code == 400
    assert response.get_json()["message"] == "Unknown locale 'fr': this site has en, de, de-CH"
    assert client.get("/api/posts?locale=" + "x" * 10_000).status_code == 414
    assert client.get("/api/posts?locale=de&fallback=maybe").status_code == 400


def test_a_site_without_locales_has_no_locale_field_anywhere():
    client = create_app({"parse_cache_dir": None}).test_client()

    def fields(value):
        if isinstance(value, dict):
            yield from value
            for item in value.values():
                yield from fields(item)
        elif isinstance(value, list):
            for item in value:
                yield from fields(item)

    urls = ["/api/posts", "/api/posts/retiring-the-war-room", "/api/authors/jason-hand"]
    urls += ["/api/pages?path=/", "/api/pages/paths", "/api/site", "/api/search?q=war"]
    for url in urls:
        response = client.get(url)
        assert not LOCALE_FIELDS & set(fields(response.get_json())), url
        assert "Content-Language" not in response.headers
    assert client.get("/api/posts?locale=de").status_code == 200  # ignored, as ever
    assert client.get("/api/locales").get_json() == {"items": []}


def check(root: Path) -> list[str]:
    return CliRunner().invoke(content_cli, ["check", str(root)]).output.splitlines()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{"defaultLocale": "en",\n "locales": [{"code": "en"}, }', 2, "invalid JSON"),
        (
            '{"defaultLocale": "en",\n "locales": [{"code": "en"},\n'
            ' {"code": "de", "fallback": "fr"}]}',
            3,
            "locales[1].fallback: unknown locale 'fr' (declared: en, de)",
        ),
        (
            '{"defaultLocale": "en",\n "locales": [{"code": "en"},\n'
            ' {"code": "de", "fallback": "de-CH"},\n {"code": "de-CH", "fallback": "de"}]}',
            3,
            "fallback cycle: de -> de-CH -> de",
        ),
    ],
    ids=["not JSON", "unknown fallback", "cycle"],
)
def test_a_broken_locales_file_is_a_content_error_and_the_site_has_one_locale(
    site, text, line, message
):
    (site / "data" / "locales.json").write_text(text)

    problems = [line for line in check(site) if "locales.json" in line]
    assert len(problems) == 1 and f"data/locales.json:{line}: error: " in problems[0]
    assert message in problems[0]
    client = create_app({"content_dir": site, "parse_cache_dir": None}).test_client()
    assert "locale" not in body(client, "/api/posts/hello-world")
    assert body(client, "/api/locales") == {"items": []}


def test_two_translations_of_one_url_are_an_error_naming_both(site):
    (site / "pages" / "de" / "blog").mkdir(parents=True)
    (site / "pages" / "de" / "blog" / "hallo-welt.md").write_text(
        "---\ntype: PostLayout\ntitle: Doppelt\ndate: '2025-03-02'\n---\nZwei.\n"
    )

    lines = check(site)
    assert any(
        "pages/de/blog/hallo-welt.md:2: error: URL /de/blog/hallo-welt is already served by "
        "pages/blog/hello-world.de.md" in line
        for line in lines
    ), lines


def test_a_translation_in_an_undeclared_locale_is_an_ordinary_file_with_a_warning(site):
    (site / "pages" / "blog" / "hello-world.fr.md").write_text(
        "---\ntype: PostLayout\ntitle: Bonjour\ndate: '2025-03-03'\n---\nSalut.\n"
    )

    assert any(
        "hello-world.fr.md:2: warning: 'fr' is not a declared locale (en, de, de-CH)" in line
        for line in check(site)
    )
    client = create_app({"content_dir": site, "parse_cache_dir": None}).test_client()
    assert body(client, "/api/posts/hello-world.fr")["url"] == "/blog/hello-world.fr"


def test_a_broken_translation_falls_back_and_never_takes_the_default_down(site):
    (site / "pages" / "blog" / "hello-world.de.md").write_text("---\ntitle: [\n---\n")
    client = create_app({"content_dir": site, "parse_cache_dir": None}).test_client()

    assert body(client, "/api/posts/hello-world")["title"] == "Hello, world"
    german = body(client, "/api/posts/hello-world?locale=de")
    assert german["locale"] == "en" and german["url"] == "/de/blog/hello-world"


def test_a_broken_translation_keeps_its_last_good_version_while_served(site):
    app = create_app({"content_dir": site, "parse_cache_dir": None, "content_watch": False})
    client = app.test_client()
    assert body(client, "/api/posts/hallo-welt?locale=de")["title"] == "Hallo, Welt"

    (site / "pages" / "blog" / "hello-world.de.md").write_text("---\ntitle: [\n---\n")
    app.extensions["content"].reload(["pages/blog/hello-world.de.md"])

    assert body(client, "/api/posts/hallo-welt?locale=de")["title"] == "Hallo, Welt"
    assert body(client, "/api/posts/hello-world")["title"] == "Hello, world"


def test_an_edit_of_one_translation_changes_only_the_locales_that_show_it(site):
    app = create_app({"content_dir": site, "parse_cache_dir": None, "content_watch": False})
    client = app.test_client()
    urls = {
        "en": "/api/posts/hello-world",
        "en-list": "/api/posts",
        "de": "/api/posts/hallo-welt?locale=de",
        "de-list": "/api/posts?locale=de",
        "de-CH": "/api/posts/hallo-welt?locale=de-CH",
    }
    etags = {name: client.get(url).headers["ETag"] for name, url in urls.items()}
    changes: list[ContentChange] = []
    app.extensions["content"].subscribe(changes.append)

    path = site / "pages" / "blog" / "hello-world.de.md"
    path.write_text(path.read_text().replace("Hallo, Welt", "Hallo, liebe Welt"))
    app.extensions["content"].reload(["pages/blog/hello-world.de.md"])

    after = {name: client.get(url) for name, url in urls.items()}
    assert after["en"].headers["X-Response-Cache"] == "HIT"
    assert after["en-list"].headers["X-Response-Cache"] == "HIT"
    assert after["en"].headers["ETag"] == etags["en"]
    for name in ("de", "de-list", "de-CH"):
        assert after[name].headers["X-Response-Cache"] == "MISS", name
        assert after[name].headers["ETag"] != etags[name], name
    assert after["de-CH"].get_json()["title"] == "Hallo, liebe Welt"
    change = changes[-1]
    assert {"/de/blog/hallo-welt", "/de-CH/blog/hallo-welt"} <= set(change.paths)
    assert "/blog/hello-world" not in change.paths


def test_a_translation_takes_even_required_fields_from_its_chain(site):
    """A translator writes what differs: a translated post need not repeat its date."""
    path = site / "pages" / "blog" / "hello-world.de.md"
    path.write_text(path.read_text().replace("date: '2025-03-01'\n", ""))
    app = create_app({"content_dir": site, "parse_cache_dir": None, "content_watch": False})
    client = app.test_client()

    assert body(client, "/healthz")["contentErrors"] == []
    german = body(client, "/api/posts/hallo-welt?locale=de")
    assert german["locale"] == "de" and german["date"] == "2025-03-01"
    assert "date" in german["fallbackFields"]

    # Without the English version, nothing along de -> en has a date: the error it is.
    (site / "pages" / "blog" / "hello-world.md").unlink()
    app.extensions["content"].reload(["pages/blog/hello-world.md"])
    errors = body(client, "/healthz")["contentErrors"]
    errors = [error for error in errors if error["path"] == "pages/blog/hello-world.de.md"]
    assert errors == [
        {
            "path": "pages/blog/hello-world.de.md",
            "line": 2,
            "message": "missing required field 'date': no version along its chain (de -> en) "
            "has it",
            "servingLastGood": False,
        }
    ]
    assert client.get("/api/posts/hallo-welt?locale=de").status_code == 404

    # The English version back: the translation is served again, as on a fresh start.
    (site / "pages" / "blog" / "hello-world.md").write_text(
        (SITE / "pages" / "blog" / "hello-world.md").read_text()
    )
    app.extensions["content"].reload(["pages/blog/hello-world.md"])
    assert body(client, "/healthz")["contentErrors"] == []
    assert body(client, "/api/posts/hallo-welt?locale=de")["date"] == "2025-03-01"


def test_a_default_locale_file_still_needs_its_required_fields(site):
    path = site / "pages" / "blog" / "second-post.md"
    path.write_text(path.read_text().replace("date:", "dated:"))

    lines = check(site)
    assert any(
        "second-post.md:" in line and "missing required field 'date'" in line for line in lines
    ), lines
