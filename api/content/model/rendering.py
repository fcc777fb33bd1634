"""Markdown bodies to HTML, table of contents, word count and reading time: pure functions.

Python-Markdown escapes everything inside code fences, so JSX or HTML shown as
code is served as text, never as markup.

What a body gives is kept per process (``PageMemo``) and, when a store is given (the render
cache beside the parse cache, ``api.content.source.render_cache``), across restarts, reloads
and the export's processes: keyed by the body's bytes, in a file named after
``renderer_version``, so a start, a reload and an export render only what changed.
"""

from __future__ import annotations

import hashlib
import html
import marshal
import math
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Protocol

import markdown
from markdown.extensions.toc import slugify_unicode

from api.content.model import sanitizing
from api.content.model.items import Page
from api.content.model.sanitizing import sanitise_html
from api.content.source.render_cache import body_key

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


class RenderStore(Protocol):
    """Where rendered bodies outlive the process (``api.content.source.render_cache``)."""

    def get(self, key: bytes) -> bytes | None: ...

    def put(self, key: bytes, payload: bytes) -> None: ...


_RECORD_FORMAT = 1  # the payload's layout (``_encode``)


def renderer_version(*, allow_raw_html: bool) -> str:
    """Names everything that decides what a body renders to: the Markdown extensions and
    their configuration, the sanitizer's settings (or none: ``ALLOW_RAW_HTML``), the
    libraries' versions and this code. A change renders every body again."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(f"record {_RECORD_FORMAT} raw-html {allow_raw_html}\n".encode())
    for library in ("Markdown", "nh3"):
        try:
            digest.update(f"{library} {metadata.version(library)}\n".encode())
        except metadata.PackageNotFoundError:  # pragma: no cover - always installed
            digest.update(library.encode())
    digest.update(f"extensions {_EXTENSIONS}\n".encode())
    for name, config in sorted(_EXTENSION_CONFIGS.items()):
        shown = {key: getattr(value, "__qualname__", value) for key, value in config.items()}
        digest.update(f"config {name} {sorted(shown.items())!r}\n".encode())
    if not allow_raw_html:
        digest.update(sanitizing.settings_text().encode())
    for module in (__file__, sanitizing.__file__):  # our code: what it does is what it says
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


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


def render_body(body: str, *, allow_raw_html: bool) -> tuple[Rendered, int]:
    """What a body gives, rendered now: its HTML (sanitised unless ``allow_raw_html``) with its
    table of contents, and its word count."""
    rendered = render_markdown(body)
    if not allow_raw_html:
        rendered = Rendered(sanitise_html(rendered.html), rendered.toc)
    return rendered, count_words(body)


def encode_render(rendered: Rendered, words: int) -> bytes:
    """A render as the render cache keeps it."""
    toc = tuple((entry.id, entry.title, entry.level) for entry in rendered.toc)
    return marshal.dumps((_RECORD_FORMAT, rendered.html, toc, words))


def decode_render(payload: bytes) -> tuple[Rendered, int] | None:
    """A kept render, or ``None`` when the payload is not one (the checksum held, but be sure)."""
    try:
        record_format, html_text, toc, words = marshal.loads(payload)
        if record_format != _RECORD_FORMAT or not isinstance(html_text, str):
            return None
        entries = tuple(TocEntry(str(i), str(title), int(level)) for i, title, level in toc)
        return Rendered(html_text, entries), int(words)
    except (ValueError, TypeError, EOFError):
        return None


class PageMemo:
    """What a page's body gives (HTML, word count), kept across snapshots while the page
    is the same object: a derived snapshot reuses every unchanged page's work. With a
    ``store`` (the render cache), a body rendered by an earlier process is not rendered again."""

    def __init__(self, *, allow_raw_html: bool, store: RenderStore | None = None) -> None:
        self.allow_raw_html = allow_raw_html
        self.store = store
        self._lock = threading.Lock()
        self._rendered: dict[str, tuple[Page, Rendered]] = {}
        self._words: dict[str, tuple[Page, int]] = {}

    def rendered(self, page: Page) -> Rendered:
        found = self._rendered.get(page.path)
        if found is not None and found[0].body is page.body:  # a locale's copy shares it
            return found[1]
        kept = self._kept(page.body)
        if kept is None:
            rendered, words = render_body(page.body, allow_raw_html=self.allow_raw_html)
            if self.store is not None:
                self.store.put(body_key(page.body), encode_render(rendered, words))
        else:
            rendered, words = kept
        with self._lock:
            self._rendered[page.path] = (page, rendered)
            self._words[page.path] = (page, words)
            while len(self._rendered) > MAX_RENDERED:  # the oldest first: bounded memory
                self._rendered.pop(next(iter(self._rendered)), None)
        return rendered

    def word_count(self, page: Page) -> int:
        found = self._words.get(page.path)
        if found is not None and found[0].body is page.body:  # a locale's copy shares it
            return found[1]
        kept = self._kept(page.body)
        words = kept[1] if kept is not None else count_words(page.body)
        self._words[page.path] = (page, words)
        return words

    def _kept(self, body: str) -> tuple[Rendered, int] | None:
        if self.store is None:
            return None
        payload = self.store.get(body_key(body))
        return decode_render(payload) if payload is not None else None

    def forget(self, paths: Iterable[str]) -> None:
        with self._lock:
            for path in paths:
                self._rendered.pop(path, None)
                self._words.pop(path, None)
