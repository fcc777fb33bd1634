"""Snippets: about 30 words of a hit's best passage, matched words in ``<mark>``, all else escaped.

The passage comes from the text that was indexed (``SearchDocument``): the body
when the match is there, else the excerpt, the title or the code, whichever
holds the most of the query's words. A hit found only through its author or
tags shows the start of its excerpt. Matching here mirrors the index: case and
accents folded, the last word as a prefix while typing, for hits found by
tolerating a typo, words one edit away, and for hits found through stems (a
query in a locale with a stemmer), the words whose stem is a query word's: words
that begin like the stem, each confirmed by the stemmer.

It runs for every hit of every uncached search, so it is built for speed: one
regular expression per query (cached) over lower-cased text, no capturing
groups, and the scan stops at the first passage that holds every query term.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as default_of
from functools import lru_cache

from api.search.query import ParsedQuery, QueryStems, Word
from api.search.search_documents import SearchDocument
from api.search.stemming import stem
from api.search.text import clean, display_text

SNIPPET_WORDS = 30
LEADING_WORDS = 6  # words of context before the first match
WINDOW_CHARS = 200  # about 30 words: the span in which matches are counted together
LEAD_CHARS = 80
TAIL_CHARS = 240
STEM_PREFIX_MIN = 2  # a word is tried against a stem when it begins with this much of it
_LETTER = r"[^\W_]"
_FIELDS_BY_PREFERENCE = ("body", "excerpt", "title", "code")


def _folding_table() -> dict[int, str]:
    """Latin letters to the ASCII letter they fold to, case kept (``é`` -> ``e``, ``Ø`` -> ``O``).

    One letter for one letter, so positions in the folded text are positions in the text.
    """
    table = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base.isascii() and base.isalpha():
            table[code] = base
    # Letters without a decomposition that the index's ASCII folding maps to one letter.
    for char, base in zip("\u00f8\u00d8\u0111\u0110\u0142\u0141\u0131", "oOdDlLi", strict=True):
        table[ord(char)] = base
    return table


_FOLDING = _folding_table()


def _comparable(text: str) -> str:
    """``text`` lower-cased and accent-folded, position for position (query words are too)."""
    folded = text.lower() if text.isascii() else text.translate(_FOLDING).lower()
    if len(folded) != len(text):  # a letter whose lower case is longer (İ): keep the case
        folded = text.translate(_FOLDING)
    return folded


def _one_edit_away(word: str) -> list[str]:
    """Patterns for the words one substitution, deletion, insertion or swap from ``word``."""
    patterns = []
    for i in range(len(word)):
        before, after = re.escape(word[:i]), re.escape(word[i + 1 :])
        patterns.append(before + _LETTER + after)
        patterns.append(before + after)
        patterns.append(before + _LETTER + re.escape(word[i:]))
        if i + 1 < len(word):
            patterns.append(re.escape(word[:i] + word[i + 1] + word[i] + word[i + 2 :]))
    patterns.append(re.escape(word) + _LETTER)
    return patterns


def _word_patterns(word: Word, typos: bool) -> list[str]:
    tail = f"{_LETTER}*" if word.prefix else ""
    patterns = [re.escape(word.text) + tail]
    if typos and word.typos:
        patterns += [pattern + tail for pattern in _one_edit_away(word.text)]
    return patterns


Span = tuple[int, int, "int | str"]  # start, end, the query term matched (a typo: its text)


@dataclass(frozen=True)
class Matcher:
    """Finds a query's words and phrases in text, and tells which query term a match is."""

    pattern: re.Pattern[str]
    whole: dict[str, int]  # a matched text as written in the query -> its term
    prefixes: tuple[tuple[str, int], ...]
    terms: int
    # With stems: words that begin like a stem (the candidates), each stem's term, the language.
    stem_candidates: re.Pattern[str] | None = None
    stem_terms: Mapping[str, int] = default_of(default_factory=dict)
    language: str = ""

    def term_of(self, matched: str) -> int | str:
        found = self.whole.get(matched)
        if found is not None:
            return found
        for prefix, term in self.prefixes:
            if matched.startswith(prefix):
                return term
        return matched  # a word one typo away: its own key

    def matches(self, text: str) -> Iterator[tuple[int, int]]:
        """Spans of whole-word matches in ``_comparable`` text."""
        for match in self.pattern.finditer(text):
            start, end = match.span()
            if start > 0 and text[start - 1].isalnum():
                continue
            if end < len(text) and text[end].isalnum():
                continue
            yield start, end

    def spans(self, text: str, original: str) -> Iterator[Span]:
        """The matches in ``_comparable`` text with their terms, in order; ``original`` is the
        text itself (position for position), which the stemmer reads."""
        found = (
            (start, end, self.term_of(" ".join(text[start:end].split())))
            for start, end in self.matches(text)
        )
        if self.stem_candidates is None:
            yield from found
            return
        spans = list(found)
        starts = [start for start, _, _ in spans]
        for match in self.stem_candidates.finditer(text):
            start, end = match.span()
            if (start > 0 and text[start - 1].isalnum()) or (
                end < len(text) and text[end].isalnum()
            ):
                continue
            term = self.stem_terms.get(stem(original[start:end], self.language) or "")
            at = bisect_left(starts, start)
            overlaps = (at < len(spans) and spans[at][0] < end) or (
                at > 0 and spans[at - 1][1] > start
            )
            if term is not None and not overlaps:  # a word matched as written stays so
                spans.insert(at, (start, end, term))
                starts.insert(at, start)
        yield from spans


@lru_cache(maxsize=512)
def matcher(query: ParsedQuery, typos: bool, stems: QueryStems | None = None) -> Matcher:
    phrases = [r"\W+".join(map(re.escape, phrase.words)) for phrase in query.phrases]
    patterns = phrases + [p for word in query.words for p in _word_patterns(word, typos)]
    patterns.sort(key=len, reverse=True)  # a phrase wins over its own first word
    whole = {" ".join(phrase.words): term for term, phrase in enumerate(query.phrases)}
    offset = len(query.phrases)
    whole.update((word.text, offset + term) for term, word in enumerate(query.words))
    prefixes = tuple(
        (word.text, offset + term) for term, word in enumerate(query.words) if word.prefix
    )
    found = Matcher(re.compile("|".join(patterns)), whole, prefixes, len(whole))
    if stems is None:
        return found
    stem_terms: dict[str, int] = {}
    candidates = set()
    for term, word_stem in enumerate(stems.stems):
        if word_stem:
            stem_terms.setdefault(word_stem, offset + term)
            # A stem may end otherwise than its words do (English happy -> happi): all but its
            # last letter, confirmed by the stemmer, finds them.
            begins = word_stem[: max(STEM_PREFIX_MIN, len(word_stem) - 1)]
            candidates.add(re.escape(begins) + f"{_LETTER}*")
    if not candidates:
        return found
    pattern = re.compile("|".join(sorted(candidates, key=len, reverse=True)))
    return Matcher(found.pattern, whole, prefixes, len(whole), pattern, stem_terms, stems.language)


def _best_window(matcher: Matcher, text: str, original: str) -> tuple[int, int, int]:
    """The ``WINDOW_CHARS`` of ``text`` (``_comparable(original)``) holding the most distinct
    query terms: (terms, start, end). The scan stops at the first window that holds them all."""
    best = (0, 0, 0)
    window: deque[tuple[int, int | str]] = deque()
    counts: dict[int | str, int] = {}
    for start, end, term in matcher.spans(text, original):
        window.append((start, term))
        counts[term] = counts.get(term, 0) + 1
        while end - window[0][0] > WINDOW_CHARS and len(window) > 1:
            dropped = window.popleft()[1]
            counts[dropped] -= 1
            if not counts[dropped]:
                del counts[dropped]
        if len(counts) > best[0]:
            best = (len(counts), window[0][0], end)
            if best[0] >= matcher.terms:
                break
    return best


def snippet(
    document: SearchDocument,
    query: ParsedQuery,
    *,
    typos: bool = False,
    stems: QueryStems | None = None,
) -> str:
    """About ``SNIPPET_WORDS`` words of the best passage as HTML: ``<mark>``, else escaped.
    With ``stems``, the words of the query's stems are marked too."""
    found = matcher(query, typos, stems)
    best: tuple[int, str, int, int] | None = None  # (distinct terms, field, start, end)
    for field in _FIELDS_BY_PREFERENCE:
        text = getattr(document, field)
        if not text:
            continue
        distinct, start, end = _best_window(found, _comparable(text), text)
        if distinct and (best is None or distinct > best[0]):
            best = (distinct, field, start, end)
            if distinct >= found.terms:
                break
    if best is None:
        return _cut(clean(document.excerpt or display_text(document.body[:1000])), [], False)
    _, field, start, end = best
    text = getattr(document, field)
    lead = _line_start(text, max(0, start - LEAD_CHARS), start)
    passage = display_text(text[lead : end + TAIL_CHARS])
    spans = [(start, end) for start, end, _ in found.spans(_comparable(passage), passage)]
    return _cut(passage, spans, lead > 0)


def _line_start(text: str, earliest: int, match_start: int) -> int:
    """Begin at a line or sentence start between ``earliest`` and the match, if there is one."""
    for mark in ("\n", ". "):
        found = text.rfind(mark, earliest, match_start)
        if found != -1:
            return found + len(mark)
    return earliest


def _cut(text: str, spans: Iterable[tuple[int, int]], cut_before: bool) -> str:
    """``SNIPPET_WORDS`` words of one-line ``text`` from a little before its first match,
    as HTML: matches in ``<mark>``, the rest escaped, ``…`` where text was left out."""
    spans = list(spans)
    starts, position = [], 0
    for word in text.split(" "):
        starts.append(position)
        position += len(word) + 1
    if not text:
        return ""
    first = 0
    if spans:
        at = sum(1 for start in starts if start <= spans[0][0]) - 1
        first = max(0, at - LEADING_WORDS) if at >= SNIPPET_WORDS - LEADING_WORDS else 0
    last = min(len(starts), first + SNIPPET_WORDS)
    begin = starts[first]
    finish = starts[last] - 1 if last < len(starts) else len(text)
    parts = ["…" if cut_before or first > 0 else ""]
    position = begin
    for start, end in spans:
        if end <= begin or start >= finish:
            continue
        start, end = max(start, begin), min(end, finish)
        parts += [html.escape(text[position:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        position = end
    parts.append(html.escape(text[position:finish]))
    if last < len(starts):
        parts.append("…")
    return "".join(parts)
