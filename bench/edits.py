"""Edits on a running server: how soon they show, what they cost, what they leave cached.

For each size, a generated site is served by ``make serve`` (2 workers, over a
hard-linked copy of the corpus, so edits made by atomic rename never touch the
corpus itself), and the script prints per size:

- time until an edit is visible: from the rename to the moment 4 answers in a row,
  on new connections (so on both workers), show it; median and worst of ``--edits`` (10)
  edits of four kinds in turn (title change, new post, delete, author change);
- CPU seconds used by all server processes per edit (over one second from the edit,
  minus what the same polling costs with no edit);
- memory (RSS and PSS of all processes) right after start (once the search index is ready)
  and after those edits and ``--more-edits`` (40) more;
- the response cache hit rate (``X-Response-Cache``) of a mixed read workload over the
  ``--mixed-seconds`` (5) before and the same after one post's title is edited, over every
  kind of answer (posts, lists, authors, the site, and the Stackbit view's paths and props,
  its objects too under ``--stackbit-compat sourcebit``), and the after / before ratio beside
  its target (issue 25: at least 0.99: every answer that does not show the post stays cached).

    .venv/bin/python bench/edits.py                    # 1,000, 10,000 and 100,000 posts
    .venv/bin/python bench/edits.py --sizes 1k,10k     # shorter
    .venv/bin/python bench/edits.py --quick            # 100 posts, 4 + 4 edits: a smoke run
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from common import (
    QUICK_POSTS,
    WORK_DIR,
    add_server_options,
    describe_server,
    ensure_corpus,
    log,
    machine_info,
    parse_sizes,
    parse_with_quick,
    print_table,
    run_script,
    run_server,
    tree_cpu_seconds,
    tree_memory,
)

VISIBLE_STREAK = 4  # answers in a row on new connections that must show the edit
POLL_SECONDS = 0.005
CPU_WINDOW = 1.0
TIMEOUT = 60.0
READERS = 4
HIT_RATE_TARGET = 0.99  # issue 25: after one post edit, at least 99% of the hit rate before
WARM_READS = 8  # reads of each path on new connections before the hit rate is measured
# A worker's first Stackbit answer builds its Stackbit view: at 100,000 posts on a busy 2-core
# machine that took over 30 s, so the first reads (and the warming ones) may take this long.
FIRST_READ_TIMEOUT = 300.0


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def atomic_write(path: Path, text: str) -> None:
    """As editors and git write: a temporary file beside it, then a rename."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@dataclass
class Edit:
    kind: str
    apply: Callable[[], None]
    visible: Callable[[int], bool]


@dataclass
class Site:
    root: Path
    chance: random.Random = field(default_factory=lambda: random.Random(7))
    counter: int = 0

    def posts(self) -> list[Path]:
        return sorted((self.root / "pages/blog").glob("*.md"))

    def edit(self, kind: str) -> Edit:
        self.counter += 1
        number = self.counter
        if kind == "title":
            post = self.chance.choice(self.posts())
            text = post.read_text(encoding="utf-8")
            old = next(line for line in text.splitlines() if line.startswith("title:"))
            title = f"Edited title {number}"
            return Edit(
                kind,
                lambda: atomic_write(post, text.replace(old, f"title: {title}", 1)),
                lambda port: title.encode() in get(port, f"/api/posts/{post.stem}")[1],
            )
        if kind == "new post":
            slug = f"bench-new-post-{number}"
            text = (
                f"---\ntype: PostLayout\ntitle: New post {number}\ndate: '2031-01-01'\n"
                f"author: content/data/team/{self.chance.choice(self.authors()).name}\n---\n"
                "A new post, added by the benchmark.\n"
            )
            return Edit(
                kind,
                lambda: atomic_write(self.root / f"pages/blog/{slug}.md", text),
                lambda port: get(port, f"/api/posts/{slug}")[0] == 200,
            )
        if kind == "delete":
            post = self.chance.choice(self.posts())
            return Edit(
                kind, post.unlink, lambda port: get(port, f"/api/posts/{post.stem}")[0] == 404
            )
        if kind == "author":
            author = self.chance.choice(self.authors())
            person = json.loads(author.read_text(encoding="utf-8"))
            person["lastName"] = f"Edited{number}"
            return Edit(
                kind,
                lambda: atomic_write(author, json.dumps(person, indent=2)),
                lambda port: (
                    f"Edited{number}".encode() in get(port, f"/api/authors/{author.stem}")[1]
                ),
            )
        raise ValueError(kind)

    def authors(self) -> list[Path]:
        return sorted((self.root / "data/team").glob("*.json"))


KINDS = ("title", "new post", "delete", "author")


def until_visible(port: int, edit: Edit) -> float:
    """Seconds from the edit to ``VISIBLE_STREAK`` answers in a row that show it."""
    started = time.perf_counter()
    edit.apply()
    streak = 0
    while time.perf_counter() - started < TIMEOUT:
        if edit.visible(port):
            streak += 1
            if streak == VISIBLE_STREAK:
                return time.perf_counter() - started
        else:
            streak = 0
            time.sleep(POLL_SECONDS)
    raise TimeoutError(f"a {edit.kind} edit was not visible within {TIMEOUT} s")


def cpu_for(server_pid: int, action: Callable[[], object]) -> float:
    """CPU seconds of the server over ``CPU_WINDOW`` from the start of ``action``."""
    before, started = tree_cpu_seconds(server_pid), time.perf_counter()
    action()
    time.sleep(max(0.0, CPU_WINDOW - (time.perf_counter() - started)))
    return tree_cpu_seconds(server_pid) - before


def hit_rate(port: int, paths: list[str], seconds: float) -> tuple[float, int]:
    """Share of ``X-Response-Cache: HIT`` answers of ``READERS`` threads reading ``paths``."""
    counts = {"HIT": 0, "other": 0}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def read(seed: int) -> None:
        chance = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.perf_counter() < stop:
                try:
                    connection.request("GET", chance.choice(paths))
                    response = connection.getresponse()
                    response.read()
                    status = response.getheader("X-Response-Cache")
                except TimeoutError:  # no answer in 30 s: not from the cache, whatever it was
                    status = "timed out"
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    counts["HIT" if status == "HIT" else "other"] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=read, args=(n,)) for n in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = counts["HIT"] + counts["other"]
    return counts["HIT"] / max(total, 1), total


def warm(port: int, paths: list[str]) -> None:
    """Read each path ``WARM_READS`` times, each on a new connection, so that every worker
    (the kernel spreads connections over them) has most likely kept its answer."""
    for _ in range(WARM_READS):
        for path in paths:
            get(port, path, timeout=FIRST_READ_TIMEOUT)


def mixed_paths(site: Site, stackbit_compat: str) -> list[str]:
    """Every kind of answer: posts, lists, authors, the site, and the Stackbit view's (the
    props of the same posts, its paths, and its objects under sourcebit)."""
    posts = [post.stem for post in site.posts()]
    chosen = random.Random(3).sample(posts, min(100, len(posts)))
    paths = [f"/api/posts/{slug}" for slug in chosen]
    paths += [f"/api/posts?page={n}" for n in range(1, 6)]
    paths += ["/api/posts/recent", "/api/authors", "/api/pages/paths", "/api/site"]
    paths += [f"/api/authors/{a.stem}" for a in site.authors()[:5]]
    paths += [f"/api/stackbit/props?path=/blog/{slug}" for slug in chosen]
    paths.append("/api/stackbit/paths")
    if stackbit_compat == "sourcebit":
        paths.append("/api/stackbit/objects")
    return paths


def linked_copy(content: Path, size: int) -> Path:
    """A hard-linked copy of the corpus at a fixed path (so the parse cache stays warm)."""
    target = WORK_DIR / "edits" / str(size) / "content"
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-al", str(content), str(target)], check=True)
    return target


def measure(size: int, args: argparse.Namespace) -> list[str]:
    content = linked_copy(ensure_corpus(size), size)
    site = Site(content)
    # Edits show through the watcher: on, whatever the environment says.
    env = {"PARSE_CACHE_DIR": str(WORK_DIR / "edits-parse-cache"), "CONTENT_WATCH": "1"}
    env["STACKBIT_COMPAT"] = args.stackbit_compat
    log(f"{size} posts: starting the server")
    with run_server(content, args.server_cmd, args.workers, env) as server:
        # The search index is prepared beside the serving workers by a builder process: a
        # first search waits for it, so nothing but the edits runs while they are measured.
        get(server.port, "/api/search?q=first", timeout=300)
        time.sleep(1.0)
        started_memory = tree_memory(server.pid)
        paths = mixed_paths(site, args.stackbit_compat)
        failed, slowest = [], (0.0, "")
        for path in paths:
            started = time.perf_counter()
            if get(server.port, path, timeout=FIRST_READ_TIMEOUT)[0] != 200:
                failed.append(path)
            slowest = max(slowest, (time.perf_counter() - started, path))
        if failed:
            raise RuntimeError(f"not answered 200: {', '.join(failed[:5])}")
        log(f"  slowest first read: {slowest[1]} in {slowest[0]:.1f} s")
        warm(server.port, paths)
        before, _ = hit_rate(server.port, paths, args.mixed_seconds)
        details = [p for p in paths if p.startswith("/api/posts/") and p != "/api/posts/recent"]
        edited = site.chance.choice(details)
        post = content / f"pages/blog/{edited.rsplit('/', 1)[1]}.md"
        text = post.read_text(encoding="utf-8")
        old = next(line for line in text.splitlines() if line.startswith("title:"))
        atomic_write(post, text.replace(old, "title: The edit the cache must survive", 1))
        after, reads = hit_rate(server.port, paths, args.mixed_seconds)
        log(f"  hit rate {before:.1%} before an edit, {after:.1%} after ({reads} reads)")

        idle_edit = Edit("none", lambda: None, lambda port: get(port, "/api/site")[0] == 200)
        idle = statistics.median(
            cpu_for(server.pid, lambda: until_visible(server.port, idle_edit)) for _ in range(3)
        )
        times, cpus = [], []
        for number in range(args.edits):
            edit = site.edit(KINDS[number % len(KINDS)])
            seconds: list[float] = []
            cpu = cpu_for(
                server.pid, lambda e=edit, s=seconds: s.append(until_visible(server.port, e))
            )
            times.append(seconds[0])
            cpus.append(max(0.0, cpu - idle))
            log(f"  {edit.kind}: visible after {seconds[0] * 1000:.0f} ms, {cpus[-1]:.3f} s CPU")
        for number in range(args.more_edits):
            edit = site.edit(KINDS[number % len(KINDS)])
            until_visible(server.port, edit)
        time.sleep(1.0)
        after_memory = tree_memory(server.pid)
    mib = 1024 * 1024
    return [
        f"{size:,}",
        f"{statistics.median(times) * 1000:.0f} ms",
        f"{max(times) * 1000:.0f} ms",
        f"{statistics.median(cpus):.3f} s",
        f"{max(cpus):.3f} s",
        f"{started_memory.rss / mib:,.0f} / {started_memory.pss / mib:,.0f}",
        f"{after_memory.rss / mib:,.0f} / {after_memory.pss / mib:,.0f}",
        f"{after_memory.pss / max(started_memory.pss, 1):.2f}",
        f"{before:.1%} -> {after:.1%}",
        f"{after / max(before, 1e-9):.3f} (target {HIT_RATE_TARGET}, "
        f"{'met' if after >= HIT_RATE_TARGET * before else 'not met'})",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="site sizes (%(default)s)")
    parser.add_argument("--edits", type=int, default=10, help="edits timed (%(default)s)")
    parser.add_argument(
        "--more-edits", type=int, default=40, help="edits more before memory (%(default)s)"
    )
    parser.add_argument(
        "--mixed-seconds", type=float, default=5.0, help="each hit-rate window (%(default)s)"
    )
    parser.add_argument(
        "--stackbit-compat",
        choices=("content-ts", "sourcebit"),
        default="content-ts",
        help="the server's STACKBIT_COMPAT; sourcebit adds /api/stackbit/objects to the "
        "hit-rate reads (%(default)s)",
    )
    add_server_options(parser)
    parser.set_defaults(workers=2)
    quick = {"sizes": str(QUICK_POSTS), "edits": len(KINDS), "more_edits": 4, "mixed_seconds": 1}
    args = parse_with_quick(parser, argv, quick)
    rows = [measure(size, args) for size in parse_sizes(args.sizes)]
    print("\n".join(machine_info()))
    print(f"{describe_server(args)}; STACKBIT_COMPAT={args.stackbit_compat}")
    print()
    print_table(
        [
            "posts",
            "visible p50",
            "visible worst",
            "CPU/edit p50",
            "CPU/edit worst",
            "MiB RSS/PSS at start",
            f"MiB RSS/PSS after {args.edits + args.more_edits} edits",
            "PSS ratio",
            "cache hit rate before -> after an edit",
            "hit rate after / before",
        ],
        rows,
    )


if __name__ == "__main__":
    run_script(main)
