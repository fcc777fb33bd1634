"""Every answer the README and the docs show is what the server really answers.

An example is a fenced ``sh`` block whose ``curl`` asks ``http://127.0.0.1:5000/...``, and the
answer shown under it: either the lines right after the ``curl`` line in the same block (up to a
blank line or the next command), or the next fenced block when nothing but blank lines stands
between the two. Each one is asked of ``create_app(...).test_client()`` over the site that block
serves: ``content/`` (what ``make run`` serves), unless a line of the block such as
``CONTENT_DIR=tests/fixtures/corpus STACKBIT_COMPAT=sourcebit make run`` names another folder or
sets other variables, which are read as the server reads its environment. ``-H 'Name: value'``
is sent as a header; ``-I`` asks with HEAD and shows headers.

What a shown answer must be, by kind:

- **JSON** (a ``json`` block, or inline lines starting with ``{`` or ``[``) is compared as
  data, with the trimming marks of the docs:

  - ``...`` where a value stands (``"image": ...``) matches any value; ``{...}`` any object,
    ``[...]`` any list.
  - ``...`` among an object's members means members were left out: the shown keys must be
    there, in the answer's order, with matching values. An object without ``...`` has exactly
    the shown keys, in the answer's order.
  - ``...`` among a list's items means items were left out there: the shown items must appear
    in order, with gaps only where a ``...`` stands. A list without ``...`` is the whole list.
  - a string ending in ``...`` (three ASCII dots) is a prefix of the real string (what stands
    before the dots, trailing spaces dropped); ``"..."`` matches any string. Every other value
    (numbers, booleans, strings, ``null``) must be equal.

- **Headers** (after ``curl -I``): each ``Name: value`` line shown is the real header's value;
  ``...`` in a value stands for any text there (the spaces around it too).
- **XML and other text**: each shown line, stripped, matches a line of the real body, in order
  and one after the other; a line that is only ``...`` allows a gap of any number of lines, and
  ``...`` inside a line stands for any text there (the spaces around it too).

A request whose answer is shown must answer a status below 500; an answer shown for an error
(404, 422) is checked like any other body.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from api import create_app
from api.settings import _ENVIRONMENT
from tests.support.sites import ROOT
from tests.support.trimmed import mismatches, parse_trimmed

BASE = "http://127.0.0.1:5000"
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^( *)(`{3,}|~{3,})\s*([\w+-]*)[^\n]*$")
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=(\S*)$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # the fence's line, from 1
    end: int  # the closing fence's line
    lang: str
    text: str


@dataclass
class Example:
    where: str  # path:line of the curl line
    url: str
    environment: tuple[tuple[str, str], ...]
    headers: dict[str, str] = field(default_factory=dict)
    head: bool = False
    answer: str = ""
    kind: str = ""  # json, headers, text

    def __str__(self) -> str:
        return f"{self.where} {self.url}"


def fenced_blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, indented ones (in lists) included."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks, index = [], 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence, lang = opening.groups()
        body, end = [], index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            body.append(lines[end][len(indent) :] if lines[end].startswith(indent) else lines[end])
            end += 1
        blocks.append(Block(path, index + 1, end + 1, lang, "\n".join(body)))
        index = end + 1
    return blocks


def examples_of(path: Path) -> Iterator[Example]:
    blocks = fenced_blocks(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    relative = path.relative_to(ROOT)
    for number, block in enumerate(blocks):
        if block.lang not in ("sh", "bash"):
            continue
        environment: dict[str, str] = {}
        last: Example | None = None
        inline: list[str] = []
        for offset, line in enumerate(block.text.splitlines()):
            stripped = line.strip()
            if inline:
                if stripped and not stripped.startswith("curl "):
                    inline.append(line)
                    continue
                yield answered(last, "\n".join(inline), guess_kind(inline[0]))
                last, inline = None, []
            if stripped.startswith("curl "):
                last = parse_curl(shlex.split(stripped, comments=True), environment)
                last.where = f"{relative}:{block.line + 1 + offset}"
            elif re.search(r"\bmake (run|serve)\b", stripped):
                words = stripped.split()
                environment = dict(
                    match.groups() for word in words if (match := ASSIGNMENT.match(word))
                )
            elif last is not None and stripped[:1] in ("{", "[", "<"):
                inline = [line]
            elif stripped and not stripped.startswith("#"):
                last = None  # another command: the curl above shows no answer
        if inline:
            yield answered(last, "\n".join(inline), guess_kind(inline[0]))
            continue
        following = blocks[number + 1] if number + 1 < len(blocks) else None
        if last is None or following is None:
            continue
        if not any(text.strip() for text in lines[block.end : following.line - 1]):
            kind = "headers" if last.head else "json" if following.lang == "json" else "text"
            yield answered(last, following.text, kind)


def answered(example: Example | None, answer: str, kind: str) -> Example:
    assert example is not None
    example.answer, example.kind = answer, "headers" if example.head else kind
    return example


def guess_kind(answer: str) -> str:
    return "json" if answer.lstrip()[:1] in "{[" else "text"


def parse_curl(words: list[str], environment: dict[str, str]) -> Example:
    url, headers, head = None, {}, False
    arguments = iter(words[1:])
    for word in arguments:
        if word in ("-X", "--request"):
            headers[WRITE] = next(arguments)  # a write: tests/api/test_editing_docs.py
        elif word in ("-d", "--data", "--data-raw"):
            next(arguments)
        elif word in ("-H", "--header"):
            name, _, value = next(arguments).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "--head" or (word[:1] == "-" and word[1:2] != "-" and "I" in word):
            head = True  # -I, or among other short flags: -sI
        elif word.startswith("-"):
            continue  # -s, -i and friends change nothing in the answer
        else:
            url = word
    assert url and url.startswith(BASE), f"not a request to {BASE}: {words}"
    return Example("", url[len(BASE) :], tuple(sorted(environment.items())), headers, head)


# The editing API's examples (``curl -X PUT``, and every request of /api/entries and
# /api/commits) are replayed in order, on a copy of content/ under git with writes on, by
# tests/api/test_editing_docs.py, with the same trimming rules; not here.
WRITE = "@method"
EDITING = ("/api/entries/", "/api/commits")
EXAMPLES = [
    example
    for path in DOCUMENTS
    for example in examples_of(path)
    if example.answer and WRITE not in example.headers and not example.url.startswith(EDITING)
]


@cache
def client_for(environment: tuple[tuple[str, str], ...]) -> FlaskClient:
    settings: dict[str, Any] = {"content_dir": ROOT / "content", "parse_cache_dir": None}
    by_variable = {variable: (name, parse) for name, (variable, parse) in _ENVIRONMENT.items()}
    for variable, raw in environment:
        name, parse = by_variable[variable]
        settings[name] = ROOT / raw if name == "content_dir" else parse(raw)
    app = create_app(settings, start_background=False)
    return app.test_client()


# ---- text and headers ----------------------------------------------------------------------


def line_pattern(shown: str) -> re.Pattern[str]:
    """A shown line as a pattern: `...` (and the spaces around it) stands for any text."""
    parts = [part.strip() for part in shown.strip().split("...")]
    return re.compile(r"\s*.*\s*".join(re.escape(part) for part in parts) + r"\Z")


def text_mismatches(shown: str, real: str) -> list[str]:
    real_lines = [line.strip() for line in real.splitlines()]
    position, gap = 0, False
    for line in shown.splitlines():
        if line.strip() == "...":
            gap = True
            continue
        if not line.strip():
            continue
        pattern = line_pattern(line)
        candidates = range(position, len(real_lines)) if gap else [position]
        found = next(
            (i for i in candidates if i < len(real_lines) and pattern.match(real_lines[i])), None
        )
        if found is None:
            near = real_lines[position : position + 3]
            return [f"line {line.strip()!r} not found (the answer goes on with {near!r})"]
        position, gap = found + 1, False
    return []


def header_mismatches(shown: str, headers: Any) -> list[str]:
    problems = []
    for line in shown.splitlines():
        if not line.strip():
            continue
        name, _, value = line.partition(":")
        real = headers.get(name.strip())
        if real is None:
            problems.append(f"no {name.strip()} header")
        elif not line_pattern(value).match(real.strip()):
            problems.append(f"{name.strip()}: shown {value.strip()!r}, answered {real!r}")
    return problems


# ---- the tests -------------------------------------------------------------------------------


def test_the_readme_and_the_docs_show_answers():
    """The parser finds the examples (a change of format must not make this test vacuous)."""
    readme = [example for example in EXAMPLES if example.where.startswith("README.md")]
    assert len(readme) >= 5
    assert len(EXAMPLES) >= 25
    assert {example.kind for example in EXAMPLES} == {"json", "headers", "text"}


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_each_shown_answer_is_the_real_one(example: Example):
    client = client_for(example.environment)
    ask = client.head if example.head else client.get
    response = ask(example.url, headers=example.headers)
    assert response.status_code < 500, response.get_data(as_text=True)
    if example.kind == "headers":
        problems = header_mismatches(example.answer, response.headers)
    elif example.kind == "json":
        problems = list(mismatches(parse_trimmed(example.answer), response.get_json()))
    else:
        problems = text_mismatches(example.answer, response.get_data(as_text=True))
    assert not problems, f"{example}:\n" + "\n".join(problems[:10])


@pytest.mark.parametrize(
    ("shown", "real", "ok"),
    [
        ('{"a": 1, ...}', {"a": 1, "b": 2}, True),
        ('{"a": 1}', {"a": 1, "b": 2}, False),
        ('{"b": 2, "a": 1, ...}', {"a": 1, "b": 2}, False),
        ('{"a": ..., "b": 2}', {"a": [1], "b": 2}, True),
        ('{"a": {...}, "b": [...]}', {"a": {"x": 1}, "b": [1, 2]}, True),
        ('{"s": "Help ..."}', {"s": "Hello, world"}, False),
        ('{"s": "..."}', {"s": 1}, False),
        ('{"a": {"b": [1, {"c": 2}]}}', {"a": {"b": [1, {"c": 3}]}}, False),
        ('{"s": "Hello, ..."}', {"s": "Hello, world"}, True),
        ("[1, 2, ...]", [1, 2, 3], True),
        ("[1, 3, ...]", [1, 2, 3], False),
        ("[..., 3]", [1, 2, 3], True),
        ("[1, ..., 3]", [1, 2, 3], True),
        ("[1, 2]", [1, 2, 3], False),
        ('{"n": 1}', {"n": 1.0}, False),
    ],
)
def test_the_trimming_rules(shown, real, ok):
    assert (not list(mismatches(parse_trimmed(shown), real))) is ok
