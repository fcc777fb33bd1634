"""What the export writes: a table of URL producers, one per public GET answer of the API.

Each producer names its answers (targets) and tells nginx how to recognise
them: its ``location``, the query parameters that pick one of its answers
(``keys``), and the other parameters it reads with the values that leave the
answer unchanged (``fixed``: a page size of 10, ``sort=-date``). A request with
any other value of those gets a 404 from the export rather than a wrong answer.
Pagination needs no entry: an answer with a ``Link: rel="last"`` header has its
pages 2..last exported too.

Adding an endpoint to the export is one entry here, e.g. for the feeds::

    single("sitemap", "/api/sitemap.xml")

Search, preview and ``/api/events`` need the live server; ``/healthz`` reports
on the running process and ``/api/docs`` is a tool for the live API, so none of
them is exported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from api.content.documents import Documents
from api.content.model.views import ContentView
from api.content.source.model_types import POST_TYPE
from api.content.source.paths import page_slug
from api.export.fetch import WsgiClient
from api.export.naming import Target
from api.schemas.answers.arguments import PostListArgsSchema, RecentPostsArgsSchema
from api.schemas.answers.paging import PaginationArgsSchema

ABSENT = None  # a parameter the export answers only when the request leaves it out


def _default(schema: type, name: str) -> Any:
    return schema().fields[name].load_default


def integer_value(value: int) -> str:
    """A regular expression for the integer ``value`` as a query string may write it."""
    return f"0*{value}"


PAGE_SIZE: Mapping[str, str | None] = {
    "page_size": integer_value(_default(PaginationArgsSchema, "page_size"))
}
INCLUDE: Mapping[str, str | None] = {"include": ABSENT}
POST_FILTERS: Mapping[str, str | None] = {
    **PAGE_SIZE,
    "sort": re.escape(_default(PostListArgsSchema, "sort")),
    "author": ABSENT,
    "tag": ABSENT,
}
RECENT_ARGS: Mapping[str, str | None] = {
    "limit": integer_value(_default(RecentPostsArgsSchema, "limit")),
    "exclude": ABSENT,
}


# The export's 404 for a query it cannot answer names the parameter that is the cause and what
# to ask instead: "not in the static export: <name> selects an answer the export does not
# hold; <hint>" (nginx.py sends it through the same include).
REFUSAL = "not in the static export: {name} selects an answer the export does not hold; {hint}"
REFUSAL_HINTS: Mapping[str, str] = {
    "page_size": "use the default page size or the live API",
    "sort": f"use the default order ({_default(PostListArgsSchema, 'sort')}) or the live API",
    "limit": "use the default limit or the live API",
    "author": "ask /api/authors/<slug>/posts or the live API",
    "tag": "ask /api/tags/<slug>/posts or the live API",
}


def refusal_message(name: str, accepted: str | None) -> str:
    """What the export answers when ``name`` has a value other than ``accepted``."""
    default = "leave it out or ask the live API" if accepted is ABSENT else None
    hint = REFUSAL_HINTS.get(name) or default or "use its default or the live API"
    return REFUSAL.format(name=name, hint=hint)


@dataclass(frozen=True, slots=True)
class KeyParam:
    """A query parameter whose value picks one answer: a URL path, or a slug."""

    name: str
    kind: str = "slug"  # "path": a URL path, matched as the API does (case, slashes)


def path_key(name: str = "path") -> KeyParam:
    return KeyParam(name, "path")


def slug_key(name: str) -> KeyParam:
    return KeyParam(name, "slug")


@dataclass(frozen=True, slots=True)
class Route:
    """How nginx finds a producer's answers: an nginx ``location`` and the query it reads."""

    location: str  # "= /api/posts" or "~ ^/api/posts/[^/]+$"
    keys: tuple[KeyParam, ...] = ()
    fixed: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Export:
    """A target to export; ``same_as`` names another target whose answer it is, by contract."""

    target: Target
    same_as: Target | None = None


class Crawl:
    """What a producer may look at to list its targets: the public view and public answers
    (in one locale: ``locale``, ``None`` for the default one)."""

    def __init__(self, client: WsgiClient, documents: Documents, locale: str | None = None) -> None:
        self.client = client
        self.documents = documents
        self.locale = locale

    def other_locales(self) -> tuple[str, ...]:
        """The declared locales but the default (none on a site of one locale)."""
        locales = self.documents.locales
        return tuple(c for c in locales.codes if c != locales.default) if locales else ()

    def in_locale(self, code: str) -> Crawl:
        snapshot = self.documents.snapshot
        view, _ = snapshot.view_in(code)
        return Crawl(self.client, Documents(snapshot, view), code)

    @property
    def view(self) -> ContentView:
        return self.documents.view

    def json(self, path: str) -> Any:
        """The JSON body of a query-less public answer."""
        import orjson

        keys = (("locale", self.locale),) if self.locale else ()
        answer = self.client.get(Target(path, keys))
        if answer.status != 200:
            raise RuntimeError(f"{path} answered {answer.status} while listing the export")
        return orjson.loads(answer.body)


Targets = Callable[[Crawl], Iterable[Target | Export]]


@dataclass(frozen=True, slots=True)
class Producer:
    name: str
    route: Route
    targets: Targets


def single(name: str, path: str, fixed: Mapping[str, str | None] | None = None) -> Producer:
    """An endpoint with one answer (and its pages, when it has some)."""
    return Producer(name, Route(f"= {path}", fixed=dict(fixed or {})), lambda crawl: [Target(path)])


def _posts(crawl: Crawl) -> Iterable[Target]:
    return (Target(f"/api/posts/{post.slug}") for post in crawl.view.posts)


def _authors(crawl: Crawl) -> Iterable[Target]:
    return (Target(f"/api/authors/{person.slug}") for person in crawl.view.authors)


def _author_posts(crawl: Crawl) -> Iterable[Target]:
    return (Target(f"/api/authors/{person.slug}/posts") for person in crawl.view.authors)


def _projects(crawl: Crawl) -> Iterable[Target]:
    return (Target(f"/api/projects/{slug}") for slug in crawl.view.projects_by_slug)


def _pages_by_path(crawl: Crawl) -> Iterable[Export]:
    """Every public page by its path; a post's page is, by contract, its post's answer."""
    for item in crawl.json("/api/pages/paths")["items"]:
        target = Target("/api/pages", (("path", item["path"]),))
        post = crawl.view.posts_by_slug.get(page_slug(item["path"]))
        if item["type"] == POST_TYPE and post is not None and post.url == item["path"]:
            yield Export(target, same_as=Target(f"/api/posts/{post.slug}"))
        else:
            yield Export(target)


def _tags(crawl: Crawl) -> list[str]:
    return [tag["slug"] for tag in crawl.json("/api/tags")["items"]]


def _tag(crawl: Crawl) -> Iterable[Target]:
    return (Target(f"/api/tags/{slug}") for slug in _tags(crawl))


def _tag_posts(crawl: Crawl) -> Iterable[Target]:
    return (Target(f"/api/tags/{slug}/posts") for slug in _tags(crawl))


def _related(crawl: Crawl) -> Iterable[Target]:
    return (Target(f"/api/posts/{post.slug}/related") for post in crawl.view.posts)


def feed(name: str, path: str) -> Producer:
    """A feed: the whole blog's, each author's and each tag's (one filter at a time)."""

    def targets(crawl: Crawl) -> Iterable[Target]:
        yield Target(path)
        for person in crawl.view.authors:
            yield Target(path, (("author", person.slug),))
        for slug in _tags(crawl):
            yield Target(path, (("tag", slug),))

    return Producer(name, Route(f"= {path}", keys=(slug_key("author"), slug_key("tag"))), targets)


def _sitemap_parts(crawl: Crawl) -> Iterable[Target]:
    """The parts of a sitemap index (none while the sitemap is one file)."""
    answer = crawl.client.get(Target("/api/sitemap.xml"))
    parts = answer.body.count(b"<sitemap>") if b"<sitemapindex" in answer.body else 0
    return (Target(f"/api/sitemaps/{number}.xml") for number in range(1, parts + 1))


def localized(producer: Producer) -> Producer:
    """``producer``'s answers, and on a site of several locales each other locale's too,
    ``?locale=<code>`` naming their files as ``path`` and ``page`` do."""
    route = replace(producer.route, keys=(*producer.route.keys, slug_key("locale")))

    def targets(crawl: Crawl) -> Iterable[Target | Export]:
        default = crawl.documents.locales.default if crawl.documents.locales else None
        for found in producer.targets(crawl):
            yield found
            if default is not None:  # ?locale=<the default> answers as no ?locale= does
                target = found.target if isinstance(found, Export) else found
                yield Export(_in_locale(target, default), same_as=target)
        for code in crawl.other_locales():
            for found in producer.targets(crawl.in_locale(code)):
                export = found if isinstance(found, Export) else Export(found)
                yield Export(
                    _in_locale(export.target, code),
                    same_as=_in_locale(export.same_as, code) if export.same_as else None,
                )

    return Producer(producer.name, route, targets)


def _in_locale(target: Target, code: str) -> Target:
    return replace(target, keys=(*target.keys, ("locale", code)))


_PER_LOCALE: set[str] = set()  # the producers answering per locale on a site with several


def _L(producer: Producer) -> Producer:
    _PER_LOCALE.add(producer.name)
    return producer


PRODUCERS: tuple[Producer, ...] = (
    single("API index", "/api"),
    _L(single("post list", "/api/posts", POST_FILTERS)),
    _L(single("recent posts", "/api/posts/recent", RECENT_ARGS)),
    _L(Producer("post", Route("~ ^/api/posts/[^/]+$", fixed=INCLUDE), _posts)),
    _L(single("author list", "/api/authors", PAGE_SIZE)),
    _L(Producer("author", Route("~ ^/api/authors/[^/]+$"), _authors)),
    _L(
        Producer(
            "author's posts", Route("~ ^/api/authors/[^/]+/posts$", fixed=PAGE_SIZE), _author_posts
        )
    ),
    _L(single("project list", "/api/projects", PAGE_SIZE)),
    _L(Producer("project", Route("~ ^/api/projects/[^/]+$", fixed=INCLUDE), _projects)),
    Producer(
        "page by path",
        Route("= /api/pages", keys=(path_key(),), fixed={**PAGE_SIZE, **INCLUDE}),
        _pages_by_path,
    ),
    single("page paths", "/api/pages/paths"),
    _L(single("site", "/api/site")),
    single("OpenAPI document", "/api/openapi.json"),
    _L(single("tag list", "/api/tags")),
    _L(Producer("tag", Route("~ ^/api/tags/[^/]+$"), _tag)),
    _L(Producer("tag's posts", Route("~ ^/api/tags/[^/]+/posts$", fixed=PAGE_SIZE), _tag_posts)),
    _L(
        Producer(
            "related posts",
            Route("~ ^/api/posts/[^/]+/related$", fixed={"limit": integer_value(3)}),
            _related,
        )
    ),
    _L(feed("RSS feed", "/api/feed.xml")),
    _L(feed("Atom feed", "/api/feed.atom")),
    _L(feed("JSON Feed", "/api/feed.json")),
    single("sitemap", "/api/sitemap.xml"),
    Producer("sitemap part", Route(r"~ ^/api/sitemaps/[0-9]+\.xml$"), _sitemap_parts),
    _L(single("Stackbit paths", "/api/stackbit/paths")),
)
# Not exported: /api/stackbit/props. A Stackbit theme's build reads each page's props once
# from the live API; as files they would repeat every post in full in every feed page's and
# recent-posts section's props (at 10,000 posts one feed page's props hold all 10,000).


def producers_for(locales: bool) -> tuple[Producer, ...]:
    """The table, with each ``_L`` producer answering per locale on a site of several
    locales; a site of one has the table as it is (its export as it always was)."""
    if not locales:
        return PRODUCERS
    return tuple(
        localized(producer) if producer.name in _PER_LOCALE else producer for producer in PRODUCERS
    )
