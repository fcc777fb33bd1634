"""The content repository of the deploy test: a generated 1,000-post site under git, its
clones, and the changes a writer commits (edit, add, delete, author change, config change)."""

from __future__ import annotations

import importlib.util
import json
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.sites import ROOT

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Writer",
    "GIT_AUTHOR_EMAIL": "writer@example.com",
    "GIT_COMMITTER_NAME": "Writer",
    "GIT_COMMITTER_EMAIL": "writer@example.com",
}


def git(repository: Path, *args: str) -> str:
    import os

    done = subprocess.run(
        ["git", "-C", str(repository), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
        check=True,
    )
    return done.stdout


def generate_repository(out: Path, posts: int, authors: int = 20) -> Path:
    """bench/gen_corpus.py's site as the first commit of a git repository at ``out``."""
    spec = importlib.util.spec_from_file_location("gen_corpus", ROOT / "bench" / "gen_corpus.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_corpus", generator)  # its dataclasses look their module up
    spec.loader.exec_module(generator)
    generator.write_corpus(out, posts, authors, 42)
    git(out, "init", "-q", "-b", "main")
    git(out, "add", "-A")
    git(out, "commit", "-q", "-m", "The generated site")
    return out


def clone(origin: Path, where: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(origin), str(where)], check=True)
    return where


@dataclass(frozen=True)
class Change:
    kind: str
    description: str
    commit: str  # its id in the repository it was made in
    removed_urls: tuple[str, ...] = ()  # API URLs that stop existing (readers stop asking)
    added_urls: tuple[str, ...] = ()  # API URLs that start existing (once every replica has it)


class Writer:
    """Commits changes of every kind to the origin repository. Posts among the newest
    ``RECENT_GUARD`` are left alone: every post page lists the newest ones, so changing one of
    those changes all 1,000 pages, which is true but would say nothing about precision."""

    RECENT_GUARD = 12

    def __init__(self, repository: Path, rng: random.Random, deletions: int) -> None:
        self.repository = repository
        self.content = repository / "content"
        self.rng = rng
        self.added = 0
        # Chosen now, so that readers can leave them alone from the start.
        self.doomed = [
            path for _, path in rng.sample(self._posts()[self.RECENT_GUARD :], deletions)
        ]

    @property
    def doomed_urls(self) -> list[str]:
        return [f"/api/posts/{path.stem}" for path in self.doomed]

    def commit(self, kind: str) -> Change:
        description, removed, added = getattr(self, f"_{kind.replace(' ', '_')}")()
        git(self.repository, "add", "-A")
        git(self.repository, "commit", "-q", "-m", f"{kind}: {description}")
        commit = git(self.repository, "rev-parse", "HEAD").strip()
        return Change(kind, description, commit, removed, added)

    def _posts(self) -> list[tuple[str, Path]]:
        """(date, file) of every post, newest first."""
        dated = []
        for path in (self.content / "pages" / "blog").glob("*.md"):
            match = re.search(r"^date: '([^']+)'", path.read_text(), re.MULTILINE)
            dated.append((match[1] if match else "", path))
        return sorted(dated, reverse=True)

    def _older_post(self) -> Path:
        """A post outside the newest few and not to be deleted."""
        return self.rng.choice(
            [path for _, path in self._posts()[self.RECENT_GUARD :] if path not in self.doomed]
        )

    Made = tuple[str, tuple[str, ...], tuple[str, ...]]  # description, URLs removed, added

    def _edit(self) -> Made:
        path = self._older_post()
        text = path.read_text()
        path.write_text(
            text.replace("\n---\n", f"\n---\nAn edit, number {self.rng.randrange(10**6)}.\n\n", 1)
        )
        return f"body of {path.stem}", (), ()

    def _add(self) -> Made:
        self.added += 1
        oldest_date = self._posts()[-1][0]
        template = self._older_post()
        slug = f"an-added-post-{self.added}"
        text = template.read_text()
        text = re.sub(
            r"^title: .*$",
            f"title: 'An Added Post {self.added}'",
            text,
            count=1,
            flags=re.MULTILINE,
        )
        text = re.sub(r"^date: .*$", f"date: '{oldest_date}'", text, count=1, flags=re.MULTILINE)
        (self.content / "pages" / "blog" / f"{slug}.md").write_text(text)
        return slug, (), (f"/api/posts/{slug}",)

    def _delete(self) -> Made:
        path = self.doomed.pop()
        path.unlink()
        return path.stem, (f"/api/posts/{path.stem}",), ()

    def _author_change(self) -> Made:
        path = self._older_post()
        text = path.read_text()
        current = re.search(r"^author: content/data/team/(.+)\.json$", text, re.MULTILINE)
        assert current is not None
        authors = sorted(p.stem for p in (self.content / "data" / "team").glob("*.json"))
        other = self.rng.choice([a for a in authors if a != current[1]])
        path.write_text(text.replace(current[0], f"author: content/data/team/{other}.json"))
        return f"{path.stem}: {current[1]} -> {other}", (), ()

    def _config_change(self) -> Made:
        path = self.content / "data" / "config.json"
        config = json.loads(path.read_text())
        config["titleSuffix"] = f"Bench Blog {self.rng.randrange(10**6)}"
        path.write_text(json.dumps(config, indent=2) + "\n")
        return config["titleSuffix"], (), ()
