"""What the benchmark scripts share: the cached corpora, our server and other processes run in
their own process group and always stopped, wrk and its output, /proc memory, and tables.

The scripts run as ``python bench/<script>.py`` from anywhere; the server runs in the
repository root so that ``python -m api...`` finds the package.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from gen_corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent
WORK_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/content-api-bench"))
AUTHORS = 20
SEED = 42
LIST_PAGE = "/api/posts?page=2&page_size=10"
RECENT = "/api/posts/recent"

# How to start our server: {python} is this interpreter, {port} a free loopback port. It also
# gets CONTENT_DIR, PORT and, when given, WORKERS and PARSE_CACHE_DIR in its environment.
SERVER_CMD = "{python} -m api.serve"


def default_server_cmd() -> str:
    return SERVER_CMD


def run_script(main: Callable[[], None]) -> None:
    """Run a script's ``main`` so that Ctrl-C, SIGTERM and SIGHUP unwind through every
    ``finally`` (stopping the processes it started) and end it quietly."""

    def exit_on(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, exit_on)
    signal.signal(signal.SIGHUP, exit_on)
    try:
        main()
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)


# --- corpora -----------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    """Corpus sizes from ``1000,10000`` or ``1k,10k``."""
    sizes = set()
    for part in text.split(","):
        size = part.strip().lower()
        sizes.add(int(float(size[:-1]) * 1000) if size.endswith("k") else int(size))
    return sorted(sizes)


def ensure_corpus(posts: int, authors: int = AUTHORS) -> Path:
    """The content folder of a generated site of ``posts`` posts, generated once and reused.

    A marker written after the last file names the arguments and the generator's hash, so an
    interrupted or outdated corpus is generated again rather than reused.
    """
    out = WORK_DIR / str(posts)
    marker = out / "corpus.json"
    generator = (Path(__file__).parent / "gen_corpus.py").read_bytes()
    wanted = {"posts": posts, "authors": authors, "seed": SEED}
    wanted["generator"] = hashlib.sha256(generator).hexdigest()[:16]
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return out / "content"
    shutil.rmtree(out, ignore_errors=True)
    log(f"generating {posts} posts under {out} ...")
    stats = write_corpus(out, posts, authors, SEED)
    log(stats.describe(out))
    marker.write_text(json.dumps(wanted))
    return out / "content"


# --- processes ---------------------------------------------------------------------------


@dataclass
class Process:
    """A child running in its own process group, its output kept in an unnamed file."""

    process: subprocess.Popen[bytes]
    output: IO[bytes]

    def output_tail(self, lines: int = 30) -> str:
        self.output.flush()
        self.output.seek(0)
        text = self.output.read().decode("utf-8", "replace")
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def managed_process(argv: Sequence[str], env: Mapping[str, str] | None = None) -> Iterator[Process]:
    """Run ``argv`` and stop its whole process group on the way out, whatever happens."""
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield Process(process, output)
        finally:
            stop_group(process)


def stop_group(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL whatever of it is still alive after ``grace``."""
    group = process.pid  # start_new_session: the group id is the leader's pid
    try:
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and (process.poll() is None or live_members(group)):
            time.sleep(0.05)
    finally:  # also on a second Ctrl-C while waiting
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        process.wait()


def proc_stats() -> dict[int, tuple[int, int, str]]:
    """Every process as pid -> (parent pid, process group, state), from /proc/<pid>/stat."""
    stats = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = text.rpartition(")")[2].split()  # the command name may hold spaces
        stats[int(entry.name)] = (int(fields[1]), int(fields[2]), fields[0])
    return stats


def live_members(group: int) -> list[int]:
    return [pid for pid, (_, pgrp, state) in proc_stats().items() if pgrp == group and state != "Z"]


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in proc_stats().items():
        children.setdefault(ppid, []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user and system, every thread) used so far by ``root`` and its descendants."""
    ticks = 0
    for pid in process_tree(root):
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text.rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Memory:
    processes: int
    rss: int  # bytes, summed over the tree: pages shared after fork count once per process
    pss: int  # bytes, summed over the tree: shared pages divided among their sharers
    largest_rss: int  # bytes, of the tree's largest process


def tree_memory(root: int) -> Memory:
    """Resident memory of ``root`` and its descendants, from /proc/<pid>/smaps_rollup."""
    rss, pss = [], []
    for pid in process_tree(root):
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        values = dict(re.findall(r"^(Rss|Pss):\s+(\d+) kB", rollup, re.MULTILINE))
        rss.append(int(values.get("Rss", 0)) * 1024)
        pss.append(int(values.get("Pss", 0)) * 1024)
    return Memory(len(rss), sum(rss), sum(pss), max(rss, default=0))


# --- our server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes


def http_get(port: int, path: str, headers: Mapping[str, str] | None = None) -> Response:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=dict(headers or {}))
        answer = connection.getresponse()
        body = answer.read()
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, body)
    finally:
        connection.close()


def wait_for_200(child: Process, port: int, path: str, timeout: float) -> float:
    """Poll ``path`` until it answers 200; return the perf_counter() of that answer."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(
                f"{child.process.args} exited with {child.process.returncode} before "
                f"{path} answered 200; its last output:\n{child.output_tail()}"
            )
        try:
            if http_get(port, path).status == 200:
                return time.perf_counter()
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.01)
    raise TimeoutError(f"{path} did not answer 200 in {timeout:.0f} s:\n{child.output_tail()}")


@dataclass(frozen=True)
class Server:
    port: int
    pid: int
    ready_seconds: float  # from just before the process started to the first 200 of /healthz

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> Response:
        return http_get(self.port, path, headers)

    def health(self) -> dict[str, object]:
        return json.loads(self.get("/healthz").body)


@contextmanager
def run_server(
    content: Path,
    server_cmd: str,
    workers: int | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 900.0,
) -> Iterator[Server]:
    """Start our server on ``content`` and a free port; yield it once /healthz answers 200."""
    port = free_port()
    argv = [part.format(python=sys.executable, port=port) for part in shlex.split(server_cmd)]
    environ = dict(os.environ, CONTENT_DIR=str(content), PORT=str(port), **(env or {}))
    if workers is not None:
        environ["WORKERS"] = str(workers)
    started = time.perf_counter()
    with managed_process(argv, environ) as child:
        ready = wait_for_200(child, port, "/healthz", timeout)
        yield Server(port, child.process.pid, ready - started)


def wait_until_idle(
    root: int, port: int, *, quiet_seconds: float = 1.0, limit: float = 600.0
) -> None:
    """Ask every worker something (new connections land on either), then wait until the
    server's process tree has used under 5% of a core for ``quiet_seconds``: a worker's work
    after its first answer (the full check of a trusting warm start, a search index being
    opened) is done before anything is measured, on every site alike."""
    for _ in range(16):
        with suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            connection.close()
    give_up_at = time.perf_counter() + limit
    while time.perf_counter() < give_up_at:
        before = tree_cpu_seconds(root)
        time.sleep(quiet_seconds)
        if tree_cpu_seconds(root) - before < 0.05 * quiet_seconds:
            return


QUICK_POSTS = 100  # the site of every --quick run: one small corpus, generated once


def parse_with_quick(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None, quick: Mapping[str, object]
) -> argparse.Namespace:
    """Parse ``argv`` with a ``--quick`` flag that makes ``quick`` the defaults: the smallest
    run that still takes the script's whole road (a tiny site, one round, 1 s wrk runs), to
    check that it works, not to measure. Options given explicitly still win."""

    def option(name: str, value: object) -> str:
        shown = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        return f"--{name.replace('_', '-')} {shown}"

    options = " ".join(option(name, value) for name, value in quick.items())
    parser.add_argument(
        "--quick", action="store_true", help=f"a smoke run, not a measurement: {options}"
    )
    known, _ = parser.parse_known_args(argv)
    if known.quick:
        parser.set_defaults(**quick)
    return parser.parse_args(argv)


def describe_server(args: argparse.Namespace) -> str:
    workers = args.workers if args.workers is not None else "unset (the server's default)"
    return f"server: {args.server_cmd}; WORKERS={workers}"


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """--server-cmd and --workers, the same in every script."""
    parser.add_argument(
        "--server-cmd",
        default=default_server_cmd(),
        help="how to start our server; {python} and {port} are filled in (%(default)s)",
    )
    parser.add_argument(
        "--workers", type=int, help="passed to the server as WORKERS (its own default if unset)"
    )


# --- tools ---------------------------------------------------------------------------------


def find_tool(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/local/sbin:/usr/sbin:/sbin")


def ensure_tools(*names: str) -> dict[str, str]:
    """The path of each tool; missing ones are installed with apt-get (package name = tool name)."""
    missing = [name for name in names if find_tool(name) is None]
    if missing:
        log(f"installing {' '.join(missing)} with apt-get")
        command = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(command, env=env).returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, check=True)
            subprocess.run(command, env=env, check=True)
    paths = {name: find_tool(name) for name in names}
    absent = [name for name, path in paths.items() if path is None]
    if absent:
        raise RuntimeError(f"could not install {' '.join(absent)}")
    return {name: path for name, path in paths.items() if path}


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers plus socket errors
    requests: int = 0  # answers counted over the whole run


_TIME_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(text: str) -> WrkResult:
    """Read req/s, the 50% and 99% latencies and the errors from ``wrk --latency`` output."""

    def latency(percent: str) -> float:
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.MULTILINE)
        if match is None:
            raise ValueError(f"no {percent}% latency in wrk output:\n{text}")
        return float(match[1]) * _TIME_UNITS_MS[match[2]]

    rate = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    if rate is None:
        raise ValueError(f"no Requests/sec in wrk output:\n{text}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    errors = int(non_2xx[1]) if non_2xx else 0
    errors += sum(int(n) for n in sockets.groups()) if sockets else 0
    total = re.search(r"^\s*(\d+) requests in ", text, re.MULTILINE)
    requests = int(total[1]) if total else 0
    return WrkResult(float(rate[1]), latency("50"), latency("99"), errors, requests)


def run_wrk(
    url: str,
    seconds: int,
    headers: Mapping[str, str] | None = None,
    threads: int = 2,
    connections: int = 32,
) -> WrkResult:
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    done = subprocess.run([*argv, url], capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(argv)} {url} failed:\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


# --- reporting -------------------------------------------------------------------------------


def log(message: str) -> None:
    """Progress goes to stderr, so that stdout holds only what is meant to be quoted."""
    print(message, file=sys.stderr, flush=True)


def percentile(samples: Sequence[float], percent: float) -> float:
    """The nearest-rank percentile of ``samples``."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def machine_info() -> list[str]:
    """Date, architecture, CPU model and count, Python: the context a quoted table needs."""
    cpu = "unknown CPU"
    with suppress(OSError), open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    return [
        f"date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"machine: {platform.machine()}, {cpu}, {os.cpu_count()} cores",
        f"python: {platform.python_version()}, {platform.system()} {platform.release()}",
    ]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A Markdown table, aligned for the terminal: the first column left, the others right."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * widths[0]] + ["-" * (width - 1) + ":" for width in widths[1:]]
    print("\n".join([line(headers), line(rule), *(line(row) for row in rows)]), flush=True)


def ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 100 else f"{value:,.0f} ms"
