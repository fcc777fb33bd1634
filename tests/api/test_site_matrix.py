"""Every endpoint works on every site, the first time: a matrix of sites, from the README's
three files to an empty folder and a broken configuration on a cold start.

For each site: every GET of the OpenAPI document is asked (each thing the site has, each
option, and a few things it has not), answers a status the document lists for it, never a
5xx, and its JSON validates against the document (as OpenAPI 3.0 reads it: ``nullable``
honoured); the static export is written (or refused with the content errors named, exit 1,
unless ``--allow-errors``); ``content check`` says what it should. The class of bug this
catches: an endpoint that assumes a file the model says is optional (a feed of a site
without ``data/config.json`` once answered 500).
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from api import create_app
from api.cli import content_cli
from tests.support.site_answers import every_request
from tests.support.sites import BUNDLED_CONTENT, CORPUS, EXTENDED, FIXTURES, readme_minimal_site
from tests.support.spec import answer_validator, committed_spec


def _files(**files: str) -> dict[str, str]:
    return {path: textwrap.dedent(text).lstrip("\n") for path, text in files.items()}


POST = """\
    ---
    type: PostLayout
    title: {title}
    date: '{date}'
    tags: [{tags}]
    ---
    {title}: a body with [a link](/about) and **words**.
    """
PAGE = """\
    ---
    type: {layout}
    title: {title}
    ---
    The {title} page.
    """


def _post(title: str, date: str, tags: str = "") -> str:
    return POST.format(title=title, date=date, tags=tags)


def _page(title: str, layout: str = "PageLayout") -> str:
    return PAGE.format(title=title, layout=layout)


# name -> (files to write, or a folder to copy; files written over it; check's exit status)
SITES: dict[str, tuple[Path | None, dict[str, str], int]] = {
    "readme-minimal": (None, {p: text for p, (text, _) in readme_minimal_site().items()}, 0),
    "bundled": (BUNDLED_CONTENT, {}, 0),
    "theme-corpus": (CORPUS, {}, 0),
    "extended": (EXTENDED, {}, 0),
    "bilingual": (FIXTURES / "bilingual-site", {}, 0),
    "no-data-folder": (
        None,
        _files(
            **{
                "pages/index.md": _page("Home"),
                "pages/blog/index.md": _page("Blog", "PostFeedLayout"),
                "pages/blog/first.md": _post("First", "2025-01-01", "news"),
                "pages/projects/one.md": (
                    "---\ntype: ProjectLayout\ntitle: One\ndate: '2024-05-01'\n---\nA project.\n"
                ),
            }
        ),
        0,
    ),
    "only-pages": (
        None,
        _files(**{"pages/index.md": _page("Home"), "pages/about.md": _page("About")}),
        0,
    ),
    "posts-without-people": (
        None,
        _files(
            **{
                "pages/index.md": _page("Home"),
                "pages/blog/one.md": _post("One", "2025-01-01", "a, b"),
                "pages/blog/two.md": _post("Two", "2025-02-01", "b"),
                "data/config.json": '{"type": "Config", "titleSuffix": "Matrix"}',
            }
        ),
        0,
    ),
    "empty-folder": (None, {}, 0),
    "broken-site-files": (
        CORPUS,
        {
            "data/config.json": '{"type": "Config", "titleSuffix": "Broken",\n',
            "data/style.json": '["not", "an", "object"]\n',
        },
        1,
    ),
}
SKIPPED_OPERATIONS = {"streamContentEvents"}  # a stream that never ends: asked for apart
# answered only under STACKBIT_COMPAT=sourcebit (tests/api/test_stackbit_sourcebit.py)
SKIPPED_OPERATIONS |= {"listStackbitObjects"}
# the editing API's private read of a file (writes are off on these sites:
# tests/api/test_entries.py asks it on a site under git)
SKIPPED_OPERATIONS |= {"getEntry"}


def _write(root: Path, base: Path | None, files: dict[str, str]) -> Path:
    if base is not None:
        shutil.copytree(base, root)
    root.mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module", params=sorted(SITES))
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """(name, content folder, app): each app started cold, with a parse cache of its own."""
    base, files, _ = SITES[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    root = _write(folder / "content", base, files)
    app = create_app(
        {"content_dir": root, "parse_cache_dir": folder / "cache", "content_watch": False}
    )
    return request.param, root, app


@pytest.fixture(scope="module")
def spec() -> dict:
    return committed_spec()


def _documented(spec: dict, spec_path: str, status: int) -> bool:
    return str(status) in spec["paths"][spec_path]["get"]["responses"]


def _other_requests(client: FlaskClient) -> Iterator[tuple[str, str, str]]:
    """(operation, spec path, URL) of what ``every_request`` leaves out: the answers that are
    not JSON, and requests for things the site has not (each with its documented status)."""
    authors = [a["slug"] for a in client.get("/api/authors?page_size=100").get_json()["items"]]
    tags = [t["slug"] for t in client.get("/api/tags").get_json()["items"]]
    for operation, path in (
        ("getRssFeed", "/api/feed.xml"),
        ("getAtomFeed", "/api/feed.atom"),
        ("getJsonFeed", "/api/feed.json"),
    ):
        yield operation, path, path
        for author in [*authors, "nobody"]:
            yield operation, path, f"{path}?author={author}"
        for tag in [*tags, "no-such-tag"]:
            yield operation, path, f"{path}?tag={tag}"
    yield "getSitemap", "/api/sitemap.xml", "/api/sitemap.xml"
    yield "getSitemapPart", "/api/sitemaps/{n}.xml", "/api/sitemaps/1.xml"
    yield "getSitemapPart", "/api/sitemaps/{n}.xml", "/api/sitemaps/99.xml"
    for operation, spec_path in (
        ("getPost", "/api/posts/{slug}"),
        ("listRelatedPosts", "/api/posts/{slug}/related"),
        ("getAuthor", "/api/authors/{slug}"),
        ("listAuthorPosts", "/api/authors/{slug}/posts"),
        ("getProject", "/api/projects/{slug}"),
        ("getTag", "/api/tags/{slug}"),
        ("listTagPosts", "/api/tags/{slug}/posts"),
    ):
        yield operation, spec_path, spec_path.replace("{slug}", "no-such-thing")
    yield "getPage", "/api/pages", "/api/pages?path=/no/such/page"
    yield "getPage", "/api/pages", "/api/pages"  # path is required: 422
    yield "getStackbitProps", "/api/stackbit/props", "/api/stackbit/props?path=/no/such/page"
    yield "search", "/api/search", "/api/search"  # q is required: 422
    yield "listPosts", "/api/posts", "/api/posts?page=0"
    yield "listPosts", "/api/posts", "/api/posts?author=nobody&tag=nothing&sort=title"


def test_every_get_answers_a_documented_status_and_validates(site, spec):
    name, _, app = site
    client = app.test_client()
    visited: set[str] = set()
    for request in every_request(client):
        response = client.get(request.url)
        assert response.status_code == 200, (name, request.url, response.data[:300])
        validator = answer_validator(spec, request.spec_path, "200", response.content_type)
        assert validator is not None, (name, request.url, response.content_type)
        errors = [error.message for error in validator.iter_errors(response.get_json())]
        assert not errors, (name, request.url, errors[:3])
        visited.add(request.operation_id)
    for operation, spec_path, url in _other_requests(client):
        response = client.get(url)
        status = response.status_code
        assert status < 500 and _documented(spec, spec_path, status), (name, url, status)
        validator = answer_validator(spec, spec_path, str(status), response.content_type)
        if validator is not None:
            errors = [error.message for error in validator.iter_errors(_instance(response))]
            assert not errors, (name, url, errors[:3])
        elif status == 200:
            parsed = feedparser.parse(response.data)
            assert not parsed.bozo, (name, url, parsed.get("bozo_exception"))
        visited.add(operation)
    every_get = {
        operations["get"]["operationId"]
        for operations in spec["paths"].values()
        if "get" in operations
    }
    assert every_get - SKIPPED_OPERATIONS <= visited, (name, every_get - visited)


def _instance(response) -> object:
    """An answer as its schema sees it: JSON (JSON Feed's too) parsed, anything else as text."""
    if response.mimetype.endswith(("/json", "+json")):
        return response.get_json(force=True)
    return response.get_data(as_text=True)


def test_the_event_stream_opens(site):
    """The one GET asked for apart: it never ends, so only its first bytes are read."""
    _, _, app = site
    response = app.test_client().get("/api/events", buffered=False)
    try:
        assert response.status_code == 200
        assert next(response.response).startswith(b"retry:")
    finally:
        response.close()


def test_the_export_is_written_or_names_the_content_errors(site, tmp_path):
    name, _, app = site
    out = tmp_path / "export"
    result = app.test_cli_runner().invoke(
        args=["content", "export", str(out), "--workers", "1"], catch_exceptions=False
    )
    expected_exit = SITES[name][2]

    assert result.exit_code == expected_exit, (name, result.output)
    assert (out / "manifest.json").is_file(), (name, result.output)
    assert (out / "api" / "posts.json").is_file() or (out / "api").is_dir()
    if expected_exit:
        assert "content error" in result.output and "not in the export" in result.output
        allowed = app.test_cli_runner().invoke(
            args=["content", "export", str(out), "--workers", "1", "--allow-errors"]
        )
        assert allowed.exit_code == 0, (name, allowed.output)


def test_content_check_says_what_it_should(site):
    name, root, _ = site
    result = CliRunner().invoke(content_cli, ["check", str(root)])

    assert result.exit_code == SITES[name][2], (name, result.output)
    summary = result.output.splitlines()[-1]
    assert summary.endswith(("warning", "warnings")), summary
    if name == "empty-folder":
        assert "warning: no content files here" in result.output
    if name == "broken-site-files":
        assert "data/config.json" in result.output and "data/style.json" in result.output


def test_a_cold_start_over_broken_site_files_serves_defaults(tmp_path):
    """A fresh replica over a broken configuration: no last good version to keep, so the
    site serves without it, its feeds titled from their defaults, and /healthz says why."""
    base, files, _ = SITES["broken-site-files"]
    root = _write(tmp_path / "content", base, files)
    app = create_app({"content_dir": root, "parse_cache_dir": tmp_path / "cache"})
    client = app.test_client()

    assert "config" not in client.get("/api/site").get_json()
    assert client.get("/api/feed.json").get_json()["title"] == "Blog"
    errors = client.get("/healthz").get_json()["contentErrors"]
    assert {error["path"] for error in errors} >= {"data/config.json", "data/style.json"}
