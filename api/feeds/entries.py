"""The one list of entries every feed format is written from.

RSS, Atom and JSON Feed differ only in syntax: what a feed says (which posts,
their absolute links, their HTML with absolute links inside, dates, authors)
is decided here once, so the three formats cannot disagree. Post fields come
from ``Documents.post_summaries``, the same summaries ``/api/posts`` serves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from api.content.documents import Documents
from api.content.model.items import Page
from api.feeds.channel import SiteIdentity
from api.feeds.urls import absolute_url, absolutise_html

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Characters XML 1.0 cannot carry at all (not even escaped): control characters, lone
# surrogates, U+FFFE/U+FFFF. A title holding one must not turn a feed into a 500.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", text)


@dataclass(frozen=True, slots=True)
class FeedAuthor:
    name: str
    avatar: str | None = None  # absolute URL of the person's image


@dataclass(frozen=True, slots=True)
class FeedEntry:
    id: str  # the post's absolute URL: permanent, whatever its title becomes
    url: str
    title: str
    summary: str | None  # the excerpt, plain text
    content_html: str  # the body's HTML (sanitised as everywhere), links made absolute
    published: datetime | None  # aware, UTC
    author: FeedAuthor | None
    image: str | None  # absolute URL of the featured image
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Feed:
    site_name: str  # the site's title, also the author of the feed as a whole
    title: str  # the site's title, and the filter when there is one
    description: str
    home_url: str  # the blog's page on the front end
    self_url: str  # this feed's own URL
    language: str | None
    icon: str | None
    updated: datetime  # the newest entry's date: the same content gives the same bytes
    entries: tuple[FeedEntry, ...]


def build_feed(
    documents: Documents,
    posts: Sequence[Page],
    *,
    site_url: str,
    self_path: str,
    subtitle: str | None = None,
) -> Feed:
    """The feed of ``posts`` (already filtered, newest first, cut to the feed's size).

    ``self_path`` is the feed's path and query on the API (``/api/feed.xml?tag=ai``);
    ``subtitle`` names a filter (``posts by Wei Chen``) after the site's title.
    """
    identity = SiteIdentity.of(documents)
    summaries = documents.post_summaries(posts)
    entries = tuple(
        _entry(documents, post, summary, site_url)
        for post, summary in zip(posts, summaries, strict=True)
    )
    dates = [entry.published for entry in entries if entry.published is not None]
    title = f"{identity.title}: {subtitle}" if subtitle else identity.title
    return Feed(
        site_name=xml_text(identity.title),
        title=xml_text(title),
        description=xml_text(identity.description),
        home_url=absolute_url(site_url, identity.home_path),
        self_url=absolute_url(site_url, self_path),
        language=identity.language,
        icon=absolute_url(site_url, identity.icon) if identity.icon else None,
        updated=max(dates, default=EPOCH),
        entries=entries,
    )


def _entry(
    documents: Documents, post: Page, summary: Mapping[str, Any], site_url: str
) -> FeedEntry:
    url = absolute_url(site_url, post.url)
    html = documents.snapshot.rendered(post).html
    excerpt = summary.get("excerpt")
    return FeedEntry(
        id=url,
        url=url,
        title=xml_text(post.title or post.slug),
        summary=xml_text(excerpt) if isinstance(excerpt, str) and excerpt.strip() else None,
        content_html=xml_text(absolutise_html(html, site_url, url)),
        published=post.date,
        author=_author(summary.get("author"), site_url),
        image=_image_url(summary.get("featuredImage"), site_url, None),
        tags=tuple(xml_text(tag) for tag in post.tags),
    )


def _author(author: Any, site_url: str) -> FeedAuthor | None:
    if not isinstance(author, Mapping) or not author.get("name"):
        return None
    avatar = _image_url(author.get("image"), site_url, None)
    return FeedAuthor(xml_text(author["name"]), avatar)


def _image_url(image: Any, site_url: str, page_url: str | None) -> str | None:
    """The absolute URL of an ``ImageBlock`` (or of an image given as a plain URL)."""
    url = image.get("url") if isinstance(image, Mapping) else image
    if not isinstance(url, str) or not url.strip():
        return None
    return absolute_url(site_url, url, page_url)
