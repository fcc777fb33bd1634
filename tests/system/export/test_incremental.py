"""An incremental export equals a full one, file for file and byte for byte.

Random histories of edits (posts added, changed, renamed, deleted, drafted; authors, pages,
the configuration; translations on the bilingual site) are applied to a copy of a small site.
After each batch of edits the site is exported over the previous export (incremental: only the
answers whose content keys changed are asked of the app) and, by the same app, into an empty
folder (full); the two folders must hold the same files with the same bytes (the manifest's
``exportedAt`` aside). The nginx-served incremental export against the live answers is in
``test_export.py`` (the ``bundled, edited`` site).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import orjson
import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import create_app
from api.export import ExportRefused, ExportResult, export_site
from api.export.publishing import MANIFEST, state_path
from tests.support.sites import BUNDLED_CONTENT, FIXTURES, set_front_matter

SITES = {"bundled": BUNDLED_CONTENT, "bilingual": FIXTURES / "bilingual-site"}
NGINX_ROOT = Path("/srv/api-export")  # the same in both exports: nginx.conf names it
OPERATIONS = (
    "retitle", "rebody", "redate", "retag", "reauthor", "draft", "add_post", "delete_post",
    "rename_post", "broken_save", "edit_page", "edit_author", "add_author", "delete_author",
    "edit_config", "translate", "untranslate", "touch",
)  # fmt: skip
HISTORIES = st.lists(
    st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 10_000)), min_size=1, max_size=3
    ),
    min_size=1,
    max_size=3,
)


class Site:
    """A content folder that random operations change."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.locales = (root / "data/locales.json").exists()

    def posts(self) -> list[Path]:
        blog = self.root / "pages/blog"
        return sorted(p for p in blog.rglob("*.md") if not p.name.startswith("index."))

    def pages(self) -> list[Path]:
        return sorted(p for p in (self.root / "pages").rglob("*.md") if p not in self.posts())

    def authors(self) -> list[Path]:
        return sorted((self.root / "data/team").glob("*.json"))

    def apply(self, operation: str, seed: int) -> None:
        chance = random.Random(seed)
        posts, authors = self.posts(), self.authors()
        if not posts and operation not in ("add_post", "add_author", "edit_config"):
            operation = "add_post"
        post = chance.choice(posts) if posts else self.root / "pages/blog/none.md"
        match operation:
            case "retitle":
                set_front_matter(post, "title", f"Title {seed}")
            case "rebody":
                post.write_text(post.read_text(encoding="utf-8") + f"\n## More {seed}\n\nText.\n")
            case "redate":
                set_front_matter(post, "date", f"'20{chance.randint(10, 30)}-0{seed % 9 + 1}-11'")
            case "retag":
                tags = chance.sample(["ai", "AI", "Site Reliability", "news", "Gärten"], 2)
                set_front_matter(post, "tags", json.dumps(tags, ensure_ascii=False))
            case "reauthor":
                names = [a.name.split(".")[0] for a in authors] + ["nobody"]
                set_front_matter(post, "author", f"content/data/team/{chance.choice(names)}.json")
            case "draft":
                set_front_matter(post, "isDraft", chance.choice(["true", "false"]))
            case "add_post":
                self._add_post(chance, seed, authors)
            case "delete_post":
                post.unlink()
            case "rename_post":
                suffix = ".de.md" if post.name.endswith(".de.md") else ".md"
                post.rename(post.with_name(f"renamed-{seed % 4}{suffix}"))
            case "broken_save":
                text = post.read_text(encoding="utf-8")
                post.write_text(text.replace("title:", "title: [unclosed", 1), encoding="utf-8")
            case "edit_page":
                page = chance.choice(self.pages())
                set_front_matter(page, "title", f"Page {seed}")
            case "edit_author" | "add_author" | "delete_author":
                self._author(operation, chance, authors)
            case "edit_config":
                configs = sorted((self.root / "data").glob("config*.json"))
                path = chance.choice(configs)
                config = json.loads(path.read_text(encoding="utf-8"))
                config["titleSuffix"] = f"Site {seed}"
                path.write_text(json.dumps(config, indent=2), encoding="utf-8")
            case "translate" | "untranslate":
                self._translation(operation, chance, post)
            case "touch":
                post.write_bytes(post.read_bytes())

    def _add_post(self, chance: random.Random, seed: int, authors: list[Path]) -> None:
        suffix = ".de.md" if self.locales and chance.random() < 0.4 else ".md"
        path = self.root / "pages/blog" / f"{chance.choice(['fresh', 'newer', 'more'])}{suffix}"
        author = chance.choice([a.name.split(".")[0] for a in authors] + ["nobody"])
        path.write_text(
            f"---\ntype: PostLayout\ntitle: New {seed}\ndate: '2026-0{seed % 9 + 1}-01'\n"
            f"author: content/data/team/{author}.json\ntags: [news]\n"
            "bottomSections:\n  - type: RecentPostsSection\n    recentCount: 2\n"
            f"---\nBody of {seed}.\n",
            encoding="utf-8",
        )

    def _author(self, operation: str, chance: random.Random, authors: list[Path]) -> None:
        if operation == "add_author" or not authors:
            path = self.root / "data/team" / f"guest-{chance.randint(0, 2)}.json"
            path.write_text(json.dumps({"type": "Person", "firstName": "Guest", "lastName": "X"}))
            return
        author = chance.choice(authors)
        if operation == "delete_author":
            author.unlink()
            return
        person = json.loads(author.read_text(encoding="utf-8"))
        person["firstName"] = f"Name {chance.randint(0, 99)}"
        author.write_text(json.dumps(person), encoding="utf-8")

    def _translation(self, operation: str, chance: random.Random, post: Path) -> None:
        """A German version of an English post made or changed, or a German one deleted (on
        a site of one locale: an edit of the post)."""
        if not self.locales:
            set_front_matter(post, "excerpt", f"Excerpt {chance.randint(0, 99)}")
            return
        german = [p for p in self.posts() if p.name.endswith(".de.md")]
        if operation == "untranslate" and german:
            chance.choice(german).unlink()
            return
        english = [p for p in self.posts() if not p.name.endswith(".de.md")] or [post]
        source = chance.choice(english)
        target = source.with_name(source.name.removesuffix(".md") + ".de.md")
        if target.exists():
            set_front_matter(target, "title", f"Titel {chance.randint(0, 99)}")
        else:
            text = source.read_text(encoding="utf-8")
            target.write_text(text.replace("title:", "title: Auf Deutsch:", 1), encoding="utf-8")


def _export(app: Flask, out: Path, *, full: bool = False) -> ExportResult:
    return export_site(app, out, nginx_root=NGINX_ROOT, workers=1, full=full)


def _files(folder: Path) -> dict[str, bytes]:
    found = {}
    for path in folder.rglob("*"):
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    manifest = orjson.loads(found.pop("manifest.json"))
    manifest.pop("exportedAt")
    found["manifest.json"] = orjson.dumps(manifest)
    return found


def _differences(incremental: Path, full: Path) -> list[str]:
    mine, theirs = _files(incremental), _files(full)
    differ = [f"only incremental: {name}" for name in sorted(mine.keys() - theirs.keys())]
    differ += [f"only full: {name}" for name in sorted(theirs.keys() - mine.keys())]
    differ += [f"differs: {n}" for n in sorted(mine.keys() & theirs.keys()) if mine[n] != theirs[n]]
    return differ


@pytest.mark.parametrize("site_name", list(SITES))
def test_an_incremental_export_equals_a_full_one(site_name: str, tmp_path_factory) -> None:
    @settings(
        max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    @given(history=HISTORIES)
    def check(history: list[list[tuple[str, int]]]) -> None:
        work = tmp_path_factory.mktemp(f"incremental-{site_name}")
        root = work / "content"
        shutil.copytree(SITES[site_name], root)
        site, out = Site(root), work / "out"
        _export(create_app({"content_dir": root, "content_watch": False}), out)
        for step, batch in enumerate(history):
            for operation, seed in batch:
                site.apply(operation, seed)
            app = create_app({"content_dir": root, "content_watch": False})
            result = _export(app, out)
            assert result.full_reason is None, result.full_reason
            reference = work / f"full-{step}"
            assert _export(app, reference, full=True).full_reason == "--full"
            context = f"after {history[: step + 1]}"
            assert _differences(out, reference) == [], context
            shutil.rmtree(reference)

    check()


def test_unchanged_content_keeps_every_answer_but_the_version_s(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT, root)
    out = tmp_path / "out"
    first = _export(create_app({"content_dir": root, "content_watch": False}), out)
    again = _export(create_app({"content_dir": root, "content_watch": False}), out)
    assert again.full_reason is None and again.removed == 0
    manifest = json.loads((out / "manifest.json").read_text())
    every_time = {e["file"] for e in manifest["answers"] if "version" in (e["keys"] or ["version"])}
    assert again.rendered == len(every_time) < first.files / 10
    (root / "pages/blog/retiring-the-war-room.md").unlink()
    after = _export(create_app({"content_dir": root, "content_watch": False}), out)
    assert after.full_reason is None and after.removed >= 3  # the post, its page, related
    assert not (out / "api/posts/retiring-the-war-room").exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"site_url": "https://other.example"}, "settings that change answers differ: "),
        ({"feed_size": 5}, "settings that change answers differ: FEED_SIZE"),
        ({"content_dir": FIXTURES / "corpus"}, "it is an export of another content folder"),
    ],
)
def test_what_cannot_be_continued_is_exported_whole_saying_why(
    tmp_path: Path, change: dict, reason: str
) -> None:
    out = tmp_path / "out"
    _export(create_app({"content_dir": BUNDLED_CONTENT, "content_watch": False}), out)
    result = _export(
        create_app({"content_dir": BUNDLED_CONTENT, "content_watch": False, **change}), out
    )
    assert result.full_reason is not None and reason in result.full_reason
    assert result.rendered == result.files


def test_a_state_of_another_format_or_generator_means_a_full_export(tmp_path: Path) -> None:
    out = tmp_path / "out"
    app = create_app({"content_dir": BUNDLED_CONTENT, "content_watch": False})
    _export(app, out)
    state = json.loads(state_path(out).read_text())
    state["identity"]["generator"] = "0" * 32
    state_path(out).write_text(json.dumps(state))
    assert "another version of the exporter" in (_export(app, out).full_reason or "")
    state["formatVersion"] = 0
    state_path(out).write_text(json.dumps(state))
    assert "another format" in (_export(app, out).full_reason or "")
    state_path(out).write_text("{not json")
    assert "unreadable" in (_export(app, out).full_reason or "")
    state_path(out).unlink()
    assert "records no state" in (_export(app, out).full_reason or "")
    assert _export(app, out).full_reason is None  # the last one wrote its state


def test_a_damaged_or_missing_manifest_means_a_full_export(tmp_path: Path) -> None:
    out = tmp_path / "out"
    app = create_app({"content_dir": BUNDLED_CONTENT, "content_watch": False})
    _export(app, out)
    assert not (out / state_path(out).name).exists()  # beside OUT: it names drafts too
    manifest = (out / MANIFEST).read_bytes()
    (out / MANIFEST).write_bytes(manifest.replace(b"{", b"{ ", 1))  # as if another export's
    assert "is not of the export in OUT" in (_export(app, out).full_reason or "")
    (out / MANIFEST).write_text("{damaged", encoding="utf-8")
    # Only our manifest marks OUT as an export: the state beside it outlives OUT, and a
    # folder made again at that path for something else must never be deleted.
    with pytest.raises(ExportRefused, match="is not a previous export"):
        _export(app, out)
    (out / MANIFEST).unlink()
    (out / "notes.txt").write_text("a user's file", encoding="utf-8")
    with pytest.raises(ExportRefused, match="is not a previous export"):
        _export(app, out)


def test_the_served_export_is_never_written_through_a_link(tmp_path: Path) -> None:
    """An answer kept but with one of its files gone from OUT (its ``.gz`` deleted) is written
    again whole: the file OUT serves until the swap, which the new export had linked, is left
    as it was (the same inode, never rewritten), and the new export holds both files."""
    out = tmp_path / "out"
    app = create_app({"content_dir": BUNDLED_CONTENT, "content_watch": False})
    _export(app, out)
    manifest = json.loads((out / MANIFEST).read_text())
    entry = next(e for e in manifest["answers"] if (out / (e["file"] + ".gz")).exists())
    served = out / entry["file"]
    witness = tmp_path / "witness"  # the inode OUT serves, seen from outside OUT
    witness.hardlink_to(served)
    before = witness.stat().st_mtime_ns, witness.read_bytes()
    (out / (entry["file"] + ".gz")).unlink()
    result = _export(app, out)
    assert result.full_reason is None  # incremental
    assert (witness.stat().st_mtime_ns, witness.read_bytes()) == before
    assert (out / entry["file"]).read_bytes() == before[1]
    assert (out / (entry["file"] + ".gz")).exists()


def test_a_state_naming_files_outside_the_export_is_not_followed(tmp_path: Path) -> None:
    """The state beside OUT is a file anyone with write access there can change: an answer
    recorded under a name outside the export (``../elsewhere/answer.json``, which exists) is
    made again under its own name, and nothing outside the export is read or written."""
    out = tmp_path / "out"
    app = create_app({"content_dir": BUNDLED_CONTENT, "content_watch": False})
    _export(app, out)
    elsewhere = tmp_path / "elsewhere" / "answer.json"
    elsewhere.parent.mkdir()
    elsewhere.write_text("not the export's", encoding="utf-8")
    path = state_path(out)
    state = orjson.loads(path.read_bytes())
    row = next(  # an answer kept by the next export (no .gz; keys that do not change)
        r for r in state["answers"] if r[8] is None and r[13] and "version" not in r[13]
    )
    original = row[4]
    row[4] = "../elsewhere/answer.json"
    path.write_bytes(orjson.dumps(state))
    result = _export(app, out)
    assert result.full_reason is None
    assert elsewhere.read_text(encoding="utf-8") == "not the export's"
    assert (out / original).is_file()
    assert not (out / "elsewhere").exists()
