"""Live content: reloads pick changes up, keep the last good version, and reuse parse results."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from api import create_app
from api.content.live.repository import ContentRepository
from api.content.live.watching import ContentWatcher
from api.content.source.parse_cache import ParseCache
from tests.conftest import BUNDLED_CONTENT

SEED = "pages/blog/ai-security-and-the-end-of-silos.md"
SEED_SLUG = "ai-security-and-the-end-of-silos"


def wait_for(predicate, timeout: float = 3.0) -> float:
    """Seconds until ``predicate()`` holds; fails the test after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.02)
    pytest.fail(f"not true within {timeout}s")


@pytest.fixture
def site(make_site) -> Path:
    return make_site({}, base=BUNDLED_CONTENT)


@pytest.fixture
def watched(site):
    app = create_app({"content_dir": site, "content_watch": True})
    yield app, app.test_client()
    app.extensions["content_watcher"].stop()


def retitle(root: Path, relative: str, title: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(old, f"title: {title}", 1), encoding="utf-8")


def test_an_edit_is_served_by_itself_with_new_etags_and_version(watched, site):
    _, client = watched
    before = client.get(f"/api/posts/{SEED_SLUG}")
    version = client.get("/healthz").get_json()["contentVersion"]

    retitle(site, SEED, "AI, Security, and Fewer Silos")

    wait_for(
        lambda: (
            client.get(f"/api/posts/{SEED_SLUG}").get_json()["title"]
            == "AI, Security, and Fewer Silos"
        )
    )
    after = client.get(f"/api/posts/{SEED_SLUG}")
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.headers["X-Content-Version"] != before.headers["X-Content-Version"]
    assert client.get("/healthz").get_json()["contentVersion"] != version
    assert (
        client.get(
            f"/api/posts/{SEED_SLUG}", headers={"If-None-Match": before.headers["ETag"]}
        ).status_code
        == 200
    )


def test_a_half_written_save_keeps_the_last_good_version_until_fixed(watched, site):
    _, client = watched
    path = site / SEED
    good = path.read_text(encoding="utf-8")

    path.write_text(good[: good.index("excerpt:")] + "excerpt: [unclosed\n", encoding="utf-8")

    wait_for(lambda: client.get("/healthz").get_json()["contentErrors"] != [])
    errors = client.get("/healthz").get_json()["contentErrors"]
    assert errors == [
        {
            "path": SEED,
            "line": 1,
            "message": "front matter is not closed: no second '---' line",
            "servingLastGood": True,
        }
    ]
    assert (
        client.get(f"/api/posts/{SEED_SLUG}").get_json()["title"]
        == "AI, Security, and the End of Silos"
    )
    assert client.get("/healthz").get_json()["posts"] == 14

    path.write_text(
        good.replace("title: AI, Security, and the End of Silos", "title: Fixed"), encoding="utf-8"
    )

    wait_for(lambda: client.get(f"/api/posts/{SEED_SLUG}").get_json()["title"] == "Fixed")
    assert client.get("/healthz").get_json()["contentErrors"] == []


def test_a_deleted_post_disappears_everywhere(watched, site):
    _, client = watched

    (site / SEED).unlink()

    wait_for(lambda: client.get(f"/api/posts/{SEED_SLUG}").status_code == 404)
    assert client.get("/api/posts").get_json()["pagination"]["totalItems"] == 13
    assert client.get("/api/authors/jason-hand").get_json()["postCount"] == 5
    home = client.get("/api/pages?path=/").get_json()
    featured = next(s for s in home["sections"] if s["type"] == "FeaturedPostsSection")
    assert SEED_SLUG not in [p["slug"] for p in featured["posts"]]
    assert SEED_SLUG not in client.get("/api/posts/recent?limit=50").get_data(as_text=True)


def test_a_renamed_post_leaves_nothing_stale(watched, site):
    _, client = watched

    os.rename(site / SEED, site / "pages/blog/ai-and-security.md")

    wait_for(lambda: client.get("/api/posts/ai-and-security").status_code == 200)
    assert client.get(f"/api/posts/{SEED_SLUG}").status_code == 404
    assert client.get("/api/posts").get_json()["pagination"]["totalItems"] == 14
    slugs = [p["path"] for p in client.get("/api/pages/paths").get_json()["items"]]
    assert "/blog/ai-and-security" in slugs
    assert f"/blog/{SEED_SLUG}" not in slugs


def test_a_burst_of_changes_is_one_reload(site):
    app = create_app({"content_dir": site, "content_watch": True})
    repository = app.extensions["content"]
    reloads = []
    original = repository.reload
    repository.reload = lambda *args, **kwargs: reloads.append(1) or original(*args, **kwargs)
    try:
        for number in range(300):
            (site / f"pages/blog/burst-{number:03}.md").write_text(
                f"---\ntype: PostLayout\ntitle: Burst {number}\ndate: '2020-01-01'\n---\nBody\n"
            )
        client = app.test_client()
        wait_for(lambda: client.get("/healthz").get_json()["posts"] == 314, timeout=5)
        time.sleep(0.8)
    finally:
        app.extensions["content_watcher"].stop()
    assert 1 <= len(reloads) <= 3


def test_sighup_requests_a_reload(site, monkeypatch):
    previous_handler = signal.getsignal(signal.SIGHUP)
    app = create_app({"content_dir": site, "content_watch": True})
    watcher = app.extensions["content_watcher"]
    requested: list[bool] = []
    monkeypatch.setattr(watcher, "request_reload", lambda paths=None: requested.append(paths))
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        wait_for(lambda: requested == [None])  # None: a full pass over every file
    finally:
        watcher.stop()
        signal.signal(signal.SIGHUP, previous_handler)


def test_a_requested_reload_happens_without_any_file_event(tmp_path):
    class CountingRepository:
        root = tmp_path
        reloads = 0

        def reload(self, paths=None, *, reread=False) -> None:
            CountingRepository.reloads += 1

        def set_fault(self, cause, message) -> None:
            pass

    watcher = ContentWatcher(CountingRepository())
    watcher.start()
    try:
        watcher.request_reload()
        wait_for(lambda: CountingRepository.reloads == 1)
    finally:
        watcher.stop()


def repository_for(root: Path, cache_dir: Path) -> ContentRepository:
    return ContentRepository(root, max_file_bytes=1 << 20, cache_dir=cache_dir)


def test_a_restart_over_unchanged_content_parses_nothing(site, tmp_path):
    first = repository_for(site, tmp_path / "cache")
    first.reload()
    assert first.last_parsed == 25

    second = repository_for(site, tmp_path / "cache")
    snapshot = second.reload()

    assert second.last_parsed == 0
    assert snapshot.version == first.snapshot.version
    assert [p.slug for p in snapshot.public_view()[0].posts] == [
        p.slug for p in first.snapshot.public_view()[0].posts
    ]


def test_a_reload_parses_only_what_changed(site, tmp_path):
    repository = repository_for(site, tmp_path / "cache")
    repository.reload()

    retitle(site, SEED, "Changed")
    repository.reload([SEED])

    assert repository.last_parsed == 1
    assert repository.last_examined == 1


def test_a_full_pass_reads_only_files_whose_stat_changed(site, tmp_path):
    repository = repository_for(site, tmp_path / "cache")
    repository.reload()
    retitle(site, SEED, "Changed without an event")

    snapshot = repository.reload(None)

    assert repository.last_parsed == 1
    assert snapshot.public_view()[0].posts_by_slug[SEED_SLUG].title == "Changed without an event"


def test_a_corrupt_or_stale_cache_is_ignored(site, tmp_path):
    cache_dir = tmp_path / "cache"
    repository_for(site, cache_dir).reload()
    cache_file = next(cache_dir.iterdir())

    cache_file.write_bytes(cache_file.read_bytes()[:-100] + b"garbage")
    corrupt = repository_for(site, cache_dir)
    corrupt.reload()
    assert corrupt.last_parsed == 25

    cache = ParseCache(cache_dir, site)
    cache.version = "another parser"
    assert cache.load() == ({}, {})


def test_the_cache_is_written_atomically_and_lives_outside_the_content(site, tmp_path):
    cache_dir = tmp_path / "cache"
    repository_for(site, cache_dir).reload()

    assert [p.name for p in cache_dir.iterdir() if p.name.startswith(".parse-")] == []
    assert len(list(cache_dir.iterdir())) == 1
    assert not any(path.name.endswith(".cache") for path in site.rglob("*"))


def test_a_restart_with_a_broken_file_keeps_its_last_good_version(site, tmp_path):
    cache_dir = tmp_path / "cache"
    repository = repository_for(site, cache_dir)
    repository.reload()
    (site / SEED).write_text("---\ntype: PostLayout\ntitle: [broken\n---\n")
    repository.reload([SEED])  # a live change: the journal keeps the last good version

    restarted = repository_for(site, cache_dir)
    view, _ = restarted.reload().public_view()

    assert view.posts_by_slug[SEED_SLUG].title == "AI, Security, and the End of Silos"
    assert SEED in restarted.snapshot.kept


def test_a_reload_over_unchanged_content_keeps_the_snapshot(site, tmp_path):
    repository = repository_for(site, tmp_path / "cache")
    first = repository.reload()

    assert repository.reload() is first
    retitle(site, SEED, "Changed")
    assert repository.reload() is not first


def test_a_forked_worker_catches_up_with_changes_made_since_its_parent_loaded(site, tmp_path):
    repository = repository_for(site, tmp_path / "cache")
    first = repository.reload()
    assert repository.catch_up() is first  # nothing changed: the same snapshot

    retitle(site, SEED, "Changed after the load")
    (site / "pages/blog/new.md").write_text(
        "---\ntype: PostLayout\ntitle: New\ndate: '2020-01-01'\n---\n"
    )
    (site / "pages/about.md").unlink()
    caught_up = repository.catch_up()

    view, _ = caught_up.public_view()
    assert view.posts_by_slug[SEED_SLUG].title == "Changed after the load"
    assert "new" in view.posts_by_slug
    assert "/about" not in view.pages_by_url
    assert repository.last_parsed == 2


def test_a_reload_that_fails_half_way_is_made_again_from_scratch(site, tmp_path, monkeypatch):
    repository = repository_for(site, tmp_path / "cache")
    first = repository.reload()
    retitle(site, SEED, "After the failure")

    def broken(*args, **kwargs):
        raise RuntimeError("a bug half way through")

    monkeypatch.setattr(repository._state, "_decide", broken)
    with pytest.raises(RuntimeError):
        repository.reload([SEED])
    assert repository.snapshot is first  # the last snapshot still serves

    snapshot = repository.reload([])  # the next reload, whatever it names, starts afresh
    assert snapshot.public_view()[0].posts_by_slug[SEED_SLUG].title == "After the failure"


def test_each_reload_hands_the_freed_heap_back(tmp_path, monkeypatch):
    """The previous snapshot's indexes are freed by a reload; glibc keeps freed memory in its
    arenas unless trimmed, and a worker's memory grew by 130 to 180 MiB over 30 edits at
    100,000 posts (api.memory). A failed reload frees nothing new and trims nothing."""
    import api.content.live.watching as watching

    trims: list[int] = []
    monkeypatch.setattr(watching, "release_free_memory", lambda: trims.append(1))

    class FlakyRepository:
        root = tmp_path
        reloads = 0

        def reload(self, paths=None, *, reread=False) -> None:
            FlakyRepository.reloads += 1
            if FlakyRepository.reloads == 2:
                raise RuntimeError("a failed reload")

        def set_fault(self, cause, message) -> None:
            pass

    watcher = ContentWatcher(FlakyRepository())
    watcher.start()
    try:
        watcher.request_reload()
        wait_for(lambda: FlakyRepository.reloads == 1 and len(trims) == 1)
        watcher.request_reload()
        wait_for(lambda: FlakyRepository.reloads == 2)
    finally:
        watcher.stop()
    assert len(trims) == 1
