"""Servers a test starts on loopback and stops itself: a free port, the production server
(``python -m api.serve``, what ``make serve`` runs) as a process of its own group, waiting
until a process answers, and stopping its group."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from tests.support.sites import ROOT
from tests.support.waiting import deadline


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_process(
    content_dir: Path, cache_dir: Path, port: int, output: IO[bytes] | None, **environment: str
) -> subprocess.Popen[bytes]:
    """``python -m api.serve`` over ``content_dir``, watching it, on ``port``, in a process group
    of its own; what it prints goes to ``output`` (nowhere if None). ``environment`` adds to or
    overrides this process's environment (``WORKERS``, ``WEBHOOK_URLS``, ...)."""
    env = {
        **os.environ,
        "CONTENT_DIR": str(content_dir),
        "PARSE_CACHE_DIR": str(cache_dir),
        "PORT": str(port),
        "CONTENT_WATCH": "1",
        **environment,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "api.serve"],
        cwd=ROOT,
        env=env,
        stdout=output if output is not None else subprocess.DEVNULL,
        stderr=subprocess.STDOUT if output is not None else subprocess.DEVNULL,
        start_new_session=True,
        # as from a terminal: a child of a background shell would ignore SIGINT (Ctrl+C)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """SIGTERM to the process's group; SIGKILL if it has not exited after ``deadline(timeout)``."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=deadline(timeout))
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()


def wait_until_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Until the server on ``port`` answers ``/healthz`` with 200; fails if ``process`` exits
    first or ``deadline(timeout)`` passes."""
    give_up_at = time.monotonic() + deadline(timeout)
    while time.monotonic() < give_up_at:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise RuntimeError("the server did not answer /healthz in time")


@contextmanager
def production_server(
    content_dir: Path,
    cache_dir: Path,
    workers: int = 2,
    output: Path | None = None,
    **environment: str,
) -> Iterator[int]:
    """Run ``python -m api.serve`` over ``content_dir``; yield its port; kill its process group.

    ``output`` receives what the server prints; ``environment`` adds settings.
    """
    port = free_port()
    sink = output.open("wb") if output else None
    process = serve_process(
        content_dir, cache_dir, port, sink, **{"WORKERS": str(workers), **environment}
    )
    try:
        wait_until_ready(port, process)
        yield port
    finally:
        stop_process_group(process)
        if sink:
            sink.close()
