"""Writers at once on the production server (``python -m api.serve``, two workers) over a real
git repository: of writers holding the same ETag exactly one wins and the others get 412 with
the entry as it now is; writers of different files all win, each write served by every worker
when it answers; a person committing and pulling in the same repository meanwhile loses
nothing, and the repository stays whole."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.editing import GIT_ENV, Api, fsck, git, git_repository, tokens_file
from tests.support.servers import free_port, serve_process, stop_process_group, wait_until_ready
from tests.support.sites import BUNDLED_CONTENT, SEED

WRITERS = 8
PERSON = {**os.environ, **GIT_ENV}
RUN_AGAIN = ("index.lock", "cannot lock ref")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git_repository(tmp_path / "repo", base=BUNDLED_CONTENT)
    return tmp_path / "repo"


@pytest.fixture
def api(repo: Path, tmp_path: Path) -> Iterator[Api]:
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    process = serve_process(
        repo / "content", tmp_path / "cache", port, log,
        WORKERS="2", WRITE_TOKENS_FILE=str(tokens_file(tmp_path)), WRITE_RATE="1000",
    )  # fmt: skip
    try:
        wait_until_ready(port, process)
        yield Api(port)
    finally:
        stop_process_group(process)
        log.close()


def succeeds(repo: Path, *args: str) -> bool:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True).returncode == 0


def until_done(repo: Path, *args: str) -> None:
    """A git command, run again as a person would while git refuses it for the server's write
    in progress; anything else fails the test."""
    for _ in range(200):
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, env=PERSON
        )
        if done.returncode == 0:
            return
        # git refuses to start beside the server's index.lock, and a pull stops when HEAD
        # moves during its fetch, or half way (MERGE_HEAD left) when the index is locked at
        # the moment it writes it, as beside any other git process: the person aborts the
        # merge if one is left, and runs the command again
        assert args[0] == "pull" or any(sign in done.stderr for sign in RUN_AGAIN), done.stderr
        if args[0] == "pull":
            subprocess.run(["git", "-C", str(repo), "merge", "--abort"], capture_output=True)
        time.sleep(0.02)
    raise AssertionError(f"git {args[0]} refused 200 times")


def posts(api: Api) -> list[str]:
    status, _, body = api.public("/api/posts?page_size=100")
    assert status == 200
    return [f"pages/blog/{item['slug']}.md" for item in body["items"]]


def test_one_etag_one_winner(api: Api, repo: Path) -> None:
    found, etag = api.entry(SEED)
    barrier = threading.Barrier(WRITERS)

    def write(number: int) -> tuple[int, dict]:
        document = dict(found, frontMatter=dict(found["frontMatter"], title=f"Writer {number}"))
        barrier.wait()
        status, _, body = api.put(SEED, document, etag)
        return status, body

    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(pool.map(write, range(WRITERS)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [412] * (WRITERS - 1), statuses
    winner = next(body for status, body in results if status == 200)["frontMatter"]["title"]
    for status, body in results:
        if status == 412:
            assert body["current"]["frontMatter"]["title"] == winner
    for _ in range(6):  # every worker serves it
        assert api.public("/api/posts/ai-security-and-the-end-of-silos")[2]["title"] == winner
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"
    fsck(repo)


def test_writers_of_different_files_all_win_beside_a_person(api: Api, repo: Path) -> None:
    paths = posts(api)[:WRITERS]
    stop = threading.Event()
    human_commits: list[str] = []

    def person() -> None:
        """Edits and commits a file of their own, and pulls a clone's commits, meanwhile; a
        git command refused while the server holds index.lock is run again, as a person
        would."""
        clone = repo.parent / "clone"
        git(repo.parent, "clone", "-q", str(repo), str(clone))
        number = 0
        while not stop.is_set() and number < 6:
            number += 1
            about = repo / "content/pages/about.md"
            about.write_text(about.read_text() + f"\nA person's line {number}.\n")
            until_done(repo, "add", "content/pages/about.md")
            until_done(repo, "commit", "-q", "-m", f"Person {number}")
            human_commits.append(f"Person {number}")
            style = clone / "content/data/style.json"
            style.write_text(style.read_text() + " " * number)
            git(clone, "commit", "-qam", f"Clone {number}")
            until_done(repo, "pull", "-q", "--no-rebase", "--no-edit", str(clone), "main")

    def write(path: str) -> tuple[str, int, str, list[str]]:
        found, etag = api.entry(path)
        title = f"Written to {path}"
        document = dict(found, frontMatter=dict(found["frontMatter"], title=title))
        status, _, body = api.put(path, document, etag)
        slug = path.removeprefix("pages/blog/").removesuffix(".md")
        seen = [api.public(f"/api/posts/{slug}")[2]["title"] for _ in range(4)]
        return path, status, body.get("commit", ""), seen

    helper = threading.Thread(target=person)
    helper.start()
    try:
        with ThreadPoolExecutor(WRITERS) as pool:
            results = list(pool.map(write, paths))
    finally:
        stop.set()
        helper.join()
    for path, status, commit, seen in results:
        assert status == 200, (path, status)
        assert seen == [f"Written to {path}"] * 4  # read your writes, on any worker
        assert succeeds(repo, "merge-base", "--is-ancestor", commit, "HEAD")
        assert f"title: Written to {path}" in (repo / "content" / path).read_text()
    log = git(repo, "log", "--format=%s")
    assert all(subject in log for subject in human_commits)
    assert git(repo, "status", "--porcelain") == ""
    fsck(repo)
