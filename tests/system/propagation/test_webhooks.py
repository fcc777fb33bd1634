"""Webhooks against real receivers on 127.0.0.1: body, signature, retries with back-off, slow
and unreachable receivers, and what is reported."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import logging
import threading
import time

import pytest

from api.propagation.webhooks import WebhookSender
from tests.support.changes import change
from tests.support.origin import Receiver, ReceiverHandler, serve, unreachable_url
from tests.support.waiting import deadline, wait_for, wait_until, within

SECRET = "s3cr3t-do-not-leak"


@pytest.fixture
def receiver():
    state = Receiver()
    with serve(ReceiverHandler, state) as url:
        state.url = f"{url}/hooks/content?token=abc"
        yield state


def expected_signature(body: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_a_change_is_posted_signed_with_the_secret(receiver):
    hooks = WebhookSender([receiver.url], SECRET)

    hooks.deliver(change("v2", "v1", keys=("post-b", "post-a"), paths=("/blog/b", "/blog/a")))
    assert hooks.wait_idle(deadline(5))

    [post] = receiver.all()
    assert (post.method, post.path) == ("POST", "/hooks/content?token=abc")
    assert json.loads(post.body) == {
        "contentVersion": "v2",
        "previousVersion": "v1",
        "changed": {"paths": ["/blog/a", "/blog/b"], "keys": ["post-a", "post-b"]},
    }
    assert post.headers["content-type"] == "application/json"
    assert post.headers["x-content-signature"] == expected_signature(post.body)
    assert SECRET not in repr(post.headers) and SECRET.encode() not in post.body
    [status] = hooks.status()
    assert status["url"] == f"{receiver.url.split('?')[0]}"  # no query: tokens live there
    assert status["lastDelivery"]["state"] == "delivered"
    assert (status["lastDelivery"]["httpStatus"], status["delivered"]) == (200, 1)
    assert SECRET not in json.dumps(hooks.status())


def test_a_failing_receiver_is_retried_with_backoff_then_given_up_and_reported(receiver, caplog):
    receiver.status = 500
    hooks = WebhookSender([receiver.url], SECRET, tries=5, first_backoff=0.1)
    caplog.set_level(logging.DEBUG)

    hooks.deliver(change("v2", "v1", keys=("post-a",), paths=("/blog/a",)))
    assert hooks.wait_idle(deadline(10))
    tries = receiver.all()
    [status] = hooks.status()

    assert len(tries) == 5
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(tries)]
    for gap, wait in zip(gaps, [0.1, 0.2, 0.4, 0.8], strict=True):
        assert gap >= wait * 0.9, gaps  # exponential back-off
    assert len({t.body for t in tries}) == 1  # the same signed body each time
    assert status["lastDelivery"]["state"] == "failed"
    assert status["lastDelivery"]["attempts"] == 5
    assert status["lastDelivery"]["error"] == "answered 500"
    assert status["failed"] == 1
    assert "gave up on content v2 after 5 tries" in caplog.text
    assert SECRET not in caplog.text

    # What it missed comes with the next delivery, once it answers again.
    receiver.status = 200
    hooks.deliver(change("v3", "v2", keys=("post-c",), paths=("/blog/c",)))
    assert hooks.wait_idle(deadline(10))
    body = json.loads(receiver.all()[-1].body)
    assert body == {
        "contentVersion": "v3",
        "previousVersion": "v1",
        "changed": {"paths": ["/blog/a", "/blog/c"], "keys": ["post-a", "post-c"]},
    }
    assert hooks.status()[0]["lastDelivery"]["state"] == "delivered"


def test_a_refusal_that_will_not_change_is_not_retried(receiver):
    receiver.status = 401
    hooks = WebhookSender([receiver.url], SECRET, tries=5, first_backoff=0.01)

    hooks.deliver(change("v2", "v1", keys=("post-a",)))
    assert hooks.wait_idle(deadline(5))

    assert len(receiver.all()) == 1
    assert hooks.status()[0]["lastDelivery"]["error"] == "answered 401"


def test_slow_and_unreachable_receivers_delay_no_one(receiver):
    slow = Receiver(hold=threading.Event())  # answers when released: after every timeout
    with serve(ReceiverHandler, slow) as slow_url:
        dead = unreachable_url()
        timeout = deadline(0.5)  # long enough for the good receiver to answer
        hooks = WebhookSender(
            [f"{slow_url}/slow", dead, receiver.url], SECRET, timeout=timeout, tries=2,
            first_backoff=0.05,
        )  # fmt: skip

        started = time.monotonic()
        hooks.deliver(change("v2", "v1", keys=("post-a",)))
        returned_after = time.monotonic() - started
        wait_until(receiver.all, 2, step=0.01)
        good_after = time.monotonic() - started
        assert hooks.wait_idle(deadline(10))
        statuses = {status["url"]: status["lastDelivery"] for status in hooks.status()}
        slow.hold.set()

    assert returned_after < within(0.1)
    assert good_after < timeout  # not behind the slow one's timeouts
    assert statuses[f"{slow_url}/slow"]["state"] == "failed"
    assert statuses[f"{slow_url}/slow"]["error"] == "timed out"
    assert statuses[dead]["state"] == "failed"
    assert statuses[dead]["error"] == "connection refused"
    assert statuses[dead]["attempts"] == 2
    assert statuses[receiver.url.split("?")[0]]["state"] == "delivered"


def test_changes_queued_behind_a_slow_delivery_are_folded_into_one(receiver):
    receiver.hold = threading.Event()  # the receiver answers once it is set
    hooks = WebhookSender([receiver.url], SECRET)

    hooks.deliver(change("v2", "v1", keys=("a",), paths=("/a",)))
    wait_for(receiver.all)  # v2 is being delivered
    hooks.deliver(change("v3", "v2", keys=("b",), paths=("/b",)))
    hooks.deliver(change("v4", "v3", keys=("c",), paths=("/c",)))
    receiver.hold.set()
    assert hooks.wait_idle(deadline(5))

    bodies = [json.loads(post.body) for post in receiver.all()]
    assert [(b["previousVersion"], b["contentVersion"]) for b in bodies] == [
        ("v1", "v2"),
        ("v2", "v4"),
    ]
    assert bodies[1]["changed"] == {"paths": ["/b", "/c"], "keys": ["b", "c"]}
