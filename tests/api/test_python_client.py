"""A Python client generated from the spec by openapi-python-client, used against the app.

The client is generated into a temporary folder (never the repository), imported from there
through ``sys.path`` (the venv is left as it is), and talks to the app in-process through
``httpx.WSGITransport``. The generator must not warn: a warning means a piece of the client is
missing, which is what this test exists to catch.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import subprocess
import sys
from collections.abc import Iterator
from enum import Enum
from types import ModuleType, SimpleNamespace
from typing import Any

import httpx
import pytest

from api import create_app
from tests.support.site_answers import every_request
from tests.support.sites import EXTENDED, FIXTURES, ROOT
from tests.support.spec import COMMITTED_SPEC
from tests.support.waiting import deadline

CONTENT = ROOT / "content"
PACKAGE = "content_api_client"
SEED = "ai-security-and-the-end-of-silos"
SEED_TITLE = "AI, Security, and the End of Silos"


def as_pep_3333(app: Any) -> Any:
    """``app`` behind httpx's WSGITransport, which puts the decoded path in ``PATH_INFO``
    (``/api/tags/gärten``) where PEP 3333 has its UTF-8 bytes read as Latin-1, as every WSGI
    server does (granian, werkzeug's test client): a non-ASCII slug would reach the app as
    mojibake. The one thing this fixes is the transport's, not the client's or the app's."""

    def fixed(environ: dict[str, Any], start_response: Any) -> Any:
        environ["PATH_INFO"] = environ["PATH_INFO"].encode("utf-8").decode("latin-1")
        return app(environ, start_response)

    return fixed


def _import(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def _operations() -> dict[str, ModuleType]:
    """The generated module of each operation, by operationId (``getPage`` -> ``get_page``)."""
    api = _import("api")
    found = {}
    for info in pkgutil.walk_packages(api.__path__, f"{PACKAGE}.api."):
        module = importlib.import_module(info.name)
        if hasattr(module, "sync_detailed"):
            name = info.name.rsplit(".", 1)[1]
            found[re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)] = module
    return found


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """Generate the client from openapi/openapi.json and import its modules."""
    work = tmp_path_factory.mktemp("python-client")
    # The settings users generate with: no post hooks (they need ruff on PATH), XML as text.
    config = ROOT / "clients" / "python" / "config.yaml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(COMMITTED_SPEC),
            "--meta",
            "none",
            "--output-path",
            str(work / PACKAGE),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        cwd=work,
        timeout=deadline(300),
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"openapi-python-client failed:\n{output}"
    assert "warning" not in output.lower(), f"openapi-python-client warned:\n{output}"
    assert (work / PACKAGE / "client.py").is_file(), output

    sys.path.insert(0, str(work))
    try:
        yield SimpleNamespace(
            Client=_import("client").Client,
            models=_import("models"),
            list_posts=_import("api.posts.list_posts"),
            get_post=_import("api.posts.get_post"),
            get_page=_import("api.pages.get_page"),
            operations=_operations(),
            get_rss_feed=_import("api.feeds.get_rss_feed"),
            get_json_feed=_import("api.feeds.get_json_feed"),
        )
    finally:
        sys.path.remove(str(work))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def api_client(generated: SimpleNamespace) -> Iterator[object]:
    """The generated client, talking to the app over the bundled content in-process."""
    app = create_app({"content_dir": CONTENT})
    client = generated.Client(
        base_url="http://testserver",
        raise_on_unexpected_status=True,
        httpx_args={"transport": httpx.WSGITransport(app=as_pep_3333(app))},
    )
    with client as entered:
        yield entered


def test_lists_posts_as_typed_pages(generated, api_client):
    models = generated.models

    first = generated.list_posts.sync_detailed(client=api_client, page=1, page_size=5)
    second = generated.list_posts.sync(client=api_client, page=2, page_size=5)

    assert first.status_code == 200
    assert first.headers["ETag"]
    assert 'rel="next"' in first.headers["Link"]
    page = first.parsed
    assert isinstance(page, models.PostPage)
    assert isinstance(page.pagination, models.Pagination)
    assert (page.pagination.page, page.pagination.page_size) == (1, 5)
    assert (page.pagination.total_items, page.pagination.total_pages) == (14, 3)
    assert len(page.items) == 5
    assert all(isinstance(item, models.PostSummary) for item in page.items)
    assert [item.date for item in page.items] == sorted(
        (item.date for item in page.items), reverse=True
    )

    assert isinstance(second, models.PostPage)
    assert second.pagination.page == 2
    seed = next(item for item in second.items if item.slug == SEED)
    assert seed.title == SEED_TITLE
    assert isinstance(seed.author, models.AuthorSummary)
    assert seed.author.name == "Jason Hand"
    assert isinstance(seed.featured_image, models.ImageBlock)


def test_reads_a_post_with_its_typed_sections(generated, api_client):
    models = generated.models
    newest = generated.list_posts.sync(client=api_client, page=1, page_size=4)
    assert isinstance(newest, models.PostPage)

    post = generated.get_post.sync(SEED, client=api_client)

    assert isinstance(post, models.Post)
    assert post.title == SEED_TITLE
    assert post.slug == SEED
    assert post.url == f"/blog/{SEED}"
    assert post.date == "2025-01-30"
    assert post.type_ == models.PostType.POSTLAYOUT
    assert isinstance(post.author, models.Author)
    assert (post.author.slug, post.author.name) == ("jason-hand", "Jason Hand")
    assert post.author.post_count == 6
    assert post.html.startswith("<p>One of the most interesting things about AI in security")
    assert isinstance(post.toc, list)
    assert post.reading_time >= 1

    assert len(post.bottom_sections) == 1
    section = post.bottom_sections[0]
    assert isinstance(section, models.RecentPostsSection)
    assert section.type_ == models.RecentPostsSectionType.RECENTPOSTSSECTION
    assert section.recent_count == 3
    assert len(section.posts) == 3
    assert all(isinstance(summary, models.PostSummary) for summary in section.posts)
    expected = [item.slug for item in newest.items if item.slug != SEED][:3]
    assert [summary.slug for summary in section.posts] == expected
    assert SEED not in {summary.slug for summary in section.posts}


def test_unknown_slug_is_a_typed_error(generated, api_client):
    response = generated.get_post.sync_detailed("no-such-post", client=api_client)

    assert response.status_code == 404
    assert isinstance(response.parsed, generated.models.Error)
    assert response.parsed.code == 404
    assert response.parsed.message == "No post with slug 'no-such-post'"


def test_reads_the_home_page_with_its_sections(generated, api_client):
    models = generated.models

    page = generated.get_page.sync(client=api_client, path="/")

    assert isinstance(page, models.Page)
    assert page.title == "Home"
    kinds = [type(section).__name__ for section in page.sections]
    assert kinds == [
        "HeroSection",
        "FeaturedPostsSection",
        "RecentPostsSection",
        "ContactSection",
    ]
    featured = page.sections[1]
    assert isinstance(featured, models.FeaturedPostsSection)
    assert featured.posts[0].slug == SEED
    assert featured.posts[0].title == SEED_TITLE


def _call(module: ModuleType, operation_id: str, request, client):
    """Call a generated operation with a request's parameters, as a user of the client would
    (query values of an enum, such as ``include``, as the generated enum)."""
    arguments = {}
    for name, value in {**request.path_params, **request.query}.items():
        enum = getattr(module, operation_id[0].upper() + operation_id[1:] + name.title(), None)
        arguments[name] = (
            enum(value) if isinstance(enum, type) and issubclass(enum, Enum) else value
        )
    slug = arguments.pop("slug", None)
    if slug is not None:
        return module.sync_detailed(slug, client=client, **arguments)
    return module.sync_detailed(client=client, **arguments)


@pytest.mark.parametrize(
    "site", [EXTENDED, FIXTURES / "bilingual-site"], ids=["extended", "bilingual"]
)
def test_parses_every_answer_of_a_site_that_extends_the_model(generated, site):
    """Enum values outside the model, unknown types and fields, `layout:`, pages without a
    body; a site of several locales, every locale's answers (`locale`, `translations`,
    `fallbackFields`): the generated client parses every answer, and loses nothing of it."""
    app = create_app({"content_dir": site})
    flask_client = app.test_client()
    client = generated.Client(
        base_url="http://testserver",
        raise_on_unexpected_status=True,
        httpx_args={"transport": httpx.WSGITransport(app=as_pep_3333(app))},
    )
    models = generated.models
    asked = 0
    with client as entered:
        for request in every_request(flask_client):
            module = generated.operations[request.operation_id]
            response = _call(module, request.operation_id, request, entered)

            assert response.status_code == 200, request.url
            parsed = response.parsed
            assert parsed is not None and not isinstance(parsed, models.Error), request.url
            served = json.loads(response.content)
            assert parsed.to_dict() == served, request.url
            asked += 1
    assert asked > 50, asked


def test_reads_the_feeds(generated, api_client):
    rss = generated.get_rss_feed.sync(client=api_client, tag="ai")
    feed = generated.get_json_feed.sync(client=api_client, author="jason-hand")

    assert isinstance(rss, str)
    assert rss.startswith("<?xml") and "<rss " in rss
    assert isinstance(feed, generated.models.JsonFeed)
    assert feed.version == generated.models.JsonFeedVersion.HTTPSJSONFEED_ORGVERSION1_1
    assert all(isinstance(item, generated.models.JsonFeedItem) for item in feed.items)
    assert {item.authors[0].name for item in feed.items} == {"Jason Hand"}
