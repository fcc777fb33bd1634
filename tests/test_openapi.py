"""The OpenAPI document: committed, current, valid, and true to what the endpoints answer."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft4Validator
from openapi_spec_validator import validate

from tests.conftest import ROOT

COMMITTED = ROOT / "openapi" / "openapi.json"


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/openapi.json").get_json()


def test_committed_spec_matches_the_code(spec):
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))

    assert committed == spec, "openapi/openapi.json is stale: run `make spec` and commit it"


def test_spec_is_valid_openapi(spec):
    validate(spec)


def test_sections_are_one_of_with_a_type_discriminator(spec):
    sections = spec["components"]["schemas"]["Post"]["properties"]["bottomSections"]["items"]

    assert sections["discriminator"]["propertyName"] == "type"
    mapping = sections["discriminator"]["mapping"]
    assert mapping["RecentPostsSection"] == "#/components/schemas/RecentPostsSection"
    assert {"$ref": "#/components/schemas/HeroSection"} in sections["oneOf"]
    assert {"$ref": "#/components/schemas/UnknownObject"} in sections["oneOf"]
    assert len(mapping) == 14


def test_enums_are_documented(spec):
    video = spec["components"]["schemas"]["VideoBlock"]["properties"]

    assert video["aspectRatio"]["enum"] == ["4:3", "16:9"]
    assert video["type"]["enum"] == ["VideoBlock"]


def test_every_operation_documents_its_errors(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation["responses"]
            if "text/event-stream" in responses["200"].get("content", {}):
                assert "default" in responses, (method, path)  # a stream: nothing to revalidate
                continue
            assert {"200", "304", "default"} <= set(responses), (method, path)
            if "{slug}" in path:
                assert "404" in responses, (method, path)
            if operation.get("parameters") and any(
                p["in"] == "query" for p in operation["parameters"]
            ):
                assert "422" in responses, (method, path)


def _validator(spec, path: str, method: str = "get", status: str = "200"):
    """A JSON Schema validator for one response; its ``#/components`` refs resolve in ``spec``."""
    schema = spec["paths"][path][method]["responses"][status]["content"]["application/json"][
        "schema"
    ]
    return Draft4Validator({"allOf": [schema], "components": spec["components"]})


@pytest.mark.parametrize(
    ("url", "path", "status"),
    [
        ("/api/posts", "/api/posts", "200"),
        ("/api/posts?page_size=100", "/api/posts", "200"),
        ("/api/posts?page_size=0", "/api/posts", "422"),
        ("/api/posts/recent", "/api/posts/recent", "200"),
        ("/api/posts/golden-paths-not-golden-cages", "/api/posts/{slug}", "200"),
        ("/api/posts/llm-copilots-in-the-incident-channel", "/api/posts/{slug}", "200"),
        (
            "/api/posts/ai-security-and-the-end-of-silos?include=markdown",
            "/api/posts/{slug}",
            "200",
        ),
        ("/api/posts/nope", "/api/posts/{slug}", "404"),
        ("/api/authors", "/api/authors", "200"),
        ("/api/authors/wei-chen", "/api/authors/{slug}", "200"),
        ("/api/authors/wei-chen/posts", "/api/authors/{slug}/posts", "200"),
        ("/healthz", "/healthz", "200"),
        ("/api/pages?path=/", "/api/pages", "200"),
        ("/api/pages?path=/blog&page=2&page_size=5", "/api/pages", "200"),
        ("/api/pages?path=/about", "/api/pages", "200"),
        ("/api/pages?path=/projects", "/api/pages", "200"),
        ("/api/pages?path=/nowhere", "/api/pages", "404"),
        ("/api/pages", "/api/pages", "422"),
        ("/api/pages/paths", "/api/pages/paths", "200"),
        ("/api/site", "/api/site", "200"),
    ],
)
def test_responses_conform_to_the_spec(client, spec, url, path, status):
    response = client.get(url)

    assert str(response.status_code) == status
    errors = sorted(_validator(spec, path, status=status).iter_errors(response.get_json()), key=str)
    assert not errors, errors[0]


def test_every_corpus_post_conforms_to_the_spec(corpus_client, spec):
    validator = _validator(spec, "/api/posts/{slug}")
    for item in corpus_client.get("/api/posts?page_size=100").get_json()["items"]:
        post = corpus_client.get(f"/api/posts/{item['slug']}").get_json()
        errors = list(validator.iter_errors(post))
        assert not errors, (item["slug"], errors[0])


@pytest.mark.parametrize("which", ["corpus_client", "client"])
def test_every_page_conforms_to_the_spec(request, spec, which):
    site = request.getfixturevalue(which)
    validator = _validator(spec, "/api/pages")
    for item in site.get("/api/pages/paths").get_json()["items"]:
        page = site.get("/api/pages", query_string={"path": item["path"]}).get_json()
        errors = list(validator.iter_errors(page))
        assert not errors, (item["path"], errors[0])


def test_operations_have_ids_and_document_their_query_and_conditional_headers(spec):
    operations = {
        operation["operationId"]: operation
        for path in spec["paths"].values()
        for method, operation in path.items()
        if method != "parameters"
    }

    assert set(operations) == {
        "listPosts",
        "listRecentPosts",
        "getPost",
        "listAuthors",
        "getAuthor",
        "listAuthorPosts",
        "getPage",
        "listPagePaths",
        "getSite",
        "getHealth",
        "streamContentEvents",
    }
    names = {p["name"] for p in operations["listPosts"]["parameters"]}
    assert names == {"page", "page_size", "author", "tag", "sort", "If-None-Match"}
    assert "Link" in operations["listPosts"]["responses"]["200"]["headers"]
    assert "ETag" in operations["getPost"]["responses"]["200"]["headers"]


def test_examples_are_the_bundled_sites_real_answers(client):
    from api.examples import EXAMPLE_REQUESTS, examples

    assert set(examples()) == set(EXAMPLE_REQUESTS)
    for operation, url in EXAMPLE_REQUESTS.items():
        assert client.get(url).get_json() == examples()[operation], (
            f"the example of {operation} is stale: run `make spec`"
        )


def test_every_schema_has_a_title_and_a_description(spec):
    for name, schema in spec["components"]["schemas"].items():
        assert schema.get("title") == name
        assert schema.get("description"), name


def test_operations_carry_their_examples(spec):
    post = spec["paths"]["/api/posts/{slug}"]["get"]["responses"]["200"]["content"]
    assert post["application/json"]["example"]["title"] == "AI, Security, and the End of Silos"
