"""Which posts a feed shows: the newest published ones, by author and/or tag.

Drafts are left out whatever the audience: a feed is for the public, also when
a preview request reads it. An unknown author, or a tag no published post of
this view has, is an ``UnknownFilter`` (the web layer answers 404).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.content.model.items import Page
from api.content.model.views import ContentView


class UnknownFilter(LookupError):
    """An ``author`` or ``tag`` that names nothing; ``str()`` says which, for the 404."""


@dataclass(frozen=True, slots=True)
class FeedSelection:
    posts: tuple[Page, ...]  # newest first, at most the feed's size
    subtitle: str | None  # ``posts by Wei Chen tagged ai``: what the filter chose


def feed_posts(
    view: ContentView, *, size: int, author: str | None = None, tag: str | None = None
) -> FeedSelection:
    """The newest ``size`` published posts of ``view`` with this author and tag."""
    posts: Sequence[Page] = view.posts
    chosen = []
    if author is not None:
        person = view.authors_by_slug.get(author)
        if person is None:
            raise UnknownFilter(f"No author with slug '{author}'")
        posts = view.posts_by_author.get(author, ())
        chosen.append(f"by {person.name or author}")
    if tag is not None:
        # By its slug (the contract); named as /api/tags names it: the one tag model.
        tagged = view.tags.by_slug.get(tag)
        paths = {post.path for post in tagged.posts if not post.is_draft} if tagged else set()
        if tagged is None or not paths:
            raise UnknownFilter(f"No published post has the tag '{tag}'")
        posts = [post for post in posts if post.path in paths]
        chosen.append(f"tagged {tagged.name}")
    published = tuple(post for post in posts if not post.is_draft)[:size]
    return FeedSelection(published, " ".join(["posts", *chosen]) if chosen else None)
