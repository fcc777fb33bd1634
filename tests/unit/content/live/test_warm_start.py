"""A warm start reads no file body: the parse cache keeps each file's record (stat signature
and key) and a file whose inode, size and modification time are its record's is taken from
the cache unread. A file changed while the server was down is read again, a damaged cache is
rebuilt, and the full check (after the start, on SIGHUP) reads everything to catch what the
trust got wrong."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.content.live.repository import ContentRepository
from api.content.source import reading
from tests.support.sites import SEED, SEED_SLUG
from tests.support.waiting import wait_for

HOUR_NS = 3600 * 10**9


def _age(root: Path) -> int:
    """Set every file's times an hour back (a checkout made long ago: nothing "racily clean")
    and say how many content files there are."""
    past = time.time_ns() - HOUR_NS
    files = [path for path in root.rglob("*") if path.is_file()]
    for path in files:
        os.utime(path, ns=(past, past))
    return sum(1 for path in files if reading.is_content_path(path.relative_to(root).as_posix()))


class Opens:
    """Every file under ``root`` that the reading module opens (``os.open``, which
    ``reading.read_file`` reads each file body through)."""

    def __init__(self, root: Path) -> None:
        self.root = str(root.resolve())
        self.paths: list[str] = []

    def wrap(self, original):
        def counting(path, *args, **kwargs):
            text = os.fsdecode(path)
            if text.startswith(self.root + os.sep):
                self.paths.append(os.path.relpath(text, self.root).replace(os.sep, "/"))
            return original(path, *args, **kwargs)

        return counting


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch, site: Path) -> Iterator[Opens]:
    counter = Opens(site)
    monkeypatch.setattr(reading.os, "open", counter.wrap(os.open))
    yield counter


def _repository(root: Path, cache: Path) -> ContentRepository:
    return ContentRepository(root, max_file_bytes=1 << 20, cache_dir=cache)


def _title(repository: ContentRepository) -> str:
    return repository.snapshot.public_view()[0].posts_by_slug[SEED_SLUG].title


def _rewrite_same_size(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (of the same length) and keep the file's times."""
    assert len(old.encode()) == len(new.encode())
    status = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size


def test_a_warm_start_over_unchanged_files_opens_no_file_body(site, tmp_path, opens):
    files = _age(site)
    cold = _repository(site, tmp_path / "cache")
    cold.reload()
    assert len(set(opens.paths)) == files  # the cold start read every one
    assert cold.trusted == 0

    opens.paths.clear()
    warm = _repository(site, tmp_path / "cache")
    snapshot = warm.reload()

    assert opens.paths == []
    assert warm.trusted == files
    assert warm.last_parsed == 0
    assert snapshot.version == cold.snapshot.version
    post, before = (
        repository.snapshot.public_view()[0].posts_by_slug[SEED_SLUG] for repository in (warm, cold)
    )
    assert (post.body, post.blob) == (before.body, before.blob)  # the body, kept by the cache

    checked = warm.check()  # the full check reads every file, and finds nothing changed
    assert len(set(opens.paths)) == files
    assert warm.last_parsed == 0
    assert checked is snapshot
    assert warm.full_checks == 1


def test_a_file_changed_while_stopped_is_read_again(site, tmp_path, opens):
    _age(site)
    _repository(site, tmp_path / "cache").reload()
    path = site / SEED
    _rewrite_same_size(path, "AI, Security", "AI, Safety!!")
    later = path.stat().st_mtime_ns + 10**9  # same size, another modification time
    os.utime(path, ns=(later, later))

    opens.paths.clear()
    restarted = _repository(site, tmp_path / "cache")
    restarted.reload()

    assert opens.paths == [SEED]
    assert restarted.last_parsed == 1
    assert _title(restarted).startswith("AI, Safety!!")


def test_the_full_check_finds_a_change_the_stat_did_not_show(site, tmp_path, opens):
    """Same size, same modification time, same inode: only reading the file tells, which is
    what the full check after a trusting start (and on SIGHUP) is for."""
    _age(site)
    _repository(site, tmp_path / "cache").reload()
    _rewrite_same_size(site / SEED, "AI, Security", "AI, Safety!!")

    restarted = _repository(site, tmp_path / "cache")
    restarted.reload()
    assert _title(restarted).startswith("AI, Security")  # trusted, as documented

    restarted.check()
    assert restarted.last_parsed == 1
    assert _title(restarted).startswith("AI, Safety!!")


def test_a_damaged_cache_is_rebuilt(site, tmp_path, opens):
    files = _age(site)
    cache = tmp_path / "cache"
    _repository(site, cache).reload()
    cache_file = next(cache.glob("parse-*.cache"))
    data = bytearray(cache_file.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte of one entry
    cache_file.write_bytes(bytes(data))

    opens.paths.clear()
    damaged = _repository(site, cache)
    damaged.reload()
    assert len(set(opens.paths)) == files  # nothing trusted from a damaged cache
    assert damaged.last_parsed == files

    opens.paths.clear()
    rebuilt = _repository(site, cache)
    rebuilt.reload()
    assert opens.paths == []
    assert rebuilt.trusted == files


def test_a_damaged_journal_entry_reads_its_file_again(site, tmp_path, opens):
    """A live change appends the changed file's record to the journal; when that entry is
    damaged, the record before it no longer matches the file, which is read again."""
    _age(site)
    cache = tmp_path / "cache"
    running = _repository(site, cache)
    running.reload()
    path = site / SEED
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: Now ", 1))
    past = time.time_ns() - HOUR_NS // 2
    os.utime(path, ns=(past, past))
    running.reload([SEED])
    journal = next(cache.glob("parse-*.journal"))
    data = bytearray(journal.read_bytes())
    data[-1] ^= 0xFF
    journal.write_bytes(bytes(data))

    opens.paths.clear()
    restarted = _repository(site, cache)
    restarted.reload()

    assert opens.paths == [SEED]
    assert _title(restarted).startswith("Now ")


def test_the_full_check_runs_after_the_first_answer_and_on_sighup(site, tmp_path, opens):
    """In an app: the trusting start answers first, then checks every file in the background;
    SIGHUP's reload is the same full check."""
    from api import create_app
    from api.content.live.wiring import BackgroundStart

    _age(site)
    config = {"content_dir": site, "parse_cache_dir": tmp_path / "cache", "content_watch": False}
    create_app(config, start_background=False).extensions["content"]  # the cold start
    _rewrite_same_size(site / SEED, "AI, Security", "AI, Safety!!")

    app = create_app(config)
    repository = app.extensions["content"]
    assert repository.trusted > 0 and repository.full_checks == 0
    response = app.test_client().get(f"/api/posts/{SEED_SLUG}")
    assert response.json["title"].startswith("AI, Security")  # answered from the trusted record
    response.close()  # the answer is out: the check starts

    wait_for(lambda: repository.full_checks == 1, timeout=10)
    assert _title(repository).startswith("AI, Safety!!")

    _rewrite_same_size(site / SEED, "AI, Safety!!", "AI, Shelter!")
    start = next(h for h in app.extensions["on_worker_start"] if isinstance(h, BackgroundStart))
    start.reload()  # what SIGHUP does
    wait_for(lambda: repository.full_checks == 2, timeout=10)
    assert _title(repository).startswith("AI, Shelter!")
