"""Feeds and sitemap through the delivery layer: media types, ETag and 304, HEAD, gzip.

The same app the other HTTP tests use; what is checked is what a feed reader or
a crawler receives, including from the in-process response cache.
"""

from __future__ import annotations

import gzip

import feedparser
import pytest

MEDIA_TYPES = {
    "/api/feed.xml": "application/rss+xml; charset=utf-8",
    "/api/feed.atom": "application/atom+xml; charset=utf-8",
    "/api/feed.json": "application/feed+json",
    "/api/feed.xml?tag=ai": "application/rss+xml; charset=utf-8",
    "/api/feed.json?author=wei-chen": "application/feed+json",
    "/api/sitemap.xml": "application/xml; charset=utf-8",
}


@pytest.mark.parametrize(("url", "media_type"), MEDIA_TYPES.items())
def test_each_answer_has_its_media_type_and_public_caching(client, url, media_type):
    for _ in range(2):  # the first answer renders; the second comes from the response cache
        response = client.get(url)

        assert response.status_code == 200
        assert response.headers["Content-Type"] == media_type
        assert response.headers["ETag"].startswith('"')
        assert response.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("url", MEDIA_TYPES)
def test_a_current_etag_is_304_without_a_body(client, url):
    etag = client.get(url).headers["ETag"]

    response = client.get(url, headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag


@pytest.mark.parametrize("url", MEDIA_TYPES)
def test_head_has_the_headers_of_get_and_no_body(client, url):
    get = client.get(url)

    head = client.head(url)

    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.data))


@pytest.mark.parametrize("url", MEDIA_TYPES)
def test_gzip_decompresses_to_the_plain_body(client, url):
    plain = client.get(url)

    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})

    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.headers["Content-Type"] == plain.headers["Content-Type"]
    assert gzip.decompress(zipped.data) == plain.data
    revalidated = client.get(
        url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert revalidated.status_code == 304


def test_a_gzipped_feed_is_what_a_feed_reader_takes(client):
    """feedparser reads the compressed bytes as a reader that asked for gzip gets them."""
    zipped = client.get("/api/feed.xml", headers={"Accept-Encoding": "gzip"})

    parsed = feedparser.parse(
        gzip.decompress(zipped.data), response_headers={"content-type": zipped.content_type}
    )

    assert not parsed.bozo
    assert len(parsed.entries) == 14


def test_different_filters_are_different_answers(client):
    tags = {client.get(url).headers["ETag"] for url in MEDIA_TYPES}

    assert len(tags) == len(MEDIA_TYPES)


def test_errors_are_json_and_not_publicly_cached(client):
    response = client.get("/api/feed.atom?tag=nope")

    assert response.status_code == 404
    assert response.content_type == "application/json"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "ETag" not in response.headers
