"""Pages by URL path: golden responses for every page of the real corpus, and lookup rules."""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.support.sites import CORPUS, ROOT

GOLDEN = ROOT / "tests" / "golden" / "corpus-pages"
CORPUS_PATHS = [
    "/",
    "/info",
    "/blog",
    "/blog/post-one",
    "/blog/post-two",
    "/blog/post-three",
    "/blog/post-four",
    "/blog/post-five",
    "/blog/post-six",
    "/blog/post-seven",
    "/projects",
    "/projects/project-one",
    "/projects/project-two",
    "/projects/project-three",
]


def golden_name(path: str) -> str:
    return (path.strip("/").replace("/", "--") or "index") + ".json"


@pytest.mark.parametrize("path", CORPUS_PATHS)
def test_corpus_page_matches_its_golden_response(corpus_client, path):
    response = corpus_client.get("/api/pages", query_string={"path": path})

    assert response.status_code == 200
    golden = GOLDEN / golden_name(path)
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(json.dumps(response.get_json(), indent=2, ensure_ascii=False) + "\n")
    assert response.get_json() == json.loads(golden.read_text(encoding="utf-8"))


def test_every_corpus_page_is_listed_in_paths(corpus_client):
    items = corpus_client.get("/api/pages/paths").get_json()["items"]

    assert [item["path"] for item in items] == sorted(CORPUS_PATHS)
    assert {"path": "/blog", "type": "PostFeedLayout", "title": "Blog"} in items


def test_home_page_sections_are_resolved_in_order(corpus_client):
    home = corpus_client.get("/api/pages?path=/").get_json()

    kinds = [section["type"] for section in home["sections"]]
    assert kinds == [
        "HeroSection",
        "FeaturedProjectsSection",
        "FeaturedPostsSection",
        "ContactSection",
    ]
    projects = [p["slug"] for p in home["sections"][1]["projects"]]
    posts = [p["slug"] for p in home["sections"][2]["posts"]]
    assert projects == ["project-two", "project-three", "project-one"]
    assert posts == ["post-seven", "post-six", "post-one"]
    assert "bottomSections" not in home["sections"][2]["posts"][0]


def test_a_post_page_is_the_post_resource(corpus_client):
    page = corpus_client.get("/api/pages?path=/blog/post-one").get_json()

    assert page == corpus_client.get("/api/posts/post-one").get_json()


def test_blog_feed_is_paginated_on_the_server(corpus_client):
    response = corpus_client.get("/api/pages?path=/blog&page=2&page_size=3")

    feed = response.get_json()
    assert feed["type"] == "PostFeedLayout"
    assert feed["postFeed"]["type"] == "PagedPostsSection"
    assert [item["slug"] for item in feed["items"]] == ["post-four", "post-three", "post-two"]
    assert feed["pagination"] == {"page": 2, "pageSize": 3, "totalItems": 7, "totalPages": 3}
    rels = dict(
        (rel, url) for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])
    )
    assert rels["next"] == "/api/pages?page=3&path=%2Fblog&page_size=3"


def test_projects_have_newer_and_older_neighbours(corpus_client):
    def neighbours(slug: str) -> tuple[str | None, str | None]:
        page = corpus_client.get(f"/api/pages?path=/projects/{slug}").get_json()
        return (page.get("nextProject", {}).get("slug"), page.get("prevProject", {}).get("slug"))

    feed = corpus_client.get("/api/pages?path=/projects").get_json()
    newest_first = [item["slug"] for item in feed["items"]]
    assert newest_first == ["project-three", "project-two", "project-one"]
    assert neighbours("project-three") == (None, "project-two")
    assert neighbours("project-two") == ("project-three", "project-one")
    assert neighbours("project-one") == ("project-two", None)


@pytest.mark.parametrize("path", ["/info/", "/INFO", "info", "//info//", " /info "])
def test_paths_match_after_normalising_slashes_and_case(corpus_client, path):
    response = corpus_client.get("/api/pages", query_string={"path": path})

    assert response.status_code == 200
    assert response.get_json()["url"] == "/info"


@pytest.mark.parametrize(
    "path",
    ["/nope", "/blog/post-eight", "/../data/config.json", "/blog/../info", "/info\x00", "/a\\b"],
)
def test_unknown_or_unsafe_paths_are_404(corpus_client, path):
    response = corpus_client.get("/api/pages", query_string={"path": path})

    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_path_is_required(corpus_client):
    response = corpus_client.get("/api/pages")

    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["path"]


def test_site_has_config_and_style_typed(corpus_client):
    site = corpus_client.get("/api/site").get_json()

    assert site["siteUrl"] == "http://127.0.0.1:5000"
    assert site["config"]["type"] == "Config"
    assert site["config"]["header"]["type"] == "Header"  # typed by position: no type in the file
    assert site["config"]["footer"]["contacts"]["type"] == "ContactBlock"
    assert [link["label"] for link in site["config"]["header"]["primaryLinks"]] == [
        "Info",
        "Projects",
        "Blog",
    ]
    assert site["config"]["header"]["socialLinks"][0]["icon"] == "twitter"
    assert site["style"]["type"] == "ThemeStyle"
    assert site["style"]["h1"] == {
        "type": "ThemeStyleHeading",
        "size": "6xl",
        "weight": "medium",
        "decoration": "none",
        "case": "uppercase",
        "letterSpacing": "normal",
    }


def test_a_page_with_layout_and_an_unknown_section_is_served(site_client):
    client = site_client(
        {
            "pages/landing.md": """
            ---
            layout: PageLayout
            title: Landing
            sections:
              - type: PricingTableSection
                plans: [{name: Free, price: 0}, {name: Team, price: 12}]
              - type: TextSection
                variant: variant-a
                text: Hello **there**
            ---
            """
        },
        base=CORPUS,
    )

    page = client.get("/api/pages?path=/landing").get_json()
    assert page["type"] == "PageLayout"
    assert page["sections"][0] == {
        "type": "PricingTableSection",
        "plans": [{"name": "Free", "price": 0}, {"name": "Team", "price": 12}],
    }
    assert page["sections"][1] == {
        "type": "TextSection",
        "variant": "variant-a",
        "text": "Hello **there**",
    }


def test_an_unknown_page_type_is_served_as_it_is(site_client):
    client = site_client(
        {"pages/promo.md": "---\ntype: PromoLayout\ntitle: Promo\nbanner: big\n---\nHi\n"},
        base=CORPUS,
    )

    page = client.get("/api/pages?path=/promo").get_json()
    assert page["type"] == "PromoLayout"
    assert page["banner"] == "big"
    assert page["html"] == "<p>Hi</p>"


def test_bundled_home_page_has_hero_and_featured_posts(client):
    home = client.get("/api/pages?path=/").get_json()

    kinds = [section["type"] for section in home["sections"]]
    assert "HeroSection" in kinds
    featured = next(s for s in home["sections"] if s["type"] == "FeaturedPostsSection")
    assert len(featured["posts"]) == 3
    assert "ai-security-and-the-end-of-silos" in [p["slug"] for p in featured["posts"]]
