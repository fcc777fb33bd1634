"""Review findings: an incremental ``apply(paths)`` must give what a full pass and a fresh
load give."""

from __future__ import annotations

import shutil
from pathlib import Path

from api.content.live.state import ContentState
from tests.conftest import BUNDLED_CONTENT

LIMIT = 1 << 20


def _fresh(root: Path) -> ContentState:
    state = ContentState(root, LIMIT)
    state.apply(None)
    return state


def _same(state: ContentState, root: Path) -> None:
    fresh = _fresh(root)
    assert sorted(state.served) == sorted(fresh.served)
    assert [p.format() for p in state.all_problems()] == [p.format() for p in fresh.all_problems()]
    assert state.version == fresh.version


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT, root)
    return root


def test_data_folder_moved_away_and_back_keeps_the_site_files(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    state = _fresh(root)
    assert "data/config.json" in state.served
    (root / "data").rename(tmp_path / "data-away")
    state.apply(["data"])  # one reload: the folder is gone
    _same(state, root)
    (tmp_path / "data-away").rename(root / "data")
    state.apply(["data"])  # the next: it is back (a moved-in folder is one event)
    _same(state, root)


def test_a_file_that_becomes_a_folder(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    post = "pages/blog/retiring-the-war-room.md"
    incremental, full = _fresh(root), _fresh(root)
    (root / post).unlink()
    (root / post).mkdir()  # a folder named like the file (an editor's or a script's slip)
    (root / post / "inside.md").write_text("---\ntype: PageLayout\ntitle: In\n---\n")
    incremental.apply([post])  # the events: the file deleted, a folder created in its place
    full.apply(None)
    assert post not in incremental.served
    _same(full, root)
    _same(incremental, root)


def test_a_named_pipe_in_the_content_folder_does_not_hang_the_load(tmp_path: Path) -> None:
    import os
    import threading

    root = _copy(tmp_path)
    os.mkfifo(root / "pages/blog/pipe.md")
    found: list[ContentState] = []
    loader = threading.Thread(target=lambda: found.append(_fresh(root)), daemon=True)
    loader.start()
    loader.join(timeout=10)
    assert found, "the load blocked opening a named pipe"
    problems = [p.format() for p in found[0].all_problems() if p.path == "pages/blog/pipe.md"]
    assert problems == ["pages/blog/pipe.md:1: error: not a regular file; ignored"]


def test_search_finds_a_renamed_author_whose_slug_is_their_own_field(make_site) -> None:
    """A person's slug may be their file's ``slug`` field, not the file name: the derived
    search index must still re-index their posts when their name changes."""
    import json

    from api import create_app

    person = "data/team/ada-file.json"
    root = make_site(
        {
            "pages/index.md": "---\ntype: PageLayout\ntitle: Home\n---\n",
            "pages/blog/one.md": (
                "---\ntype: PostLayout\ntitle: One\ndate: '2024-01-01'\n"
                f"author: content/{person}\n---\nBody.\n"
            ),
            person: json.dumps({"type": "Person", "firstName": "Ada", "slug": "ada"}),
        }
    )
    app = create_app({"content_dir": root, "parse_cache_dir": None})
    client = app.test_client()
    assert client.get("/api/search?q=ada").get_json()["pagination"]["totalItems"] == 1
    (root / person).write_text(json.dumps({"type": "Person", "firstName": "Grace", "slug": "ada"}))
    app.extensions["content"].reload([person])

    fresh = create_app({"content_dir": root, "parse_cache_dir": None}).test_client()
    assert fresh.get("/api/search?q=grace").get_json()["pagination"]["totalItems"] == 1
    assert client.get("/api/search?q=grace").get_json()["pagination"]["totalItems"] == 1


def test_a_file_name_that_is_not_utf8_is_reported_not_fatal(make_site) -> None:
    """A name in Latin-1 (a zip made on Windows): the site still loads, and the file is
    reported, at start and when it appears later."""
    import os

    from api import create_app

    root = make_site({"pages/index.md": "---\ntype: PageLayout\ntitle: Home\n---\n"})
    post = b"---\ntype: PostLayout\ntitle: X\ndate: 2024-01-01\n---\nx\n"
    (root / "pages/blog").mkdir()
    with open(os.fsencode(root / "pages/blog") + b"/caf\xe9.md", "wb") as handle:
        handle.write(post)
    app = create_app({"content_dir": root, "parse_cache_dir": None})
    client = app.test_client()
    assert client.get("/api/posts").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200
    assert [e["path"] for e in health.get_json()["contentErrors"]] == ["pages/blog/caf\\xe9.md"]

    with open(os.fsencode(root / "pages/blog") + b"/th\xe9.md", "wb") as handle:
        handle.write(post)
    app.extensions["content"].reload([os.fsdecode(b"pages/blog/th\xe9.md")])
    errors = client.get("/healthz").get_json()["contentErrors"]
    assert [e["path"] for e in errors] == ["pages/blog/caf\\xe9.md", "pages/blog/th\\xe9.md"]


def test_a_symlinked_file_follows_an_edit_of_its_target(tmp_path: Path) -> None:
    """A symlinked file inside the root is served (readers.py); an edit of its target names
    only the target's path, and the link must not keep serving the old text."""
    root = _copy(tmp_path)
    target = root / "shared/post.md"
    target.parent.mkdir()
    target.write_text("---\ntype: PostLayout\ntitle: Before\ndate: 2024-01-01\n---\nx\n")
    (root / "pages/blog/linked.md").symlink_to("../../shared/post.md")
    state = _fresh(root)
    assert state.served["pages/blog/linked.md"].parsed.facts.title == "Before"
    target.write_text("---\ntype: PostLayout\ntitle: After\ndate: 2024-01-01\n---\nx\n")
    state.apply(["shared/post.md"])  # what the file events name
    _same(state, root)


def test_a_kept_version_of_a_file_deleted_while_stopped_is_not_served(tmp_path: Path) -> None:
    """A broken file keeps its last good version "while it exists" (also across a restart,
    through the parse cache). Moved away while the server was stopped, that version must not
    come back at the next start, nor keep its slug from the file that now has it."""
    from api.content.live.repository import ContentRepository

    root = _copy(tmp_path)
    cache = tmp_path / "cache"
    old, new = "pages/blog/retiring-the-war-room.md", "pages/news/retiring-the-war-room.md"
    good = (root / old).read_text(encoding="utf-8")
    running = ContentRepository(root, max_file_bytes=LIMIT, cache_dir=cache)
    running.reload()
    (root / old).write_text(good.replace("title:", "title: [unclosed", 1), encoding="utf-8")
    running.reload([old])
    assert old in running.snapshot.kept  # serving its last good version

    # stopped; meanwhile the post is fixed and moved to another folder
    (root / "pages/news").mkdir()
    (root / new).write_text(good, encoding="utf-8")
    (root / old).unlink()

    restarted = ContentRepository(root, max_file_bytes=LIMIT, cache_dir=cache)
    snapshot = restarted.reload()
    assert sorted(snapshot.pages_by_path) == sorted(
        ContentRepository(root, max_file_bytes=LIMIT).reload().pages_by_path
    )
