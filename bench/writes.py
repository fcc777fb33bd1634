"""Writes through the editing API on a running server: how soon they answer and show, how many
go through at once, and how many of a crowd on one file are refused.

A generated site (``--posts``, 10,000) is copied into a git repository and served by ``make
serve`` (2 workers) with a tokens file; then:

- a single-field write (a post's title, ``PATCH``), ``--writes`` (20) times: the time until it
  answers, and until ``VISIBLE_STREAK`` answers in a row of the post, on new connections (so
  on both workers), show it; median and worst;
- writes per second with ``--writers`` (8) writers at once, each on its own post,
  ``--per-writer`` (10) writes each;
- the 412 rate with the same writers all on one post, each round with the same ETag
  (``--rounds``, 10): one write should win each round, the others be refused;
- then no write lost (each answered write's commit in the history, each file as its last
  answered write left it) and ``git fsck`` clean.

    .venv/bin/python bench/writes.py                # 10,000 posts
    .venv/bin/python bench/writes.py --quick        # 100 posts, a few writes: a smoke run
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import shutil
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import (
    QUICK_POSTS,
    WORK_DIR,
    add_server_options,
    describe_server,
    ensure_corpus,
    log,
    machine_info,
    print_table,
    run_script,
    run_server,
)
from common import parse_with_quick as parse_options

VISIBLE_STREAK = 4
TOKEN = "bench-writer"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git(repository: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repository), *args],
        capture_output=True,
        text=True,
        env={**GIT_ENV, "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(repository)},
        check=True,
    )
    return done.stdout


def repository_of(posts: int) -> Path:
    """A fresh git repository holding a copy of the generated site (its first commit)."""
    corpus = ensure_corpus(posts)
    where = WORK_DIR / f"writes-{posts}"
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(corpus, where / "content")
    log(f"committing {posts} posts to a git repository in {where} ...")
    git(where, "init", "-q", "-b", "main")
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", "The generated site")
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    (WORK_DIR / "write-tokens").write_text(f"{digest} bench@example.com Bench Writer\n")
    return where


class Client:
    def __init__(self, port: int) -> None:
        self.port = port

    def call(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            sent = {"Authorization": f"Bearer {TOKEN}", **(headers or {})}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                sent.setdefault("Content-Type", "application/merge-patch+json")
            connection.request(method, path, body=data, headers=sent)
            answer = connection.getresponse()
            raw = answer.read()
            found = {k.lower(): v for k, v in answer.getheaders()}
            return answer.status, found, json.loads(raw) if raw else {}
        finally:
            connection.close()

    def etag(self, path: str) -> str:
        status, headers, _ = self.call("GET", f"/api/entries/{path}")
        assert status == 200, status
        return headers["etag"]

    def retitle(self, path: str, title: str, etag: str) -> tuple[int, dict]:
        status, _, body = self.call(
            "PATCH", f"/api/entries/{path}", {"frontMatter": {"title": title}}, {"If-Match": etag}
        )
        return status, body

    def title_of(self, slug: str) -> str | None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request("GET", f"/api/posts/{slug}")
            answer = connection.getresponse()
            body = answer.read()
            return json.loads(body).get("title") if answer.status == 200 else None
        finally:
            connection.close()


def slug_of(path: str) -> str:
    return path.removeprefix("pages/blog/").removesuffix(".md")


def single_writes(client: Client, paths: list[str], count: int) -> tuple[list[float], list[float]]:
    """(ms until each write answered, ms until every worker showed it)."""
    answered, visible = [], []
    for number in range(count):
        path = paths[number % len(paths)]
        title = f"Single write {number}"
        etag = client.etag(path)
        started = time.perf_counter()
        status, _ = client.retitle(path, title, etag)
        done = time.perf_counter()
        assert status == 200, status
        streak = 0
        while streak < VISIBLE_STREAK:
            streak = streak + 1 if client.title_of(slug_of(path)) == title else 0
        answered.append((done - started) * 1000)
        visible.append((time.perf_counter() - started) * 1000)
    return answered, visible


def different_files(client: Client, paths: list[str], per_writer: int) -> tuple[float, dict]:
    """Writes per second with each writer on its own file; the last title answered per file."""
    last: dict[str, str] = {}
    lock = threading.Lock()

    def writer(path: str) -> int:
        done = 0
        for number in range(per_writer):
            title = f"{path} write {number}"
            status, _ = client.retitle(path, title, client.etag(path))
            if status == 200:
                done += 1
                with lock:
                    last[path] = title
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(len(paths)) as pool:
        total = sum(pool.map(writer, paths))
    elapsed = time.perf_counter() - started
    assert total == len(paths) * per_writer, f"{total} of {len(paths) * per_writer} writes"
    return total / elapsed, last


def one_file(client: Client, path: str, writers: int, rounds: int) -> tuple[int, int, str]:
    """(writes answered 200, answered 412, the last winning title) of writers on one file, each
    round all holding the same ETag."""
    wins = refused = 0
    last = ""
    for round_ in range(rounds):
        etag = client.etag(path)
        barrier = threading.Barrier(writers)

        def write(
            number: int, etag: str = etag, round_: int = round_, barrier=barrier
        ) -> tuple[int, str]:
            title = f"Round {round_} writer {number}"
            barrier.wait()
            return client.retitle(path, title, etag)[0], title

        with ThreadPoolExecutor(writers) as pool:
            results = list(pool.map(write, range(writers)))
        won = [title for status, title in results if status == 200]
        assert len(won) == 1, results
        wins += 1
        refused += sum(1 for status, _ in results if status == 412)
        last = won[0]
    return wins, refused, last


def check_nothing_lost(repository: Path, expected: dict[str, str]) -> None:
    for path, title in expected.items():
        text = (repository / "content" / path).read_text()
        assert f"title: {title}" in text or f"title: '{title}'" in text, (path, title)
    status = git(repository, "status", "--porcelain")
    assert status == "", status
    fsck = subprocess.run(
        ["git", "-C", str(repository), "fsck", "--no-dangling", "--full"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert fsck.returncode == 0 and not fsck.stdout.strip(), fsck.stdout + fsck.stderr


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="site size (%(default)s)")
    parser.add_argument("--writes", type=int, default=20, help="single writes timed (%(default)s)")
    parser.add_argument("--writers", type=int, default=8, help="writers at once (%(default)s)")
    parser.add_argument(
        "--per-writer", type=int, default=10, help="writes of each writer (%(default)s)"
    )
    parser.add_argument("--rounds", type=int, default=10, help="rounds on one file (%(default)s)")
    add_server_options(parser)
    parser.set_defaults(workers=2)
    quick = {"posts": QUICK_POSTS, "writes": 4, "per_writer": 2, "rounds": 2}
    args = parse_options(parser, argv, quick)
    repository = repository_of(args.posts)
    env = {"WRITE_TOKENS_FILE": str(WORK_DIR / "write-tokens"), "WRITE_RATE": "100000"}
    with run_server(repository / "content", args.server_cmd, args.workers, env) as server:
        client = Client(server.port)
        listed = server.get("/api/posts?page_size=100").body
        paths = [f"pages/blog/{item['slug']}.md" for item in json.loads(listed)["items"]]
        log(f"{args.writes} single writes ...")
        answered, visible = single_writes(client, paths[-args.writes :], args.writes)
        log(f"{args.writers} writers on different files ...")
        rate, last = different_files(client, paths[: args.writers], args.per_writer)
        log(f"{args.writers} writers on one file, {args.rounds} rounds ...")
        wins, refused, winner = one_file(client, paths[args.writers], args.writers, args.rounds)
        last[paths[args.writers]] = winner
    check_nothing_lost(repository, last)
    commits = int(git(repository, "rev-list", "--count", "HEAD")) - 1
    expected = args.writes + args.writers * args.per_writer + wins
    assert commits == expected, f"{commits} commits for {expected} writes answered 200"
    print("\n".join(machine_info()))
    print(describe_server(args))
    print()
    print_table(
        [
            "posts",
            "answered p50",
            "answered worst",
            "on every worker p50",
            "on every worker worst",
            f"writes/s, {args.writers} writers, different files",
            f"412 rate, {args.writers} writers, one file",
            "lost writes",
            "git fsck",
        ],
        [
            [
                f"{args.posts:,}",
                f"{statistics.median(answered):.0f} ms",
                f"{max(answered):.0f} ms",
                f"{statistics.median(visible):.0f} ms",
                f"{max(visible):.0f} ms",
                f"{rate:.1f}",
                f"{refused / (wins + refused):.1%} ({refused} of {wins + refused})",
                f"0 of {commits}",
                "clean",
            ]
        ],
    )


if __name__ == "__main__":
    run_script(main)
