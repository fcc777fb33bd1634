"""Authors: list, detail with post counts, and each author's posts."""

from __future__ import annotations


def test_corpus_author_counts_every_post(corpus_client):
    author = corpus_client.get("/api/authors/doris-soto").get_json()

    assert author == {
        "type": "Person",
        "firstName": "Doris",
        "lastName": "Soto",
        "image": {"type": "ImageBlock", "url": "/images/about.jpg", "altText": "Doris Soto photo"},
        "slug": "doris-soto",
        "name": "Doris Soto",
        "postCount": 7,
    }


def test_bundled_authors_with_post_counts(client):
    body = client.get("/api/authors").get_json()

    counts = {a["slug"]: a["postCount"] for a in body["items"]}
    assert counts == {"jason-hand": 6, "maria-garcia": 4, "wei-chen": 4}
    jason = body["items"][0]
    assert jason["role"]
    assert jason["bio"]
    assert jason["image"]["type"] == "ImageBlock"


def test_author_posts_are_theirs_newest_first(client):
    body = client.get("/api/authors/maria-garcia/posts").get_json()

    assert body["pagination"]["totalItems"] == 4
    assert {item["author"]["slug"] for item in body["items"]} == {"maria-garcia"}
    dates = [item["date"] for item in body["items"]]
    assert dates == sorted(dates, reverse=True)


def test_unknown_author_is_404(client):
    for path in ("/api/authors/nobody", "/api/authors/nobody/posts"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.get_json() == {
            "code": 404,
            "status": "Not Found",
            "message": "No author with slug 'nobody'",
        }
