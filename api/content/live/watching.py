"""Watching the content folder: a change on disk becomes a new snapshot, by itself.

File events (inotify through watchdog, or polling where events are unavailable)
name the paths that changed; a reloader thread waits until the burst is over (a
``git pull`` touching 500 files is one reload) and reloads exactly those paths,
off the request path. Events that arrive during a reload wait for the next one.
A full stat pass stands in where events cannot be trusted to be complete: a
burst too large to list (or for the kernel's event queue), the folder coming
back after it was gone (or replaced by another), and a periodic safety check. A
SIGHUP asks for more, the full check: every file read again (``check=True``),
as after a warm start that trusted the parse cache's records. A reload that
fails is logged and retried at the next change; the last snapshot keeps serving.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from api.memory import release_free_memory

log = logging.getLogger(__name__)

QUIET_SECONDS = 0.1  # a burst is over after this long without events
MAX_DELAY_SECONDS = 0.4  # but never wait longer than this after its first event
POLL_SECONDS = 0.5
FOLDER_CHECK_SECONDS = 0.5  # how often a missing content folder is looked for
SAFETY_CHECK_SECONDS = 300.0  # a full stat pass, in case an event was ever lost
MAX_RETRY_SECONDS = 300.0  # a failed reload is tried again after 2, 4, 8 ... s, at most this
MAX_LISTED_PATHS = 20_000  # a larger burst is reloaded by a full stat pass instead
QUEUED_EVENTS_FILE = "/proc/sys/fs/inotify/max_queued_events"
WATCHER_FAULT = "watcher"


class Reloadable(Protocol):
    root: Path

    def reload(self, paths: Iterable[str] | None = None, *, reread: bool = False) -> object: ...

    def set_fault(self, cause: str, message: str | None) -> None: ...


class ContentWatcher(FileSystemEventHandler):
    def __init__(
        self,
        repository: Reloadable,
        *,
        polling: bool = False,
        safety_check_seconds: float = SAFETY_CHECK_SECONDS,
    ) -> None:
        self.repository = repository
        self.polling = polling
        self.safety_check_seconds = safety_check_seconds
        self._root = os.path.realpath(repository.root)
        self._lock = threading.Lock()
        self._paths: set[str] = set()
        self._full = False  # the next reload is a full stat pass
        self._check = False  # the next full pass reads every file (``repository.check``)
        self._changed = threading.Event()
        self._stopping = threading.Event()
        self._first_event = 0.0
        self._last_event = 0.0
        self._observer: BaseObserver | None = None
        self._thread: threading.Thread | None = None
        self._missing = False  # the content folder is gone
        self._failures = 0  # reloads failed in a row (each retried, later and later)
        self._watched: tuple[int, int] | None = None  # (device, inode) of the folder watched
        # inotify drops events past its queue, and watchdog drops the overflow notice: a burst
        # of more than half that many events ends with a full stat pass.
        self._events = 0  # events since the last quiet moment
        self._suspect_events = _kernel_event_queue() // 2
        self._may_have_lost = False

    def start(self, catch_up: Callable[[], object] | None = None) -> None:
        """Start watching, then run ``catch_up`` (a full pass for a forked worker) before the
        reloader thread starts: events from the moment watching began are not lost."""
        self._observer = self._start_observer()
        if catch_up is not None:
            catch_up()
        self._thread = threading.Thread(target=self._run, name="content-reloader", daemon=True)
        self._thread.start()

    def _start_observer(self) -> BaseObserver | None:
        self._root = os.path.realpath(self.repository.root)
        self._watched = _identity(self._root)
        if not os.path.isdir(self._root):
            return None  # the reloader looks for the folder until it is back
        if not self.polling:
            try:
                observer: BaseObserver = Observer()
                observer.schedule(self, self._root, recursive=True)
                observer.start()
                self.repository.set_fault(WATCHER_FAULT, None)
                return observer
            except OSError as error:  # e.g. the inotify watch limit
                message = (
                    f"file events unavailable ({error}); polling the content folder "
                    f"every {POLL_SECONDS} s"
                )
                self.repository.set_fault(WATCHER_FAULT, message)
        observer = PollingObserver(timeout=POLL_SECONDS)
        observer.schedule(self, self._root, recursive=True)
        observer.start()
        return observer

    def stop(self) -> None:
        self._stopping.set()
        self._changed.set()
        self._stop_observer()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _stop_observer(self) -> None:
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            if observer is not threading.current_thread():
                observer.join(timeout=2)

    def request_reload(self, paths: Iterable[str] | None = None, *, check: bool = False) -> None:
        """Reload soon: ``paths`` (relative to the root), or a full stat pass when ``None``;
        ``check``: the full check, every file read (SIGHUP, and after a start that trusted the
        parse cache). Safe from a signal handler: it only records and sets an event."""
        now = time.monotonic()
        with self._lock:
            self._check |= check
            if paths is None or check:
                self._full = True
            else:
                self._paths.update(paths)
                if len(self._paths) > MAX_LISTED_PATHS:
                    self._full, self._paths = True, set()
            if not self._changed.is_set():
                self._first_event = now
            self._last_event = now
        self._changed.set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._events += 1
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads change nothing
        if event.is_directory and event.event_type in ("modified", "closed"):
            return  # a folder's own times: the events of the files in it say what changed
        paths = [event.src_path, getattr(event, "dest_path", "")]
        relative = [self._relative(path) for path in paths if path]
        if any(path == "" for path in relative):
            self.request_reload(None)  # the folder itself: look at everything
            return
        wanted = [path for path in relative if path is not None]
        if wanted:
            self.request_reload(wanted)

    def _relative(self, path: str | bytes) -> str | None:
        text = os.fsdecode(path)
        relative = os.path.relpath(text, self._root)
        if relative == ".":
            return ""
        if relative.startswith(".."):
            return None
        return relative.replace(os.sep, "/")

    def _run(self) -> None:
        next_check = time.monotonic() + self.safety_check_seconds
        while not self._stopping.is_set():
            fired = self._changed.wait(FOLDER_CHECK_SECONDS)
            if self._stopping.is_set():
                return
            if self._observer is None or not os.path.isdir(self._root) or self._replaced():
                self._check_folder()
                continue
            if not self._observer.is_alive():  # its events are lost: look at everything
                self._restart_observer("the file watcher stopped")
                self._reload(None)
                continue
            if not fired:
                with self._lock:  # quiet now: a burst that overflowed ends with a full pass
                    lost, self._may_have_lost = self._may_have_lost, False
                    if lost:
                        self._events = 0
                if lost or time.monotonic() >= next_check:
                    next_check = time.monotonic() + self.safety_check_seconds
                    self._reload(None)
                continue
            quiet = self._wait_for_quiet()
            with self._lock:
                paths, full, check = self._paths, self._full, self._check
                self._paths, self._full, self._check = set(), False, False
                self._changed.clear()
                self._may_have_lost |= self._events > self._suspect_events
                if quiet:
                    full |= self._may_have_lost
                    self._may_have_lost, self._events = False, 0
            self._reload(None if full else paths, reread=check)

    def _replaced(self) -> bool:
        """Whether CONTENT_DIR is now another folder than the one watched (two renames, or a
        symlink pointed elsewhere, faster than a folder check): its events never come."""
        return _identity(self.repository.root) != self._watched

    def _check_folder(self) -> None:
        """While the folder is gone: keep serving, look for it, watch it again once it is back
        (a full check asked for meanwhile stays asked for: it runs once the folder is back)."""
        with self._lock:
            self._paths, self._full = set(), False
            self._changed.clear()
        if os.path.isdir(os.path.realpath(self.repository.root)):
            self._restart_observer(None)
            self._missing = False
            with self._lock:
                check, self._check = self._check, False
            self._reload(None, reread=check)
        elif not self._missing:
            self._missing = True
            self._stop_observer()
            self._reload(None)  # records the fault (logged once) and keeps the last snapshot

    def _restart_observer(self, reason: str | None) -> None:
        if reason:
            self.repository.set_fault(WATCHER_FAULT, f"{reason}; watching again")
        self._stop_observer()
        self._observer = self._start_observer()

    def _reload(self, paths: Iterable[str] | None, *, reread: bool = False) -> None:
        try:
            self.repository.reload(paths, reread=reread)
        except Exception:  # a failed reload must not end the watching
            self._failures += 1
            delay = min(MAX_RETRY_SECONDS, 2.0**self._failures)
            log.exception(
                "reloading the content failed; still serving the last snapshot, "
                "trying again from scratch in %.0f s",
                delay,
            )
            # a failed full check is retried as one: the records a start trusted get checked
            retry = threading.Timer(
                delay, lambda: self.request_reload(None, check=reread and paths is None)
            )
            retry.daemon = True
            retry.start()
        else:
            self._failures = 0
            release_free_memory()  # the previous snapshot's indexes, freed (see api.memory)

    def _wait_for_quiet(self) -> bool:
        """Until the burst is quiet (``True``) or has waited long enough (``False``)."""
        while not self._stopping.is_set():
            with self._lock:
                quiet_at = self._last_event + QUIET_SECONDS
                deadline = self._first_event + MAX_DELAY_SECONDS
            now = time.monotonic()
            if now >= quiet_at:
                return True
            if now >= deadline:
                return False
            time.sleep(min(quiet_at, deadline) - now)
        return False


def _identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def _kernel_event_queue() -> int:
    """How many events inotify queues before it drops the rest (Linux; 16384 by default)."""
    try:
        with open(QUEUED_EVENTS_FILE, encoding="ascii") as handle:
            return int(handle.read())
    except (OSError, ValueError):
        return 16384
