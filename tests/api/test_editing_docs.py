"""The editing page's examples are real: every ``curl`` of docs/guide/editing.md is sent, in the
page's order, to an app over a copy of content/ under git with the page's tokens file, and
each answer shown is compared with the real one (the trimming rules of
tests/api/test_docs_examples.py: ``...`` for what was left out). A ``curl -i`` example shows
the status line and the headers that matter before its JSON."""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from api import create_app
from tests.support.editing import git_repository
from tests.support.sites import BUNDLED_CONTENT, ROOT
from tests.support.trimmed import mismatches, parse_trimmed

PAGE = ROOT / "docs" / "guide" / "editing.md"
BASE = "http://127.0.0.1:5000"
TOKEN = "ada-secret"  # the page's token: its tokens file holds the SHA-256 of it


@dataclass
class Step:
    where: str
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    shown: str | None = None


def steps() -> list[Step]:
    text = PAGE.read_text(encoding="utf-8")
    blocks = list(re.finditer(r"^```(\w*)\n(.*?)^```\n", text, re.MULTILINE | re.DOTALL))
    found: list[Step] = []
    for number, block in enumerate(blocks):
        if block.group(1) != "sh":
            continue
        line = text.count("\n", 0, block.start()) + 2
        commands = block.group(2).replace("\\\n", " ").splitlines()
        for command in commands:
            if command.strip().startswith("curl "):
                found.append(parse(shlex.split(command, comments=True), f"editing.md:{line}"))
        following = blocks[number + 1] if number + 1 < len(blocks) else None
        between = text[block.end() : following.start()] if following else "x"
        if (
            found
            and following is not None
            and not between.strip()
            and following.group(1)
            in (
                "json",
                "http",
            )
        ):
            found[-1].shown = following.group(2)
    return found


def parse(words: list[str], where: str) -> Step:
    method, url, headers, body = "GET", "", {}, None
    arguments = iter(words[1:])
    for word in arguments:
        if word in ("-X", "--request"):
            method = next(arguments)
        elif word in ("-H", "--header"):
            name, _, value = next(arguments).partition(":")
            headers[name.strip()] = value.strip()
        elif word in ("-d", "--data", "--data-raw"):
            body = next(arguments).encode()
        elif not word.startswith("-"):
            url = word
    assert url.startswith(BASE), where
    return Step(where, method, url[len(BASE) :], headers, body)


def test_the_page_has_examples_of_each_write() -> None:
    methods = {step.method for step in steps() if step.shown}
    assert methods == {"GET", "PUT", "PATCH", "DELETE", "POST"}


def test_each_example_answers_as_shown(tmp_path: Path) -> None:
    content = git_repository(tmp_path / "site", base=BUNDLED_CONTENT)
    tokens = tmp_path / "write-tokens"
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    tokens.write_text(f"{digest} ada@example.com Ada Lovelace\n")
    client = create_app(
        {"content_dir": content, "write_tokens_file": tokens, "parse_cache_dir": None}
    ).test_client()
    for step in steps():
        headers = {k: v.replace("$TOKEN", TOKEN) for k, v in step.headers.items()}
        answer = client.open(step.url, method=step.method, headers=headers, data=step.body)
        assert answer.status_code < 500, (step.where, answer.get_data(as_text=True))
        if step.shown is None:
            continue
        shown = step.shown
        if shown.startswith("HTTP/"):
            head, _, shown = shown.partition("\n\n")
            status_line, *header_lines = head.splitlines()
            assert status_line.split()[1] == str(answer.status_code), (step.where, answer.json)
            for header in header_lines:
                name, _, value = header.partition(":")
                real = answer.headers.get(name.strip(), "")
                pattern = r"\s*.*\s*".join(re.escape(p.strip()) for p in value.split("..."))
                assert re.fullmatch(pattern.strip() or ".*", real), (step.where, name, real)
        if shown.strip():
            problems = list(mismatches(parse_trimmed(shown), json.loads(answer.data)))
            assert not problems, f"{step.where}:\n" + "\n".join(problems[:10])
