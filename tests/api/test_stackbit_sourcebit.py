"""``STACKBIT_COMPAT=sourcebit``: the Starter theme's generation, on a site in its shape."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from api import create_app
from tests.support.sites import FIXTURES

STARTER = FIXTURES / "starter-site"


@pytest.fixture(scope="module")
def starter() -> FlaskClient:
    return create_app({"content_dir": STARTER, "stackbit_compat": "sourcebit"}).test_client()


def _props(client: FlaskClient, path: str) -> dict:
    response = client.get("/api/stackbit/props", query_string={"path": path})
    assert response.status_code == 200
    return response.get_json()


def test_paths_are_lower_case_url_paths(starter):
    items = starter.get("/api/stackbit/paths").get_json()["items"]

    assert items == ["/", "/blog", "/blog/post-one", "/blog/post-two"]


def test_a_page_keeps_its_layout_and_gets_the_source_metadata(starter):
    props = _props(starter, "/blog/post-two")

    assert list(props) == ["path", "page", "site"]
    assert props["path"] == "/blog/post-two"
    page = props["page"]
    assert list(page)[:3] == ["__metadata", "title", "layout"]
    assert page["layout"] == "PostLayout"
    assert "type" not in page
    assert page["__metadata"] == {
        "id": "content/pages/blog/Post-Two.md",
        "source": "sourcebit-source-filesystem",
        "sourceName": "pages",
        "relSourcePath": "blog/Post-Two.md",
        "relProjectPath": "content/pages/blog/Post-Two.md",
        "modelType": "page",
        "modelName": "PostLayout",
        "url": "/blog/post-two/",
        "pageCssClasses": ["page-blog", "page-blog-Post-Two"],
    }
    assert page["markdown_content"] == "The second post's body.\n"


def test_references_become_the_referenced_files_objects(starter):
    author = _props(starter, "/blog/post-one")["page"]["author"]

    assert author["__metadata"]["relSourcePath"] == "team/jane-doe.json"
    assert author["__metadata"]["modelType"] == "data"
    assert {key: author[key] for key in ("type", "firstName", "lastName")} == {
        "type": "Person",
        "firstName": "Jane",
        "lastName": "Doe",
    }
    assert "slug" not in author


def test_the_body_keeps_its_blank_first_line_and_an_empty_one_is_null(starter):
    assert _props(starter, "/blog/post-one")["page"]["markdown_content"] == (
        "\nThe first post's body.\n"
    )
    assert _props(starter, "/")["page"]["markdown_content"] is None


def test_latest_posts_sections_get_the_posts_the_theme_gives_them(starter):
    home = _props(starter, "/")["page"]
    recent = home["sections"][1]
    assert recent["type"] == "LatestPostsSection"
    assert [post["title"] for post in recent["posts"]] == ["The second post"]
    assert "pageCssClasses" not in recent["posts"][0]["__metadata"]
    assert home["__metadata"]["pageCssClasses"] == ["page-index"]

    feed = _props(starter, "/blog")["page"]
    assert [post["title"] for post in feed["sections"][0]["posts"]] == [
        "The second post",
        "The first post",
    ]
    assert feed["__metadata"]["pageCssClasses"] == ["page-blog", "page-blog-index"]


def test_the_site_is_the_config_file_with_its_metadata(starter):
    site = _props(starter, "/")["site"]

    assert site["__metadata"]["relProjectPath"] == "content/data/config.json"
    assert site["__metadata"]["modelName"] == "Config"
    assert site["header"]["primaryLinks"] == [{"type": "Link", "label": "Blog", "url": "/blog"}]


def test_objects_are_every_file_as_sourcebit_source_filesystem_hands_them():
    site = FIXTURES / "sourcebit-site" / "content"
    client = create_app({"content_dir": site, "stackbit_compat": "sourcebit"}).test_client()

    response = client.get("/api/stackbit/objects")

    assert response.status_code == 200
    assert "version" not in response.headers["Cache-Tag"].split(",")
    objects = response.get_json()["objects"]
    assert [obj["__metadata"]["relSourcePath"] for obj in objects] == [
        "about.md",
        "blog/index.md",
        "blog/post-five.md",
        "blog/post-four.md",
        "blog/post-one.md",
        "blog/post-three.md",
        "blog/post-two.md",
        "index.md",
        "config.json",
        "style.json",
        "team/jane-doe.json",
        "team/john-roe.json",
    ]
    about = objects[0]
    assert list(about) == ["__metadata", "frontmatter", "markdown"]
    assert about["__metadata"] == {
        "id": "content/pages/about.md",
        "source": "sourcebit-source-filesystem",
        "sourceName": "pages",
        "relSourcePath": "about.md",
        "relProjectPath": "content/pages/about.md",
        "modelType": "page",
        "modelName": "PageLayout",
        "urlPath": "/about",
    }
    flags = about["frontmatter"]["sections"][0]["flags"]  # js-yaml 4, JSON_SCHEMA
    assert flags == {
        "plain": "yes",
        "switch": "on",
        "number": 15,
        "octalish": 10,
        "time": "1:30",
        "float": 1000,
        "hex": 31,
        "empty": None,
        "tilde": None,
        "big": 9007199254740992,
    }
    john = objects[-1]  # no type: a Person by its folder; its image by the model's field
    assert john["__metadata"]["modelName"] == "Person"
    assert john["image"]["__metadata"] == {"modelType": "object", "modelName": "ImageBlock"}


def test_objects_are_only_served_to_the_sourcebit_generation():
    client = create_app({"content_dir": STARTER}).test_client()

    assert client.get("/api/stackbit/objects").status_code == 404
