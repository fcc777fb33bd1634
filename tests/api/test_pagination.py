"""Pagination: the envelope, the Link header, and the edges of `page` and `page_size`."""

from __future__ import annotations

import re

import pytest


def links(response) -> dict[str, str]:
    return {
        rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])
    }


def test_first_page_links_to_next_and_last(client):
    response = client.get("/api/posts?page_size=5")

    assert response.get_json()["pagination"] == {
        "page": 1,
        "pageSize": 5,
        "totalItems": 14,
        "totalPages": 3,
    }
    assert links(response) == {
        "first": "/api/posts?page=1&page_size=5&sort=-date",
        "next": "/api/posts?page=2&page_size=5&sort=-date",
        "last": "/api/posts?page=3&page_size=5&sort=-date",
    }


def test_middle_page_links_both_ways_and_keeps_filters(client):
    response = client.get("/api/posts?page=2&page_size=2&author=jason-hand&cachebuster=1")

    assert set(links(response)) == {"first", "prev", "next", "last"}
    assert links(response)["prev"] == "/api/posts?page=1&page_size=2&sort=-date&author=jason-hand"
    assert "cachebuster" not in response.headers["Link"]


def test_pages_cover_every_post_once(client):
    seen = []
    for page in (1, 2, 3):
        seen += [
            item["slug"]
            for item in client.get(f"/api/posts?page={page}&page_size=5").get_json()["items"]
        ]

    everything = [
        item["slug"] for item in client.get("/api/posts?page_size=100").get_json()["items"]
    ]
    assert seen == everything
    assert len(set(seen)) == 14


def test_page_past_the_end_is_empty_with_true_totals(client):
    response = client.get("/api/posts?page=9&page_size=5")

    assert response.status_code == 200
    assert response.get_json() == {
        "items": [],
        "pagination": {"page": 9, "pageSize": 5, "totalItems": 14, "totalPages": 3},
    }
    assert links(response)["prev"] == "/api/posts?page=3&page_size=5&sort=-date"
    assert "next" not in links(response)


@pytest.mark.parametrize("size", [1, 100])
def test_page_size_limits_are_accepted(client, size):
    body = client.get(f"/api/posts?page_size={size}").get_json()

    assert len(body["items"]) == min(size, 14)
    assert body["pagination"]["totalPages"] == -(-14 // size)


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=1.5", "page"),
        ("page=99999999999999999999", "page"),
        ("sort=newest", "sort"),
    ],
)
def test_invalid_values_are_422_naming_the_parameter(client, query, parameter):
    response = client.get(f"/api/posts?{query}")

    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422
    assert body["status"] == "Unprocessable Entity"
    assert list(body["errors"]) == [parameter]
    assert body["errors"][parameter][0]


def test_authors_are_paginated_too(client):
    response = client.get("/api/authors?page_size=2")

    body = response.get_json()
    assert [a["slug"] for a in body["items"]] == ["jason-hand", "maria-garcia"]
    assert body["pagination"] == {"page": 1, "pageSize": 2, "totalItems": 3, "totalPages": 2}
    assert links(response)["next"] == "/api/authors?page=2&page_size=2"


def test_unknown_query_parameters_are_ignored(client):
    plain = client.get("/api/posts").get_json()

    assert client.get("/api/posts?utm_source=x&_=123").get_json() == plain
