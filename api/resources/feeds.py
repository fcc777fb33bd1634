"""Feeds of the newest posts (RSS, Atom, JSON Feed) and the sitemap of every public page.

They go through the delivery layer like every GET (ETag, 304, gzip,
Cache-Control), from the request's own view of the content: drafts never
appear (not even in preview: a feed or sitemap is for the public), and with
``HIDE_FUTURE_POSTS`` a post joins them when its date comes.
"""

from __future__ import annotations

from urllib.parse import urlencode

import orjson
from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import abort

from api.content.documents import Documents
from api.content.model import keys as k
from api.feeds.atom import MEDIA_TYPE as ATOM_TYPE
from api.feeds.atom import render_atom
from api.feeds.entries import Feed, build_feed
from api.feeds.jsonfeed import MEDIA_TYPE as JSON_FEED_TYPE
from api.feeds.jsonfeed import json_feed
from api.feeds.rss import MEDIA_TYPE as RSS_TYPE
from api.feeds.rss import render_rss
from api.feeds.selection import UnknownFilter, feed_posts
from api.feeds.sitemap import MEDIA_TYPE as SITEMAP_TYPE
from api.feeds.sitemap import Sitemap, localized_sitemap_of, sitemap_of
from api.resources.blueprint import ContentBlueprint
from api.schemas.answers.feed_documents import FeedArgsSchema, JsonFeedSchema
from api.settings import Settings
from api.web.request_content import current_documents

blp = ContentBlueprint(
    "feeds",
    __name__,
    url_prefix="/api",
    description="RSS, Atom and JSON feeds of the newest posts, and the sitemap.",
)

XML_DOCUMENT = {"type": "string", "description": "An XML document (UTF-8)."}
FEED_NOT_FOUND = "No author with this slug, or no published post with this tag."
_json_feed_schema = JsonFeedSchema()


def current_feed(author: str | None, tag: str | None) -> Feed:
    """The feed this request asks for: the newest ``FEED_SIZE`` posts, filtered."""
    settings: Settings = current_app.extensions["settings"]
    documents = current_documents()
    if author is None and tag is None:  # the newest posts: unchanged by an older post's edit
        documents.uses(k.RECENT if settings.feed_size < k.RECENT_WINDOW else k.POSTS)
    if author is not None:
        documents.uses(k.author_posts_key(author), k.AUTHORS)  # the author's name: AUTHORS
        person = documents.view.authors_by_slug.get(author)
        if person is not None:
            documents.uses(k.person_key(person.path))
    if tag is not None:
        documents.uses(k.tag_key(tag), k.TAGS)  # the tag's name as first written: TAGS
    try:
        selection = feed_posts(documents.view, size=settings.feed_size, author=author, tag=tag)
    except UnknownFilter as unknown:
        abort(404, message=str(unknown))
    locales, locale = documents.locales, documents.view.locale
    if locales is None or locale == locales.default:
        locale = None  # the default locale's feed is the feed without ?locale=
    filters = (("author", author), ("tag", tag), ("locale", locale))
    query = urlencode({key: value for key, value in filters if value})
    return build_feed(
        documents,
        selection.posts,
        site_url=settings.public_site_url,
        self_path=request.path + (f"?{query}" if query else ""),
        subtitle=selection.subtitle,
    )


def _sitemap(documents: Documents, site_url: str) -> Sitemap:
    """The public view's sitemap; on a site of several locales, every locale's versions with
    their alternates."""
    if documents.locales is None:
        return sitemap_of(documents.view, site_url)
    return localized_sitemap_of(documents.snapshot, site_url)


def document(body: bytes, media_type: str) -> Response:
    return Response(body, mimetype=media_type)


@blp.route("/feed.xml")
class RssFeed(MethodView):
    @blp.arguments(FeedArgsSchema, location="query", as_kwargs=True)
    @blp.documented_get(
        XML_DOCUMENT, operation_id="getRssFeed", content_type=RSS_TYPE, not_found=FEED_NOT_FOUND
    )
    def get(self, author: str | None = None, tag: str | None = None) -> Response:
        """RSS 2.0 feed of the newest posts

        The newest `FEED_SIZE` (default 20) published posts, filtered by `author` and
        `tag`: full HTML in `content:encoded`, the excerpt as `description`, the author
        as `dc:creator`, RFC 822 dates, absolute links, the featured image as
        `media:content`.
        """
        return document(render_rss(current_feed(author, tag)), RSS_TYPE)


@blp.route("/feed.atom")
class AtomFeed(MethodView):
    @blp.arguments(FeedArgsSchema, location="query", as_kwargs=True)
    @blp.documented_get(
        XML_DOCUMENT, operation_id="getAtomFeed", content_type=ATOM_TYPE, not_found=FEED_NOT_FOUND
    )
    def get(self, author: str | None = None, tag: str | None = None) -> Response:
        """Atom 1.0 feed of the newest posts

        The same entries as the RSS feed: HTML `content`, text `summary`, RFC 3339 dates.
        """
        return document(render_atom(current_feed(author, tag)), ATOM_TYPE)


@blp.route("/feed.json")
class JsonFeed(MethodView):
    @blp.arguments(FeedArgsSchema, location="query", as_kwargs=True)
    @blp.documented_get(
        JsonFeedSchema,
        operation_id="getJsonFeed",
        content_type=JSON_FEED_TYPE,
        not_found=FEED_NOT_FOUND,
    )
    def get(self, author: str | None = None, tag: str | None = None) -> Response:
        """JSON Feed 1.1 of the newest posts

        The same entries as the RSS feed, in JSON Feed's own field names.
        """
        body = _json_feed_schema.dump(json_feed(current_feed(author, tag)))
        return document(orjson.dumps(body), JSON_FEED_TYPE)


@blp.route("/sitemap.xml")
class SitemapDocument(MethodView):
    @blp.documented_get(
        XML_DOCUMENT,
        operation_id="getSitemap",
        localized=False,
        content_type=SITEMAP_TYPE,
        has_query=False,
        named_examples={"urlset": "getSitemap", "index": "getSitemapIndex"},
    )
    def get(self) -> Response:
        """Sitemap of every public page

        A sitemaps.org `urlset`: every public page's absolute URL, with `lastmod` where
        the content has a date. Past 50,000 URLs (or 50 MB) a `sitemapindex` whose
        parts are at `/api/sitemaps/{n}.xml`.
        """
        settings: Settings = current_app.extensions["settings"]
        documents = current_documents()
        documents.uses(k.ANY_PAGE)  # every page's URL and date
        sitemap = _sitemap(documents, settings.public_site_url)
        return document(sitemap.document(), SITEMAP_TYPE)


@blp.route("/sitemaps/<int:n>.xml")
class SitemapPart(MethodView):
    @blp.documented_get(
        XML_DOCUMENT,
        operation_id="getSitemapPart",
        localized=False,
        content_type=SITEMAP_TYPE,
        has_query=False,
        not_found="No such part: parts exist only when the sitemap is an index.",
    )
    def get(self, n: int) -> Response:
        """One part of a sitemap index

        A `urlset` of at most 50,000 URLs, numbered from 1 as the index lists them.
        """
        settings: Settings = current_app.extensions["settings"]
        documents = current_documents()
        documents.uses(k.ANY_PAGE)
        part = _sitemap(documents, settings.public_site_url).part(n)
        if part is None:
            abort(404, message=f"No sitemap part {n}: see /api/sitemap.xml")
        return document(part, SITEMAP_TYPE)
