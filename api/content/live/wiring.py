"""The content of one app: its repository, loaded at once, and its watcher, started with
the app's background work (in the process that serves, or in each forked worker).

Flask is only named here, never imported: the content layer knows nothing of HTTP; it
reads its settings from ``app.extensions`` and leaves its parts there (``content``,
``content_watcher``) for the rest of the app.

A warm start trusts the parse cache's record of each file whose inode, size and modification
time are unchanged, reading none of them (``api.content.live.on_disk``); the full check that
reads every file to catch what that trust missed runs in the background once the first answer
has gone out (or ``CHECK_AFTER_START_SECONDS`` after the start, if none is asked for), and on
SIGHUP.
"""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING

from api.content.live.repository import ContentRepository
from api.content.live.watching import ContentWatcher
from api.content.model.snapshot import SnapshotOptions

CHECK_AFTER_START_SECONDS = 30.0  # the full check after a trusting start, if nothing is asked

if TYPE_CHECKING:
    from flask import Flask

    from api.settings import Settings


def init_app(app: Flask) -> ContentRepository:
    """Load the content (``app.extensions["content"]``) and add the hook that starts keeping it
    up to date to ``app.extensions["on_worker_start"]``."""
    settings: Settings = app.extensions["settings"]
    repository = ContentRepository(
        settings.content_dir,
        max_file_bytes=settings.max_file_bytes,
        options=SnapshotOptions(
            hide_future_posts=settings.hide_future_posts, allow_raw_html=settings.allow_raw_html
        ),
        cache_dir=settings.parse_cache_dir,
    )
    repository.reload()  # the first load: every worker forked later shares it
    app.extensions["content"] = repository
    watcher = ContentWatcher(repository) if settings.content_watch else None
    if watcher is not None:
        app.extensions["content_watcher"] = watcher
    start = BackgroundStart(repository, watcher)
    app.extensions["on_worker_start"].append(start)
    app.after_request(start.after_answer)
    return repository


class BackgroundStart:
    """Watch the content (if asked to); SIGHUP checks it (in the process that owns signals).

    Called with ``in_worker=True`` in a forked worker, which first catches up with the disk
    (a stat pass: its parent may have loaded long ago) before it answers anything, so that
    no worker serves content older than the others do. After a start that trusted the parse
    cache's records, the full check runs once the first answer is out (``after_answer``).
    """

    def __init__(self, repository: ContentRepository, watcher: ContentWatcher | None) -> None:
        self.repository = repository
        self.watcher = watcher
        self._lock = threading.Lock()
        self._check_due = False  # a trusting start's full check, not yet asked for
        self._timer: threading.Timer | None = None

    def __call__(self, in_worker: bool) -> None:
        if self.watcher is not None:
            self.watcher.start(catch_up=self.repository.catch_up if in_worker else None)
        elif in_worker:
            self.repository.catch_up()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGHUP, lambda signum, frame: self.reload())
        if self.repository.trusted and self.repository.full_checks == 0:
            with self._lock:
                self._check_due = True
            self._timer = threading.Timer(CHECK_AFTER_START_SECONDS, self._start_check)
            self._timer.daemon = True
            self._timer.start()

    def after_answer(self, response: object) -> object:
        """Start the full check after the first answer (a Flask ``after_request`` hook: it is
        asked for when Flask's response is closed, and runs on the watcher's thread, so the
        answer waits for no file to be read)."""
        if self._check_due:
            response.call_on_close(self._start_check)  # type: ignore[attr-defined]
        return response

    def _start_check(self) -> None:
        with self._lock:
            if not self._check_due:
                return
            self._check_due = False
        if self._timer is not None:
            self._timer.cancel()
        self.reload()

    def reload(self) -> None:
        """The full check (every file read again), off the signal handler's thread."""
        if self.watcher is not None:
            self.watcher.request_reload(None, check=True)
        else:
            threading.Thread(
                target=self.repository.check, name="content-check", daemon=True
            ).start()
