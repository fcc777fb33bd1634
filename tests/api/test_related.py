"""Related posts: shared tags first, then similar text, then newest; never the post itself."""

from __future__ import annotations

import pytest

from api.content.model.tag_index import tag_slugs
from tests.support.sites import BUNDLED_CONTENT

SEED = "ai-security-and-the-end-of-silos"


def related(client, slug: str, **params) -> list[dict]:
    response = client.get(f"/api/posts/{slug}/related", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def all_posts(client) -> dict[str, dict]:
    items = client.get("/api/posts?page_size=100").get_json()["items"]
    return {item["slug"]: item for item in items}


def test_three_by_default_never_the_post_itself(client):
    for slug in all_posts(client):
        items = related(client, slug)
        assert len(items) == 3
        assert slug not in {item["slug"] for item in items}


def test_posts_sharing_more_tags_come_first(client):
    posts = all_posts(client)
    for slug, post in posts.items():
        mine = set(tag_slugs(post["tags"]))
        shared = [
            len(mine & set(tag_slugs(item["tags"]))) for item in related(client, slug, limit=20)
        ]
        assert shared == sorted(shared, reverse=True), slug


def test_a_post_without_tags_gets_posts_with_similar_text(client):
    # The seed post has no tags: its neighbours are the posts on AI and security.
    slugs = [item["slug"] for item in related(client, SEED)]

    assert "prompt-injection-is-an-incident-class-now" in slugs


def test_limit_and_its_bounds(client):
    assert len(related(client, SEED, limit=1)) == 1
    assert len(related(client, SEED, limit=20)) == 13  # every other post has a word in common
    for bad in ("0", "21", "x"):
        response = client.get(f"/api/posts/{SEED}/related", query_string={"limit": bad})
        assert response.status_code == 422
        assert "limit" in response.get_json()["errors"]


def test_an_unknown_post_is_404(client):
    response = client.get("/api/posts/no-such-post/related")

    assert response.status_code == 404
    assert response.get_json()["message"] == "No post with slug 'no-such-post'"


DRAFT = """
---
type: PostLayout
title: Golden Paths and Kubernetes Platforms, a Draft
date: '2025-02-02'
isDraft: true
tags: [platform, security, kubernetes]
---
Paved roads, golden paths, platform teams, Kubernetes limits and secure defaults.
"""


@pytest.mark.parametrize("preview", [False, True])
def test_drafts_are_related_only_in_preview(site_client, preview):
    client = site_client(
        {"pages/blog/draft-paths.md": DRAFT}, base=BUNDLED_CONTENT, preview_token="p" * 20
    )
    headers = {"Authorization": f"Bearer {'p' * 20}"} if preview else {}

    response = client.get("/api/posts/golden-paths-not-golden-cages/related", headers=headers)
    slugs = [item["slug"] for item in response.get_json()["items"]]

    assert ("draft-paths" in slugs) is preview
    assert client.get("/api/posts/draft-paths/related", headers=headers).status_code == (
        200 if preview else 404
    )
