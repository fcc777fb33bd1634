"""`/api/docs` needs nothing but this server; `/api` indexes the API; `/` leads to the docs.

The browser test (tests/system/e2e/run.mjs) opens the page with every non-loopback
request blocked; these tests check what it is made of.
"""

from __future__ import annotations

import re
from importlib import resources

import pytest

from api.web.docs import SWAGGER_UI_PACKAGE, swagger_ui_version
from tests.support.spec import response_validator


def page_references(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_docs_page_loads_every_file_from_this_server(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    references = page_references(html)
    assert references, html
    assert all(ref.startswith("/api/") for ref in references), references
    assert "http://" not in html and "https://" not in html
    policy = response.headers["Content-Security-Policy"]
    assert "http" not in policy  # no outside host is allowed anything
    assert "script-src 'self';" in policy


def test_swagger_ui_files_are_the_installed_packages_own(client):
    version = swagger_ui_version()
    html = client.get("/api/docs").get_data(as_text=True)
    dist = resources.files(SWAGGER_UI_PACKAGE) / "dist"
    served = [ref for ref in page_references(html) if "/swagger-ui/" in ref]

    assert {ref.rsplit("/", 1)[1] for ref in served} == {
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "favicon-32x32.png",
    }
    for ref in served:
        assert ref.startswith(f"/api/docs/swagger-ui/{version}/")
        response = client.get(ref)
        assert response.status_code == 200, ref
        assert response.data == (dist / ref.rsplit("/", 1)[1]).read_bytes()
        assert "immutable" in response.headers["Cache-Control"]
    assert (
        client.get(served[0])
        .headers["Content-Type"]
        .startswith(("text/css", "image/png", "text/javascript"))
    )


def test_the_pinned_swagger_ui_version_is_installed():
    from importlib.metadata import version

    assert swagger_ui_version() == version("flask-swagger-ui") == "5.34.0"


@pytest.mark.parametrize(
    "path",
    [
        "/api/docs/swagger-ui/{version}/index.html",
        "/api/docs/swagger-ui/{version}/..%2Fdist%2FLICENSE",
        "/api/docs/swagger-ui/0.0.1/swagger-ui.css",
    ],
)
def test_nothing_else_of_the_package_is_served(client, path):
    response = client.get(path.format(version=swagger_ui_version()))

    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_the_docs_page_links_the_openapi_document_in_plain_html(client):
    html = client.get("/api/docs").get_data(as_text=True)

    assert '<a id="docs-spec-link" href="/api/openapi.json">/api/openapi.json</a>' in html
    assert "<script>" not in html  # the CSP allows no inline script


@pytest.mark.parametrize("path", ["/api", "/api/"])
def test_the_api_index_names_the_api_and_links_every_part(client, spec, path):
    response = client.get(path)

    assert response.status_code == 200
    index = response.get_json()
    health = client.get("/healthz").get_json()
    assert index["name"] == spec["info"]["title"] == "Content API"
    assert index["version"] == spec["info"]["version"]
    assert index["contentVersion"] == health["contentVersion"]
    assert index["links"] == {
        "docs": "/api/docs",
        "openapi": "/api/openapi.json",
        "health": "/healthz",
        "posts": "/api/posts",
        "recentPosts": "/api/posts/recent",
        "authors": "/api/authors",
        "pages": "/api/pages/paths",
        "site": "/api/site",
        "projects": "/api/projects",
        "search": "/api/search",
        "tags": "/api/tags",
        "rssFeed": "/api/feed.xml",
        "atomFeed": "/api/feed.atom",
        "jsonFeed": "/api/feed.json",
        "sitemap": "/api/sitemap.xml",
        "events": "/api/events",
        "locales": "/api/locales",
    }
    for name, link in index["links"].items():
        if name not in {"search", "events"}:  # search needs ?q=, events is an endless stream
            assert client.get(link).status_code == 200, link
    validator = response_validator(spec, "/api")
    assert not list(validator.iter_errors(index))


def test_every_collection_in_the_index_is_a_documented_path(client, spec):
    links = client.get("/api").get_json()["links"]

    documented = set(spec["paths"])
    assert {"/api", "/api/posts", "/api/authors", "/api/pages/paths", "/api/site"} <= documented
    assert {link for name, link in links.items() if name not in {"docs", "openapi"}} <= documented


def test_the_root_redirects_to_the_docs(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/api/docs"
    assert client.get("/", follow_redirects=True).status_code == 200
