"""Does an open ``/api/events`` stream take capacity from normal requests under ``make serve``?

    python bench/events.py [--posts 1000] [--duration 10] [--rounds 3] [--streams 50]
                           [--workers N]
    python bench/events.py --quick     # 100 posts, 5 streams, 1 s per wrk run: a smoke run

Three ways to run ``make serve`` (CONFIGS): the baseline before event streams had a port of
their own (THREADS=1: one granian blocking thread per worker, streams through the WSGI server,
EVENTS_PORT=0); the same with one blocking thread per possible stream more (THREADS=65); and
streams on their own port (EVENTS_PORT: a small threaded server in each worker, what
``make serve`` does by default). It starts all three on a generated corpus, and in each
round, server after server, drives a cached post with ``wrk -t2 -c32``: with no event stream
open, then with ``--streams`` streams open (each a real client reading its stream; heartbeats
every second, so the streams' threads wake up during the run). With the streams open it first
times 200 sequential GETs ("probe": the slowest, or "blocked" when a stream or a request waited
more than 2 s). The table gives medians of the rounds, the ratio of throughput with streams to
without on the same server, and to the baseline (the first row) without streams.
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
    QUICK_POSTS,
    add_server_options,
    describe_server,
    ensure_corpus,
    ensure_tools,
    free_port,
    http_get,
    log,
    machine_info,
    median,
    ms,
    parse_with_quick,
    print_table,
    run_script,
    run_server,
    run_wrk,
)

# label: (THREADS, streams on EVENTS_PORT rather than through the WSGI server)
CONFIGS = {
    "THREADS=1 (EVENTS_PORT=0)": (1, False),
    "THREADS=65": (65, False),
    "THREADS=1, EVENTS_PORT (the default)": (1, True),
}
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--streams", type=int, default=50)
    add_server_options(parser)
    quick = {"posts": QUICK_POSTS, "duration": 1, "rounds": 1, "streams": 5}
    args = parse_with_quick(parser, argv, quick)
    ensure_tools("wrk")
    content = ensure_corpus(args.posts)
    configs = list(CONFIGS)
    without: dict[str, list] = {c: [] for c in configs}
    loaded: dict[str, list] = {c: [] for c in configs}
    probes: dict[str, list] = {c: [] for c in configs}
    blocked: set[str] = set()
    with ExitStack() as stack:
        servers, stream_ports = {}, {}
        for config, (threads, own_port) in CONFIGS.items():  # all at once: idle costs nothing
            env = {"THREADS": str(threads), "EVENTS_HEARTBEAT_SECONDS": "1", "CONTENT_WATCH": "0"}
            # EVENTS_PORT=0: streams through granian's WSGI threads, as before the events port.
            env["EVENTS_PORT"] = str(free_port()) if own_port else "0"
            servers[config] = stack.enter_context(
                run_server(content, args.server_cmd, args.workers, env)
            )
            stream_ports[config] = int(env["EVENTS_PORT"]) or servers[config].port
        first = json.loads(http_get(servers[configs[0]].port, LIST_PAGE).body)["items"][0]
        path = f"/api/posts/{first['slug']}"
        for round_number in range(1, args.rounds + 1):
            for config, server in servers.items():  # interleaved: the machine's mood is shared
                url = f"http://127.0.0.1:{server.port}{path}"
                log(f"round {round_number}, {config}: no streams")
                without[config].append(run_wrk(url, args.duration))
                if config in blocked:
                    continue
                log(f"round {round_number}, {config}: {args.streams} streams")
                with open_streams(stream_ports[config], args.streams) as opened:
                    slowest = probe(server.port, path) if opened == args.streams else None
                    if slowest is None:
                        log("  streams or requests waited more than 2 s: blocked")
                        blocked.add(config)
                        continue
                    probes[config].append(slowest)
                    loaded[config].append(run_wrk(url, args.duration))
    baseline = median([r.requests_per_second for r in without[configs[0]]])
    rows = []
    for config in configs:
        base = median([r.requests_per_second for r in without[config]])
        row = [config, f"{base:,.0f}", ms(median([r.p99_ms for r in without[config]]))]
        if config in blocked:
            rows.append([*row, "blocked", "-", "-", "blocked", "-"])
            continue
        streams = median([r.requests_per_second for r in loaded[config]])
        rows.append(
            [
                *row,
                f"{streams:,.0f}",
                ms(median([r.p99_ms for r in loaded[config]])),
                f"{streams / base:.2f}",
                ms(max(probes[config]) * 1000),
                f"{streams / baseline:.2f}",
            ]
        )
    for line in machine_info():
        print(line)
    print(describe_server(args))
    print(
        f"{args.posts} posts, wrk -t2 -c32 -d{args.duration}s on a cached post, median of "
        f"{args.rounds} interleaved rounds; {args.streams} open /api/events streams"
    )
    print()
    print_table(
        [
            "make serve with",
            "req/s, no streams",
            "p99",
            f"req/s, {args.streams} streams",
            "p99",
            "ratio",
            "slowest probe GET",
            "vs first row, no streams",
        ],
        rows,
    )


if __name__ == "__main__":
    run_script(main)
