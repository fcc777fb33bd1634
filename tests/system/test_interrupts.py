"""Ctrl+C, as a terminal sends it: SIGINT to the whole foreground process group (make, the
server, its workers, the search builder), which must stop at once, as SIGTERM does.

Each server runs in a session of its own, with SIGINT's default action restored (a process
started in the background by a shell ignores SIGINT, which would make the test vacuous).
A client keeps a connection open, as a browser does: it must not hold the stop up. (That a
request in flight is answered before the stop is checked under load, for SIGTERM and for
SIGINT to the group, by ``tests/system/faults``.)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.support.servers import free_port, wait_until_ready
from tests.support.sites import BUNDLED_CONTENT, ROOT
from tests.support.waiting import deadline, within

STOP_SECONDS = 2.0  # the promise, on a quiet machine


def _terminal_like(command: list[str], port: int, tmp_path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CONTENT_DIR": str(BUNDLED_CONTENT),
        "PARSE_CACHE_DIR": str(tmp_path / "cache"),
        "PORT": str(port),
        "CONTENT_WATCH": "1",
        "WORKERS": "2",
        "EVENTS_PORT": "0",
    }
    with (tmp_path / "server.log").open("wb") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )


def _group_gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def _interrupt_and_time(process: subprocess.Popen[bytes], port: int) -> float:
    """Send SIGINT to the group while a browser-like client keeps a connection open (answered
    once, then idle); the seconds until every process of the group is gone."""
    browser = socket.create_connection(("127.0.0.1", port), timeout=deadline(10))
    browser.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    answer = b""
    while not answer.rstrip().endswith(b"}"):
        answer += browser.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=deadline(30))
    while not _group_gone(process.pid) and time.monotonic() - started < deadline(30):
        time.sleep(0.02)
    browser.close()
    return time.monotonic() - started


@pytest.mark.parametrize("command", [["make", "serve"], ["make", "run"]], ids=["serve", "run"])
def test_ctrl_c_stops_the_make_target_at_once(command, tmp_path):
    port = free_port()
    process = _terminal_like([*command, f"PORT={port}"], port, tmp_path)
    try:
        wait_until_ready(port, process, timeout=60)
        elapsed = _interrupt_and_time(process, port)
    finally:
        if not _group_gone(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
    log = (tmp_path / "server.log").read_text(errors="replace")

    assert _group_gone(process.pid), log
    assert elapsed < within(STOP_SECONDS), (elapsed, log)
    assert "refused to gracefully stop" not in log, log


@pytest.mark.parametrize("module", ["api.serve", "api.develop"])
def test_ctrl_c_stops_the_server_itself_with_status_0(module, tmp_path):
    """The servers the make targets run: exit status 0, as for SIGTERM. (make, killed by the
    same SIGINT, reports "Interrupt" itself, as it does for any interrupted target.)"""
    port = free_port()
    command = [sys.executable, "-m", module]
    if module == "api.develop":
        command += ["--port", str(port)]
    process = _terminal_like(command, port, tmp_path)
    try:
        wait_until_ready(port, process, timeout=60)
        elapsed = _interrupt_and_time(process, port)
    finally:
        if not _group_gone(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
    log = (tmp_path / "server.log").read_text(errors="replace")

    assert process.returncode == 0, log
    assert elapsed < within(STOP_SECONDS), (elapsed, log)


def test_a_worker_still_starting_stops_on_its_parents_sigterm():
    """The stop the parent sends a worker still catching up (Ctrl+C during a start on a busy
    machine) ends it at once: with the handlers a worker inherits, it was lost, and the
    worker was killed 30 s later. A forked child, as granian forks its workers, with the
    parent's Python handler for SIGTERM, then busy as a worker catching up is."""
    import api.serve

    reader, writer = os.pipe()
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)  # as granian's parent
    try:
        child = os.fork()
        if child == 0:  # the worker
            os.close(reader)
            api.serve.stop_at_once_while_starting()
            os.write(writer, b"starting")
            while True:  # catching up: only the signal ends this
                sum(range(10_000))
        os.close(writer)
        assert os.read(reader, 16) == b"starting"
        os.kill(child, signal.SIGTERM)
        give_up_at = time.monotonic() + deadline(30)
        pid, status = os.waitpid(child, os.WNOHANG)
        while pid == 0 and time.monotonic() < give_up_at:
            time.sleep(0.02)
            pid, status = os.waitpid(child, os.WNOHANG)
        if pid == 0:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
    finally:
        signal.signal(signal.SIGTERM, previous)
        os.close(reader)
    assert pid == child, "the worker did not stop on its parent's SIGTERM"
    assert os.waitstatus_to_exitcode(status) == 0
