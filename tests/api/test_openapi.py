"""The OpenAPI document: committed, current, valid, and true to what the endpoints answer."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from tests.support.sites import BUNDLED_CONTENT
from tests.support.spec import committed_spec, response_validator, validator_for


def test_committed_spec_matches_the_code(spec):
    committed = committed_spec()

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


def test_enums_are_documented_and_open(spec):
    video = spec["components"]["schemas"]["VideoBlock"]["properties"]

    # The known values stay listed; any other string is allowed (themes widen enums).
    assert video["aspectRatio"]["anyOf"] == [
        {"type": "string", "enum": ["4:3", "16:9"]},
        {"type": "string"},
    ]
    assert video["type"]["enum"] == ["VideoBlock"]  # a model's own name is not an enum of content
    post = spec["components"]["schemas"]["Post"]
    validator = validator_for(spec, post)
    answer = {"type": "PostLayout", "title": "T", "date": "2025-01-01", "slug": "t", "url": "/t"}
    assert validator.is_valid({**answer, "colors": "colors-a"})
    assert validator.is_valid({**answer, "colors": "colors-f"})
    assert not validator.is_valid({**answer, "colors": 7})


def test_no_enum_is_closed(spec):
    """Every `enum` in a content schema is either a model's own `type` or one branch of an
    open `anyOf` beside a plain string."""

    def walk(node, parent_key=None, in_any_of=False):
        if isinstance(node, dict):
            if "enum" in node and parent_key != "type" and node.get("type") == "string":
                assert in_any_of, node
            for key, value in node.items():
                if key == "anyOf" and any("enum" in branch for branch in value):
                    assert {"type": "string"} in value, value
                    for branch in value:
                        walk(branch, key, in_any_of=True)
                else:
                    walk(value, key)
        elif isinstance(node, list):
            for item in node:
                walk(item, parent_key, in_any_of)

    for name, schema in spec["components"]["schemas"].items():
        # Not content: our own error shape, JSON Feed's fixed version URL, and the operations
        # of a commit (put, patch or delete: a request's own words, never a theme's).
        if name not in ("Error", "Operation") and not name.startswith("JsonFeed"):
            walk(schema.get("properties", {}))


def test_content_objects_allow_fields_the_model_does_not_list(spec):
    """No `additionalProperties` keyword on content objects: JSON Schema then allows other
    fields (a theme's own), and openapi-typescript does not add an index signature."""
    schemas = spec["components"]["schemas"]
    for name in ("Post", "PostSummary", "HeroSection", "StyleProperties", "Person", "Config"):
        if name in schemas:
            assert "additionalProperties" not in schemas[name], name
    assert schemas["UnknownObject"]["additionalProperties"] is True
    hero = validator_for(spec, schemas["HeroSection"])
    assert hero.is_valid({"type": "HeroSection", "hoverEffect": "move-up"})


def test_every_operation_documents_its_errors(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation["responses"]
            if "text/event-stream" in responses["200"].get("content", {}):
                assert "default" in responses, (method, path)  # a stream: nothing to revalidate
                continue
            if operation.get("security"):  # the editing API: private, never revalidated
                assert {"200", "401", "404", "default"} <= set(responses), (method, path)
                if method != "get":
                    assert {"412", "422", "428", "429"} <= set(responses), (method, path)
                continue
            assert {"200", "304", "default"} <= set(responses), (method, path)
            if "{slug}" in path:
                assert "404" in responses, (method, path)
            queries = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            if queries - {"locale", "fallback"}:
                assert "422" in responses, (method, path)
            if "locale" in queries:  # an undeclared locale
                assert "400" in responses, (method, path)


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
    validator = response_validator(spec, path, status=status)
    errors = sorted(validator.iter_errors(response.get_json()), key=str)
    assert not errors, errors[0]


def test_every_corpus_post_conforms_to_the_spec(corpus_client, spec):
    validator = response_validator(spec, "/api/posts/{slug}")
    for item in corpus_client.get("/api/posts?page_size=100").get_json()["items"]:
        post = corpus_client.get(f"/api/posts/{item['slug']}").get_json()
        errors = list(validator.iter_errors(post))
        assert not errors, (item["slug"], errors[0])


@pytest.mark.parametrize("which", ["corpus_client", "client"])
def test_every_page_conforms_to_the_spec(request, spec, which):
    site = request.getfixturevalue(which)
    validator = response_validator(spec, "/api/pages")
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
        "listProjects",
        "getProject",
        "getPage",
        "listPagePaths",
        "getSite",
        "getHealth",
        "getApiIndex",
        "getRssFeed",
        "getAtomFeed",
        "getJsonFeed",
        "getSitemap",
        "getSitemapPart",
        "listStackbitPaths",
        "getStackbitProps",
        "listStackbitObjects",
        "search",
        "listTags",
        "getTag",
        "listTagPosts",
        "listRelatedPosts",
        "streamContentEvents",
        "listLocales",
        "getEntry",
        "putEntry",
        "patchEntry",
        "deleteEntry",
        "createCommit",
    }
    names = {p["name"] for p in operations["listPosts"]["parameters"]}
    assert names == {
        "page", "page_size", "author", "tag", "sort", "locale", "fallback", "If-None-Match"
    }  # fmt: skip
    assert "Link" in operations["listPosts"]["responses"]["200"]["headers"]
    assert "ETag" in operations["getPost"]["responses"]["200"]["headers"]
    put = operations["putEntry"]
    assert {p["name"] for p in put["parameters"]} >= {"If-Match", "If-None-Match", "message"}
    assert {"200", "201", "412", "422", "428", "409", "429"} <= set(put["responses"])
    assert "application/merge-patch+json" in operations["patchEntry"]["requestBody"]["content"]
    assert put["security"] == [{"writeToken": []}]


def test_examples_are_the_bundled_sites_real_answers(client):
    from api import create_app
    from api.example_answers import (
        EXAMPLE_REQUESTS,
        SPLIT_SITEMAP_EXAMPLES,
        answer_of,
        sitemap_split_at,
    )
    from api.web.spec_examples import examples

    assert set(examples()) == set(EXAMPLE_REQUESTS)
    for operation, url in EXAMPLE_REQUESTS.items():
        split = SPLIT_SITEMAP_EXAMPLES.get(operation)
        with sitemap_split_at(split):
            site = create_app({"content_dir": BUNDLED_CONTENT}).test_client() if split else client
            assert answer_of(site.get(url)) == examples()[operation], (
                f"the example of {operation} is stale: run `make spec`"
            )


def test_every_schema_has_a_title_and_a_description(spec):
    for name, schema in spec["components"]["schemas"].items():
        assert schema.get("title") == name
        assert schema.get("description"), name


def test_operations_carry_their_examples(spec):
    post = spec["paths"]["/api/posts/{slug}"]["get"]["responses"]["200"]["content"]
    assert post["application/json"]["example"]["title"] == "AI, Security, and the End of Silos"
