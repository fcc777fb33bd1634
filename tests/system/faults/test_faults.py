"""Faults under load (issue "Survive faults"): the production server with 2 workers keeps
serving through a killed worker, a graceful stop, a content folder moved away and back,
an unwritable parse cache, and worker recycling. Each test prints its figures.

Run by ``make test-faults`` (``.ci/run`` calls it); the recycling test waits out
granian's shortest worker lifetime (60 s).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.fault_harness import Load, Server, get
from tests.support.sites import ROOT
from tests.support.waiting import deadline, wait_until, within

pytestmark = pytest.mark.faults

SEED = "pages/blog/ai-security-and-the-end-of-silos.md"
SEED_SLUG = "ai-security-and-the-end-of-silos"
READ_PATHS = [
    f"/api/posts/{SEED_SLUG}",
    "/api/posts",
    "/api/posts?page=2",
    "/api/posts/recent",
    "/api/authors",
    "/api/pages?path=/",
    "/api/pages/paths",
    "/api/site",
]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench/gen_corpus.py"),
            "--posts",
            "300",
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    shutil.copytree(ROOT / "content", root, dirs_exist_ok=True)
    return root


def retitle(root: Path, title: str) -> None:
    """An atomic save, as editors and git make it: write a temporary file, rename it."""
    path = root / SEED
    text = path.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("title:"))
    temporary = path.with_name(".edit.tmp")
    temporary.write_text(text.replace(old, f"title: {title}", 1), encoding="utf-8")
    os.replace(temporary, path)


def served_title(port: int) -> str | None:
    status, _, body = get(port, f"/api/posts/{SEED_SLUG}")
    if status != 200:
        return None
    import json

    return json.loads(body)["title"]


def every_worker_serves(port: int, version: str, answers: int = 24) -> bool:
    """``answers`` new connections in a row (spread over the workers) all see ``version``."""
    return all(get(port, "/healthz")[1] == version for _ in range(answers))


def test_a_killed_worker_is_replaced_and_no_answer_goes_back_in_time(site, tmp_path):
    server = Server(site, tmp_path)
    try:
        versions = []
        for number in range(3):  # edits before the kill: the parent still holds the first
            retitle(site, f"Edited {number}")
            assert wait_until(lambda n=number: served_title(server.port) == f"Edited {n}", 5)
            version = get(server.port, "/healthz")[1]
            assert wait_until(lambda v=version: every_worker_serves(server.port, v), 5)
            versions.append(version)
        order = {version: index for index, version in enumerate(versions)}
        with Load(server.port, READ_PATHS) as load:
            time.sleep(1.5)
            victim, survivor = server.workers()
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            replaced = wait_until(
                lambda: any(pid not in (victim, survivor) for pid in server.ready_workers()), 10
            )
            time.sleep(3)
        outcomes = load.snapshot()
    finally:
        exit_status = server.stop()

    before = [o for o in outcomes if o.finished < killed_at]
    after = [o for o in outcomes if o.started > killed_at]
    failed = [o for o in outcomes if o.status != 200]
    raw_after = [t - killed_at for t, _ in load.raw_failures if t >= killed_at]
    newest_before = max(order.get(o.version, -1) for o in before)
    went_back = [o for o in after if order.get(o.version, len(order)) < newest_before]
    print(
        f"\nkill -9 of a worker under load: {len(outcomes)} requests "
        f"({len(before)} before the kill, {len(after)} after); "
        f"{len(load.raw_failures)} broken connections (retried on a new one), the last "
        f"{max(raw_after, default=0):.2f} s after the kill; {len(failed)} failed requests; "
        f"replacement serving after {replaced:.2f} s; "
        f"{len(went_back)} answers older than one before the kill; server exit {exit_status}"
    )
    assert replaced is not None and replaced <= within(5)
    assert len(load.raw_failures) <= load.threads  # at most one per connection in flight
    assert max(raw_after, default=0) <= within(2)
    assert failed == []
    assert went_back == []
    assert {o.version for o in after} == {versions[-1]}
    assert exit_status == 0


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl+C"])
def test_a_stop_finishes_the_requests_in_flight_and_exits_0(site, tmp_path, stop):
    """SIGTERM, or SIGINT to the whole process group as a terminal's Ctrl+C sends it."""
    server = Server(site, tmp_path)
    # Uncached renders of long list pages: each takes a few ms, so some are in flight.
    paths = [f"/api/posts?page_size=100&page={n % 3 + 1}&nocache={n}" for n in range(100_000)]
    with Load(server.port, paths, threads=8) as load:
        time.sleep(1.5)
        stopped_at = time.monotonic()
        os.killpg(server.process.pid, stop)
        exit_status = server.process.wait(timeout=deadline(40))
        stopped_after = time.monotonic() - stopped_at
    outcomes = load.snapshot()
    server.stop()
    in_flight = [o for o in outcomes if o.started < stopped_at < o.finished]
    cut = [o for o in in_flight if o.status != 200]
    refused_after = [o for o in outcomes if o.started > stopped_at and o.status == 0]
    print(
        f"\n{stop.name} under load: {len(outcomes)} requests; {len(in_flight)} in flight at the "
        f"signal, {len(cut)} of them without an answer; {len(refused_after)} new requests "
        f"refused after it; exit status {exit_status} after {stopped_after:.2f} s"
    )
    assert exit_status == 0
    assert in_flight and cut == []
    assert all(o.status in (200, 0) for o in outcomes)


def test_the_folder_moved_away_and_back_keeps_serving_and_says_degraded(site, tmp_path):
    server = Server(site, tmp_path)
    try:
        with Load(server.port, READ_PATHS) as load:
            time.sleep(1)
            moved = site.with_name("content-moved")
            site.rename(moved)
            degraded = wait_until(
                lambda: all(_health(server.port)["status"] == "degraded" for _ in range(8)), 5
            )
            health_away = _health(server.port)
            time.sleep(1)
            moved.rename(site)
            recovered = wait_until(
                lambda: all(_health(server.port)["status"] == "ok" for _ in range(8)), 5
            )
            retitle(site, "Watched again")
            watched = wait_until(lambda: served_title(server.port) == "Watched again", 5)
        outcomes = load.snapshot()
    finally:
        server.stop()
    failed = [o for o in outcomes if o.status != 200]
    print(
        f"\ncontent folder moved away and back under load: {len(outcomes)} requests, "
        f"{len(failed)} failed; degraded after {degraded:.2f} s, ok again "
        f"{recovered:.2f} s after it came back, an edit seen {watched:.2f} s after that"
    )
    assert failed == [] and not load.raw_failures
    assert degraded is not None and recovered is not None and watched is not None
    fault = next(f for f in health_away["faults"] if f["cause"] == "content-folder")
    assert str(site) in fault["message"]
    assert health_away["posts"] == 314  # the last snapshot, still whole


def test_an_unwritable_parse_cache_is_reported_and_clears_when_fixed(site, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    server = Server(site, tmp_path, PARSE_CACHE_DIR=str(blocker / "cache"))
    try:
        assert get(server.port, "/api/posts")[0] == 200
        health = _health(server.port)
        cleared = None
        if health["status"] == "degraded":
            blocker.unlink()
            retitle(site, "Cache writable again")  # the next write (an edit) succeeds
            cleared = wait_until(
                lambda: all(_health(server.port)["status"] == "ok" for _ in range(8)), 5
            )
    finally:
        server.stop()
    causes = [fault["cause"] for fault in health["faults"]]
    print(
        f"\nunwritable parse cache: served 200, /healthz {health['status']} {causes}; "
        f"ok again {cleared and round(cleared, 2)} s after the folder became writable "
        "and an edit came"
    )
    assert health["status"] == "degraded"
    assert causes == ["parse-cache"]
    assert "not-a-folder" in health["faults"][0]["message"]
    assert cleared is not None
    assert server.log.count("cannot write the parse cache") == 1  # logged once


def test_workers_are_recycled_one_at_a_time_without_a_failed_request(site, tmp_path):
    server = Server(site, tmp_path, WORKER_LIFETIME="60")
    first = set(server.workers())
    try:
        with Load(server.port, READ_PATHS) as load:
            recycled = wait_until(lambda: not first & set(server.ready_workers()), 120, step=0.5)
            time.sleep(1)
        outcomes = load.snapshot()
    finally:
        server.stop()
    failed = [o for o in outcomes if o.status != 200]
    if failed:  # what went wrong, for the CI log
        print(sorted({o.error for o in failed})[:5], server.log[-3000:])
    print(
        "\nWORKER_LIFETIME=60 under load: both workers replaced after "
        f"{recycled and round(recycled, 1)} s; "
        f"{len(outcomes)} requests, {len(failed)} failed, "
        f"{len(load.raw_failures)} connections closed by a stopping worker (retried)"
    )
    assert recycled is not None
    assert failed == []


def _health(port: int) -> dict:
    import json

    status, _, body = get(port, "/healthz")
    assert status == 200
    return json.loads(body)
