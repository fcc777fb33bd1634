"""The repository: reloads keep the last good version, reuse parse results through the parse
cache (across restarts too), and keep nothing that grows without bound."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api.content.live.repository import ContentRepository
from api.content.source.parse_cache import CacheContents, ParseCache
from tests.support.sites import BUNDLED_CONTENT, SEED, SEED_SLUG, retitle

LIMIT = 1 << 20
POST = "pages/blog/retiring-the-war-room.md"


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT, root)
    return root


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
    assert cache.load() == CacheContents()


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


def test_the_parse_cache_journal_stays_bounded_across_edits(tmp_path: Path, monkeypatch) -> None:
    """Each live edit appends its parse to the journal; only a start compacted it, so a
    server that runs for months (every worker appending) grew it, and the next start's
    memory, with every edit ever made."""
    monkeypatch.setattr(
        "api.content.live.repository.JOURNAL_COMPACT_BYTES", 64 * 1024, raising=False
    )
    root = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT, root)
    repository = ContentRepository(root, max_file_bytes=1 << 20, cache_dir=tmp_path / "cache")
    repository.reload()
    cache = repository.cache
    assert cache is not None
    site_cache = cache.path.stat().st_size
    text = (root / POST).read_text(encoding="utf-8")
    for edit in range(400):
        (root / POST).write_text(text.replace("title:", f"title: Edit {edit}", 1))
        repository.reload([POST])
    journal = cache.journal.stat().st_size if cache.journal.exists() else 0
    assert journal <= max(site_cache, 64 * 1024) + 16 * 1024, (journal, site_cache)
    # and the cache still gives a restart every parse: nothing is parsed again
    restarted = ContentRepository(root, max_file_bytes=1 << 20, cache_dir=tmp_path / "cache")
    restarted.reload()
    assert restarted.last_parsed == 0


def test_keys_since_is_safe_while_a_reload_records_a_snapshot() -> None:
    """Request threads read the history of changed keys (``keys_since``, when the response
    cache is behind) while the reloading thread appends to it (``_swap``): iterating a deque
    that another thread appends to raises, and the request got a 500."""
    import threading
    import time

    from api.content.live.repository import ContentRepository

    repository = ContentRepository(BUNDLED_CONTENT, max_file_bytes=1 << 20)
    repository.reload()
    history = repository._history
    for number in range(2, 258):
        history.append((number, frozenset({"version", f"k{number}"})))
    newest = [257]
    stop = threading.Event()

    def reloads() -> None:  # what _swap does for each new snapshot
        while not stop.is_set():
            newest[0] += 1
            history.append((newest[0], frozenset({"version"})))

    thread = threading.Thread(target=reloads)
    thread.start()
    failures = []
    try:
        stop_at = time.monotonic() + 2  # how long to try, not a deadline: never fails by itself
        while time.monotonic() < stop_at and not failures:
            try:
                repository.keys_since(newest[0] - 200)
            except RuntimeError as error:
                failures.append(error)
    finally:
        stop.set()
        thread.join()
    assert not failures
