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

With ``--baseline DIR`` (a checkout of another version with its own .venv, say the first
version) each size is also started with that version's server, in the same rounds, the two
servers taking turns; with ``--hugo`` Hugo's full build of the same posts is timed in each
round too. The second table shows medians and the ratios the targets are about: warm start at
most 0.05x Hugo's build and faster than the baseline's, cold start not slower than the
baseline's.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import tempfile
import time
from dataclasses import astuple, dataclass
from pathlib import Path
from statistics import median

from common import (
    QUICK_POSTS,
    WORK_DIR,
    Memory,
    add_server_options,
    describe_server,
    ensure_corpus,
    ensure_tools,
    log,
    machine_info,
    parse_sizes,
    parse_with_quick,
    print_table,
    run_script,
    run_server,
    tree_memory,
)
from export import hugo_site, time_hugo

SETTLE_SECONDS = 0.5  # between the first 200 and reading memory, for workers still forking
MIB = 1024 * 1024


@dataclass(frozen=True)
class Start:
    seconds: float
    memory: Memory
    posts: int


def start_once(
    content: Path, cache: Path, args: argparse.Namespace, server_cmd: str | None = None
) -> Start:
    """Start the server, wait for /healthz, read its memory, stop it."""
    env = {"PARSE_CACHE_DIR": str(cache)}
    command = server_cmd or args.server_cmd
    with run_server(content, command, args.workers, env, args.timeout) as server:
        time.sleep(SETTLE_SECONDS)
        health = server.health()
        server.get("/api/search?q=start")  # waits for the search index's builder to be gone
        memory = tree_memory(server.pid)
    if health.get("contentErrors"):
        log(f"warning: /healthz reports content errors: {health['contentErrors'][:3]}")
    return Start(server.ready_seconds, memory, int(health.get("posts", -1)))


def baseline_cmd(checkout: Path) -> str:
    """The server command of another version's checkout, run from its own folder with its own
    interpreter (so that ``-m api.serve`` imports that version, not this one)."""
    python = checkout / ".venv" / "bin" / "python"
    return f"env --chdir={shlex.quote(str(checkout))} {shlex.quote(str(python))} -m api.serve"


def cold_and_warm(
    posts: int, args: argparse.Namespace, server_cmd: str | None = None, name: str = "ours"
) -> tuple[Start, Start]:
    content = ensure_corpus(posts)
    cache = Path(tempfile.mkdtemp(prefix="parse-cache-", dir=WORK_DIR))
    try:
        cold = start_once(content, cache, args, server_cmd)
        log(f"{posts} posts, {name}: cold start {cold.seconds:.2f} s")
        warm = start_once(content, cache, args, server_cmd)
        log(f"{posts} posts, {name}: warm start {warm.seconds:.2f} s")
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
    parser.add_argument(
        "--baseline", type=Path, help="a checkout of another version (with its .venv) to compare"
    )
    parser.add_argument("--hugo", action="store_true", help="time Hugo's build of the same posts")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of the comparison")
    add_server_options(parser)
    args = parse_with_quick(parser, argv, {"sizes": [QUICK_POSTS]})
    print("\n".join(machine_info()))
    print(describe_server(args) + "\n", flush=True)
    if args.baseline is None and not args.hugo:
        results = {posts: cold_and_warm(posts, args) for posts in args.sizes}
        report(results)
        return
    compare(args)


def compare(args: argparse.Namespace) -> None:
    """Ours, the baseline and Hugo in the same rounds, taking turns (the order alternates),
    so that the machine's load weighs on each alike; medians and ratios."""
    hugo = ensure_tools("hugo")["hugo"] if args.hugo else None
    rows = []
    ours_last: dict[int, tuple[Start, Start]] = {}
    for posts in args.sizes:
        content = ensure_corpus(posts)
        site = hugo_site(content, posts) if hugo is not None else None
        times: dict[str, list[float]] = {}
        for round_number in range(args.rounds):
            steps = ["ours", "baseline", "hugo"]
            if round_number % 2:
                steps.reverse()
            for step in steps:
                if step == "ours":
                    cold, warm = ours_last[posts] = cold_and_warm(posts, args)
                elif step == "baseline" and args.baseline is not None:
                    cold, warm = cold_and_warm(posts, args, baseline_cmd(args.baseline), "baseline")
                elif step == "hugo" and hugo is not None and site is not None:
                    elapsed, _ = time_hugo(hugo, site)
                    log(f"{posts} posts: Hugo's build {elapsed:.2f} s")
                    times.setdefault("hugo", []).append(elapsed)
                    continue
                else:
                    continue
                times.setdefault(f"{step} cold", []).append(cold.seconds)
                times.setdefault(f"{step} warm", []).append(warm.seconds)
        rows.extend(_comparison_rows(posts, {name: median(v) for name, v in times.items()}))
    report(ours_last)
    print()
    print_table(["posts", "figure", "median", "target", "met"], rows)


def _comparison_rows(posts: int, m: dict[str, float]) -> list[list[str]]:
    def row(figure: str, value: str, target: str, met: bool | None) -> list[str]:
        verdict = "-" if met is None else ("yes" if met else "NO")
        return [f"{posts:,}", figure, value, target, verdict]

    rows = [row(name, f"{value:.2f} s", "", None) for name, value in m.items()]
    if "hugo" in m:
        ratio = m["ours warm"] / m["hugo"]
        rows.append(row("ours warm / Hugo", f"{ratio:.3f}", "<= 0.05", ratio <= 0.05))
        cold = m["ours cold"] / m["hugo"]
        rows.append(row("ours cold / Hugo", f"{cold:.3f}", "", None))
    if "baseline warm" in m:
        ratio = m["ours warm"] / m["baseline warm"]
        rows.append(row("ours warm / baseline warm", f"{ratio:.2f}", "< 1", ratio < 1))
        cold = m["ours cold"] / m["baseline cold"]
        rows.append(row("ours cold / baseline cold", f"{cold:.2f}", "<= 1", cold <= 1))
    return rows


if __name__ == "__main__":
    run_script(main)
