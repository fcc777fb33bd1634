"""``make serve``: the production server, granian, chosen by measurement (docs/decisions/).

The content is loaded once, here, before any worker exists (parsing in parallel
processes on a cold start, from the parse cache on a warm one); granian then
forks its workers, which share that snapshot's memory instead of each loading
the site again. Each worker then watches the content on its own, applying each
change to its snapshot incrementally. The search index is prepared meanwhile by a
process forked for it (``api.search.background_build``): it never delays the start.

Faults (see docs/operations/faults.md):

- A worker that dies (OOM killer, a crash, ``kill -9``) is replaced. The
  replacement is forked from this process, which holds the content as it was at
  start, so it catches up with the disk (a stat pass) before it answers: no
  worker serves older content than the others.
- SIGTERM (or SIGINT) stops gracefully: no new connections, the requests in
  flight finish (each worker gets ``SHUTDOWN_TIMEOUT`` seconds), exit status 0.
- SIGHUP keeps its meaning: reload the content, in every worker; it never
  restarts workers (granian's own meaning of SIGHUP).
- ``WORKER_LIFETIME`` and ``WORKER_MAX_RSS`` replace workers one at a time, the
  new one started before the old one stops.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gc
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from flask.cli import load_dotenv
from granian import Granian
from granian import _signals as granian_signals
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels

from api.app import create_app
from api.content.live.repository import ContentRepository
from api.logs import configure_logging
from api.memory import release_free_memory
from api.search import BackgroundBuild, IndexStore, start_search_build
from api.settings import ConfigError, Settings
from api.startup import check_content_dir, check_port_free
from api.version import VERSION
from api.web.delivery import MAX_HEADERS_BYTES

log = logging.getLogger("api.serve")


class ContentServer(Granian):  # type: ignore[misc, valid-type]
    """granian, with SIGHUP meaning "reload the content" instead of "restart the workers"."""

    search_build: BackgroundBuild | None = None

    def startup(self, *args: Any, **kwargs: Any) -> None:
        super().startup(*args, **kwargs)
        build = self.search_build
        if build is not None:  # the workers are forked: a thread may wait for the builder now
            threading.Thread(target=build.reap, name="search-builder-reaper", daemon=True).start()

    def signal_handler_reload(self, *args: Any, **kwargs: Any) -> None:
        for worker in list(self.wrks):
            pid = worker.inner.pid
            if pid is not None:
                # A worker that just died needs no signal: its replacement catches up itself.
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGHUP)


class ReporterLock:
    """One worker at a time logs content problems: the one holding this lock.

    Every worker applies every change, and each would log the same problems; an
    exclusive ``flock`` on a file made before the fork picks one. When it dies,
    the lock goes with it and its replacement takes it over.
    """

    def __init__(self) -> None:
        handle, self.path = tempfile.mkstemp(prefix="content-api-reporter-")
        os.close(handle)

    def take(self) -> bool:
        descriptor = os.open(self.path, os.O_RDWR)  # its own open file: its own lock
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(descriptor)
            return False
        return True  # the descriptor stays open for the life of the worker

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.path)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m api.serve",
        description="The production server (make serve): granian, one worker per core, over "
        "CONTENT_DIR. Every setting is an environment variable (CONTENT_DIR, HOST, PORT, "
        "WORKERS, SITE_URL...), read from the environment and a .env file in the working "
        "directory; docs/operations/configuration.md lists them all.",
    )
    parser.add_argument("--version", action="version", version=f"content-api {VERSION}")
    return parser.parse_args(argv)


def leave_interrupts_to_the_parent() -> None:
    """In a worker: ignore SIGINT, which a terminal's Ctrl+C sends to the whole process group.

    The parent stops its workers itself (SIGTERM, after the requests in flight), as it does
    for a SIGTERM of its own; a worker that also handles the terminal's SIGINT can miss the
    parent's stop and is killed after ``SHUTDOWN_TIMEOUT`` (30 s). granian installs its
    worker signal handlers after this runs, so its list of signals is narrowed to SIGTERM.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    granian_signals._get_signals = lambda: [signal.SIGTERM]


def stop_at_once_while_starting() -> None:
    """In a worker, until granian takes its signals over: a SIGTERM ends the worker at once.

    A worker inherits the parent's handlers, which in the worker only set a flag nobody reads:
    the parent's stop (Ctrl+C while a worker is still catching up, on a busy machine) was lost,
    and the worker, once up, served on until killed after ``SHUTDOWN_TIMEOUT`` (30 s). It has
    answered no request yet: there is nothing to finish.
    """
    signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(0))


def start_search_index(
    settings: Settings, repository: ContentRepository
) -> tuple[BackgroundBuild | None, Path | None]:
    """Fork the process that prepares the search index (no thread runs yet), in a directory
    the workers open when they first search: on disk beside the parse cache, kept for the
    next start, or in a temporary folder (removed at exit) when there is no cache or it
    cannot be written. The build, and the temporary folder if one was made."""
    snapshot, served = repository.snapshot, repository.served
    if settings.parse_cache_dir is not None:
        store = IndexStore.beside_parse_cache(settings.parse_cache_dir, settings.content_dir)
        try:
            return start_search_build(snapshot, store, served), None
        except OSError as error:
            log.warning(
                "cannot keep the search index in %s (%s): it is kept in a temporary folder "
                "until the server stops",
                store.folder,
                error.strerror or error,
            )
    temporary = None
    try:
        temporary = Path(tempfile.mkdtemp(prefix="content-api-search-"))
        return start_search_build(snapshot, IndexStore(temporary), served), temporary
    except OSError as error:  # each worker builds the index in its own memory
        log.warning("no folder for the search index (%s): each worker builds its own", error)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
        return None, None


def main(argv: list[str] | None = None) -> int:
    parse_arguments(argv)  # --help and --version print and exit; the settings are variables
    load_dotenv()  # a .env file in the working directory, as every entry point reads it
    configure_logging()
    try:
        settings = Settings.from_env()
        check_content_dir(settings.content_dir)
        check_port_free(settings.host, settings.port)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    workers = settings.workers or os.cpu_count() or 1
    overrides = {}
    if settings.events_port is None:
        # Event streams get their own port beside granian's (the API's /api/events redirects
        # there), so that open streams take no granian thread from ordinary requests.
        overrides["events_port"] = settings.port + 1
    app = create_app(overrides, start_background=False)
    # Loading and indexing leave tens of MiB freed in the heap: without a trim the parent keeps
    # them resident and every worker's share of the parent counts them again.
    release_free_memory()
    # Everything loaded so far lives as long as the process: out of the cyclic GC's sight,
    # and so shared with the forked workers instead of copied by the GC's bookkeeping.
    gc.freeze()
    search_build, temporary_store = start_search_index(settings, app.extensions["content"])
    # granian answers 431 itself to request headers over MAX_HEADERS_BYTES, before Python
    # sees them; the delivery layer need not measure them again on every request.
    app.wsgi_app.check_header_sizes = False  # type: ignore[attr-defined]
    reporter = ReporterLock()

    def worker_app() -> object:
        """Runs in each worker after the fork: catch up with the disk, watch, then serve."""
        stop_at_once_while_starting()
        leave_interrupts_to_the_parent()
        repository = app.extensions["content"]
        repository.reporter = reporter.take()
        for hook in app.extensions["on_worker_start"]:
            hook(True)  # the catch-up runs here, before the worker takes any request
        log.info(
            "worker %d serving content %s",
            os.getpid(),
            repository.snapshot.version[:12],
        )
        return app.wsgi_app  # the delivery layer itself: one call less per request

    files = len(app.extensions["content"].served or {})
    print(
        f"serving {settings.content_dir.resolve()} ({files} file{'s' * (files != 1)}) "
        f"on http://{settings.host}:{settings.port} "
        f"with {workers} granian worker{'s' * (workers != 1)} "
        f"of {max(settings.threads, 1)} thread{'s' * (settings.threads > 1)}",
        flush=True,
    )
    server = ContentServer(
        "api.serve:app",
        address=settings.host,
        port=settings.port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=max(settings.threads, 1),
        backpressure=max(settings.threads, 1) * 64,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(max_buffer_size=MAX_HEADERS_BYTES),
        websockets=False,
        log_level=LogLevels.warning,
        respawn_failed_workers=True,
        workers_kill_timeout=settings.shutdown_timeout or None,
        workers_lifetime=settings.worker_lifetime or None,
        workers_max_rss=settings.worker_max_rss or None,
    )
    server.search_build = search_build
    try:
        server.serve(target_loader=worker_app, wrap_loader=False)
    finally:
        reporter.remove()
        if search_build is not None:
            search_build.stop()
        if temporary_store is not None:
            shutil.rmtree(temporary_store, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
