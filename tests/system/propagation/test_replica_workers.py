"""The workers of one replica, as separate real processes: one leader at a time, taken over
when it dies; who serves which version."""

from __future__ import annotations

import subprocess
import sys
import time

from api.propagation.workers import ReplicaWorkers
from tests.support.sites import ROOT
from tests.support.waiting import deadline

WORKER = """
import sys, time
from pathlib import Path
from api.propagation.workers import ReplicaWorkers
workers = ReplicaWorkers(Path(sys.argv[1]))
workers.record(sys.argv[2])
print("leader" if workers.is_leader() else "follower", flush=True)
for line in sys.stdin:
    print("leader" if workers.is_leader() else "follower", flush=True)
"""


def start_worker(directory, version: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, str(directory), version],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def stop(worker: subprocess.Popen[str]) -> None:
    worker.kill()
    worker.wait()
    for stream in (worker.stdin, worker.stdout):
        if stream is not None:
            stream.close()


def ask(worker: subprocess.Popen[str]) -> str:
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write("?\n")
    worker.stdin.flush()
    return worker.stdout.readline().strip()


def test_one_worker_leads_and_another_takes_over_when_it_dies(tmp_path):
    first = start_worker(tmp_path, "v1")
    assert first.stdout is not None and first.stdout.readline().strip() == "leader"
    second = start_worker(tmp_path, "v1")
    try:
        assert second.stdout is not None and second.stdout.readline().strip() == "follower"
        assert ask(first) == "leader"

        stop(first)

        assert ask(second) == "leader"
    finally:
        stop(first)
        stop(second)


def test_the_leader_waits_for_every_live_worker_to_serve_the_version(tmp_path):
    workers = ReplicaWorkers(tmp_path)
    workers.record("v2")
    behind = start_worker(tmp_path, "v1")
    assert behind.stdout is not None and behind.stdout.readline()
    dead = start_worker(tmp_path, "v0")
    assert dead.stdout is not None and dead.stdout.readline()
    stop(dead)
    try:
        started = time.monotonic()
        lagging = workers.wait_until_serving("v2", timeout=0.3)  # it proves a wait: not scaled
        waited = time.monotonic() - started
        assert lagging == [behind.pid]  # the dead one no longer counts
        assert waited >= 0.3
        assert not (tmp_path / str(dead.pid)).exists()

        (tmp_path / str(behind.pid)).write_text("v2")  # it reloaded
        assert workers.wait_until_serving("v2", timeout=deadline(5)) == []
    finally:
        stop(behind)
