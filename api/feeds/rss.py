"""RSS 2.0, written by feedgen from the shared entry list.

RSS has no author element without an e-mail address, which the content model
does not have, so the author's name goes in ``dc:creator`` (what WordPress and
Ghost do, and what feed readers show). The full HTML is ``content:encoded``;
``description`` is the excerpt, escaped, because readers render it as HTML.
"""

from __future__ import annotations

import html

from api.feeds.entries import Feed

MEDIA_TYPE = "application/rss+xml"


def render_rss(feed: Feed) -> bytes:
    """The feed as an RSS 2.0 document (UTF-8, with its XML declaration)."""
    from feedgen.feed import FeedGenerator  # feedgen and lxml: loaded with the first feed

    generator = FeedGenerator()
    generator.load_extension("dc", atom=False, rss=True)
    generator.load_extension("media", atom=False, rss=True)
    generator.title(feed.title)
    generator.description(feed.description)
    generator.link(href=feed.self_url, rel="self", type=MEDIA_TYPE)
    generator.link(href=feed.home_url, rel="alternate")  # the last link is RSS's <link>
    if feed.language:
        generator.language(feed.language)
    generator.lastBuildDate(feed.updated)
    for entry in feed.entries:
        item = generator.add_entry(order="append")
        item.guid(entry.id, permalink=True)
        item.title(entry.title)
        item.link(href=entry.url)
        if entry.summary:
            item.description(html.escape(entry.summary, quote=False))
        item.content(entry.content_html)
        if entry.published is not None:
            item.pubDate(entry.published)
        if entry.author is not None:
            item.dc.dc_creator(entry.author.name)
        if entry.tags:
            item.category([{"term": tag} for tag in entry.tags])
        if entry.image:
            item.media.content(url=entry.image, medium="image", group=None)
            item.media.thumbnail(url=entry.image, group=None)
    return generator.rss_str(pretty=True)  # type: ignore[no-any-return]
