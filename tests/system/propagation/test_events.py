"""``GET /api/events``: real clients on a real server, while the content changes on disk."""

from __future__ import annotations

import http.client
import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from api import create_app
from api.propagation.event_hub import EventHub
from tests.support.changes import change
from tests.support.servers import free_port, production_server
from tests.support.sites import BUNDLED_CONTENT
from tests.support.sse import EventReader
from tests.support.waiting import deadline, wait_until, within

TOKEN = "preview-please"
POST = "pages/blog/ai-security-and-the-end-of-silos.md"
DRAFT = "pages/blog/a-draft-in-progress.md"
DRAFT_TEXT = (
    "---\ntype: PostLayout\ntitle: A Draft\ndate: '2025-02-01'\nisDraft: true\n---\nSoon.\n"
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT, root)
    (root / DRAFT).write_text(DRAFT_TEXT)
    return root


@pytest.fixture
def server(site: Path):
    """The app on werkzeug's threaded server, watching ``site``; yields its port."""
    app = create_app(
        {"content_dir": site, "content_watch": True, "preview_token": TOKEN,
         "events_heartbeat_seconds": 0.5, "events_max_streams": 3}
    )  # fmt: skip
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield http.server_port, app
    finally:
        app.extensions["events"].close_all()
        app.extensions["content_watcher"].stop()
        http.shutdown()


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new, 1))


def test_public_and_preview_streams_hear_what_their_audience_may_see(server, site):
    port, app = server
    public = EventReader(port, {"Origin": "http://front.example"})
    preview = EventReader(port, {"Authorization": f"Bearer {TOKEN}"})
    try:
        assert public.status == preview.status == 200
        assert public.headers["content-type"].startswith("text/event-stream")
        assert public.headers["cache-control"] == "no-cache"
        assert public.headers["access-control-allow-origin"] == "*"
        assert preview.headers["cache-control"] == "private, no-store"
        opening = public.frame(2)
        assert opening is not None and opening[0] == "retry: 2000"
        assert preview.frame(2) is not None

        edit(site / POST, "title: ", "title: Edited ")
        public_event = public.next_event(5)
        preview_event = preview.next_event(5)
        version = app.extensions["content"].snapshot.version

        edit(site / DRAFT, "Soon.", "Sooner.")
        draft_event = preview.next_event(5)
        public_after_draft = [public.frame(0.8) for _ in range(3)]
    finally:
        public.close()
        preview.close()

    assert public_event is not None and public_event["event"] == "content"
    body = json.loads(public_event["data"])
    assert body["contentVersion"] == public_event["id"]
    assert "/blog/ai-security-and-the-end-of-silos" in body["changed"]["paths"]
    assert json.loads(preview_event["data"])["changed"] == body["changed"]
    assert draft_event is not None
    assert "/blog/a-draft-in-progress" in json.loads(draft_event["data"])["changed"]["paths"]
    assert json.loads(draft_event["data"])["previousVersion"] == version
    # The public stream heard nothing of the draft: heartbeats only.
    assert public_after_draft == [[": keep-alive"]] * 3


def test_streams_beyond_the_limit_are_refused_with_a_retry_after(server):
    port, _app = server
    readers = [EventReader(port) for _ in range(3)]
    try:
        refused = EventReader(port)
        body = refused.response.read()
        refused.close()
    finally:
        for reader in readers:
            reader.close()

    assert refused.status == 503
    assert refused.headers["retry-after"] == "5"
    assert json.loads(body)["code"] == 503


def test_a_client_that_went_away_frees_its_slot(server):
    port, app = server
    reader = EventReader(port)
    assert reader.frame(2) is not None
    assert app.extensions["events"].open_streams() == 1

    reader.close()
    wait_until(lambda: not app.extensions["events"].open_streams(), 5, step=0.1)  # a heartbeat

    assert app.extensions["events"].open_streams() == 0


def test_a_client_that_does_not_read_is_dropped_instead_of_buffered():
    hub = EventHub(heartbeat_seconds=0.1)
    stream = hub.open(preview=False, version="v0")
    assert stream is not None and next(stream).startswith(b"retry:")

    for number in range(300):
        hub.publish(change(f"v{number + 1}", f"v{number}", keys=("k",), paths=("/p",)))
    frames = list(stream)

    assert 0 < len(frames) < 300
    assert hub.open_streams() == 0


def test_with_an_events_port_streams_are_served_there_and_the_api_redirects(site):
    events_port = free_port()
    app = create_app(
        {"content_dir": site, "content_watch": True, "preview_token": TOKEN,
         "events_port": events_port, "events_heartbeat_seconds": 0.5}
    )  # fmt: skip
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    try:
        redirect = EventReader(http.server_port)
        redirect.close()
        public = EventReader(events_port, {"Origin": "http://front.example"})
        preview = EventReader(events_port, {"Authorization": f"Bearer {TOKEN}"})
        try:
            edit(site / DRAFT, "Soon.", "Sooner.")
            draft = preview.next_event(5)
            edit(site / POST, "title: ", "title: Edited ")
            events = [public.next_event(5), preview.next_event(5)]
        finally:
            public.close()
            preview.close()
    finally:
        app.extensions["content_watcher"].stop()
        app.extensions["event_server"].shutdown()
        app.extensions["event_server"].server_close()
        http.shutdown()

    assert redirect.status == 307
    assert redirect.headers["location"] == f"http://127.0.0.1:{events_port}/api/events"
    assert public.status == 200
    assert public.headers["content-type"].startswith("text/event-stream")
    assert public.headers["access-control-allow-origin"] == "*"
    assert preview.headers["cache-control"] == "private, no-store"
    assert draft is not None
    assert "/blog/a-draft-in-progress" in json.loads(draft["data"])["changed"]["paths"]
    for event in events:  # the public stream's first event is the post, not the draft
        assert event is not None
        paths = json.loads(event["data"])["changed"]["paths"]
        assert "/blog/ai-security-and-the-end-of-silos" in paths
        assert "/blog/a-draft-in-progress" not in paths


def test_make_serve_streams_on_its_events_port_without_holding_up_requests(
    site, tmp_path, monkeypatch
):
    events_port = free_port()
    monkeypatch.setenv("EVENTS_PORT", str(events_port))
    monkeypatch.setenv("EVENTS_HEARTBEAT_SECONDS", "1")
    with production_server(site, tmp_path / "cache", workers=2) as port:
        readers = [EventReader(events_port) for _ in range(6)]  # more than one per worker
        try:
            timings = []
            for _ in range(20):
                started = time.monotonic()
                status, _, _ = get(port, "/api/posts/ai-security-and-the-end-of-silos")
                timings.append((status, time.monotonic() - started))
            edit(site / POST, "title: ", "title: Edited ")
            events = [reader.next_event(10) for reader in readers]
        finally:
            for reader in readers:
                reader.close()

    assert all(status == 200 for status, _ in timings)
    assert max(seconds for _, seconds in timings) < within(2)  # none waited behind a stream
    for event in events:
        assert event is not None
        paths = json.loads(event["data"])["changed"]["paths"]
        assert "/blog/ai-security-and-the-end-of-silos" in paths


def get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline(5))
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()
