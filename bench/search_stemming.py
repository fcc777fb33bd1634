"""What stemming costs search on a site of several locales: indexing, index size, query latency.

    python bench/search_stemming.py [--posts 10000] [--rounds 3] [--queries 300]
    python bench/search_stemming.py --quick    # 100 posts, one round, 30 queries: a smoke run

On a copy of the generated corpus (hard links) made a site of two locales: ``data/locales.json``
declares ``en`` and ``de``, and every other post gets a German translation (``<slug>.de.md``,
the same text: what is measured is the second, stemmed copy of every version's text, not the
words). In this one process, one snapshot of it, its index made two ways in interleaved
rounds:

- **plain**: the index a site without stemming has (no stemmed fields), queries as written;
- **stemmed**: the index with English and German stemmed fields; queries in ``en`` with
  English stems (the stemmed tier between the exact and the typo ones) and their snippets.

Per way: the build time in memory (median of the rounds), the size of the index written to a
directory, and the latency of ``--queries`` distinct 1- to 3-word queries from the corpus's
words, half of them with the words as in the text, half with each word inflected
(``deploying``: the stemmed tier finds what the words as written do not), the last word a
prefix as while typing (each timed as the search resource computes it: the index's hits and a
snippet of each, uncached), and the mean number of matches. The ratio column is stemmed / plain,
measured in the same run: compare ratios, not figures across runs or machines.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from statistics import fmean

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
from gen_corpus import WORDS

sys.path.insert(0, str(ROOT))  # the project's own modules, wherever this script runs from

from api.content.live.repository import ContentRepository
from api.content.model.items import Page
from api.search import engine, parse_query, text_reader
from api.search.search_index import SearchIndex
from api.search.snapshots import index_languages
from api.search.snippets import snippet
from api.search.stemming import query_stems
from api.search.writing import TextOf, new_writer, write_pages

INFLECTIONS = ("s", "ing", "ed")
LOCALES = {"defaultLocale": "en", "locales": [{"code": "en"}, {"code": "de"}]}
MIB = 1024 * 1024
Pages = Mapping[str, Page]


def locale_site(corpus: Path, root: Path) -> Path:
    """The corpus (hard links) with two locales, every other post translated."""
    site = Path(shutil.copytree(corpus, root / "content", copy_function=_link))
    (site / "data" / "locales.json").write_text(json.dumps(LOCALES), encoding="utf-8")
    posts = sorted((site / "pages" / "blog").glob("*.md"))
    for post in posts[::2]:
        if post.stem != "index":
            shutil.copyfile(post, post.with_name(f"{post.stem}.de.md"))
    return site


def _link(source: str, target: str) -> None:
    Path(target).hardlink_to(source)


def queries(count: int, *, inflected: bool, seed: int = 7) -> list[str]:
    """Distinct 1- to 3-word queries from the corpus's words; ``inflected``: each word with an
    ending (``deploys``, ``deploying``, ``deployed``), what the stemmed tier is for."""
    rng = random.Random(seed)
    words = sorted({word for word in WORDS if len(word) > 2})
    found: list[str] = []
    while len(found) < count:
        picked = rng.sample(words, rng.randint(1, 3))
        text = " ".join(word + (rng.choice(INFLECTIONS) if inflected else "") for word in picked)
        if text not in found:
            found.append(text)
    return found


def size_on_disk(
    pages: list[Page], text_of: TextOf, languages: tuple[str, ...], folder: Path
) -> int:
    """Bytes of the index of ``pages`` written to ``folder`` (with stems in ``languages``)."""
    folder.mkdir()
    index = engine.new_index(folder, languages)
    writer = new_writer(index)
    write_pages(writer, pages, text_of, languages)
    writer.commit()
    writer.wait_merging_threads()
    return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())


def timed_search(
    index: SearchIndex, text: str, language: str | None, text_of: TextOf, pages: Pages
) -> tuple[float, int]:
    """Seconds to answer ``text`` as the search resource does (hits, then their snippets), and
    the number of matches."""
    started = time.perf_counter()
    query = parse_query(text)
    stems = query_stems(query, language)
    results = index.search(query, stems=stems)
    for hit in results.hits:
        stemmed = stems if hit.stemmed else None
        snippet(text_of(pages[hit.path]), query, typos=hit.typo, stems=stemmed)
    return time.perf_counter() - started, results.total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--queries", type=int, default=300)
    args = parse_with_quick(parser, argv, {"posts": QUICK_POSTS, "rounds": 1, "queries": 30})
    corpus = ensure_corpus(args.posts)
    with tempfile.TemporaryDirectory(prefix="bench-stemming-") as tmp:
        site = locale_site(corpus, Path(tmp))
        snapshot = ContentRepository(site, max_file_bytes=1 << 20).reload()
        pages, text_of = snapshot.pages_by_path, text_reader(snapshot)
        ways = {"plain": ((), None), "stemmed": (index_languages(snapshot), "english")}
        log(f"{len(pages)} versions, stemmers {ways['stemmed'][0]}, {args.rounds} rounds")
        builds: dict[str, list[float]] = {way: [] for way in ways}
        indexes: dict[str, SearchIndex] = {}
        for _ in range(args.rounds):
            for way, (languages, _) in ways.items():
                started = time.perf_counter()
                indexes[way] = SearchIndex.build(pages.values(), text_of, languages)
                builds[way].append(time.perf_counter() - started)
        sizes = {
            way: size_on_disk(list(pages.values()), text_of, languages, Path(tmp) / way)
            for way, (languages, _) in ways.items()
        }
        kinds = ("as written", "inflected")
        latencies: dict[tuple[str, str], list[float]] = {(k, w): [] for k in kinds for w in ways}
        matches: dict[tuple[str, str], list[int]] = {(k, w): [] for k in kinds for w in ways}
        for kind in kinds:
            for text in queries(args.queries // 2, inflected=kind == "inflected"):
                for way, (_, language) in ways.items():  # interleaved, query by query
                    seconds, total = timed_search(indexes[way], text, language, text_of, pages)
                    latencies[kind, way].append(seconds)
                    matches[kind, way].append(total)
    print("\n".join(machine_info()))
    print(f"command: python bench/search_stemming.py {' '.join(argv or sys.argv[1:])}".rstrip())
    print(f"site: {args.posts} posts in en, every other one in de too ({len(pages)} versions)\n")

    def row(name: str, figures: dict[str, float], shown: Callable[[float], str]) -> list[str]:
        plain, stemmed = figures["plain"], figures["stemmed"]
        return [name, shown(plain), shown(stemmed), f"{stemmed / plain:.2f}x" if plain else "-"]

    def in_ms(seconds: float) -> str:
        return ms(seconds * 1000)

    rows = [
        row("build in memory (median)", {w: median(v) for w, v in builds.items()}, in_ms),
        row("index on disk", sizes, lambda size: f"{size / MIB:.1f} MiB"),
    ]
    for kind in kinds:
        of_kind = {way: latencies[kind, way] for way in ways}
        rows.append(
            row(f"query p50, words {kind}", {w: median(v) for w, v in of_kind.items()}, in_ms)
        )
        rows.append(
            row(
                f"query p99, words {kind}",
                {w: percentile(v, 99) for w, v in of_kind.items()},
                in_ms,
            )
        )
        found = {way: fmean(matches[kind, way]) for way in ways}
        rows.append(row(f"matches, words {kind} (mean)", found, "{:.1f}".format))
    print_table(["", "plain", "stemmed (en, de)", "stemmed / plain"], rows)


if __name__ == "__main__":
    run_script(main)
