"""A snapshot's version groups and locale views, derived from the last snapshot's, equal
those made afresh.

Random histories of edits on a copy of the bilingual site (a translation edited, added,
deleted, made a draft, linked by ``translationKey``; a default-locale file deleted under its
translations): after each step, the watching repository's groups (carried and derived from
snapshot to snapshot since they were first asked for) must equal those grouped from scratch
over the same pages, for both audiences, by document and by path; and every locale's view
(each audience, with and without fallback), derived by the change, must show what a view
built from scratch shows: the same pages at the same URLs with the same fields, the same
lists in the same order, the same authors.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from api.content.model.locale_views import build_locale_view, group_versions
from api.content.model.snapshot import Snapshot
from api.content.model.version_groups import VersionGroups
from api.content.model.views import ContentView
from tests.support.sites import FIXTURES, loaded_repository

SITE = FIXTURES / "bilingual-site"


def fresh(snapshot: Snapshot, *, preview: bool) -> dict[str, dict[str, str]]:
    pages = (p for p in snapshot.pages_by_path.values() if preview or not p.is_draft)
    return {d: {c: p.path for c, p in g.items()} for d, g in group_versions(pages).items()}


def held(snapshot: Snapshot, *, preview: bool) -> dict[str, dict[str, str]]:
    versions = snapshot.versions(preview=preview)
    return {d: {c: p.path for c, p in g.items()} for d, g in versions.items()}


def shown(view: ContentView) -> dict[str, object]:
    """What a view shows, in a form two views can be compared by."""
    return {
        "pages": {
            url: (p.path, p.url, repr(sorted(p.fields.items())), p.fallback_fields)
            for url, p in sorted(view.pages_by_url.items())
        },
        "posts": [p.path for p in view.posts],
        "projects": [p.path for p in view.projects],
        "slugs": {slug: p.path for slug, p in view.posts_by_slug.items()},
        "by_tag": {t: [p.path for p in ps] for t, ps in sorted(view.posts_by_tag.items())},
        "by_author": {a: [p.path for p in ps] for a, ps in sorted(view.posts_by_author.items())},
        "authors": [(a.slug, a.path, repr(sorted(a.fields.items()))) for a in view.authors],
    }


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
    stems = ["hello-world", "second-post", "third", "fourth", "linked-0", "linked-1"]
    stem, code = rng.choice(stems), rng.choice(["", ".de", ".de-CH"])
    path = blog / f"{stem}{code}.md"
    action = rng.choice(["write", "write", "draft", "delete", "keyed", "person"])
    if action == "person":
        team = root / "data" / "team"
        person = rng.choice(sorted(team.glob("*.json")))
        text = person.read_text(encoding="utf-8")
        person.write_text(text.replace('"', '"', 1).rstrip() + "\n" * (number % 2 + 1))
        return str(person.relative_to(root))
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
    derived = derived_views = 0
    for number in range(40):
        snapshot = repo.snapshot
        locales = snapshot.locales
        assert locales is not None
        for preview in (False, True):  # asked for, so the next snapshot derives them
            held(snapshot, preview=preview)
            for page in snapshot.pages_by_path.values():
                snapshot.versions_of(page, preview=preview)
            for code in locales.codes[1:]:
                for fallback in (True, False):
                    snapshot.view_in(code, preview=preview, fallback=fallback)
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
        views = dict(after._locale_views)
        derived_views += len(views)
        for (code, preview, fallback, _), view in views.items():
            pages = [p for p in after.pages_by_path.values() if preview or not p.is_draft]
            people = after.people_by_path.values()
            made = build_locale_view(pages, people, code, locales, fallback=fallback)
            assert shown(view) == shown(made), (seed, number, code, preview, fallback)
            assert view.fallback == fallback
    assert derived_views > 0
    assert derived > 0  # the histories took the derived road, not only the fresh one
