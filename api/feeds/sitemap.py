"""The sitemap (https://www.sitemaps.org/protocol.html): every public page, absolute.

One ``urlset`` up to ``MAX_URLS_PER_FILE`` URLs and ``MAX_BYTES_PER_FILE``
bytes; past either limit ``/api/sitemap.xml`` is a ``sitemapindex`` whose parts
are ``/api/sitemaps/{n}.xml``. The limits are module constants, read at each
build, so a test can lower them to exercise the index form on a small site.

Which URLs: each public page once, at its one URL path (``/blog``, never
``/blog/page/2``: in this API a feed page is one page with one URL, and the
posts its later pages list are in the sitemap themselves). ``lastmod`` is the
page's ``date`` (W3C datetime: the day alone when the content gives no time);
a feed page without a date of its own takes its newest item's. A URL of
2,048 characters or more once escaped is left out, as the protocol allows none.

The split is computed once per content view (weakly keyed: it goes with the
view), so asking for the index and then each part walks the pages once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from weakref import WeakKeyDictionary
from xml.sax.saxutils import escape

from api.content.model.items import Page
from api.content.model.snapshot import Snapshot
from api.content.model.views import ContentView
from api.content.source.model_types import POST_FEED_TYPE, PROJECT_FEED_TYPE
from api.feeds.urls import absolute_url

MEDIA_TYPE = "application/xml"
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_URLS_PER_FILE = 50_000
MAX_BYTES_PER_FILE = 50 * 1024 * 1024  # uncompressed, as the protocol counts them
MAX_URL_LENGTH = 2047  # the protocol: less than 2,048 characters
PART_PATH = "/api/sitemaps/{n}.xml"

_HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}">\n'
_TAIL = "</urlset>\n"
_INDEX_HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{NAMESPACE}">\n'
_INDEX_TAIL = "</sitemapindex>\n"
_FEED_ITEMS = {POST_FEED_TYPE: "posts", PROJECT_FEED_TYPE: "projects"}
_ENTITIES = {"'": "&apos;", '"': "&quot;"}  # sitemaps.org escapes these five, not three


@dataclass(frozen=True, slots=True)
class SitemapPart:
    urls: tuple[str, ...]  # each a whole ``<url>...</url>`` element and its newline
    newest: datetime | None  # the latest lastmod among them
    head: str = _HEAD

    def document(self) -> bytes:
        return (self.head + "".join(self.urls) + _TAIL).encode()


@dataclass(frozen=True, slots=True)
class Sitemap:
    parts: tuple[SitemapPart, ...]
    site_url: str

    @property
    def is_index(self) -> bool:
        return len(self.parts) > 1

    def document(self) -> bytes:
        """``/api/sitemap.xml``: the one urlset, or the index of the parts."""
        if not self.is_index:
            return self.parts[0].document()
        entries = []
        for number, part in enumerate(self.parts, start=1):
            loc = absolute_url(self.site_url, PART_PATH.format(n=number))
            lastmod = f"<lastmod>{w3c_datetime(part.newest)}</lastmod>" if part.newest else ""
            entries.append(f"<sitemap><loc>{escape(loc, _ENTITIES)}</loc>{lastmod}</sitemap>\n")
        return (_INDEX_HEAD + "".join(entries) + _INDEX_TAIL).encode()

    def part(self, number: int) -> bytes | None:
        """``/api/sitemaps/{number}.xml`` (from 1), or ``None``: parts exist only in an index."""
        if not self.is_index or not 1 <= number <= len(self.parts):
            return None
        return self.parts[number - 1].document()


_built: WeakKeyDictionary[ContentView, dict[tuple[str, int, int], Sitemap]] = WeakKeyDictionary()
_lock = threading.Lock()


def sitemap_of(view: ContentView, site_url: str) -> Sitemap:
    """The sitemap of what ``view`` shows, built once per view and limits."""
    key = (site_url, MAX_URLS_PER_FILE, MAX_BYTES_PER_FILE)
    built = _built.get(view, {}).get(key)
    if built is None:
        built = build_sitemap(view, site_url)
        with _lock:
            _built.setdefault(view, {})[key] = built
    return built


def build_sitemap(view: ContentView, site_url: str) -> Sitemap:
    """Every public page of ``view``, in URL order, split within the protocol's limits."""
    newest_items = {
        layout: next((p.date for p in getattr(view, items) if not p.is_draft), None)
        for layout, items in _FEED_ITEMS.items()
    }
    pages = sorted(
        (page for page in view.pages_by_url.values() if not page.is_draft),
        key=lambda page: page.url,
    )
    return Sitemap(_split(_url_elements(pages, site_url, newest_items)), site_url)


def _url_elements(
    pages: Iterable[Page], site_url: str, newest_items: dict[str, datetime | None]
) -> Iterable[tuple[str, datetime | None]]:
    for page in pages:
        loc = absolute_url(site_url, page.url)
        if len(loc) > MAX_URL_LENGTH:
            continue
        modified = page.date or newest_items.get(page.type)
        if modified is None:
            yield f"<url><loc>{escape(loc, _ENTITIES)}</loc></url>\n", None
        else:
            lastmod = w3c_datetime(modified)
            yield (
                f"<url><loc>{escape(loc, _ENTITIES)}</loc><lastmod>{lastmod}</lastmod></url>\n",
                modified,
            )


def _split(
    elements: Iterable[tuple[str, datetime | None]], head: str = _HEAD
) -> tuple[SitemapPart, ...]:
    """Consecutive parts of at most ``MAX_URLS_PER_FILE`` URLs and ``MAX_BYTES_PER_FILE``
    bytes each (the elements are ASCII: one character is one byte)."""
    budget = MAX_BYTES_PER_FILE - len(head) - len(_TAIL)
    parts: list[SitemapPart] = []
    urls: list[str] = []
    size = 0
    newest: datetime | None = None
    for element, modified in elements:
        if urls and (len(urls) >= MAX_URLS_PER_FILE or size + len(element) > budget):
            parts.append(SitemapPart(tuple(urls), newest, head))
            urls, size, newest = [], 0, None
        urls.append(element)
        size += len(element)
        if modified is not None and (newest is None or modified > newest):
            newest = modified
    parts.append(SitemapPart(tuple(urls), newest, head))
    return tuple(parts)


# A site of several locales: each version of each document at its own URL, with a link to
# every version (hreflang) and the default locale's as x-default.
XHTML = "http://www.w3.org/1999/xhtml"
_LOCALIZED_HEAD = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NAMESPACE}" xmlns:xhtml="{XHTML}">\n'
)
_localized: WeakKeyDictionary[Snapshot, dict[tuple[str, int, int], Sitemap]] = WeakKeyDictionary()


def localized_sitemap_of(snapshot: Snapshot, site_url: str) -> Sitemap:
    """The sitemap of every locale's public pages, built once per snapshot and limits."""
    key = (site_url, MAX_URLS_PER_FILE, MAX_BYTES_PER_FILE)
    built = _localized.get(snapshot, {}).get(key)
    if built is None:
        locales = snapshot.locales
        assert locales is not None
        views = [snapshot.view_in(code)[0] for code in locales.codes]
        built = build_localized_sitemap(views, locales.default, site_url)
        with _lock:
            _localized.setdefault(snapshot, {})[key] = built
    return built


def build_localized_sitemap(views: Sequence[ContentView], default: str, site_url: str) -> Sitemap:
    """Every URL of every locale's view (the URLs of ``/api/pages/paths``: a locale shows each
    document in its own version or its fallback's), in URL order, each with an alternate per
    locale that shows its document and ``x-default`` (the default locale's URL, else the
    first), split like any sitemap."""
    by_document: dict[str, dict[str, Page]] = {}
    for view in views:
        for document, page in view.pages_by_document.items():
            by_document.setdefault(document, {})[view.locale or default] = page
    newest = max(
        (p.date for shown in by_document.values() for p in shown.values() if p.date), default=None
    )
    elements = []
    for shown in by_document.values():
        links = [(code, absolute_url(site_url, page.url)) for code, page in shown.items()]
        first = shown.get(default) or next(iter(shown.values()))
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{code}" href="{escape(url, _ENTITIES)}"/>'
            for code, url in links
        ) + (
            '<xhtml:link rel="alternate" hreflang="x-default" '
            f'href="{escape(absolute_url(site_url, first.url), _ENTITIES)}"/>'
        )
        for page, (_, loc) in zip(shown.values(), links, strict=True):
            if len(loc) > MAX_URL_LENGTH:
                continue
            modified = page.date or (newest if page.type in _FEED_ITEMS else None)
            lastmod = f"<lastmod>{w3c_datetime(modified)}</lastmod>" if modified else ""
            element = f"<url><loc>{escape(loc, _ENTITIES)}</loc>{lastmod}{alternates}</url>\n"
            elements.append((page.url, element, modified))
    elements.sort(key=lambda item: item[0])
    parts = _split(((element, modified) for _, element, modified in elements), _LOCALIZED_HEAD)
    return Sitemap(parts, site_url)


def w3c_datetime(moment: datetime) -> str:
    """``2025-01-30`` for a date (midnight UTC), else ``2025-01-30T09:30:00+00:00``."""
    moment = moment.astimezone(UTC)
    if moment.time() == time(0, 0):
        return moment.date().isoformat()
    return moment.isoformat()
