"""Hostile content files: each is a content error (or made harmless); the site serves on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from api import create_app
from api.content.live.loading import load_content
from tests.support.sites import BUNDLED_CONTENT

BILLION_LAUGHS = """---
type: PostLayout
title: Laughs
date: '2024-01-01'
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
"""


def errors_for(root: Path, path: str, **settings) -> list[str]:
    loaded = load_content(root, settings.get("max_file_bytes", 1024 * 1024))
    return [p.message for p in loaded.problems if p.path == path and p.severity == "error"]


def assert_site_still_serves(root: Path, **settings) -> None:
    client = create_app({"content_dir": root, **settings}).test_client()
    assert client.get("/api/posts?page_size=100").get_json()["pagination"]["totalItems"] == 14


def test_yaml_alias_bomb_is_rejected_before_it_expands(make_site):
    root = make_site({"pages/blog/laughs.md": BILLION_LAUGHS}, base=BUNDLED_CONTENT)

    messages = errors_for(root, "pages/blog/laughs.md")

    assert len(messages) == 1
    assert messages[0].endswith(": too many values (over 100000, YAML aliases included)")
    assert_site_still_serves(root)


def test_aliases_that_would_only_explode_when_served_are_rejected(make_site):
    # The bomb hides in an unknown section, which the API serves as it is in the file:
    # nothing expands it while loading; serialising it to JSON would.
    bomb = BILLION_LAUGHS.replace(
        "\n---\n", "\nbottomSections:\n  - type: CustomSection\n    payload: *i\n---\n"
    )
    root = make_site({"pages/blog/laughs.md": bomb}, base=BUNDLED_CONTENT)

    messages = errors_for(root, "pages/blog/laughs.md")

    assert len(messages) == 1
    assert "too many values" in messages[0]
    assert_site_still_serves(root)


def test_python_object_tags_are_never_constructed(make_site, tmp_path):
    marker = tmp_path / "pwned"
    root = make_site(
        {
            "pages/blog/tagged.md": f"""
            ---
            type: PostLayout
            title: !!python/object/apply:os.system ["touch {marker}"]
            date: '2024-01-01'
            ---
            """
        },
        base=BUNDLED_CONTENT,
    )

    messages = errors_for(root, "pages/blog/tagged.md")
    assert len(messages) == 1
    assert messages[0].startswith("invalid YAML: could not determine a constructor for the tag")
    assert not marker.exists()
    assert_site_still_serves(root)


def test_a_file_over_the_size_limit_is_rejected_unread(make_site):
    big = "---\ntype: PostLayout\ntitle: Big\ndate: '2024-01-01'\n---\n" + "word " * 2000
    root = make_site({"pages/blog/big.md": big}, base=BUNDLED_CONTENT)

    assert errors_for(root, "pages/blog/big.md", max_file_bytes=5000) == [
        "file is larger than the 5000-byte limit (MAX_FILE_BYTES)"
    ]
    client = create_app({"content_dir": root, "max_file_bytes": 5000}).test_client()
    assert client.get("/api/posts/big").status_code == 404


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "deep-yaml.md",
            "---\ntype: PostLayout\ntitle: Deep\ndate: '2024-01-01'\nx: "
            + "[" * 5000
            + "]" * 5000
            + "\n---\n",
        ),
        (
            "deep-block.md",
            "---\ntype: PostLayout\ntitle: Deep\ndate: '2024-01-01'\nx: "
            + "{a: " * 100
            + "1"
            + "}" * 100
            + "\n---\n",
        ),
    ],
)
def test_deeply_nested_structures_are_bounded(make_site, name, text):
    root = make_site({f"pages/blog/{name}": text}, base=BUNDLED_CONTENT)

    messages = errors_for(root, f"pages/blog/{name}")
    assert len(messages) == 1
    assert "nesting depth" in messages[0] or "nested more than 64 levels" in messages[0]
    assert_site_still_serves(root)


def test_deeply_nested_json_is_bounded(make_site):
    root = make_site(
        {
            "data/team/deep.json": '{"type": "Person", "firstName": "D", "x": '
            + "[" * 3000
            + "]" * 3000
            + "}"
        },
        base=BUNDLED_CONTENT,
    )

    assert len(errors_for(root, "data/team/deep.json")) == 1
    assert_site_still_serves(root)


SCRIPTED = """
---
type: PostLayout
title: Scripted
date: '2024-01-01'
---
Hello <script>alert(document.cookie)</script> world.

<img src="x" onerror="alert(1)">

[click](javascript:alert(1)) and [data](data:text/html;base64,PHNjcmlwdD4=)

<a href="https://example.com" onclick="steal()">fine link</a>

<iframe src="https://evil.example"></iframe><style>body{display:none}</style>

```html
<script>shown as code</script>
```
"""


def test_scripts_in_markdown_are_removed_from_html(make_site):
    root = make_site({"pages/blog/scripted.md": SCRIPTED}, base=BUNDLED_CONTENT)
    client = create_app({"content_dir": root}).test_client()

    html = client.get("/api/posts/scripted").get_json()["html"]

    for dangerous in (
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "data:text",
        "<iframe",
        "<style",
    ):
        assert dangerous not in html
    assert '<a href="https://example.com" rel="noopener noreferrer">fine link</a>' in html
    assert "&lt;script&gt;shown as code&lt;/script&gt;" in html
    assert '<img src="x">' in html


def test_allow_raw_html_serves_the_html_as_written(make_site):
    root = make_site({"pages/blog/scripted.md": SCRIPTED}, base=BUNDLED_CONTENT)
    client = create_app({"content_dir": root, "allow_raw_html": True}).test_client()

    html = client.get("/api/posts/scripted").get_json()["html"]

    assert "<script>alert(document.cookie)</script>" in html


def test_markdown_fields_in_front_matter_are_served_as_markdown(client):
    author = client.get("/api/authors/jason-hand").get_json()

    assert "**DevOps culture**" in author["bio"]


@pytest.mark.parametrize(
    "reference",
    [
        "../../etc/passwd.json",
        "/etc/passwd",
        "content/../../etc/passwd.json",
        "content/data/team/../../../../etc/passwd.json",
        "content/data/team/jason-hand.json\x00.md",
        "..\\..\\etc\\passwd",
    ],
)
def test_references_outside_the_content_folder_are_errors(make_site, reference):
    root = make_site(
        {
            "pages/blog/sneaky.md": (  # a JSON string is a YAML double-quoted scalar
                f"---\ntype: PostLayout\ntitle: Sneaky\ndate: '2024-01-01'\n"
                f"author: {json.dumps(reference)}\n---\n"
            )
        },
        base=BUNDLED_CONTENT,
    )

    messages = errors_for(root, "pages/blog/sneaky.md")
    assert len(messages) == 1
    assert messages[0].startswith("author: ")
    assert "not a path inside the content folder" in messages[0] or "no such file" in messages[0]
    assert_site_still_serves(root)


def test_symlinks_leading_outside_are_ignored_and_reported(make_site, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(
        "---\ntype: PostLayout\ntitle: Leaked\ndate: '2024-01-01'\n---\nsecret\n"
    )
    root = make_site({}, base=BUNDLED_CONTENT)
    os.symlink(outside / "secret.md", root / "pages/blog/leaked.md")
    os.symlink(outside, root / "pages/blog/linked-dir")
    os.symlink(
        root / "pages/blog/ai-security-and-the-end-of-silos.md", root / "pages/blog/alias.md"
    )

    loaded = load_content(root, 1024 * 1024)
    problems = {(p.path, p.severity, p.message) for p in loaded.problems}

    assert (
        "pages/blog/leaked.md",
        "error",
        "symlink leads outside the content folder; ignored",
    ) in problems
    assert (
        "pages/blog/linked-dir",
        "warning",
        "symlinked directory is not followed; its files are not served",
    ) in problems
    client = create_app({"content_dir": root}).test_client()
    assert client.get("/api/posts/leaked").status_code == 404
    assert "Leaked" not in client.get("/api/posts?page_size=100").get_data(as_text=True)
    assert client.get("/api/posts/alias").status_code == 200  # a link inside the folder is fine


def test_content_check_reports_symlinks(make_site, tmp_path):
    outside = tmp_path / "elsewhere.md"
    outside.write_text("---\ntype: PostLayout\ntitle: X\ndate: '2024-01-01'\n---\n")
    root = make_site({}, base=BUNDLED_CONTENT)
    os.symlink(outside, root / "pages/blog/elsewhere.md")

    result = (
        create_app({"content_dir": root})
        .test_cli_runner()
        .invoke(args=["content", "check", str(root)])
    )

    assert result.exit_code == 1
    expected = "pages/blog/elsewhere.md:1: error: symlink leads outside the content folder; ignored"
    assert f"{root}/{expected}" in result.output
