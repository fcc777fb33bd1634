"""Search on the bundled site: relevance, the query language, snippets, hostile input, drafts."""

from __future__ import annotations

import re
import string

import pytest

from tests.support.spec import response_validator

SEED = "ai-security-and-the-end-of-silos"
TOKEN = "search-preview-token-0123456789"


def search(client, q: str, **params) -> dict:
    response = client.get("/api/search", query_string={"q": q, **params})
    assert response.status_code == 200, (q, response.get_json())
    return response.get_json()


def top_slugs(client, q: str, count: int = 1, **params) -> list[str]:
    return [hit["slug"] for hit in search(client, q, **params)["items"][:count]]


# What a reader types, and the page they expect first: the bundled site's own content.
RELEVANCE = [
    # exact titles and title words
    ("Retiring the War Room", "retiring-the-war-room"),
    ("Kubernetes resource limits", "kubernetes-resource-limits-a-field-guide"),
    ("golden paths", "golden-paths-not-golden-cages"),
    ("blameless", "blameless-postmortems-without-the-theater"),
    ("toolkit", "incident-review-toolkit"),
    # the seed post: its title word, and its rarest body phrase
    ("silos", SEED),
    ('"break down the silos"', SEED),
    # phrases
    ('"prompt injection"', "prompt-injection-is-an-incident-class-now"),
    ('"error budget"', "service-level-objectives-for-ai-features"),
    # rare words found only in a body (prose or code)
    ("scribe", "retiring-the-war-room"),
    ("half-life", "what-developer-advocates-owe-operators"),
    ("tls verification", "what-developer-advocates-owe-operators"),
    ("kubectl", "writing-runbooks-people-actually-read"),
    ("fintech", "about"),
    # prefixes, as typed
    ("kubern", "kubernetes-resource-limits-a-field-guide"),
    ("runbo", "writing-runbooks-people-actually-read"),
    ("status widg", "embedding-live-status-widgets-in-your-docs"),
    # one typo
    ("kubernetse", "kubernetes-resource-limits-a-field-guide"),
    ("obsrvability", "observability-workshop-series"),
    ("Prompt Injektion", "prompt-injection-is-an-incident-class-now"),
    # author names: their newest post first among their equally ranked posts
    ("maria garcia", "golden-paths-not-golden-cages"),
    ("Wei Chen", "service-level-objectives-for-ai-features"),
    # a tag
    ("on-call", "your-on-call-rotation-is-a-product"),
    # case and accents folded
    ("CAFE", "blameless-postmortems-without-the-theater"),
    ("café", "blameless-postmortems-without-the-theater"),
]


@pytest.mark.parametrize(("q", "expected"), RELEVANCE)
def test_the_expected_page_ranks_first(client, q, expected):
    assert top_slugs(client, q) == [expected]


def test_silos_puts_the_seed_post_first_with_a_snippet(client):
    hit = search(client, "silos")["items"][0]

    assert hit["slug"] == SEED
    assert hit["type"] == "PostLayout"
    assert hit["url"] == f"/blog/{SEED}"
    assert hit["title"] == "AI, Security, and the End of Silos"
    assert hit["date"] == "2025-01-30"
    assert hit["author"]["slug"] == "jason-hand"
    assert hit["excerpt"].startswith("One of the most interesting things about AI in security")
    assert "<mark>silos</mark>" in hit["snippet"]
    assert 10 <= len(hit["snippet"].split()) <= 35


def test_a_title_match_ranks_above_a_body_match(client):
    hits = search(client, "silos")["items"]
    in_title = [hit for hit in hits if "silos" in hit["title"].lower()]

    assert hits[0] == in_title[0]
    assert hits[0]["score"] > 5 * hits[1]["score"]


def test_scores_descend_and_typo_matches_come_after_exact_ones(client):
    hits = search(client, "silos", page_size=100)["items"]  # "SLOs" is one edit away
    exact = ["silos" in (hit["title"] + hit["snippet"]).lower() for hit in hits]

    assert [hit["score"] for hit in hits] == sorted((hit["score"] for hit in hits), reverse=True)
    assert exact == sorted(exact, reverse=True)
    assert True in exact and False in exact
    assert any("<mark>SLOs</mark>" in hit["snippet"] for hit in hits)


def test_every_word_must_match(client):
    both = {hit["slug"] for hit in search(client, "kubernetes limits", page_size=100)["items"]}
    one = {hit["slug"] for hit in search(client, "kubernetes", page_size=100)["items"]}

    assert both <= one
    assert search(client, "kubernetes zanzibarqq")["pagination"]["totalItems"] == 0


def test_a_phrase_matches_only_words_together_in_order(client):
    assert search(client, '"silos break"')["pagination"]["totalItems"] == 0
    assert search(client, "silos break")["pagination"]["totalItems"] >= 1


def test_a_finished_word_is_not_a_prefix(client):
    assert top_slugs(client, "kubern") == ["kubernetes-resource-limits-a-field-guide"]
    assert search(client, "kubern ")["pagination"]["totalItems"] == 0
    assert search(client, '"kubern"')["pagination"]["totalItems"] == 0
    assert search(client, "ku")["pagination"]["totalItems"] == 0  # too short to be a prefix


def test_snippets_mark_matches_and_escape_everything_else(client):
    for q in ("script", "kubectl", "silos", '"prompt injection"', "café", "kubernetse"):
        for hit in search(client, q, page_size=100)["items"]:
            snippet = hit["snippet"]
            bare = snippet.replace("<mark>", "").replace("</mark>", "")
            assert "<" not in bare and ">" not in bare, (q, snippet)
            assert snippet.count("<mark>") == snippet.count("</mark>")
    widget = search(client, "script")["items"][0]
    assert "&lt;<mark>script</mark>&gt;" in widget["snippet"]


def test_a_typo_is_highlighted_as_the_word_found(client):
    hit = search(client, "kubernetse")["items"][0]

    assert "<mark>Kubernetes</mark>" in hit["snippet"]


def test_filters_by_type_author_and_tag(client):
    projects = search(client, "incident", type="ProjectLayout", page_size=100)["items"]
    assert projects and {hit["type"] for hit in projects} == {"ProjectLayout"}
    marias = search(client, "security", author="maria-garcia", page_size=100)["items"]
    assert marias and {hit["author"]["slug"] for hit in marias} == {"maria-garcia"}
    tagged = search(client, "incident", tag="on-call", page_size=100)["items"]
    assert {hit["slug"] for hit in tagged} <= {
        "retiring-the-war-room",
        "your-on-call-rotation-is-a-product",
        "writing-runbooks-people-actually-read",
    }
    assert tagged
    assert (
        search(client, "incident", tag="On Call")["items"]
        == search(client, "incident", tag="on-call")["items"]
    )
    assert search(client, "incident", author="nobody")["pagination"]["totalItems"] == 0


def test_pages_of_hits_with_link_header(client):
    everything = search(client, "incident", page_size=100)
    total = everything["pagination"]["totalItems"]
    response = client.get("/api/search?q=incident&page=2&page_size=3")
    second = response.get_json()

    assert total > 6
    assert second["items"] == everything["items"][3:6]
    assert second["pagination"] == {
        "page": 2,
        "pageSize": 3,
        "totalItems": total,
        "totalPages": -(-total // 3),
    }
    assert 'rel="next"' in response.headers["Link"] and "q=incident" in response.headers["Link"]
    past = search(client, "incident", page=999, page_size=3)
    assert past["items"] == [] and past["pagination"]["totalItems"] == total
    huge = search(client, "incident", page=2**31 - 1, page_size=100)
    assert huge["items"] == [] and huge["pagination"]["totalItems"] == total


HOSTILE = [
    '"',
    '""',
    '"""',
    'silos"',
    '"silos',
    '"end of',
    "*",
    "silos*",
    "s*los",
    "NEAR(silos security)",
    "silos NEAR security",
    "AND",
    "OR OR OR",
    "NOT silos",
    "-silos",
    "+silos",
    "silos^10",
    "silos~2",
    "title:silos",
    'body:"silos"',
    "{title}: silos",
    "'; DROP TABLE posts; --",
    "1=1 OR 1=1",
    "silos) OR (1=1",
    "\x00",
    "sil\x00os",
    "🚀",
    "🚀 silos 🔥",
    "\u202esilos",
    "\t\n\r",
    "   ",
    "\\",
    "%",
    "_",
    "[a-z]+",
    ".*",
    "(" * 200,
    string.punctuation * 6,
    "!" * 200,
    "a" * 200,
    "é" * 200,
    "ß",
    "İstanbul",
    "東京",
    "<script>alert(1)</script>",
    "&amp; &lt;",
    " ".join(["silos"] * 40),
    " ".join(string.ascii_lowercase) * 4,
    "x" * 41,  # longer than the longest word the index keeps
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_answer_200_in_the_documented_shape(client, search_validator, q):
    response = client.get("/api/search", query_string={"q": q[:200]})

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert not list(search_validator.iter_errors(body))
    for hit in body["items"]:
        bare = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in bare


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "x" * 201},
        {"q": "silos", "page": "0"},
        {"q": "silos", "page_size": "101"},
    ],
)
def test_invalid_parameters_are_422_naming_them(client, params):
    response = client.get("/api/search", query_string=params)

    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_a_query_of_only_punctuation_matches_nothing(client):
    assert search(client, "!?!")["pagination"]["totalItems"] == 0


@pytest.fixture(scope="module")
def search_validator(spec):
    return response_validator(spec, "/api/search")


# Drafts and future posts


DRAFT = """
---
type: PostLayout
title: Zeppelin Launch Plan
date: '2025-02-02'
isDraft: true
author: content/data/team/wei-chen.json
tags: [zeppelins]
excerpt: The zeppelin is secret.
---
Nobody outside may read about the zeppelin.
"""
FUTURE = """
---
type: PostLayout
title: Quasar Announcement
date: '2999-01-01'
author: content/data/team/wei-chen.json
---
The quasar arrives later.
"""


@pytest.fixture
def draft_site(site_client):
    from tests.support.sites import BUNDLED_CONTENT

    return lambda **settings: site_client(
        {"pages/blog/zeppelin.md": DRAFT, "pages/blog/quasar.md": FUTURE},
        base=BUNDLED_CONTENT,
        **settings,
    )


def test_drafts_are_never_found_without_preview(draft_site):
    client = draft_site(preview_token=TOKEN)

    for q in ("zeppelin", "Zeppelin Launch", "zepp", "zeppelni"):
        assert search(client, q)["pagination"]["totalItems"] == 0, q
        wrong = client.get(
            "/api/search", query_string={"q": q}, headers={"Authorization": "Bearer nope"}
        )
        assert wrong.get_json()["items"] == []
    assert search(client, "secret wei", author="wei-chen")["items"] == []


def test_preview_finds_drafts_marked_as_such(draft_site):
    client = draft_site(preview_token=TOKEN)

    response = client.get(
        "/api/search", query_string={"q": "zeppelin"}, headers={"Authorization": f"Bearer {TOKEN}"}
    )

    assert response.headers["Cache-Control"] == "private, no-store"
    [hit] = response.get_json()["items"]
    assert hit["slug"] == "zeppelin" and hit["isDraft"] is True
    assert "<mark>zeppelin</mark>" in hit["snippet"].lower()


def test_posts_not_yet_due_are_found_only_when_due(draft_site):
    hidden = draft_site(hide_future_posts=True)
    shown = draft_site(hide_future_posts=False)

    assert search(hidden, "quasar")["items"] == []
    assert top_slugs(shown, "quasar") == ["quasar"]


def test_the_search_answer_is_cached_and_revalidated_like_any_get(client):
    first = client.get("/api/search?q=silos")
    again = client.get("/api/search?q=silos", headers={"If-None-Match": first.headers["ETag"]})

    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert again.status_code == 304


def test_words_are_matched_whole_in_snippets(client):
    for hit in search(client, "room", page_size=100)["items"]:
        for marked in re.findall(r"<mark>(.*?)</mark>", hit["snippet"]):
            assert marked.lower().startswith("room"), hit["snippet"]
