"""A Stackbit theme on the API: the setting, the style.json command, the drop-in content.ts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from api import create_app, stackbit
from api.settings import STACKBIT_GENERATIONS, ConfigError, Settings
from tests.support.sites import CORPUS, ROOT
from tests.support.waiting import deadline

EXAMPLE = ROOT / "examples" / "stackbit"


def test_stackbit_compat_chooses_a_known_generation():
    assert Settings.from_env({}).stackbit_compat == "content-ts"
    assert Settings.from_env({"STACKBIT_COMPAT": " Sourcebit "}).stackbit_compat == "sourcebit"
    with pytest.raises(ConfigError, match="STACKBIT_COMPAT: expected one of content-ts, sourcebit"):
        Settings.from_env({"STACKBIT_COMPAT": "gatsby"})
    assert set(STACKBIT_GENERATIONS) == set(stackbit.GENERATIONS)


DRAFT = """---
type: PostLayout
title: Not yet
date: '2030-01-01'
isDraft: true
---
Draft.
"""


@pytest.fixture(scope="module")
def live_corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API over the corpus and one draft post, on a free loopback port, served by a real
    HTTP server; the preview token is `secret`."""
    root = tmp_path_factory.mktemp("site") / "content"
    shutil.copytree(CORPUS, root)
    (root / "pages" / "blog" / "draft.md").write_text(DRAFT, encoding="utf-8")
    app = create_app({"content_dir": root, "preview_token": "secret"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def _corpus_style() -> dict:
    return json.loads((CORPUS / "data" / "style.json").read_text(encoding="utf-8"))


def _assert_has_every_value_of(written: dict, original: dict) -> None:
    """Every key and value of the file's style.json, as Tailwind's config reads them by name."""
    for key, value in original.items():
        if isinstance(value, dict):
            _assert_has_every_value_of(written[key], value)
        else:
            assert written[key] == value, key


def test_style_json_is_written_from_this_apps_site(corpus_app, tmp_path):
    out = tmp_path / "content" / "data" / "style.json"

    result = corpus_app.test_cli_runner().invoke(args=["content", "stackbit-style", str(out)])

    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == corpus_app.test_client().get("/api/site").get_json()["style"]
    _assert_has_every_value_of(written, _corpus_style())


def test_style_json_is_written_from_a_running_api(live_corpus, tmp_path):
    out = tmp_path / "style.json"
    app = create_app({"content_dir": ROOT / "content"})  # another site: the URL decides

    result = app.test_cli_runner().invoke(
        args=["content", "stackbit-style", str(out), "--api-url", live_corpus + "/"]
    )

    assert result.exit_code == 0, result.output
    _assert_has_every_value_of(json.loads(out.read_text(encoding="utf-8")), _corpus_style())


def test_style_json_from_an_unreachable_api_is_a_clear_error(corpus_app, tmp_path):
    result = corpus_app.test_cli_runner().invoke(
        args=[
            "content",
            "stackbit-style",
            str(tmp_path / "s.json"),
            "--api-url",
            "http://127.0.0.1:9",
        ]
    )

    assert result.exit_code == 1
    assert "error:" in result.output
    assert not (tmp_path / "s.json").exists()


HARNESS = """
import { allContent } from './content.mjs';
const data = allContent();
if (allContent().pages.length !== data.pages.length) throw new Error('not memoised');
process.stdout.write(JSON.stringify({
  prototypes: data.pages.map((page) => Object.getPrototypeOf(page) === null),
  pages: data.pages,
  objects: data.objects.map((object) => object.__metadata.id),
  site: data.props.site,
}));
"""


def _run_example(tmp_path: Path, url: str, token: str = "") -> dict:
    node = shutil.which("node")
    assert node, "the example's test needs Node.js 18 or newer on the PATH"
    shutil.copy(EXAMPLE / "content.ts", tmp_path / "content.mjs")  # no type annotations: JS too
    (tmp_path / "harness.mjs").write_text(HARNESS, encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "CONTENT_API_URL": url, "CONTENT_API_PREVIEW_TOKEN": token}
    done = subprocess.run(
        [node, "harness.mjs"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        timeout=deadline(120),
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


def test_the_drop_in_content_ts_hands_the_theme_every_answer(live_corpus, corpus_client, tmp_path):
    data = _run_example(tmp_path, live_corpus)

    paths = corpus_client.get("/api/stackbit/paths").get_json()["items"]
    answers = [
        corpus_client.get("/api/stackbit/props", query_string={"path": path}).get_json()
        for path in paths
    ]
    assert data["pages"] == [answer["page"] for answer in answers]
    assert all(data["prototypes"])  # the theme's resolvers leave these pages as they are
    assert data["site"] == answers[0]["site"]
    posts = ("seven", "six", "five", "four", "three", "two", "one")
    projects = ("three", "two", "one")
    assert data["objects"] == [f"content/pages/blog/post-{n}.md" for n in posts] + [
        f"content/pages/projects/project-{n}.md" for n in projects
    ]  # every post and project, newest first: what the feeds and neighbours are made of


def test_the_drop_in_content_ts_builds_with_drafts_given_the_preview_token(live_corpus, tmp_path):
    public = _run_example(tmp_path, live_corpus)
    preview = _run_example(tmp_path, live_corpus, token="secret")

    def urls(data: dict) -> list[str]:
        return [page["__metadata"]["urlPath"] for page in data["pages"]]

    assert "/blog/draft" not in urls(public)
    assert "/blog/draft" in urls(preview)
    assert preview["objects"][0] == "content/pages/blog/draft.md"  # the newest post


def test_the_drop_in_content_ts_fails_the_build_when_the_api_cannot_answer(tmp_path):
    with pytest.raises(AssertionError, match="ECONNREFUSED"):
        _run_example(tmp_path, "http://127.0.0.1:9")


DEV_HARNESS = """
import { existsSync } from 'fs';
import { allContent } from './content.mjs';
const titles = () => allContent().pages.map((page) => page.title);
const first = titles();
const started = process.hrtime.bigint();
const unchanged = titles();
const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(JSON.stringify({ first, unchanged, elapsed }) + '\\n');
while (!existsSync('go')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
process.stdout.write(JSON.stringify({ edited: titles() }) + '\\n');
"""


def test_under_next_dev_the_drop_in_sees_an_edit_on_the_next_call(make_site, tmp_path):
    """NODE_ENV=development: each allContent() asks the API's content version, and fetches the
    answers again only when it changed (a page load after an edit shows it, no restart)."""
    root = make_site({}, base=CORPUS)
    app = create_app({"content_dir": root, "content_watch": False})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    node = shutil.which("node")
    assert node, "the example's test needs Node.js 18 or newer on the PATH"
    shutil.copy(EXAMPLE / "content.ts", tmp_path / "content.mjs")
    (tmp_path / "harness.mjs").write_text(DEV_HARNESS, encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "CONTENT_API_URL": f"http://127.0.0.1:{server.server_port}",
        "NODE_ENV": "development",
    }
    process = subprocess.Popen(
        [node, "harness.mjs"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        before = json.loads(process.stdout.readline())  # type: ignore[union-attr]
        assert before["first"] == before["unchanged"]
        assert "How I started a startup 🚀" in before["first"]

        post = root / "pages" / "blog" / "post-one.md"
        post.write_text(post.read_text().replace("How I started", "How we started"), "utf-8")
        app.extensions["content"].reload()
        (tmp_path / "go").touch()
        after = json.loads(process.stdout.readline())  # type: ignore[union-attr]

        assert "How we started a startup 🚀" in after["edited"]
        assert process.wait(timeout=deadline(30)) == 0
        print(f"an unchanged call under next dev: {before['elapsed']:.0f} ms")
    finally:
        process.kill()
        process.wait()
        process.stdout.close()  # type: ignore[union-attr]
        server.shutdown()
        thread.join()


def test_style_json_from_a_running_api_needs_no_content_folder_nor_the_checkout(
    live_corpus, tmp_path
):
    """As the README runs it: from the theme's folder, with no content folder there."""
    flask = Path(sys.executable).with_name("flask")
    env = {**os.environ, "CONTENT_DIR": "content"}  # the default, missing in this folder

    done = subprocess.run(
        [
            str(flask),
            "--app",
            "api",
            "content",
            "stackbit-style",
            "content/data/style.json",
            "--api-url",
            live_corpus,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=deadline(60),
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    written = json.loads((tmp_path / "content" / "data" / "style.json").read_text())
    _assert_has_every_value_of(written, _corpus_style())


def test_style_json_never_overwrites_the_apis_own_files_without_force(live_corpus, tmp_path):
    own = ROOT / "content" / "data" / "style.json"
    before = own.read_bytes()
    runner = create_app({"content_dir": CORPUS}).test_cli_runner()

    refused = runner.invoke(args=["content", "stackbit-style", str(own), "--api-url", live_corpus])

    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert own.read_bytes() == before
