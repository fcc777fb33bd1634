"""Each file's data as written, kept beside the normalised data for the Stackbit view.

The Stackbit view registers ``compute_verbatim`` as a parse-time extra
(``api.content.source.extras``) when the app is made; nothing else computes it.

The normalised data (``ParsedFile.blob``) is shaped for our API: ``type`` filled in
where the position decides it and moved first, dates rewritten, empty values
dropped. A Stackbit theme's own loader hands its pages the file as written, in
the file's key order, read by js-yaml (``api.stackbit.js_yaml``), and the Markdown
body with the whitespace around it. Neither can be derived from the normalised
data, so parsing keeps this second, marshalled copy; requests never open files.

A page keeps its front matter's *text*, compressed (zlib, fastest level: to about
40%), and js-yaml's reading of it is made on the first read and memoised: parsing
the YAML a second time for every page would add a third to every cold start, for
a view most sites never ask for. The body costs nothing: what the theme sees
after the front matter is our page body, exactly as the file has it, so it is
not kept twice (only where the two splitters disagree, which no real file shows).
"""

from __future__ import annotations

import marshal
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from api.content.source.parsed import FileKind
from api.content.source.parsing import markdown_body
from api.stackbit.js_yaml import js_json_value, load_yaml_as_js

_YAML, _DATA = "yaml", "data"  # what a blob holds: front matter text, or data as read
_OPENING = re.compile(r"-{3,}[ \t\r]*(?:\n|$)")
_CLOSING_REST = re.compile(r"-*[ \t\r]*(?:\n|$)")
# JavaScript's /^\s*?(\n|$)/ after the closing dashes: the fewest blanks up to a line end or the end
_UTILS_CLOSING_REST = re.compile(
    "[\t\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*?(?:\n|\\Z)"
)


@dataclass(frozen=True, slots=True)
class Verbatim:
    """A file's data as written (and, for a page, its text after the front matter when
    that is not the page's body)."""

    data: dict[str, Any]
    text_after: str | None = None  # only where it differs from the page's body

    def after_front_matter(self, body: str) -> str:
        """The text after the closing ``---`` line, given the page's ``body``."""
        return self.text_after if self.text_after is not None else body


def page_verbatim(front_matter_text: str, text: str) -> bytes:
    """What a page keeps for the Stackbit view: its front matter's text (read by js-yaml
    when first asked for), how to rebuild the text after it from the page's body, and
    ``@stackbit/utils``' own split of the file where it is not the same."""
    after = _text_after_front_matter(text)
    text_after = None if after == markdown_body(text) else after
    split: tuple[str | None, str] | None = stackbit_utils_split(text)
    wrapped = front_matter_text.startswith("\n") and front_matter_text.endswith("\n")
    if wrapped and split == (front_matter_text[1:-1], after):
        split = None  # the same front matter and body: nothing more to keep
    return _pack((_YAML, front_matter_text, text_after, split))


def data_verbatim(data: dict[str, Any]) -> bytes:
    """What a JSON data file keeps: its object as ``JSON.parse`` gives it."""
    return _pack((_DATA, js_json_value(data), None, None))


def stackbit_utils_split(text: str) -> tuple[str | None, str]:
    """``parseMarkdownWithFrontMatter`` of ``@stackbit/utils`` (what
    ``sourcebit-source-filesystem`` reads a page with): the front matter's text, or ``None``
    when it finds none, and the Markdown after it.

    Its rules, to the letter: the first ``\\r\\n`` alone becomes ``\\n``; the file must
    start with ``---\\n``; the front matter ends at the first ``\\n---``, which must be
    followed by blanks up to a line end or the end; one line end after it goes.
    """
    text = text.replace("\r\n", "\n", 1)
    if not text.startswith("---\n"):
        return None, text
    index = text.find("\n---")
    if index == -1:
        return None, text
    after = text[index + 4 :]
    blank = _UTILS_CLOSING_REST.match(after)
    if blank is None:
        return None, text
    return text[4:index], after[blank.end() :]


EXTRA = "stackbit"  # the name this view's extra is registered under (api.content.source.extras)
MODULES = ("api.stackbit.verbatim", "api.stackbit.js_yaml")  # the code that decides it


def compute_verbatim(
    kind: FileKind, text: str, front_matter_text: str | None, data: Mapping[str, Any]
) -> bytes:
    """The extra this view keeps of every file while it is parsed: a page's front matter
    text, a data file's object as ``JSON.parse`` gives it."""
    if kind is FileKind.PAGE and front_matter_text is not None:
        return page_verbatim(front_matter_text, text)
    return data_verbatim(dict(data))


def read_verbatim(blob: bytes) -> Verbatim:
    """The file as written: a fresh copy on every call (callers may change it)."""
    data, text_after = marshal.loads(_read(blob))
    return Verbatim(data, text_after)


def read_stackbit_utils(blob: bytes, body: str | None) -> Any:
    """The file as ``@stackbit/utils``' ``parseFile`` gives it (js-yaml 4, ``JSON_SCHEMA``):
    a page's ``{"frontmatter", "markdown"}`` (``body``: the page's body), a data file's object.
    A fresh copy on every call; ``None`` where that reading fails (the plugin skips the file)."""
    kind, front_matter, markdown = marshal.loads(_read_utils(blob))
    if kind == _DATA:
        return front_matter
    if kind is None:
        return None
    return {"frontmatter": front_matter, "markdown": body if markdown is None else markdown}


@lru_cache(maxsize=1 << 12)
def _read_utils(blob: bytes) -> bytes:
    kind, content, text_after, split = marshal.loads(zlib.decompress(blob))
    if kind == _DATA:
        return marshal.dumps((_DATA, content, None))
    text, markdown = (content[1:-1], text_after) if split is None else split
    if text is None:
        return marshal.dumps((_YAML, None, markdown))
    try:
        data = load_yaml_as_js(text, core=True)
    except (yaml.YAMLError, RecursionError):
        return marshal.dumps((None, None, None))
    return marshal.dumps((_YAML, data, markdown))


@lru_cache(maxsize=1 << 16)
def _read(blob: bytes) -> bytes:
    """The marshalled ``(data, text_after)`` of a blob, its YAML read once."""
    kind, content, text_after, _ = marshal.loads(zlib.decompress(blob))
    if kind == _YAML:
        try:
            content = load_yaml_as_js(content)
        except (yaml.YAMLError, RecursionError):
            content = None
        if not isinstance(content, dict):
            content = {}
    return marshal.dumps((content, text_after))


def _pack(record: tuple[Any, ...]) -> bytes:
    return zlib.compress(marshal.dumps(record), 1)


def _text_after_front_matter(text: str) -> str:
    """The text after the closing ``---`` line, split where ``markdown_body`` splits."""
    stripped = text.lstrip()
    opening = _OPENING.match(stripped)
    if opening is None:
        return stripped
    position = opening.end() - 1
    while True:
        position = stripped.find("\n---", position)
        if position == -1:
            return ""
        rest = _CLOSING_REST.match(stripped, position + 4)
        if rest is not None:
            return stripped[rest.end() :]
        position += 1
