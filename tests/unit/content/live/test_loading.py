"""Loading a content folder: what files become, and what a broken file breaks (and does not)."""

from __future__ import annotations

from tests.support.sites import CORPUS

GOOD_POST = """
---
type: PostLayout
title: A good post
date: 2030-01-01
author: content/data/team/doris-soto.json
---
Still served.
"""


def test_a_malformed_post_is_reported_and_skipped_while_the_rest_serve(site_client):
    client = site_client(
        {
            "pages/blog/broken.md": """
            ---
            type: PostLayout
            title: Broken
            date: '2022-02-02'
              author: [unclosed
            ---
            Never served.
            """,
            "pages/blog/good.md": GOOD_POST,
        },
        base=CORPUS,
    )

    listing = client.get("/api/posts?page_size=100").get_json()
    assert [item["slug"] for item in listing["items"]][:2] == ["good", "post-seven"]
    assert listing["pagination"]["totalItems"] == 8
    assert client.get("/api/posts/broken").status_code == 404
    health = client.get("/healthz").get_json()
    assert health["skippedFiles"] == 1
    assert health["contentErrors"] == [
        {
            "path": "pages/blog/broken.md",
            "line": 5,
            "message": "invalid YAML: did not find expected key (while parsing a block mapping)",
            "servingLastGood": False,
        }
    ]


def test_a_post_missing_a_required_field_is_left_out(site_client):
    client = site_client(
        {"pages/blog/untitled.md": "---\ntype: PostLayout\ndate: '2022-02-02'\n---\nBody\n"},
        base=CORPUS,
    )

    assert client.get("/api/posts/untitled").status_code == 404
    errors = client.get("/healthz").get_json()["contentErrors"]
    assert errors == [
        {
            "path": "pages/blog/untitled.md",
            "line": 2,
            "message": "missing required field 'title'",
            "servingLastGood": False,
        }
    ]


def test_a_dangling_author_reference_is_an_error_with_its_line(site_client):
    client = site_client(
        {
            "pages/blog/ghost.md": """
            ---
            type: PostLayout
            title: Ghost-written
            date: '2022-02-02'
            author: content/data/team/nobody.json
            ---
            Body
            """
        },
        base=CORPUS,
    )

    errors = client.get("/healthz").get_json()["contentErrors"]
    assert errors == [
        {
            "path": "pages/blog/ghost.md",
            "line": 5,
            "message": "author: no such file: content/data/team/nobody.json",
            "servingLastGood": False,
        }
    ]
    # An error from another file leaves the reference unresolved, not the post out.
    ghost = client.get("/api/posts/ghost")
    assert ghost.status_code == 200
    assert "author" not in ghost.get_json()
    assert client.get("/healthz").get_json()["skippedFiles"] == 0


def test_page_model_named_by_layout_works_like_type(site_client):
    client = site_client(
        {
            "pages/blog/old-theme.md": """
            ---
            layout: PostLayout
            title: From an older theme
            date: '2023-03-03'
            ---
            Hello.
            """
        },
        base=CORPUS,
    )

    post = client.get("/api/posts/old-theme").get_json()
    assert post["type"] == "PostLayout"
    assert post["layout"] == "PostLayout"  # the file's own field stays, beside the derived type
    assert list(post)[:4] == ["layout", "title", "date", "type"]
    assert post["html"] == "<p>Hello.</p>"


def test_post_without_author_has_no_author_key(site_client):
    client = site_client(
        {"pages/blog/anon.md": "---\ntype: PostLayout\ntitle: Anon\ndate: 2023-03-03\n---\nHi\n"},
        base=CORPUS,
    )

    post = client.get("/api/posts/anon").get_json()
    summary = client.get("/api/posts?page_size=1").get_json()["items"][0]
    assert "author" not in post
    assert summary["slug"] == "anon"  # 2023-03-03 is newer than every corpus post
    assert "author" not in summary


def test_unknown_section_type_is_served_as_it_is(site_client):
    client = site_client(
        {
            "pages/blog/custom.md": """
            ---
            type: PostLayout
            title: With a theme's own section
            date: '2020-01-01'
            bottomSections:
              - type: NewsletterSection
                heading: Subscribe
                provider: {name: buttondown, list: 42}
            ---
            Body
            """
        },
        base=CORPUS,
    )

    post = client.get("/api/posts/custom").get_json()
    assert post["bottomSections"] == [
        {
            "type": "NewsletterSection",
            "heading": "Subscribe",
            "provider": {"name": "buttondown", "list": 42},
        }
    ]


def test_fields_the_model_does_not_list_are_kept(site_client):
    client = site_client(
        {
            "pages/blog/extra.md": (
                "---\ntype: PostLayout\ntitle: X\ndate: '2020-01-01'\nseries: Ops 101\n---\n"
            )
        },
        base=CORPUS,
    )

    assert client.get("/api/posts/extra").get_json()["series"] == "Ops 101"


def test_null_values_are_left_out_not_served_as_null(site_client):
    client = site_client(
        {
            "pages/blog/nulls.md": (
                "---\ntype: PostLayout\ntitle: X\ndate: '2020-01-01'\n"
                "excerpt:\nmetaTitle: null\n---\n"
            )
        },
        base=CORPUS,
    )

    post = client.get("/api/posts/nulls").get_json()
    assert "excerpt" not in post
    assert "metaTitle" not in post
    summary = next(
        i
        for i in client.get("/api/posts?page_size=100").get_json()["items"]
        if i["slug"] == "nulls"
    )
    assert "excerpt" not in summary


def test_an_empty_string_stays_an_empty_string(client):
    post = client.get("/api/posts/ai-security-and-the-end-of-silos").get_json()

    assert post["media"]["elementId"] == ""
