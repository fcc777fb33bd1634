"""The rules that decide what is served, the same on a cold start, a warm start and a live
change: errors from other files, slugs that routes or other files claim, a person's own
slug, and how /healthz and the logs report problems."""

from __future__ import annotations

import json
import logging

from api import create_app
from tests.support.sites import BUNDLED_CONTENT, answers_of, loaded_repository


def test_a_post_named_after_a_route_is_a_content_error(site_client):
    client = site_client(
        {"pages/blog/recent.md": "---\ntype: PostLayout\ntitle: R\ndate: '2024-01-01'\n---\nx\n"},
        base=BUNDLED_CONTENT,
    )

    health = client.get("/healthz").get_json()
    assert health["contentErrors"] == [
        {
            "path": "pages/blog/recent.md",
            "line": 2,
            "message": "post slug 'recent' is taken by the API's route /api/posts/recent; "
            "rename the file",
            "servingLastGood": False,
        }
    ]
    assert health["skippedFiles"] == 1
    assert "items" in client.get("/api/posts/recent").get_json()  # the route, not the post
    assert client.get("/api/pages?path=/blog/recent").status_code == 404


def test_every_fixed_route_under_posts_is_a_reserved_slug():
    """A route added under /api/posts/ later must reserve its segment, or a post of that slug
    becomes unreachable without a word."""
    from api.content.live.claims import RESERVED_POST_SLUGS

    app = create_app({"content_dir": BUNDLED_CONTENT})
    fixed = {
        rule.rule.split("/")[3]
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/posts/") and not rule.rule.split("/")[3].startswith("<")
    }
    assert fixed, "no fixed route under /api/posts/: the test no longer looks where it should"
    assert fixed <= RESERVED_POST_SLUGS, (
        f"routes whose slug is not reserved: {fixed - RESERVED_POST_SLUGS}"
    )


def test_a_persons_own_slug_field_is_their_slug(site_client):
    client = site_client(
        {
            "data/team/jason-hand.json": json.dumps(
                {"type": "Person", "firstName": "Jason", "lastName": "Hand", "slug": "jhand"}
            )
        },
        base=BUNDLED_CONTENT,
    )

    author = client.get("/api/authors/jhand").get_json()
    assert author["slug"] == "jhand"
    assert author["postCount"] == 6
    assert client.get("/api/authors/jason-hand").status_code == 404
    post = client.get("/api/posts/ai-security-and-the-end-of-silos").get_json()
    assert post["author"]["slug"] == "jhand"
    assert client.get("/api/authors/jhand/posts").get_json()["pagination"]["totalItems"] == 6


def test_two_people_with_one_slug_is_an_error_naming_both_files(site_client):
    client = site_client(
        {"data/team/zz-copy.json": json.dumps({"firstName": "Z", "slug": "jason-hand"})},
        base=BUNDLED_CONTENT,
    )

    errors = client.get("/healthz").get_json()["contentErrors"]
    assert [(e["path"], e["message"]) for e in errors] == [
        (
            "data/team/zz-copy.json",
            "slug: author slug 'jason-hand' is already used by content/data/team/jason-hand.json",
        )
    ]
    assert client.get("/api/authors/jason-hand").get_json()["firstName"] == "Jason"


def test_healthz_is_degraded_while_files_have_errors_and_counts_only_files_left_out(
    make_site, tmp_path
):
    root = make_site({}, base=BUNDLED_CONTENT)
    repo = loaded_repository(root)
    seed = root / "pages/blog/ai-security-and-the-end-of-silos.md"
    seed.write_text(seed.read_text(encoding="utf-8").replace("title:", "title: [", 1))
    (root / "pages/blog/new-and-broken.md").write_text("---\ntitle: [\n---\n")
    repo.reload(["pages/blog/ai-security-and-the-end-of-silos.md", "pages/blog/new-and-broken.md"])

    health = json.loads(answers_of(repo, "/healthz")[0])
    assert health["status"] == "degraded"
    assert {e["path"]: e["servingLastGood"] for e in health["contentErrors"]} == {
        "pages/blog/ai-security-and-the-end-of-silos.md": True,
        "pages/blog/new-and-broken.md": False,
    }
    assert health["skippedFiles"] == 1  # the seed post is served in its last good version


def test_each_problem_is_logged_once_when_it_appears_and_each_reload_is_one_line(make_site, caplog):
    root = make_site({}, base=BUNDLED_CONTENT)
    repo = loaded_repository(root)
    broken = root / "pages/blog/broken.md"
    caplog.set_level(logging.INFO, logger="api.content")

    broken.write_text("---\ntitle: [\n---\n")
    repo.reload(["pages/blog/broken.md"])
    (root / "pages/about.md").write_text((root / "pages/about.md").read_text() + "\nMore.\n")
    repo.reload(["pages/about.md"])

    messages = [record.getMessage() for record in caplog.records]
    problems = [m for m in messages if "broken.md" in m]
    assert len(problems) == 1 and problems[0].startswith("pages/blog/broken.md:")
    assert sum(m.startswith("content ") and "reloaded" in m for m in messages) == 2
    assert len(messages) == 3  # one problem, once; one line per reload
