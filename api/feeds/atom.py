"""Atom 1.0 (RFC 4287), written by feedgen from the shared entry list.

Atom requires an author for every entry: a post without one inherits the feed's
author, the site itself. ``updated`` is the post's date (the model records no
modification date), so the bytes change only when the content does.
"""

from __future__ import annotations

from api.feeds.entries import Feed

MEDIA_TYPE = "application/atom+xml"


def render_atom(feed: Feed) -> bytes:
    """The feed as an Atom 1.0 document (UTF-8, with its XML declaration)."""
    from feedgen.feed import FeedGenerator  # feedgen and lxml: loaded with the first feed

    generator = FeedGenerator()
    generator.load_extension("media", atom=True, rss=False)
    generator.id(feed.self_url)
    generator.title(feed.title)
    generator.subtitle(feed.description)
    generator.author({"name": feed.site_name})
    generator.link(href=feed.self_url, rel="self", type=MEDIA_TYPE)
    generator.link(href=feed.home_url, rel="alternate", type="text/html")
    if feed.language:
        generator.language(feed.language)
    if feed.icon:
        generator.icon(feed.icon)
    generator.updated(feed.updated)
    for entry in feed.entries:
        item = generator.add_entry(order="append")
        item.id(entry.id)
        item.title(entry.title)
        item.link(href=entry.url, rel="alternate", type="text/html")
        updated = entry.published or feed.updated
        item.updated(updated)
        if entry.published is not None:
            item.published(entry.published)
        if entry.author is not None:
            item.author({"name": entry.author.name})
        if entry.summary:
            item.summary(entry.summary, type="text")
        item.content(entry.content_html, type="html")
        if entry.tags:
            item.category([{"term": tag} for tag in entry.tags])
        if entry.image:
            item.media.content(url=entry.image, medium="image", group=None)
            item.media.thumbnail(url=entry.image, group=None)
    return generator.atom_str(pretty=True)  # type: ignore[no-any-return]
