"""HIDE_FUTURE_POSTS on a site of several locales: a post in one locale only joins that
locale's view when its own date comes, whatever the default locale's posts' dates are; and a
snapshot derived by a change keeps the same dates as one built from scratch (its version
names the same moment)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from api.content.live.repository import ContentRepository
from api.content.model.snapshot import SnapshotOptions
from tests.support.sites import FIXTURES

GERMAN_ONLY = "pages/blog/nur-deutsch.de.md"  # dated 2025-05-01; no default-locale version


def repository(root: Path) -> ContentRepository:
    repo = ContentRepository(
        root, max_file_bytes=1 << 20, options=SnapshotOptions(hide_future_posts=True)
    )
    repo.reload()
    return repo


def german_slugs(repo: ContentRepository, now: datetime) -> set[str]:
    view, _ = repo.snapshot.view_in("de", now=now)
    return {post.slug for post in view.posts}


def test_a_translation_only_post_appears_on_its_own_date(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "bilingual-site", root)
    repo = repository(root)
    before, after = datetime(2025, 4, 30, tzinfo=UTC), datetime(2025, 5, 2, tzinfo=UTC)
    default_dates = {post.date for post in repo.snapshot.published.posts if post.date is not None}
    # no default-locale post is dated between the two moments: only the German one moves
    assert not [d for d in default_dates if before < d <= after]
    assert "nur-deutsch" not in german_slugs(repo, before)
    assert "nur-deutsch" in german_slugs(repo, after)


def test_derived_dates_equal_fresh_ones(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(FIXTURES / "bilingual-site", root)
    repo = repository(root)
    path = root / GERMAN_ONLY
    path.write_text(path.read_text(encoding="utf-8").replace("2025-05-01", "2025-06-01"))
    repo.reload([GERMAN_ONLY])
    fresh = repository(root)
    now = datetime(2025, 5, 15, tzinfo=UTC)
    assert repo.snapshot._post_dates == fresh.snapshot._post_dates
    assert repo.snapshot.public_view(now)[1] == fresh.snapshot.public_view(now)[1]
    assert german_slugs(repo, now) == german_slugs(fresh, now)
    assert "nur-deutsch" not in german_slugs(repo, now)
