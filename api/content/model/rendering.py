"""Markdown bodies to HTML, table of contents, word count and reading time: pure functions.

Python-Markdown escapes everything inside code fences, so JSX or HTML shown as
code is served as text, never as markup.
"""

from __future__ import annotations

import html
import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import markdown
from markdown.extensions.toc import slugify_unicode

from api.content.model.items import Page
from api.content.model.sanitizing import sanitise_html

WORDS_PER_MINUTE = 200
MAX_RENDERED = 8192  # rendered bodies kept per process (the response cache keeps answers)

_EXTENSIONS = ["fenced_code", "tables", "sane_lists", "toc"]
_EXTENSION_CONFIGS = {"toc": {"slugify": slugify_unicode, "permalink": False}}

_local = threading.local()


@dataclass(frozen=True, slots=True)
class TocEntry:
    id: str
    title: str
    level: int


@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    toc: tuple[TocEntry, ...]


def _converter() -> markdown.Markdown:
    """One converter per thread: a ``Markdown`` instance keeps state between calls."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(
            extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS, output_format="html"
        )
        _local.converter = converter
    return converter


def render_markdown(body: str) -> Rendered:
    """Render a Markdown body; headings get ``id`` anchors listed in the table of contents."""
    converter = _converter()
    converter.reset()
    rendered_html = converter.convert(body)
    return Rendered(rendered_html, tuple(_flatten(converter.toc_tokens)))  # type: ignore[attr-defined]


def _flatten(tokens: list[dict]) -> list[TocEntry]:
    entries: list[TocEntry] = []
    for token in tokens:
        entries.append(TocEntry(token["id"], html.unescape(token["name"]), token["level"]))
        entries.extend(_flatten(token.get("children", [])))
    return entries


_FENCED_CODE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>\n]+>")
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_WORD = re.compile(r"[^\W_]+(?:['\u2019\-.][^\W_]+)*")


def count_words(body: str) -> int:
    """Words of prose in a Markdown body; code blocks, tags and link targets do not count."""
    prose = _FENCED_CODE.sub(" ", body)
    prose = _HTML_TAG.sub(" ", prose)
    prose = _LINK_TARGET.sub("] ", prose)
    return len(_WORD.findall(prose))


def reading_time(word_count: int) -> int:
    """Whole minutes at 200 words a minute, never less than 1."""
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))


class PageMemo:
    """What a page's body gives (HTML, word count), kept across snapshots while the page
    is the same object: a derived snapshot reuses every unchanged page's work."""

    def __init__(self, *, allow_raw_html: bool) -> None:
        self.allow_raw_html = allow_raw_html
        self._lock = threading.Lock()
        self._rendered: dict[str, tuple[Page, Rendered]] = {}
        self._words: dict[str, tuple[Page, int]] = {}

    def rendered(self, page: Page) -> Rendered:
        found = self._rendered.get(page.path)
        if found is not None and found[0].body is page.body:  # a locale's copy shares it
            return found[1]
        rendered = render_markdown(page.body)
        if not self.allow_raw_html:
            rendered = Rendered(sanitise_html(rendered.html), rendered.toc)
        with self._lock:
            self._rendered[page.path] = (page, rendered)
            while len(self._rendered) > MAX_RENDERED:  # the oldest first: bounded memory
                self._rendered.pop(next(iter(self._rendered)), None)
        return rendered

    def word_count(self, page: Page) -> int:
        found = self._words.get(page.path)
        if found is not None and found[0].body is page.body:  # a locale's copy shares it
            return found[1]
        words = count_words(page.body)
        self._words[page.path] = (page, words)
        return words

    def forget(self, paths: Iterable[str]) -> None:
        with self._lock:
            for path in paths:
                self._rendered.pop(path, None)
                self._words.pop(path, None)
