"""RSS, Atom and JSON Feed, read by a real consumer (feedparser) and the JSON Feed 1.1 rules.

Each feed of the bundled site must parse cleanly (``bozo`` false) and say what
``/api/posts`` says: the same posts in the same order, with the same links,
titles, dates, authors and excerpts. A small site of awkward titles and
relative links (tests/fixtures/feed-site) checks escaping and absolute URLs.
"""

from __future__ import annotations

import calendar
import html
import json
import re
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import feedparser
import lxml.html
import pytest
from lxml import etree

from api import create_app
from api.content.source.paths import tag_slug
from tests.support.sites import BUNDLED_CONTENT, FIXTURES

SITE_URL = "http://127.0.0.1:5000"  # the default SITE_URL the bundled app runs with
FEED_SITE = FIXTURES / "feed-site"
QUIRKS_URL = "https://example.com/site"
MARKUP_TITLE = '<script>alert(1)</script> Tom & Jerry\'s "quotes" 🎉 שלום עולם'
MARKUP_EXCERPT = 'Escaping <b>matters</b> & so do "quotes" — 🎉 مرحبا'
XML_FEEDS = ["/api/feed.xml", "/api/feed.atom"]
FILTERS = ["", "?author=wei-chen", "?tag=ai", "?author=jason-hand&tag=incidents"]
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def posts_of(client, query: str = "") -> list[dict]:
    """What /api/posts lists for the same filter (the bundled tags are their own slugs)."""
    separator = "&" if query else "?"
    response = client.get(f"/api/posts{query}{separator}page_size=100")
    assert response.status_code == 200
    return response.get_json()["items"]


def parsed_feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def timestamp(value: str) -> int:
    """Seconds since the epoch of an API date (``2025-01-30`` is midnight UTC)."""
    if len(value) == 10:
        return calendar.timegm(date.fromisoformat(value).timetuple())
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())


@pytest.mark.parametrize("query", FILTERS)
@pytest.mark.parametrize("url", XML_FEEDS)
def test_xml_feeds_parse_and_say_what_the_posts_list_says(client, url, query):
    feed = parsed_feed(client, url + query)
    posts = posts_of(client, query)

    assert feed.version == ("rss20" if url.endswith(".xml") else "atom10")
    assert posts, "the filter must select posts for this test to mean anything"
    assert [entry.link for entry in feed.entries] == [SITE_URL + post["url"] for post in posts]
    assert [entry.id for entry in feed.entries] == [SITE_URL + post["url"] for post in posts]
    assert [entry.title for entry in feed.entries] == [post["title"] for post in posts]
    assert [calendar.timegm(entry.published_parsed) for entry in feed.entries] == [
        timestamp(post["date"]) for post in posts
    ]
    assert [entry.get("author") for entry in feed.entries] == [
        post["author"]["name"] if "author" in post else None for post in posts
    ]
    assert [html.unescape(entry.summary) for entry in feed.entries] == [
        post["excerpt"] for post in posts
    ]
    assert [[tag.term for tag in entry.get("tags", [])] for entry in feed.entries] == [
        post["tags"] for post in posts
    ]


@pytest.mark.parametrize("url", XML_FEEDS)
def test_xml_feeds_carry_the_full_html_and_the_featured_image(client, url):
    feed = parsed_feed(client, url)
    post = posts_of(client)[0]
    full = client.get(f"/api/posts/{post['slug']}").get_json()

    entry = feed.entries[0]
    assert entry.content[0].type == "text/html"
    assert _text_of(entry.content[0].value) == _text_of(full["html"])
    assert entry.media_content == [
        {"url": SITE_URL + post["featuredImage"]["url"], "medium": "image"}
    ]


@pytest.mark.parametrize("url", XML_FEEDS)
def test_xml_feeds_describe_the_site_and_link_to_themselves(client, url):
    feed = parsed_feed(client, url + "?tag=ai").feed
    blog = client.get("/api/pages?path=/blog").get_json()

    assert feed.title == "Jason Hand: posts tagged ai"
    assert feed.get("subtitle", feed.get("description")) == blog["metaDescription"]
    assert feed.link == SITE_URL + "/blog"
    assert {"rel": "self", "href": f"{SITE_URL}{url}?tag=ai"}.items() <= next(
        link for link in feed.links if link.rel == "self"
    ).items()
    assert feed.language == "en-US"


def test_json_feed_follows_the_json_feed_1_1_field_rules(client):
    response = client.get("/api/feed.json")
    feed = json.loads(response.data)

    assert response.status_code == 200
    assert_json_feed_1_1(feed)
    assert feed["feed_url"] == f"{SITE_URL}/api/feed.json"
    assert feed["home_page_url"] == f"{SITE_URL}/blog"


def test_json_feed_dates_are_utc(client):
    for item in client.get("/api/feed.json").get_json(force=True)["items"]:
        moment = datetime.fromisoformat(item["date_published"].replace("Z", "+00:00"))
        assert moment.utcoffset() == UTC.utcoffset(None)


@pytest.mark.parametrize("query", FILTERS)
def test_json_feed_says_what_the_posts_list_says(client, query):
    feed = client.get(f"/api/feed.json{query}").get_json(force=True)
    posts = posts_of(client, query)

    assert [item["url"] for item in feed["items"]] == [SITE_URL + post["url"] for post in posts]
    assert [item["id"] for item in feed["items"]] == [SITE_URL + post["url"] for post in posts]
    assert [item["title"] for item in feed["items"]] == [post["title"] for post in posts]
    assert [item["summary"] for item in feed["items"]] == [post["excerpt"] for post in posts]
    assert [timestamp(item["date_published"]) for item in feed["items"]] == [
        timestamp(post["date"]) for post in posts
    ]
    assert [item["authors"][0]["name"] for item in feed["items"]] == [
        post["author"]["name"] for post in posts
    ]
    assert [item.get("tags", []) for item in feed["items"]] == [post["tags"] for post in posts]


@pytest.mark.parametrize("query", FILTERS)
def test_the_three_formats_give_the_same_entries(client, query):
    rss = parsed_feed(client, f"/api/feed.xml{query}").entries
    atom = parsed_feed(client, f"/api/feed.atom{query}").entries
    items = client.get(f"/api/feed.json{query}").get_json(force=True)["items"]

    def key(link, title, published, author):
        return (link, title, published, author)

    from_rss = [key(e.link, e.title, calendar.timegm(e.published_parsed), e.author) for e in rss]
    from_atom = [key(e.link, e.title, calendar.timegm(e.published_parsed), e.author) for e in atom]
    from_json = [
        key(i["url"], i["title"], timestamp(i["date_published"]), i["authors"][0]["name"])
        for i in items
    ]
    assert from_rss == from_atom == from_json
    assert [_text_of(e.content[0].value) for e in rss] == [
        _text_of(i["content_html"]) for i in items
    ]


def test_feed_size_bounds_each_feed_to_the_newest_posts(site_client):
    client = site_client({}, base=BUNDLED_CONTENT, feed_size=3)
    newest = [SITE_URL + post["url"] for post in posts_of(client)[:3]]

    assert [e.link for e in parsed_feed(client, "/api/feed.xml").entries] == newest
    assert [e.link for e in parsed_feed(client, "/api/feed.atom").entries] == newest
    items = client.get("/api/feed.json").get_json(force=True)["items"]
    assert [item["url"] for item in items] == newest


@pytest.mark.parametrize("url", [*XML_FEEDS, "/api/feed.json"])
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?author=nobody", "No author with slug 'nobody'"),
        ("?tag=no-such-tag", "No published post has the tag 'no-such-tag'"),
        ("?author=wei-chen&tag=no-such-tag", "No published post has the tag 'no-such-tag'"),
    ],
)
def test_an_unknown_author_or_tag_is_a_json_404(client, url, query, message):
    response = client.get(url + query)

    assert response.status_code == 404
    assert response.get_json() == {"code": 404, "status": "Not Found", "message": message}


@pytest.mark.parametrize("query", ["?author=" + "a" * 201, "?tag=", "?author="])
def test_invalid_filters_are_422(client, query):
    response = client.get("/api/feed.xml" + query)

    assert response.status_code == 422
    assert set(response.get_json()["errors"]) <= {"author", "tag"}


def test_an_author_without_posts_has_an_empty_feed(site_client):
    client = site_client(
        {"data/team/nobody.json": '{"type": "Person", "firstName": "No", "lastName": "Body"}'},
        base=FEED_SITE,
    )
    feed = parsed_feed(client, "/api/feed.xml?author=nobody")

    assert feed.entries == []
    assert feed.feed.title.endswith(": posts by No Body")


# --- the awkward site: escaping, absolute URLs, drafts, future posts, tags ---------------------


@pytest.fixture(scope="module")
def quirks():
    app = create_app({"content_dir": FEED_SITE, "site_url": QUIRKS_URL})
    return app.test_client()


def test_a_title_with_markup_quotes_emoji_and_rtl_text_comes_out_exactly(quirks):
    rss = parsed_feed(quirks, "/api/feed.xml")
    atom = parsed_feed(quirks, "/api/feed.atom")
    items = quirks.get("/api/feed.json").get_json(force=True)["items"]

    for entries in (rss.entries, atom.entries):
        entry = next(e for e in entries if e.link.endswith("/blog/markup-title"))
        assert entry.title == MARKUP_TITLE
        assert html.unescape(entry.summary) == MARKUP_EXCERPT
        assert entry.author == "نور O'Brien & Co"
        assert [tag.term for tag in entry.tags] == ["Site Reliability", "C&C"]
    item = next(i for i in items if i["url"].endswith("/blog/markup-title"))
    assert item["title"] == MARKUP_TITLE
    assert item["summary"] == MARKUP_EXCERPT
    assert rss.feed.title == atom.feed.title == "Quirks & <Co> “Blog”"


def test_the_xml_escapes_the_title_rather_than_embedding_markup(quirks):
    """Read with a strict XML parser: the title is text, not elements."""
    root = etree.fromstring(quirks.get("/api/feed.xml").data)
    titles = [title.text for title in root.iterfind("channel/item/title")]

    assert MARKUP_TITLE in titles
    assert root.find("channel/item/title/script") is None


@pytest.mark.parametrize("url", [*XML_FEEDS, "/api/feed.json"])
def test_every_link_and_image_inside_the_html_is_absolute(quirks, url):
    response = quirks.get(url)
    if url.endswith(".json"):
        contents = [item["content_html"] for item in json.loads(response.data)["items"]]
    else:
        contents = [
            e.content[0].value for e in feedparser.parse(response.data).entries if "content" in e
        ]
        contents += [
            e.summary for e in feedparser.parse(response.data).entries if "content" not in e
        ]
    links = [link for content in contents for link in _links_in(content)]

    assert f"{QUIRKS_URL}/blog/other-post" in links  # relative: resolved on the post's page
    assert f"{QUIRKS_URL}/about?x=1&y=2" in links  # root-relative: SITE_URL + path
    assert f"{QUIRKS_URL}/blog/markup-title#details" in links
    assert f"{QUIRKS_URL}/blog/images/diagram.png" in links  # a Markdown image
    assert f"{QUIRKS_URL}/images/raw.png" in links  # an <img> written in the body
    assert "https://example.org/a?b=1&c=2" in links  # absolute: kept
    assert f"{QUIRKS_URL}/blog/%C3%BCmlaut%20page" in links  # escaped
    for link in links:
        parts = urlsplit(link)
        assert parts.scheme in ("http", "https") and parts.netloc, link


def test_images_and_avatars_are_absolute(quirks):
    items = quirks.get("/api/feed.json").get_json(force=True)["items"]
    item = next(i for i in items if i["url"].endswith("/blog/markup-title"))

    assert item["image"] == f"{QUIRKS_URL}/images/featured%20one.jpg"
    assert item["authors"] == [
        {"name": "نور O'Brien & Co", "avatar": f"{QUIRKS_URL}/images/noor.jpg"}
    ]
    media = next(
        e for e in parsed_feed(quirks, "/api/feed.atom").entries if e.link == item["url"]
    ).media_content
    assert media == [{"url": item["image"], "medium": "image"}]


def test_dates_keep_their_time_and_say_their_timezone(quirks):
    rss = quirks.get("/api/feed.xml").get_data(as_text=True)
    atom = quirks.get("/api/feed.atom").get_data(as_text=True)
    items = quirks.get("/api/feed.json").get_json(force=True)["items"]

    # 2025-03-01T10:15:00+02:00 in the file
    assert "<pubDate>Sat, 01 Mar 2025 08:15:00 +0000</pubDate>" in rss
    assert "<published>2025-03-01T08:15:00+00:00</published>" in atom
    assert "2025-03-01T08:15:00Z" in [item["date_published"] for item in items]
    assert all(RFC3339.match(item["date_published"]) for item in items)


BELL_POST = '---\ntype: PostLayout\ntitle: "Bell \\a here"\ndate: 2025-05-01\n---\nDing.\n'


def test_a_control_character_in_a_title_does_not_break_the_xml(site_client):
    """XML 1.0 cannot carry U+0007 even escaped: it is dropped, the feed stays well-formed."""
    client = site_client({"pages/blog/bell.md": BELL_POST}, base=FEED_SITE)
    assert client.get("/api/posts/bell").get_json()["title"] == "Bell \a here"

    for url in XML_FEEDS:
        entry = next(e for e in parsed_feed(client, url).entries if e.link.endswith("/bell"))
        assert entry.title == "Bell  here"


def test_drafts_never_appear_not_even_in_preview(site_client):
    client = site_client({}, base=FEED_SITE, preview_token="secret")
    preview = {"Authorization": "Bearer secret"}

    for headers in ({}, preview):
        for url in XML_FEEDS:
            entries = feedparser.parse(client.get(url, headers=headers).data).entries
            assert entries and not [e for e in entries if "draft" in e.link], url
        assert "a-draft" not in client.get("/api/feed.json", headers=headers).get_data(as_text=True)
        assert client.get("/api/feed.xml?tag=draft-only", headers=headers).status_code == 404
    assert "a-draft" in client.get("/api/posts/a-draft", headers=preview).get_data(as_text=True)


def test_future_posts_stay_out_while_hidden(site_client):
    shown = site_client({}, base=FEED_SITE)
    hidden = site_client({}, base=FEED_SITE, hide_future_posts=True)

    assert "from-the-future" in shown.get("/api/feed.xml").get_data(as_text=True)
    for url in [*XML_FEEDS, "/api/feed.json"]:
        assert "from-the-future" not in hidden.get(url).get_data(as_text=True)
    assert hidden.get("/api/feed.xml?tag=future-only").status_code == 404


def test_a_tag_is_named_by_its_slug_and_spellings_of_it_are_one_tag(quirks):
    feed = parsed_feed(quirks, "/api/feed.atom?tag=site-reliability")

    assert [e.link for e in feed.entries] == [
        f"{QUIRKS_URL}/blog/markup-title",
        f"{QUIRKS_URL}/blog/other-post",
    ]
    # Named as /api/tags names it, as its oldest post writes it (other-post: "site reliability"):
    # one tag model (a feed once named it as its newest post did).
    assert feed.feed.title.endswith(": posts tagged site reliability")
    assert quirks.get("/api/tags/site-reliability").get_json()["name"] == "site reliability"
    assert quirks.get("/api/feed.atom?tag=Site%20Reliability").status_code == 404


@pytest.mark.parametrize(
    ("name", "slug"),
    [("ai", "ai"), ("Site Reliability", "site-reliability"), ("CI/CD", "ci-cd"),
     ("  Ünïcode_Tag  ", "ünïcode-tag"), ("C&C", "c-c")],
)  # fmt: skip
def test_tag_slugs_are_the_lower_case_hyphenated_name(name, slug):
    assert tag_slug(name) == slug


def test_an_edit_shows_up_in_the_feeds_at_the_next_reload(make_site):
    root = make_site({}, base=FEED_SITE)
    app = create_app({"content_dir": root, "site_url": QUIRKS_URL})
    client = app.test_client()
    before = {url: client.get(url) for url in [*XML_FEEDS, "/api/feed.json"]}
    post = root / "pages" / "blog" / "other-post.md"
    post.write_text(post.read_text().replace("title: Other post", "title: Renamed & moved"))

    app.extensions["content"].reload()

    for url, old in before.items():
        new = client.get(url)
        assert "Renamed &amp; moved" in new.get_data(as_text=True) or (
            "Renamed & moved" in new.get_data(as_text=True)
        )
        assert new.headers["ETag"] != old.headers["ETag"]
        assert client.get(url, headers={"If-None-Match": old.headers["ETag"]}).status_code == 200
    ids = [e.id for e in feedparser.parse(client.get("/api/feed.xml").data).entries]
    assert f"{QUIRKS_URL}/blog/other-post" in ids  # the id did not change with the title


def test_the_feed_bytes_do_not_depend_on_when_they_are_built(site_client):
    """No build time inside: the same content gives the same body, hence the same ETag."""
    first = site_client({}, base=FEED_SITE)
    second = site_client({}, base=FEED_SITE)

    for url in [*XML_FEEDS, "/api/feed.json"]:
        assert first.get(url).data == second.get(url).data


# --- helpers ----------------------------------------------------------------------------------


def assert_json_feed_1_1(feed: dict) -> None:
    """The field rules of https://www.jsonfeed.org/version/1.1/ that a reader relies on."""
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    assert isinstance(feed["items"], list) and feed["items"]
    assert None not in _values(feed), "absent values are left out, never null"
    for key in ("home_page_url", "feed_url", "favicon"):
        if key in feed:
            assert _is_absolute(feed[key]), key
    for author in feed.get("authors", []):
        assert {"name", "url", "avatar"} & set(author)
    ids = [item["id"] for item in feed["items"]]
    assert len(set(ids)) == len(ids)
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert "content_html" in item or "content_text" in item
        assert isinstance(item["content_html"], str)
        assert _is_absolute(item["url"])
        assert RFC3339.match(item["date_published"]), item["date_published"]
        assert item.get("image") is None or _is_absolute(item["image"])
        for author in item.get("authors", []):
            assert {"name", "url", "avatar"} & set(author)
            assert "avatar" not in author or _is_absolute(author["avatar"])
        assert all(isinstance(tag, str) for tag in item.get("tags", []))
        assert "author" not in item, "1.1 replaced `author` with `authors`"


def _values(value):
    if isinstance(value, dict):
        for nested in value.values():
            yield from _values(nested)
    elif isinstance(value, list):
        for nested in value:
            yield from _values(nested)
    else:
        yield value


def _is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _links_in(fragment: str) -> list[str]:
    tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    return [link for _, _, link, _ in tree.iterlinks()]


def _text_of(fragment: str) -> str:
    return " ".join(
        lxml.html.fragment_fromstring(fragment, create_parent="div").text_content().split()
    )
