"""HTTP behaviour: ETags and 304, gzip, Cache-Control, CORS, methods, HEAD."""

from __future__ import annotations

import gzip

import pytest

from api import create_app
from tests.conftest import BUNDLED_CONTENT

ENDPOINTS = [
    "/api/posts",
    "/api/posts/recent",
    "/api/posts/ai-security-and-the-end-of-silos",
    "/api/authors",
    "/api/authors/jason-hand",
    "/api/authors/jason-hand/posts",
    "/api/openapi.json",
]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_every_get_is_json_with_a_strong_etag_and_public_caching(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ENDPOINTS)
def test_if_none_match_with_the_current_etag_is_304_without_body(client, path):
    etag = client.get(path).headers["ETag"]

    response = client.get(path, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag


def test_healthz_is_never_publicly_cached_but_revalidates(client):
    response = client.get("/healthz")

    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get("/healthz", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_stale_etag_gets_the_full_response(client):
    response = client.get("/api/posts", headers={"If-None-Match": '"not-the-tag"'})

    assert response.status_code == 200
    assert response.get_json()["items"]


def test_etags_differ_between_different_responses(client):
    tags = {client.get(path).headers["ETag"] for path in ENDPOINTS}

    assert len(tags) == len(ENDPOINTS)
    assert (
        client.get("/api/posts?page=2").headers["ETag"] != client.get("/api/posts").headers["ETag"]
    )


def test_gzip_when_accepted_decompresses_to_the_plain_body(client):
    plain = client.get("/api/posts")
    zipped = client.get("/api/posts", headers={"Accept-Encoding": "gzip, deflate"})

    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["Vary"] == "Accept-Encoding"
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    revalidated = client.get(
        "/api/posts", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert revalidated.status_code == 304


def test_gzip_refused_with_q_zero(client):
    response = client.get("/api/posts", headers={"Accept-Encoding": "gzip;q=0"})

    assert "Content-Encoding" not in response.headers


def test_head_has_the_headers_of_get_and_no_body(client):
    get = client.get("/api/posts")
    head = client.head("/api/posts")

    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.data))


def test_repeated_requests_are_identical_and_query_order_does_not_matter(client):
    first = client.get("/api/posts?page=1&page_size=3")
    second = client.get("/api/posts?page_size=3&page=1")

    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_are_405_with_allow(client, method):
    response = client.open("/api/posts", method=method)

    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert response.get_json()["code"] == 405


def test_unknown_path_is_a_json_404(client):
    response = client.get("/api/nothing-here")

    assert response.status_code == 404
    assert response.get_json()["status"] == "Not Found"


def test_cors_default_allows_any_origin(client):
    response = client.get("/api/posts", headers={"Origin": "https://site.example"})

    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


def test_options_preflight_is_204(client):
    response = client.options(
        "/api/posts",
        headers={"Origin": "https://site.example", "Access-Control-Request-Method": "GET"},
    )

    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_cors_with_configured_origins_allows_only_those():
    client = create_app(
        {"content_dir": BUNDLED_CONTENT, "cors_origins": ("https://www.example.com",)}
    ).test_client()

    allowed = client.get("/api/posts", headers={"Origin": "https://www.example.com"})
    refused = client.get("/api/posts", headers={"Origin": "https://evil.example"})

    assert allowed.headers["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert "Origin" in allowed.headers.getlist("Vary")
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_errors_are_not_publicly_cacheable(client):
    response = client.get("/api/posts/nope")

    assert response.headers["Cache-Control"] == "no-cache"
    assert "ETag" not in response.headers


def test_cache_max_age_is_configurable():
    client = create_app({"content_dir": BUNDLED_CONTENT, "cache_max_age": 5}).test_client()

    assert client.get("/api/posts").headers["Cache-Control"].startswith("public, max-age=5,")


def test_answers_carry_their_content_keys_and_say_whether_they_were_cached(site_client):
    client = site_client({}, base=BUNDLED_CONTENT)

    first = client.get("/api/posts/ai-security-and-the-end-of-silos")
    again = client.get("/api/posts/ai-security-and-the-end-of-silos")

    assert first.headers["X-Response-Cache"] == "MISS"
    assert again.headers["X-Response-Cache"] == "HIT"
    keys = first.headers["Cache-Tag"].split(",")
    assert keys == sorted(keys) and "posts-recent" in keys  # its RecentPostsSection: the newest
    assert len(first.headers["Cache-Tag"]) <= 1024
    assert all(key.replace("-", "").isalnum() for key in keys)


def test_an_edit_drops_only_the_answers_that_show_what_changed(make_site):
    root = make_site({}, base=BUNDLED_CONTENT)
    app = create_app({"content_dir": root})
    client = app.test_client()
    old_post = "/api/posts/kubernetes-resource-limits-a-field-guide"  # not among the newest
    unrelated = "/api/authors/jason-hand"  # not its author
    listing, other_list = "/api/posts?page_size=5&page=3", "/api/posts?page_size=5&page=1"
    assert "kubernetes-resource-limits" in client.get(listing).get_data(as_text=True)
    assert "kubernetes-resource-limits" not in client.get(other_list).get_data(as_text=True)
    for path in (old_post, unrelated, "/api/site"):
        client.get(path)

    path = root / "pages/blog/kubernetes-resource-limits-a-field-guide.md"
    text = path.read_text(encoding="utf-8")
    old_title = next(line for line in text.splitlines() if line.startswith("title:"))
    path.write_text(text.replace(old_title, "title: Newly edited", 1), encoding="utf-8")
    app.extensions["content"].reload(["pages/blog/kubernetes-resource-limits-a-field-guide.md"])

    assert client.get(old_post).headers["X-Response-Cache"] == "MISS"
    assert client.get(old_post).get_json()["title"].startswith("Newly ")
    assert client.get(unrelated).headers["X-Response-Cache"] == "HIT"
    assert client.get("/api/site").headers["X-Response-Cache"] == "HIT"
    assert client.get(listing).headers["X-Response-Cache"] == "MISS"  # it lists the post
    assert client.get(other_list).headers["X-Response-Cache"] == "HIT"
    version = client.get("/healthz").headers["X-Content-Version"]
    assert client.get(unrelated).headers["X-Content-Version"] == version  # never an older one
