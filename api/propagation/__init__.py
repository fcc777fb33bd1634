"""Propagation: what happens after a new snapshot is live, outside this process.

file -> ``content`` -> ``changes`` -> here: caches are purged by key (``purging``),
front ends are told by signed webhooks once the caches are clean (``webhooks``),
and open ``/api/events`` streams hear of it (``events``). The repository calls
``Propagation`` in its reloader thread; it only records and queues, and one thread
of its own does the rest, so no reload or request ever waits on another machine.
Of the several workers of one replica, one propagates (``workers``).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from flask import Flask

from api.content.live.change import ContentChange
from api.propagation.event_hub import EventHub
from api.propagation.event_server import EventServer
from api.propagation.notice import is_public, merged
from api.propagation.purging import Purger
from api.propagation.sending import utc_now_text
from api.propagation.webhooks import WebhookSender
from api.propagation.workers import ReplicaWorkers
from api.settings import Settings
from api.tokens import bearer_matches

log = logging.getLogger(__name__)

SIBLINGS_TIMEOUT_SECONDS = 5.0  # longest wait for the other workers of this replica


class Propagation:
    """The repository's change listener: events at once, purges then webhooks in order."""

    def __init__(
        self,
        workers: ReplicaWorkers,
        hub: EventHub,
        purger: Purger | None = None,
        webhooks: WebhookSender | None = None,
        *,
        siblings_timeout: float = SIBLINGS_TIMEOUT_SECONDS,
    ) -> None:
        self.workers = workers
        self.hub = hub
        self.purger = purger
        self.webhooks = webhooks
        self.siblings_timeout = siblings_timeout
        self._condition = threading.Condition()
        self._pending: ContentChange | None = None
        self._busy = False
        self._thread: threading.Thread | None = None
        self._last: dict[str, Any] | None = None

    @property
    def sends(self) -> bool:
        return self.purger is not None or self.webhooks is not None

    def worker_started(self, version: str) -> None:
        """In each serving process once it runs: say what it serves; maybe take the lead.

        A leader that starts announces its version to the caches (a purge of no keys): a
        replica restarted on newer content would otherwise have every answer refused by a
        cache that still expects the version announced before the restart.
        """
        self._record(version)
        if self.purger is not None and self.workers.is_leader():
            self._enqueue(ContentChange.of(version, version))

    def __call__(self, change: ContentChange) -> None:
        """A new snapshot is live in this process (called in the reloader thread)."""
        self._record(change.version)
        self.hub.publish(change)
        if self.sends and self.workers.is_leader():
            self._enqueue(change)

    def _enqueue(self, change: ContentChange) -> None:
        with self._condition:
            self._pending = change if self._pending is None else merged(self._pending, change)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="content-propagation", daemon=True
                )
                self._thread.start()
            self._condition.notify_all()

    def status(self) -> dict[str, Any]:
        """JSON-able, for /healthz: the last change propagated, each cache and each hook."""
        if self.sends and not self.workers.is_leader():
            shared = self.workers.read_status()
            if shared is not None:
                return {**shared, "eventStreams": self.hub.open_streams()}
        return {**self._own_status(), "eventStreams": self.hub.open_streams()}

    def wait_idle(self, timeout: float) -> bool:
        """Whether everything queued was purged and handed to the hooks in time (tests)."""
        with self._condition:
            done = self._condition.wait_for(
                lambda: self._pending is None and not self._busy, timeout=timeout
            )
        return done and (self.webhooks is None or self.webhooks.wait_idle(timeout))

    def _record(self, version: str) -> None:
        try:
            self.workers.record(version)
        except OSError as error:
            log.warning("cannot record the served version for sibling workers: %s", error)

    def _run(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._pending is not None)
                change, self._pending = self._pending, None
                self._busy = True
            assert change is not None
            try:
                self._propagate(change)
            except Exception:  # the thread must outlive any one failure
                log.exception("propagating content %s failed", change.version[:12])
            with self._condition:
                self._busy = False
                self._condition.notify_all()

    def _propagate(self, change: ContentChange) -> None:
        """Once every worker of this replica serves it: purge, then tell the hooks."""
        deadline = time.monotonic() + self.siblings_timeout
        while True:
            behind = self.workers.wait_until_serving(
                change.version, deadline - time.monotonic(), give_up=self._has_pending
            )
            with self._condition:
                if self._pending is None:
                    break
                change, self._pending = merged(change, self._pending), None
        if behind:
            log.warning(
                "workers %s still serve another version than %s; propagating anyway",
                behind,
                change.version[:12],
            )
        purged = self.purger.purge(change) if self.purger is not None else True
        if self.webhooks is not None and is_public(change):
            self.webhooks.deliver(change)
        self._last = {
            "contentVersion": change.version,
            "previousVersion": change.previous_version,
            "keys": len(change.keys),
            "paths": len(change.paths),
            "purged": purged,
            "laggingWorkers": behind,
            "at": utc_now_text(),
        }
        self.share_status()

    def _has_pending(self) -> bool:
        return self._pending is not None

    def _own_status(self) -> dict[str, Any]:
        status: dict[str, Any] = {
            "purges": self.purger.status() if self.purger is not None else [],
            "webhooks": self.webhooks.status() if self.webhooks is not None else [],
        }
        if self._last is not None:
            status["lastChange"] = self._last
        return status

    def share_status(self) -> None:
        """Let the sibling workers show this leader's status in /healthz."""
        if self.sends:
            self.workers.write_status(self._own_status())


def init_app(app: Flask) -> Propagation:
    """Listen to the repository's changes; each serving process says what it serves (a hook
    in ``app.extensions["on_worker_start"]``)."""
    settings: Settings = app.extensions["settings"]
    repository = app.extensions["content"]
    hub = EventHub(
        heartbeat_seconds=settings.events_heartbeat_seconds,
        max_streams=settings.events_max_streams,
    )
    propagation = Propagation(
        ReplicaWorkers(),
        hub,
        Purger(settings.purge_urls) if settings.purge_urls else None,
        None,
    )
    if settings.webhook_urls and settings.webhook_secret:
        propagation.webhooks = WebhookSender(
            settings.webhook_urls, settings.webhook_secret, on_update=propagation.share_status
        )
    repository.subscribe(propagation)
    app.extensions["propagation"] = propagation
    app.extensions["events"] = hub

    def start_serving(in_worker: bool) -> None:
        """In each serving process: say what it serves; listen for event streams."""
        propagation.worker_started(repository.snapshot.version)
        if settings.events_port:  # 0 or unset: streams go through the WSGI server
            try:
                app.extensions["event_server"] = serve_events(app, settings, hub)
            except OSError as error:  # the port is taken: serve the API all the same
                log.error("cannot serve event streams on port %d: %s", settings.events_port, error)

    app.extensions["on_worker_start"].append(start_serving)
    return propagation


def serve_events(app: Flask, settings: Settings, hub: EventHub) -> EventServer:
    """``/api/events`` on ``EVENTS_PORT`` in this process (each worker: SO_REUSEPORT)."""
    assert settings.events_port
    server = EventServer(
        (settings.host, settings.events_port),
        hub,
        version=lambda: app.extensions["content"].snapshot.version,
        is_preview=lambda header: bearer_matches(header, settings.preview_token),
        cors_origins=settings.cors_origins,
    )
    server.start()
    log.info("event streams on http://%s:%d/api/events", settings.host, settings.events_port)
    return server
