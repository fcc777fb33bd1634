"""What the Stackbit view's parse-time extra (each file as written, for /api/stackbit/*) costs:
memory and parse time.

    python bench/verbatim_memory.py [--posts 10000] [--rounds 2]
    python bench/verbatim_memory.py --quick      # 100 posts, 1 round: a smoke run

The Stackbit view keeps each file as written by registering an extra
(``api.content.source.extras.register``, done by ``api.stackbit.init_app`` when the app is made)
that ``api.stackbit.verbatim.compute_verbatim`` computes while every file is parsed. This
script generates (or reuses) the corpus, then loads it in fresh processes with
``load_content`` and builds the snapshot, in one process (no parse workers) and without the
parse cache, ``--rounds`` times each way: with no extra registered (what ``content check``
does, and what a server without the Stackbit view would keep) and with the Stackbit extra
registered (what the server does). Each load reports its parse time, the resident memory the
process grew by with the content state and its snapshot held (after a full collection), and
the bytes of the extras themselves (pages, people and site files). On a busy machine compare
the share of the parse time spent computing the extra (measured within one load) rather than
the two loads' times.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
import time
from pathlib import Path

from common import (
    QUICK_POSTS,
    ROOT,
    ensure_corpus,
    log,
    machine_info,
    parse_with_quick,
    print_table,
    run_script,
)

MIB = 1024 * 1024
MODES = ("off", "on")  # the Stackbit extra not registered, registered


def resident_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def load_once(content: Path, mode: str) -> dict[str, float]:
    """Load ``content`` in this process with the Stackbit extra registered or not: the figures
    of one load. Runs in a fresh process (``--child``), so that nothing else is resident."""
    sys.path.insert(0, str(ROOT))  # the project's own modules, wherever this script runs from
    from api.content.live.loading import load_content
    from api.content.model.snapshot import Snapshot
    from api.content.source import extras, parallel
    from api.stackbit.verbatim import EXTRA, MODULES, compute_verbatim

    spent = [0.0]

    def timed_verbatim(*arguments):  # the same extra, its time summed
        started = time.perf_counter()
        try:
            return compute_verbatim(*arguments)
        finally:
            spent[0] += time.perf_counter() - started

    # One process: parse workers would make and hold the extras in their own memory.
    parallel.PARALLEL_MIN_FILES = sys.maxsize
    # The registry as this load wants it, and as it was afterwards: a module-level dict that
    # ``extras.register`` fills and nothing empties.
    saved = dict(extras._REGISTERED)
    extras._REGISTERED.clear()
    if mode == "on":
        extras.register(EXTRA, timed_verbatim, modules=MODULES)
    try:
        gc.collect()
        before = resident_bytes()
        started = time.perf_counter()
        loaded = load_content(content, 1 << 20)
        seconds = time.perf_counter() - started
        snapshot = Snapshot.build(loaded.state)  # the server holds both
        gc.collect()
        grown = resident_bytes() - before
        blobs = [page.extra(EXTRA) for page in snapshot.pages_by_path.values()]
        blobs += [person.extra(EXTRA) for person in snapshot.people_by_path.values()]
        blobs += [extras.extra_of(kept, EXTRA) for kept in snapshot.site_extras.values()]
        kept = [blob for blob in blobs if blob is not None]
        if (mode == "on") != bool(kept):
            raise RuntimeError(f"extra {mode}, yet {len(kept)} files carry it")
        return {
            "seconds": seconds,
            "extra_seconds": spent[0],
            "rss": grown,
            "blob_bytes": sum(len(blob) for blob in kept),
            "blob_objects": sum(sys.getsizeof(blob) for blob in kept),
            "pages": len(snapshot.pages_by_path),
            "files": len(kept),
        }
    finally:
        extras._REGISTERED.clear()
        extras._REGISTERED.update(saved)


def measure(content: Path, mode: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(content)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"loading with the extra {mode} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="corpus size (%(default)s)")
    parser.add_argument("--rounds", type=int, default=2, help="loads each way (%(default)s)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "CONTENT"), help=argparse.SUPPRESS)
    args = parse_with_quick(parser, argv, {"posts": QUICK_POSTS, "rounds": 1})
    if args.child:
        mode, content = args.child
        print(json.dumps(load_once(Path(content), mode)))
        return
    content = ensure_corpus(args.posts)
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for round_number in range(args.rounds):
        for mode in MODES:
            log(f"round {round_number + 1}: loading {args.posts} posts, Stackbit extra {mode} ...")
            results[mode].append(measure(content, mode))
    best = {mode: min(runs, key=lambda run: run["rss"]) for mode, runs in results.items()}
    fastest = {mode: min(run["seconds"] for run in runs) for mode, runs in results.items()}
    for line in machine_info():
        print(line)
    pages = best["on"]["pages"]
    print(
        f"\n{pages} pages ({args.posts} posts), {best['on']['files']} files carrying the extra; "
        f"one process, no parse cache; the best of {args.rounds} round(s)\n"
    )
    rows = [
        [
            mode,
            f"{fastest[mode]:.2f}",
            f"{best[mode]['rss'] / MIB:.1f}",
            f"{best[mode]['blob_bytes'] / MIB:.2f}",
        ]
        for mode in MODES
    ]
    extra_rss = best["on"]["rss"] - best["off"]["rss"]
    rows.append(
        [
            "cost",
            f"{fastest['on'] - fastest['off']:+.2f} ({fastest['on'] / fastest['off'] - 1:+.0%})",
            f"{extra_rss / MIB:+.1f} ({extra_rss / pages / 1024:.2f} KiB/page)",
            "",
        ]
    )
    print_table(["Stackbit extra", "parse s", "content + snapshot RSS MiB", "extra MiB"], rows)
    share = min(run["extra_seconds"] / run["seconds"] for run in results["on"])
    print(f"\ncomputing the extra: {share:.0%} of the parse time (within one load)")


if __name__ == "__main__":
    run_script(main)
