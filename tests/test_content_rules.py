"""The rules that decide what is served, the same on a cold start, a warm start and a live
change: errors from other files, slugs that routes or other files claim, a person's own
slug, and how /healthz and the logs report problems."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from api import create_app
from api.content.live.repository import ContentRepository
from tests.conftest import BUNDLED_CONTENT, ROOT
from tests.load.server import free_port

POST = """\
---
type: PostLayout
title: Guest post
date: '2024-02-02'
author: content/data/team/guest.json
---
A post by a guest.
"""


def repository(root: Path, cache: Path | None = None) -> ContentRepository:
    repo = ContentRepository(root, max_file_bytes=1 << 20, cache_dir=cache)
    repo.reload()
    return repo


def answers(repo: ContentRepository, *paths: str) -> list[bytes]:
    app = create_app({"content_dir": repo.root, "parse_cache_dir": None})
    app.extensions["content"] = repo
    app.wsgi_app.repository = repo  # type: ignore[attr-defined]
    client = app.test_client()
    return [client.get(path).get_data() for path in paths]


def test_an_author_added_and_deleted_again_leaves_what_a_fresh_start_gives(make_site, tmp_path):
    root = make_site({"pages/blog/guest-post.md": POST}, base=BUNDLED_CONTENT)
    watching = repository(root, tmp_path / "cache")
    guest = root / "data/team/guest.json"

    guest.write_text(json.dumps({"type": "Person", "firstName": "Gus", "lastName": "Guest"}))
    watching.reload(["data/team/guest.json"])
    assert watching.snapshot.pages_by_path["pages/blog/guest-post.md"].author_slug == "guest"
    guest.unlink()
    watching.reload(["data/team/guest.json"])

    fresh = repository(root)
    restarted = repository(root, tmp_path / "cache")
    for repo in (watching, restarted):
        assert repo.snapshot.version == fresh.snapshot.version
        assert repo.snapshot.kept == frozenset()  # it never had a good version of its own
    paths = ("/api/posts/guest-post", "/healthz", "/api/posts")
    assert answers(watching, *paths)[0] == answers(fresh, *paths)[0]
    post = json.loads(answers(watching, "/api/posts/guest-post")[0])
    assert "author" not in post  # served, its dangling reference left unresolved
    health = json.loads(answers(watching, "/healthz")[0])
    assert health["contentErrors"] == [
        {
            "path": "pages/blog/guest-post.md",
            "line": 5,
            "message": "author: no such file: content/data/team/guest.json",
            "servingLastGood": False,
        }
    ]
    assert health["status"] == "degraded" and health["skippedFiles"] == 0


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
    repo = repository(root)
    seed = root / "pages/blog/ai-security-and-the-end-of-silos.md"
    seed.write_text(seed.read_text(encoding="utf-8").replace("title:", "title: [", 1))
    (root / "pages/blog/new-and-broken.md").write_text("---\ntitle: [\n---\n")
    repo.reload(["pages/blog/ai-security-and-the-end-of-silos.md", "pages/blog/new-and-broken.md"])

    health = json.loads(answers(repo, "/healthz")[0])
    assert health["status"] == "degraded"
    assert {e["path"]: e["servingLastGood"] for e in health["contentErrors"]} == {
        "pages/blog/ai-security-and-the-end-of-silos.md": True,
        "pages/blog/new-and-broken.md": False,
    }
    assert health["skippedFiles"] == 1  # the seed post is served in its last good version


def test_each_problem_is_logged_once_when_it_appears_and_each_reload_is_one_line(make_site, caplog):
    root = make_site({}, base=BUNDLED_CONTENT)
    repo = repository(root)
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


def test_the_development_server_writes_no_colour_codes_to_a_file(tmp_path):
    port = free_port()
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.develop", "--port", str(port)],  # make run
            cwd=ROOT,
            env={**os.environ, "CONTENT_DIR": str(BUNDLED_CONTENT)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        import http.client

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/api/posts/nope")
                connection.getresponse().read()
                connection.close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=10)
    text = log_path.read_text(encoding="utf-8")
    assert "GET /api/posts/nope" in text
    assert "\x1b[" not in text
