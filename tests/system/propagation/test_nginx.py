"""deploy/nginx/content-api.conf on a real nginx, in front of a small origin that answers like
the content API: caching by Cache-Control, stale-while-revalidate with ETag revalidation,
previews bypassing the cache, event streams unbuffered."""

from __future__ import annotations

import time

import pytest

from tests.support.origin import Item, Origin, OriginHandler, first_event_chunk, serve
from tests.support.proxies import running_nginx
from tests.support.waiting import deadline


@pytest.fixture(scope="module")
def origin():
    state = Origin()
    state.items["/healthz"] = Item(b'{"status": "ok"}', cache_control="no-cache")
    with serve(OriginHandler, state) as url:
        state.url = url
        yield state


@pytest.fixture(scope="module")
def nginx(origin):
    with running_nginx([int(origin.url.rsplit(":", 1)[1])]) as proxy:
        yield proxy


def test_answers_are_kept_for_their_max_age(origin, nginx):
    origin.items["/api/posts/kept"] = Item(b'{"slug": "kept"}', tags="post-kept")

    first = nginx.request("/api/posts/kept")
    second = nginx.request("/api/posts/kept")

    assert (first[0], first[1]["x-cache"]) == (200, "MISS")
    assert (second[0], second[1]["x-cache"], second[2]) == (200, "HIT", b'{"slug": "kept"}')
    assert second[1]["etag"] == origin.items["/api/posts/kept"].etag
    assert len(origin.seen("/api/posts/kept")) == 1


def test_stale_answers_are_served_while_revalidated_with_the_etag(origin, nginx):
    item = Item(b'{"slug": "grace"}', cache_control="public, max-age=1, stale-while-revalidate=30")
    origin.items["/api/posts/grace"] = item
    nginx.request("/api/posts/grace")
    time.sleep(2.2)  # nginx counts validity in whole seconds

    stale = nginx.request("/api/posts/grace")
    give_up_at = time.monotonic() + deadline(5)
    while time.monotonic() < give_up_at and len(origin.seen("/api/posts/grace")) < 2:
        time.sleep(0.05)
    revalidation = origin.seen("/api/posts/grace")[-1]
    fresh = nginx.request("/api/posts/grace")

    assert (stale[0], stale[1]["x-cache"], stale[2]) == (200, "STALE", item.body)
    assert revalidation.headers.get("if-none-match") == item.etag  # answered 304
    assert fresh[1]["x-cache"] in ("HIT", "REVALIDATED")
    assert len(origin.seen("/api/posts/grace")) == 2


def test_previews_bypass_the_cache_and_private_answers_are_not_kept(origin, nginx):
    origin.items["/api/posts/public"] = Item(b'{"slug": "public"}')
    origin.items["/api/posts/draft"] = Item(b'{"slug": "draft"}', cache_control="private, no-store")
    nginx.request("/api/posts/public")

    preview = nginx.request("/api/posts/public", headers={"Authorization": "Bearer t"})
    after_preview = nginx.request("/api/posts/public")
    private = [nginx.request("/api/posts/draft")[1]["x-cache"] for _ in range(2)]

    assert preview[1]["x-cache"] == "BYPASS"
    assert after_preview[1]["x-cache"] == "HIT"
    assert "HIT" not in private
    assert len(origin.seen("/api/posts/public")) == 2
    assert len(origin.seen("/api/posts/draft")) == 2


def test_event_streams_pass_through_unbuffered(origin, nginx):
    received = first_event_chunk(origin, nginx.port)

    # (the first chunk came through while the origin held the second, let alone finished)
    assert b" 200 " in received.split(b"\r\n", 1)[0]
