"""The proof (``make test-deploy``): Varnish on loopback in front of two replicas of
``make serve``, each on its own clone of a content repository of 1,000 generated posts; 16
readers through Varnish while a writer commits 20 changes of every kind and each replica pulls
(random order, random delay up to 1 s between them).

Then an edit through the API: a write through replica 1 (``GIT_PUSH=origin``) is pushed to the
shared repository, replica 2 serves it after its pull, and Varnish answers it within 1 s of both
serving it (the write's purge and webhooks like any change's).

It shows, and prints: no errors; Varnish's hit ratio over the run; for each change, once both
replicas serve it, every URL whose answer changed is new through Varnish within 1 s; URLs the
change did not affect stay cached (the same Varnish object before and after); every change
reached the webhook receiver once per replica, signed, and never before that replica's purge.

What changed is known independently: a third server (the "oracle") runs on the origin
repository itself, and every URL is fetched from it before and after each commit.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import multiprocessing
import random
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.editing import Api, tokens_file
from tests.support.git_site import Change, Writer, clone, generate_repository, git
from tests.support.origin import Receiver, ReceiverHandler, serve
from tests.support.proxies import Varnish, ensure_installed, running_varnish
from tests.support.replicas import Replica, running_replica
from tests.support.servers import free_port
from tests.support.waiting import deadline, wait_until, within

pytestmark = pytest.mark.deploy

POSTS = 1000
READERS = 16
RUN_SECONDS = 30
KINDS = [
    "edit",
    "add",
    "edit",
    "delete",
    "author change",
    "config change",
    "edit",
    "add",
    "delete",
    "author change",
    "edit",
    "config change",
    "add",
    "edit",
    "delete",
    "author change",
    "edit",
    "config change",
    "add",
    "edit",
]
SECRET = "deploy-test-webhook-secret"
FRESH_WITHIN = 1.0
UNAFFECTED_SAMPLE = 80

Answer = tuple[int, str | None]  # status, ETag without W/, quotes or -gzip


def etag_of(status: int, headers: dict[str, str]) -> Answer:
    tag = headers.get("etag")
    if tag is not None:
        tag = tag.removeprefix("W/").strip('"').removesuffix("-gzip")
    return status, tag


class KeptAlive:
    """One kept-alive connection per (thread, port), all closed at the end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: dict[tuple[int, int], http.client.HTTPConnection] = {}

    def get(self, port: int, path: str, headers: dict[str, str] | None = None):
        key = (threading.get_ident(), port)
        for attempt in range(2):
            with self._lock:
                connection = self._connections.get(key)
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline(10))
                    self._connections[key] = connection
            try:
                connection.request("GET", path, headers=headers or {})
                answer = connection.getresponse()
                body = answer.read()
                return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body
            except (OSError, http.client.HTTPException):
                connection.close()
                with self._lock:
                    del self._connections[key]
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            for connection in self._connections.values():
                connection.close()
            self._connections.clear()


connections = KeptAlive()
get = connections.get


def discover(port: int) -> list[str]:
    """Every post and author, their lists, the first list pages, the site: ~1,100 URLs."""
    slugs: list[str] = []
    page = 1
    while True:
        items = json.loads(get(port, f"/api/posts?page={page}&page_size=100")[2])["items"]
        if not items:
            break
        slugs += [item["slug"] for item in items]
        page += 1
    authors = [a["slug"] for a in json.loads(get(port, "/api/authors?page_size=100")[2])["items"]]
    urls = [f"/api/posts/{slug}" for slug in slugs]
    urls += [f"/api/authors/{slug}" for slug in authors]
    urls += [f"/api/authors/{slug}/posts" for slug in authors]
    urls += [f"/api/posts?page={n}" for n in range(1, 21)]
    urls += [f"/api/pages?path=/blog/{slug}" for slug in slugs[:20]]
    urls += ["/api/posts/recent", "/api/authors", "/api/site", "/api/pages/paths"]
    return urls


def scan(port: int, urls: list[str], version: str | None = None) -> dict[str, Answer]:
    """Each URL's status and ETag, straight from a server (from ``version`` when given: a
    worker that has not reloaded yet is asked again)."""

    def answer(url: str) -> Answer:
        give_up_at = time.monotonic() + deadline(2.5)
        while True:
            status, headers, _ = get(port, url)
            if version is None or headers.get("x-content-version") == version:
                return etag_of(status, headers)
            if time.monotonic() > give_up_at:
                raise AssertionError(f"{url} never answered from {version}")
            time.sleep(0.05)

    with ThreadPoolExecutor(4) as pool:
        return dict(zip(urls, pool.map(answer, urls), strict=True))


def version_of(port: int) -> str:
    return json.loads(get(port, "/healthz")[2])["contentVersion"]


def read_through(port: int, urls: list[str], threads: int, stop, results) -> None:
    """In a process of its own (16 reading threads would starve the test's own threads of the
    GIL): read random URLs through Varnish until ``stop`` is set, as browsers would; put
    (requests, errors) in ``results``."""
    lock = threading.Lock()
    counts: list[int] = []
    errors: list[str] = []

    def reader(seed: int) -> None:
        rng = random.Random(seed)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline(10))
        count = 0
        while not stop.is_set():
            url = rng.choice(urls)
            try:
                connection.request("GET", url, headers={"Accept-Encoding": "gzip"})
                answer = connection.getresponse()
                answer.read()
                if answer.status != 200:
                    with lock:
                        errors.append(f"{url}: {answer.status}")
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    errors.append(f"{url}: {error!r}")
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline(10))
            count += 1
        connection.close()
        with lock:
            counts.append(count)

    workers = [threading.Thread(target=reader, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((sum(counts), errors))


@dataclass
class Outcome:
    kind: str
    affected: int
    fresh_after: float  # seconds from "both replicas serve it" to "every affected URL is new"
    stale_after_deadline: list[str]
    unaffected_checked: int
    unaffected_purged: list[str]


def object_id(headers: dict[str, str]) -> str | None:
    """The cached object's id from X-Varnish ("<request> <object>" on a hit)."""
    parts = headers.get("x-varnish", "").split()
    return parts[1] if len(parts) == 2 else None


def cached_objects(varnish: Varnish, urls: list[str]) -> dict[str, str]:
    ids = {}
    for url in urls:
        for _ in range(2):  # a miss stores it; the next request is the hit that names it
            _, headers, _ = get(varnish.port, url, {"Accept-Encoding": "gzip"})
            if headers.get("x-cache") == "HIT" and object_id(headers):
                ids[url] = object_id(headers)
                break
    return ids


def check_fresh(
    varnish: Varnish, expected: dict[str, Answer], started: float
) -> tuple[float, list[str]]:
    """Poll every URL through Varnish until it gives the expected answer; (when the last one
    did, relative to ``started``; the URLs still old at ``started + within(FRESH_WITHIN)``)."""
    variants = ({"Accept-Encoding": "gzip"}, {})  # Varnish keeps one of each (Vary)
    pending = {(url, n): answer for url, answer in expected.items() for n in range(2)}
    last_fresh = 0.0
    fresh_by = started + within(FRESH_WITHIN)
    with ThreadPoolExecutor(8) as pool:
        while pending:
            results = pool.map(
                lambda key: (key, etag_of(*get(varnish.port, key[0], variants[key[1]])[:2])),
                list(pending),
            )
            now = time.monotonic()
            for key, answer in results:
                if answer == pending[key]:
                    del pending[key]
                    last_fresh = now - started
            if now > fresh_by:
                break
    return last_fresh, sorted({url for url, _ in pending})


@dataclass(frozen=True)
class Planned:
    """A change made and measured before the run: its commit, the content version it makes,
    and the answer of every URL that it changes."""

    change: Change
    version: str
    affected: dict[str, Answer]


def plan(
    origin: Path, workdir: Path, rng: random.Random
) -> tuple[list[str], list[Planned], list[str]]:
    """Make the changes on a clone of ``origin`` with the oracle watching it, before the run
    (its scans re-render every URL: done now, they cost the run nothing). Returns the URLs
    read, the planned changes and the URLs of the posts the changes delete."""
    planner = clone(origin, workdir / "planner")
    writer = Writer(planner, rng, deletions=KINDS.count("delete"))
    doomed = writer.doomed_urls
    planned = []
    with running_replica(
        "oracle", planner, free_port(), workdir / "cache-oracle", workdir / "oracle.log"
    ) as oracle:
        urls = discover(oracle.port)
        first_urls = list(urls)
        answers = scan(oracle.port, urls)
        for kind in KINDS:
            previous = version_of(oracle.port)
            change = writer.commit(kind)
            assert wait_until(lambda: oracle.serves_other(previous), 30) is not None  # noqa: B023
            version = version_of(oracle.port)
            urls = [u for u in urls if u not in change.removed_urls] + list(change.added_urls)
            new = scan(oracle.port, sorted(set(urls) | set(change.removed_urls)), version)
            affected = {u: a for u, a in new.items() if answers.get(u) != a}
            planned.append(Planned(change, version, affected))
            answers.update(new)
            print(f"planned {kind}: {len(affected)} URLs affected", flush=True)
    return first_urls, planned, doomed


@dataclass
class Deployment:
    """Everything running during the run."""

    origin: Path
    planner: Path
    replicas: list[Replica]
    varnish: Varnish
    hooks: Receiver
    rng: random.Random
    urls: list[str]

    def apply(self, planned: Planned) -> Outcome:
        """Commit one planned change, pull it into both replicas, check what Varnish answers."""
        began = time.monotonic()
        change, version, affected = planned.change, planned.version, planned.affected
        sample = self.rng.sample([u for u in self.urls if u not in affected], UNAFFECTED_SAMPLE)
        objects_before = cached_objects(self.varnish, sample)
        git(self.origin, "fetch", "-q", str(self.planner), change.commit)
        git(self.origin, "cherry-pick", "--allow-empty", change.commit)  # the writer's commit
        order = list(self.replicas)
        self.rng.shuffle(order)
        git(order[0].clone, "pull", "-q", "--ff-only")
        time.sleep(self.rng.uniform(0, 1))
        git(order[1].clone, "pull", "-q", "--ff-only")
        live = wait_until(lambda: all(r.serves(version) for r in order), 20)
        assert live is not None, f"{change.kind}: a replica never served {version}"
        fresh_after, stale = check_fresh(self.varnish, affected, time.monotonic())

        marker = f'"contentVersion":"{version}"'.encode()
        wait_until(lambda: sum(marker in h.body for h in self.hooks.all()) >= 2, 10)
        after = cached_objects(self.varnish, list(objects_before))
        purged = [u for u in objects_before if after.get(u) != objects_before[u]]
        self.urls = [u for u in self.urls if u not in change.removed_urls]
        self.urls += list(change.added_urls)
        print(
            f"{change.kind}: {len(affected)} URLs affected; "
            + (f"{len(stale)} still old 1 s after both replicas served it" if stale
               else f"all new {fresh_after * 1000:.0f} ms after both replicas served it")
            + f"; {len(purged)} of {len(objects_before)} unaffected purged"
            + f"; step {time.monotonic() - began:.1f} s",
            flush=True,
        )  # fmt: skip
        return Outcome(change.kind, len(affected), fresh_after, stale, len(objects_before), purged)


def write_through_replica(deployment: Deployment, doomed: list[str]) -> tuple[str, float]:
    """Retitle an older post through replica 1's API; pull into replica 2; until Varnish shows
    it. (The content version that serves the write, seconds from "both replicas serve it" to
    "Varnish answers it".)"""
    first, second = deployment.replicas
    posts = sorted(
        u for u in deployment.urls
        if u.startswith("/api/posts/") and u.count("/") == 3 and "?" not in u and u not in doomed
        and not u.startswith(("/api/posts/recent", "/api/posts/an-added-post"))
    )  # fmt: skip
    url = posts[len(posts) // 2]
    slug = url.rsplit("/", 1)[1]
    path = f"pages/blog/{slug}.md"
    api = Api(first.port)
    entry, etag = api.entry(path)
    title = f"{entry['frontMatter']['title']} (edited through replica {first.name})"
    status, headers, body = api.call(
        "PATCH", f"/api/entries/{path}", {"frontMatter": {"title": title}},
        {"If-Match": etag}, content_type="application/merge-patch+json",
    )  # fmt: skip
    assert status == 200, body
    version = headers["x-content-version"]
    assert git(deployment.origin, "rev-parse", "main").strip() == body["commit"]  # pushed
    assert json.loads(first.get(url)[2])["title"] == title  # read your writes, replica 1
    git(second.clone, "pull", "-q", "--ff-only")
    live = wait_until(lambda: all(r.serves(version) for r in deployment.replicas), 20)
    assert live is not None, f"replica {second.name} never served the write"
    assert json.loads(second.get(url)[2])["title"] == title
    started = time.monotonic()
    fresh = wait_until(
        lambda: json.loads(get(deployment.varnish.port, url)[2])["title"] == title, 10
    )
    assert fresh is not None, "Varnish never answered the write"
    after = time.monotonic() - started
    marker = f'"contentVersion":"{version}"'.encode()  # each replica's webhook, as apply waits
    wait_until(lambda: sum(marker in h.body for h in deployment.hooks.all()) >= 2, 10)
    print(
        f"write through replica {first.name}: {path}; replica {second.name} served it after its "
        f"pull; new through Varnish {after * 1000:.0f} ms after both replicas served it",
        flush=True,
    )
    return version, after


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A folder of this test's own: pytest's shared temporary folders can be swept by another
    pytest run on the machine while this long test is still using them."""
    path = Path(tempfile.mkdtemp(prefix="content-api-deploy-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_two_replicas_behind_varnish(workdir):
    ensure_installed("git", ["git"])
    rng = random.Random(1313)
    origin = generate_repository(workdir / "origin", POSTS)
    git(origin, "config", "receive.denyCurrentBranch", "updateInstead")  # replicas push writes
    clones = [clone(origin, workdir / f"replica-{name}") for name in "ab"]
    tokens = tokens_file(workdir)
    try:
        urls, planned, doomed = plan(origin, workdir, rng)
    finally:
        connections.close()
    hooks, recorders = Receiver(), {"a": Receiver(), "b": Receiver()}
    ports = {"a": free_port(), "b": free_port()}
    varnish_port = free_port()

    with ExitStack() as stack:
        stack.callback(connections.close)
        hook_url = stack.enter_context(serve(ReceiverHandler, hooks))
        recorded = {n: stack.enter_context(serve(ReceiverHandler, r)) for n, r in recorders.items()}
        replicas = []
        for (name, port), repository in zip(ports.items(), clones, strict=True):
            replicas.append(stack.enter_context(
                running_replica(
                    name, repository, port, workdir / f"cache-{name}", workdir / f"{name}.log",
                    PURGE_URLS=f"http://127.0.0.1:{varnish_port}/,{recorded[name]}/purges",
                    WEBHOOK_URLS=f"{hook_url}/hook/{name}", WEBHOOK_SECRET=SECRET,
                    CACHE_MAX_AGE="600", WORKERS="2",
                    WRITE_TOKENS_FILE=str(tokens), GIT_PUSH="origin",
                )
            ))  # fmt: skip
        varnish = stack.enter_context(running_varnish(list(ports.values()), port=varnish_port))
        for url in urls:  # a warm cache, as in production
            get(varnish_port, url, {"Accept-Encoding": "gzip"})
        deployment = Deployment(origin, workdir / "planner", replicas, varnish, hooks, rng, urls)
        spawn = multiprocessing.get_context("spawn")
        stop, results = spawn.Event(), spawn.Queue()
        read = sorted(set(urls) - set(doomed))  # added posts are not read either
        reading = spawn.Process(
            target=read_through, args=(varnish_port, read, READERS, stop, results)
        )
        stats_before = varnish.stats()
        started = time.monotonic()
        reading.start()
        try:
            outcomes = [deployment.apply(change) for change in planned]
            written_version, written_after = write_through_replica(deployment, doomed)
            time.sleep(max(0.0, RUN_SECONDS - (time.monotonic() - started)))
        finally:
            stop.set()
            requests, errors = results.get(timeout=deadline(60))
            reading.join()
        run_seconds = time.monotonic() - started
        stats_after = varnish.stats()
        purges = {name: recorder.all() for name, recorder in recorders.items()}
    versions = [p.version for p in planned] + [written_version]

    hits = stats_after["MAIN.cache_hit"] - stats_before["MAIN.cache_hit"]
    misses = stats_after["MAIN.cache_miss"] - stats_before["MAIN.cache_miss"]
    hit_ratio = hits / max(hits + misses, 1)
    deliveries, bad_signatures, before_purge = check_webhooks(hooks.all(), purges)
    print()
    print(f"deploy test: {POSTS} posts, 2 replicas x 2 workers behind Varnish, {READERS} readers")
    print(
        f"run: {run_seconds:.1f} s, {requests} reader requests "
        f"({requests / run_seconds:,.0f}/s), {len(errors)} errors"
    )
    print(f"varnish: {hits} hits, {misses} misses; hit ratio {hit_ratio:.1%}")
    print("| change | kind | URLs affected | all new after | old at 1 s | unaffected kept |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for number, o in enumerate(outcomes, 1):
        kept = o.unaffected_checked - len(o.unaffected_purged)
        print(
            f"| {number} | {o.kind} | {o.affected} | {o.fresh_after * 1000:.0f} ms "
            f"| {len(o.stale_after_deadline)} | {kept} of {o.unaffected_checked} |"
        )
    worst = max(o.fresh_after for o in outcomes)
    print(f"slowest change to be new through Varnish once both replicas served it: {worst:.3f} s")
    print(
        f"webhooks: {sum(deliveries.values())} for {len(versions)} changes x 2 "
        f"replicas; {len(bad_signatures)} badly signed; {len(before_purge)} before their purge"
    )

    assert errors == [], errors[:10]
    assert written_after <= within(FRESH_WITHIN), written_after
    assert hit_ratio >= 0.90
    for number, outcome in enumerate(outcomes, 1):
        assert outcome.affected > 0, (number, outcome.kind)
        assert outcome.stale_after_deadline == [], (number, outcome.stale_after_deadline[:10])
        assert outcome.unaffected_checked >= UNAFFECTED_SAMPLE // 2, (number, outcome)
        assert outcome.unaffected_purged == [], (number, outcome.unaffected_purged[:10])
    assert dict(deliveries) == {(n, v): 1 for n in ("a", "b") for v in versions}
    assert bad_signatures == [] and before_purge == []


def check_webhooks(webhooks, purges) -> tuple[Counter, list[str], list[tuple[str, str]]]:
    """Deliveries per (replica, version); badly signed ones; ones that came before the
    replica's purge of that version was acknowledged (its last PURGE reached the recorder)."""
    deliveries: Counter = Counter()
    bad_signatures, before_purge = [], []
    for hook in webhooks:
        name = hook.path.rsplit("/", 1)[-1]
        version = json.loads(hook.body)["contentVersion"]
        deliveries[(name, version)] += 1
        expected = "sha256=" + hmac.new(SECRET.encode(), hook.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(hook.headers.get("x-content-signature", ""), expected):
            bad_signatures.append(name)
        acknowledged = [p.at for p in purges[name] if p.headers.get("x-content-version") == version]
        if not acknowledged or hook.at < max(acknowledged):
            before_purge.append((name, version))
    return deliveries, bad_signatures, before_purge
