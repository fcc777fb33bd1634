"""SQLite FTS5 beside tantivy on the same documents: the measurement behind our engine choice.

    python bench/search_engines.py [--posts 10000] [--queries 300]
    python bench/search_engines.py --quick     # 100 posts, 30 queries of each kind: a smoke run

Both engines index the same text of every post of a generated site (title, excerpt, tags,
author, body prose, code; what ``api.search.search_documents`` extracts) and answer the same
queries: every word must match, ranked by BM25 with the same field weights, the first 10
hits and the number of matches. Each engine runs in a process of its own, so that its
memory is its own. Measured for each:

- index time (the text extraction excluded: it is the same for both) and the index's size
  on disk (both write files, which forked workers then share through the page cache);
- memory: the builder's resident growth, and the private memory each of two forked
  "workers" adds after opening the index and answering every query;
- query latency, p50 and p99 (nearest rank) of 1-, 2- and 3-word queries, and of the same
  queries with the last word as a prefix (search as you type);
- an incremental update: 20 documents replaced, in one transaction or commit;
- what fork does: the index opened before the fork used in the child, and opened anew.

Both engines come with the project: SQLite with Python, tantivy as a dependency (the one
this comparison chose).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from common import (
    QUICK_POSTS,
    ROOT,
    ensure_corpus,
    log,
    machine_info,
    median,
    ms,
    parse_with_quick,
    percentile,
    print_table,
    run_script,
)
from gen_corpus import WORDS, word_list

sys.path.insert(0, str(ROOT))  # the project's own modules, wherever this script runs from

from api.content.live.loading import load_content
from api.content.model.snapshot import Snapshot
from api.search.search_documents import FIELDS, SearchDocument, search_document

WEIGHTS = {"title": 10.0, "excerpt": 4.0, "tags": 4.0, "author": 4.0, "body": 1.0, "code": 0.3}
STOPWORDS = frozenset(
    word_list("the a of and to in is for on with that this as we it our from by at be")
)
Docs = list[SearchDocument]


# --- the engines ---------------------------------------------------------------------------


class SqliteEngine:
    """A contentless FTS5 table in a file; queries ``MATCH`` quoted words, ``ORDER BY`` bm25."""

    name = "SQLite FTS5"

    def __init__(self, folder: Path) -> None:
        self.path = folder / "index.sqlite"
        self.connection: sqlite3.Connection | None = None

    def build(self, docs: Docs) -> None:
        connection = sqlite3.connect(self.path)
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        columns = ", ".join(FIELDS)
        connection.execute(
            f"CREATE VIRTUAL TABLE docs USING fts5({columns}, content='', "
            "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
        )
        with connection:
            connection.executemany(
                f"INSERT INTO docs(rowid, {columns}) VALUES (?{', ?' * len(FIELDS)})",
                ((rowid, *doc) for rowid, doc in enumerate(docs)),
            )
            connection.execute("INSERT INTO docs(docs) VALUES ('optimize')")
        connection.close()

    def open(self) -> None:
        self.connection = sqlite3.connect(
            f"file:{self.path}?immutable=1", uri=True, check_same_thread=False
        )
        self.connection.execute("PRAGMA mmap_size=1073741824")
        weights = ", ".join(str(WEIGHTS[name]) for name in FIELDS)
        self.top = (
            f"SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, {weights}) LIMIT 10"
        )
        self.count = "SELECT count(*) FROM docs WHERE docs MATCH ?"

    def update(self, docs: Docs, changed: dict[int, SearchDocument]) -> None:
        connection = sqlite3.connect(self.path)
        columns = ", ".join(FIELDS)
        with connection:
            for rowid, new in changed.items():
                connection.execute(
                    f"INSERT INTO docs(docs, rowid, {columns}) "
                    f"VALUES ('delete', ?{', ?' * len(FIELDS)})",
                    (rowid, *docs[rowid]),
                )
                connection.execute(
                    f"INSERT INTO docs(rowid, {columns}) VALUES (?{', ?' * len(FIELDS)})",
                    (rowid, *new),
                )
        connection.close()

    def query(self, words: Sequence[str], prefix: bool) -> tuple[list[int], int]:
        assert self.connection is not None
        parts = [f'"{word}"' for word in words]
        if prefix:
            parts[-1] += "*"
        expression = " ".join(parts)
        hits = [row[0] for row in self.connection.execute(self.top, (expression,))]
        (count,) = self.connection.execute(self.count, (expression,)).fetchone()
        return hits, count

    def size(self) -> int:
        return self.path.stat().st_size


class TantivyEngine:
    """One tantivy index in a folder; queries built as objects, never parsed from text."""

    name = "tantivy"

    def __init__(self, folder: Path) -> None:
        import tantivy

        self.tantivy = tantivy
        self.folder = folder / "tantivy"
        self.folder.mkdir()
        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("id", stored=True, indexed=True, fast=True)
        for name in FIELDS:
            builder.add_text_field(name, stored=False, tokenizer_name="folded")
        self.schema = builder.build()
        self.index: Any = None

    def _index(self) -> Any:
        tantivy = self.tantivy
        index = tantivy.Index(self.schema, path=str(self.folder))
        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .build()
        )
        index.register_tokenizer("folded", analyzer)
        return index

    def build(self, docs: Docs) -> None:
        index = self._index()
        writer = index.writer(heap_size=200_000_000, num_threads=1)
        for rowid, doc in enumerate(docs):
            writer.add_document(self.tantivy.Document(id=rowid, **doc._asdict()))
        writer.commit()
        writer.wait_merging_threads()

    def open(self) -> None:
        self.index = self._index()
        self.index.reload()
        self.searcher = self.index.searcher()

    def update(self, docs: Docs, changed: dict[int, SearchDocument]) -> None:
        index = self._index()
        writer = index.writer(heap_size=50_000_000, num_threads=1)
        for rowid, new in changed.items():
            writer.delete_documents_by_term("id", rowid)
            writer.add_document(self.tantivy.Document(id=rowid, **new._asdict()))
        writer.commit()
        writer.wait_merging_threads()

    def query(self, words: Sequence[str], prefix: bool) -> tuple[list[int], int]:
        query_class, occur = self.tantivy.Query, self.tantivy.Occur
        musts = []
        for number, word in enumerate(words):
            last = prefix and number == len(words) - 1
            should = []
            for name, weight in WEIGHTS.items():
                if last:  # what the server does: a prefix automaton (Levenshtein, distance 0)
                    term = query_class.fuzzy_term_query(self.schema, name, word, 0, True, True)
                else:
                    term = query_class.term_query(self.schema, name, word)
                should.append((occur.Should, query_class.boost_query(term, weight)))
            musts.append((occur.Must, query_class.boolean_query(should)))
        result = self.searcher.search(query_class.boolean_query(musts), limit=10, count=True)
        hits = [self.searcher.doc(address)["id"][0] for _, address in result.hits]
        return hits, result.count

    def size(self) -> int:
        return sum(path.stat().st_size for path in self.folder.rglob("*") if path.is_file())


ENGINES: dict[str, Callable[[Path], Any]] = {"sqlite": SqliteEngine, "tantivy": TantivyEngine}


# --- measuring -----------------------------------------------------------------------------


def memory_kib() -> dict[str, int]:
    """This process's resident, proportional and private memory (KiB), from smaps_rollup."""
    text = Path("/proc/self/smaps_rollup").read_text()
    values = {key: int(value) for key, value in re.findall(r"^(\w+):\s+(\d+) kB", text, re.M)}
    private = values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)
    return {"rss": values.get("Rss", 0), "pss": values.get("Pss", 0), "private": private}


def make_queries(count: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    vocabulary = sorted({word for word in WORDS if word not in STOPWORDS and len(word) > 2})
    return [rng.sample(vocabulary, k=1 + number % 3) for number in range(count)]


def timed_queries(engine: Any, queries: list[list[str]], prefix: bool) -> list[float]:
    samples = []
    for words in queries:
        if prefix:
            words = [*words[:-1], words[-1][: max(3, len(words[-1]) - 2)]]
        started = time.perf_counter()
        engine.query(words, prefix)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def in_child(work: Callable[[], dict[str, Any]], timeout: float = 600) -> dict[str, Any]:
    """Run ``work`` in a forked child and return what it returned (or the error)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            signal.alarm(int(timeout))
            answer = work()
        except BaseException as error:  # reported to the parent
            answer = {"error": f"{type(error).__name__}: {error}"}
        with os.fdopen(write, "w") as pipe:
            json.dump(answer, pipe)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not text:
        return {"error": f"the child died (wait status {status})"}
    return json.loads(text)  # type: ignore[no-any-return]


def measure_engine(kind: str, docs: Docs, queries: list[list[str]]) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix=f"search-bench-{kind}-"))

    def work() -> dict[str, Any]:
        engine = ENGINES[kind](folder)
        gc.collect()
        before = memory_kib()
        started = time.perf_counter()
        engine.build(docs)
        built = time.perf_counter() - started
        after_build = memory_kib()
        engine.open()
        results: dict[str, Any] = {
            "index_seconds": built,
            "size": engine.size(),
            "build_rss_kib": after_build["rss"] - before["rss"],
        }
        for prefix in (False, True):
            samples = timed_queries(engine, queries, prefix)
            results["prefix" if prefix else "words"] = [median(samples), percentile(samples, 99)]
        results["hits"] = [engine.query(words, False)[1] for words in queries[:3]]

        def worker(reopen: bool) -> dict[str, Any]:
            opened = memory_kib()
            if reopen:
                engine.open()
            for words in queries:
                engine.query(words, False)
            used = memory_kib()
            return {"private_kib": used["private"] - opened["private"], "ok": True}

        results["fork_inherited"] = in_child(lambda: worker(reopen=False), timeout=120)
        results["fork_reopened"] = [in_child(lambda: worker(reopen=True)) for _ in range(2)]
        changed = {
            rowid: docs[(rowid + 1) % len(docs)] for rowid in range(0, len(docs), len(docs) // 20)
        }
        started = time.perf_counter()
        engine.update(docs, changed)
        results["update_seconds"] = time.perf_counter() - started
        return results

    try:
        return in_child(work)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def load_documents(posts: int) -> Docs:
    content = ensure_corpus(posts)
    log(f"loading {posts} posts ...")
    snapshot = Snapshot.build(load_content(content, 1 << 20).state)
    started = time.perf_counter()
    docs = []
    for page in snapshot.pages_by_path.values():
        author = snapshot.author_of(page)
        docs.append(search_document(page, author.name if author else ""))
    log(f"text of {len(docs)} pages extracted in {time.perf_counter() - started:.2f} s")
    return docs


def report(results: dict[str, dict[str, Any]], posts: int) -> None:
    def fork_text(result: dict[str, Any]) -> str:
        inherited = result["fork_inherited"]
        reopened = result["fork_reopened"]
        if any("error" in r for r in reopened):
            return "reopen fails"
        private = max(r["private_kib"] for r in reopened) / 1024
        state = "works" if inherited.get("ok") else "fails"
        return f"inherited handle {state}; reopened +{private:.1f} MiB private"

    headers = ["figure", *results]
    rows = [
        ["index time", *(f"{r['index_seconds']:.2f} s" for r in results.values())],
        ["index size", *(f"{r['size'] / 2**20:.1f} MiB" for r in results.values())],
        ["builder RSS growth", *(f"{r['build_rss_kib'] / 1024:.0f} MiB" for r in results.values())],
        [
            "words p50 / p99",
            *(f"{ms(r['words'][0])} / {ms(r['words'][1])}" for r in results.values()),
        ],
        [
            "prefix p50 / p99",
            *(f"{ms(r['prefix'][0])} / {ms(r['prefix'][1])}" for r in results.values()),
        ],
        ["20 docs replaced", *(f"{r['update_seconds'] * 1000:.0f} ms" for r in results.values())],
        ["after fork", *(fork_text(r) for r in results.values())],
    ]
    print(
        f"\n{posts:,} generated posts; 1-3 word queries, the top 10 by BM25 with field "
        "weights, and the number of matches\n"
    )
    print_table(headers, rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10000, help="posts in the site (10000)")
    parser.add_argument("--queries", type=int, default=300, help="queries of each kind (300)")
    parser.add_argument("--engines", default="sqlite,tantivy", help="sqlite,tantivy")
    args = parse_with_quick(parser, argv, {"posts": QUICK_POSTS, "queries": 30})
    kinds = [kind.strip() for kind in args.engines.split(",") if kind.strip()]
    print("\n".join(machine_info()), flush=True)
    docs = load_documents(args.posts)
    queries = make_queries(args.queries)
    results = {}
    for kind in kinds:
        log(f"{kind}: indexing {len(docs)} documents ...")
        results[kind] = measure_engine(kind, docs, queries)
        log(f"{kind}: {json.dumps(results[kind])}")
    report(results, args.posts)


if __name__ == "__main__":
    run_script(main)
