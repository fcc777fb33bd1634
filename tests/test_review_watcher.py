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


def test_a_burst_too_large_for_the_kernels_event_queue_loses_no_change(tmp_path: Path) -> None:
    """inotify drops events past its queue (fs.inotify.max_queued_events, 16384 by default)
    and watchdog drops the overflow notice: a checkout of 15,000 files must still end in a
    reload that sees every one of them (here: each path named, or a full stat pass after)."""
    import subprocess

    from api.content.live.watching import ContentWatcher

    root = tmp_path / "content"
    (root / "pages").mkdir(parents=True)
    source = tmp_path / "checkout"
    source.mkdir()
    count = 15_000
    for number in range(count):
        (source / f"p{number}.md").write_bytes(b"x")

    class Recording:
        def __init__(self) -> None:
            self.root = root
            self.paths: set[str] = set()
            self.full_after_burst = False

        def reload(self, paths=None, *, reread: bool = False) -> None:
            if paths is None:
                self.full_after_burst = True
            else:
                self.paths.update(paths)

        def set_fault(self, cause: str, message: str | None) -> None:
            pass

    repository = Recording()
    watcher = ContentWatcher(repository, safety_check_seconds=3600)
    watcher.start()
    try:
        subprocess.run(["cp", "-r", str(source), str(root / "pages/many")], check=True)
        seen = {f"pages/many/p{number}.md" for number in range(count)}
        wait_for(lambda: repository.full_after_burst or seen <= repository.paths, timeout=20)
    finally:
        watcher.stop()


def test_a_watcher_that_stops_is_started_again_and_misses_nothing(tmp_path: Path) -> None:
    """README (Operations): "the watcher stops -> the watcher is started again". Its death
    was looked for only after a reload, which only its own events could start."""
    site = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT, site)
    app = create_app({"content_dir": site, "content_watch": True})
    client = app.test_client()
    watcher = app.extensions["content_watcher"]
    try:
        observer = watcher._observer
        observer.stop()  # as if its thread had died
        observer.join(timeout=2)
        retitle(site, SEED, "Edited while the watcher was down")
        wait_for(
            lambda: (
                client.get(f"/api/posts/{SEED_SLUG}").get_json()["title"]
                == "Edited while the watcher was down"
            ),
            timeout=5,
        )
    finally:
        watcher.stop()
