"""Latency of the list page, a post and the recent posts against the number of posts.

    python bench/latency.py [--sizes 1000,100000] [--requests 2000] [--workers N]
    python bench/latency.py --quick        # 100 posts, 100 requests: a smoke run

For each size: start our server on the generated corpus and, over one keep-alive connection,
send each request ``--warmup`` times unmeasured, then ``--requests`` times one after another,
timing each from sending to the last byte read. No concurrency: this is the cost of one
request, not throughput. The same post (the corpus's first) is asked for at every size.
"""

from __future__ import annotations

import argparse
import http.client
import time

from common import (
    LIST_PAGE,
    QUICK_POSTS,
    RECENT,
    SEED,
    add_server_options,
    describe_server,
    ensure_corpus,
    log,
    machine_info,
    median,
    ms,
    parse_sizes,
    parse_with_quick,
    percentile,
    print_table,
    run_script,
    run_server,
)
from gen_corpus import post_slug

ENDPOINTS = {
    "list page": LIST_PAGE,
    "post detail": f"/api/posts/{post_slug(SEED, 0)}",
    "recent": RECENT,
}


def time_requests(port: int, path: str, requests: int, warmup: int) -> list[float]:
    """Milliseconds per request, ``requests`` of them after ``warmup`` unmeasured ones."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples = []
    try:
        for number in range(warmup + requests):
            started = time.perf_counter()
            connection.request("GET", path)
            answer = connection.getresponse()
            answer.read()
            elapsed = time.perf_counter() - started
            if answer.status != 200:
                raise RuntimeError(f"{path} answered {answer.status}")
            if number >= warmup:
                samples.append(elapsed * 1000)
    finally:
        connection.close()
    return samples


def measure_size(posts: int, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    """Median and p99 in ms of each endpoint on a corpus of ``posts``."""
    content = ensure_corpus(posts)
    results = {}
    with run_server(content, args.server_cmd, args.workers, timeout=args.timeout) as server:
        log(f"{posts} posts: server ready in {server.ready_seconds:.2f} s")
        for name, path in ENDPOINTS.items():
            samples = time_requests(server.port, path, args.requests, args.warmup)
            results[name] = (median(samples), percentile(samples, 99))
            log(f"{posts} posts: {name} p50 {ms(results[name][0])} p99 {ms(results[name][1])}")
    return results


def report(results: dict[int, dict[str, tuple[float, float]]]) -> None:
    smallest, largest = min(results), max(results)
    headers = ["endpoint"]
    for posts in results:
        headers += [f"p50 @ {posts:,}", f"p99 @ {posts:,}"]
    headers += [f"p50 {largest:,}/{smallest:,}", f"p99 {largest:,}/{smallest:,}"]
    rows = []
    for name in ENDPOINTS:
        row = [name]
        for by_endpoint in results.values():
            row += [ms(by_endpoint[name][0]), ms(by_endpoint[name][1])]
        small, large = results[smallest][name], results[largest][name]
        row += [f"{large[0] / small[0]:.2f}", f"{large[1] / small[1]:.2f}"]
        rows.append(row)
    print_table(headers, rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=parse_sizes, default=[1000, 100000], help="1000,100000")
    parser.add_argument("--requests", type=int, default=2000, help="measured requests (2000)")
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured requests first (200)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for /healthz")
    add_server_options(parser)
    quick = {"sizes": [QUICK_POSTS], "requests": 100, "warmup": 10}
    args = parse_with_quick(parser, argv, quick)
    print("\n".join(machine_info()))
    print(describe_server(args))
    print(f"{args.requests} sequential requests per endpoint on one connection\n", flush=True)
    report({posts: measure_size(posts, args) for posts in args.sizes})


if __name__ == "__main__":
    run_script(main)
