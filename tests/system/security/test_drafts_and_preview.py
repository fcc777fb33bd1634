"""Drafts never leak; preview shows them to the token holder only; future posts wait their turn."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from api import create_app
from api.content.model import snapshot
from tests.support.sites import BUNDLED_CONTENT

TOKEN = "s3cret-preview-token-0123456789"
DRAFT_SLUG = "secret-launch-plan"
DRAFT_TITLE = "Secret Launch Plan"
DRAFTS = {
    f"pages/blog/{DRAFT_SLUG}.md": f"""
    ---
    type: PostLayout
    title: {DRAFT_TITLE}
    date: '2030-01-01'
    isDraft: true
    author: content/data/team/jason-hand.json
    tags: [security, launch-only-tag]
    excerpt: Nobody outside may read this.
    ---
    The plan.
    """,
    "pages/hidden-landing.md": """
    ---
    type: PageLayout
    title: Hidden Landing Draft Page
    isDraft: true
    ---
    """,
    "pages/projects/stealth-project.md": """
    ---
    type: ProjectLayout
    title: Stealth Project Draft
    date: '2025-12-01'
    isDraft: true
    ---
    """,
    "pages/featuring-the-draft.md": f"""
    ---
    type: PageLayout
    title: Featuring
    sections:
      - type: FeaturedPostsSection
        variant: variant-a
        posts:
          - content/pages/blog/{DRAFT_SLUG}.md
          - content/pages/blog/ai-security-and-the-end-of-silos.md
      - type: RecentPostsSection
        variant: variant-a
        recentCount: 50
      - type: FeaturedProjectsSection
        variant: variant-a
        projects: [content/pages/projects/stealth-project.md]
    ---
    """,
}
SECRETS = (
    DRAFT_SLUG,
    DRAFT_TITLE,
    "launch-only-tag",
    "Hidden Landing",
    "hidden-landing",
    "Stealth",
)


@pytest.fixture
def with_drafts(make_site):
    return make_site(DRAFTS, base=BUNDLED_CONTENT)


def public_responses(client) -> dict[str, bytes]:
    """Every public GET answer of the site: lists, details, pages, authors, site, health, spec."""
    answers: dict[str, bytes] = {}

    def get(url: str) -> dict:
        response = client.get(url)
        assert response.status_code == 200, url
        answers[url] = response.data
        return response.get_json()

    posts = get("/api/posts?page_size=100")["items"]
    get("/api/posts/recent?limit=50")
    for sort in ("date", "title", "-title"):
        get(f"/api/posts?page_size=100&sort={sort}")
    get("/api/posts?tag=security&page_size=100")
    for post in posts:
        get(f"/api/posts/{post['slug']}?include=markdown")
    for author in get("/api/authors?page_size=100")["items"]:
        get(f"/api/authors/{author['slug']}")
        get(f"/api/authors/{author['slug']}/posts?page_size=100")
    for page in get("/api/pages/paths")["items"]:
        get(f"/api/pages?path={page['path']}&page_size=100")
    get("/api/site")
    get("/healthz")
    get("/api/openapi.json")
    return answers


def test_no_draft_slug_or_title_appears_in_any_public_response(with_drafts):
    client = create_app({"content_dir": with_drafts}).test_client()

    answers = public_responses(client)

    assert len(answers) > 40
    for url, body in answers.items():
        text = body.decode()
        for secret in SECRETS:
            assert secret not in text, (url, secret)


def test_drafts_are_not_counted(with_drafts):
    client = create_app({"content_dir": with_drafts}).test_client()

    assert client.get("/api/posts").get_json()["pagination"]["totalItems"] == 14
    assert client.get("/api/authors/jason-hand").get_json()["postCount"] == 6
    assert client.get("/healthz").get_json()["posts"] == 14
    assert client.get("/api/posts?tag=launch-only-tag").get_json()["pagination"]["totalItems"] == 0


def test_a_draft_url_answers_exactly_like_an_unknown_one(with_drafts, make_site, tmp_path):
    with_draft = create_app({"content_dir": with_drafts}).test_client()
    without = create_app({"content_dir": BUNDLED_CONTENT}).test_client()

    for url in (
        f"/api/posts/{DRAFT_SLUG}",
        "/api/pages?path=/hidden-landing",
        "/api/pages?path=/projects/stealth-project",
    ):
        drafted, unknown = with_draft.get(url), without.get(url)
        assert drafted.status_code == unknown.status_code == 404
        assert drafted.data == unknown.data
        assert drafted.headers["Cache-Control"] == unknown.headers["Cache-Control"]


def preview_client(content_dir, **settings):
    return create_app(
        {"content_dir": content_dir, "preview_token": TOKEN, **settings}
    ).test_client()


def test_preview_token_shows_drafts_everywhere_marked_as_drafts(with_drafts):
    client = preview_client(with_drafts)
    auth = {"Authorization": f"Bearer {TOKEN}"}

    listing = client.get("/api/posts?page_size=100", headers=auth)
    post = client.get(f"/api/posts/{DRAFT_SLUG}", headers=auth)
    featuring = client.get("/api/pages?path=/featuring-the-draft", headers=auth).get_json()

    assert listing.get_json()["items"][0]["slug"] == DRAFT_SLUG
    assert listing.get_json()["items"][0]["isDraft"] is True
    assert listing.get_json()["pagination"]["totalItems"] == 15
    assert post.status_code == 200
    assert post.get_json()["isDraft"] is True
    assert post.get_json()["author"]["postCount"] == 7
    assert featuring["sections"][0]["posts"][0]["slug"] == DRAFT_SLUG
    assert featuring["sections"][2]["projects"][0]["title"] == "Stealth Project Draft"
    assert client.get("/api/pages?path=/hidden-landing", headers=auth).status_code == 200
    for response in (listing, post):
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "ETag" not in response.headers
        assert "Authorization" in response.headers.getlist("Vary")


def test_preview_answers_never_enter_the_shared_cache(with_drafts):
    client = preview_client(with_drafts)

    client.get(f"/api/posts/{DRAFT_SLUG}", headers={"Authorization": f"Bearer {TOKEN}"})
    client.get("/api/posts?page_size=100", headers={"Authorization": f"Bearer {TOKEN}"})

    assert client.get(f"/api/posts/{DRAFT_SLUG}").status_code == 404
    assert DRAFT_SLUG not in client.get("/api/posts?page_size=100").get_data(as_text=True)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer wrong-token",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer",
        "Bearer " + "a" * 4000,
    ],
)
def test_a_wrong_or_missing_token_gets_exactly_the_public_view(with_drafts, authorization):
    client = preview_client(with_drafts)
    headers = {"Authorization": authorization} if authorization else {}

    for url in (
        "/api/posts?page_size=100",
        f"/api/posts/{DRAFT_SLUG}",
        "/api/pages?path=/featuring-the-draft",
    ):
        anonymous = client.get(url)
        attempted = client.get(url, headers=headers)
        assert attempted.status_code == anonymous.status_code
        assert attempted.data == anonymous.data
        assert attempted.headers.get("ETag") == anonymous.headers.get("ETag")
        assert attempted.headers["Cache-Control"] == anonymous.headers["Cache-Control"]


def test_no_token_configured_means_no_preview(with_drafts):
    client = create_app({"content_dir": with_drafts}).test_client()

    response = client.get(f"/api/posts/{DRAFT_SLUG}", headers={"Authorization": "Bearer anything"})

    assert response.status_code == 404


FUTURE_POST = """
---
type: PostLayout
title: Scheduled Announcement
date: '2031-06-01'
---
Not yet.
"""


def test_future_posts_are_public_by_default(make_site):
    root = make_site({"pages/blog/scheduled.md": FUTURE_POST}, base=BUNDLED_CONTENT)
    client = create_app({"content_dir": root}).test_client()

    assert client.get("/api/posts/scheduled").status_code == 200


def test_hidden_future_posts_appear_when_their_date_comes_without_a_restart(make_site, monkeypatch):
    root = make_site({"pages/blog/scheduled.md": FUTURE_POST}, base=BUNDLED_CONTENT)
    client = create_app({"content_dir": root, "hide_future_posts": True}).test_client()
    monkeypatch.setattr(snapshot, "utc_now", lambda: datetime(2031, 5, 31, 23, 59, tzinfo=UTC))

    assert client.get("/api/posts/scheduled").status_code == 404
    before = client.get("/api/posts?page_size=100")
    assert "scheduled" not in before.get_data(as_text=True)
    assert client.get("/healthz").get_json()["posts"] == 14

    monkeypatch.setattr(snapshot, "utc_now", lambda: datetime(2031, 6, 1, 0, 0, tzinfo=UTC))

    assert client.get("/api/posts/scheduled").status_code == 200
    after = client.get("/api/posts?page_size=100")
    assert after.get_json()["items"][0]["slug"] == "scheduled"
    assert after.headers["ETag"] != before.headers["ETag"]
    assert client.get("/healthz").get_json()["posts"] == 15


def test_preview_sees_hidden_future_posts(make_site, monkeypatch):
    root = make_site({"pages/blog/scheduled.md": FUTURE_POST}, base=BUNDLED_CONTENT)
    client = preview_client(root, hide_future_posts=True)

    response = client.get("/api/posts/scheduled", headers={"Authorization": f"Bearer {TOKEN}"})

    assert response.status_code == 200
    assert json.loads(response.data)["title"] == "Scheduled Announcement"
