"""`make serve` as a user meets it: what it prints, what it answers, what it refuses."""

from __future__ import annotations

import http.client
import json

from tests.support.servers import production_server
from tests.support.sites import BUNDLED_CONTENT
from tests.support.waiting import deadline


def request(port: int, path: str, headers: dict[str, str] | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline(5))
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_the_production_server_reports_itself_and_serves_the_site(tmp_path):
    log = tmp_path / "serve.log"

    with production_server(BUNDLED_CONTENT, tmp_path / "cache", workers=2, output=log) as port:
        status, headers, body = request(port, "/api/posts/ai-security-and-the-end-of-silos")
        not_modified, _, empty = request(
            port, "/api/posts/ai-security-and-the-end-of-silos", {"If-None-Match": headers["etag"]}
        )
        too_long, _, too_long_body = request(port, "/api/posts?q=" + "a" * 3000)
        too_big, _, _ = request(port, "/api/posts", {"X-Padding": "a" * 20000})

    assert f"on http://127.0.0.1:{port} with 2 granian workers" in log.read_text()
    assert status == 200
    assert json.loads(body)["title"] == "AI, Security, and the End of Silos"
    assert headers["cache-control"] == "public, max-age=60, stale-while-revalidate=600"
    assert (not_modified, empty) == (304, b"")
    assert too_long == 414
    assert json.loads(too_long_body)["code"] == 414
    assert too_big == 431  # granian's own limit on request headers, 16 KiB together
