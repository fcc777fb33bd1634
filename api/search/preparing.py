"""Preparing a snapshot's search index in a directory: reused as stored, updated, or built.

``prepare`` fills a fresh directory (``IndexStore.reserve``) with the index of a
snapshot, starting from the newest complete index of the store:

- its manifest matches the snapshot page for page: the directory gets hard links to
  its files (no page is read, nothing is indexed);
- some pages differ (edits made while the server was down): hard links, then only
  those pages are indexed again, in the new directory;
- there is none, or it is unusable (made by another version of the parser, of this
  code or of tantivy, or with other stemmers than the site's locales call for; a manifest
  or a file that does not read back exactly; too many replaced documents): the index is
  built from every page.

The new directory then becomes the store's newest (``publish``), and directories no
process holds any more are removed. The published index is never written to again:
workers read it where it is, memory-mapped, and copy it before their own updates.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from api.content.model.items import Page
from api.content.model.snapshot import Snapshot
from api.content.source.parsed import FileVersion
from api.search import engine
from api.search.manifest import (
    changed_pages,
    file_digests,
    fingerprints,
    read_info,
    read_pages,
    write_manifest,
)
from api.search.search_index import MAX_STALE_SHARE
from api.search.snapshots import index_languages, text_reader
from api.search.store import LOCK, Held, IndexStore, link_index_files
from api.search.writing import TextOf, new_writer, replace_pages, write_pages

log = logging.getLogger(__name__)


class Prepared(NamedTuple):
    directory: Path
    how: str  # "reused", "updated" or "built"
    documents: int
    indexed: int  # pages indexed (all of them when built)
    seconds: float


def prepare(
    store: IndexStore,
    target: Held,
    snapshot: Snapshot,
    served: Mapping[str, FileVersion] | None = None,
) -> Prepared:
    """Fill ``target`` (a directory ``store.reserve()`` gave) with the index of ``snapshot``,
    reusing what the store's newest index holds; publish it; clean the store. ``served``: the
    content state's served versions, whose keys spare hashing the pages' text."""
    started = time.perf_counter()
    pages = snapshot.pages_by_path
    text_of = text_reader(snapshot)
    languages = index_languages(snapshot)
    prints = fingerprints(snapshot, served)
    done: tuple[str, int] | None = None
    base = store.take_published()
    if base is not None:
        try:
            done = _from_published(base.path, target.path, prints, pages, text_of, languages)
        except Exception as error:  # whatever is wrong with it, a build puts it right
            log.warning("search index %s cannot be reused (%s); building afresh", base.path, error)
        finally:
            base.release()
    if done is None:
        _empty(target.path)
        _build(target.path, prints, pages, text_of, languages)
        done = ("built", len(prints))
    store.publish(target.path)
    store.clean()
    prepared = Prepared(target.path, done[0], len(prints), done[1], time.perf_counter() - started)
    log.info(
        "search index: %d pages %s in %.2f s (%d indexed) in %s",
        prepared.documents,
        prepared.how,
        prepared.seconds,
        prepared.indexed,
        prepared.directory,
    )
    return prepared


def _from_published(
    source: Path,
    target: Path,
    prints: Mapping[str, bytes],
    pages: Mapping[str, Page],
    text_of: TextOf,
    languages: tuple[str, ...],
) -> tuple[str, int] | None:
    """Reuse the index in ``source`` for ``target``; ``None`` when a build is due instead.
    Raises when it turns out to be damaged."""
    info = read_info(source, languages)
    if info is None:
        log.info("search index %s is of another version or incomplete; building afresh", source)
        return None
    old = read_pages(source, info)
    if old is None:
        raise ValueError("its manifest does not read back")
    if file_digests(source, info.files) != info.files:
        raise ValueError("its files changed since it was made")
    changed = changed_pages(old, prints)
    stale = info.stale + sum(1 for path in changed if path in old)
    if stale > MAX_STALE_SHARE * max(len(prints), 1):
        log.info("search index: %d of %d pages changed; building afresh", len(changed), len(old))
        return None
    link_index_files(source, target, info.files)
    files = info.files
    if changed:
        index = engine.open_index(target, languages)
        writer = new_writer(index)
        replace_pages(writer, changed, pages, text_of, languages)
        writer.commit()
        writer.wait_merging_threads()
        files = file_digests(target)
    _check(target, len(prints), languages)
    write_manifest(target, prints, stale=stale, files=files, languages=languages)
    return ("updated" if changed else "reused", len(changed))


def _build(
    target: Path,
    prints: Mapping[str, bytes],
    pages: Mapping[str, Page],
    text_of: TextOf,
    languages: tuple[str, ...],
) -> None:
    index = engine.new_index(target, languages)
    writer = new_writer(index)
    write_pages(writer, pages.values(), text_of, languages)
    writer.commit()
    writer.wait_merging_threads()
    _check(target, len(prints), languages)
    write_manifest(target, prints, stale=0, files=file_digests(target), languages=languages)


def _check(directory: Path, documents: int, languages: tuple[str, ...]) -> None:
    """The index in ``directory`` opens (with the fields of ``languages``) and holds
    ``documents`` documents."""
    found = engine.open_index(directory, languages).searcher().num_docs
    if found != documents:
        raise ValueError(f"{directory} holds {found} documents, not {documents}")


def _empty(directory: Path) -> None:
    """Remove what a failed reuse left in ``directory`` (not its lock)."""
    for entry in os.scandir(directory):
        if entry.name != LOCK:
            os.unlink(entry.path)
