"""The ``/api/events`` streams of one worker: Server-Sent Events fed by content changes.

Each open stream has its own queue; ``publish`` (in the reloader thread) only
appends an already-encoded frame to each queue, so it never waits on a client. A
stream's iterator waits on its queue and sends a comment line when nothing came
for ``heartbeat`` seconds, which keeps proxies from closing an idle connection and
lets the server notice a client that went away. A public stream hears only of
changes the public can see; a preview stream hears of drafts too. A client too
slow to read its events is dropped (it reconnects, as EventSource does by itself)
instead of holding their bytes without bound.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

from api.content.live.change import ContentChange
from api.propagation.notice import change_body, is_public

RETRY_MILLISECONDS = 2000  # how soon EventSource reconnects after a drop
MAX_QUEUED_FRAMES = 256
_CLOSE = b""


def event_frame(change: ContentChange, *, preview: bool) -> bytes:
    """``id:`` the version, ``event: content``, ``data:`` the webhook body (one JSON line)."""
    body = change_body(change, preview=preview)
    return b"id: %s\nevent: content\ndata: %s\n\n" % (change.version.encode(), body)


class EventHub:
    def __init__(self, *, heartbeat_seconds: float = 15.0, max_streams: int = 64) -> None:
        self.heartbeat_seconds = heartbeat_seconds
        self.max_streams = max_streams
        self._lock = threading.Lock()
        self._streams: set[EventStream] = set()

    def open(self, *, preview: bool, version: str) -> EventStream | None:
        """A new stream, or None when this worker already serves ``max_streams`` of them."""
        with self._lock:
            if len(self._streams) >= self.max_streams:
                return None
            stream = EventStream(self, preview=preview, version=version)
            self._streams.add(stream)
            return stream

    def publish(self, change: ContentChange) -> None:
        """Queue ``change`` on every open stream that may hear of it; never waits."""
        with self._lock:
            streams = list(self._streams)
        if not streams:
            return
        public = None
        if any(not stream.preview for stream in streams) and is_public(change):
            public = event_frame(change, preview=False)
        preview = None  # its keys and paths take a sort of every page: only for preview streams
        if any(stream.preview for stream in streams) and (
            change.preview_keys or change.preview_paths
        ):
            preview = event_frame(change, preview=True)
        for stream in streams:
            frame = preview if stream.preview else public
            if frame is not None:
                stream.push(frame)

    def open_streams(self) -> int:
        with self._lock:
            return len(self._streams)

    def close_all(self) -> None:
        """End every stream at its next wake-up (server shutdown, tests)."""
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.push(_CLOSE)

    def _forget(self, stream: EventStream) -> None:
        with self._lock:
            self._streams.discard(stream)


class EventStream:
    """A WSGI response body that never ends by itself: frames as they come, heartbeats between."""

    def __init__(self, hub: EventHub, *, preview: bool, version: str) -> None:
        self.hub = hub
        self.preview = preview
        self._queue: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self._closed = False
        self._opening = b"retry: %d\n: connected, content %s\n\n" % (
            RETRY_MILLISECONDS,
            version.encode(),
        )

    def push(self, frame: bytes) -> None:
        if self._queue.qsize() >= MAX_QUEUED_FRAMES:
            frame = _CLOSE  # the client does not keep up: end the stream, it will reconnect
        self._queue.put(frame)

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._opening:
            opening, self._opening = self._opening, b""
            return opening
        if self._closed:
            raise StopIteration
        try:
            frame = self._queue.get(timeout=self.hub.heartbeat_seconds)
        except queue.Empty:
            return b": keep-alive\n\n"
        if frame is _CLOSE or not frame:
            self.close()
            raise StopIteration
        return frame

    def close(self) -> None:
        """Called by the server when the client went away (or by us): frees the slot."""
        self._closed = True
        self.hub._forget(self)
