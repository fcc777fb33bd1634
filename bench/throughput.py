"""Throughput of each cached GET on our server, beside nginx serving the same bytes.

    python bench/throughput.py [--posts 1000] [--duration 10] [--rounds 3] [--workers N]
    python bench/throughput.py --quick     # 100 posts, 1 s per wrk run, 1 round: a smoke run

Starts our server on a generated corpus, fetches the exact bytes of each endpoint, writes them
as static files for an nginx on another loopback port, then drives both with
``wrk -t2 -c32 -d<duration> --latency``, alternating between them, for a number of rounds.
The table gives the median of the rounds; the ratio is ours over nginx's req/s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from common import (
    AUTHORS,
    LIST_PAGE,
    QUICK_POSTS,
    RECENT,
    WORK_DIR,
    Response,
    WrkResult,
    add_server_options,
    describe_server,
    ensure_corpus,
    ensure_tools,
    free_port,
    http_get,
    log,
    machine_info,
    managed_process,
    median,
    ms,
    parse_with_quick,
    print_table,
    run_script,
    run_server,
    run_wrk,
    wait_for_200,
)


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    revalidate: bool = False  # sent with If-None-Match: the target's own ETag, so answered 304


def choose_endpoints(port: int) -> list[Endpoint]:
    """The measured endpoints, with a real post and author: the first of the list page."""
    listing = http_get(port, LIST_PAGE)
    if listing.status != 200:
        raise RuntimeError(f"{LIST_PAGE} answered {listing.status}: {listing.body[:300]!r}")
    first = json.loads(listing.body)["items"][0]
    detail = f"/api/posts/{first['slug']}"
    return [
        Endpoint("list page", LIST_PAGE),
        Endpoint("post detail", detail),
        Endpoint("recent", RECENT),
        Endpoint("author", f"/api/authors/{first['author']['slug']}"),
        Endpoint("304 revalidation", detail, revalidate=True),
    ]


def fetch_answers(port: int, endpoints: list[Endpoint]) -> dict[str, Response]:
    """Each path's 200 answer, as a client without Accept-Encoding gets it (wrk's case)."""
    answers = {}
    for path in dict.fromkeys(endpoint.path for endpoint in endpoints):
        answers[path] = http_get(port, path)
        if answers[path].status != 200:
            raise RuntimeError(f"{path} answered {answers[path].status}")
    return answers


def nginx_conf(workdir: Path, port: int, files: Mapping[str, str]) -> str:
    """Serve each request URI (path and query string, as sent) from its file, else 404."""
    entries = "\n".join(f'        "{uri}" /{name};' for uri, name in files.items())
    temp_paths = "\n".join(
        f"    {kind}_temp_path {workdir}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, the workers stay root: BENCH_DIR may sit in a folder only root can enter.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""\
{user}worker_processes 2;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 100000;
    etag on;
    types {{
        application/json json;
    }}
    default_type application/json;
{temp_paths}
    map_hash_bucket_size 256;  # room for long URIs as keys
    map $request_uri $response_file {{
        default /not-found;
{entries}
    }}
    server {{
        listen 127.0.0.1:{port};
        root {workdir}/files;
        location / {{
            try_files $response_file =404;
        }}
    }}
}}
"""


@contextmanager
def run_nginx(nginx: str, bodies: Mapping[str, bytes]) -> Iterator[int]:
    """Start nginx serving ``bodies`` (request URI -> bytes); yield its port."""
    with tempfile.TemporaryDirectory(prefix="nginx-", dir=WORK_DIR) as name:
        workdir = Path(name)
        workdir.chmod(0o755)  # nginx's workers, if they drop root, must read the files
        (workdir / "files").mkdir()
        files = {}
        for number, (uri, body) in enumerate(bodies.items()):
            files[uri] = f"{number}.json"
            (workdir / "files" / files[uri]).write_bytes(body)
        port = free_port()
        conf = workdir / "nginx.conf"
        conf.write_text(nginx_conf(workdir, port, files))
        argv = [nginx, "-p", str(workdir), "-e", str(workdir / "error.log"), "-c", str(conf)]
        with managed_process(argv) as child:
            wait_for_200(child, port, next(iter(bodies)), timeout=15)
            yield port


@dataclass(frozen=True)
class Target:
    name: str
    port: int


def wrk_headers(target: Target, endpoint: Endpoint, expected: Response) -> dict[str, str]:
    """Check that ``target`` answers ``endpoint`` as we did; the headers wrk must send."""
    plain = http_get(target.port, endpoint.path)
    same_type = plain.headers.get("content-type") == expected.headers.get("content-type")
    if plain.status != 200 or plain.body != expected.body or not same_type:
        raise RuntimeError(f"{target.name}: {endpoint.path} does not answer the same bytes")
    if not endpoint.revalidate:
        return {}
    headers = {"If-None-Match": plain.headers["etag"]}
    status = http_get(target.port, endpoint.path, headers).status
    if status != 304:
        raise RuntimeError(f"{target.name}: {endpoint.path} with If-None-Match answered {status}")
    return headers


def measure(
    targets: list[Target],
    endpoints: list[Endpoint],
    answers: Mapping[str, Response],
    args: argparse.Namespace,
) -> dict[tuple[str, str], list[WrkResult]]:
    """Run wrk on every (endpoint, target), alternating targets, ``rounds`` times."""
    headers = {
        (endpoint.name, target.name): wrk_headers(target, endpoint, answers[endpoint.path])
        for endpoint in endpoints
        for target in targets
    }
    results: dict[tuple[str, str], list[WrkResult]] = {key: [] for key in headers}
    for round_number in range(args.rounds):
        order = targets if round_number % 2 == 0 else targets[::-1]
        for endpoint in endpoints:
            for target in order:
                url = f"http://127.0.0.1:{target.port}{endpoint.path}"
                key = (endpoint.name, target.name)
                result = run_wrk(url, args.duration, headers[key])
                results[key].append(result)
                log(
                    f"round {round_number + 1}/{args.rounds} {endpoint.name:<16} "
                    f"{target.name:<5} {result.requests_per_second:>10,.0f} req/s  "
                    f"p50 {ms(result.p50_ms)}  p99 {ms(result.p99_ms)}"
                )
    return results


def report(endpoints: list[Endpoint], results: Mapping[tuple[str, str], list[WrkResult]]) -> None:
    def middle(name: str, target: str, metric: str) -> float:
        return median([getattr(result, metric) for result in results[(name, target)]])

    rows = []
    for endpoint in endpoints:
        nginx_rate = middle(endpoint.name, "nginx", "requests_per_second")
        ours_rate = middle(endpoint.name, "ours", "requests_per_second")
        rows.append(
            [
                endpoint.name,
                f"{nginx_rate:,.0f}",
                f"{ours_rate:,.0f}",
                f"{ours_rate / nginx_rate:.2f}",
                ms(middle(endpoint.name, "ours", "p50_ms")),
                ms(middle(endpoint.name, "ours", "p99_ms")),
                ms(middle(endpoint.name, "nginx", "p99_ms")),
            ]
        )
    headers = ["endpoint", "nginx req/s", "ours req/s", "ratio", "ours p50", "ours p99"]
    print_table([*headers, "nginx p99"], rows)
    for (name, target), runs in results.items():
        errors = sum(result.errors for result in runs)
        if errors:
            print(f"warning: {target} {name}: {errors} non-2xx/3xx answers or socket errors")


def tool_version(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return lines[0].split(" Copyright")[0] if lines else "unknown"


def seconds(text: str) -> int:
    """A duration as wrk takes it, in whole seconds: ``10`` or ``10s``."""
    return int(text.removesuffix("s"))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000, help="corpus size (1000)")
    parser.add_argument("--duration", type=seconds, default=10, help="seconds per wrk run (10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the median is shown (3)")
    add_server_options(parser)
    return parse_with_quick(parser, argv, {"posts": QUICK_POSTS, "duration": 1, "rounds": 1})


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    tools = ensure_tools("wrk", "nginx")
    content = ensure_corpus(args.posts)
    print("\n".join(machine_info()))
    print(f"tools: {tool_version([tools['wrk'], '-v'])}; {tool_version([tools['nginx'], '-v'])}")
    print(f"corpus: {args.posts} posts, {AUTHORS} authors; {describe_server(args)}")
    print(f"wrk -t2 -c32 -d{args.duration}s, median of {args.rounds} interleaved rounds\n")
    sys.stdout.flush()
    with run_server(content, args.server_cmd, args.workers) as server:
        endpoints = choose_endpoints(server.port)
        log("\n".join(f"{endpoint.name}: {endpoint.path}" for endpoint in endpoints))
        answers = fetch_answers(server.port, endpoints)
        bodies = {path: answer.body for path, answer in answers.items()}
        with run_nginx(tools["nginx"], bodies) as nginx_port:
            targets = [Target("nginx", nginx_port), Target("ours", server.port)]
            results = measure(targets, endpoints, answers, args)
    report(endpoints, results)


if __name__ == "__main__":
    run_script(main)
