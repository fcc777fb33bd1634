"""``make serve``: the production server, granian, chosen by measurement (see the README).

The content is loaded once, here, before any worker exists (parsing in parallel
processes on a cold start, from the parse cache on a warm one); granian then
forks its workers, which share that snapshot's memory instead of each loading
the site again. Each worker then watches the content on its own.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import sys

from granian import Granian
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels

from api import create_app
from api.config import ConfigError, Settings
from api.search import search_index
from api.web.delivery import MAX_HEADERS_BYTES

log = logging.getLogger("api.serve")


def release_free_memory() -> None:
    """Hand the heap's free pages back to the system before forking (glibc's malloc_trim).

    Loading and indexing leave tens of MiB of freed memory in the heap; without this the
    parent keeps it resident and every worker's share of the parent counts it again.
    """
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def main() -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    workers = settings.workers or os.cpu_count() or 1
    app = create_app(start_background=False)
    # The search index too: built once here, shared by the workers like the snapshot.
    search_index(app.extensions["content"].snapshot)
    release_free_memory()
    # Everything loaded so far lives as long as the process: out of the cyclic GC's sight,
    # and so shared with the forked workers instead of copied by the GC's bookkeeping.
    gc.freeze()
    app.extensions["content"].freeze_after_reload = True
    # granian answers 431 itself to request headers over MAX_HEADERS_BYTES, before Python
    # sees them; the delivery layer need not measure them again on every request.
    app.wsgi_app.check_header_sizes = False  # type: ignore[attr-defined]

    def worker_app() -> object:
        """Runs in each worker after the fork: the preloaded app, starting its own threads."""
        started = app.extensions.get("on_worker_start")
        if started is not None:
            started()
        return app.wsgi_app  # the delivery layer itself: one call less per request

    print(
        f"serving {settings.content_dir} on http://{settings.host}:{settings.port} "
        f"with {workers} granian worker{'s' * (workers != 1)} "
        f"of {max(settings.threads, 1)} thread{'s' * (settings.threads > 1)}",
        flush=True,
    )
    server = Granian(
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
    )
    server.serve(target_loader=worker_app, wrap_loader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
