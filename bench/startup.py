"""Start-up time and memory of our server against the number of posts, cold and warm.

    python bench/startup.py [--sizes 1000,10000,100000] [--workers N]
    python bench/startup.py --quick        # 100 posts only: a smoke run

For each size: generate (or reuse) the corpus; start the server with PARSE_CACHE_DIR set to a
new empty folder ("cold": nothing parsed yet) and time it from just before the process starts
to the first 200 from /healthz, then (after one search, which waits for the process that
prepares the search index to finish, so that the memory is the server's own) read the memory
of its process tree from /proc and stop it; start it again on the same cache and unchanged
content ("warm") and do the same. The files themselves are in the OS page cache both times:
"cold" is about our parse cache.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from dataclasses import astuple, dataclass
from pathlib import Path

from common import (
    QUICK_POSTS,
    WORK_DIR,
    Memory,
    add_server_options,
    describe_server,
    ensure_corpus,
    log,
    machine_info,
    parse_sizes,
    parse_with_quick,
    print_table,
    run_script,
    run_server,
    tree_memory,
)

SETTLE_SECONDS = 0.5  # between the first 200 and reading memory, for workers still forking
MIB = 1024 * 1024


@dataclass(frozen=True)
class Start:
    seconds: float
    memory: Memory
    posts: int


def start_once(content: Path, cache: Path, args: argparse.Namespace) -> Start:
    """Start the server, wait for /healthz, read its memory, stop it."""
    env = {"PARSE_CACHE_DIR": str(cache)}
    with run_server(content, args.server_cmd, args.workers, env, args.timeout) as server:
        time.sleep(SETTLE_SECONDS)
        health = server.health()
        server.get("/api/search?q=start")  # waits for the search index's builder to be gone
        memory = tree_memory(server.pid)
    if health.get("contentErrors"):
        log(f"warning: /healthz reports content errors: {health['contentErrors'][:3]}")
    return Start(server.ready_seconds, memory, int(health.get("posts", -1)))


def cold_and_warm(posts: int, args: argparse.Namespace) -> tuple[Start, Start]:
    content = ensure_corpus(posts)
    cache = Path(tempfile.mkdtemp(prefix="parse-cache-", dir=WORK_DIR))
    try:
        cold = start_once(content, cache, args)
        log(f"{posts} posts: cold start {cold.seconds:.2f} s")
        warm = start_once(content, cache, args)
        log(f"{posts} posts: warm start {warm.seconds:.2f} s")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    for start in (cold, warm):
        if start.posts != posts:
            log(f"warning: /healthz counts {start.posts} posts, the corpus has {posts}")
    return cold, warm


def peak(starts: tuple[Start, Start]) -> Memory:
    """Each memory figure at the larger of the two starts."""
    cold, warm = (start.memory for start in starts)
    return Memory(*(max(a, b) for a, b in zip(astuple(cold), astuple(warm), strict=True)))


def report(results: dict[int, tuple[Start, Start]]) -> None:
    smallest = min(results)
    base = peak(results[smallest])
    rows = []
    for posts, (cold, warm) in results.items():
        memory = peak((cold, warm))
        growth = "-"
        if posts != smallest:
            extra = (memory.largest_rss - base.largest_rss) / 1024 / (posts - smallest)
            growth = f"{extra:.1f}"
        rows.append(
            [
                f"{posts:,}",
                f"{cold.seconds:.2f} s",
                f"{warm.seconds:.2f} s",
                str(memory.processes),
                f"{memory.rss / MIB:,.0f}",
                f"{memory.pss / MIB:,.0f}",
                f"{memory.rss / 1024 / posts:.1f}",
                f"{memory.largest_rss / MIB:,.0f}",
                growth,
            ]
        )
    headers = ["posts", "cold start", "warm start", "procs", "RSS MiB", "PSS MiB", "RSS KiB/post"]
    print_table([*headers, "largest proc MiB", f"KiB/post/proc over {smallest:,}"], rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=parse_sizes, default=[1000, 10000, 100000], help="1000,10000,100000"
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for /healthz")
    add_server_options(parser)
    args = parse_with_quick(parser, argv, {"sizes": [QUICK_POSTS]})
    print("\n".join(machine_info()))
    print(describe_server(args) + "\n", flush=True)
    results = {posts: cold_and_warm(posts, args) for posts in args.sizes}
    report(results)


if __name__ == "__main__":
    run_script(main)
