"""Feeds and sitemap: uncached build times, and the sitemap index of a 120,000-post site.

    python bench/feeds.py [--feed-posts 1000] [--sitemap-posts 100000] [--index-posts 120000]
    python bench/feeds.py --quick   # 100-post sites, 50 URLs per sitemap file: a smoke run

Everything runs in this process, against the app as ``make run`` builds it (the delivery
layer in front of Flask), over generated corpora (``gen_corpus.py``, kept under BENCH_DIR):

- feeds: the RSS, Atom and JSON feeds of 20 posts. "cold" is the first request (the 20 posts'
  Markdown rendered too); "uncached" is a request the response cache has not seen (a query
  parameter the API ignores makes each one new) on a warm snapshot: what every feed request
  costs once per content version, the delivery layer's ETag and gzip included; "build" is the
  feed's bytes alone (entries, absolute URLs, XML or JSON). Target: RSS at most 20 ms
  uncached.
- sitemap: building the sitemap of every URL of a large site (the index and all its parts),
  without the response cache or the per-view memo. Target: 100,000 URLs in at most 1 s.
- index: a site of 120,000 posts answers ``/api/sitemap.xml`` with a ``sitemapindex``; every
  part is fetched and parsed with an XML parser and held to the sitemaps.org rules (at most
  50,000 URLs and 50 MB per file, absolute ``loc`` under 2,048 characters, every public page
  exactly once).
"""

from __future__ import annotations

import argparse
import gc
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import orjson
from common import (
    QUICK_POSTS,
    WORK_DIR,
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

from api import create_app
from api.feeds import sitemap
from api.feeds.atom import render_atom
from api.feeds.entries import Feed
from api.feeds.jsonfeed import json_feed
from api.feeds.rss import render_rss
from api.resources.feeds import current_feed
from api.schemas.answers.feed_documents import JsonFeedSchema

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITE_URL = "https://www.example.com"
FEEDS = {"RSS": "/api/feed.xml", "Atom": "/api/feed.atom", "JSON Feed": "/api/feed.json"}
RENDERERS: dict[str, Callable[[Feed], bytes]] = {
    "RSS": render_rss,
    "Atom": render_atom,
    "JSON Feed": lambda feed: orjson.dumps(JsonFeedSchema().dump(json_feed(feed))),
}
RSS_TARGET_MS = 20.0
SITEMAP_TARGET_MS = 1000.0


def app_over(content: Path, cache: Path):
    """The app over ``content``, as ``make run`` builds it (no watcher thread)."""
    started = time.perf_counter()
    app = create_app(
        {"content_dir": content, "site_url": SITE_URL, "content_watch": False,
         "parse_cache_dir": cache}
    )  # fmt: skip
    log(f"loaded {content} in {time.perf_counter() - started:.1f} s")
    return app


def get(client, url: str):
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.data[:200]!r}")
    return response, elapsed


def measure_feeds(posts: int, cache: Path, requests: int) -> list[list[str]]:
    app = app_over(ensure_corpus(posts), cache)
    client = app.test_client()
    rows = []
    for name, url in FEEDS.items():
        _, cold = get(client, url)
        samples = [get(client, f"{url}?uncached={n}")[1] for n in range(requests)]
        builds = [build_time(app, url, RENDERERS[name]) for _ in range(requests)]
        response, cached = get(client, url)
        entries = response.data.count(b"<item>") or response.data.count(b"<entry>")
        entries = entries or len(response.get_json()["items"])
        target = f"<= {RSS_TARGET_MS:.0f} ms" if name == "RSS" else "-"
        verdict = "ok" if name != "RSS" or median(samples) <= RSS_TARGET_MS else "MISSED"
        rows.append(
            [f"{name} ({entries} posts)", ms(cold), ms(median(samples)),
             ms(percentile(samples, 90)), ms(median(builds)), ms(cached),
             f"{len(response.data) / 1024:.0f} KiB", target, verdict]
        )  # fmt: skip
    return rows


def build_time(app, url: str, render: Callable[[Feed], bytes]) -> float:
    """Milliseconds to build the feed's bytes alone: entries, absolute URLs, XML or JSON."""
    with app.test_request_context(url):
        started = time.perf_counter()
        render(current_feed(None, None))
        return (time.perf_counter() - started) * 1000


def measure_sitemap_build(posts: int, cache: Path, rounds: int) -> list[str]:
    app = app_over(ensure_corpus(posts), cache)
    view, _ = app.extensions["content"].snapshot.public_view()
    samples, size, files = [], 0, 0
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        built = sitemap.build_sitemap(view, SITE_URL)
        documents = [built.document()] + [part.document() for part in built.parts]
        samples.append((time.perf_counter() - started) * 1000)
        size, files = sum(len(document) for document in documents), len(documents)
    urls = sum(len(part.urls) for part in built.parts)
    verdict = "ok" if median(samples) <= SITEMAP_TARGET_MS else "MISSED"
    return [f"{urls:,} URLs", f"{files} files", f"{size / 1e6:.1f} MB", ms(min(samples)),
            ms(median(samples)), f"<= {SITEMAP_TARGET_MS:,.0f} ms", verdict]  # fmt: skip


def check_index(posts: int, cache: Path) -> list[str]:
    app = app_over(ensure_corpus(posts), cache)
    client = app.test_client()
    public = app.extensions["content"].snapshot.public_view()[0]
    expected = {SITE_URL + page.url for page in public.pages_by_url.values()}
    started = time.perf_counter()
    response, first = get(client, "/api/sitemap.xml")
    root = ElementTree.fromstring(response.data)
    if root.tag != f"{NS}sitemapindex":
        raise SystemExit(f"{posts} posts: /api/sitemap.xml is a {root.tag}, not an index")
    seen: set[str] = set()
    largest_count = largest_bytes = 0
    for number, entry in enumerate(root.findall(f"{NS}sitemap"), start=1):
        loc = entry.findtext(f"{NS}loc") or ""
        if loc != f"{SITE_URL}/api/sitemaps/{number}.xml":
            raise SystemExit(f"index entry {number} points at {loc}")
        part, _ = get(client, urlsplit(loc).path)
        part_root = ElementTree.fromstring(part.data)
        locs = [url.findtext(f"{NS}loc") or "" for url in part_root.findall(f"{NS}url")]
        problems = [
            loc for loc in locs
            if len(loc) >= 2048 or not urlsplit(loc).netloc or loc in seen
        ]  # fmt: skip
        if part_root.tag != f"{NS}urlset" or len(locs) > 50_000 or len(part.data) > 50 << 20:
            raise SystemExit(
                f"part {number}: {part_root.tag}, {len(locs)} URLs, {len(part.data)} B"
            )
        if problems:
            raise SystemExit(f"part {number}: bad or repeated loc {problems[0]}")
        seen.update(locs)
        largest_count = max(largest_count, len(locs))
        largest_bytes = max(largest_bytes, len(part.data))
    whole = (time.perf_counter() - started) * 1000
    if seen != expected:
        raise SystemExit(f"the parts list {len(seen)} URLs, the site has {len(expected)}")
    return [f"{posts:,} posts", f"{len(seen):,} URLs", f"{len(root)} parts",
            f"{largest_count:,}", f"{largest_bytes / 1e6:.1f} MB", ms(first), ms(whole),
            "ok"]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feed-posts", type=int, default=1000, help="site size for feeds (1000)")
    parser.add_argument("--requests", type=int, default=200, help="uncached feed requests (200)")
    parser.add_argument("--sitemap-posts", type=int, default=100_000, help="(100000)")
    parser.add_argument("--rounds", type=int, default=5, help="sitemap builds measured (5)")
    parser.add_argument("--index-posts", type=int, default=120_000, help="(120000)")
    parser.add_argument(
        "--urls-per-file", type=int, default=sitemap.MAX_URLS_PER_FILE,
        help="split sitemaps at this many URLs (50000; lower it to try the index on small sites)",
    )  # fmt: skip
    quick = {"feed_posts": QUICK_POSTS, "requests": 20, "sitemap_posts": QUICK_POSTS,
             "rounds": 1, "index_posts": QUICK_POSTS, "urls_per_file": 50}  # fmt: skip
    args = parse_with_quick(parser, argv, quick)
    sitemap.MAX_URLS_PER_FILE = args.urls_per_file
    print("\n".join(machine_info()), flush=True)
    # A parse cache kept beside the corpora: a second run loads the large sites warm.
    cache = WORK_DIR / "parse-cache"
    print(f"\nFeeds of a {args.feed_posts:,}-post site, {args.requests} uncached requests:\n")
    headers = ["feed", "cold", "uncached p50", "uncached p90", "build p50", "cached", "size"]
    print_table([*headers, "target", ""], measure_feeds(args.feed_posts, cache, args.requests))
    gc.collect()
    print(f"\nSitemap build of a {args.sitemap_posts:,}-post site, {args.rounds} rounds:\n")
    print_table(
        ["sitemap", "files", "bytes", "min", "median", "target", ""],
        [measure_sitemap_build(args.sitemap_posts, cache, args.rounds)],
    )
    gc.collect()
    print(f"\nSitemap index of a {args.index_posts:,}-post site, every part parsed:\n")
    print_table(
        ["site", "URLs", "files", "largest part", "largest bytes", "first request",
         "index + parts", "sitemaps.org"],
        [check_index(args.index_posts, cache)],
    )  # fmt: skip


if __name__ == "__main__":
    run_script(main)
