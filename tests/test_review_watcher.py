"""Review findings: the watcher keeps watching the content folder that is at CONTENT_DIR."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from api import create_app
from tests.conftest import BUNDLED_CONTENT
from tests.test_reload import SEED, SEED_SLUG, retitle, wait_for


def test_a_folder_swapped_for_another_at_once_is_watched(tmp_path: Path) -> None:
    """A deploy swaps the folder by two renames, faster than the 0.5 s folder check:
    edits in the folder now at CONTENT_DIR must still be picked up by themselves."""
    site = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT, site)
    shutil.copytree(BUNDLED_CONTENT, tmp_path / "next")
    app = create_app({"content_dir": site, "content_watch": True})
    client = app.test_client()
    try:
        site.rename(tmp_path / "previous")
        (tmp_path / "next").rename(site)
        time.sleep(1.5)  # the folder check, a reload, any periodic check of its own
        retitle(site, SEED, "Edited after the swap")
        wait_for(
            lambda: (
                client.get(f"/api/posts/{SEED_SLUG}").get_json()["title"] == "Edited after the swap"
            ),
            timeout=5,
        )
    finally:
        app.extensions["content_watcher"].stop()
