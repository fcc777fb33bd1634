"""The response cache: an answer is kept with every content key it shows (its ``Cache-Tag``), and
an edit drops exactly the answers whose keys changed, so a kept answer is never stale; each
distinct query is an answer of its own."""

from __future__ import annotations

from pathlib import Path

from api import create_app
from tests.support.sites import BUNDLED_CONTENT, SiteWriter

POST = """\
---
type: PostLayout
title: {title}
date: '{date}'
tags: [{tags}]
---
Body of {title}.
"""


def _post(title: str, date: str, tags: str) -> str:
    return POST.format(title=title, date=date, tags=tags)


def _app(root: Path):
    app = create_app({"content_dir": root, "parse_cache_dir": None})
    return app, app.test_client()


def test_answers_carry_their_content_keys_and_say_whether_they_were_cached(site_client):
    client = site_client({}, base=BUNDLED_CONTENT)

    first = client.get("/api/posts/ai-security-and-the-end-of-silos")
    again = client.get("/api/posts/ai-security-and-the-end-of-silos")

    assert first.headers["X-Response-Cache"] == "MISS"
    assert again.headers["X-Response-Cache"] == "HIT"
    keys = first.headers["Cache-Tag"].split(",")
    assert keys == sorted(keys) and "posts-recent" in keys  # its RecentPostsSection: the newest
    assert len(first.headers["Cache-Tag"]) <= 1024
    assert all(key.replace("-", "").isalnum() for key in keys)


def test_an_edit_drops_only_the_answers_that_show_what_changed(make_site):
    root = make_site({}, base=BUNDLED_CONTENT)
    app = create_app({"content_dir": root})
    client = app.test_client()
    old_post = "/api/posts/kubernetes-resource-limits-a-field-guide"  # not among the newest
    unrelated = "/api/authors/jason-hand"  # not its author
    listing, other_list = "/api/posts?page_size=5&page=3", "/api/posts?page_size=5&page=1"
    assert "kubernetes-resource-limits" in client.get(listing).get_data(as_text=True)
    assert "kubernetes-resource-limits" not in client.get(other_list).get_data(as_text=True)
    for path in (old_post, unrelated, "/api/site"):
        client.get(path)

    path = root / "pages/blog/kubernetes-resource-limits-a-field-guide.md"
    text = path.read_text(encoding="utf-8")
    old_title = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(old_title, "title: Newly edited", 1), encoding="utf-8")
    app.extensions["content"].reload(["pages/blog/kubernetes-resource-limits-a-field-guide.md"])

    assert client.get(old_post).headers["X-Response-Cache"] == "MISS"
    assert client.get(old_post).get_json()["title"].startswith("Newly ")
    assert client.get(unrelated).headers["X-Response-Cache"] == "HIT"
    assert client.get("/api/site").headers["X-Response-Cache"] == "HIT"
    assert client.get(listing).headers["X-Response-Cache"] == "MISS"  # it lists the post
    assert client.get(other_list).headers["X-Response-Cache"] == "HIT"
    version = client.get("/healthz").headers["X-Content-Version"]
    assert client.get(unrelated).headers["X-Content-Version"] == version  # never an older one


def test_a_tags_post_list_drops_when_a_post_gains_the_tag(make_site: SiteWriter) -> None:
    root = make_site(
        {
            "pages/index.md": "---\ntype: PageLayout\ntitle: Home\n---\n",
            "pages/blog/one.md": _post("One", "2024-01-01", "ai"),
        }
    )
    app, client = _app(root)
    before = client.get("/api/tags/ai/posts").get_json()
    assert [item["slug"] for item in before["items"]] == ["one"]

    (root / "pages/blog/two.md").write_text(_post("Two", "2024-02-01", "ai"), encoding="utf-8")
    app.extensions["content"].reload(["pages/blog/two.md"])

    after = client.get("/api/tags/ai/posts")
    uncached = client.get("/api/tags/ai/posts?page=1")  # another cache key: rendered afresh
    assert [item["slug"] for item in uncached.get_json()["items"]] == ["two", "one"]
    assert after.get_json() == uncached.get_json(), after.headers.get("X-Response-Cache")


def test_site_answer_drops_when_config_keys_are_reordered(make_site: SiteWriter) -> None:
    """Answers keep the file's key order, so a reordered (or 1 -> true) config is a change."""
    root = make_site(
        {
            "pages/index.md": "---\ntype: PageLayout\ntitle: Home\n---\n",
            "data/config.json": '{"titleSuffix": "Site", "favicon": "/a.png", "flag": 1}',
        }
    )
    app, client = _app(root)
    client.get("/api/site")
    (root / "data/config.json").write_text(
        '{"favicon": "/a.png", "titleSuffix": "Site", "flag": true}', encoding="utf-8"
    )
    app.extensions["content"].reload(["data/config.json"])

    _, fresh = _app(root)
    assert client.get("/api/site").get_data() == fresh.get("/api/site").get_data()


def test_repeated_query_parameters_in_another_order_are_another_answer() -> None:
    """Repeated parameters take their first value: ``page=2&page=1`` is page 2, so it must
    not share a cache entry with ``page=1&page=2`` (the normalised query sorts them)."""
    client = _app(BUNDLED_CONTENT)[1]
    first = client.get("/api/posts?page_size=2&page=1&page=2").get_json()
    second = client.get("/api/posts?page_size=2&page=2&page=1").get_json()
    assert first["pagination"]["page"] == 1
    assert second["pagination"]["page"] == 2


def test_an_encoded_ampersand_is_not_a_parameter_separator() -> None:
    """``q=x%26y%3D`` searches for ``x&y=``; ``q=x&y=`` searches for ``x`` (``y`` ignored)."""
    client = _app(BUNDLED_CONTENT)[1]
    literal = client.get("/api/search?q=security%26y%3D").get_data()
    split = client.get("/api/search?q=security&y=")
    assert client.get("/api/search?q=security").get_data() != literal  # they differ...
    assert split.get_data() == client.get("/api/search?q=security").get_data()  # ...this not
