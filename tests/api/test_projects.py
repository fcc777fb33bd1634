"""`/api/projects` and `/api/projects/{slug}`, like posts; `/api` links every part of the API.

The list is the projects feed page's items (newest first), paginated like `/api/posts`; a
project is its page as `/api/pages?path=/projects/<slug>` gives it. Both carry the caching of
every answer (ETag, 304, Cache-Tag with the content keys they were built from), leave drafts to
previews, and validate against the served OpenAPI document.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft4Validator

from api import create_app
from api.content.model import keys as k
from tests.support.sites import BUNDLED_CONTENT, CORPUS

SITES = {"bundled": BUNDLED_CONTENT, "corpus": CORPUS}


@pytest.fixture(scope="module", params=list(SITES))
def site(request: pytest.FixtureRequest) -> FlaskClient:
    return create_app({"content_dir": SITES[request.param]}).test_client()


@pytest.fixture(scope="module")
def spec(site: FlaskClient) -> dict[str, Any]:
    return site.get("/api/openapi.json").get_json()


def validate(spec: dict[str, Any], path: str, status: str, body: Any) -> None:
    """``body`` against the served document's schema of ``path``'s GET answer ``status``."""
    answer = spec["paths"][path]["get"]["responses"][status]["content"]["application/json"]
    validator = Draft4Validator({"allOf": [answer["schema"]], "components": spec["components"]})
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, errors[0]


def feed_items(site: FlaskClient) -> list[dict[str, Any]]:
    """The projects feed page's items, all on one page: what the list must hold."""
    feed = site.get("/api/pages?path=/projects&page_size=100").get_json()
    assert feed["type"] == "ProjectFeedLayout"
    return feed["items"]


def test_the_list_is_the_feed_pages_projects_newest_first(site, spec):
    response = site.get("/api/projects")

    assert response.status_code == 200
    body = response.get_json()
    validate(spec, "/api/projects", "200", body)
    assert body["items"] == feed_items(site)
    dates = [item["date"] for item in body["items"]]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 2
    total = len(dates)
    assert body["pagination"] == {
        "page": 1,
        "pageSize": 10,
        "totalItems": total,
        "totalPages": 1,
    }
    assert {"slug", "url", "title", "date", "type"} <= set(body["items"][0])


def test_the_list_is_paginated_like_posts(site, spec):
    everything = site.get("/api/projects").get_json()["items"]

    first = site.get("/api/projects?page_size=1")
    second = site.get("/api/projects?page=2&page_size=1")
    past = site.get("/api/projects?page=99&page_size=1")

    total = len(everything)
    assert first.get_json()["items"] == everything[:1]
    assert second.get_json()["items"] == everything[1:2]
    assert first.headers["Link"] == (
        '</api/projects?page=1&page_size=1>; rel="first", '
        '</api/projects?page=2&page_size=1>; rel="next", '
        f'</api/projects?page={total}&page_size=1>; rel="last"'
    )
    assert 'rel="prev"' in second.headers["Link"]
    assert past.status_code == 200
    assert past.get_json() == {
        "items": [],
        "pagination": {"page": 99, "pageSize": 1, "totalItems": total, "totalPages": total},
    }
    for answer in (first, second, past):
        validate(spec, "/api/projects", "200", answer.get_json())
    for bad in ("page=0", "page_size=0", "page_size=101", "page=x"):
        refused = site.get(f"/api/projects?{bad}")
        assert refused.status_code == 422, bad
        validate(spec, "/api/projects", "422", refused.get_json())
        assert set(refused.get_json()) >= {"code", "status", "message"}


def test_a_project_is_its_page(site, spec):
    for item in site.get("/api/projects?page_size=100").get_json()["items"]:
        for query in ("", "?include=markdown"):
            answer = site.get(f"/api/projects/{item['slug']}{query}")
            page = site.get(f"/api/pages?path={item['url']}{'&include=markdown' if query else ''}")

            assert answer.status_code == 200
            assert answer.get_json() == page.get_json()
            assert answer.data == page.data
            validate(spec, "/api/projects/{slug}", "200", answer.get_json())
        assert answer.get_json()["type"] == "ProjectLayout"
        assert "markdown" in answer.get_json()


def test_an_unknown_project_is_a_json_404(site, spec):
    for slug in ("no-such-project", "index", "ai-security-and-the-end-of-silos", "post-one"):
        response = site.get(f"/api/projects/{slug}")

        assert response.status_code == 404
        assert response.get_json() == {
            "code": 404,
            "status": "Not Found",
            "message": f"No project with slug '{slug}'",
        }
        validate(spec, "/api/projects/{slug}", "404", response.get_json())
    assert site.get("/api/projects/x?include=html").status_code == 422


def test_answers_are_cached_and_tagged_with_their_content_keys(site):
    listed = site.get("/api/projects")
    slug = listed.get_json()["items"][0]["slug"]
    detail = site.get(f"/api/projects/{slug}")

    for response in (listed, detail):
        assert response.headers["ETag"]
        assert response.headers["Cache-Control"].startswith("public, max-age=")
        again = site.get(
            response.request.full_path.rstrip("?"),
            headers={"If-None-Match": response.headers["ETag"]},
        )
        assert again.status_code == 304
    listed_keys = set(listed.headers["Cache-Tag"].split(","))
    assert k.PROJECTS in listed_keys
    assert len([key for key in listed_keys if key.startswith("p") and key != k.PROJECTS]) == len(
        listed.get_json()["items"]
    )
    detail_keys = set(detail.headers["Cache-Tag"].split(","))
    assert k.PROJECTS in detail_keys  # its neighbours
    project_key = k.page_key(f"pages/projects/{slug}.md")
    assert project_key in detail_keys and project_key in listed_keys


DRAFT = """\
    ---
    type: ProjectLayout
    title: Secret Rebrand
    date: '2030-01-01'
    isDraft: true
    ---
    Not yet.
    """


def test_drafts_only_in_preview(site_client):
    site = site_client(
        {"pages/projects/secret-rebrand.md": DRAFT}, base=BUNDLED_CONTENT, preview_token="peek"
    )
    preview = {"Authorization": "Bearer peek"}

    public = site.get("/api/projects").get_json()
    previewed = site.get("/api/projects", headers=preview)

    assert "secret-rebrand" not in {item["slug"] for item in public["items"]}
    assert site.get("/api/projects/secret-rebrand").status_code == 404
    assert previewed.headers["Cache-Control"] == "private, no-store"
    assert previewed.get_json()["items"][0]["slug"] == "secret-rebrand"  # the newest
    detail = site.get("/api/projects/secret-rebrand", headers=preview)
    assert detail.status_code == 200
    assert detail.get_json()["isDraft"] is True
    assert site.get("/api/projects/secret-rebrand").status_code == 404  # not cached for all


PROJECT = """\
    ---
    type: ProjectLayout
    title: {title}
    date: '{date}'
    ---
    {title}.
    """


def test_a_project_outside_projects_is_found_by_its_slug(site_client):
    site = site_client(
        {
            "pages/work/harbour.md": PROJECT.format(title="Harbour", date="2025-05-01"),
            "pages/work/lighthouse.md": PROJECT.format(title="Elsewhere", date="2025-06-01"),
            "pages/projects/lighthouse.md": PROJECT.format(title="Lighthouse", date="2025-04-01"),
        }
    )

    slugs = [item["slug"] for item in site.get("/api/projects").get_json()["items"]]
    harbour = site.get("/api/projects/harbour").get_json()
    lighthouse = site.get("/api/projects/lighthouse").get_json()

    assert slugs == ["lighthouse", "harbour", "lighthouse"]
    assert (harbour["url"], harbour["title"]) == ("/work/harbour", "Harbour")
    # Two projects named alike: the one at /projects/<slug> answers.
    assert (lighthouse["url"], lighthouse["title"]) == ("/projects/lighthouse", "Lighthouse")


def test_the_index_links_every_part_of_the_api(site, spec):
    index = site.get("/api").get_json()
    links = index["links"]
    validate(spec, "/api", "200", index)

    assert {
        "projects": "/api/projects",
        "search": "/api/search",
        "tags": "/api/tags",
        "rssFeed": "/api/feed.xml",
        "atomFeed": "/api/feed.atom",
        "jsonFeed": "/api/feed.json",
        "sitemap": "/api/sitemap.xml",
        "events": "/api/events",
    }.items() <= links.items()
    assert {"docs", "openapi", "health", "posts", "recentPosts", "authors", "pages", "site"} <= set(
        links
    )
    documented = set(spec["paths"])
    assert {link for name, link in links.items() if name not in {"docs", "openapi"}} <= documented
    for name in ("projects", "tags", "rssFeed", "atomFeed", "jsonFeed", "sitemap"):
        assert site.get(links[name]).status_code == 200, name
    assert site.get(links["search"]).status_code == 422  # `q` is required
    assert site.get(links["search"] + "?q=the").status_code == 200
    events = spec["paths"][links["events"]]["get"]["responses"]["200"]["content"]
    assert set(events) == {"text/event-stream"}
