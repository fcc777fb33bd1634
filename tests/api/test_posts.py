"""Posts: lists, order, filters, detail, sections, on the real corpus and the bundled site."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.support.sites import BUNDLED_CONTENT

CORPUS_ORDER = [
    "post-seven",
    "post-six",
    "post-five",
    "post-four",
    "post-three",
    "post-two",
    "post-one",
]


def slugs(items: list[dict]) -> list[str]:
    return [item["slug"] for item in items]


def test_corpus_posts_are_served_newest_first(corpus_client):
    response = corpus_client.get("/api/posts?page_size=100")

    assert response.status_code == 200
    assert response.content_type == "application/json"
    body = response.get_json()
    assert slugs(body["items"]) == CORPUS_ORDER
    assert body["pagination"] == {"page": 1, "pageSize": 100, "totalItems": 7, "totalPages": 1}


def test_post_summary_has_the_contract_fields(corpus_client):
    summary = corpus_client.get("/api/posts?page_size=1").get_json()["items"][0]

    # The file's fields in the file's order, then what the API derives, in its fixed order.
    assert list(summary) == [
        "type",
        "title",
        "date",
        "author",
        "excerpt",
        "featuredImage",
        "slug",
        "url",
        "readingTime",
        "wordCount",
        "tags",
    ]
    assert summary == {
        "type": "PostLayout",
        "title": "Habits of highly productive web developers ⌨️",
        "date": "2022-01-04",
        "excerpt": summary["excerpt"],
        "featuredImage": summary["featuredImage"],
        "author": {
            "type": "Person",
            "firstName": "Doris",
            "lastName": "Soto",
            "image": {
                "type": "ImageBlock",
                "url": "/images/about.jpg",
                "altText": "Doris Soto photo",
            },
            "slug": "doris-soto",
            "name": "Doris Soto",
        },
        "slug": "post-seven",
        "url": "/blog/post-seven",
        "readingTime": summary["readingTime"],
        "wordCount": summary["wordCount"],
        "tags": [],
    }
    assert list(summary["author"]) == ["type", "firstName", "lastName", "image", "slug", "name"]
    assert summary["featuredImage"]["type"] == "ImageBlock"
    assert summary["wordCount"] > 300
    assert summary["readingTime"] == -(-summary["wordCount"] // 200)


def test_post_one_recent_posts_section_holds_recent_count_other_posts(corpus_client):
    post = corpus_client.get("/api/posts/post-one").get_json()

    section = post["bottomSections"][0]
    assert section["type"] == "RecentPostsSection"
    assert section["recentCount"] == 2
    assert slugs(section["posts"]) == ["post-seven", "post-six"]


def test_recent_posts_section_never_lists_the_post_it_is_on(corpus_client):
    post = corpus_client.get("/api/posts/post-seven").get_json()

    recent = next(s for s in post["bottomSections"] if s["type"] == "RecentPostsSection")
    assert "post-seven" not in slugs(recent["posts"])
    assert len(recent["posts"]) == recent["recentCount"]


def test_post_detail_keeps_every_front_matter_field_and_resolves_the_author(client):
    seed = BUNDLED_CONTENT / "pages/blog/ai-security-and-the-end-of-silos.md"
    front_matter = yaml.safe_load(seed.read_text(encoding="utf-8").split("---")[1])

    post = client.get("/api/posts/ai-security-and-the-end-of-silos").get_json()

    for key, value in front_matter.items():
        if key in ("author", "bottomSections"):
            continue
        assert post[key] == value, key
    assert post["author"]["slug"] == "jason-hand"
    assert post["author"]["name"] == "Jason Hand"
    assert post["author"]["postCount"] == 6
    section = post["bottomSections"][0]
    assert {k: v for k, v in section.items() if k != "posts"} == front_matter["bottomSections"][0]
    assert len(section["posts"]) == 3
    assert "ai-security-and-the-end-of-silos" not in slugs(section["posts"])
    assert post["slug"] == "ai-security-and-the-end-of-silos"
    assert post["url"] == "/blog/ai-security-and-the-end-of-silos"
    assert post["html"].startswith("<p>One of the most interesting things about AI in security")
    assert post["toc"] == []
    assert post["wordCount"] == 128  # words of the three paragraphs; an em dash separates two
    assert post["readingTime"] == 1
    assert "markdown" not in post


def test_include_markdown_adds_the_raw_body(client):
    post = client.get("/api/posts/ai-security-and-the-end-of-silos?include=markdown").get_json()

    text = Path(BUNDLED_CONTENT / "pages/blog/ai-security-and-the-end-of-silos.md").read_text()
    body = text.split("---\n", 2)[2]  # everything after the line that closes the front matter
    assert post["markdown"] == body
    assert post["markdown"].endswith("keep up.\n")  # the final newline is the file's


def test_include_rejects_unknown_values(client):
    response = client.get("/api/posts/ai-security-and-the-end-of-silos?include=everything")

    assert response.status_code == 422
    assert "include" in response.get_json()["errors"]


def test_unknown_post_slug_is_404_in_the_error_shape(client):
    response = client.get("/api/posts/no-such-post")

    assert response.status_code == 404
    assert response.get_json() == {
        "code": 404,
        "status": "Not Found",
        "message": "No post with slug 'no-such-post'",
    }


def test_unquoted_aspect_ratio_stays_a_string(client):
    post = client.get("/api/posts/llm-copilots-in-the-incident-channel").get_json()

    assert post["media"]["type"] == "VideoBlock"
    assert post["media"]["aspectRatio"] == "16:9"


def test_dates_are_iso_whether_quoted_unquoted_or_timestamped(client):
    dates = {
        item["slug"]: item["date"]
        for item in client.get("/api/posts?page_size=100").get_json()["items"]
    }

    assert dates["service-level-objectives-for-ai-features"] == "2025-08-19"  # unquoted
    assert dates["ai-security-and-the-end-of-silos"] == "2025-01-30"  # quoted
    assert dates["llm-copilots-in-the-incident-channel"] == "2025-06-02T09:30:00Z"


def test_bundled_posts_order_breaks_date_ties_by_slug(client):
    order = slugs(client.get("/api/posts?page_size=100").get_json()["items"])

    assert order.index("embedding-live-status-widgets-in-your-docs") + 1 == order.index(
        "what-developer-advocates-owe-operators"
    )
    assert order[0] == "retiring-the-war-room"
    assert order[-1] == "your-on-call-rotation-is-a-product"


def test_filter_by_author_and_tag(client):
    by_wei = client.get("/api/posts?author=wei-chen&page_size=100").get_json()
    tagged = client.get("/api/posts?tag=security&page_size=100").get_json()

    assert by_wei["pagination"]["totalItems"] == 4
    assert {item["author"]["slug"] for item in by_wei["items"]} == {"wei-chen"}
    assert tagged["pagination"]["totalItems"] >= 2
    assert all("security" in item["tags"] for item in tagged["items"])


def test_filter_by_unknown_author_is_an_empty_page(client):
    body = client.get("/api/posts?author=nobody").get_json()

    assert body == {
        "items": [],
        "pagination": {"page": 1, "pageSize": 10, "totalItems": 0, "totalPages": 0},
    }


def test_sort_orders(client):
    def order(sort: str) -> list[str]:
        return slugs(client.get(f"/api/posts?page_size=100&sort={sort}").get_json()["items"])

    newest = order("-date")
    assert order("date")[0] == newest[-1]
    titles = [
        item["title"].casefold()
        for item in client.get("/api/posts?page_size=100&sort=title").get_json()["items"]
    ]
    assert titles == sorted(titles)
    assert order("-title") == list(reversed(order("title")))


def test_recent_posts_endpoint(client):
    newest = slugs(client.get("/api/posts?page_size=5").get_json()["items"])

    assert slugs(client.get("/api/posts/recent").get_json()["items"]) == newest[:3]
    assert slugs(client.get("/api/posts/recent?limit=5").get_json()["items"]) == newest[:5]
    excluded = client.get(f"/api/posts/recent?limit=2&exclude={newest[0]}").get_json()
    assert slugs(excluded["items"]) == newest[1:3]


def test_recent_posts_limit_bounds(client):
    assert client.get("/api/posts/recent?limit=0").status_code == 422
    assert client.get("/api/posts/recent?limit=51").status_code == 422
    assert len(client.get("/api/posts/recent?limit=50").get_json()["items"]) == 14


def test_featured_posts_section_lists_its_references_in_order(client):
    post = client.get("/api/posts/golden-paths-not-golden-cages").get_json()

    featured = next(s for s in post["bottomSections"] if s["type"] == "FeaturedPostsSection")
    assert slugs(featured["posts"]) == [
        "kubernetes-resource-limits-a-field-guide",
        "structured-logging-is-a-security-control",
    ]
    assert set(featured["posts"][0]) >= {"slug", "url", "title", "date", "readingTime"}
    assert "bottomSections" not in featured["posts"][0]  # summaries, never whole posts
