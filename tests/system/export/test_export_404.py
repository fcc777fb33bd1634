"""The static export says why it cannot answer a query, in JSON, through its own nginx include.

The README's first example, ``/api/posts?page_size=2``, asked of the export (served by a real
nginx with the export's ``nginx.conf`` and ``nginx-http.conf``, as a deployment includes them)
is a 404 whose message names the parameter and what to ask instead; a URL the export does not
hold at all keeps the API's usual 404.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from api import create_app
from api.export import export_site
from api.export.producers import PRODUCERS, REFUSAL_HINTS, refusal_message
from tests.support.nginx_export import NginxServer, serve_export
from tests.support.sites import ROOT

CONTENT = ROOT / "content"
NOT_FOUND = {"code": 404, "status": "Not Found", "message": "Not found"}
README_EXAMPLE = "/api/posts?page_size=2"
LEAVE_OUT = "leave it out or ask the live API"


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NginxServer]:
    out = tmp_path_factory.mktemp("export-404") / "out"
    export_site(create_app({"content_dir": CONTENT, "content_watch": False}), out)
    with serve_export(out) as server:
        yield server


def refusal(name: str, hint: str) -> dict[str, object]:
    return {
        "code": 404,
        "status": "Not Found",
        "message": f"not in the static export: {name} selects an answer the export does not "
        f"hold; {hint}",
    }


def headers_but_length(answer) -> list[tuple[str, str]]:
    ignored = {"date", "server", "connection", "keep-alive", "content-length"}
    return sorted(
        (name.lower(), value) for name, value in answer.headers if name.lower() not in ignored
    )


def test_the_readmes_first_example_says_why_the_export_has_no_answer(nginx: NginxServer):
    readme = (ROOT / "README.md").read_text()
    assert f"curl 'http://127.0.0.1:5000{README_EXAMPLE}'" in readme

    answer = nginx.request(README_EXAMPLE)

    assert answer.status == 404
    assert answer.header("Content-Type") == "application/json"
    assert json.loads(answer.body) == {
        "code": 404,
        "status": "Not Found",
        "message": "not in the static export: page_size selects an answer the export does not "
        "hold; use the default page size or the live API",
    }
    # Every other header is the export's usual 404's.
    assert headers_but_length(answer) == headers_but_length(nginx.request("/api/nope"))
    head = nginx.request(README_EXAMPLE, method="HEAD")
    assert (head.status, head.body) == (404, b"")


@pytest.mark.parametrize(
    ("url", "name", "hint"),
    [
        ("/api/posts?sort=title", "sort", "use the default order (-date) or the live API"),
        ("/api/posts?author=jason-hand", "author", "ask /api/authors/<slug>/posts or the live API"),
        ("/api/posts?tag=sre", "tag", "ask /api/tags/<slug>/posts or the live API"),
        ("/api/posts?page=2&page_size=10&tag=sre", "tag", REFUSAL_HINTS["tag"]),
        ("/api/posts?page_size=010&sort=-date&author=x", "author", REFUSAL_HINTS["author"]),
        ("/api/posts/recent?limit=5", "limit", "use the default limit or the live API"),
        ("/api/posts/recent?limit=3&exclude=a", "exclude", LEAVE_OUT),
        ("/api/posts/ai-security-and-the-end-of-silos?include=markdown", "include", LEAVE_OUT),
        (
            "/api/posts/ai-security-and-the-end-of-silos/related?limit=9",
            "limit",
            REFUSAL_HINTS["limit"],
        ),
        ("/api/pages?path=/about&include=markdown", "include", LEAVE_OUT),
        ("/api/pages?path=/blog&page_size=3", "page_size", REFUSAL_HINTS["page_size"]),
        ("/api/authors?page_size=1", "page_size", REFUSAL_HINTS["page_size"]),
        ("/api/authors/jason-hand/posts?page_size=1", "page_size", REFUSAL_HINTS["page_size"]),
        ("/api/tags/sre/posts?page_size=50", "page_size", REFUSAL_HINTS["page_size"]),
        ("/api/projects?page_size=1", "page_size", REFUSAL_HINTS["page_size"]),
        ("/api/projects/incident-review-toolkit?include=markdown", "include", LEAVE_OUT),
        (
            "/api/posts?page_size=abc",
            "page_size",
            REFUSAL_HINTS["page_size"],
        ),  # the live server: 422
    ],
)
def test_each_refused_parameter_is_named(nginx: NginxServer, url: str, name: str, hint: str):
    answer = nginx.request(url)

    assert answer.status == 404, url
    assert json.loads(answer.body) == refusal(name, hint)


@pytest.mark.parametrize(
    "url",
    [
        "/api/nope",
        "/api/nope?page_size=2",
        "/api/posts/no-such-post",
        "/api/pages?path=/no/such/page",
        "/api/posts?page=999",  # past the last page: not a parameter the export refuses
        "/api/search?q=silos",
    ],
)
def test_a_url_the_export_does_not_hold_keeps_the_usual_404(nginx: NginxServer, url: str):
    answer = nginx.request(url)

    assert answer.status == 404
    assert json.loads(answer.body) == NOT_FOUND


@pytest.mark.parametrize(
    "url",
    [
        "/api/posts",
        "/api/posts?page_size=10",
        "/api/posts?page_size=010&sort=-date&author=&tag=",
        "/api/posts/recent?limit=3",
        "/api/projects?page_size=10",
        "/api/posts?utm_source=newsletter",
    ],
)
def test_queries_the_export_holds_are_still_answered(nginx: NginxServer, url: str):
    assert nginx.request(url).status == 200


def test_every_parameter_the_export_refuses_has_a_message():
    for producer in PRODUCERS:
        for name, accepted in producer.route.fixed.items():
            message = refusal_message(name, accepted)
            assert message.startswith(f"not in the static export: {name} selects an answer"), name
            assert message.endswith("the live API"), message
            assert "$" not in message and "'" not in message  # nginx strings stay literal
