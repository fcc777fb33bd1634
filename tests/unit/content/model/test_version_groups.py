"""A snapshot's version groups, derived from the last snapshot's, equal groups made afresh.

Random histories of edits on a copy of the bilingual site (a translation edited, added,
deleted, made a draft, linked by ``translationKey``; a default-locale file deleted under its
translations): after each step, the watching repository's groups (carried and derived from
snapshot to snapshot since they were first asked for) must equal those grouped from scratch
over the same pages, for both audiences, by document and by path.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from api.content.model.locale_views import group_versions
from api.content.model.snapshot import Snapshot
from api.content.model.version_groups import VersionGroups
from tests.support.sites import FIXTURES, loaded_repository

SITE = FIXTURES / "bilingual-site"


def fresh(snapshot: Snapshot, *, preview: bool) -> dict[str, dict[str, str]]:
    pages = (p for p in snapshot.pages_by_path.values() if preview or not p.is_draft)
    return {d: {c: p.path for c, p in g.items()} for d, g in group_versions(pages).items()}


def held(snapshot: Snapshot, *, preview: bool) -> dict[str, dict[str, str]]:
    versions = snapshot.versions(preview=preview)
    return {d: {c: p.path for c, p in g.items()} for d, g in versions.items()}


def post(title: str, *, draft: bool = False, key: str | None = None) -> str:
    lines = ["---", "type: PostLayout", f"title: {title}", "date: '2024-03-01'"]
    if draft:
        lines.append("isDraft: true")
    if key:
        lines.append(f"translationKey: {key}")
    return "\n".join([*lines, "---", f"{title}.", ""])


def step(root: Path, rng: random.Random, number: int) -> str:
    """One random change under ``pages/blog``; the path it touched."""
    blog = root / "pages" / "blog"
    stems = ["hello-world", "second-post", "third", "fourth"]
    stem, code = rng.choice(stems), rng.choice(["", ".de", ".de-CH"])
    path = blog / f"{stem}{code}.md"
    action = rng.choice(["write", "write", "draft", "delete", "keyed"])
    if action == "delete":
        path.unlink(missing_ok=True)
    elif action == "draft":
        path.write_text(post(f"Draft {number}", draft=True), encoding="utf-8")
    elif action == "keyed":
        path = blog / f"linked-{number % 3}{code}.md"
        path.write_text(post(f"Linked {number}", key="linked"), encoding="utf-8")
    else:
        path.write_text(post(f"Title {number}"), encoding="utf-8")
    return str(path.relative_to(root))


@pytest.mark.parametrize("seed", range(4))
def test_derived_version_groups_equal_fresh_ones(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    repo = loaded_repository(root)
    rng = random.Random(seed)
    derived = 0
    for number in range(40):
        snapshot = repo.snapshot
        for preview in (False, True):  # asked for, so the next snapshot derives them
            held(snapshot, preview=preview)
            for page in snapshot.pages_by_path.values():
                snapshot.versions_of(page, preview=preview)
        repo.reload([step(root, rng, number)])
        after = repo.snapshot
        derived += len(after._version_groups)  # carried (derived) rather than made afresh
        for preview in (False, True):
            assert held(after, preview=preview) == fresh(after, preview=preview), (seed, number)
            groups = VersionGroups.of(after.pages_by_path.values(), preview=preview)
            for page in after.pages_by_path.values():
                got = {c: p.path for c, p in after.versions_of(page, preview=preview).items()}
                want = {c: p.path for c, p in groups.of_path(page.path).items()}
                assert got == want, (seed, number, page.path)
    assert derived > 0  # the histories took the derived road, not only the fresh one
