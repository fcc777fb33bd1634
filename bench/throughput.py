"""Throughput of each cached GET on our server, beside nginx serving the same bytes.

    python bench/throughput.py [--posts 1000] [--duration 10] [--rounds 3] [--workers N]
    python bench/throughput.py --quick     # 100 posts, 1 s per wrk run, 1 round: a smoke run

Starts our server on a generated corpus, fetches the exact bytes of each endpoint, writes them
as static files for an nginx on another loopback port, then drives both with
``wrk -t2 -c32 -d<duration> --latency``, alternating between them, for a number of rounds.
The table gives the median of the rounds; the ratio is the median of each round's ours over
nginx's req/s, beside its target. Each server's CPU time per answer (its processes' user and
system time over the run, divided by wrk's count) is printed too, and the CPU-bound ratio:
(nginx's CPU + wrk's) over (ours + wrk's) per answer, the req/s ratio of a machine that runs
nothing else. Unlike req/s, it hardly moves when other jobs share the machine, which the
script notes when the load average exceeds the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
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
    tree_cpu_seconds,
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
def run_nginx(nginx: str, bodies: Mapping[str, bytes]) -> Iterator[Target]:
    """Start nginx serving ``bodies`` (request URI -> bytes); yield it as a target."""
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
            yield Target("nginx", port, child.process.pid)


TARGET_RATIO = 0.65  # issue 25: a cached GET at least 0.65 of nginx's req/s on every endpoint


@dataclass(frozen=True)
class Target:
    name: str
    port: int
    pid: int  # the root of its process tree, whose CPU time is counted


@dataclass(frozen=True)
class Run:
    wrk: WrkResult
    cpu_us: float  # the target's CPU time per answer, in microseconds
    wrk_cpu_us: float  # wrk's own CPU time per answer, in microseconds


def children_cpu_seconds() -> float:
    """CPU time of this process's children that have ended (wrk, once it is waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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
) -> dict[tuple[str, str], list[Run]]:
    """Run wrk on every (endpoint, target), alternating targets, ``rounds`` times."""
    headers = {
        (endpoint.name, target.name): wrk_headers(target, endpoint, answers[endpoint.path])
        for endpoint in endpoints
        for target in targets
    }
    results: dict[tuple[str, str], list[Run]] = {key: [] for key in headers}
    for round_number in range(args.rounds):
        order = targets if round_number % 2 == 0 else targets[::-1]
        for endpoint in endpoints:
            for target in order:
                url = f"http://127.0.0.1:{target.port}{endpoint.path}"
                key = (endpoint.name, target.name)
                cpu_before, wrk_before = tree_cpu_seconds(target.pid), children_cpu_seconds()
                result = run_wrk(url, args.duration, headers[key])
                cpu = tree_cpu_seconds(target.pid) - cpu_before
                wrk_cpu = children_cpu_seconds() - wrk_before
                answers_run = max(result.requests, 1)
                run = Run(result, cpu / answers_run * 1e6, wrk_cpu / answers_run * 1e6)
                results[key].append(run)
                log(
                    f"round {round_number + 1}/{args.rounds} {endpoint.name:<16} "
                    f"{target.name:<15} {result.requests_per_second:>10,.0f} req/s  "
                    f"p50 {ms(result.p50_ms)}  p99 {ms(result.p99_ms)}  "
                    f"CPU {run.cpu_us:.1f} us/answer"
                )
    return results


Results = Mapping[tuple[str, str], list[Run]]


def rate(results: Results, name: str, target: str) -> float:
    return median([run.wrk.requests_per_second for run in results[(name, target)]])


def ratio(results: Results, name: str, target: str, to: str = "nginx") -> float:
    """The median over the rounds of ``target``'s req/s over ``to``'s in the same round."""
    pairs = zip(results[(name, target)], results[(name, to)], strict=True)
    return median([ours.wrk.requests_per_second / theirs.wrk.requests_per_second
                   for ours, theirs in pairs])  # fmt: skip


def latency(results: Results, name: str, target: str, metric: str) -> float:
    return median([getattr(run.wrk, metric) for run in results[(name, target)]])


def cpu(results: Results, name: str, target: str) -> str:
    return f"{median([run.cpu_us for run in results[(name, target)]]):.1f} us"


def cpu_bound_ratio(results: Results, name: str, target: str, to: str = "nginx") -> float:
    """The ratio of req/s the two would reach if the machine ran nothing but each server and
    wrk, the cores busy: (``to``'s CPU + wrk's) over (``target``'s + wrk's) per answer, the
    median over the rounds. It hardly moves with other jobs on the machine; req/s does."""
    pairs = zip(results[(name, target)], results[(name, to)], strict=True)
    return median([(theirs.cpu_us + theirs.wrk_cpu_us) / (ours.cpu_us + ours.wrk_cpu_us)
                   for ours, theirs in pairs])  # fmt: skip


def busy_machine_note(load: tuple[float, float]) -> str | None:
    """A warning when other jobs kept the cores busy during the run."""
    cores = os.cpu_count() or 1
    if max(load) <= cores:
        return None
    return (
        f"note: the machine was busy (load average {load[0]:.1f} at the start, {load[1]:.1f} at "
        f"the end, on {cores} cores): each server's req/s then depends on its share of the "
        "cores (granian runs more threads than nginx), so the req/s ratio says little; the "
        "CPU-bound ratio is the steadier figure"
    )


def report(
    endpoints: list[Endpoint],
    results: Results,
    *,
    load: tuple[float, float],
) -> None:
    rows = []
    for endpoint in endpoints:
        name = endpoint.name
        ours = ratio(results, name, "ours")
        rows.append(
            [
                name,
                f"{rate(results, name, 'nginx'):,.0f}",
                f"{rate(results, name, 'ours'):,.0f}",
                f"{ours:.2f}",
                f"{TARGET_RATIO:.2f}",
                "met" if ours >= TARGET_RATIO else "not met",
                ms(latency(results, name, "ours", "p50_ms")),
                ms(latency(results, name, "ours", "p99_ms")),
                ms(latency(results, name, "nginx", "p99_ms")),
                cpu(results, name, "ours"),
                cpu(results, name, "nginx"),
                f"{cpu_bound_ratio(results, name, 'ours'):.2f}",
            ]
        )
    print_table(
        [
            "endpoint", "nginx req/s", "ours req/s", "ratio", "target", "",
            "ours p50", "ours p99", "nginx p99", "ours CPU/answer", "nginx CPU/answer",
            "CPU-bound ratio",
        ],
        rows,
    )  # fmt: skip
    met = sum(row[5] == "met" for row in rows)
    verdict = "met" if met == len(rows) else "not met"
    print(
        f"\ntarget: a cached GET at least {TARGET_RATIO:.2f}x nginx on every endpoint: "
        f"{verdict} ({met} of {len(rows)} endpoints)"
    )
    note = busy_machine_note(load)
    if note:
        print(note)
    for (name, target), runs in results.items():
        errors = sum(run.wrk.errors for run in runs)
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
    with ExitStack() as running:
        server = running.enter_context(run_server(content, args.server_cmd, args.workers))
        targets = [Target("ours", server.port, server.pid)]
        endpoints = choose_endpoints(server.port)
        log("\n".join(f"{endpoint.name}: {endpoint.path}" for endpoint in endpoints))
        answers = fetch_answers(server.port, endpoints)
        bodies = {path: answer.body for path, answer in answers.items()}
        nginx = running.enter_context(run_nginx(tools["nginx"], bodies))
        load_before = os.getloadavg()[0]
        results = measure([nginx, *targets], endpoints, answers, args)
        load = (load_before, os.getloadavg()[0])
    report(endpoints, results, load=load)


if __name__ == "__main__":
    run_script(main)
