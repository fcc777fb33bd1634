"""`flask content check`: compiler-style lines and exit codes."""

from __future__ import annotations

from api import create_app
from tests.conftest import BUNDLED_CONTENT, CORPUS


def run_check(*args: str):
    app = create_app({"content_dir": BUNDLED_CONTENT})
    return app.test_cli_runner().invoke(args=["content", "check", *args])


def test_bundled_site_checks_clean():
    result = run_check(str(BUNDLED_CONTENT))

    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].endswith("0 left out: 0 errors, 0 warnings")


def test_corpus_has_no_errors():
    result = run_check(str(CORPUS))

    assert result.exit_code == 0, result.output
    assert ": error:" not in result.output


def test_broken_files_are_named_with_line_and_exit_1(make_site):
    root = make_site(
        {
            "pages/blog/bad-yaml.md": "---\ntype: PostLayout\ntitle: [\n---\n",
            "pages/blog/odd.md": (
                "---\ntype: PostLayout\ntitle: Odd\ndate: '2020-01-01'\ncolors: colors-z\n---\n"
            ),
        },
        base=CORPUS,
    )

    result = run_check(str(root))

    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any(
        line.startswith(f"{root}/pages/blog/bad-yaml.md:4: error: invalid YAML:") for line in lines
    ), lines
    assert (
        f"{root}/pages/blog/odd.md:5: warning: colors: 'colors-z' is not one of the model's values "
        "(colors-a, colors-b, colors-c, colors-d, colors-e)"
    ) in lines
    assert lines[-1] == "18 files loaded, 1 left out: 1 error, 1 warning"


def test_missing_folder_is_an_error():
    result = run_check("/nonexistent/content")

    assert result.exit_code == 1


def test_one_file_per_problem_gives_exactly_the_expected_lines():
    broken = CORPUS.parent / "broken-site"
    expected = (CORPUS.parent / "broken-site.expected").read_text(encoding="utf-8")

    result = run_check(str(broken))

    assert result.exit_code == 1
    assert result.output == expected.replace("{root}", str(broken))


def test_the_server_applies_the_same_checks(site_client):
    broken = CORPUS.parent / "broken-site"
    client = site_client({}, base=broken)

    health = client.get("/healthz").get_json()
    assert health["skippedFiles"] == 7  # dangling.md is served, without its author
    assert {error["path"] for error in health["contentErrors"]} == {
        "data/team/broken.json",
        "pages/about/index.md",
        "pages/blog/bad-yaml.md",
        "pages/blog/dangling.md",
        "pages/blog/latin1.md",
        "pages/blog/no-title.md",
        "pages/blog/wrong-type.md",
        "pages/not-mapping.md",
    }
    posts = client.get("/api/posts").get_json()["items"]
    assert [post["slug"] for post in posts] == ["warnings", "dangling", "good"]
    assert "author" not in next(post for post in posts if post["slug"] == "dangling")
    assert client.get("/api/pages?path=/about").get_json()["title"] == "About (file)"
