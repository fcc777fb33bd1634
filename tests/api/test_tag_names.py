"""One tag model: a tag spelled two ways has one name everywhere, as first written.

The tag's name is its spelling in its oldest post (the contract: "as first written in the
content"); ``/api/tags``, the feeds' titles and every filter by tag agree on it, whichever
spelling a request uses.
"""

from __future__ import annotations

import feedparser
import pytest

POSTS = {
    "pages/blog/older.md": """\
        ---
        type: PostLayout
        title: Older
        date: '2024-01-01'
        tags: [Site Reliability]
        ---
        First.
        """,
    "pages/blog/newer.md": """\
        ---
        type: PostLayout
        title: Newer
        date: '2025-06-01'
        tags: [site-reliability, Other]
        ---
        Second.
        """,
    "data/config.json": '{"type": "Config", "titleSuffix": "Tags"}',
}


@pytest.fixture
def client(site_client):
    return site_client(POSTS)


def test_the_tags_resource_names_the_tag_as_its_oldest_post_writes_it(client):
    assert client.get("/api/tags/site-reliability").get_json() == {
        "slug": "site-reliability",
        "name": "Site Reliability",
        "postCount": 2,
    }


@pytest.mark.parametrize("feed", ["/api/feed.xml", "/api/feed.atom", "/api/feed.json"])
def test_every_feed_names_the_tag_as_the_tags_resource_does(client, feed):
    response = client.get(feed, query_string={"tag": "site-reliability"})  # feeds take the slug

    assert response.status_code == 200
    if feed.endswith(".json"):  # feedparser reads XML feeds only
        title, entries = response.get_json()["title"], response.get_json()["items"]
    else:
        parsed = feedparser.parse(response.data)
        title, entries = parsed.feed.title, parsed.entries
    assert title == "Tags: posts tagged Site Reliability"
    assert len(entries) == 2


def test_the_posts_filter_and_search_filter_find_both_spellings(client):
    for spelling in ("site-reliability", "Site Reliability"):
        posts = client.get("/api/posts", query_string={"tag": spelling}).get_json()
        assert [post["slug"] for post in posts["items"]] == ["newer", "older"]
        hits = client.get("/api/search", query_string={"q": "e", "tag": spelling}).get_json()
        assert {hit["slug"] for hit in hits["items"]} <= {"newer", "older"}
