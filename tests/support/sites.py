"""The sites the tests run on (the bundled one, the fixture sites), and small ways to change one
and to read it back through a repository of its own."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from api import create_app
from api.content.live.repository import ContentRepository

ROOT = Path(__file__).resolve().parents[2]
BUNDLED_CONTENT = ROOT / "content"
FIXTURES = ROOT / "tests" / "fixtures"
CORPUS = FIXTURES / "corpus"
EXTENDED = FIXTURES / "extended-site"

# make_site's type (tests/conftest.py): files (relative path -> text or bytes), base -> root
SiteWriter = Callable[..., Path]

SEED = "pages/blog/ai-security-and-the-end-of-silos.md"
SEED_SLUG = "ai-security-and-the-end-of-silos"


def retitle(root: Path, relative: str, title: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(old, f"title: {title}", 1), encoding="utf-8")


def set_front_matter(path: Path, field: str, value: str) -> None:
    """Set one front-matter line of the Markdown file at ``path`` (``value`` as YAML), added
    before the closing ``---`` when the field is not there."""
    lines = path.read_text(encoding="utf-8").split("\n")
    closing = lines.index("---", 1)
    for number in range(1, closing):
        if lines[number].startswith(f"{field}:"):
            lines[number] = f"{field}: {value}"
            break
    else:
        lines.insert(closing, f"{field}: {value}")
    path.write_text("\n".join(lines), encoding="utf-8")


def loaded_repository(root: Path, cache: Path | None = None) -> ContentRepository:
    repo = ContentRepository(root, max_file_bytes=1 << 20, cache_dir=cache)
    repo.reload()
    return repo


def answers_of(repo: ContentRepository, *paths: str) -> list[bytes]:
    """What an app serving ``repo`` answers to each of ``paths`` (the bodies)."""
    app = create_app({"content_dir": repo.root, "parse_cache_dir": None})
    app.extensions["content"] = repo
    app.wsgi_app.repository = repo  # type: ignore[attr-defined]
    client = app.test_client()
    return [client.get(path).get_data() for path in paths]


def readme_minimal_site() -> dict[str, tuple[str, list[str]]]:
    """Each file of "A minimal site": path -> (text, the fields the README calls required)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### A minimal site\n", 1)[1].split("\n### ", 1)[0]
    files = {}
    pattern = (
        r"`([\w/.-]+\.(?:md|json))` \(required: ([^;)]*)[^\n]*(?:\n[^\n`]+)*\n\n```\w+\n(.*?)```"
    )
    for path, required, text in re.findall(pattern, section, flags=re.S):
        fields = [name.split(":")[0] for name in re.findall(r"`([^`]+)`", required)]
        files[path] = (text, fields)
    return files
