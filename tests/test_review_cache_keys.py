"""Review findings: answers kept in the response cache must record every content key they
show, and each snapshot must state every key whose answers changed."""

from __future__ import annotations

from pathlib import Path

from api import create_app
from tests.conftest import BUNDLED_CONTENT, SiteWriter

POST = """\
---
type: PostLayout
title: {title}
date: '{date}'
tags: [{tags}]
---
Body of {title}.
"""


def _post(title: str, date: str, tags: str) -> str:
    return POST.format(title=title, date=date, tags=tags)


def _app(root: Path):
    app = create_app({"content_dir": root, "parse_cache_dir": None})
    return app, app.test_client()


def test_a_tags_post_list_drops_when_a_post_gains_the_tag(make_site: SiteWriter) -> None:
    root = make_site(
        {
            "pages/index.md": "---\ntype: PageLayout\ntitle: Home\n---\n",
            "pages/blog/one.md": _post("One", "2024-01-01", "ai"),
        }
    )
    app, client = _app(root)
    before = client.get("/api/tags/ai/posts").get_json()
    assert [item["slug"] for item in before["items"]] == ["one"]

    (root / "pages/blog/two.md").write_text(_post("Two", "2024-02-01", "ai"), encoding="utf-8")
    app.extensions["content"].reload(["pages/blog/two.md"])

    after = client.get("/api/tags/ai/posts")
    uncached = client.get("/api/tags/ai/posts?page=1")  # another cache key: rendered afresh
    assert [item["slug"] for item in uncached.get_json()["items"]] == ["two", "one"]
    assert after.get_json() == uncached.get_json(), after.headers.get("X-Response-Cache")


def test_site_answer_drops_when_config_keys_are_reordered(make_site: SiteWriter) -> None:
    """Answers keep the file's key order, so a reordered (or 1 -> true) config is a change."""
    root = make_site(
        {
            "pages/index.md": "---\ntype: PageLayout\ntitle: Home\n---\n",
            "data/config.json": '{"titleSuffix": "Site", "favicon": "/a.png", "flag": 1}',
        }
    )
    app, client = _app(root)
    client.get("/api/site")
    (root / "data/config.json").write_text(
        '{"favicon": "/a.png", "titleSuffix": "Site", "flag": true}', encoding="utf-8"
    )
    app.extensions["content"].reload(["data/config.json"])

    _, fresh = _app(root)
    assert client.get("/api/site").get_data() == fresh.get("/api/site").get_data()


def test_repeated_query_parameters_in_another_order_are_another_answer() -> None:
    """Repeated parameters take their first value: ``page=2&page=1`` is page 2, so it must
    not share a cache entry with ``page=1&page=2`` (the normalised query sorts them)."""
    client = _app(BUNDLED_CONTENT)[1]
    first = client.get("/api/posts?page_size=2&page=1&page=2").get_json()
    second = client.get("/api/posts?page_size=2&page=2&page=1").get_json()
    assert first["pagination"]["page"] == 1
    assert second["pagination"]["page"] == 2


def test_an_encoded_ampersand_is_not_a_parameter_separator() -> None:
    """``q=x%26y%3D`` searches for ``x&y=``; ``q=x&y=`` searches for ``x`` (``y`` ignored)."""
    client = _app(BUNDLED_CONTENT)[1]
    literal = client.get("/api/search?q=security%26y%3D").get_data()
    split = client.get("/api/search?q=security&y=")
    assert client.get("/api/search?q=security").get_data() != literal  # they differ...
    assert split.get_data() == client.get("/api/search?q=security").get_data()  # ...this not


def test_keys_since_is_safe_while_a_reload_records_a_snapshot() -> None:
    """Request threads read the history of changed keys (``keys_since``, when the response
    cache is behind) while the reloading thread appends to it (``_swap``): iterating a deque
    that another thread appends to raises, and the request got a 500."""
    import threading
    import time

    from api.content.live.repository import ContentRepository

    repository = ContentRepository(BUNDLED_CONTENT, max_file_bytes=1 << 20)
    repository.reload()
    history = repository._history
    for number in range(2, 258):
        history.append((number, frozenset({"version", f"k{number}"})))
    newest = [257]
    stop = threading.Event()

    def reloads() -> None:  # what _swap does for each new snapshot
        while not stop.is_set():
            newest[0] += 1
            history.append((newest[0], frozenset({"version"})))

    thread = threading.Thread(target=reloads)
    thread.start()
    failures = []
    try:
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not failures:
            try:
                repository.keys_since(newest[0] - 200)
            except RuntimeError as error:
                failures.append(error)
    finally:
        stop.set()
        thread.join()
    assert not failures
