"""The fast path (``api/web/fast_path.py``) answers a cached GET exactly as the WSGI path does.

For every answer of real sites (the bundled site; the Stackbit theme corpus under
``STACKBIT_COMPAT=sourcebit`` with a list of CORS origins and a preview token; the bilingual
site), and for each way a client asks (plain, gzip, revalidations by either ETag, HEAD, an
allowed and a foreign ``Origin``, a wrong bearer token), the delivery layer is called as
granian's WSGI wrapper calls it, then the fast path is handed the same request as granian
hands it (the CGI variables): the status, the header list (names, values and order) and the
body must be the same, and the fast path must have answered by itself. What it must not answer
(a miss, a preview, OPTIONS, an oversized target, an event stream) goes to the WSGI path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from granian import wsgi as granian_wsgi
from werkzeug.test import EnvironBuilder

from api import create_app
from api.web.delivery import MAX_TARGET_BYTES, Delivery
from api.web.fast_path import cached_get_runner
from tests.support.editing import AUTH, git_repository, tokens_file
from tests.support.site_answers import every_request
from tests.support.sites import BUNDLED_CONTENT, CORPUS, FIXTURES, SEED, SEED_SLUG

TOKEN = "fast-path-preview-token"
ALLOWED_ORIGIN = "https://front.example"
# Answers that are not JSON operations of the spec, and are kept all the same.
OTHER_TARGETS = ("/api", "/api/feed.xml", "/api/feed.atom", "/api/feed.json", "/api/sitemap.xml")

SITES = {
    "bundled": {"content_dir": BUNDLED_CONTENT},
    "corpus, sourcebit, CORS list, preview token": {
        "content_dir": CORPUS,
        "stackbit_compat": "sourcebit",
        "cors_origins": (ALLOWED_ORIGIN,),
        "preview_token": TOKEN,
    },
    "bilingual": {"content_dir": FIXTURES / "bilingual-site"},
    "bilingual, CORS list": {
        "content_dir": FIXTURES / "bilingual-site",
        "cors_origins": (ALLOWED_ORIGIN,),
    },
}


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Protocol:
    """What the fast path uses of granian's response protocol: it records the answer."""

    answers: list[Answer] = field(default_factory=list)

    def response_bytes(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.answers.append(Answer(status, list(headers), body))

    def response_iter(self, status: int, headers: list[tuple[str, str]], body: Any) -> None:
        self.answers.append(Answer(status, list(headers), b"".join(body)))


def environ_of(target: str, method: str = "GET", headers: dict[str, str] | None = None):
    path, _, query = target.partition("?")
    builder = EnvironBuilder(path=path, query_string=query, method=method, headers=headers)
    try:
        return builder.get_environ()
    finally:
        builder.close()


def scope_of(environ: dict[str, Any]) -> dict[str, Any]:
    """The request as granian hands it to its WSGI wrapper: the CGI variables, the scheme and
    the body (the wrapper adds the rest: ``wsgi.version``, ``wsgi.errors``...)."""
    kept = ("wsgi.url_scheme", "wsgi.input")
    return {n: v for n, v in environ.items() if not n.startswith("wsgi.") or n in kept}


def through_wsgi(delivery: Delivery, environ: dict[str, Any]) -> Answer:
    """As granian's WSGI wrapper sends it: the status code, the header list, the joined body."""
    captured: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):
        captured[:] = [int(status.split(" ", 1)[0]), list(headers)]

    body = b"".join(delivery(environ, start_response))
    return Answer(captured[0], captured[1], body)


class Runner:
    """The fast path over ``app``'s delivery layer, its WSGI side counting what it is handed."""

    def __init__(self, app: Flask) -> None:
        self.delivery: Delivery = app.wsgi_app  # type: ignore[assignment]
        self.delivery.check_header_sizes = False  # as under `make serve`: granian bounds them
        self.handed_on: list[str] = []
        granian_wrapper = granian_wsgi._callback_wrapper(self.delivery, {}, None)

        def wsgi(protocol: Protocol, scope: dict[str, Any]) -> int:
            self.handed_on.append(scope["PATH_INFO"])
            return granian_wrapper(protocol, scope)  # type: ignore[no-any-return]

        self.run = cached_get_runner(self.delivery, wsgi)

    def fast(self, environ: dict[str, Any]) -> tuple[Answer, bool]:
        """The fast path's answer, and whether it answered by itself."""
        protocol = Protocol()
        before = len(self.handed_on)
        status = self.run(protocol, scope_of(environ))
        (answer,) = protocol.answers
        assert status == answer.status
        return answer, len(self.handed_on) == before


def variants(wsgi_answer: Answer, gzip_answer: Answer) -> Iterator[tuple[str, dict[str, str]]]:
    """Each way of asking for a kept answer, named."""
    etag = dict(wsgi_answer.headers)["ETag"]
    gzip_etag = dict(gzip_answer.headers)["ETag"]
    yield "GET", {}
    yield "GET", {"Accept-Encoding": "gzip, deflate"}
    yield "GET", {"Accept-Encoding": "gzip;q=0"}
    yield "GET", {"If-None-Match": etag}
    yield "GET", {"If-None-Match": f'W/{gzip_etag}, "other"', "Accept-Encoding": "gzip"}
    yield "GET", {"If-None-Match": '"not-this-one"'}
    yield "HEAD", {}
    yield "HEAD", {"Accept-Encoding": "gzip"}
    yield "GET", {"Origin": ALLOWED_ORIGIN}
    yield "GET", {"Origin": "https://elsewhere.example", "If-None-Match": etag}
    yield "GET", {"Authorization": "Bearer not-the-token"}


def targets_of(app: Flask) -> list[str]:
    client = app.test_client()
    return sorted({request.url for request in every_request(client)} | set(OTHER_TARGETS))


@pytest.fixture(scope="module", params=list(SITES), ids=list(SITES))
def site(request: pytest.FixtureRequest) -> tuple[Flask, list[str]]:
    app = create_app(SITES[request.param])
    return app, targets_of(app)


def test_every_kept_answer_is_the_wsgi_answer_byte_for_byte(site) -> None:
    app, targets = site
    runner = Runner(app)
    compared = 0
    statuses: set[int] = set()
    header_names: set[str] = set()
    for target in targets:
        first = through_wsgi(runner.delivery, environ_of(target))
        assert first.status == 200, (target, first.body[:200])
        plain = through_wsgi(runner.delivery, environ_of(target))  # kept now: a HIT
        if ("X-Response-Cache", "HIT") not in plain.headers:  # /healthz: made afresh each time
            assert ("Cache-Control", "no-cache") in plain.headers, target
            answer, by_itself = runner.fast(environ_of(target))
            assert not by_itself and answer.status == 200, target
            continue
        gzipped = through_wsgi(
            runner.delivery, environ_of(target, "GET", {"Accept-Encoding": "gzip"})
        )
        for method, headers in variants(plain, gzipped):
            environ = environ_of(target, method, headers)
            expected = through_wsgi(runner.delivery, environ)
            assert ("X-Response-Cache", "HIT") in expected.headers, (target, method, headers)
            answer, by_itself = runner.fast(environ_of(target, method, headers))
            assert by_itself, (target, method, headers)
            assert answer == expected, (target, method, headers)
            compared += 1
            statuses.add(answer.status)
            header_names.update(name for name, _ in answer.headers)
    assert compared >= 11 * 40  # every site has dozens of answers
    assert statuses == {200, 304}  # revalidations compared too, not only full answers
    assert {"ETag", "Link", "Cache-Tag", "Vary"} <= header_names
    locales = app.extensions["content"].snapshot.locales
    assert ("Content-Language" in header_names) == (locales is not None)
    assert "Access-Control-Allow-Origin" in header_names  # '*', or the allowed origin's


def test_what_the_fast_path_does_not_keep_goes_to_the_wsgi_path() -> None:
    app = create_app({"content_dir": BUNDLED_CONTENT, "preview_token": TOKEN})
    runner = Runner(app)
    target = "/api/posts/recent"

    miss, by_itself = runner.fast(environ_of(target))  # nothing kept yet: rendered, then kept
    assert not by_itself and ("X-Response-Cache", "MISS") in miss.headers
    hit, by_itself = runner.fast(environ_of(target))
    assert by_itself and ("X-Response-Cache", "HIT") in hit.headers

    preview, by_itself = runner.fast(
        environ_of(target, "GET", {"Authorization": f"Bearer {TOKEN}"})
    )
    assert not by_itself and ("Cache-Control", "private, no-store") in preview.headers
    options, by_itself = runner.fast(environ_of(target, "OPTIONS"))
    assert not by_itself and options.status == 204
    long_target = "/api/posts?q=" + "a" * MAX_TARGET_BYTES
    too_long, by_itself = runner.fast(environ_of(long_target))
    assert not by_itself and too_long.status == 414
    assert runner.handed_on[-3:] == ["/api/posts/recent", "/api/posts/recent", "/api/posts"]


def test_event_streams_and_unbounded_headers_are_never_answered_by_the_fast_path() -> None:
    app = create_app({"content_dir": BUNDLED_CONTENT})
    delivery: Delivery = app.wsgi_app  # type: ignore[assignment]

    def wsgi(protocol: Any, scope: dict[str, Any]) -> int:
        return 0

    # Where the server does not bound request headers, the WSGI path measures them: no fast path.
    assert delivery.check_header_sizes
    assert cached_get_runner(delivery, wsgi) is wsgi
    delivery.check_header_sizes = False
    run = cached_get_runner(delivery, wsgi)
    assert delivery.streams, "the app names its stream paths"
    for path in delivery.streams:
        assert run(Protocol(), scope_of(environ_of(path))) == 0  # handed on, never looked up


def test_a_path_outside_ascii_is_looked_up_as_wsgi_spells_it() -> None:
    """granian hands over PATH_INFO as WSGI spells it (each UTF-8 byte one character): the
    fast path looks that spelling up, as the WSGI path kept it (the tag Gärten here)."""
    app = create_app({"content_dir": FIXTURES / "bilingual-site"})
    runner = Runner(app)
    targets = [target for target in targets_of(app) if not target.split("?")[0].isascii()]
    assert "/api/tags/gärten?locale=de" in targets
    for target in targets:
        through_wsgi(runner.delivery, environ_of(target))
        expected = through_wsgi(runner.delivery, environ_of(target))
        answer, by_itself = runner.fast(environ_of(target))
        assert by_itself and answer == expected, target


def test_the_editing_api_and_every_write_go_to_the_wsgi_path(tmp_path: Path) -> None:
    """Reads and writes of the editing API need a token and are never kept: the fast path hands
    every one of them on, even for a path whose public answer it holds, and after a write it
    answers the new content (the write's snapshot drops the kept answer), never the old."""
    repo = tmp_path / "repo"
    git_repository(repo, base=BUNDLED_CONTENT)
    app = create_app(
        {
            "content_dir": repo / "content",
            "write_tokens_file": tokens_file(tmp_path),
            "preview_token": TOKEN,
        }
    )
    runner = Runner(app)
    public = f"/api/posts/{SEED_SLUG}"
    runner.fast(environ_of(public))
    kept, by_itself = runner.fast(environ_of(public))
    assert by_itself and b'"title":"AI, Security, and the End of Silos"' in kept.body

    handed_on = len(runner.handed_on)
    read, by_itself = runner.fast(environ_of(f"/api/entries/{SEED}", "GET", AUTH))
    assert not by_itself and read.status == 200, read.body[:200]
    assert ("Cache-Control", "private, no-store") in read.headers
    again, by_itself = runner.fast(environ_of(f"/api/entries/{SEED}", "GET", AUTH))
    assert not by_itself and again == read  # read twice, kept never
    anonymous, by_itself = runner.fast(environ_of(f"/api/entries/{SEED}"))
    assert not by_itself and anonymous.status == 401
    head, by_itself = runner.fast(environ_of(f"/api/entries/{SEED}", "HEAD", AUTH))
    assert not by_itself and head.status == 200 and head.body == b""

    entry = json.loads(read.body)
    front = dict(entry["frontMatter"], title="Silos, retold")
    document = json.dumps({"frontMatter": front, "body": entry["body"]}).encode()
    headers = {**AUTH, "If-Match": dict(read.headers)["ETag"], "Content-Type": "application/json"}
    builder = EnvironBuilder(
        path=f"/api/entries/{SEED}", method="PUT", data=document, headers=headers
    )
    written, by_itself = runner.fast(builder.get_environ())
    builder.close()
    assert not by_itself and written.status == 200, written.body[:300]
    for method, target in (
        ("POST", "/api/commits"),
        ("DELETE", "/api/entries/pages/blog/nothing.md"),
        ("PATCH", f"/api/entries/{SEED}"),
        ("PUT", public),  # a public path, kept, but not a GET: never from the cache
        ("POST", public),
        ("DELETE", public),
    ):
        answer, by_itself = runner.fast(environ_of(target, method, AUTH))
        assert not by_itself and answer.status >= 400, (method, target, answer.status)
    assert len(runner.handed_on) == handed_on + 5 + 6  # four reads, the PUT, six more

    fresh, by_itself = runner.fast(environ_of(public))
    assert not by_itself and b'"title":"Silos, retold"' in fresh.body  # rendered anew
    assert ("X-Response-Cache", "MISS") in fresh.headers
    kept_again, by_itself = runner.fast(environ_of(public))
    assert by_itself and kept_again.body == fresh.body
