"""A site that extends the model as real themes do, served as it is and true to the spec.

``tests/fixtures/extended-site`` (see its SOURCE.md) has enum values outside the model,
object types and a page layout the API does not know, fields the model does not list,
``layout:`` instead of ``type:``, model-required fields left out, a feed page's own page
size, and pages without a body. Every answer it gives must validate against the document
the API serves: a validating client never rejects an answer of ours.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from tests.support.site_answers import every_request, json_get_operations
from tests.support.sites import EXTENDED
from tests.support.spec import response_validator


@pytest.fixture(scope="module")
def extended_app() -> Flask:
    return create_app({"content_dir": EXTENDED})


@pytest.fixture
def extended(extended_app: Flask) -> FlaskClient:
    return extended_app.test_client()


def test_the_site_loads_with_warnings_and_no_errors(extended_app):
    health = extended_app.test_client().get("/healthz").get_json()

    assert health["contentErrors"] == []
    assert health["posts"] == 3
    assert health["authors"] == 2


def test_every_answer_validates_against_the_served_document(extended, spec):
    visited = set()
    for request in every_request(extended):
        response = extended.get(request.url)
        assert response.status_code == 200, request.url
        validator = response_validator(spec, request.spec_path)
        errors = sorted(validator.iter_errors(response.get_json()), key=str)
        assert not errors, (request.url, errors[0].message, list(errors[0].absolute_path))
        visited.add(request.operation_id)

    # /api/stackbit/objects answers only under STACKBIT_COMPAT=sourcebit (test_stackbit_sourcebit)
    assert visited == json_get_operations(spec) - {"listStackbitObjects"}, (
        "every JSON operation of the spec must be asked of the extended site: "
        "add the new ones to tests/support/site_answers.py"
    )


def test_enum_values_outside_the_model_are_served_as_written(extended):
    post = extended.get("/api/posts/starter-post").get_json()
    home = extended.get("/api/pages?path=/").get_json()
    style = extended.get("/api/site").get_json()["style"]

    assert post["colors"] == "colors-f"
    assert [section.get("colors") for section in home["sections"]][:3] == [
        "colors-a",
        "colors-f",
        "colors-h",
    ]
    assert home["sections"][4]["variant"] == "variant-e"
    assert style["fontBody"] == "sans"


def test_unknown_fields_and_types_are_served_as_written(extended):
    home = extended.get("/api/pages?path=/").get_json()

    highlight = home["sections"][1]
    assert highlight["type"] == "FeatureHighlightSection"
    assert highlight["badge"] == {
        "type": "Badge",
        "label": "Case study",
        "styles": {"self": {"textAlign": "left"}},
    }
    contact = home["sections"][7]
    assert contact["type"] == "ContactSection"
    assert contact["styles"]["self"]["boxShadow"] == "xx-large"
    assert contact["form"]["variant"] == "variant-b"
    assert home["sections"][2]["imageSizePx"] == 240
    landing = extended.get("/api/pages?path=/landing").get_json()
    assert landing["type"] == "LandingLayout"
    assert landing["hero"] == {"heading": "Welcome", "cta": {"label": "Start", "url": "/blog"}}


def test_model_required_fields_left_out_by_a_theme_do_not_drop_the_page(extended):
    home = extended.get("/api/pages?path=/").get_json()
    guest = extended.get("/api/authors/guest").get_json()

    assert home["sections"][0]["actions"][0] == {
        "type": "Button",
        "label": "Get Started",
        "url": "/blog",
    }
    assert "variant" not in home["sections"][6]
    assert guest["name"] == "Guest"
    assert "firstName" not in guest


def test_layout_stays_beside_the_type_derived_from_it(extended):
    home = extended.get("/api/pages?path=/").get_json()
    post = extended.get("/api/posts/no-body").get_json()

    assert (home["layout"], home["type"]) == ("PageLayout", "PageLayout")
    assert list(home)[:3] == ["title", "layout", "colors"]
    assert (post["layout"], post["type"]) == ("PostLayout", "PostLayout")


def test_a_page_without_a_body_has_no_rendered_fields(extended, client):
    derived = {"html", "toc", "readingTime", "wordCount", "markdown"}
    for url in (
        "/api/posts/no-body?include=markdown",
        "/api/pages?path=/blog&include=markdown",
        "/api/pages?path=/faq&include=markdown",
    ):
        document = extended.get(url).get_json()
        assert not derived & set(document), url
    summary = next(
        item
        for item in extended.get("/api/posts?page_size=100").get_json()["items"]
        if item["slug"] == "no-body"
    )
    assert "readingTime" not in summary and "wordCount" not in summary
    home = client.get("/api/pages?path=/&include=markdown").get_json()  # the bundled site
    assert not derived & set(home)


def test_markdown_is_the_body_exactly_as_in_the_file(extended):
    post = extended.get("/api/posts/starter-post?include=markdown").get_json()

    text = (EXTENDED / "pages/blog/starter-post.md").read_text(encoding="utf-8")
    assert post["markdown"] == text.split("\n---\n", 1)[1]
    assert post["markdown"].startswith("\nLorem ipsum")
    assert post["markdown"].endswith("efficitur.\n\n\n")
    assert post["toc"] == [{"id": "commuting-less", "title": "Commuting less", "level": 2}]


def test_a_feed_page_s_own_page_size_is_its_default(extended):
    blog = extended.get("/api/pages?path=/blog")
    projects = extended.get("/api/pages?path=/projects").get_json()
    overridden = extended.get("/api/pages?path=/blog&page_size=3").get_json()

    assert blog.get_json()["pagination"] == {
        "page": 1,
        "pageSize": 2,
        "totalItems": 3,
        "totalPages": 2,
    }
    assert [item["slug"] for item in blog.get_json()["items"]] == ["type-last", "starter-post"]
    assert "page_size" not in blog.headers["Link"]  # the links keep the page's own size
    assert '?page=2&path=%2Fblog>; rel="next"' in blog.headers["Link"]
    second = extended.get("/api/pages?path=/blog&page=2").get_json()
    assert [item["slug"] for item in second["items"]] == ["no-body"]
    assert projects["pagination"]["pageSize"] == 1
    assert [item["slug"] for item in projects["items"]] == ["lighthouse"]
    assert overridden["pagination"] == {
        "page": 1,
        "pageSize": 3,
        "totalItems": 3,
        "totalPages": 1,
    }


@pytest.mark.parametrize(
    ("size", "page_size", "total_pages"), [("0", 3, 1), ("1", 1, 3), ("250", 250, 1)]
)
def test_feed_page_size_zero_shows_every_item_on_one_page(
    site_client, size, page_size, total_pages
):
    client = site_client(
        {
            "pages/blog/index.md": f"""
            ---
            type: PostFeedLayout
            title: Blog
            numOfPostsPerPage: {size}
            ---
            """
        },
        base=EXTENDED,
    )

    pagination = client.get("/api/pages?path=/blog").get_json()["pagination"]

    assert pagination == {
        "page": 1,
        "pageSize": page_size,
        "totalItems": 3,
        "totalPages": total_pages,
    }


@pytest.mark.parametrize("size", ["-1", "2.5", "ten", "true"])
def test_a_feed_page_size_that_is_not_a_whole_number_is_a_content_error(site_client, size):
    client = site_client(
        {"pages/blog/index.md": f"---\ntype: PostFeedLayout\nnumOfPostsPerPage: {size}\n---\n"},
        base=EXTENDED,
    )

    errors = client.get("/healthz").get_json()["contentErrors"]

    assert [(e["path"], e["line"]) for e in errors] == [("pages/blog/index.md", 3)]
    assert "numOfPostsPerPage" in errors[0]["message"]


def test_summaries_and_embedded_objects_carry_their_model_type(extended):
    home = extended.get("/api/pages?path=/").get_json()
    post = extended.get("/api/posts/starter-post").get_json()
    projects = extended.get("/api/pages?path=/projects").get_json()

    featured = home["sections"][4]["posts"]
    assert [(p["type"], p["slug"]) for p in featured] == [
        ("PostLayout", "type-last"),
        ("PostLayout", "starter-post"),
    ]
    assert featured[0]["author"]["type"] == "Person"
    assert home["sections"][6]["projects"][0]["type"] == "ProjectLayout"
    assert projects["items"][0]["type"] == "ProjectLayout"
    assert post["author"]["type"] == "Person"
    assert {s["type"] for s in post["bottomSections"][0]["posts"]} == {"PostLayout"}
