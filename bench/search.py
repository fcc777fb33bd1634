"""Search under the production server: uncached and cached latency, and indexing's share of a
cold start.

    python bench/search.py [--sizes 10000] [--large] [--queries 1000] [--workers N]

For each size: start our server (``make serve``'s command) on the generated corpus with an
empty parse cache (a cold start), and time it until ``/healthz`` answers; the server builds
its search index before it forks its workers and logs how long that took, which gives
indexing's share of the cold start. Then, one request at a time over one keep-alive
connection: ``--queries`` distinct 1- to 3-word queries, each asked once (uncached: every
answer is computed), and the first 200 of them again (cached: answered from the response
cache like any repeated GET). The last word of each query counts as a prefix, as it does
while a user types. ``--large`` adds 100,000 posts and the ratio of its median to that at
10,000 (target: at most 3).

Targets (issue 11): uncached p50 at most 5 ms and p99 at most 20 ms at 10,000 posts;
indexing at most +30% on a cold start.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shlex
import sys
import tempfile
import time
from urllib.parse import quote

from common import (
    add_server_options,
    describe_server,
    ensure_corpus,
    free_port,
    log,
    machine_info,
    managed_process,
    median,
    ms,
    percentile,
    print_table,
    run_script,
    tree_memory,
    wait_for_200,
)
from gen_corpus import TITLE_WORDS, WORDS, word_list

STOPWORDS = frozenset(
    word_list("the a of and to in is for on with that this as we it our from by at be")
)
CACHED_REPEATS = 200
INDEX_LOG = re.compile(r"search index: (\d+) pages in ([\d.]+) s")


def make_queries(count: int, seed: int = 11) -> list[str]:
    """Distinct 1-, 2- and 3-word queries from the corpus's own words, in turn (one-word
    queries stop at the size of the vocabulary)."""
    vocabulary = sorted(
        {word.lower() for word in (*WORDS, *TITLE_WORDS) if word.lower() not in STOPWORDS}
    )
    rng = random.Random(seed)
    ones = min(count // 3, len(vocabulary) // 2)
    twos = (count - ones) // 2
    groups = []
    for words, wanted in ((1, ones), (2, twos), (3, count - ones - twos)):
        chosen: dict[str, None] = {}
        while len(chosen) < wanted:
            chosen[" ".join(rng.sample(vocabulary, k=words))] = None
        groups.append(list(chosen))
    mixed = [group[i] for i in range(max(map(len, groups))) for group in groups if i < len(group)]
    return mixed


def time_queries(
    connection: http.client.HTTPConnection, queries: list[str]
) -> list[tuple[str, float, int]]:
    """(query, milliseconds, hits) for each query, one after another on ``connection``.

    One connection for every pass: it stays with one worker, whose response cache the
    cached pass is meant to hit (each worker has its own).
    """
    samples = []
    for query in queries:
        path = f"/api/search?q={quote(query)}"
        started = time.perf_counter()
        connection.request("GET", path)
        answer = connection.getresponse()
        body = answer.read()
        elapsed = (time.perf_counter() - started) * 1000
        if answer.status != 200:
            raise RuntimeError(f"{path} answered {answer.status}: {body[:200]!r}")
        total = int(re.search(rb'"totalItems":(\d+)', body).group(1))  # type: ignore[union-attr]
        samples.append((query, elapsed, total))
    return samples


def measure(posts: int, args: argparse.Namespace) -> dict[str, object]:
    content = ensure_corpus(posts)
    port = free_port()
    argv = [part.format(python=sys.executable, port=port) for part in shlex.split(args.server_cmd)]
    with tempfile.TemporaryDirectory(prefix="search-bench-cache-") as cache:
        env = dict(os.environ, CONTENT_DIR=str(content), PORT=str(port), PARSE_CACHE_DIR=cache)
        if args.workers is not None:
            env["WORKERS"] = str(args.workers)
        started = time.perf_counter()
        with managed_process(argv, env) as child:
            ready = wait_for_200(child, port, "/healthz", args.timeout) - started
            logged = INDEX_LOG.findall(child.output_tail(400))
            indexing = float(logged[-1][1]) if logged else float("nan")
            log(f"{posts} posts: ready in {ready:.2f} s, of which indexing {indexing:.2f} s")
            queries = make_queries(args.queries)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                time_queries(connection, [f"warm {query}" for query in queries[:20]])
                uncached = time_queries(connection, queries)
                cached = time_queries(connection, queries[:CACHED_REPEATS])
            finally:
                connection.close()
            memory = tree_memory(child.process.pid)
    result: dict[str, object] = {"ready": ready, "indexing": indexing, "pss": memory.pss}
    for words in (1, 2, 3):
        times = [elapsed for query, elapsed, _ in uncached if len(query.split()) == words]
        result[f"{words} word"] = (median(times), percentile(times, 99))
    every = [elapsed for _, elapsed, _ in uncached]
    result["uncached"] = (median(every), percentile(every, 99))
    again = [elapsed for _, elapsed, _ in cached]
    result["cached"] = (median(again), percentile(again, 99))
    result["hits"] = median([hits for _, _, hits in uncached])
    for name in ("uncached", "cached"):
        p50, p99 = result[name]  # type: ignore[misc]
        log(f"{posts} posts: {name} p50 {ms(p50)} p99 {ms(p99)}")
    return result


def report(results: dict[int, dict[str, object]]) -> None:
    headers = ["queries", *(f"{posts:,} posts p50 / p99" for posts in results)]
    rows = []
    for name in ("1 word", "2 word", "3 word", "uncached", "cached"):
        label = {"uncached": "all uncached", "cached": "cached repeats"}.get(name, f"{name}s")
        cells = []
        for result in results.values():
            p50, p99 = result[name]  # type: ignore[misc]
            cells.append(f"{ms(p50)} / {ms(p99)}")
        rows.append([label, *cells])
    print_table(headers, rows)
    print()
    start_rows = []
    for posts, result in results.items():
        ready, indexing = float(result["ready"]), float(result["indexing"])  # type: ignore[arg-type]
        start_rows.append(
            [
                f"{posts:,}",
                f"{ready:.2f} s",
                f"{indexing:.2f} s",
                f"+{indexing / max(ready - indexing, 1e-9):.0%}",
                f"{int(result['pss']) / 2**20:,.0f}",  # type: ignore[call-overload]
                f"{result['hits']:,.0f}",
            ]
        )
    print_table(
        ["posts", "cold start", "of which indexing", "indexing adds", "PSS MiB", "median hits"],
        start_rows,
    )
    if len(results) > 1:
        smallest, largest = min(results), max(results)
        ratio = results[largest]["uncached"][0] / results[smallest]["uncached"][0]  # type: ignore[index]
        print(f"\nuncached p50 at {largest:,} / at {smallest:,} posts: {ratio:.2f} (target <= 3)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated post counts (10000)")
    parser.add_argument("--large", action="store_true", help="also 100,000 posts")
    parser.add_argument("--queries", type=int, default=1000, help="distinct queries (1000)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for /healthz")
    add_server_options(parser)
    args = parser.parse_args(argv)
    sizes = sorted(
        {int(size) for size in args.sizes.split(",")} | ({100000} if args.large else set())
    )
    print("\n".join(machine_info()))
    print(describe_server(args))
    print(
        f"{args.queries} distinct 1-3 word queries, each once, then {CACHED_REPEATS} again; "
        "sequential requests on one connection\n",
        flush=True,
    )
    report({posts: measure(posts, args) for posts in sizes})


if __name__ == "__main__":
    run_script(main)
