"""HTTP behaviour: ETags and 304, gzip, Cache-Control, CORS, methods, HEAD."""

from __future__ import annotations

import gzip

import pytest

from api import create_app
from tests.support.sites import BUNDLED_CONTENT

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
