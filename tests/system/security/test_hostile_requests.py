"""Hostile requests: each gets a specific, bounded answer; none reads a file or leaks a trace."""

from __future__ import annotations

import pytest

from tests.support.sites import ROOT

NOT_FOUND = 404
INVALID = 422

CASES = [
    # traversal, in the path, the query and their encoded and Unicode variants
    ("GET", "/api/posts/..%2F..%2Fetc%2Fpasswd", {}, NOT_FOUND),
    ("GET", "/api/posts/%2e%2e", {}, NOT_FOUND),
    ("GET", "/api/posts/..", {}, NOT_FOUND),
    ("GET", "/api/posts/%00", {}, NOT_FOUND),
    ("GET", "/api/posts/%2Fetc%2Fpasswd", {}, NOT_FOUND),
    ("GET", "/api/posts/%C0%AE%C0%AE", {}, NOT_FOUND),
    ("GET", "/api/authors/..%2F..%2Fdata%2Fconfig", {}, NOT_FOUND),
    ("GET", "/api/authors/..", {}, NOT_FOUND),
    ("GET", "/api/pages?path=/../../etc/passwd", {}, NOT_FOUND),
    ("GET", "/api/pages?path=%2F..%2Fdata%2Fconfig.json", {}, NOT_FOUND),
    ("GET", "/api/pages?path=/blog/%2e%2e/%2e%2e/etc/passwd", {}, NOT_FOUND),
    ("GET", "/api/pages?path=/etc/passwd%00.md", {}, NOT_FOUND),
    ("GET", "/api/pages?path=\\..\\..\\windows", {}, NOT_FOUND),
    ("GET", "/api/pages?path=/\uff0e\uff0e/\uff0e\uff0e/etc/passwd", {}, NOT_FOUND),
    ("GET", "/api/pages?path=content/data/team/jason-hand.json", {}, NOT_FOUND),
    ("GET", "/api/pages?path=/data/team/jason-hand", {}, NOT_FOUND),
    ("GET", "/api/posts?author=../../etc/passwd", {}, 200),  # a filter value, matches nobody
    # malformed and huge parameters
    ("GET", "/api/posts?page=99999999999999999999999999", {}, INVALID),
    ("GET", "/api/posts?page=-5", {}, INVALID),
    ("GET", "/api/posts?page=1e3", {}, INVALID),
    ("GET", "/api/posts?page_size=NaN", {}, INVALID),
    ("GET", "/api/posts?sort=__import__('os')", {}, INVALID),
    ("GET", "/api/posts?author=" + "a" * 201, {}, INVALID),
    ("GET", "/api/posts/recent?limit=%00", {}, INVALID),
    ("GET", "/api/posts/ai-security-and-the-end-of-silos?include=../../etc/passwd", {}, INVALID),
    ("GET", "/api/pages?path=/" + "a" * 600, {}, INVALID),
    ("GET", "/api/posts/" + "a" * 201, {}, NOT_FOUND),
    ("GET", "/api/posts?" + "&".join(f"p{i}=x" for i in range(400)), {}, 414),
    ("GET", "/api/posts/" + "a" * 3000, {}, 414),
    ("GET", "/api/posts", {"X-Padding": "a" * 9000}, 431),
    ("GET", "/api/posts", {f"X-H{i}": "a" * 1000 for i in range(20)}, 431),
    # methods
    ("POST", "/api/posts", {}, 405),
    ("PUT", "/api/posts/ai-security-and-the-end-of-silos", {}, 405),
    ("PATCH", "/api/authors/jason-hand", {}, 405),
    ("DELETE", "/api/posts/ai-security-and-the-end-of-silos", {}, 405),
    ("TRACE", "/api/posts", {}, 405),
    ("OPTIONS", "/api/posts", {"Origin": "https://evil.example"}, 204),
]


@pytest.mark.parametrize(("method", "url", "headers", "status"), CASES)
def test_hostile_request_gets_its_exact_answer(client, method, url, headers, status):
    response = client.open(url, method=method, headers=headers)

    assert response.status_code == status
    if status not in (200, 204):
        body = response.get_json()
        assert body["code"] == status
        assert body["message"]
    if status == 405:
        assert set(response.headers["Allow"].replace(" ", "").split(",")) == {
            "GET",
            "HEAD",
            "OPTIONS",
        }
    text = response.get_data(as_text=True)
    assert "Traceback" not in text
    assert str(ROOT) not in text
    assert "root:" not in text


def test_every_response_carries_the_security_headers(client):
    for url in ("/api/posts", "/api/posts/nope", "/api/docs"):
        response = client.get(url)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_docs_page_has_a_restrictive_content_security_policy(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self';" in policy  # Swagger UI is served by the app itself
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    html = response.get_data(as_text=True)
    assert "<script>" not in html  # no inline script for the policy to allow
    assert client.get("/api/static/swagger-init.js").status_code == 200


def test_cors_never_reflects_an_unlisted_origin_or_allows_credentials(app):
    from api import create_app
    from tests.support.sites import BUNDLED_CONTENT

    restricted = create_app(
        {"content_dir": BUNDLED_CONTENT, "cors_origins": ("https://site.example",)}
    ).test_client()
    for client in (app.test_client(), restricted):
        response = client.get("/api/posts", headers={"Origin": "https://evil.example"})
        assert response.headers.get("Access-Control-Allow-Origin") in (None, "*")
        assert "Access-Control-Allow-Credentials" not in response.headers
        preflight = client.options("/api/posts", headers={"Origin": "https://evil.example"})
        assert preflight.headers.get("Access-Control-Allow-Origin") in (None, "*")


def test_an_unexpected_error_is_a_json_500_without_details(app, monkeypatch):
    from api.content.documents import Documents

    def explode(*args, **kwargs):
        raise RuntimeError("secret detail /etc/shadow")

    monkeypatch.setattr(Documents, "post_summaries", explode)
    monkeypatch.setattr(app, "testing", False)  # let Flask answer as in production

    response = app.test_client().get("/api/posts?bust=500")

    assert response.status_code == 500
    assert response.get_json() == {
        "code": 500,
        "status": "Internal Server Error",
        "message": "Internal server error: the error was logged",
    }
    assert "secret" not in response.get_data(as_text=True)
