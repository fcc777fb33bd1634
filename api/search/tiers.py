"""A search's hits in tiers: the pages with every word as written first, then the looser
matches tier by tier (the stems of the words, then one typo), each tier's scores scaled below
the lowest of the tiers above, so that a higher score always means a better hit.

A tier matches what the one above it matched too (a stem's alternatives include the word as
written; a typo's include both), so each tier's query excludes the matching above it: a page
is counted once, in the best tier it reaches. Pages of hits run on from one tier into the
next. Scaling needs the lowest score of the tier above and the best of this one; a page of
hits often holds them already, else one search of one hit each finds them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import tantivy

SCALE_BELOW = 0.9  # a looser tier's best hit scores at most this share of the lowest above


class Hit(NamedTuple):
    path: str
    score: float
    typo: bool  # found only by tolerating a typo
    stemmed: bool = False  # found by the stems of the query's words (or needed them)


class SearchResults(NamedTuple):
    hits: list[Hit]
    total: int


class Found(NamedTuple):
    """One search's paths and scores from an offset on, and the number of matches."""

    hits: list[tuple[str, float]]
    total: int


Search = Callable[[tantivy.Query, int, int], Found]  # (query, offset, limit)
Narrow = Callable[[tantivy.Query, tantivy.Query | None], tantivy.Query]  # (query, excluded)


@dataclass(frozen=True, slots=True)
class Looser:
    """A tier below the words as written: its matching (not yet narrowed), and how it finds."""

    matching: tantivy.Query
    typo: bool
    stemmed: bool


def ranked(
    search: Search,
    exact: tantivy.Query,
    looser: Sequence[Looser],
    narrow: Narrow,
    *,
    offset: int,
    limit: int,
    fill_below: int,
) -> SearchResults:
    """The hits ``offset`` to ``offset + limit`` of ``exact`` and then of each looser tier,
    and the number of matches. The looser tiers are looked for only when ``exact`` finds
    fewer than ``fill_below`` pages."""
    exact_query = narrow(exact, None)
    found = search(exact_query, offset, limit)
    hits = [Hit(path, score, False) for path, score in found.hits]
    if not looser or found.total >= fill_below:
        return SearchResults(hits, found.total)
    above = _Tier.of(exact_query, found, offset)
    total, excluded = found.total, exact
    for tier_of in looser:
        tier_query = narrow(tier_of.matching, excluded)
        tier_offset = max(0, offset - total)
        found = search(tier_query, tier_offset, limit - len(hits))
        tier = _Tier.of(tier_query, found, tier_offset, above)
        if found.hits:
            scale = _scale(search, tier)
            hits += [
                Hit(path, score * scale, tier_of.typo, tier_of.stemmed)
                for path, score in found.hits
            ]
        if found.total:
            above = tier
        total += found.total
        excluded = tier_of.matching
    return SearchResults(hits, total)


@dataclass(slots=True)
class _Tier:
    """One tier of a search: its query (narrowed), how many it matched, the tier above it, its
    best and lowest scores where its page of hits holds them, and the factor its scores are
    scaled by, once worked out."""

    query: tantivy.Query
    total: int
    above: _Tier | None = None
    best: float | None = None
    lowest: float | None = None
    scale: float | None = None

    @classmethod
    def of(
        cls, query: tantivy.Query, found: Found, offset: int, above: _Tier | None = None
    ) -> _Tier:
        """The tier whose hits from ``offset`` on are ``found``."""
        scores = [score for _, score in found.hits]
        best = scores[0] if scores and offset == 0 else None
        lowest = scores[-1] if scores and offset + len(scores) == found.total else None
        return cls(query, found.total, above, best, lowest)


def _scale(search: Search, tier: _Tier) -> float:
    """A factor that puts every score of ``tier`` below the lowest of the tiers above."""
    if tier.scale is None:
        tier.scale = 1.0
        above = tier.above
        while above is not None and not above.total:
            above = above.above
        if above is not None:
            lowest = above.lowest
            if lowest is None:
                lowest = _score_at(search, above.query, above.total - 1)
            best = tier.best if tier.best is not None else _score_at(search, tier.query, 0)
            if lowest is not None and best is not None and best > 0:
                floor = lowest * _scale(search, above)
                tier.scale = min(1.0, SCALE_BELOW * floor / best)
    return tier.scale


def _score_at(search: Search, query: tantivy.Query, position: int) -> float | None:
    return next((score for _, score in search(query, position, 1).hits), None)
