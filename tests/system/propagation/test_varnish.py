"""deploy/varnish/content-api.vcl on a real Varnish, in front of a small origin that answers
like the content API: caching by Cache-Control, purging by content key, grace and ETag
revalidation, the version gate, and what must pass through."""

from __future__ import annotations

import time

import pytest

from tests.support.origin import Item, Origin, OriginHandler, first_event_chunk, serve
from tests.support.proxies import running_varnish
from tests.support.waiting import deadline, within


@pytest.fixture(scope="module")
def origin():
    state = Origin()
    state.items["/healthz"] = Item(b'{"status": "ok"}', cache_control="no-cache")
    with serve(OriginHandler, state) as url:
        state.url = url
        yield state


@pytest.fixture(scope="module")
def varnish(origin):
    port = int(origin.url.rsplit(":", 1)[1])
    with running_varnish([port, port]) as proxy:
        yield proxy


def fetches(origin: Origin, path: str) -> int:
    return len(origin.seen(path))


def test_answers_are_kept_for_their_max_age(origin, varnish):
    origin.items["/api/posts/kept"] = Item(b'{"slug": "kept"}', tags="post-kept,posts")

    first = varnish.request("/api/posts/kept")
    second = varnish.request("/api/posts/kept")

    assert (first[0], first[1]["x-cache"]) == (200, "MISS")
    assert (second[0], second[1]["x-cache"], second[2]) == (200, "HIT", b'{"slug": "kept"}')
    assert fetches(origin, "/api/posts/kept") == 1
    assert "xkey" not in second[1]  # the index is Varnish's own business
    assert second[1]["cache-tag"] == "post-kept,posts"


def test_a_purge_drops_exactly_the_answers_tagged_with_its_keys(origin, varnish):
    origin.items["/api/posts/a"] = Item(b'{"slug": "a"}', tags="post-a, posts")
    origin.items["/api/posts/b"] = Item(b'{"slug": "b"}', tags="post-b,posts")
    origin.items["/api/site"] = Item(b'{"site": 1}', tags="site")
    for path in ("/api/posts/a", "/api/posts/b", "/api/site"):
        varnish.request(path)

    status, _, body = varnish.purge("post-a")
    origin.items["/api/posts/a"] = Item(b'{"slug": "a", "edited": true}', tags="post-a,posts")
    after_a = {path: varnish.request(path) for path in ("/api/posts/a", "/api/posts/b")}
    varnish.purge("posts other-key")
    after_list = {
        path: varnish.request(path)[1]["x-cache"]
        for path in ("/api/posts/a", "/api/posts/b", "/api/site")
    }

    assert status == 200 and b"Purged 1<" in body  # one object: /api/posts/a
    assert after_a["/api/posts/a"][2] == b'{"slug": "a", "edited": true}'
    assert after_a["/api/posts/a"][1]["x-cache"] == "MISS"
    assert after_a["/api/posts/b"][1]["x-cache"] == "HIT"
    assert after_list == {"/api/posts/a": "MISS", "/api/posts/b": "MISS", "/api/site": "HIT"}


def test_only_the_replicas_may_purge(origin, varnish):
    origin.items["/api/posts/guarded"] = Item(b'{"slug": "guarded"}', tags="post-guarded")
    varnish.request("/api/posts/guarded")

    refused = varnish.purge("post-guarded", source="127.0.0.2")  # loopback, but not in the ACL

    assert refused[0] == 403
    assert varnish.request("/api/posts/guarded")[1]["x-cache"] == "HIT"


def test_stale_answers_are_served_while_revalidated_with_the_etag(origin, varnish):
    item = Item(b'{"slug": "grace"}', tags="post-grace",
                cache_control="public, max-age=1, stale-while-revalidate=30")  # fmt: skip
    origin.items["/api/posts/grace"] = item
    varnish.request("/api/posts/grace")
    time.sleep(1.5)  # max-age is over; stale-while-revalidate is not

    started = time.monotonic()
    stale = varnish.request("/api/posts/grace")
    answered_in = time.monotonic() - started
    give_up_at = time.monotonic() + deadline(5)
    while time.monotonic() < give_up_at and fetches(origin, "/api/posts/grace") < 2:
        time.sleep(0.05)
    revalidation = origin.seen("/api/posts/grace")[-1]
    fresh = varnish.request("/api/posts/grace")
    while time.monotonic() < give_up_at and int(fresh[1]["age"]) >= 1:  # the refresh lands
        time.sleep(0.05)
        fresh = varnish.request("/api/posts/grace")

    assert stale[0] == 200 and stale[1]["x-cache"] == "HIT" and stale[2] == item.body
    assert int(stale[1]["age"]) >= 1
    assert answered_in < within(1.0)  # not waiting for the origin
    assert revalidation.headers.get("if-none-match") == item.etag  # answered 304
    assert fresh[1]["x-cache"] == "HIT" and int(fresh[1]["age"]) < 1
    assert fetches(origin, "/api/posts/grace") == 2


def test_answers_of_another_version_than_the_announced_one_are_not_kept(origin, varnish):
    origin.items["/api/posts/versioned"] = Item(b'{"slug": "versioned"}', tags="post-versioned")
    origin.version = "v1"
    try:
        varnish.purge(version="v2")  # a replica announced v2; this origin still serves v1

        old = [varnish.request("/api/posts/versioned")[1]["x-cache"] for _ in range(2)]
        time.sleep(1.1)  # the 1 s hit-for-miss of the refused answer
        origin.version = "v2"
        new = [varnish.request("/api/posts/versioned")[1]["x-cache"] for _ in range(2)]
    finally:
        origin.version = "v1"
        varnish.purge(version="v1")

    assert old == ["PASS", "PASS"]
    assert new == ["MISS", "HIT"]
    assert fetches(origin, "/api/posts/versioned") == 3


def test_previews_and_private_answers_pass_through(origin, varnish):
    origin.items["/api/posts/draft"] = Item(b'{"slug": "draft"}', cache_control="private, no-store")
    origin.items["/api/posts/public"] = Item(b'{"slug": "public"}', tags="post-public")
    varnish.request("/api/posts/public")

    private = [varnish.request("/api/posts/draft")[1]["x-cache"] for _ in range(2)]
    preview = varnish.request("/api/posts/public", headers={"Authorization": "Bearer t"})

    assert "HIT" not in private
    assert fetches(origin, "/api/posts/draft") == 2
    assert preview[1]["x-cache"] != "HIT"
    assert fetches(origin, "/api/posts/public") == 2


def test_event_streams_pass_through_unbuffered(origin, varnish):
    received = first_event_chunk(origin, varnish.port)

    # (the first chunk came through while the origin held the second, let alone finished)
    assert b" 200 " in received.split(b"\r\n", 1)[0]
