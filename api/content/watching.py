"""Watching the content folder: a change on disk becomes a new snapshot, by itself.

File events (inotify through watchdog, or polling where events are unavailable)
only mark the content dirty; a reloader thread waits until the burst is over (a
``git pull`` touching 500 files is one reload), then reloads off the request
path. A reload that fails is logged and retried at the next change; the last
snapshot keeps serving.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

log = logging.getLogger(__name__)

QUIET_SECONDS = 0.15  # a burst is over after this long without events
MAX_DELAY_SECONDS = 0.6  # but never wait longer than this after its first event
POLL_SECONDS = 0.5


class Reloadable(Protocol):
    root: Path

    def reload(self) -> object: ...


class ContentWatcher(FileSystemEventHandler):
    def __init__(self, repository: Reloadable, *, polling: bool = False) -> None:
        self.repository = repository
        self.polling = polling
        self._changed = threading.Event()
        self._stopping = threading.Event()
        self._first_event = 0.0
        self._last_event = 0.0
        self._observer: BaseObserver | None = None
        self._thread: threading.Thread | None = None

    def start(self, check_first: Callable[[], bool] | None = None) -> None:
        """Start watching; falls back to polling when file events cannot be had.

        ``check_first`` (in the reloader thread, before anything else) says whether
        the content may have changed before the watching began: then it reloads.
        """
        self._observer = self._start_observer()
        self._thread = threading.Thread(
            target=self._run, args=(check_first,), name="content-reloader", daemon=True
        )
        self._thread.start()

    def _start_observer(self) -> BaseObserver:
        if not self.polling:
            try:
                observer: BaseObserver = Observer()
                observer.schedule(self, str(self.repository.root), recursive=True)
                observer.start()
                return observer
            except OSError as error:  # e.g. the inotify watch limit
                log.warning("file events unavailable (%s); polling every %ss", error, POLL_SECONDS)
        observer = PollingObserver(timeout=POLL_SECONDS)
        observer.schedule(self, str(self.repository.root), recursive=True)
        observer.start()
        return observer

    def stop(self) -> None:
        self._stopping.set()
        self._changed.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=2)
        if self._thread is not None:
            self._thread.join(timeout=2)

    def request_reload(self) -> None:
        """Reload soon, as if the files had changed (SIGHUP, a newly forked worker)."""
        now = time.monotonic()
        if not self._changed.is_set():
            self._first_event = now
        self._last_event = now
        self._changed.set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads change nothing
        self.request_reload()

    def _run(self, check_first: Callable[[], bool] | None = None) -> None:
        if check_first is not None and check_first():
            self.request_reload()
        while not self._stopping.is_set():
            self._changed.wait()
            if self._stopping.is_set():
                return
            self._wait_for_quiet()
            self._changed.clear()
            try:
                self.repository.reload()
            except Exception:  # a failed reload must not end the watching
                log.exception("reloading the content failed; still serving the last snapshot")

    def _wait_for_quiet(self) -> None:
        while not self._stopping.is_set():
            now = time.monotonic()
            quiet_at = self._last_event + QUIET_SECONDS
            deadline = self._first_event + MAX_DELAY_SECONDS
            if now >= quiet_at or now >= deadline:
                return
            time.sleep(min(quiet_at, deadline) - now)
