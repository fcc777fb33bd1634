"""The Stackbit compatibility view: the Personal theme's own build, reproduced byte for byte."""

from __future__ import annotations

import json
import shutil

import orjson
import pytest
from openapi_schema_validator import OAS30Validator

from api import create_app, stackbit
from tests.support.sites import CORPUS, FIXTURES
from tests.support.spec import response_validator

REFERENCE = FIXTURES / "stackbit-props"
REFERENCE_FILES = sorted(path for path in REFERENCE.glob("*.json") if path.name != "_paths.json")


def test_the_reference_covers_every_route():
    routes = [json.loads(path.read_text(encoding="utf-8"))["path"] for path in REFERENCE_FILES]

    assert sorted(routes) == json.loads((REFERENCE / "_paths.json").read_text(encoding="utf-8"))
    assert len(routes) == 14


def test_paths_are_the_themes_static_paths(corpus_client):
    response = corpus_client.get("/api/stackbit/paths")

    assert response.status_code == 200
    assert response.get_json()["items"] == json.loads((REFERENCE / "_paths.json").read_text())


@pytest.mark.parametrize("reference", REFERENCE_FILES, ids=lambda path: path.stem)
def test_props_are_the_themes_own_byte_for_byte(corpus_client, reference):
    expected = json.loads(reference.read_text(encoding="utf-8"))

    response = corpus_client.get("/api/stackbit/props", query_string={"path": expected["path"]})

    assert response.status_code == 200
    # Compared as text: same keys in the same order, same values, same number formatting.
    assert response.data == orjson.dumps(expected["props"])


def test_a_post_is_the_file_as_written_plus_what_the_theme_adds(corpus_client):
    page = corpus_client.get("/api/stackbit/props?path=/blog/post-one").get_json()["page"]

    assert list(page)[:4] == ["type", "title", "colors", "date"]
    assert page["date"] == "2021-06-28"
    assert page["media"]["type"] == "ImageBlock"  # last in the file, last here
    assert list(page["media"])[-2:] == ["type", "__metadata"]
    assert page["__metadata"] == {
        "id": "content/pages/blog/post-one.md",
        "modelName": "PostLayout",
        "urlPath": "/blog/post-one",
    }
    assert (
        page["markdown_content"].startswith("Lorem ipsum") and page["markdown_content"][-1] == "\n"
    )
    assert not {"slug", "html", "readingTime", "url"} & set(page)
    recent = page["bottomSections"][0]["posts"]
    assert [post["__metadata"]["urlPath"] for post in recent] == [
        "/blog/post-seven",
        "/blog/post-six",
    ]


def test_trailing_slashes_do_not_matter_and_case_does(corpus_client):
    plain = corpus_client.get("/api/stackbit/props?path=/blog/post-one")

    assert corpus_client.get("/api/stackbit/props?path=blog/post-one/").data == plain.data
    assert corpus_client.get("/api/stackbit/props?path=/Blog/Post-One").status_code == 404


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 422),
        ("?path=", 422),
        ("?path=/nowhere", 404),
        ("?path=/%00", 404),
        ("?path=/../x", 404),
    ],
)
def test_bad_paths_get_clear_errors(corpus_client, query, status):
    response = corpus_client.get(f"/api/stackbit/props{query}")

    assert response.status_code == status
    assert response.get_json()["code"] == status


def test_answers_are_cached_with_etags_like_every_other(corpus_client):
    first = corpus_client.get("/api/stackbit/props?path=/blog")

    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = corpus_client.get(
        "/api/stackbit/props?path=/blog", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.data == b""


DRAFT = """\
    ---
    type: PostLayout
    title: Not yet
    date: '2030-01-01'
    isDraft: true
    author: content/data/team/doris-soto.json
    ---
    Draft body.
    """


def test_drafts_appear_only_in_preview(site_client):
    client = site_client({"pages/blog/draft.md": DRAFT}, base=CORPUS, preview_token="secret")
    preview = {"Authorization": "Bearer secret"}

    assert "/blog/draft" not in client.get("/api/stackbit/paths").get_json()["items"]
    assert client.get("/api/stackbit/props?path=/blog/draft").status_code == 404
    feed = client.get("/api/stackbit/props?path=/blog").get_json()["page"]["items"]
    assert "content/pages/blog/draft.md" not in [item["__metadata"]["id"] for item in feed]

    assert "/blog/draft" in client.get("/api/stackbit/paths", headers=preview).get_json()["items"]
    answer = client.get("/api/stackbit/props?path=/blog", headers=preview)
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert answer.get_json()["page"]["items"][0]["__metadata"]["id"] == (
        "content/pages/blog/draft.md"
    )


def test_answers_come_from_the_snapshot_never_from_files(make_site):
    root = make_site({}, base=CORPUS)
    client = create_app({"content_dir": root, "content_watch": False}).test_client()
    paths = client.get("/api/stackbit/paths").get_json()["items"]
    before = {
        path: client.get("/api/stackbit/props", query_string={"path": path}) for path in paths
    }
    shutil.rmtree(root)
    stackbit._indexes.clear()  # the view's indexes are built again, from the snapshot alone

    for path, answer in before.items():
        # A new query string misses the response cache, so the answer is built again.
        again = client.get("/api/stackbit/props", query_string={"path": path, "x": "1"})
        assert again.status_code == 200
        assert again.data == answer.data


def _featured(slug: str, date: str, *targets: str) -> str:
    posts = "".join(f"\n              - content/pages/blog/{target}.md" for target in targets)
    return f"""\
        ---
        type: PostLayout
        title: {slug}
        date: '{date}'
        bottomSections:
          - type: FeaturedPostsSection
            variant: variant-a
            posts:{posts}
        ---
        Body of {slug}.
        """


def test_a_reference_cycle_is_cut_where_it_closes(site_client):
    client = site_client(
        {
            "pages/blog/a.md": _featured("a", "2021-01-01", "b"),
            "pages/blog/b.md": _featured("b", "2021-01-02", "a"),
        }
    )

    page = client.get("/api/stackbit/props?path=/blog/a").get_json()["page"]

    b = page["bottomSections"][0]["posts"][0]
    assert b["__metadata"]["id"] == "content/pages/blog/b.md"
    assert b["bottomSections"][0]["posts"] == ["content/pages/blog/a.md"]


def test_references_that_multiply_are_refused_not_sent(site_client):
    # Each post features the two before it: the answer for the last would embed ~2**40 posts.
    files = {"pages/blog/p0.md": _featured("p0", "2020-01-01")}
    files["pages/blog/p1.md"] = _featured("p1", "2020-01-02", "p0")
    for number in range(2, 41):
        date = f"2020-{1 + number // 28:02d}-{1 + number % 28:02d}"
        files[f"pages/blog/p{number}.md"] = _featured(
            f"p{number}", date, f"p{number - 1}", f"p{number - 2}"
        )
    client = site_client(files)

    response = client.get("/api/stackbit/props?path=/blog/p40")

    assert response.status_code == 422
    assert "cannot be answered" in response.get_json()["message"]
    assert client.get("/api/stackbit/props?path=/blog/p3").status_code == 200


def test_references_nested_too_deep_are_refused_not_sent(site_client):
    files = {"pages/blog/p0.md": _featured("p0", "2020-01-01")}
    for number in range(1, 80):
        date = f"2020-{1 + number // 28:02d}-{1 + number % 28:02d}"
        files[f"pages/blog/p{number}.md"] = _featured(f"p{number}", date, f"p{number - 1}")
    client = site_client(files)

    assert client.get("/api/stackbit/props?path=/blog/p79").status_code == 422
    assert client.get("/api/stackbit/props?path=/blog/p10").status_code == 200


@pytest.mark.parametrize("which", ["corpus_client", "client"])
def test_every_answer_conforms_to_the_spec(request, spec, which):
    site = request.getfixturevalue(which)
    paths = site.get("/api/stackbit/paths").get_json()
    paths_validator = response_validator(spec, "/api/stackbit/paths", validator=OAS30Validator)
    assert not list(paths_validator.iter_errors(paths))
    validator = response_validator(spec, "/api/stackbit/props", validator=OAS30Validator)
    for path in paths["items"]:
        answer = site.get("/api/stackbit/props", query_string={"path": path}).get_json()
        errors = list(validator.iter_errors(answer))
        assert not errors, (path, errors[0])


def test_the_spec_describes_the_page_as_the_models_layouts(spec):
    page = spec["components"]["schemas"]["StackbitProps"]["properties"]["page"]
    layouts = [ref["$ref"].rsplit("/", 1)[1] for ref in page["anyOf"]]

    assert layouts == [
        "StackbitPageLayout",
        "StackbitPostLayout",
        "StackbitPostFeedLayout",
        "StackbitProjectLayout",
        "StackbitProjectFeedLayout",
        "StackbitAnyPage",
    ]
    post = spec["components"]["schemas"]["StackbitPostLayout"]
    assert post["properties"]["__metadata"] == {"$ref": "#/components/schemas/StackbitMetadata"}
    assert post["additionalProperties"] is True


def test_a_reload_is_seen_at_once(make_site):
    root = make_site({}, base=CORPUS)
    app = create_app({"content_dir": root, "content_watch": False})
    client = app.test_client()
    newest = client.get("/api/stackbit/props?path=/blog").get_json()["page"]["items"][0]
    assert newest["__metadata"]["id"] == "content/pages/blog/post-seven.md"

    post = root / "pages" / "blog" / "post-one.md"
    post.write_text(post.read_text().replace("'2021-06-28'", "'2030-06-28'"), encoding="utf-8")
    app.extensions["content"].reload()

    feed = client.get("/api/stackbit/props?path=/blog").get_json()["page"]["items"]
    assert [item["__metadata"]["id"] for item in feed[:2]] == [
        "content/pages/blog/post-one.md",
        "content/pages/blog/post-seven.md",
    ]
    assert feed[0]["date"] == "2030-06-28"


def test_an_edit_keeps_every_answer_that_does_not_show_the_edited_post_cached(make_site):
    """Each answer records the content keys of what it read (its files, the post lists it
    shows), so an edit of one post drops only the answers that show that post."""
    root = make_site({}, base=CORPUS)
    app = create_app({"content_dir": root, "content_watch": False})
    client = app.test_client()
    edited = "content/pages/blog/post-one.md"
    paths = client.get("/api/stackbit/paths").get_json()["items"]
    before = {
        path: client.get("/api/stackbit/props", query_string={"path": path}) for path in paths
    }
    unrelated = [path for path, answer in before.items() if edited not in answer.get_data(True)]
    showing = [path for path in paths if path not in unrelated]
    assert unrelated and showing
    assert all("version" not in before[path].headers["Cache-Tag"].split(",") for path in paths)

    post = root / "pages" / "blog" / "post-one.md"
    post.write_text(post.read_text() + "\nOne more line.\n", encoding="utf-8")
    app.extensions["content"].reload()

    for path in unrelated:
        again = client.get("/api/stackbit/props", query_string={"path": path})
        assert again.headers["ETag"] == before[path].headers["ETag"], path
        assert again.headers["X-Response-Cache"] == "HIT", path
    for path in showing:
        again = client.get("/api/stackbit/props", query_string={"path": path})
        assert again.headers["X-Response-Cache"] == "MISS", path
        assert "One more line." in again.get_data(True), path
    assert client.get("/api/stackbit/paths").headers["X-Response-Cache"] == "HIT"
