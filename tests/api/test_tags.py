"""Tags: slugs, names as first written, counts without drafts, and the tag filter."""

from __future__ import annotations

import pytest

from api.content.model.tag_index import tag_slug
from tests.support.sites import BUNDLED_CONTENT


def test_tags_are_listed_most_posts_first_then_by_name(client):
    items = client.get("/api/tags").get_json()["items"]

    counts = [(-tag["postCount"], tag["name"].casefold()) for tag in items]
    assert counts == sorted(counts)
    assert items[0] == {"slug": "incidents", "name": "incidents", "postCount": 5}
    assert {tag["slug"] for tag in items} >= {"ai", "security", "on-call", "sre", "kubernetes"}
    posts = client.get("/api/posts?page_size=100").get_json()["items"]
    for tag in items:
        tagged = [post for post in posts if tag["slug"] in map(tag_slug, post["tags"])]
        assert tag["postCount"] == len(tagged), tag


def test_a_tag_is_named_as_its_oldest_post_writes_it(client):
    # "On-Call" (2024-01-16), "on call" (2024-02-27), "On-Call" (2025-11-04): one tag.
    assert client.get("/api/tags/on-call").get_json() == {
        "slug": "on-call",
        "name": "On-Call",
        "postCount": 3,
    }


def test_another_spelling_of_a_tag_finds_it(client):
    assert client.get("/api/tags/On-Call").get_json()["slug"] == "on-call"
    assert client.get("/api/tags/nope").status_code == 404
    assert client.get("/api/tags/nope/posts").status_code == 404


def test_a_tags_posts_are_paged_newest_first(client):
    body = client.get("/api/tags/on-call/posts?page_size=2").get_json()

    assert [post["slug"] for post in body["items"]] == [
        "retiring-the-war-room",
        "writing-runbooks-people-actually-read",
    ]
    assert body["pagination"] == {"page": 1, "pageSize": 2, "totalItems": 3, "totalPages": 2}


@pytest.mark.parametrize("spelling", ["on-call", "On Call", "ON-CALL"])
def test_the_posts_tag_filter_takes_the_slug(client, spelling):
    body = client.get("/api/posts", query_string={"tag": spelling}).get_json()

    assert body["pagination"]["totalItems"] == 3


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Incident Response", "incident-response"),
        ("  AI  ", "ai"),
        ("C++ & Rust", "c-rust"),
        ("on_call", "on-call"),
        ("Café", "café"),
        ("!!!", ""),
    ],
)
def test_tag_slugs(name, slug):
    assert tag_slug(name) == slug


DRAFT = """
---
type: PostLayout
title: A Draft
date: '2025-02-02'
isDraft: true
tags: [security, Draft Only]
---
Draft.
"""


def test_drafts_never_count(site_client):
    client = site_client(
        {"pages/blog/a-draft.md": DRAFT}, base=BUNDLED_CONTENT, preview_token="t" * 20
    )
    preview = {"Authorization": f"Bearer {'t' * 20}"}

    assert client.get("/api/tags/security").get_json()["postCount"] == 4
    assert client.get("/api/tags/draft-only").status_code == 404
    assert client.get("/api/tags/security", headers=preview).get_json()["postCount"] == 5
    assert client.get("/api/tags/draft-only", headers=preview).get_json()["postCount"] == 1
