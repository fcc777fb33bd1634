"""Purges against a real receiver: the xkey request, batching, the confirming second round,
failures reported; and the order the contract promises: webhooks only after the purge."""

from __future__ import annotations

import json
import time

import pytest

from api.propagation import Propagation
from api.propagation.event_hub import EventHub
from api.propagation.purging import MAX_KEYS_HEADER_BYTES, Purger
from api.propagation.webhooks import WebhookSender
from api.propagation.workers import ReplicaWorkers
from tests.support.changes import change
from tests.support.origin import Receiver, ReceiverHandler, serve, unreachable_url
from tests.support.waiting import deadline, within


@pytest.fixture
def cache():
    state = Receiver()
    with serve(ReceiverHandler, state) as url:
        state.url = f"{url}/"
        yield state


def test_a_purge_names_the_changed_keys_and_the_new_version_twice(cache):
    purger = Purger([cache.url], confirm_after=0.2)

    acknowledged = purger.purge(change("v2", "v1", keys=("post-b", "post-a", "posts")))

    first, confirm = cache.all()
    assert acknowledged
    for request in (first, confirm):
        assert (request.method, request.path) == ("PURGE", "/")
        assert request.headers["xkey-purge"] == "post-a post-b posts"
        assert request.headers["x-content-version"] == "v2"
    assert confirm.at - first.at >= 0.2
    [status] = purger.status()
    assert (status["state"], status["httpStatus"], status["contentVersion"]) == (
        "acknowledged",
        200,
        "v2",
    )


def test_a_change_without_public_keys_still_announces_its_version(cache):
    Purger([cache.url], confirm_after=0).purge(change("v2", "v1", drafts=("draft-a",)))

    [request] = cache.all()
    assert "xkey-purge" not in request.headers
    assert request.headers["x-content-version"] == "v2"


def test_many_keys_go_in_several_requests_of_bounded_size(cache):
    keys = tuple(f"post-{n:05d}-with-a-longer-key" for n in range(600))

    Purger([cache.url], confirm_after=0).purge(change("v2", "v1", keys=keys))

    sent = [request.headers["xkey-purge"] for request in cache.all()]
    assert len(sent) > 1
    assert all(len(header) <= MAX_KEYS_HEADER_BYTES for header in sent)
    assert sorted(key for header in sent for key in header.split(" ")) == sorted(keys)


def test_unusable_keys_are_left_out_rather_than_split(cache):
    Purger([cache.url], confirm_after=0).purge(
        change("v2", "v1", keys=("good", "has space", "has,comma", "über"))
    )

    assert cache.all()[0].headers["xkey-purge"] == "good"


def test_failures_are_retried_then_reported(cache):
    cache.status = 503
    dead = unreachable_url()
    purger = Purger([cache.url, dead], tries=3, first_backoff=0.05, confirm_after=0)

    acknowledged = purger.purge(change("v2", "v1", keys=("post-a",)))

    assert not acknowledged
    assert len(cache.all()) == 3
    statuses = {status["url"]: status for status in purger.status()}
    assert statuses[cache.url]["state"] == "failed"
    assert statuses[cache.url]["error"] == "answered 503"
    assert statuses[dead]["error"] == "connection refused"
    assert statuses[dead]["attempts"] == 3
    json.dumps(purger.status())


def test_webhooks_go_out_after_the_purge_is_acknowledged_and_never_block_the_reload(
    cache, tmp_path
):
    cache.delay = 0.3  # the cache takes its time to acknowledge
    hook = Receiver()
    with serve(ReceiverHandler, hook) as hook_url:
        webhooks = WebhookSender([f"{hook_url}/hook"], "secret")
        propagation = Propagation(
            ReplicaWorkers(tmp_path),
            EventHub(),
            Purger([cache.url], confirm_after=0.1),
            webhooks,
        )

        started = time.monotonic()
        propagation(change("v2", "v1", keys=("post-a",), paths=("/blog/a",)))
        returned_after = time.monotonic() - started
        assert propagation.wait_idle(deadline(10))
        propagation(change("v3", "v2", drafts=("draft-b",)))  # nothing public changed
        assert propagation.wait_idle(deadline(10))

    purges = cache.all()
    [webhook] = hook.all()
    assert returned_after < within(0.05)
    assert [p.headers["x-content-version"] for p in purges] == ["v2", "v2", "v3", "v3"]
    acknowledged_at = purges[1].at + cache.delay  # the confirming round's answer
    assert webhook.at >= acknowledged_at
    assert json.loads(webhook.body)["contentVersion"] == "v2"
    status = propagation.status()
    assert status["lastChange"]["contentVersion"] == "v3"
    assert status["lastChange"]["purged"] is True
    assert status["purges"][0]["state"] == "acknowledged"
    assert status["webhooks"][0]["lastDelivery"]["contentVersion"] == "v2"
    assert "secret" not in json.dumps(status)


def test_a_starting_leader_announces_its_version_to_the_caches(cache, tmp_path):
    hook = Receiver()
    with serve(ReceiverHandler, hook) as hook_url:
        propagation = Propagation(
            ReplicaWorkers(tmp_path),
            EventHub(),
            Purger([cache.url], confirm_after=0),
            WebhookSender([f"{hook_url}/hook"], "secret"),
        )

        propagation.worker_started("v7")
        assert propagation.wait_idle(deadline(10))

    [announcement] = cache.all()
    assert announcement.headers["x-content-version"] == "v7"
    assert "xkey-purge" not in announcement.headers  # nothing is known to have changed
    assert hook.all() == []  # nothing to tell front ends


def test_a_draft_saved_tells_the_caches_but_no_front_end(cache, tmp_path):
    hook = Receiver()
    with serve(ReceiverHandler, hook) as hook_url:
        propagation = Propagation(
            ReplicaWorkers(tmp_path),
            EventHub(),
            Purger([cache.url], confirm_after=0),
            WebhookSender([f"{hook_url}/hook"], "secret"),
        )

        # Only the key of the version itself changed for the public: a draft was saved.
        propagation(change("v2", "v1", keys=("version",), drafts=("pdraft", "/blog/draft")))
        assert propagation.wait_idle(deadline(10))

    [purge] = cache.all()
    assert purge.headers["xkey-purge"] == "version"
    assert hook.all() == []
