"""The render cache: rendered bodies kept beside the parse cache, keyed by the body's bytes and
the renderer's version, on the real sites (the bundled content and the theme corpus).

A kept render equals a fresh one byte for byte, a changed renderer renders everything again,
and a corrupt or truncated entry is rendered again, never served and never a 500."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api import create_app
from api.content.live.repository import ContentRepository
from api.content.model import rendering, sanitizing
from api.content.model.rendering import decode_render, render_body
from api.content.model.snapshot import SnapshotOptions
from api.content.source.render_cache import MAGIC, RenderCache, body_key, frame
from tests.support.sites import BUNDLED_CONTENT, CORPUS

SITES = pytest.mark.parametrize("source", [BUNDLED_CONTENT, CORPUS], ids=["content", "corpus"])


def _copy(source: Path, tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(source, root)
    return root


def _repository(root: Path, cache: Path, **options: bool) -> ContentRepository:
    return ContentRepository(
        root, max_file_bytes=1 << 20, cache_dir=cache, options=SnapshotOptions(**options)
    )


def _bodies(repository: ContentRepository) -> dict[str, str]:
    return {
        path: page.body for path, page in repository.snapshot.pages_by_path.items() if page.body
    }


def _render_all(repository: ContentRepository) -> dict[str, tuple[str, tuple, int]]:
    snapshot = repository.snapshot
    found = {}
    for path, page in snapshot.pages_by_path.items():
        if page.body:
            rendered = snapshot.rendered(page)
            found[path] = (rendered.html, rendered.toc, snapshot.word_count(page))
    return found


class Renders:
    """Counts the bodies actually rendered (not taken from a cache)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = rendering.render_markdown

        def counting(body: str) -> rendering.Rendered:
            self.count += 1
            return real(body)

        monkeypatch.setattr(rendering, "render_markdown", counting)


@SITES
@pytest.mark.parametrize("raw_html", [False, True], ids=["sanitised", "raw-html"])
def test_a_kept_render_equals_a_fresh_one_byte_for_byte(source, raw_html, tmp_path, monkeypatch):
    root = _copy(source, tmp_path)
    cache = tmp_path / "cache"
    first = _repository(root, cache, allow_raw_html=raw_html)
    rendered_first = _render_all(first)
    renders = Renders(monkeypatch)

    restarted = _repository(root, cache, allow_raw_html=raw_html)  # another process, as it were
    kept = _render_all(restarted)

    assert renders.count == 0  # every body came from the cache
    assert restarted.renders is not None and restarted.renders.misses == 0
    assert kept == rendered_first
    for path, body in _bodies(restarted).items():
        fresh, words = render_body(body, allow_raw_html=raw_html)
        html, toc, kept_words = kept[path]
        assert html.encode() == fresh.html.encode()
        assert toc == fresh.toc
        assert kept_words == words


@SITES
def test_the_answers_from_kept_renders_are_the_fresh_answers(source, tmp_path, monkeypatch):
    root = _copy(source, tmp_path)
    cache = tmp_path / "cache"
    config = {"content_dir": root, "parse_cache_dir": cache, "content_watch": False}
    fresh_app = create_app({**config, "parse_cache_dir": None}, start_background=False)
    pages = fresh_app.extensions["content"].snapshot.pages_by_path.values()
    paths = [f"/api/pages?path={page.url}" for page in pages]
    fresh = [fresh_app.test_client().get(path) for path in paths]
    warming = create_app(config, start_background=False).test_client()
    for path in paths:
        warming.get(path)  # renders every body once, into the cache
    renders = Renders(monkeypatch)

    cached_app = create_app(config, start_background=False)
    cached = [cached_app.test_client().get(path) for path in paths]

    assert renders.count == 0
    assert [(a.status_code, a.get_data()) for a in cached] == [
        (a.status_code, a.get_data()) for a in fresh
    ]


def test_a_changed_renderer_renders_every_body_again(tmp_path, monkeypatch):
    root = _copy(CORPUS, tmp_path)
    cache = tmp_path / "cache"
    before = _render_all(_repository(root, cache))
    renders = Renders(monkeypatch)
    version = rendering.renderer_version(allow_raw_html=False)
    monkeypatch.setattr(sanitizing, "URL_SCHEMES", sanitizing.URL_SCHEMES | {"ftp"})
    assert rendering.renderer_version(allow_raw_html=False) != version

    changed = _repository(root, cache)
    after = _render_all(changed)

    distinct = len(set(_bodies(changed).values()))
    assert renders.count == distinct  # each body once: none came from the old renderer's file
    assert changed.renders is not None and changed.renders.hits == len(after) - distinct
    assert after == before  # the same output here: only the version changed
    changed.cache.save(  # the next full save removes the old renderer's file
        (entry.version for entry in changed._state.disk.entries.values()), {}
    )
    assert [path.name for path in cache.glob("renders-*")] == [changed.renders.path.name]


def test_raw_html_and_sanitised_renders_are_kept_apart(tmp_path):
    assert rendering.renderer_version(allow_raw_html=True) != rendering.renderer_version(
        allow_raw_html=False
    )


def _entries(path: Path) -> list[tuple[int, int]]:
    """(offset, length) of each frame of a render cache file."""
    data = path.read_bytes()
    found, position = [], 0
    while (position := data.find(MAGIC, position)) >= 0:
        length = int.from_bytes(data[position + 28 : position + 32], "little")
        found.append((position, length))
        position += 1
    return found


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "garbage header"])
def test_a_corrupt_or_truncated_entry_is_rendered_again_never_a_500(damage, tmp_path, monkeypatch):
    root = _copy(CORPUS, tmp_path)
    cache = tmp_path / "cache"
    config = {"content_dir": root, "parse_cache_dir": cache, "content_watch": False}
    app = create_app(config, start_background=False)
    pages = list(app.extensions["content"].snapshot.pages_by_path.values())
    paths = [f"/api/pages?path={page.url}" for page in pages if page.body]
    client = app.test_client()
    before = [client.get(path).get_data() for path in paths]
    log = next(cache.glob("renders-*.log"))
    entries = _entries(log)
    data = bytearray(log.read_bytes())
    if damage == "flipped byte":
        offset, length = entries[len(entries) // 2]
        data[offset + 44 + length // 2] ^= 0x55
    elif damage == "truncated":
        offset, length = entries[-1]
        del data[offset + 44 + length // 2 :]
    else:
        offset, _ = entries[1]
        data[offset : offset + 8] = b"garbage!"
    log.write_bytes(bytes(data))
    renders = Renders(monkeypatch)

    restarted = create_app(config, start_background=False)
    answers = [restarted.test_client().get(path) for path in paths]

    assert [answer.status_code for answer in answers] == [200] * len(paths)
    assert [answer.get_data() for answer in answers] == before
    assert renders.count == 1  # the damaged entry alone, rendered again
    assert restarted.extensions["content"].renders.damaged


def test_entries_are_read_by_key_and_checked(tmp_path):
    store = RenderCache(tmp_path, "root", lambda: "v1")
    assert store.get(b"k" * 20) is None
    store.put(b"k" * 20, b"payload")
    store.put(b"j" * 20, b"other")

    reopened = RenderCache(tmp_path, "root", lambda: "v1")
    assert reopened.get(b"k" * 20) == b"payload"
    assert reopened.get(b"j" * 20) == b"other"
    assert RenderCache(tmp_path, "root", lambda: "v2").get(b"k" * 20) is None  # another renderer
    assert store.path.read_bytes() == frame(b"k" * 20, b"payload") + frame(b"j" * 20, b"other")


def test_a_payload_that_is_not_a_render_is_not_served():
    assert decode_render(b"\x00not marshal") is None
    assert decode_render(rendering.encode_render(*render_body("# Hi", allow_raw_html=False)))


def test_the_file_is_rewritten_with_live_entries_once_it_outgrows_them(tmp_path, monkeypatch):
    monkeypatch.setattr("api.content.source.render_cache.COMPACT_FLOOR", 0)
    store = RenderCache(tmp_path, "root", lambda: "v1")
    live, old = body_key("live body"), body_key("old body")
    store.put(live, b"L" * 100)
    for _ in range(10):
        store.put(old, b"O" * 100)

    store.compact(lambda: {live}, live_bytes=9)

    assert store.path.read_bytes() == frame(live, b"L" * 100)
    assert RenderCache(tmp_path, "root", lambda: "v1").get(live) == b"L" * 100
