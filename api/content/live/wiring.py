"""The content of one app: its repository, loaded at once, and its watcher, started with
the app's background work (in the process that serves, or in each forked worker).

Flask is only named here, never imported: the content layer knows nothing of HTTP; it
reads its settings from ``app.extensions`` and leaves its parts there (``content``,
``content_watcher``) for the rest of the app.
"""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING

from api.content.live.repository import ContentRepository
from api.content.live.watching import ContentWatcher
from api.content.model.snapshot import SnapshotOptions

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
    app.extensions["on_worker_start"].append(BackgroundStart(repository, watcher))
    return repository


class BackgroundStart:
    """Watch the content (if asked to); SIGHUP reloads it (in the process that owns signals).

    Called with ``in_worker=True`` in a forked worker, which first catches up with the disk
    (a stat pass: its parent may have loaded long ago) before it answers anything, so that
    no worker serves content older than the others do.
    """

    def __init__(self, repository: ContentRepository, watcher: ContentWatcher | None) -> None:
        self.repository = repository
        self.watcher = watcher

    def __call__(self, in_worker: bool) -> None:
        if self.watcher is not None:
            self.watcher.start(catch_up=self.repository.catch_up if in_worker else None)
        elif in_worker:
            self.repository.catch_up()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGHUP, lambda signum, frame: self.reload())

    def reload(self) -> None:
        """A full stat pass, off the signal handler's thread."""
        if self.watcher is not None:
            self.watcher.request_reload(None)
        else:
            threading.Thread(
                target=self.repository.reload, name="content-reload", daemon=True
            ).start()
