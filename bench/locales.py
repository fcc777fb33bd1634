"""What several locales cost: the default locale's reads and edits beside a site of one locale,
the memory of each extra locale, and the sitemap of every version with its alternates.

The site of one locale is the generated corpus (``common.ensure_corpus``); the site of
several is the same files plus ``data/locales.json`` (``en``, ``de``, ``fr``) and a German and
a French translation of every second post (a title, a body line and, for every tenth, a slug
of their own). Both are hard-linked copies, so the edits never touch the corpus. Printed,
each beside the target of issue 23:

- cached GETs of the default locale (a list page, a post, the recent posts; ``wrk``),
  the two sites in turns, medians of ``--rounds``: the ratio several/one (at least 0.95);
- how soon one title edit of a default-locale post is visible (as ``edits.py`` measures
  it), medians of ``--edits`` edits per site: the ratio several/one (at most 1.05);
- memory, in a fresh process per site (resident set after a full collection): an empty
  site, the site of one locale, the site of several with every locale's view made; each
  extra locale's share of the difference against the default locale's documents (at most
  0.6, the documents being the site of one locale minus the empty one);
- the sitemap (``localized_sitemap_of``: every locale's URLs, as ``/api/pages/paths`` lists
  them, each with its alternates), built from a loaded snapshot whose views are made: its
  URLs and how long it takes (under 1 s for 30,000 URLs at 10,000 posts).

    .venv/bin/python bench/locales.py                 # 10,000 posts, 3 rounds
    .venv/bin/python bench/locales.py --quick         # 100 posts: a smoke run
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from contextlib import ExitStack
from pathlib import Path

from common import (
    QUICK_POSTS,
    ROOT,
    WORK_DIR,
    add_server_options,
    describe_server,
    ensure_corpus,
    ensure_tools,
    log,
    machine_info,
    parse_with_quick,
    print_table,
    run_script,
    run_server,
    run_wrk,
    wait_until_idle,
)
from edits import Edit, atomic_write, get, until_visible

LOCALES = {
    "defaultLocale": "en",
    "locales": [{"code": "en"}, {"code": "de"}, {"code": "fr"}],
}
TRANSLATED = ("de", "fr")
TARGETS = {"read": 0.95, "edit": 1.05, "memory": 0.6, "sitemap": 1.0}


# --- the two sites ----------------------------------------------------------------------------


def linked_copy(content: Path, name: str) -> Path:
    """A hard-linked copy of ``content`` at a fixed path (the parse cache stays warm)."""
    target = WORK_DIR / "locales" / name / "content"
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-al", str(content), str(target)], check=True)
    return target


def translate(post: Path, code: str, number: int) -> str:
    """A translation of ``post``: its title and first body line in ``code``; every tenth
    translated post also has a slug of its own."""
    text = post.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    lines = front.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("title:"):  # title: 'As written' (the generator quotes them)
            value = line[6:].strip()
            inner = value[1:-1] if value[:1] == value[-1:] == "'" else value.replace("'", "''")
            lines[index] = f"title: '[{code}] {inner}'"
            break
    if number % 10 == 0:
        lines.append(f"slug: {post.stem}-{code}")
    return "---\n" + "\n".join(lines) + f"\n---\n[{code}] translated.\n\n" + body


def several_locales(content: Path, name: str) -> tuple[Path, int]:
    """The corpus with ``data/locales.json`` and every second post translated into each of
    ``TRANSLATED``; the number of translation files."""
    site = linked_copy(content, name)
    (site / "data/locales.json").write_text(json.dumps(LOCALES, indent=2), encoding="utf-8")
    written = 0
    for number, post in enumerate(sorted((site / "pages/blog").glob("*.md"))):
        if number % 2:
            continue
        for code in TRANSLATED:
            target = post.with_name(f"{post.stem}.{code}.md")
            target.write_text(translate(post, code, number // 2), encoding="utf-8")
            written += 1
    return site, written


# --- reads and edits --------------------------------------------------------------------------


def endpoints(content: Path) -> dict[str, str]:
    posts = sorted((content / "pages/blog").glob("*.md"))
    slug = next(p.stem for p in posts if "." not in p.stem)
    return {
        "list page": "/api/posts?page=2&page_size=10",
        "post": f"/api/posts/{slug}",
        "recent": "/api/posts/recent",
    }


def title_edit(content: Path, number: int) -> Edit:
    """A default-locale post (every 2nd post has translations; this one, the 3rd of 4, has)."""
    posts = sorted(p for p in (content / "pages/blog").glob("*.md") if p.stem.count(".") == 0)
    post = posts[(number * 37 + 2) % len(posts)]
    text = post.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("title:"))
    title = f"Edited title {number} {time.monotonic_ns()}"
    return Edit(
        "title",
        lambda: atomic_write(post, text.replace(old, f"title: {title}", 1)),
        lambda port: title.encode() in get(port, f"/api/posts/{post.stem}")[1],
    )


def measure_round(
    sites: dict[str, Path], args: argparse.Namespace, round_number: int
) -> tuple[dict[str, dict[str, float]], dict[str, list[float]], int]:
    """Both sites served at once, measured in turns (the order alternating from round to
    round), so that what else runs on the machine weighs on both alike: req/s of each
    endpoint (default locale) and the edits' visible times, by site; the sitemap's URLs."""
    names = list(sites) if round_number % 2 == 0 else list(reversed(sites))
    rates: dict[str, dict[str, float]] = {name: {} for name in sites}
    times: dict[str, list[float]] = {name: [] for name in sites}
    with ExitStack() as running:
        servers = {}
        for name, content in sites.items():
            env = {
                "PARSE_CACHE_DIR": str(WORK_DIR / f"locales-parse-cache-{name}"),
                "CONTENT_WATCH": "1",
            }
            servers[name] = running.enter_context(
                run_server(content, args.server_cmd, args.workers, env)
            )
        for server in servers.values():
            # The search index is prepared beside the workers by a builder process (20,000
            # versions on the site of several locales): a first search waits for it, so
            # nothing but the requests measured runs while they are measured.
            get(server.port, "/api/search?q=first", timeout=600)
        for server in servers.values():
            wait_until_idle(server.pid, server.port)
        for endpoint, path in endpoints(sites["one"]).items():
            for name in names:
                port = servers[name].port
                status, _, _ = get(port, path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status} on the site of {name}")
                url = f"http://127.0.0.1:{port}{path}"
                rates[name][endpoint] = run_wrk(url, args.duration).requests_per_second
        for number in range(args.edits):
            for name in names:
                edit = title_edit(sites[name], round_number * args.edits + number)
                times[name].append(until_visible(servers[name].port, edit))
        urls = get(servers["several"].port, "/api/sitemap.xml")[1].count(b"<loc>")
    return rates, times, urls


# --- memory and the sitemap, in a fresh process -------------------------------------------------

_PROBE = textwrap.dedent(
    """
    import gc, json, os, sys, time
    sys.path.insert(0, {root!r})
    os.environ["CONTENT_DIR"] = {content!r}
    os.environ["PARSE_CACHE_DIR"] = {cache!r}
    os.environ["CONTENT_WATCH"] = "0"
    from api import create_app

    def resident():
        gc.collect()
        with open("/proc/self/status") as status:
            line = next(l for l in status if l.startswith("VmRSS:"))
        return int(line.split()[1]) * 1024

    app = create_app()
    snapshot = app.extensions["content"].snapshot
    result = {{"loaded": resident()}}
    if snapshot.locales is not None:
        for code in snapshot.locales.codes:
            view, _ = snapshot.view_in(code)
            len(view.posts), len(view.pages_by_file)
        result["views"] = resident()
        from api.feeds.sitemap import localized_sitemap_of
        started = time.perf_counter()
        sitemap = localized_sitemap_of(snapshot, "https://example.com")
        parts = [sitemap.document()]
        number = 1
        while (part := sitemap.part(number)) is not None:
            parts.append(part)
            number += 1
        result["sitemap_seconds"] = time.perf_counter() - started
        result["sitemap_urls"] = sum(p.count(b"<url>") for p in parts)
    print(json.dumps(result))
    """
)


def probe(content: Path) -> dict[str, float]:
    code = _PROBE.format(
        root=str(ROOT), content=str(content), cache=str(WORK_DIR / "locales-parse-cache")
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=1800
    )
    if done.returncode != 0:
        raise RuntimeError(f"the memory probe failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def empty_site() -> Path:
    site = WORK_DIR / "locales" / "empty" / "content"
    (site / "data").mkdir(parents=True, exist_ok=True)
    (site / "pages").mkdir(parents=True, exist_ok=True)
    return site


# --- the run ------------------------------------------------------------------------------------


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="posts (%(default)s)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each site (%(default)s)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run (%(default)s)")
    parser.add_argument(
        "--edits", type=int, default=5, help="edits per site and round (%(default)s)"
    )
    add_server_options(parser)
    quick = {"posts": QUICK_POSTS, "rounds": 1, "duration": 1, "edits": 2}
    return parse_with_quick(parser, argv, quick)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    ensure_tools("wrk")
    corpus = ensure_corpus(args.posts)
    one = linked_copy(corpus, "one")
    several, translations = several_locales(corpus, "several")
    log(f"{args.posts} posts; {translations} translations in {', '.join(TRANSLATED)}")

    rates: dict[str, dict[str, list[float]]] = {"one": {}, "several": {}}
    times: dict[str, list[float]] = {"one": [], "several": []}
    urls = 0
    for round_number in range(args.rounds):
        log(f"round {round_number + 1}: both sites, in turns")
        measured, visible, urls = measure_round(
            {"one": one, "several": several}, args, round_number
        )
        for name in ("one", "several"):
            for endpoint, rate in measured[name].items():
                rates[name].setdefault(endpoint, []).append(rate)
            times[name] += visible[name]

    log("memory: an empty site, one locale, several")
    empty, single, multiple = probe(empty_site()), probe(one), probe(several)
    documents = single["loaded"] - empty["loaded"]
    per_locale = (multiple["views"] - single["loaded"]) / len(TRANSLATED)

    print("# bench/locales.py")
    for line in machine_info():
        print(line)
    print(describe_server(args))
    print(
        f"\n{args.posts:,} posts; the site of several locales: en, de, fr, "
        f"{translations:,} translations (every second post in de and fr); "
        f"medians of {args.rounds} round(s), wrk {args.duration} s, {args.edits} edit(s) "
        "per site and round\n"
    )
    rows = []
    for endpoint in rates["one"]:
        a = statistics.median(rates["one"][endpoint])
        b = statistics.median(rates["several"][endpoint])
        rows.append(
            [
                f"cached GET {endpoint} (req/s)",
                f"{a:,.0f}",
                f"{b:,.0f}",
                f"{b / a:.2f}",
                f">= {TARGETS['read']}",
                met(b / a >= TARGETS["read"]),
            ]
        )
    edit_one, edit_several = statistics.median(times["one"]), statistics.median(times["several"])
    rows.append(
        [
            "one edit visible (p50)",
            f"{edit_one * 1000:.0f} ms",
            f"{edit_several * 1000:.0f} ms",
            f"{edit_several / edit_one:.2f}",
            f"<= {TARGETS['edit']}",
            met(edit_several / edit_one <= TARGETS["edit"]),
        ]
    )
    print_table(["measure", "one locale", "three locales", "ratio", "target", ""], rows)
    print()
    mib = 1024 * 1024
    ratio = per_locale / documents if documents else float("inf")
    seconds = multiple["sitemap_seconds"]
    print_table(
        ["measure", "value", "target", ""],
        [
            [
                "default locale's documents (one locale - empty)",
                f"{documents / mib:.0f} MiB",
                "",
                "",
            ],
            ["each extra locale, its views made", f"{per_locale / mib:.0f} MiB", "", ""],
            [
                "extra locale / default documents",
                f"{ratio:.2f}",
                f"<= {TARGETS['memory']}",
                met(ratio <= TARGETS["memory"]),
            ],
            [
                f"sitemap of {multiple['sitemap_urls']:,} URLs with alternates",
                f"{seconds:.2f} s",
                f"< {TARGETS['sitemap']} s",
                met(seconds < TARGETS["sitemap"]),
            ],
            ["the served sitemap's URLs (index or urlset <loc>)", f"{urls:,}", "", ""],
        ],
    )


if __name__ == "__main__":
    run_script(main)
