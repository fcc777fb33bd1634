"""``GET /api/events``: real clients on a real server, while the content changes on disk."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from api import create_app
from api.propagation.events import EventHub
from tests.conftest import BUNDLED_CONTENT
from tests.load.server import production_server
from tests.propagation.changes import change
from tests.propagation.sse import EventReader

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
    assert json.loads(draft_event["data"])["changed"]["paths"] == ["/blog/a-draft-in-progress"]
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
    deadline = time.monotonic() + 5
    while app.extensions["events"].open_streams() and time.monotonic() < deadline:
        time.sleep(0.1)  # noticed at the next heartbeat

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


def test_the_production_server_streams_without_holding_up_requests(site, tmp_path, monkeypatch):
    # Until api/serve.py reserves blocking threads for event streams (see the README's
    # "Deploying"), THREADS gives them: one for requests plus one per stream.
    monkeypatch.setenv("THREADS", "3")
    monkeypatch.setenv("EVENTS_HEARTBEAT_SECONDS", "1")
    with production_server(site, tmp_path / "cache", workers=1) as port:
        readers = [EventReader(port) for _ in range(2)]
        try:
            import http.client

            started = time.monotonic()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/posts/ai-security-and-the-end-of-silos")
            answered = connection.getresponse()
            answered.read()
            connection.close()
            waited = time.monotonic() - started
            edit(site / POST, "title: ", "title: Edited ")
            events = [reader.next_event(5) for reader in readers]
        finally:
            for reader in readers:
                reader.close()

    assert answered.status == 200 and waited < 2
    for event in events:
        assert event is not None
        assert (
            "/blog/ai-security-and-the-end-of-silos"
            in json.loads(event["data"])["changed"]["paths"]
        )
