"""`make serve` answers the same bytes with its fast path as through granian's WSGI wrapper.

Two production servers over a site (the bundled one; the bilingual one with a list of CORS
origins), one with ``FAST_PATH=1`` (a cached GET is answered before granian's WSGI wrapper,
``api/web/fast_path.py``), one as it runs by default (every request through the wrapper). Every
answer of the site is asked of both, once to keep it and then as a cache hit, in each way a
client asks (plain, gzip, revalidations by either ETag, HEAD, an allowed Origin with a wrong
token); the status line, every header (but ``Date``) in its order, and the body are the same on
the wire. Each server's log says whether its worker put the fast path in place.
"""

from __future__ import annotations

import http.client
from pathlib import Path
from urllib.parse import quote

import pytest

from api import create_app
from tests.support.servers import production_server
from tests.support.site_answers import every_request
from tests.support.sites import BUNDLED_CONTENT, FIXTURES
from tests.support.waiting import deadline

FAST_PATH_LOG = "answers cached GETs before the WSGI layer"
ORIGIN = "https://front.example"
OTHER_TARGETS = ("/api", "/api/feed.xml", "/api/feed.atom", "/api/feed.json", "/api/sitemap.xml")


def raw(port: int, method: str, target: str, headers: dict[str, str]) -> tuple:
    """The answer as it came: status and reason, header lines in order (less Date), body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline(5))
    try:
        path, mark, query = target.partition("?")
        connection.request(method, quote(path) + mark + query, headers=headers)  # gärten
        response = connection.getresponse()
        lines = [(n, v) for n, v in response.getheaders() if n.lower() != "date"]
        return response.status, response.reason, lines, response.read()
    finally:
        connection.close()


SITES = {
    "bundled": (BUNDLED_CONTENT, {}),
    # Content-Language on every answer, Vary: Origin and the allowed origin's CORS headers.
    "bilingual, CORS list": (FIXTURES / "bilingual-site", {"CORS_ORIGINS": ORIGIN}),
}


@pytest.mark.parametrize("site", list(SITES))
def test_fast_path_answers_equal_the_wsgi_answers_on_the_wire(tmp_path: Path, site: str):
    content, settings = SITES[site]
    app = create_app({"content_dir": content})
    targets = sorted({r.url for r in every_request(app.test_client())} | set(OTHER_TARGETS))
    fast_log, plain_log = tmp_path / "fast.log", tmp_path / "plain.log"
    compared, statuses, names = 0, set(), set()
    # SITE_URL: not each server's own address, so that both give the same links.
    env = {"SITE_URL": ORIGIN, **settings}
    with (
        production_server(content, tmp_path / "c1", 1, fast_log, FAST_PATH="1", **env) as fast,
        production_server(content, tmp_path / "c2", 1, plain_log, **env) as plain,
    ):
        for target in [target for target in targets if target != "/healthz"]:  # made afresh
            kept = [raw(port, "GET", target, {}) for port in (fast, plain)]
            assert kept[0] == kept[1], target  # a miss: the WSGI path on both
            assert kept[0][0] == 200, target
            etag = dict((n.lower(), v) for n, v in kept[0][2])["etag"]
            gzipped = raw(fast, "GET", target, {"Accept-Encoding": "gzip"})
            gzip_etag = dict((n.lower(), v) for n, v in gzipped[2])["etag"]
            for method, headers in (
                ("GET", {}),
                ("GET", {"Accept-Encoding": "gzip"}),
                ("GET", {"If-None-Match": etag}),
                ("GET", {"If-None-Match": gzip_etag, "Accept-Encoding": "gzip"}),
                ("HEAD", {}),
                ("GET", {"Origin": ORIGIN, "Authorization": "Bearer wrong"}),
            ):
                first, second = (raw(port, method, target, headers) for port in (fast, plain))
                assert ("x-response-cache", "HIT") in [(n.lower(), v) for n, v in first[2]]
                assert first == second, (target, method, headers)
                compared += 1
                statuses.add(first[0])
                names.update(name.lower() for name, _ in first[2])
    assert compared >= 6 * 40
    assert statuses == {200, 304}
    assert {"etag", "vary", "access-control-allow-origin"} <= names
    assert ("content-language" in names) == (site != "bundled")
    assert FAST_PATH_LOG in fast_log.read_text()
    assert FAST_PATH_LOG not in plain_log.read_text()
