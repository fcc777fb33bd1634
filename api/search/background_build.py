"""The search index of the first snapshot, prepared on disk off the start-up path.

``make serve`` loads the content, then forks one **builder** process before granian
forks its workers (``start_search_build``): the builder prepares the snapshot's index
in a fresh directory of the store (``api.search.preparing``: reused as stored, updated,
or built) and exits. Nothing waits for it: the workers start serving at once. Each
worker opens the directory (memory-mapped: the pages are shared through the page
cache) on its first search, which waits for the builder if it is not done yet, up to
``READY_WAIT_SECONDS``. If the builder failed or is still not done by then, the
worker builds the index in its own memory instead: slower, but the answer still
comes from its own snapshot, never from another.

Fork safety: the builder is forked before any worker, from a parent that has not
started a thread or touched tantivy (tantivy's threads, writer and readers, live in
the builder and the workers only). The parent holds the new directory for its whole
life, so that no other server's cleaning removes it while a worker may still open it.

Without ``make serve`` (the development server, tests, the export), ``keep_search_index``
prepares the same way in-process, on the first search.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

from api.content.model.snapshot import Snapshot
from api.content.source.parsed import FileVersion
from api.search import engine
from api.search.manifest import read_info
from api.search.preparing import prepare
from api.search.search_index import PrivateCopy, SearchIndex
from api.search.snapshots import index_languages, provide_search_index, text_reader
from api.search.store import Held, IndexStore

log = logging.getLogger(__name__)

READY_WAIT_SECONDS = 120.0  # how long a search waits for the builder before building itself
BUILDER_NICENESS = 5  # the workers' requests come before the build

Ready = Callable[[float], Path | None]
Served = Mapping[str, FileVersion]


class BackgroundBuild:
    """The index of one snapshot, prepared by a process forked for it (see the module)."""

    def __init__(self, store: IndexStore, snapshot: Snapshot, served: Served | None = None) -> None:
        self.store = store
        self.languages = index_languages(snapshot)  # what the index is made with
        self.target = store.reserve()
        done, finishing = os.pipe()
        pid = os.fork()
        if pid == 0:  # the builder
            os.close(done)
            _run_builder(store, self.target, snapshot, served)  # never returns
        os.close(finishing)
        self.pid = pid
        self._done = done  # readable (at its end) in every process once the builder exits
        self._exit_status: int | None = None

    @property
    def directory(self) -> Path:
        return self.target.path

    def wait(self, timeout: float) -> Path | None:
        """The index's directory once the builder is done (up to ``timeout`` seconds);
        ``None`` when it failed or is not done. Any process forked after it may wait."""
        done = select.poll()
        done.register(self._done, select.POLLIN)
        if not done.poll(max(timeout, 0.0) * 1000):
            return None
        complete = read_info(self.directory, self.languages) is not None
        return self.directory if complete else None

    def reap(self) -> int | None:
        """Wait for the builder to exit (in the process that started it): its exit status."""
        if self._exit_status is None:
            with contextlib.suppress(ChildProcessError):
                _, status = os.waitpid(self.pid, 0)
                self._exit_status = os.waitstatus_to_exitcode(status)
        return self._exit_status

    def stop(self) -> None:
        """Stop the builder if it still runs (the server stops); its directory is left to be
        cleaned, unpublished."""
        if self._exit_status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGTERM)
            self.reap()


def _run_builder(
    store: IndexStore, target: Held, snapshot: Snapshot, served: Served | None
) -> None:
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops this
        with contextlib.suppress(OSError):
            os.nice(BUILDER_NICENESS)
        prepare(store, target, snapshot, served)
        status = 0
    except BaseException:  # a signal, or a failure: the workers build for themselves
        log.exception("search index: the build in %s failed", target.path)
    finally:
        for handler in logging.getLogger().handlers:
            with contextlib.suppress(Exception):
                handler.flush()
        os._exit(status)


def start_search_build(
    snapshot: Snapshot, store: IndexStore, served: Served | None = None
) -> BackgroundBuild:
    """Fork the builder of ``snapshot``'s index; its searches open what the builder made.

    Call it before forking workers, with no thread running: they inherit the promise.
    ``served`` (``ContentRepository.served``) spares the builder hashing every page's text. Raises
    ``OSError`` when the store cannot be written to (nothing is forked then).
    """
    build = BackgroundBuild(store, snapshot, served)
    provide_search_index(snapshot, partial(open_prepared, build.wait, store, snapshot))
    return build


def keep_search_index(snapshot: Snapshot, store: IndexStore, served: Served | None = None) -> None:
    """``snapshot``'s index is prepared in ``store`` by this process, on its first use."""

    def prepare_here() -> SearchIndex:
        try:
            target = store.reserve()
        except OSError as error:
            log.warning("search index: cannot keep it in %s (%s)", store.folder, error)
            return _built_here(snapshot)
        try:
            prepare(store, target, snapshot, served)
        except Exception:
            log.exception("search index: the build in %s failed", target.path)
            target.release()
            return _built_here(snapshot)
        return open_prepared(lambda _: target.path, store, snapshot, hold=target)

    provide_search_index(snapshot, prepare_here)


def open_prepared(
    ready: Ready, store: IndexStore, snapshot: Snapshot, hold: object = None
) -> SearchIndex:
    """Open the index prepared for ``snapshot`` once ``ready`` gives its directory; build it in
    memory if it does not within ``READY_WAIT_SECONDS`` or does not open."""
    directory = ready(READY_WAIT_SECONDS)
    if directory is None:
        log.warning(
            "search index: not prepared within %.0f s, or its build failed; "
            "building it in this process",
            READY_WAIT_SECONDS,
        )
        return _built_here(snapshot)
    languages = index_languages(snapshot)
    info = read_info(directory, languages)
    try:
        return SearchIndex.open(
            directory,
            snapshot.pages_by_path,
            languages=languages,
            stale=info.stale if info is not None else 0,
            private_copy=partial(_private_copy, store),
            hold=hold,
        )
    except (OSError, ValueError) as error:
        log.warning("search index in %s does not open (%s); building it here", directory, error)
        return _built_here(snapshot)


def _private_copy(
    store: IndexStore, published: Path, languages: tuple[str, ...] = ()
) -> PrivateCopy:
    """This process's own copy of ``published`` (stemmed in ``languages``), to write to:
    hard links to its files."""
    held = store.private_directory(published)
    try:
        copy = PrivateCopy(engine.open_index(held.path, languages), held.path, held)
    except BaseException:
        held.release()
        raise
    store.clean()  # the copies of workers that died since the server started
    return copy


def _built_here(snapshot: Snapshot) -> SearchIndex:
    return SearchIndex.build(
        snapshot.pages_by_path.values(), text_reader(snapshot), index_languages(snapshot)
    )
