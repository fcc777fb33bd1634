"""Starting the production server (`python -m api.serve`) on loopback for a test; stopping it."""

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

from tests.support.sites import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def production_server(
    content_dir: Path, cache_dir: Path, workers: int = 2, output: Path | None = None
) -> Iterator[int]:
    """Run ``python -m api.serve`` over ``content_dir``; yield its port; kill its process group.

    ``output`` receives what the server prints.
    """
    port = free_port()
    env = {
        **os.environ,
        "CONTENT_DIR": str(content_dir),
        "PARSE_CACHE_DIR": str(cache_dir),
        "PORT": str(port),
        "WORKERS": str(workers),
        "CONTENT_WATCH": "1",
    }
    sink = output.open("wb") if output else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "api.serve"],
        cwd=ROOT,
        env=env,
        stdout=sink,
        stderr=subprocess.STDOUT if output else subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until_ready(port, process)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if output:
            sink.close()  # type: ignore[union-attr]


def _wait_until_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
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
