"""Does an open ``/api/events`` stream take capacity from normal requests under ``make serve``?

    python bench/events.py [--posts 1000] [--duration 10] [--rounds 2] [--streams 50]
                           [--threads 1,65] [--workers N]

For each THREADS value (granian's blocking threads per worker, as ``make serve`` passes
them), starts the production server on a generated corpus and drives a cached post with
``wrk -t2 -c32`` twice per round: with no event stream open, and with ``--streams`` streams
open (each a real client reading its stream; heartbeats every second, so the streams'
threads wake up during the run). Between the two it also times single GETs while the
streams are open ("probe": the slowest of 200 sequential requests, or "blocked" when one
took more than 2 s). The table gives the median of the rounds and the ratio of
throughput with streams to throughput without.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from common import (
    LIST_PAGE,
    add_server_options,
    describe_server,
    ensure_corpus,
    ensure_tools,
    http_get,
    log,
    machine_info,
    median,
    ms,
    print_table,
    run_script,
    run_server,
    run_wrk,
)

PROBE_REQUESTS = 200
PROBE_TIMEOUT = 2.0


@contextmanager
def open_streams(port: int, count: int) -> Iterator[int]:
    """``count`` clients asking for ``/api/events``; yields how many streams opened (their
    first bytes arrived within PROBE_TIMEOUT)."""
    request = b"GET /api/events HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n\r\n"
    with ExitStack() as stack:
        sockets = []
        for _ in range(count):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=30))
            sock.sendall(request)
            sockets.append(sock)
        opened = 0
        for sock in sockets:
            sock.settimeout(PROBE_TIMEOUT)
            try:
                head = sock.recv(4096)
            except TimeoutError:
                continue
            if b" 200 " not in head.split(b"\r\n", 1)[0]:
                raise RuntimeError(f"/api/events answered {head[:200]!r}")
            opened += 1
        log(f"  {opened} of {count} event streams open")
        yield opened


def probe(port: int, path: str) -> float | None:
    """The slowest of PROBE_REQUESTS sequential GETs in seconds; None if one waited too long."""
    slowest = 0.0
    for _ in range(PROBE_REQUESTS):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PROBE_TIMEOUT)
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            connection.getresponse().read()
        except (TimeoutError, OSError):
            return None
        finally:
            connection.close()
        slowest = max(slowest, time.perf_counter() - started)
    return slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--threads", default="1,65", help="THREADS values to compare")
    add_server_options(parser)
    args = parser.parse_args()
    ensure_tools("wrk")
    content = ensure_corpus(args.posts)
    rows = []
    for threads in [int(value) for value in args.threads.split(",")]:
        env = {"THREADS": str(threads), "EVENTS_HEARTBEAT_SECONDS": "1", "CONTENT_WATCH": "0"}
        with run_server(content, args.server_cmd, args.workers, env) as server:
            first = json.loads(http_get(server.port, LIST_PAGE).body)["items"][0]
            path = f"/api/posts/{first['slug']}"
            url = f"http://127.0.0.1:{server.port}{path}"
            without, with_streams, probes = [], [], []
            for round_number in range(1, args.rounds + 1):
                log(f"THREADS={threads}, round {round_number}: no streams")
                without.append(run_wrk(url, args.duration))
                log(f"THREADS={threads}, round {round_number}: {args.streams} streams")
                with open_streams(server.port, args.streams) as opened:
                    slowest = probe(server.port, path) if opened == args.streams else None
                    probes.append(slowest)
                    if slowest is None:
                        log("  streams or requests waited more than 2 s: blocked")
                        break
                    with_streams.append(run_wrk(url, args.duration))
        base = median([r.requests_per_second for r in without])
        if not with_streams:
            rows.append([str(threads), f"{base:,.0f}", "blocked", "-", "-", "-", "blocked"])
            continue
        loaded = median([r.requests_per_second for r in with_streams])
        rows.append(
            [
                str(threads),
                f"{base:,.0f}",
                f"{loaded:,.0f}",
                f"{loaded / base:.2f}",
                ms(median([r.p99_ms for r in without])),
                ms(median([r.p99_ms for r in with_streams])),
                ms(max(p for p in probes if p is not None) * 1000),
            ]
        )
    for line in machine_info():
        print(line)
    print(describe_server(args))
    print(
        f"{args.posts} posts, wrk -t2 -c32 -d{args.duration}s on a cached post, "
        f"median of {args.rounds} rounds, {args.streams} open /api/events streams"
    )
    print()
    print_table(
        [
            "THREADS",
            "req/s, no streams",
            f"req/s, {args.streams} streams",
            "ratio",
            "p99, no streams",
            f"p99, {args.streams} streams",
            "slowest probe GET",
        ],
        rows,
    )


if __name__ == "__main__":
    run_script(main)
