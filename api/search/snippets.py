"""Snippets: about 30 words of a hit's best passage, matched words in ``<mark>``, all else escaped.

The passage comes from the text that was indexed (``SearchDocument``): the body
when the match is there, else the excerpt, the title or the code, whichever
holds the most of the query's words. A hit found only through its author or
tags shows the start of its excerpt. Matching here mirrors the index: case and
accents folded, the last word as a prefix while typing, and for hits found by
tolerating a typo, words one edit away.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from api.search.documents import SearchDocument
from api.search.query import ParsedQuery, Word
from api.search.text import clean, display_text

SNIPPET_WORDS = 30
REGION_CHARS = 600  # raw text around the best matches, cleaned before the words are counted
_LETTER = r"[^\W_]"
_FIELDS_BY_PREFERENCE = ("body", "excerpt", "title", "code")


def _accent_classes() -> dict[str, str]:
    """Each ASCII letter with the Latin letters that fold to it (``e`` -> ``eèéêë...``)."""
    classes: dict[str, list[str]] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0].lower()
        if base.isascii() and base.isalpha() and char.lower() == char:
            classes.setdefault(base, [base]).append(char)
    # Letters without a decomposition that the index's ASCII folding still maps to one letter.
    for char, base in zip("\u00f8\u0111\u0142\u0127\u0131\u0167", "odlhit", strict=True):
        classes.setdefault(base, [base]).append(char)
    return {base: f"[{''.join(sorted(set(chars)))}]" for base, chars in classes.items()}


_ACCENTS = _accent_classes()


def _letters(text: str) -> str:
    return "".join(_ACCENTS.get(char, re.escape(char)) for char in text)


def _one_edit_away(word: str) -> list[str]:
    """Patterns for the words one substitution, deletion, insertion or swap from ``word``."""
    patterns = []
    for i in range(len(word)):
        patterns.append(_letters(word[:i]) + _LETTER + _letters(word[i + 1 :]))
        patterns.append(_letters(word[:i] + word[i + 1 :]))
        patterns.append(_letters(word[:i]) + _LETTER + _letters(word[i:]))
        if i + 1 < len(word):
            patterns.append(_letters(word[:i] + word[i + 1] + word[i] + word[i + 2 :]))
    patterns.append(_letters(word) + _LETTER)
    return patterns


def _word_patterns(word: Word, typos: bool) -> list[str]:
    tail = f"{_LETTER}*" if word.prefix else ""
    patterns = [_letters(word.text) + tail]
    if typos and word.typos:
        patterns += [pattern + tail for pattern in _one_edit_away(word.text)]
    return patterns


@lru_cache(maxsize=256)
def matcher(query: ParsedQuery, typos: bool) -> re.Pattern[str]:
    """A pattern finding the query's words and phrases in text (word boundaries checked apart).

    Longer alternatives first, so a phrase wins over its own first word.
    """
    patterns = [r"\W+".join(_letters(word) for word in phrase.words) for phrase in query.phrases]
    for word in query.words:
        patterns += _word_patterns(word, typos)
    patterns.sort(key=len, reverse=True)
    return re.compile("|".join(patterns), re.IGNORECASE)


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Spans of whole-word matches."""
    spans = []
    for match in pattern.finditer(text):
        start, end = match.span()
        if start > 0 and text[start - 1].isalnum():
            continue
        if end < len(text) and text[end].isalnum():
            continue
        spans.append((start, end))
    return spans


def _key(text: str) -> str:
    return unicodedata.normalize("NFD", text.casefold())


def _best_region(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int, int]:
    """The ``width`` characters holding the most distinct matched words: (words, start, end)."""
    best = (0, 0, 0)
    right = 0
    seen: dict[str, int] = {}
    for left, (start, _) in enumerate(spans):
        while right < len(spans) and (right <= left or spans[right][1] - start <= width):
            key = _key(text[spans[right][0] : spans[right][1]])
            seen[key] = seen.get(key, 0) + 1
            right += 1
        if len(seen) > best[0]:
            best = (len(seen), start, spans[right - 1][1])
        key = _key(text[start : spans[left][1]])
        seen[key] -= 1
        if not seen[key]:
            del seen[key]
    return best


def snippet(document: SearchDocument, query: ParsedQuery, *, typos: bool = False) -> str:
    """About ``SNIPPET_WORDS`` words of the best passage as HTML: ``<mark>``, else escaped."""
    pattern = matcher(query, typos)
    best: tuple[int, str, int, int] | None = None  # (distinct words, field, start, end)
    for field in _FIELDS_BY_PREFERENCE:
        text = getattr(document, field)
        spans = _matches(pattern, text) if text else []
        if spans:
            distinct, start, end = _best_region(text, spans, REGION_CHARS // 3)
            if best is None or distinct > best[0]:
                best = (distinct, field, start, end)
    if best is None:
        fallback = document.excerpt or display_text(document.body[:REGION_CHARS])
        return _cut(clean(fallback), [], 0)
    _, field, start, end = best
    text = getattr(document, field)
    region_start = max(0, start - REGION_CHARS // 3)
    region_start = _line_start(text, region_start, start)
    region = display_text(text[region_start : end + REGION_CHARS])
    spans = _matches(pattern, region)
    return _cut(region, spans, 1 if region_start > 0 else 0)


def _line_start(text: str, earliest: int, match_start: int) -> int:
    """Begin the region at a line or sentence start near ``earliest``, if one is close."""
    for mark in ("\n", ". "):
        found = text.rfind(mark, earliest, match_start)
        if found != -1:
            return found + len(mark)
    return earliest


def _cut(text: str, spans: list[tuple[int, int]], leading: int) -> str:
    """``SNIPPET_WORDS`` words of ``text`` around its first matches, as escaped HTML."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    if not words:
        return ""
    first = 0
    if spans:
        match_word = next(i for i, (_, end) in enumerate(words) if end > spans[0][0])
        first = max(0, match_word - 6) if match_word > SNIPPET_WORDS - 6 else 0
    last = min(len(words), first + SNIPPET_WORDS)
    begin, finish = words[first][0], words[last - 1][1]
    html_parts = ["…" if first > 0 or leading else ""]
    position = begin
    for start, end in spans:
        if end <= begin or start >= finish:
            continue
        start, end = max(start, begin), min(end, finish)
        html_parts.append(html.escape(text[position:start]))
        html_parts.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    html_parts.append(html.escape(text[position:finish]))
    if last < len(words):
        html_parts.append("…")
    return "".join(html_parts)
