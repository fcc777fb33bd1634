"""Markdown bodies to the plain text that search indexes and quotes: pure, fast functions.

A cold start indexes every page, so extracting the text is a few passes of
regular expressions that start with a literal character (Python's engine finds
those quickly), not a render: rendering 10,000 posts takes seconds. The index
needs little: code fences kept apart from prose (the index weighs code low),
link targets, image sources and HTML tags dropped (a search for ``https``
should not find every post with a link), entities decoded. Markdown's own
punctuation (``**``, ``#``, ``|``) separates words like any punctuation does,
so it stays; ``display_text`` removes it from the few lines a snippet shows.
"""

from __future__ import annotations

import html
import re
from typing import NamedTuple

_FENCE = re.compile(
    r"\n[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n(.*?)(?:\n[ \t]{0,3}\1[ \t]*(?=\n)|\Z)", re.DOTALL
)
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_REFERENCE_DEFINITION = re.compile(r"\n[ \t]{0,3}\[[^\]\n]+\]:[^\n]*")
_MARKUP = re.compile(r"<(?:!--.*?--|(?:https?|mailto):[^>\s]*|/?[A-Za-z][^>\n]*)>", re.DOTALL)

_LINE_MARKUP = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)+", re.M)
_RULE = re.compile(r"^[ \t|:*_-]*(?:---|\*\*\*|___)[ \t|:*_-]*$", re.MULTILINE)
_UNDERSCORES = re.compile(r"_+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMPHASIS = ("**", "*", "~~", "|")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +(?=[,.;:!?)])")


class BodyText(NamedTuple):
    """A Markdown body as text: its prose, and the contents of its code blocks."""

    prose: str
    code: str


def body_text(markdown: str) -> BodyText:
    """The prose and the code of a Markdown body, with their line breaks."""
    text = "\n" + markdown
    code: list[str] = []
    if "```" in text or "~~~" in text:

        def keep_code(match: re.Match[str]) -> str:
            code.append(match.group(2))
            return "\n\n"

        text = _FENCE.sub(keep_code, text)
    if "](" in text:
        text = _LINK.sub(_link_text, text.replace("![", " ["))
    if "]:" in text:
        text = _REFERENCE_DEFINITION.sub("\n", text)
    if "<" in text:
        text = _MARKUP.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return BodyText(text[1:], "\n".join(code))


def _link_text(match: re.Match[str]) -> str:
    return match.group(1)


def plain_text(markdown: str) -> str:
    """A short Markdown text (an excerpt, a section's text) as one clean line."""
    return display_text(body_text(markdown).prose)


def display_text(text: str) -> str:
    """Text from ``body_text`` as a reader should see it: one line, no Markdown punctuation."""
    text = _LINE_MARKUP.sub("", text)
    if "---" in text or "***" in text or "___" in text:
        text = _RULE.sub(" ", text)
    if "`" in text:
        text = text.replace("`", "")
    for mark in _EMPHASIS:
        if mark in text:
            text = text.replace(mark, " ")
    if "_" in text:
        text = _UNDERSCORES.sub(_emphasis_underscores, text)
    return _SPACE_BEFORE_PUNCTUATION.sub("", clean(text))


def _emphasis_underscores(match: re.Match[str]) -> str:
    """``_word_`` is emphasis, ``snake_case`` is a name: keep underscores inside words."""
    text, start, end = match.string, match.start(), match.end()
    inside = start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
    return match.group() if inside else " "


def clean(text: str) -> str:
    """One line, single spaces, no control characters."""
    return " ".join(_CONTROL.sub(" ", text).split())
