"""Review findings: nothing grows without bound across edits while the server runs."""

from __future__ import annotations

import shutil
from pathlib import Path

from api.content.live.repository import ContentRepository
from tests.conftest import BUNDLED_CONTENT

POST = "pages/blog/retiring-the-war-room.md"


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
