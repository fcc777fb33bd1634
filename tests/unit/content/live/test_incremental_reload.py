"""Incremental reloads give exactly what a full rescan and a fresh start give.

Random histories of edits, adds, renames (of files and folders), deletes, broken
saves, author and configuration changes are applied to a copy of the bundled
site. After each step:

- the *watching* app reloads only the paths that changed (as its file events name
  them), deriving its snapshot from the last and keeping its response cache
  across snapshots (minus the answers whose content keys changed);
- the *rescanning* app makes a full stat pass over every file;
- a *fresh* app starts from scratch, warm from the watching app's parse cache (its
  journal keeps the last good versions of broken files, the one documented piece
  of history); and, while no file is broken, a *cold* app with no cache at all.

All must hold the same snapshot (version, problems, every page, person, list and
index), and every answer of the watching app, cached or not, must be byte for
byte the answer of the fresh one.

Single histories that once differed follow: on ``ContentState`` alone (an incremental
``apply(paths)`` gives what a full pass and a fresh load give), and on a repository whose
post names an author that comes and goes.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import create_app
from api.content.live.repository import ContentRepository
from api.content.live.state import ContentState
from api.content.model.snapshot import Snapshot
from api.web.response_cache import ResponseCache
from tests.support.sites import BUNDLED_CONTENT, answers_of, loaded_repository, set_front_matter

OPERATIONS = (
    "retitle",
    "redate",
    "retag",
    "reauthor",
    "add_post",
    "delete_post",
    "rename_post",
    "broken_save",
    "fix_all",
    "draft",
    "add_author",
    "delete_author",
    "rename_author",
    "edit_author",
    "edit_config",
    "move_folder",
    "duplicate_slug",
    "reserved_slug",
    "touch",
)
HISTORIES = st.lists(
    st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 10_000)), min_size=1, max_size=6
)


class Site:
    """A content folder that random operations change, naming the paths each one touched."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def posts(self) -> list[Path]:
        return sorted(p for p in (self.root / "pages/blog").rglob("*.md") if p.name != "index.md")

    def authors(self) -> list[Path]:
        return sorted((self.root / "data/team").glob("*.json"))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def apply(self, operation: str, seed: int) -> list[str]:
        chance = random.Random(seed)
        posts, authors = self.posts(), self.authors()
        post = chance.choice(posts) if posts else None
        if post is None and operation not in ("add_post", "add_author", "edit_config", "fix_all"):
            operation = "add_post"
        assert post is not None or operation in ("add_post", "add_author", "edit_config", "fix_all")
        match operation:
            case "retitle":
                set_front_matter(post, "title", f"Title {seed}")
                return [self.rel(post)]
            case "redate":
                set_front_matter(
                    post,
                    "date",
                    f"'20{chance.randint(10, 30)}-0{chance.randint(1, 9)}-1{chance.randint(0, 9)}'",
                )
                return [self.rel(post)]
            case "retag":
                tags = chance.sample(["ai", "AI", "Site Reliability", "kubernetes", "ops"], 2)
                set_front_matter(post, "tags", json.dumps(tags))
                return [self.rel(post)]
            case "reauthor":
                names = [a.stem for a in authors] + ["nobody"]
                set_front_matter(post, "author", f"content/data/team/{chance.choice(names)}.json")
                return [self.rel(post)]
            case "add_post":
                slug = chance.choice(["fresh", "newer", "another", "more"]) + str(seed % 3)
                path = self.root / "pages/blog" / f"{slug}.md"
                author = chance.choice([a.stem for a in authors] + ["nobody"])
                path.write_text(
                    f"---\ntype: PostLayout\ntitle: New {seed}\ndate: '2026-0{seed % 9 + 1}-01'\n"
                    f"author: content/data/team/{author}.json\n"
                    f"bottomSections:\n  - type: RecentPostsSection\n    recentCount: 2\n"
                    f"---\nBody of {seed}.\n",
                    encoding="utf-8",
                )
                return [self.rel(path)]
            case "delete_post":
                post.unlink()
                return [self.rel(post)]
            case "rename_post":
                target = post.with_name(f"renamed-{seed % 5}.md")
                post.rename(target)
                return [self.rel(post), self.rel(target)]
            case "broken_save":
                text = post.read_text(encoding="utf-8")
                post.write_text(text.replace("title:", "title: [unclosed", 1), encoding="utf-8")
                return [self.rel(post)]
            case "fix_all":
                changed = []
                for candidate in self.posts():
                    text = candidate.read_text(encoding="utf-8")
                    if "title: [unclosed" in text:
                        candidate.write_text(text.replace("title: [unclosed", "title:", 1))
                        changed.append(self.rel(candidate))
                return changed
            case "draft":
                set_front_matter(post, "isDraft", chance.choice(["true", "false"]))
                return [self.rel(post)]
            case "add_author" | "rename_author" | "delete_author" | "edit_author":
                return self._author(operation, chance, authors)
            case "edit_config":
                path = self.root / "data/config.json"
                config = json.loads(path.read_text(encoding="utf-8"))
                config["titleSuffix"] = f"Site {seed}"
                path.write_text(json.dumps(config, indent=2), encoding="utf-8")
                return [self.rel(path)]
            case "move_folder":
                folder = self.root / "pages/blog/archive"
                if folder.exists():
                    target = self.root / f"pages/blog/archive-{seed % 4}"
                    folder.rename(target)
                    return [self.rel(folder), self.rel(target)]
                folder.mkdir()
                moved = [p for p in posts if p.parent.name == "blog"][:2]
                for path in moved:
                    path.rename(folder / path.name)
                return [self.rel(folder), *(self.rel(path) for path in moved)]
            case "duplicate_slug":
                folder = self.root / "pages/blog/copies"
                folder.mkdir(exist_ok=True)
                copy = folder / post.name
                shutil.copy(post, copy)
                return [self.rel(copy)]
            case "reserved_slug":
                path = self.root / "pages/blog/recent.md"
                path.write_text(
                    "---\ntype: PostLayout\ntitle: Recent\ndate: '2024-01-01'\n---\nx\n"
                )
                return [self.rel(path)]
            case "touch":
                post.write_bytes(post.read_bytes())
                return [self.rel(post)]
        raise AssertionError(operation)

    def _author(self, operation: str, chance: random.Random, authors: list[Path]) -> list[str]:
        if operation == "add_author" or not authors:
            path = self.root / "data/team" / f"guest-{chance.randint(0, 2)}.json"
            path.write_text(json.dumps({"type": "Person", "firstName": "Guest", "lastName": "X"}))
            return [self.rel(path)]
        author = chance.choice(authors)
        if operation == "delete_author":
            author.unlink()
            return [self.rel(author)]
        if operation == "rename_author":
            target = author.with_name(f"renamed-{chance.randint(0, 2)}.json")
            author.rename(target)
            return [self.rel(author), self.rel(target)]
        person = json.loads(author.read_text(encoding="utf-8"))
        person["firstName"] = f"Name {chance.randint(0, 99)}"
        if chance.random() < 0.3:
            person["slug"] = chance.choice(["alias", "jason-hand"])  # may claim another's slug
        author.write_text(json.dumps(person), encoding="utf-8")
        return [self.rel(author)]


def describe(snapshot: Snapshot) -> dict:
    """Everything a snapshot serves, in comparable form."""

    def view(content_view) -> dict:
        return {
            "posts": [p.path for p in content_view.posts],
            "projects": [p.path for p in content_view.projects],
            "urls": {url: page.path for url, page in content_view.pages_by_url.items()},
            "by_slug": {slug: p.path for slug, p in content_view.posts_by_slug.items()},
            "by_author": {
                a: [p.path for p in ps] for a, ps in content_view.posts_by_author.items()
            },
            "by_tag": {t: [p.path for p in ps] for t, ps in content_view.posts_by_tag.items()},
            "authors": [(a.slug, a.path) for a in content_view.authors],
        }

    return {
        "version": snapshot.version,
        "problems": [problem.format() for problem in snapshot.problems],
        "kept": sorted(snapshot.kept),
        "pages": {
            path: (
                p.url,
                p.slug,
                p.type,
                p.blob,
                p.body,
                p.date,
                p.is_draft,
                p.title,
                p.tags,
                p.tag_slugs,
                p.author_slug,
                p.embeds,
            )
            for path, p in sorted(snapshot.pages_by_path.items())
        },
        "people": {path: (p.slug, dict(p.fields)) for path, p in snapshot.people_by_path.items()},
        "site": dict(snapshot.site),
        "public": view(snapshot.public_view()[0]),
        "preview": view(snapshot.preview),
    }


def fresh_app(template: Flask, root: Path, cache_dir: Path | None) -> Flask:
    """``template`` made to serve a repository loaded from scratch (building a whole app per
    step would be slower and no truer)."""
    repository = ContentRepository(root, max_file_bytes=1 << 20, cache_dir=cache_dir)
    repository.reload()
    template.extensions["content"] = repository
    template.wsgi_app.repository = repository  # type: ignore[attr-defined]
    template.wsgi_app.cache = ResponseCache()  # type: ignore[attr-defined]
    return template


def every_url(client) -> list[str]:
    urls = ["/api/posts", "/api/posts?page=2&page_size=3", "/api/posts?sort=title",
            "/api/posts?sort=-title&page_size=5", "/api/posts/recent?limit=5", "/api/authors",
            "/api/pages/paths", "/api/site", "/api/feed.xml", "/api/feed.json", "/api/sitemap.xml",
            "/api", "/api/posts?tag=ai", "/api/posts?tag=site-reliability"]  # fmt: skip
    posts = client.get("/api/posts?page_size=100").get_json()["items"]
    urls += [f"/api/posts/{post['slug']}" for post in posts]
    for author in client.get("/api/authors?page_size=100").get_json()["items"]:
        urls += [f"/api/authors/{author['slug']}", f"/api/authors/{author['slug']}/posts"]
        urls.append(f"/api/feed.atom?author={author['slug']}")
    for page in client.get("/api/pages/paths").get_json()["items"]:
        urls.append(f"/api/pages?path={page['path']}")
    return urls


def answer(client, url: str) -> tuple[int, str, bytes]:
    response = client.get(url)
    body, etag = response.get_data(), response.headers.get("ETag", "")
    if url == "/healthz":  # when it was loaded differs, and so does the ETag
        document = response.get_json()
        document.pop("loadedAt")
        body, etag = json.dumps(document).encode(), ""
    return response.status_code, etag, body


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(history=HISTORIES)
def test_incremental_reloads_match_a_full_rescan_and_a_fresh_start(history, tmp_path_factory):
    work = tmp_path_factory.mktemp("history")
    root = work / "content"
    shutil.copytree(BUNDLED_CONTENT, root)
    site = Site(root)
    watching = create_app({"content_dir": root, "parse_cache_dir": work / "cache-watching"})
    rescanning = create_app({"content_dir": root, "parse_cache_dir": work / "cache-rescanning"})
    fresh = create_app({"content_dir": root, "parse_cache_dir": None})
    cold = create_app({"content_dir": root, "parse_cache_dir": None})
    watching_client = watching.test_client()
    for url in every_url(watching_client):  # fill the response cache before anything changes
        watching_client.get(url)
    for step, (operation, seed) in enumerate(history):
        changed = site.apply(operation, seed)
        watching.extensions["content"].reload(changed)
        rescanning.extensions["content"].reload(None, reread=step % 2 == 0)
        fresh_app(fresh, root, work / "cache-watching")
        expected = describe(fresh.extensions["content"].snapshot)
        context = f"after {history[: step + 1]}"
        assert describe(watching.extensions["content"].snapshot) == expected, context
        assert describe(rescanning.extensions["content"].snapshot) == expected, context
        if not expected["kept"]:  # no history to keep: a cold start gives the same
            fresh_app(cold, root, None)
            assert describe(cold.extensions["content"].snapshot) == expected, context
        fresh_client = fresh.test_client()
        for url in [*every_url(fresh_client), "/healthz"]:
            assert answer(watching_client, url) == answer(fresh_client, url), f"{url} {context}"


# Single histories, on ContentState alone

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


# A repository whose post names an author that comes and goes

POST = """\
---
type: PostLayout
title: Guest post
date: '2024-02-02'
author: content/data/team/guest.json
---
A post by a guest.
"""


def test_an_author_added_and_deleted_again_leaves_what_a_fresh_start_gives(make_site, tmp_path):
    root = make_site({"pages/blog/guest-post.md": POST}, base=BUNDLED_CONTENT)
    watching = loaded_repository(root, tmp_path / "cache")
    guest = root / "data/team/guest.json"

    guest.write_text(json.dumps({"type": "Person", "firstName": "Gus", "lastName": "Guest"}))
    watching.reload(["data/team/guest.json"])
    assert watching.snapshot.pages_by_path["pages/blog/guest-post.md"].author_slug == "guest"
    guest.unlink()
    watching.reload(["data/team/guest.json"])

    fresh = loaded_repository(root)
    restarted = loaded_repository(root, tmp_path / "cache")
    for repo in (watching, restarted):
        assert repo.snapshot.version == fresh.snapshot.version
        assert repo.snapshot.kept == frozenset()  # it never had a good version of its own
    paths = ("/api/posts/guest-post", "/healthz", "/api/posts")
    assert answers_of(watching, *paths)[0] == answers_of(fresh, *paths)[0]
    post = json.loads(answers_of(watching, "/api/posts/guest-post")[0])
    assert "author" not in post  # served, its dangling reference left unresolved
    health = json.loads(answers_of(watching, "/healthz")[0])
    assert health["contentErrors"] == [
        {
            "path": "pages/blog/guest-post.md",
            "line": 5,
            "message": "author: no such file: content/data/team/guest.json",
            "servingLastGood": False,
        }
    ]
    assert health["status"] == "degraded" and health["skippedFiles"] == 0
