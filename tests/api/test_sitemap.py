"""The sitemap, parsed as XML and held to the sitemaps.org protocol.

Rules checked (https://www.sitemaps.org/protocol.html): the 0.9 namespace;
``loc`` absolute, entity-escaped and under 2,048 characters; at most 50,000
URLs and 50 MB per file; ``lastmod`` in W3C datetime; past a limit, a
``sitemapindex`` of parts. The limits are lowered (monkeypatch) to see the index
form on a small site; the 120,000-post sitemap is in bench/feeds.py.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from urllib.parse import urlsplit

import pytest

from api import create_app
from api.feeds import sitemap
from tests.support.sites import BUNDLED_CONTENT, FIXTURES

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITE_URL = "http://127.0.0.1:5000"
FEED_SITE = FIXTURES / "feed-site"
W3C_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$")


def urlset(body: bytes, *, max_urls: int = 50_000) -> dict[str, str | None]:
    """``{loc: lastmod}`` of a urlset, checked against the protocol's rules for one file."""
    assert len(body) <= 50 * 1024 * 1024
    root = ElementTree.fromstring(body)
    assert root.tag == f"{NS}urlset"
    urls = root.findall(f"{NS}url")
    assert len(urls) <= max_urls
    found: dict[str, str | None] = {}
    for url in urls:
        assert {child.tag for child in url} <= {f"{NS}loc", f"{NS}lastmod"}
        loc = url.findtext(f"{NS}loc")
        assert loc is not None and valid_loc(loc), loc
        lastmod = url.findtext(f"{NS}lastmod")
        assert lastmod is None or W3C_DATETIME.match(lastmod), lastmod
        assert loc not in found, f"{loc} listed twice"
        found[loc] = lastmod
    return found


def valid_loc(loc: str) -> bool:
    parts = urlsplit(loc)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and len(loc) < 2048
        and loc.isascii()
        and " " not in loc
    )


def test_the_bundled_sitemap_lists_every_public_page_once(client):
    response = client.get("/api/sitemap.xml")
    found = urlset(response.data)
    paths = [item["path"] for item in client.get("/api/pages/paths").get_json()["items"]]

    assert response.status_code == 200
    assert set(found) == {SITE_URL + path for path in paths}
    assert len(found) == len(paths)
    assert f"{SITE_URL}/blog" in found and f"{SITE_URL}/projects" in found
    assert not [loc for loc in found if "/page/" in loc], "a feed page has one URL"


def test_lastmod_is_the_content_date(client):
    found = urlset(client.get("/api/sitemap.xml").data)
    posts = client.get("/api/posts?page_size=100").get_json()["items"]

    for post in posts:
        lastmod = found[SITE_URL + post["url"]]
        if len(post["date"]) == 10:
            assert lastmod == post["date"]
        else:
            assert lastmod is not None and lastmod.startswith(post["date"][:10])
    assert found[f"{SITE_URL}/blog"] == max(post["date"][:10] for post in posts)
    assert found[f"{SITE_URL}/about"] is None  # no date in the content: no lastmod


def test_a_time_of_day_is_kept_with_its_timezone(client):
    found = urlset(client.get("/api/sitemap.xml").data)

    # the file says 2025-06-02T09:30:00Z
    assert found[f"{SITE_URL}/blog/llm-copilots-in-the-incident-channel"] == (
        "2025-06-02T09:30:00+00:00"
    )


def test_past_the_url_limit_the_sitemap_is_an_index_of_parts(monkeypatch):
    whole = urlset(create_app({"content_dir": BUNDLED_CONTENT}).test_client().get(
        "/api/sitemap.xml"
    ).data)  # fmt: skip
    monkeypatch.setattr(sitemap, "MAX_URLS_PER_FILE", 4)
    client = create_app({"content_dir": BUNDLED_CONTENT}).test_client()

    response = client.get("/api/sitemap.xml")
    root = ElementTree.fromstring(response.data)

    assert response.status_code == 200
    assert root.tag == f"{NS}sitemapindex"
    entries = root.findall(f"{NS}sitemap")
    locs = [entry.findtext(f"{NS}loc") for entry in entries]
    assert locs == [f"{SITE_URL}/api/sitemaps/{n}.xml" for n in range(1, len(entries) + 1)]
    assert len(entries) == -(-len(whole) // 4)
    merged: dict[str, str | None] = {}
    for number, entry in enumerate(entries, start=1):
        part = client.get(f"/api/sitemaps/{number}.xml")
        assert part.status_code == 200
        assert part.content_type == "application/xml; charset=utf-8"
        found = urlset(part.data, max_urls=4)
        lastmods = [lastmod for lastmod in found.values() if lastmod]
        assert entry.findtext(f"{NS}lastmod") == (max(lastmods) if lastmods else None)
        assert not set(found) & set(merged)
        merged.update(found)
    assert merged == whole
    assert client.get(f"/api/sitemaps/{len(entries) + 1}.xml").status_code == 404
    assert client.get("/api/sitemaps/0.xml").status_code == 404


def test_past_the_size_limit_the_sitemap_is_split_too(monkeypatch):
    monkeypatch.setattr(sitemap, "MAX_BYTES_PER_FILE", 1000)
    client = create_app({"content_dir": BUNDLED_CONTENT}).test_client()

    root = ElementTree.fromstring(client.get("/api/sitemap.xml").data)

    assert root.tag == f"{NS}sitemapindex"
    for number in range(1, len(root) + 1):
        body = client.get(f"/api/sitemaps/{number}.xml").data
        assert len(body) <= 1000
        assert urlset(body)


def test_without_an_index_there_are_no_parts(client):
    response = client.get("/api/sitemaps/1.xml")

    assert response.status_code == 404
    assert response.get_json()["message"] == "No sitemap part 1: see /api/sitemap.xml"


def test_drafts_never_and_future_posts_only_when_shown(site_client):
    shown = urlset(site_client({}, base=FEED_SITE).get("/api/sitemap.xml").data)
    hidden = urlset(
        site_client({}, base=FEED_SITE, hide_future_posts=True).get("/api/sitemap.xml").data
    )
    preview = site_client({}, base=FEED_SITE, preview_token="t").get(
        "/api/sitemap.xml", headers={"Authorization": "Bearer t"}
    )

    assert f"{SITE_URL}/blog/from-the-future" in shown
    assert f"{SITE_URL}/blog/from-the-future" not in hidden
    for found in (shown, hidden, urlset(preview.data)):
        assert f"{SITE_URL}/blog/a-draft" not in found
        assert f"{SITE_URL}/blog/other-post" in found


def test_urls_are_escaped_and_site_url_may_carry_a_path(site_client):
    client = site_client(
        {"pages/café.md": "---\ntype: PageLayout\ntitle: Café\n---\n"},
        base=FEED_SITE,
        site_url="https://example.com/r&d's",
    )
    body = client.get("/api/sitemap.xml").data

    found = urlset(body)
    assert "https://example.com/r&d's/" in found
    assert "https://example.com/r&d's/caf%C3%A9" in found  # percent-encoded UTF-8
    assert b"<loc>https://example.com/r&amp;d&apos;s/about</loc>" in body  # entity-escaped


def test_a_url_longer_than_the_protocol_allows_is_left_out(site_client):
    site_url = "https://example.com/" + "x" * 2015  # 2035 characters
    client = site_client({}, base=FEED_SITE, site_url=site_url)

    found = urlset(client.get("/api/sitemap.xml").data)

    assert f"{site_url}/blog" in found  # 2040 characters
    assert f"{site_url}/blog/other-post" not in found  # 2051: too long
    assert all(len(loc) < 2048 for loc in found)


@pytest.mark.parametrize("which", ["client", "corpus_client"])
def test_every_site_gives_a_valid_sitemap(request, which):
    client = request.getfixturevalue(which)

    assert urlset(client.get("/api/sitemap.xml").data)
