"""`flask content export`: a real nginx serving the export answers exactly as the live server.

Each site is exported by the real command, served by nginx on loopback with the
export's own configuration, and every URL of the manifest is asked of both,
plain, gzipped, as HEAD and revalidated: status, body bytes and headers must be
equal (nginx's own Date and Server aside).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from api import create_app
from api.export import export_site
from api.export.producers import PRODUCERS, single
from tests.support.nginx_export import HttpAnswer, NginxServer, serve_export
from tests.support.sites import BUNDLED_CONTENT, CORPUS, FIXTURES, ROOT
from tests.support.waiting import deadline

SITES = {
    "bundled": BUNDLED_CONTENT,
    "corpus": CORPUS,
    "bilingual": FIXTURES / "bilingual-site",
}
# Made by each server itself; X-Response-Cache says whether the live process had it cached.
SERVER_OWN = {"date", "server", "connection", "keep-alive", "x-response-cache"}
DRAFT = """\
    ---
    type: PostLayout
    title: Secret Launch Plans
    date: '2024-01-01'
    isDraft: true
    author: content/data/team/doris-soto.json
    ---
    Nobody may read this before launch day.
    """


def run_export(content: Path, out: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The real command, in its own process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "api", "content", "export", str(out), *args],
        cwd=ROOT,
        env={**os.environ, "CONTENT_DIR": str(content), **env},
        capture_output=True,
        text=True,
        timeout=deadline(600),
    )


def exported(content: Path, out: Path, *args: str, **env: str) -> dict[str, Any]:
    done = run_export(content, out, *args, **env)
    assert done.returncode == 0, done.stderr
    return json.loads((out / "manifest.json").read_text())


def live(client: FlaskClient, url: str, method: str = "GET", **headers: str) -> HttpAnswer:
    response = client.open(url, method=method, headers=headers)
    return HttpAnswer(response.status_code, list(response.headers.items()), response.data)


def comparable(answer: HttpAnswer, *leave_out: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers (any order) and body; ``Allow`` as a set, since Flask's order varies."""
    ignored = SERVER_OWN | set(leave_out)
    headers = sorted(
        (name.lower(), ", ".join(sorted(value.split(", "))) if name.lower() == "allow" else value)
        for name, value in answer.headers
        if name.lower() not in ignored
    )
    return answer.status, headers, answer.body


def _difference(static: HttpAnswer, dynamic: HttpAnswer) -> dict[str, Any]:
    """What differs between two answers: status, the headers that differ, whether the body."""
    (status, headers, body), (status2, headers2, body2) = comparable(static), comparable(dynamic)
    return {
        "status": (status, status2),
        "static only": sorted(set(headers) - set(headers2)),
        "live only": sorted(set(headers2) - set(headers)),
        "same body": body == body2,
    }


@dataclass
class Served:
    out: Path
    manifest: dict[str, Any]
    nginx: NginxServer
    live: FlaskClient

    def both(self, url: str, method: str = "GET", **headers: str) -> tuple[HttpAnswer, HttpAnswer]:
        headers = {name.replace("_", "-"): value for name, value in headers.items()}
        return self.nginx.request(url, method, headers), live(self.live, url, method, **headers)


@pytest.fixture(scope="module", params=list(SITES))
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    content = SITES[request.param]
    out = tmp_path_factory.mktemp(f"export-{request.param}") / "out"
    manifest = exported(content, out)
    client = create_app({"content_dir": content}).test_client()
    with serve_export(out) as nginx:
        yield Served(out, manifest, nginx, client)


def test_every_exported_answer_is_the_live_answer_plain_and_gzipped(served: Served):
    answers = served.manifest["answers"]
    differences = []
    for entry in answers:
        for headers in ({}, {"Accept_Encoding": "gzip, deflate, br"}):
            static, dynamic = served.both(entry["url"], **headers)
            if comparable(static) != comparable(dynamic):
                differences.append((entry["url"], headers, _difference(static, dynamic)))
    assert not differences, differences[:3]
    urls = {entry["url"] for entry in answers}
    assert {"/api/posts", "/api/site", "/api/openapi.json", "/api/pages/paths"} <= urls
    assert any(url.startswith("/api/pages?path=") for url in urls)
    if served.out.parent.name.startswith("export-bilingual"):  # every locale, as ?locale= asks
        assert {"/api/posts?locale=de", "/api/posts/hallo-welt?locale=de"} <= urls
        assert "/api/pages?path=/de-CH/ueber-uns" in urls


def test_the_manifest_names_each_file_its_bytes_and_etag(served: Served):
    for entry in served.manifest["answers"]:
        body = (served.out / entry["file"]).read_bytes()
        answer = live(served.live, entry["url"])
        assert (entry["size"], entry["etag"], entry["mediaType"]) == (
            len(body),
            answer.header("ETag"),
            answer.header("Content-Type"),
        )
        assert body == answer.body
        if "gzip" in entry:
            gzipped = live(served.live, entry["url"], **{"Accept-Encoding": "gzip"})
            assert (served.out / entry["gzip"]["file"]).read_bytes() == gzipped.body
            assert entry["gzip"]["etag"] == gzipped.header("ETag")


def test_head_and_revalidation_answer_as_live(served: Served):
    for entry in served.manifest["answers"]:
        url, etag = entry["url"], entry["etag"]
        static, dynamic = served.both(url, "HEAD")
        assert comparable(static) == comparable(dynamic), url
        assert static.body == b""
        for tag, encoding in ((etag, ""), (f"W/{etag}", ""), (etag[:-1] + '-gzip"', "gzip")):
            static, dynamic = served.both(url, If_None_Match=tag, Accept_Encoding=encoding)
            assert static.status == dynamic.status == 304, (url, tag)
            # nginx's 304 also names the length and coding of the 200 it stands for (RFC 9110
            # allows both); everything else is the live server's.
            leave_out = ("content-length", "content-encoding")
            assert comparable(static, *leave_out) == comparable(dynamic, *leave_out), (url, tag)
        stale, _ = served.both(url, If_None_Match='"0123abcd"')
        assert stale.status == 200


@pytest.mark.parametrize(
    "url",
    [
        "/api/posts?page=1",
        "/api/posts?page=01&page_size=10&sort=-date",
        "/api/posts?utm_source=newsletter",
        "/api/posts/recent?limit=3",
        "/api/authors?page_size=010",
        "/api/pages?path=%2F",
        "/api/pages?path=//",
        "/api/pages?path=%2F&page=3",  # a page without pages ignores a valid page number
        "/api/pages/paths?cache-buster=1",
    ],
)
def test_queries_that_do_not_change_the_answer_are_served(served: Served, url: str):
    static, dynamic = served.both(url)
    assert static.status == 200
    assert comparable(static) == comparable(dynamic)


@pytest.mark.parametrize(
    "url",
    [
        "/api/posts?page=2",
        "/api/posts?page=2&page_size=10",
        "/api/pages?path=%2Fblog%2F&page=2",
        "/api/pages?path=/Blog&page=02",
        "/api/pages?path=blog/retiring-the-war-room",
        "/api/pages?path=%2Fblog%2Fretiring-the-war-room%2F",
        "/api/pages?path=/projects/incident-review-toolkit",
    ],
)
def test_second_pages_and_paths_as_clients_write_them(bundled: Served, url: str):
    static, dynamic = bundled.both(url)
    assert static.status == 200
    assert comparable(static) == comparable(dynamic)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    out = tmp_path_factory.mktemp("export-pages") / "out"
    manifest = exported(BUNDLED_CONTENT, out)
    with serve_export(out) as nginx:
        yield Served(
            out, manifest, nginx, create_app({"content_dir": BUNDLED_CONTENT}).test_client()
        )


def test_an_unknown_url_gets_the_live_json_404(served: Served):
    static, dynamic = served.both("/api/nope")
    assert static.status == 404
    assert comparable(static) == comparable(dynamic)
    assert json.loads(static.body) == {"code": 404, "status": "Not Found", "message": "Not found"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/posts/no-such-post",
        "/api/authors/nobody/posts",
        "/api/pages?path=/no/such/page",
        "/api/pages",
        "/api/posts/",
        "/api/posts?page=999",  # the live server answers an empty page: the export has none
        "/api/posts?sort=title",  # other orders and filters are not exported
        "/api/posts/recent?limit=5",
        "/api/pages?path=/&include=markdown",
        "/api/pages?path=/&page=zero",  # the live server: 422
        "/api/search?q=incident",
        "/api/docs",
    ],
)
def test_what_is_not_exported_is_a_json_404(served: Served, url: str):
    static, dynamic = served.both(url)
    assert static.status == 404
    body = json.loads(static.body)
    assert set(body) == {"code", "status", "message"} and body["code"] == 404
    expected_headers = comparable(live(served.live, "/api/nope"), "content-length")[1]
    assert comparable(static, "content-length")[1] == expected_headers
    assert dynamic.status in (200, 404, 422)


def test_preflight_and_other_methods_answer_as_live(served: Served):
    static, dynamic = served.both("/api/posts", "OPTIONS", Origin="https://front.example")
    assert static.status == dynamic.status == 204
    assert comparable(static, "content-length") == comparable(dynamic, "content-length")
    for method in ("POST", "DELETE"):
        static, dynamic = served.both("/api/site", method)
        assert static.status == 405
        assert comparable(static) == comparable(dynamic)


def test_the_headers_file_gives_each_file_its_type_and_caching(served: Served):
    text = (served.out / "_headers").read_text()
    cache_control = live(served.live, "/api/site").header("Cache-Control")
    for entry in served.manifest["answers"]:
        block = text.split(f"\n/{entry['file']}\n", 1)[1].split("\n\n", 1)[0]
        assert f"  Content-Type: {entry['mediaType']}" in block.splitlines()
        assert f"  Cache-Control: {cache_control}" in block.splitlines()
    assert (
        "/api/posts/:p1  /api/posts/:p1/_index.json  200" in (served.out / "_redirects").read_text()
    )


def test_drafts_are_never_exported_even_with_a_preview_token(make_site, tmp_path: Path):
    content = make_site({"pages/blog/secret-launch.md": DRAFT}, base=CORPUS)
    out = tmp_path / "out"
    manifest = exported(content, out, PREVIEW_TOKEN="let-me-see")
    assert not [e["url"] for e in manifest["answers"] if "secret-launch" in e["url"]]
    for path in out.rglob("*"):
        if path.is_file() and not path.name.endswith(".gz"):
            assert b"Secret Launch" not in path.read_bytes(), path
            assert b"secret-launch" not in path.read_bytes(), path
    with serve_export(out) as nginx:
        for headers in ({}, {"Authorization": "Bearer let-me-see"}):
            for url in ("/api/posts/secret-launch", "/api/pages?path=/blog/secret-launch"):
                assert nginx.request(url, headers=headers).status == 404
        vary = nginx.request("/api/site").header("Vary")
    preview_app = create_app({"content_dir": content, "preview_token": "let-me-see"})
    assert live(preview_app.test_client(), "/api/site").header("Vary") == vary


def test_content_errors_are_reported_and_the_valid_files_exported(make_site, tmp_path: Path):
    broken = "---\ntype: PostLayout\ntitle: [\n---\n"
    content = make_site({"pages/blog/broken.md": broken}, base=CORPUS)
    out = tmp_path / "out"

    done = run_export(content, out)

    assert done.returncode == 1
    assert f"{content}/pages/blog/broken.md:4: error: invalid YAML" in done.stderr
    assert "1 content error: the files named above are not in the export" in done.stderr
    urls = {e["url"] for e in json.loads((out / "manifest.json").read_text())["answers"]}
    assert "/api/posts/post-one" in urls and not any("broken" in url for url in urls)
    allowed = run_export(content, out, "--allow-errors")
    assert allowed.returncode == 0, allowed.stderr
    assert "invalid YAML" in allowed.stderr


def test_a_folder_that_is_not_an_export_is_never_replaced(tmp_path: Path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<h1>mine</h1>")

    done = run_export(CORPUS, out)

    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == (
        f"error: {out} is not empty and is not a previous export (no manifest.json written by "
        "`content export`); refusing to replace it"
    )
    assert [p.name for p in out.iterdir()] == ["index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no half-written folder left


def test_a_new_export_replaces_the_previous_one_whole(make_site, tmp_path: Path):
    content = make_site({}, base=CORPUS)
    out = tmp_path / "out"
    first = exported(content, out)
    (content / "pages/blog/post-two.md").unlink()

    second = exported(content, out)

    assert second["contentVersion"] != first["contentVersion"]
    assert not (out / "api/posts/post-two").exists()
    assert "/api/posts/post-two" not in {e["url"] for e in second["answers"]}
    # nothing left beside OUT but the state the next export continues from
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".out.export-state.json",
        "content",
        "out",
    ]


def test_an_export_deployed_elsewhere_serves_from_its_new_root(tmp_path: Path):
    built, deployed = tmp_path / "build", tmp_path / "srv" / "api-export"
    manifest = exported(CORPUS, built, "--nginx-root", str(deployed))
    deployed.parent.mkdir()
    built.rename(deployed)
    client = create_app({"content_dir": CORPUS}).test_client()
    with serve_export(deployed) as nginx:
        for entry in manifest["answers"][:10]:
            static = nginx.request(entry["url"])
            assert comparable(static) == comparable(live(client, entry["url"]))


def test_cors_with_a_list_of_origins_answers_as_live(tmp_path: Path):
    out = tmp_path / "out"
    origins = "https://front.example,https://admin.example"
    exported(CORPUS, out, CORS_ORIGINS=origins)
    app = create_app({"content_dir": CORPUS, "cors_origins": tuple(origins.split(","))})
    with serve_export(out) as nginx:
        for origin in (
            "https://front.example",
            "https://admin.example",
            "https://evil.example",
            None,
        ):
            headers = {"Origin": origin} if origin else {}
            for url, method in (
                ("/api/posts", "GET"),
                ("/api/nope", "GET"),
                ("/api/site", "OPTIONS"),
            ):
                static = nginx.request(url, method, headers)
                dynamic = live(app.test_client(), url, method, **headers)
                leave_out = ("content-length",) if method == "OPTIONS" else ()
                assert comparable(static, *leave_out) == comparable(dynamic, *leave_out), (
                    origin,
                    url,
                )


def test_a_large_site_exports_in_worker_processes_with_the_same_answers(tmp_path: Path):
    generator = ROOT / "bench" / "gen_corpus.py"
    arguments = ["--posts", "410", "--authors", "3", "--out", str(tmp_path)]
    subprocess.run([sys.executable, str(generator), *arguments], check=True, capture_output=True)
    content, out = tmp_path / "content", tmp_path / "out"
    manifest = exported(content, out, "--workers", "2")
    assert len(manifest["answers"]) > 800
    client = create_app({"content_dir": content}).test_client()
    with serve_export(out) as nginx:
        for entry in manifest["answers"]:
            static = nginx.request(entry["url"])
            assert comparable(static) == comparable(live(client, entry["url"])), entry["url"]


def test_a_producer_outside_api_with_its_own_caching_is_one_entry(tmp_path: Path):
    """The producer table is the only place an answer is named: /healthz here (never exported
    by default: it reports on a running process), with its own `Cache-Control: no-cache`."""
    app = create_app({"content_dir": CORPUS})
    out = tmp_path / "out"
    export_site(app, out, producers=(*PRODUCERS, single("health", "/healthz")))
    with serve_export(out) as nginx:
        health = nginx.request("/healthz")
        site = nginx.request("/api/site")
    assert health.status == 200
    assert health.body == (out / "healthz/_index.json").read_bytes()
    assert health.header("Cache-Control") == "no-cache"
    assert site.header("Cache-Control") == live(app.test_client(), "/api/site").header(
        "Cache-Control"
    )


def test_unicode_slugs_are_served_at_their_encoded_urls(make_site, tmp_path: Path):
    post = DRAFT.replace("    isDraft: true\n", "").replace("Secret Launch Plans", "Café Olé")
    content = make_site({"pages/blog/café-olé.md": post}, base=CORPUS)
    out = tmp_path / "out"
    manifest = exported(content, out)
    assert "/api/posts/caf%C3%A9-ol%C3%A9" in {e["url"] for e in manifest["answers"]}
    client = create_app({"content_dir": content}).test_client()
    with serve_export(out) as nginx:
        for url in (
            "/api/posts/caf%C3%A9-ol%C3%A9",
            "/api/pages?path=/blog/caf%C3%A9-ol%C3%A9",
            "/api/pages?path=%2Fblog%2Fcaf%C3%A9-ol%C3%A9",
        ):
            static = nginx.request(url)
            assert static.status == 200, url
            assert comparable(static) == comparable(live(client, url)), url
