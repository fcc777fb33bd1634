"""Reading the content folder: a file that is not a regular file, or whose name is not UTF-8,
is reported and never stops the load."""

from __future__ import annotations

import shutil
from pathlib import Path

from api.content.live.state import ContentState
from tests.support.sites import BUNDLED_CONTENT
from tests.support.waiting import deadline

LIMIT = 1 << 20


def _fresh(root: Path) -> ContentState:
    state = ContentState(root, LIMIT)
    state.apply(None)
    return state


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT, root)
    return root


def test_a_named_pipe_in_the_content_folder_does_not_hang_the_load(tmp_path: Path) -> None:
    import os
    import threading

    root = _copy(tmp_path)
    os.mkfifo(root / "pages/blog/pipe.md")
    found: list[ContentState] = []
    loader = threading.Thread(target=lambda: found.append(_fresh(root)), daemon=True)
    loader.start()
    loader.join(timeout=deadline(10))
    assert found, "the load blocked opening a named pipe"
    problems = [p.format() for p in found[0].all_problems() if p.path == "pages/blog/pipe.md"]
    assert problems == ["pages/blog/pipe.md:1: error: not a regular file; ignored"]


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
