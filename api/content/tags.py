"""Tags: from each post's ``tags:`` list, named by a slug, counted over one audience's posts.

A tag's slug is its name lower-cased and hyphenated (``Incident Response`` ->
``incident-response``), so spellings that differ only in case or punctuation are
one tag; its name is the spelling of the oldest post that has it (as first
written). Every filter by tag (posts, search, feeds) compares slugs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from api.content.models import Page

_SEPARATORS = re.compile(r"[\W_]+")
MAX_TAG_SLUG_LENGTH = 200


@lru_cache(maxsize=8192)
def tag_slug(name: str) -> str:
    """``Incident Response`` -> ``incident-response``; empty for a name with no letter or digit."""
    return _SEPARATORS.sub("-", name.strip().lower()).strip("-")[:MAX_TAG_SLUG_LENGTH]


def tag_slugs(names: Iterable[str]) -> tuple[str, ...]:
    """The slugs of a post's tags, each once, in the post's order."""
    return tuple(dict.fromkeys(slug for name in names if (slug := tag_slug(name))))


@dataclass(frozen=True, slots=True)
class Tag:
    slug: str
    name: str
    posts: tuple[Page, ...]  # newest first

    @property
    def post_count(self) -> int:
        return len(self.posts)


class TagIndex:
    """Every tag of a set of posts (one audience's: drafts are counted only in preview)."""

    def __init__(self, posts: Sequence[Page]) -> None:
        """``posts`` newest first, as a ``ContentView`` holds them."""
        by_slug: dict[str, list[Page]] = {}
        names: dict[str, tuple[float, str, str]] = {}  # slug -> (date, path, spelling)
        for post in posts:
            when = post.date.timestamp() if post.date else float("inf")
            for name in post.tags:
                slug = tag_slug(name)
                if not slug:
                    continue
                tagged = by_slug.setdefault(slug, [])
                if not tagged or tagged[-1] is not post:
                    tagged.append(post)
                first = (when, post.path, name.strip())
                if slug not in names or first < names[slug]:
                    names[slug] = first
        tags = [Tag(slug, names[slug][2], tuple(found)) for slug, found in by_slug.items()]
        tags.sort(key=lambda tag: (-tag.post_count, tag.name.casefold(), tag.slug))
        self.ordered: tuple[Tag, ...] = tuple(tags)
        self.by_slug: Mapping[str, Tag] = MappingProxyType({tag.slug: tag for tag in tags})

    def get(self, name_or_slug: str) -> Tag | None:
        """The tag with this slug (another spelling of its name works too)."""
        return self.by_slug.get(name_or_slug) or self.by_slug.get(tag_slug(name_or_slug))

    def __len__(self) -> int:
        return len(self.ordered)
