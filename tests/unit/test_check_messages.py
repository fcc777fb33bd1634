"""What ``content check`` says a new user needs: the name meant, the form expected, the line of
the fault, and ``--strict`` for a CI that fails on warnings."""

from __future__ import annotations

import os

from click.testing import CliRunner

from api.cli import content_cli
from api.content.source.hints import did_you_mean, nearest_file, reference_form

TEAM = {
    "data/team/ada-lovelace.json": '{"type": "Person", "firstName": "Ada"}',
    "data/team/grace-hopper.json": '{"type": "Person", "firstName": "Grace"}',
}


def check(root, *options: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(content_cli, ["check", *options, str(root)])
    return result.exit_code, result.output.splitlines()


def post(front_matter: str) -> str:
    return f"---\ntype: PostLayout\ntitle: A post\ndate: '2025-01-01'\n{front_matter}---\nBody.\n"


def test_a_mistyped_page_type_says_what_was_meant_and_what_it_is_served_as(make_site):
    root = make_site({"pages/blog/typo.md": "---\ntype: PostLayot\ntitle: T\n---\nx\n"})

    status, lines = check(root)

    assert status == 0
    assert lines[0] == (
        f"{root}/pages/blog/typo.md:2: warning: unknown page type 'PostLayot' (did you mean "
        "PostLayout?): served as a page of its own type, as the file has it (at its URL and in "
        "/api/pages, in no list or feed)"
    )


def test_strict_makes_a_warning_fail_the_check(make_site):
    root = make_site({"pages/blog/typo.md": "---\ntype: PostLayot\ntitle: T\n---\nx\n"})

    assert check(root)[0] == 0
    status, lines = check(root, "--strict")
    assert status == 1
    assert lines[-1] == "1 files loaded, 0 left out: 0 errors, 1 warning"


def test_a_reference_that_is_not_a_path_says_the_form_and_the_file_it_probably_means(make_site):
    root = make_site({**TEAM, "pages/blog/a.md": post("author: Ada Lovelace\n")})

    status, lines = check(root)

    assert status == 1
    assert lines[0] == (
        f"{root}/pages/blog/a.md:5: error: author: no such file: content/Ada Lovelace (a "
        "reference is a path like content/data/team/<slug>.json) (did you mean "
        "content/data/team/ada-lovelace.json?)"
    )


def test_a_misspelt_reference_in_the_right_form_names_the_nearest_file(make_site):
    root = make_site(
        {**TEAM, "pages/blog/a.md": post("author: content/data/team/grace-hoper.json\n")}
    )

    assert check(root)[1][0].endswith(
        "author: no such file: content/data/team/grace-hoper.json (did you mean "
        "content/data/team/grace-hopper.json?)"
    )


def test_an_unclosed_bracket_is_reported_on_the_line_that_opened_it(make_site):
    root = make_site(
        {
            "pages/blog/a.md": "---\ntype: PostLayout\ntitle: A\ndate: '2025-01-01'\n"
            "excerpt: fine\ntags: [a, b\nmore: x\n---\nx\n"
        }
    )

    assert check(root)[1][0] == (
        f"{root}/pages/blog/a.md:6: error: invalid YAML: the '[' on this line is never closed "
        "(did not find expected ',' or ']' on line 7)"
    )


def test_a_dangling_symlink_is_warned_about(make_site):
    root = make_site({"pages/index.md": "---\ntype: PageLayout\ntitle: Home\n---\n"})
    os.symlink("missing.md", root / "pages" / "gone.md")

    status, lines = check(root)

    assert status == 0
    assert (
        f"{root}/pages/gone.md:1: warning: symlink leads to a missing file (missing.md); ignored"
        in lines
    )


def test_the_hints_on_their_own():
    assert did_you_mean("PostLayot", ["PostLayout", "PageLayout"]) == " (did you mean PostLayout?)"
    assert did_you_mean("Banana", ["PostLayout", "PageLayout"]) == ""
    assert reference_form("Person") == "content/data/team/<slug>.json"
    assert reference_form("PostLayout") == "content/pages/blog/<slug>.md"
    paths = ["data/team/ada-lovelace.json", "data/team/grace-hopper.json"]
    assert nearest_file("Grace Hopper", paths) == "data/team/grace-hopper.json"
    assert nearest_file("Nobody At All", paths) is None
