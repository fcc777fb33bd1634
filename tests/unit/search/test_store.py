"""The search index kept on disk: reused across restarts, shared by workers, never mixed up.

Each test runs the real parts: apps over a copy of the bundled site with a parse cache
folder of their own, builder processes forked as ``make serve`` forks them, and workers
forked from the process that loaded the content, as granian forks them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import signal
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api import create_app
from api.content.live.loading import load_content
from api.content.model.snapshot import Snapshot
from api.search import IndexStore, SearchIndex, parse_query, search_index, start_search_build
from api.search import background_build as builder_module
from api.search import writing as writing_module
from api.search.search_index import describe
from api.search.snapshots import text_reader
from api.search.store import LOCK, index_files
from tests.support.servers import production_server
from tests.support.waiting import deadline

EDITED = "pages/blog/retiring-the-war-room.md"
QUERIES = ["incident", "silos", "kubern", '"war room"', "jason", "obsrvability", "quokka"]


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def app_over(site: Path, cache: Path, **settings: Any):
    return create_app({"content_dir": site, "parse_cache_dir": cache, **settings})


def store_of(site: Path, cache: Path) -> IndexStore:
    return IndexStore.beside_parse_cache(cache, site)


def answers(index: SearchIndex) -> dict[str, tuple[int, set[str]]]:
    """Each query's number of hits and the pages hit."""
    found = {}
    for q in QUERIES:
        results = index.search(parse_query(q), limit=100)
        found[q] = (results.total, {hit.path for hit in results.hits})
    return found


def built_in_memory(snapshot: Snapshot) -> SearchIndex:
    return SearchIndex.build(snapshot.pages_by_path.values(), text_reader(snapshot))


def snapshot_of(root: Path) -> Snapshot:
    return Snapshot.build(load_content(root, 1 << 20).state)


def add_quokka(site: Path) -> None:
    path = site / EDITED
    text = re.sub("war room", "quokka enclosure", path.read_text(), flags=re.IGNORECASE)
    path.write_text(text, encoding="utf-8")


def inodes(directory: Path) -> dict[str, int]:
    return {name: (directory / name).stat().st_ino for name in index_files(directory)}


def digests(directory: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((directory / name).read_bytes()).hexdigest()
        for name in sorted(os.listdir(directory))
        if name != LOCK
    }


@pytest.fixture
def indexed(monkeypatch) -> list[str]:
    """The paths indexed from now on in this process (a build or an update)."""
    paths: list[str] = []
    real = writing_module.page_document

    def recording(page, *how):
        paths.append(page.path)
        return real(page, *how)

    monkeypatch.setattr(writing_module, "page_document", recording)
    return paths


def fork(work: Callable[[], object]) -> tuple[int, int]:
    """Run ``work`` in a forked child, as granian forks a worker; (pid, read end of its
    answer: the JSON of what ``work`` returned, or of the error)."""
    read, write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: threads of other tests
        pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            answer: object = work()
        except BaseException as error:  # report it to the test, whatever it is
            answer = {"error": repr(error)}
        os.write(write, json.dumps(answer, default=sorted).encode())
        os._exit(0)
    os.close(write)
    return pid, read


def answer_of(pid: int, read: int) -> Any:
    with os.fdopen(read) as pipe:
        text = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(text or '{"error": "the child died"}')


# Restarts


def test_a_restart_over_unchanged_content_opens_the_index_without_building_it(site, cache, indexed):
    first = app_over(site, cache)
    first_index = search_index(first.extensions["content"].snapshot)
    assert len(indexed) == len(first.extensions["content"].snapshot.pages_by_path)
    first_answers = answers(first_index)
    indexed.clear()

    second = app_over(site, cache)  # a restart: a new process would see the same folder
    second_index = search_index(second.extensions["content"].snapshot)

    assert indexed == []  # no page was indexed
    first_dir, second_dir = describe(first_index)["directory"], describe(second_index)["directory"]
    assert first_dir != second_dir and first_dir.parent == second_dir.parent
    assert inodes(second_dir) == inodes(first_dir)  # the very same files, linked
    assert answers(second_index) == first_answers
    client = second.test_client()
    hits = client.get("/api/search", query_string={"q": "silos"}).get_json()["items"]
    assert hits[0]["slug"] == "ai-security-and-the-end-of-silos"


def test_a_restart_after_an_edit_reindexes_only_the_changed_page(site, cache, indexed):
    first = search_index(app_over(site, cache).extensions["content"].snapshot)
    assert first.search(parse_query("quokka")).total == 0
    indexed.clear()
    add_quokka(site)
    (site / "pages/blog/what-developer-advocates-owe-operators.md").unlink()

    app = app_over(site, cache)
    snapshot = app.extensions["content"].snapshot
    second = search_index(snapshot)

    assert indexed == [EDITED]  # the deleted page is only removed
    assert [hit.path for hit in second.search(parse_query("quokka")).hits] == [EDITED]
    assert answers(second) == answers(built_in_memory(snapshot))
    assert describe(second)["documents"] == len(snapshot.pages_by_path)
    kept = set(inodes(describe(first)["directory"]).values())
    assert kept & set(inodes(describe(second)["directory"]).values())  # old segments linked


def test_an_index_of_another_version_or_damaged_is_built_afresh(site, cache, indexed, caplog):
    search_index(app_over(site, cache).extensions["content"].snapshot)
    store = store_of(site, cache)
    published = store.folder / (store.folder / "current").read_text().strip()
    segment = next(name for name in index_files(published) if name.endswith(".term"))
    with open(published / segment, "r+b") as handle:  # one flipped byte
        handle.seek(10)
        byte = handle.read(1)
        handle.seek(10)
        handle.write(bytes([byte[0] ^ 0xFF]))
    indexed.clear()

    with caplog.at_level(logging.INFO, logger="api.search"):
        snapshot = app_over(site, cache).extensions["content"].snapshot
        rebuilt = search_index(snapshot)

    assert "files changed since it was made" in caplog.text
    assert len(indexed) == len(snapshot.pages_by_path)
    assert answers(rebuilt) == answers(built_in_memory(snapshot))

    info = describe(rebuilt)["directory"] / "search-info.json"
    info.write_text(info.read_text().replace('"version": "', '"version": "another-'))
    indexed.clear()
    search_index(app_over(site, cache).extensions["content"].snapshot)
    assert len(indexed) == len(snapshot.pages_by_path)


def test_a_pointer_that_names_anything_but_an_index_here_is_ignored(site, cache, indexed):
    search_index(app_over(site, cache).extensions["content"].snapshot)
    store = store_of(site, cache)
    for name in ("../../../etc", "/tmp", "index-1-2-3/../../x"):
        (store.folder / "current").write_text(name)
        indexed.clear()
        snapshot = app_over(site, cache).extensions["content"].snapshot
        found = search_index(snapshot)
        assert len(indexed) == len(snapshot.pages_by_path)
        assert describe(found)["directory"].parent == store.folder


def test_a_cache_folder_that_cannot_be_written_leaves_search_in_memory(site, tmp_path, caplog):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    app = app_over(site, blocked / "cache")

    with caplog.at_level(logging.WARNING, logger="api.search"):
        response = app.test_client().get("/api/search", query_string={"q": "silos"})

    assert response.status_code == 200
    assert response.get_json()["items"][0]["slug"] == "ai-security-and-the-end-of-silos"
    assert "cannot keep it in" in caplog.text
    assert describe(search_index(app.extensions["content"].snapshot))["directory"] is None


# Workers


def test_a_worker_searches_the_shared_index_and_applies_an_edit_in_its_own_copy(site, cache):
    app = app_over(site, cache, content_watch=False)
    repository = app.extensions["content"]
    store = store_of(site, cache)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        build = start_search_build(repository.snapshot, store)  # as make serve does
    go_a, go_b = os.pipe(), os.pipe()

    def worker(go: int, edits: bool) -> dict[str, Any]:
        os.read(go, 1)
        client = app.test_client()
        first = repository.snapshot

        def slugs(q: str) -> list[str]:
            response = client.get("/api/search", query_string={"q": q})
            return [hit["slug"] for hit in response.get_json()["items"]]

        answer: dict[str, Any] = {"before": slugs("quokka")}
        answer["shared"] = str(describe(search_index(first))["directory"])
        if edits:
            repository.reload()  # the edit arrives: this worker's snapshot follows it
            answer["after"] = slugs("quokka")
            answer["own"] = str(describe(search_index(repository.snapshot))["directory"])
            old = search_index(first).search(parse_query("quokka")).total
            answer["old snapshot"] = old
        answer["war room"] = slugs('"war room"')
        return answer

    a = fork(lambda: worker(go_a[0], edits=True))
    b = fork(lambda: worker(go_b[0], edits=False))
    shared = build.wait(deadline(30))
    assert shared is not None and build.reap() == 0
    before = digests(shared)
    add_quokka(site)

    os.write(go_a[1], b"!")
    edited = answer_of(*a)
    os.write(go_b[1], b"!")
    unedited = answer_of(*b)

    assert digests(shared) == before  # nobody wrote to the shared index
    assert edited["shared"] == unedited["shared"] == str(shared)
    assert edited["before"] == [] and edited["after"] == ["retiring-the-war-room"]
    assert edited["old snapshot"] == 0  # its old snapshot still answers as before
    assert edited["war room"] == []
    own = Path(edited["own"])
    assert own.parent == store.folder and own.name.startswith("private-")
    assert unedited["before"] == [] and "retiring-the-war-room" in unedited["war room"]
    shared_inodes = set(inodes(shared).values())
    assert shared_inodes & set(inodes(own).values())  # the copy links the shared files
    store.clean()  # the worker is gone: its copy goes; the index the parent holds stays
    assert not own.exists() and shared.exists()


def test_a_search_waits_for_the_build_and_never_answers_from_elsewhere(
    site, cache, monkeypatch, caplog
):
    app = app_over(site, cache, content_watch=False)
    snapshot = app.extensions["content"].snapshot
    store = store_of(site, cache)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        build = start_search_build(snapshot, store)
    os.kill(build.pid, signal.SIGSTOP)  # a slow builder
    try:
        assert build.wait(0.3) is None  # not ready: a search would go on waiting
    finally:
        os.kill(build.pid, signal.SIGCONT)
    assert build.wait(deadline(30)) == build.directory

    # A builder that dies: the worker builds the index for itself, from its own snapshot.
    add_quokka(site)
    later = create_app({"content_dir": site, "parse_cache_dir": cache, "content_watch": False})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        doomed = start_search_build(later.extensions["content"].snapshot, store)
    os.kill(doomed.pid, signal.SIGKILL)
    assert doomed.reap() == -signal.SIGKILL
    with caplog.at_level(logging.WARNING, logger="api.search"):
        index = search_index(later.extensions["content"].snapshot)
    assert "building it in this process" in caplog.text
    assert describe(index)["directory"] is None  # in memory
    assert [hit.path for hit in index.search(parse_query("quokka")).hits] == [EDITED]


def test_a_search_that_waits_too_long_builds_for_itself(site, cache, monkeypatch):
    monkeypatch.setattr(builder_module, "READY_WAIT_SECONDS", 0.2)
    app = app_over(site, cache, content_watch=False)
    snapshot = app.extensions["content"].snapshot
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        build = start_search_build(snapshot, store_of(site, cache))
    os.kill(build.pid, signal.SIGSTOP)
    try:
        index = search_index(snapshot)
    finally:
        os.kill(build.pid, signal.SIGCONT)
        build.reap()
    assert describe(index)["directory"] is None
    assert answers(index) == answers(built_in_memory(snapshot))


# Builds at once


def test_two_builds_into_one_cache_dir_at_once_do_not_corrupt_each_other(site, cache):
    store = store_of(site, cache)
    before = create_app({"content_dir": site, "parse_cache_dir": cache}).extensions["content"]
    add_quokka(site)
    after = create_app({"content_dir": site, "parse_cache_dir": cache}).extensions["content"]
    snapshots = [before.snapshot, after.snapshot]
    expected = [answers(built_in_memory(snapshot)) for snapshot in snapshots]
    for _ in range(3):  # two servers (re)starting together, again and again
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            builds = [start_search_build(snapshot, store) for snapshot in snapshots]
        directories = [build.wait(deadline(30)) for build in builds]
        assert [build.reap() for build in builds] == [0, 0]
        for directory, snapshot, wanted in zip(directories, snapshots, expected, strict=True):
            assert directory is not None
            opened = SearchIndex.open(directory, snapshot.pages_by_path)
            assert answers(opened) == wanted
        current = (store.folder / "current").read_text().strip()
        assert current in {directory.name for directory in directories}
    third = snapshot_of(site)
    assert answers(search_index_prepared_here(third, store)) == expected[1]


def search_index_prepared_here(snapshot: Snapshot, store: IndexStore) -> SearchIndex:
    builder_module.keep_search_index(snapshot, store)
    return search_index(snapshot)


def test_cleaning_removes_only_what_no_process_holds(site, cache):
    store = store_of(site, cache)
    held = store.reserve()
    released = store.reserve()
    released.release()
    pid, read = fork(lambda: str(store.reserve().path))  # a process that died holding one
    dead = Path(answer_of(pid, read))
    published = store.reserve()
    store.publish(published.path)
    published.release()

    store.clean()

    assert held.path.exists() and published.path.exists()
    assert not released.path.exists() and not dead.exists()


# The production server


def test_make_serve_restarted_reuses_the_index_its_workers_share(site, tmp_path):
    log = tmp_path / "server.log"
    for run in range(2):
        with production_server(site, tmp_path / "cache", output=log) as port:
            import http.client

            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline(30))
            connection.request("GET", "/api/search?q=silos")
            body = json.loads(connection.getresponse().read())
            connection.close()
            assert body["items"][0]["slug"] == "ai-security-and-the-end-of-silos"
        text = log.read_text()
        assert ("pages built in" if run == 0 else "pages reused in") in text, text
