"""Every answer a site gives: each JSON operation of the API, asked for each thing the site has.

``every_answer(client)`` walks a site the way a client would (list, then read each item,
each author, each page and each page of a feed, with and without the options), so a test
can check every answer of a site against the OpenAPI document, or parse each one with a
generated client. A new JSON operation in the spec must be added here:
``test_every_json_operation_is_visited`` fails until it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient

from api.content.source.paths import tag_slug


@dataclass(frozen=True)
class Request:
    """One GET of the API: the operation, its spec path, path and query parameters."""

    operation_id: str
    spec_path: str
    path_params: dict[str, str] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        path = self.spec_path
        for name, value in self.path_params.items():
            path = path.replace(f"{{{name}}}", value)
        return f"{path}?{urlencode(self.query)}" if self.query else path


def every_request(client: FlaskClient) -> Iterator[Request]:
    """Every request worth asking of the site the client serves (all answer 200); on a site
    of several locales, in each locale, and in each without fallback."""
    yield from _every_request(client, {})
    codes = [item["code"] for item in client.get("/api/locales").get_json()["items"]]
    for code in codes:
        yield from _every_request(client, {"locale": code})
    for code in codes[1:2]:
        yield from _every_request(client, {"locale": code, "fallback": "false"})


def _every_request(client: FlaskClient, locale: dict[str, str]) -> Iterator[Request]:
    for request in _requests(client, locale):
        if locale and request.operation_id not in _NOT_LOCALIZED:
            yield Request(
                request.operation_id,
                request.spec_path,
                request.path_params,
                {**request.query, **locale},
            )
        elif not locale:
            yield request


# Not asked again with ?locale=: a page's URL names its locale itself (every locale's URLs are
# in /api/pages/paths), and the others have none.
_NOT_LOCALIZED = {"getHealth", "getApiIndex", "listLocales", "getPage"}


def _requests(client: FlaskClient, locale: dict[str, str]) -> Iterator[Request]:
    def get(url: str) -> Any:
        separator = "&" if "?" in url else "?"
        return client.get(f"{url}{separator}{urlencode(locale)}" if locale else url).get_json()

    yield Request("getHealth", "/healthz")
    yield Request("listLocales", "/api/locales")
    yield Request("getApiIndex", "/api")
    yield Request("getSite", "/api/site")
    yield Request("listPagePaths", "/api/pages/paths")
    yield Request("listRecentPosts", "/api/posts/recent")
    yield Request("listRecentPosts", "/api/posts/recent", query={"limit": 50})
    yield Request("listPosts", "/api/posts")
    yield Request("listPosts", "/api/posts", query={"page": 2, "page_size": 1})
    for sort in ("date", "title", "-title"):
        yield Request("listPosts", "/api/posts", query={"sort": sort, "page_size": 100})
    posts = get("/api/posts?page_size=100")["items"]
    for tag in sorted({tag_slug(tag) for post in posts for tag in post["tags"]}):
        yield Request("listPosts", "/api/posts", query={"tag": tag})
    for post in posts:
        for query in ({}, {"include": "markdown"}):
            yield Request("getPost", "/api/posts/{slug}", {"slug": post["slug"]}, query)
        yield Request("listRelatedPosts", "/api/posts/{slug}/related", {"slug": post["slug"]})
        for word in post["title"].split()[:3]:
            yield Request("search", "/api/search", query={"q": word})
        yield Request(
            "listRecentPosts", "/api/posts/recent", query={"limit": 3, "exclude": post["slug"]}
        )
    yield Request("listAuthors", "/api/authors")
    yield Request("listAuthors", "/api/authors", query={"page": 2, "page_size": 1})
    for author in get("/api/authors?page_size=100")["items"]:
        slug = {"slug": author["slug"]}
        yield Request("getAuthor", "/api/authors/{slug}", slug)
        yield Request("listAuthorPosts", "/api/authors/{slug}/posts", slug)
        yield Request("listPosts", "/api/posts", query={"author": author["slug"]})
    yield Request("listProjects", "/api/projects")
    yield Request("listProjects", "/api/projects", query={"page": 2, "page_size": 1})
    for project in get("/api/projects?page_size=100")["items"]:
        for query in ({}, {"include": "markdown"}):
            yield Request("getProject", "/api/projects/{slug}", {"slug": project["slug"]}, query)
    for page in get("/api/pages/paths")["items"]:
        path = page["path"]
        yield Request("getPage", "/api/pages", query={"path": path})
        yield Request("getPage", "/api/pages", query={"path": path, "include": "markdown"})
        if page["type"] in ("PostFeedLayout", "ProjectFeedLayout"):
            for query in ({"page": 2}, {"page": 1, "page_size": 100}, {"page": 99}):
                yield Request("getPage", "/api/pages", query={"path": path, **query})
    yield Request("search", "/api/search", query={"q": "the", "page_size": 100})
    yield Request("listTags", "/api/tags")
    for tag in get("/api/tags")["items"]:
        slug = {"slug": tag["slug"]}
        yield Request("getTag", "/api/tags/{slug}", slug)
        yield Request("listTagPosts", "/api/tags/{slug}/posts", slug)
    yield Request("listStackbitPaths", "/api/stackbit/paths")
    for path in get("/api/stackbit/paths")["items"]:
        yield Request("getStackbitProps", "/api/stackbit/props", query={"path": path})
    if client.application.extensions["settings"].stackbit_compat == "sourcebit":
        yield Request("listStackbitObjects", "/api/stackbit/objects")


def json_get_operations(spec: dict[str, Any]) -> set[str]:
    """The operationIds of the spec's public GETs whose 200 answer is JSON (not the editing API's
    private read, which needs a write token and a site under git: tests/api/test_entries.py)."""
    found = set()
    for operations in spec["paths"].values():
        get = operations.get("get")
        if get and get.get("security"):
            continue
        if get and "application/json" in get["responses"].get("200", {}).get("content", {}):
            found.add(get["operationId"])
    return found
