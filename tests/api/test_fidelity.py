"""Answers true to their files: every key of every object, at the same place, in the same order.

For every file of three sites (the Personal theme's real content, the bundled site and the
extended-model fixture), the file is parsed here on its own (PyYAML's and the standard
library's parsers, not the app's) and walked beside its answer: every key the file has
(with a value) must be in the answer at the same place, and the answer's keys, filtered to
those the file has, must be in the file's order. A theme's front end builds class lists in
key order, so a reordered ``styles.self`` is a different page. What the API derives comes
after the file's own keys; a reference (a path in the file) is resolved in its place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient

from api import create_app
from tests.support.sites import BUNDLED_CONTENT, CORPUS, EXTENDED, FIXTURES

SITES = {"corpus": CORPUS, "bundled": BUNDLED_CONTENT, "extended": EXTENDED}
THEME_PROPS = FIXTURES / "corpus-props"
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)^---[ \t]*$", re.DOTALL | re.MULTILINE)


def file_data(path: Path) -> dict[str, Any]:
    """A content file's data, parsed independently of the app."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    found = FRONT_MATTER.match(text)
    assert found, path
    return yaml.safe_load(found.group(1)) or {}


def url_of(page: Path, pages: Path) -> str:
    relative = page.relative_to(pages).with_suffix("").as_posix()
    relative = "" if relative == "index" else relative.removesuffix("/index")
    return f"/{relative}"


def files_and_answers(root: Path, client: FlaskClient) -> Iterator[tuple[str, Any, Any]]:
    """(file, its data, its answer) for every content file of a site."""
    site = client.get("/api/site").get_json()
    for name in ("config", "style"):
        path = root / "data" / f"{name}.json"
        if path.exists():
            yield f"data/{name}.json", file_data(path), site[name]
    for path in sorted((root / "data" / "team").glob("*.json")):
        answer = client.get(f"/api/authors/{path.stem}")
        assert answer.status_code == 200, path
        yield f"data/team/{path.name}", file_data(path), answer.get_json()
    for path in sorted((root / "pages").rglob("*.md")):
        data = file_data(path)
        answer = client.get("/api/pages", query_string={"path": url_of(path, root / "pages")})
        if data.get("isDraft") is True:
            assert answer.status_code == 404, path
            continue
        assert answer.status_code == 200, path
        yield path.relative_to(root).as_posix(), data, answer.get_json()


def compare(file_value: Any, answer: Any, where: str, problems: dict[str, list[str]]) -> None:
    """Walk a file's value beside its answer; record missing keys and reordered objects."""
    if isinstance(file_value, dict):
        if not isinstance(answer, dict):
            problems["missing"].append(f"{where}: an object in the file, {answer!r} served")
            return
        keys = [key for key, value in file_value.items() if value is not None]
        missing = [key for key in keys if key not in answer]
        if missing:
            problems["missing"].append(f"{where}: {missing} not served")
        served_order = [key for key in answer if key in keys]
        if served_order != [key for key in keys if key in answer]:
            problems["order"].append(f"{where}: file {keys}, served {served_order}")
        for key in keys:
            if key in answer:
                compare(file_value[key], answer[key], f"{where}.{key}", problems)
    elif isinstance(file_value, list):
        items = [item for item in file_value if item is not None]
        references = all(isinstance(item, str) for item in items)
        if references and isinstance(answer, list) and all(isinstance(a, dict) for a in answer):
            return  # references, resolved to the objects they name (drafts left out)
        if not isinstance(answer, list) or len(answer) != len(items):
            problems["missing"].append(f"{where}: {len(items)} items in the file, {answer!r}")
            return
        for index, (item, served) in enumerate(zip(items, answer, strict=True)):
            compare(item, served, f"{where}[{index}]", problems)


@pytest.fixture(scope="module", params=sorted(SITES))
def walked(request) -> tuple[str, dict[str, list[str]], int]:
    """Walk every file of one site beside its answer."""
    root = SITES[request.param]
    client = create_app({"content_dir": root}).test_client()
    problems: dict[str, list[str]] = {"missing": [], "order": []}
    objects = 0
    for name, data, answer in files_and_answers(root, client):
        compare(data, answer, name, problems)
        objects += 1
    return request.param, problems, objects


def test_every_key_of_every_file_is_in_its_answer(walked):
    site, problems, files = walked

    assert files >= 14, site
    assert not problems["missing"], "\n".join(problems["missing"])


def test_every_object_keeps_its_file_s_key_order(walked):
    site, problems, _ = walked

    assert not problems["order"], f"{site}: {len(problems['order'])} objects reordered:\n" + (
        "\n".join(problems["order"][:20])
    )


def test_derived_fields_come_after_the_file_s_own_in_a_fixed_order(corpus_client):
    post = corpus_client.get("/api/posts/post-one?include=markdown").get_json()
    project = corpus_client.get("/api/pages?path=/projects/project-two").get_json()
    feed = corpus_client.get("/api/pages?path=/blog").get_json()
    author = corpus_client.get("/api/authors/doris-soto").get_json()

    assert list(post)[-7:] == ["slug", "url", "html", "toc", "readingTime", "wordCount", "markdown"]
    assert list(project)[-8:] == [
        "slug",
        "url",
        "html",
        "toc",
        "readingTime",
        "wordCount",
        "prevProject",
        "nextProject",
    ]
    assert list(feed)[-4:] == ["slug", "url", "items", "pagination"]
    assert list(author)[-3:] == ["slug", "name", "postCount"]
    assert list(project["nextProject"]) == [
        "type",
        "title",
        "date",
        "client",
        "description",
        "featuredImage",
        "slug",
        "url",
    ]


def test_the_info_page_s_styles_keep_the_file_s_order(corpus_client):
    """The Personal theme builds CSS classes in key order: `/info` must come out as it went in."""
    info = corpus_client.get("/api/pages?path=/info").get_json()

    items = [
        item
        for section in info["sections"]
        if section["type"] == "FeaturedItemsSection"
        for item in section.get("items", [])
        if item.get("subtitle") in ("Experience:", "Education:")
    ]
    assert [list(item["styles"]["self"]) for item in items] == [["textAlign", "padding"]] * 2


def shared_key_order(theirs: Any, ours: Any, where: str, found: list[str]) -> int:
    """Compare the order of the keys two answers share, at every depth; count the objects."""
    if isinstance(theirs, dict) and isinstance(ours, dict):
        shared = [key for key in theirs if key in ours]
        if shared != [key for key in ours if key in theirs]:
            found.append(f"{where}: theme {shared}, ours {[k for k in ours if k in theirs]}")
        return 1 + sum(
            shared_key_order(theirs[key], ours[key], f"{where}.{key}", found) for key in shared
        )
    if isinstance(theirs, list) and isinstance(ours, list) and len(theirs) == len(ours):
        return sum(
            shared_key_order(a, b, f"{where}[{i}]", found)
            for i, (a, b) in enumerate(zip(theirs, ours, strict=True))
        )
    return 0


def test_keys_come_in_the_order_the_theme_s_own_front_end_receives_them(corpus_client):
    """The Personal theme's `getStaticProps` output for each of its routes, from the same
    files: every object both hold has the keys they share in the same order, so a front end
    built on our answers sees what it sees when built from the files."""
    site = corpus_client.get("/api/site").get_json()
    reordered: list[str] = []
    objects = 0
    for path in sorted(THEME_PROPS.glob("*.json")):
        if path.name == "_paths.json":
            continue
        props = json.loads(path.read_text(encoding="utf-8"))
        answer = corpus_client.get("/api/pages", query_string={"path": props["path"]})
        assert answer.status_code == 200, props["path"]
        objects += shared_key_order(props["props"]["page"], answer.get_json(), path.stem, reordered)
        objects += shared_key_order(props["props"]["site"], site["config"], "site", reordered)

    assert objects > 600
    assert not reordered, "\n".join(reordered)
