"""Posts by tag slug, for the feeds' ``?tag=`` filter.

The contract names a tag by its slug, "the lower-case, hyphenated name"
(``api.content.source.paths.tag_slug``), and the posts index
(``ContentView.posts_by_tag``) is keyed by it.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.content.model.items import Page
from api.content.model.views import ContentView
from api.content.source.paths import tag_slug


def _newest_first(post: Page) -> tuple[float, str]:
    """The contract's post order: newest ``date`` first, ties by slug."""
    return (-(post.date.timestamp() if post.date else 0.0), post.slug)


@dataclass(frozen=True, slots=True)
class TaggedPosts:
    slug: str
    name: str  # as written on the newest post that carries it
    posts: tuple[Page, ...]  # newest first


def posts_tagged(view: ContentView, slug: str) -> TaggedPosts | None:
    """The posts whose tags have this slug (``"AI"`` and ``"ai"`` are one tag); ``None``
    when no post of this view has it."""
    posts = view.posts_by_tag.get(slug) if slug else None
    if not posts:
        return None
    name = next(tag for tag in posts[0].tags if tag_slug(tag) == slug)
    return TaggedPosts(slug, name, posts)
