"""Entries written back: a one-field change is a one-line change of the file, on every file of
the theme corpus and the bundled site; comments, key order, quoting, flow and block style,
line endings and the body's bytes stay; JSON keeps its key order and indentation."""

from __future__ import annotations

import copy
import difflib
import json
from pathlib import Path

import pytest

from api.content.source.parsing import ContentLoader, parse_markdown
from api.editing.line_patch import carry_over
from api.editing.round_trip import read_entry, render_json, render_markdown
from tests.support.sites import BUNDLED_CONTENT, CORPUS

MARKDOWN = sorted([*CORPUS.glob("pages/**/*.md"), *BUNDLED_CONTENT.glob("pages/**/*.md")])
JSON_FILES = sorted([*CORPUS.glob("data/**/*.json"), *BUNDLED_CONTENT.glob("data/**/*.json")])


def changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.unified_diff(
        before.decode().splitlines(), after.decode().splitlines(), lineterm="", n=0
    )
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def name(path: Path) -> str:
    return path.relative_to(path.parents[2]).as_posix()


@pytest.mark.parametrize("path", MARKDOWN, ids=name)
def test_one_field_changes_one_line(path: Path) -> None:
    data = path.read_bytes()
    entry = read_entry(path.name, data)
    assert render_markdown(data, entry["frontMatter"], entry["body"]) == data  # nothing: nothing
    front = copy.deepcopy(entry["frontMatter"])
    front["title"] = f"{front.get('title', '')} (edited)"
    after = render_markdown(data, front, entry["body"])
    changes = changed_lines(data, after)
    assert len(changes) == 2 and changes[0].startswith("-title:"), changes
    assert changes[1].startswith("+title:")
    assert after.endswith(entry["body"].encode())  # the body's bytes, untouched
    drafted = dict(entry["frontMatter"], isDraft=not entry["frontMatter"].get("isDraft", False))
    assert len(changed_lines(data, render_markdown(data, drafted, entry["body"]))) in (1, 2)


def sections_with_ids(front: dict) -> list[dict]:
    return [
        section
        for key in ("sections", "bottomSections", "topSections")
        for section in front.get(key) or []
        if isinstance(section, dict) and isinstance(section.get("elementId"), str)
    ]


WITH_SECTIONS = [
    path
    for path in MARKDOWN
    if sections_with_ids(read_entry(path.name, path.read_bytes())["frontMatter"])
]


@pytest.mark.parametrize("path", WITH_SECTIONS, ids=name)
def test_a_nested_field_changes_its_line(path: Path) -> None:
    data = path.read_bytes()
    entry = read_entry(path.name, data)
    front = copy.deepcopy(entry["frontMatter"])
    sections_with_ids(front)[0]["elementId"] = "an-edited-id"
    changes = changed_lines(data, render_markdown(data, front, entry["body"]))
    assert len(changes) == 2 and "elementId" in changes[0] and "an-edited-id" in changes[1]


@pytest.mark.parametrize("path", JSON_FILES, ids=name)
def test_json_keeps_order_and_indentation(path: Path) -> None:
    data = path.read_bytes()
    value = read_entry(path.name, data)["data"]
    assert render_json(data, value) == data
    key = next((k for k, v in value.items() if isinstance(v, str) and k != "type"), None)
    if key is None:
        pytest.skip("no string field")
    changed = dict(value, **{key: value[key] + " (edited)"})
    changes = changed_lines(data, render_json(data, changed))
    assert len(changes) == 2 and f'"{key}"' in changes[1], changes
    added = dict(value, addedField=1)
    assert list(json.loads(render_json(data, added))) == [*value, "addedField"]


FILE = """\
---
# a comment the editor wrote
type: PostLayout
title: 'Quoted, single'
subtitle: "Quoted, double"
date: 2025-01-30   # the day it went out
tags: [one, two]
author: content/data/team/ada.json
seo:
  metaTitle: Plain
---
The body, **as written**.\r
With a CR LF line and no final newline"""


def edit(text: str, **fields: object) -> str:
    data = text.encode()
    entry = read_entry("pages/a.md", data)
    front = dict(entry["frontMatter"], **fields)
    return render_markdown(data, front, entry["body"]).decode()


def test_comments_quoting_styles_and_body_stay() -> None:
    after = edit(FILE, title="New, single", subtitle="New, double", date="2025-02-01")
    assert after.splitlines()[3:6] == [
        "title: 'New, single'",
        'subtitle: "New, double"',
        "date: 2025-02-01   # the day it went out",
    ]
    assert (
        after.replace("New, single", "Quoted, single")
        .replace("New, double", "Quoted, double")
        .replace("2025-02-01", "2025-01-30")
        == FILE
    )
    assert edit(FILE, tags=["one", "two", "three"]).count("tags: [one, two, three]") == 1


def test_new_fields_and_removed_fields() -> None:
    entry = read_entry("pages/a.md", FILE.encode())
    front = {k: v for k, v in entry["frontMatter"].items() if k != "subtitle"}
    front = {**front, "isDraft": True}
    after = render_markdown(FILE.encode(), front, entry["body"]).decode()
    assert "subtitle" not in after and "isDraft: true" in after
    assert "# a comment the editor wrote" in after


@pytest.mark.parametrize("value", ["yes", "no", "on", "~", "null", "12", "0o7", "1.5", "", "a: b"])
def test_strings_that_would_read_otherwise_are_quoted(value: str) -> None:
    assert parse_markdown(edit(FILE, title=value)).front_matter["title"] == value


def test_line_endings_of_the_front_matter_stay() -> None:
    crlf = FILE.replace("\n", "\r\n").replace("\r\r\n", "\r\n")
    after = edit(crlf, title="Changed")
    assert after.count("\r\n") == crlf.count("\r\n") and "title: 'Changed'\r\n" in after


def test_a_new_file_reads_back() -> None:
    front = {"type": "PostLayout", "title": "yes", "date": "2025-01-30", "tags": ["a"]}
    text = render_markdown(None, front, "Hello\n").decode()
    assert text.startswith("---\ntype: PostLayout\n")
    document = parse_markdown(text)
    assert document.front_matter == front
    assert (
        render_json(None, {"type": "Person", "firstName": "Ada"})
        .decode()
        .startswith('{\n  "type": "Person"')
    )


def test_the_loader_is_the_servers() -> None:
    """What is read back is read with the server's own loader (no timestamps, YAML 1.1 bools)."""
    assert ContentLoader is not None
    entry = read_entry("pages/a.md", FILE.encode())
    assert entry["frontMatter"]["date"] == "2025-01-30"


def test_carry_over_keeps_lines_the_serialiser_writes_otherwise() -> None:
    written = 'a: "\\U0001F4AC"\nb: 1\nc: 2\n'
    before = 'a: "💬"\nb: 1\nc: 2\n'
    after = 'a: "💬"\nb: 1\nc: 3\n'
    assert carry_over(written, before, after) == 'a: "\\U0001F4AC"\nb: 1\nc: 3\n'
