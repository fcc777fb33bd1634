"""Posts by tag slug, for the feeds' ``?tag=`` filter.

The contract names a tag by its slug, "the lower-case, hyphenated name", while
the posts index (``ContentView.posts_by_tag``) is keyed by the tag as written.
This module is the one place that maps the one to the other; when the tag index
of ``/api/tags`` exists, ``posts_tagged`` becomes a look-up in it and nothing
else in the feeds changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.content.index import ContentView
from api.content.models import Page

_NOT_SLUG = re.compile(r"[^\w]+|_+")


def tag_slug(name: str) -> str:
    """``"Site Reliability"`` -> ``"site-reliability"``: lower case, words joined by ``-``."""
    return _NOT_SLUG.sub("-", name.casefold()).strip("-")


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
    names = [name for name in view.posts_by_tag if tag_slug(name) == slug]
    if not names or not slug:
        return None
    if len(names) == 1:
        posts = view.posts_by_tag[names[0]]
    else:
        unique = {post.path: post for name in names for post in view.posts_by_tag[name]}
        posts = tuple(sorted(unique.values(), key=_newest_first))
    name = next(tag for tag in posts[0].tags if tag_slug(tag) == slug)
    return TaggedPosts(slug, name, posts)
