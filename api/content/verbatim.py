"""Each file's data as written, kept beside the normalised data for the Stackbit view.

The normalised data (``ParsedFile.blob``) is shaped for our API: ``type`` filled in
where the position decides it and moved first, dates rewritten, empty values
dropped. A Stackbit theme's own loader hands its pages the file as written, in
the file's key order, read by js-yaml (``api.content.js_yaml``), and the Markdown
body with the whitespace around it. Neither can be derived from the normalised
data, so parsing keeps this second, marshalled copy; requests never open files.

The body costs nothing: what the theme sees after the front matter is our page
body, exactly as the file has it, so it is not kept twice (only where the two
splitters disagree, which no real file shows). The record is compressed (zlib,
fastest level): a front matter shrinks to about 40%, and only the Stackbit view
reads it back.
"""

from __future__ import annotations

import marshal
import re
import zlib
from dataclasses import dataclass
from typing import Any

import yaml

from api.content.js_yaml import js_json_value, load_yaml_as_js
from api.content.parsing import markdown_body

_OPENING = re.compile(r"-{3,}[ \t\r]*(?:\n|$)")
_CLOSING_REST = re.compile(r"-*[ \t\r]*(?:\n|$)")


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
    """What a page keeps for the Stackbit view: its front matter read by js-yaml, and
    how to rebuild the text after the front matter from the page's body."""
    try:
        data = load_yaml_as_js(front_matter_text)
    except (yaml.YAMLError, RecursionError):
        data = None
    after = _text_after_front_matter(text)
    text_after = None if after == markdown_body(text) else after
    return _pack((data if isinstance(data, dict) else {}, text_after))


def data_verbatim(data: dict[str, Any]) -> bytes:
    """What a JSON data file keeps: its object as ``JSON.parse`` gives it."""
    return _pack((js_json_value(data), None))


def read_verbatim(blob: bytes) -> Verbatim:
    data, text_after = marshal.loads(zlib.decompress(blob))
    return Verbatim(data, text_after)


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
