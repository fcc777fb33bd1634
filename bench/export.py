"""The static export against Hugo's full build of the same posts, and the exported tree under
nginx against nginx serving a plain static file.

    python bench/export.py [--posts 10000] [--rounds 3] [--duration 10] [--workers N]
    python bench/export.py --quick        # 100 posts, 1 round, 1 s per wrk run: a smoke run

Build time: the generated posts (common.ensure_corpus) are also written as a minimal Hugo site
(front matter: title, date, author, tags, summary; the Markdown body unchanged) with layouts
that render every post page (title, date, author, tags, table of contents, body), the post list
and each tag's and author's list, 10 to a page, plus Hugo's default RSS and sitemap. Each
round times, one after the other (the order swapping every round), from process start to exit:
``hugo`` with a new destination and cache folder (Hugo's full build), ``flask content export``
into an empty folder with an empty parse cache (cold: every file parsed), again with ``--full``
over the parse cache the cold run left (warm), and, after one post's body was edited, over that
export (re-export: incremental, only the answers whose content keys changed). The exports run on
a copy of the corpus (the edit must not reach the shared one). The table shows the medians, each
ratio to Hugo and its target (issue 25: cold <= 0.5, warm <= 0.3, re-export <= 0.05).

Serving: one nginx (2 workers) serves the export through its own nginx.conf on one port, a
plain file holding the same bytes as a post's answer (``etag on``, one exact location) on
another, and the same file with the export's headers for it as constant ``add_header`` lines
on a third; ``wrk -t2 -c32`` drives each in turn for the given rounds. The ratio is each one's
req/s over the plain file's (target: about 1, "nginx's own speed").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from common import (
    AUTHORS,
    QUICK_POSTS,
    ROOT,
    WORK_DIR,
    ensure_corpus,
    ensure_tools,
    free_port,
    http_get,
    log,
    machine_info,
    managed_process,
    median,
    parse_with_quick,
    print_table,
    run_script,
    run_wrk,
    wait_for_200,
)

HUGO_CONFIG = """\
baseURL = "http://127.0.0.1/"
title = "Bench Blog"
paginate = 10
[taxonomies]
  tag = "tags"
  author = "authors"
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
        '</head><body>{{ block "main" . }}{{ end }}</body></html>\n'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1>'
        '<time>{{ .Date.Format "2006-01-02" }}</time>'
        '{{ with .Params.authors }}<p>{{ delimit . ", " }}</p>{{ end }}'
        "<p>{{ .Summary }}</p><nav>{{ .TableOfContents }}</nav>{{ .Content }}"
        "<ul>{{ range .Params.tags }}<li>{{ . }}</li>{{ end }}</ul></article>{{ end }}\n"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Paginator.Pages }}'
        '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }} '
        "{{ .Summary }}</li>{{ end }}</ul>{{ end }}\n"
    ),
    "_default/terms.html": (
        '{{ define "main" }}<ul>{{ range .Data.Terms.ByCount }}<li><a href="'
        '{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>'
        "{{ end }}\n"
    ),
    "index.html": (
        '{{ define "main" }}<ul>{{ range (.Paginate (where .Site.RegularPages "Section" '
        '"blog")).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}'
        "</ul>{{ end }}\n"
    ),
}


# --- Hugo ------------------------------------------------------------------------------------


def hugo_site(content: Path, posts: int) -> Path:
    """The generated posts as a minimal Hugo site, written once per corpus."""
    site = WORK_DIR / f"hugo-{posts}"
    marker = site / "converted.json"
    corpus_marker = content.parent / "corpus.json"
    if marker.exists() and marker.read_text() == corpus_marker.read_text():
        return site
    shutil.rmtree(site, ignore_errors=True)
    log(f"writing the Hugo site of {posts} posts under {site} ...")
    people = {}
    for path in (content / "data" / "team").glob("*.json"):
        person = json.loads(path.read_text())
        people[f"content/data/team/{path.name}"] = f"{person['firstName']} {person['lastName']}"
    blog = site / "content" / "blog"
    blog.mkdir(parents=True)
    for path in sorted((content / "pages" / "blog").glob("*.md")):
        _, front_text, body = path.read_text().split("---\n", 2)
        front = yaml.safe_load(front_text)
        converted = {"title": front["title"], "date": front["date"], "summary": front["excerpt"]}
        if front.get("author") in people:
            converted["authors"] = [people[front["author"]]]
        if front.get("tags"):
            converted["tags"] = front["tags"]
        header = yaml.safe_dump(converted, allow_unicode=True, sort_keys=False)
        (blog / path.name).write_text(f"---\n{header}---\n{body}")
    (site / "config.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        layout = site / "layouts" / name
        layout.parent.mkdir(parents=True, exist_ok=True)
        layout.write_text(text)
    marker.write_text(corpus_marker.read_text())
    return site


def time_hugo(hugo: str, site: Path) -> tuple[float, int]:
    """Seconds of a full build into new folders, and the number of files it wrote."""
    with tempfile.TemporaryDirectory(prefix="hugo-", dir=WORK_DIR) as scratch:
        argv = [hugo, "--quiet", "--source", str(site), "--destination", f"{scratch}/public"]
        argv += ["--cacheDir", f"{scratch}/cache"]
        started = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
        files = sum(len(names) for _, _, names in os.walk(f"{scratch}/public"))
    return elapsed, files


# --- the export ------------------------------------------------------------------------------


TARGETS = {"export cold": 0.5, "export warm": 0.3, "re-export after one edit": 0.05}


def time_export(
    content: Path, out: Path, cache: Path, workers: int | None, *, full: bool = False
) -> tuple[float, str]:
    """Seconds of ``flask content export`` from process start to exit, and what it printed
    (its summary lines, joined)."""
    argv = [sys.executable, "-m", "flask", "--app", "api", "content", "export", str(out)]
    if workers is not None:
        argv += ["--workers", str(workers)]
    if full:
        argv.append("--full")
    env = dict(os.environ, CONTENT_DIR=str(content), PARSE_CACHE_DIR=str(cache), CONTENT_WATCH="0")
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"the export failed:\n{done.stderr[-2000:]}")
    return elapsed, "; ".join(done.stdout.strip().splitlines())


def edit_one_post(content: Path, round_number: int) -> Path:
    """Append a paragraph to the body of one post (a different one each round)."""
    posts = sorted((content / "pages/blog").glob("*.md"))
    post = [p for p in posts if not p.name.startswith("index.")][round_number * 7919 % len(posts)]
    with post.open("a", encoding="utf-8") as file:
        file.write(f"\n\nEdited in round {round_number + 1}.\n")
    return post


def ratio_row(name: str, values: list[float], hugo: float) -> list[str]:
    """A build's median, its ratio to Hugo's and the target beside it."""
    ratio = median(values) / hugo
    target = TARGETS.get(name)
    verdict = "-" if target is None else f"<= {target}: {'met' if ratio <= target else 'NOT met'}"
    return [name, f"{median(values):.2f} s", f"{ratio:.3f}", verdict]


# --- serving ---------------------------------------------------------------------------------


SERVER_OWN = {"server", "date", "connection", "keep-alive", "content-length", "content-type"}


def nginx_conf(
    prefix: Path, export: Path, plain: Path, ports: tuple[int, ...], headers: list[str]
) -> str:
    """The export on the first port, the plain file on the second, and on the third (when
    ``headers`` are given) the plain file with those header lines as constants."""
    same_headers = "\n".join(f"            add_header {line};" for line in headers)
    third = (
        f"""
    server {{
        listen 127.0.0.1:{ports[2]};
        root {plain.parent};
        etag off;
        types {{ application/json json; }}
        location = /{plain.name} {{
            add_header Last-Modified "";
{same_headers}
        }}
    }}"""
        if headers
        else ""
    )
    temp_paths = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""\
{user}worker_processes 2;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 100000;
{temp_paths}
    include {export}/nginx-http.conf;
    server {{
        listen 127.0.0.1:{ports[0]};
        include {export}/nginx.conf;
    }}
    server {{
        listen 127.0.0.1:{ports[1]};
        root {plain.parent};
        etag on;
        types {{ application/json json; }}
        location = /{plain.name} {{ }}
    }}{third}
}}
"""


@contextmanager
def run_nginx(
    nginx: str, export: Path, body: bytes, headers: list[str] | None = None
) -> Iterator[tuple[int, ...]]:
    with tempfile.TemporaryDirectory(prefix="nginx-export-", dir=WORK_DIR) as name:
        prefix = Path(name)
        prefix.chmod(0o755)
        plain = prefix / "files" / "plain.json"
        plain.parent.mkdir()
        plain.write_bytes(body)
        ports = (free_port(), free_port(), free_port())
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_conf(prefix, export, plain, ports, headers or []))
        argv = [nginx, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)]
        with managed_process(argv) as child:
            wait_for_200(child, ports[1], f"/{plain.name}", timeout=30)
            yield ports


def serving(nginx: str, export: Path, args: argparse.Namespace) -> list[list[str]]:
    manifest = json.loads((export / "manifest.json").read_text())
    page = next(
        e
        for e in manifest["answers"]
        if e["url"].startswith("/api/pages?path=") and e["file"].startswith("api/posts/")
    )
    post = next(
        e
        for e in manifest["answers"]
        if e["url"].startswith("/api/posts/") and e["file"] == page["file"]
    )
    body = (export / post["file"]).read_bytes()
    with run_nginx(nginx, export, body) as ports:
        sent = http_get(ports[0], post["url"]).headers
    headers = [f"{name} '{value}'" for name, value in sent.items() if name not in SERVER_OWN]
    with run_nginx(nginx, export, body, headers) as (export_port, plain_port, same_port):
        targets = {
            "export: post": (export_port, post["url"]),
            "export: page by ?path=": (export_port, page["url"]),
            "plain file, the same headers": (same_port, "/plain.json"),
            "plain file, same bytes": (plain_port, "/plain.json"),
        }
        for name, (port, url) in targets.items():
            answer = http_get(port, url)
            if answer.status != 200 or len(answer.body) != len(body):
                raise RuntimeError(f"{name}: {url} answered {answer.status}, {len(answer.body)} B")
        rates: dict[str, list[float]] = {name: [] for name in targets}
        for round_number in range(args.rounds):
            order = list(targets) if round_number % 2 == 0 else list(reversed(targets))
            for name in order:
                port, url = targets[name]
                result = run_wrk(f"http://127.0.0.1:{port}{url}", args.duration)
                rates[name].append(result.requests_per_second)
                log(f"round {round_number + 1} {name:<28} {result.requests_per_second:,.0f} req/s")
    plain_rate = median(rates["plain file, same bytes"])
    return [
        [name, f"{median(values):,.0f}", f"{median(values) / plain_rate:.2f}"]
        for name, values in rates.items()
    ]


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10000, help="corpus size (10000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; medians are shown (3)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    parser.add_argument("--workers", type=int, help="export --workers (default: one per core)")
    return parse_with_quick(parser, argv, {"posts": QUICK_POSTS, "rounds": 1, "duration": 1})


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    tools = ensure_tools("hugo", "nginx", "wrk")
    content = ensure_corpus(args.posts)
    site = hugo_site(content, args.posts)
    hugo_version = subprocess.run([tools["hugo"], "version"], capture_output=True, text=True)
    print("\n".join(machine_info()))
    print(f"tools: {hugo_version.stdout.strip().split(' BuildDate')[0]}")
    print(f"corpus: {args.posts} posts, {AUTHORS} authors; median of {args.rounds} rounds\n")
    sys.stdout.flush()
    times: dict[str, list[float]] = {name: [] for name in ("hugo", *TARGETS)}
    with tempfile.TemporaryDirectory(prefix="export-", dir=WORK_DIR) as name:
        scratch = Path(name)
        out = scratch / "out"
        copy = scratch / "content"
        shutil.copytree(content, copy)
        for round_number in range(args.rounds):
            cache = scratch / f"parse-cache-{round_number}"
            steps = ["hugo", "export"] if round_number % 2 == 0 else ["export", "hugo"]
            for step in steps:
                if step == "hugo":
                    elapsed, files = time_hugo(tools["hugo"], site)
                    times["hugo"].append(elapsed)
                    log(f"round {round_number + 1} hugo: {elapsed:.2f} s, {files} files")
                    continue
                shutil.rmtree(out, ignore_errors=True)
                for kind in TARGETS:
                    if kind.startswith("re-export"):
                        edit_one_post(copy, round_number)
                    full = kind == "export warm"
                    elapsed, summary = time_export(copy, out, cache, args.workers, full=full)
                    if kind.startswith("re-export") and not summary.startswith("incremental"):
                        raise RuntimeError(f"the re-export was not incremental: {summary}")
                    times[kind].append(elapsed)
                    log(f"round {round_number + 1} {kind}: {elapsed:.2f} s; {summary}")
        hugo = median(times["hugo"])
        rows = [ratio_row(name, values, hugo) for name, values in times.items()]
        print_table(["build of the same posts", "time", "ratio to Hugo", "target"], rows)
        print()
        print_table(
            ["served by nginx", "req/s", "ratio to plain file"], serving(tools["nginx"], out, args)
        )


if __name__ == "__main__":
    run_script(main)
