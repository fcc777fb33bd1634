"""`flask content check`: compiler-style lines and exit codes, without building the app."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from api.cli import content_cli
from tests.support.sites import BUNDLED_CONTENT, CORPUS
from tests.support.waiting import deadline

FLASK = Path(sys.executable).parent / "flask"
BROKEN_SITE = CORPUS.parent / "broken-site"
BROKEN_SITE_EXPECTED = CORPUS.parent / "broken-site.expected"


def run_check(*args: str):
    return CliRunner().invoke(content_cli, ["check", *args])


def run_flask(*args: str, cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    """The real `flask` command of this environment, as a user types it, in ``cwd``."""
    env = {**os.environ, **environment}
    return subprocess.run(
        [str(FLASK), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=deadline(120)
    )


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


def test_missing_folder_is_one_line_naming_it_and_exit_1():
    result = run_check("/nonexistent/content")

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: /nonexistent/content: no such folder (/nonexistent/content); "
        "give the folder that holds the site's pages/ and data/ folders"
    ]


def test_one_file_per_problem_gives_exactly_the_expected_lines():
    expected = BROKEN_SITE_EXPECTED.read_text(encoding="utf-8")

    result = run_check(str(BROKEN_SITE))

    assert result.exit_code == 1
    assert result.output == expected.replace("{root}", str(BROKEN_SITE))


def test_from_another_directory_it_checks_only_the_folder_given_and_prints_each_problem_once(
    tmp_path,
):
    """No app is built: CONTENT_DIR points nowhere (the app would refuse to start), the
    current directory has no content/, and nothing but the report is printed."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    result = run_flask(
        "--app", "api", "content", "check", str(BROKEN_SITE),
        cwd=elsewhere, CONTENT_DIR=str(tmp_path / "no-such-folder"), CONTENT_WATCH="1",
    )  # fmt: skip

    assert result.returncode == 1, result.stderr
    assert result.stdout == BROKEN_SITE_EXPECTED.read_text(encoding="utf-8").replace(
        "{root}", str(BROKEN_SITE)
    )
    assert result.stderr == ""  # no load logs, no watcher, no traceback
    problems = result.stdout.splitlines()[:-1]
    assert len(problems) == len(set(problems)) == 11


def test_a_relative_folder_from_another_directory_exits_0_when_clean(tmp_path):
    shutil.copytree(BUNDLED_CONTENT, tmp_path / "site" / "content")

    result = run_flask("--app", "api", "content", "check", "site/content", cwd=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "25 files loaded, 0 left out: 0 errors, 0 warnings\n"
    assert result.stderr == ""


def test_without_a_folder_it_checks_content_dir(tmp_path):
    result = run_flask("content", "check", cwd=tmp_path, CONTENT_DIR=str(BROKEN_SITE))

    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "5 files loaded, 7 left out: 8 errors, 3 warnings"


def test_the_server_applies_the_same_checks(site_client):
    client = site_client({}, base=BROKEN_SITE)

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
