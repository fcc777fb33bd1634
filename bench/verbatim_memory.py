"""What keeping each file's data as written (for /api/stackbit/*) costs: memory and parse time.

    python bench/verbatim_memory.py [--posts 10000]

Generates (or reuses) the corpus, then loads it in fresh processes, in one process (no parse
workers) and without the parse cache, twice each way: as the server does, and with the
verbatim copy switched off (``page_verbatim``/``data_verbatim`` return nothing). Each load
reports its parse time, the resident memory of the process with the snapshot built (after a
full collection), and the bytes of the verbatim blobs themselves. On a busy machine compare the
share of the parse time spent making the verbatim copies (measured within one load) rather
than the two loads' times.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from common import ROOT, ensure_corpus, log, machine_info, print_table, run_script

MIB = 1024 * 1024

CHILD = """
import gc, json, sys, time
from pathlib import Path
import api.content.source.parser as files
spent = [0.0]
def timed(function):
    def run(*args):
        started = time.perf_counter()
        try:
            return function(*args)
        finally:
            spent[0] += time.perf_counter() - started
    return run
if sys.argv[2] == "off":
    files.page_verbatim = lambda *args: None
    files.data_verbatim = lambda *args: None
else:
    files.page_verbatim = timed(files.page_verbatim)
    files.data_verbatim = timed(files.data_verbatim)
from api.content.model.snapshot import Snapshot
from api.content.live.loading import load_content

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024

before = rss()
started = time.perf_counter()
loaded = load_content(Path(sys.argv[1]), 1 << 20, processes=1)
seconds = time.perf_counter() - started
snapshot = Snapshot.build(loaded.state)
del loaded
gc.collect()
blobs = [p.verbatim for p in snapshot.pages_by_path.values() if p.verbatim]
blobs += [p.verbatim for p in snapshot.people_by_path.values() if p.verbatim]
print(json.dumps({
    "seconds": seconds,
    "verbatim_seconds": spent[0],
    "rss": rss() - before,
    "blob_bytes": sum(len(blob) for blob in blobs),
    "blob_objects": sum(sys.getsizeof(blob) for blob in blobs),
    "pages": len(snapshot.pages_by_path),
}))
"""


def measure(content: Path, mode: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(content), mode],
        cwd=ROOT,
        capture_output=True,
        check=True,
        text=True,
    )
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    content = ensure_corpus(args.posts)
    results: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    for round_number in range(args.rounds):
        for mode in ("off", "on"):
            log(f"round {round_number + 1}: loading {args.posts} posts, verbatim {mode} ...")
            results[mode].append(measure(content, mode))
    best = {mode: min(runs, key=lambda run: run["rss"]) for mode, runs in results.items()}
    fastest = {mode: min(run["seconds"] for run in runs) for mode, runs in results.items()}
    for line in machine_info():
        print(line)
    print(f"\n{best['on']['pages']} pages, {args.posts} posts, one process, no parse cache\n")
    rows = [
        [
            mode,
            f"{fastest[mode]:.2f}",
            f"{best[mode]['rss'] / MIB:.1f}",
            f"{best[mode]['blob_bytes'] / MIB:.1f}",
        ]
        for mode in ("off", "on")
    ]
    extra_rss = best["on"]["rss"] - best["off"]["rss"]
    rows.append(
        [
            "cost",
            f"{fastest['on'] - fastest['off']:+.2f} ({fastest['on'] / fastest['off'] - 1:+.0%})",
            f"{extra_rss / MIB:+.1f} ({extra_rss / best['on']['pages'] / 1024:.2f} KiB/page)",
            "",
        ]
    )
    print_table(["verbatim", "parse s", "snapshot RSS MiB", "verbatim blobs MiB"], rows)
    share = min(run["verbatim_seconds"] / run["seconds"] for run in results["on"])
    print(f"\nmaking the verbatim copies: {share:.0%} of the parse time (within one load)")


if __name__ == "__main__":
    run_script(main)
