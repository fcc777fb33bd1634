"""Tags: from each post's ``tags:`` list, named by a slug, counted over one audience's posts.

A tag's slug is its name lower-cased and hyphenated (``Incident Response`` ->
``incident-response``), so spellings that differ only in case or punctuation are
one tag; its name is the spelling of the oldest post that has it (as first
written). Every filter by tag (posts, search, feeds) compares slugs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from api.content.model.items import Page
from api.content.source.paths import tag_slug

__all__ = ["Tag", "TagIndex", "tag_slug", "tag_slugs"]


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
    """Every tag of one audience's posts (drafts are counted only in preview), made from the
    view's ``posts_by_tag`` (kept up to date edit by edit): no pass over every post."""

    def __init__(self, posts_by_tag: Mapping[str, tuple[Page, ...]]) -> None:
        """``posts_by_tag``: tag slug -> the posts with that tag, newest first."""
        tags = [
            Tag(slug, _first_spelling(slug, posts), tuple(posts))
            for slug, posts in posts_by_tag.items()
            if posts
        ]
        tags.sort(key=lambda tag: (-tag.post_count, tag.name.casefold(), tag.slug))
        self.ordered: tuple[Tag, ...] = tuple(tags)
        self.by_slug: Mapping[str, Tag] = MappingProxyType({tag.slug: tag for tag in tags})

    def get(self, name_or_slug: str) -> Tag | None:
        """The tag with this slug (another spelling of its name works too)."""
        return self.by_slug.get(name_or_slug) or self.by_slug.get(tag_slug(name_or_slug))

    def __len__(self) -> int:
        return len(self.ordered)


def _first_spelling(slug: str, posts: tuple[Page, ...]) -> str:
    """The tag's name as first written: its spelling in the oldest post (by date, then path)."""
    oldest = min(
        posts, key=lambda post: (post.date.timestamp() if post.date else float("inf"), post.path)
    )
    return next(name.strip() for name in oldest.tags if tag_slug(name) == slug)
