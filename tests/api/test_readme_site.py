"""The README's minimal site is a real site: it checks clean, serves, and its "required" lists
are true (leaving out any field it calls required is an error)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from api import create_app
from api.cli import content_cli
from tests.support.sites import readme_minimal_site

SITE = readme_minimal_site()


def write_site(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_readme_shows_a_page_a_post_and_an_author():
    assert set(SITE) == {
        "pages/index.md",
        "pages/blog/hello-world.md",
        "data/team/ada-lovelace.json",
    }
    assert SITE["pages/blog/hello-world.md"][1] == ["type", "title", "date"]


def test_the_minimal_site_checks_clean_and_serves(tmp_path):
    root = write_site(tmp_path, {path: text for path, (text, _) in SITE.items()})

    result = CliRunner().invoke(content_cli, ["check", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output == "3 files loaded, 0 left out: 0 errors, 0 warnings\n"

    client = create_app({"content_dir": root}).test_client()
    post = client.get("/api/posts/hello-world").get_json()
    assert post["title"] == "Hello, world"
    assert post["author"]["name"] == "Ada Lovelace"
    assert client.get("/api/pages?path=/").get_json()["title"] == "Home"
    assert client.get("/api/site").get_json() == {"siteUrl": "http://127.0.0.1:5000"}


@pytest.mark.parametrize(
    ("path", "field"), [(path, field) for path, (_, fields) in SITE.items() for field in fields]
)
def test_each_field_the_readme_calls_required_is_required(tmp_path, path, field):
    files = {name: text for name, (text, _) in SITE.items()}
    if path.endswith(".json"):
        document = json.loads(files[path])
        del document[field]
        files[path] = json.dumps(document)
    else:
        files[path] = re.sub(rf"(?m)^{field}:.*\n", "", files[path])
    root = write_site(tmp_path, files)

    result = CliRunner().invoke(content_cli, ["check", str(root)])

    assert result.exit_code == 1
    assert f"{root}/{path}:" in result.output
    assert f"missing required field '{field}'" in result.output
