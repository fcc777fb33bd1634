"""sourcebit-source-content-api against the real thing: sourcebit 0.11 run once with
``sourcebit-source-filesystem`` 0.2.0 over a theme's content folder, once with our plugin over
the API serving that folder (``STACKBIT_COMPAT=sourcebit``), and the two caches that
``sourcebit-target-next`` writes compared; then the plugin's watch mode across an edit.

The theme is ``tests/fixtures/sourcebit-site`` (its ``sourcebit.js``, ``stackbit.yaml`` and
``.stackbit/models``, after the Starter theme's). The npm packages are pinned by this folder's
``package-lock.json`` and installed by ``make test-stackbit`` (``npm ci``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.servers import free_port, serve_process, stop_process_group, wait_until_ready
from tests.support.sites import FIXTURES, ROOT
from tests.support.waiting import deadline, wait_until

pytestmark = pytest.mark.stackbit

HERE = Path(__file__).parent
NODE_MODULES = HERE / "node_modules"
THEME = FIXTURES / "sourcebit-site"
PLUGIN = ROOT / "clients" / "sourcebit-source-content-api"
CACHE = ".sourcebit-nextjs-cache.json"
FILESYSTEM_ENTRY = "module: require('sourcebit-source-filesystem'),"
OUR_ENTRY = "module: require('sourcebit-source-content-api'),"
# What a content folder cannot tell: the models' labels, written only in the theme's
# .stackbit/models (the API's model has none).
UNKNOWABLE = {"modelLabel"}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The API over a copy of the theme's content folder: its URL and the folder."""
    assert (NODE_MODULES / "sourcebit").is_dir(), "run make test-stackbit (npm ci here)"
    folder = tmp_path_factory.mktemp("api")
    content = folder / "content"
    shutil.copytree(THEME / "content", content)
    port = free_port()
    log = (folder / "server.log").open("wb")
    process = serve_process(
        content, folder / "cache", port, log, WORKERS="1", STACKBIT_COMPAT="sourcebit"
    )
    try:
        wait_until_ready(port, process)
        yield f"http://127.0.0.1:{port}", content
    finally:
        stop_process_group(process)
        log.close()
        log.close()


def _theme(folder: Path, *, ours: bool) -> Path:
    """The theme in ``folder``; with ``ours``, its content folder removed and one plugin
    entry changed in sourcebit.js, as the README tells."""
    shutil.copytree(THEME, folder, dirs_exist_ok=True)
    if ours:
        shutil.rmtree(folder / "content")
        config = folder / "sourcebit.js"
        text = config.read_text()
        assert FILESYSTEM_ENTRY in text
        config.write_text(text.replace(FILESYSTEM_ENTRY, OUR_ENTRY))
    return folder


def _environment(api_url: str) -> dict[str, str]:
    plugins = Path(tempfile.mkdtemp(prefix="plugins-"))
    (plugins / "sourcebit-source-content-api").symlink_to(PLUGIN)
    return {
        **os.environ,
        "NODE_PATH": f"{NODE_MODULES}{os.pathsep}{plugins}",
        "CONTENT_API_URL": api_url,
        "NODE_ENV": "production",
    }


FETCH = (
    "require('sourcebit').fetch(require('./sourcebit.js'), {watch: process.argv[1] === 'watch'})"
)


def _objects_text(api_url: str) -> str:
    with urllib.request.urlopen(f"{api_url}/api/stackbit/objects", timeout=deadline(10)) as answer:
        return answer.read().decode()


def _run_sourcebit(folder: Path, api_url: str) -> dict[str, Any]:
    done = subprocess.run(
        ["node", "-e", FETCH],
        cwd=folder,
        env=_environment(api_url),
        capture_output=True,
        text=True,
        timeout=deadline(60),
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((folder / CACHE).read_text())


def _differences(first: Any, second: Any, path: str = "") -> list[str]:
    """Every key path where two JSON values differ (key order included)."""
    if isinstance(first, dict) and isinstance(second, dict):
        common = first.keys() & second.keys()
        in_order = [key for key in first if key in common] == [k for k in second if k in common]
        found = [] if in_order else [f"{path} (key order)"]
        for key in first.keys() | second.keys():
            if key not in first or key not in second:
                found.append(f"{path}.{key}")
            else:
                found += _differences(first[key], second[key], f"{path}.{key}")
        return found
    if isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        return [
            d
            for i, (a, b) in enumerate(zip(first, second, strict=True))
            for d in _differences(a, b, f"{path}[{i}]")
        ]
    return [] if first == second and type(first) is type(second) else [path]


def _without(value: Any, names: set[str]) -> Any:
    if isinstance(value, dict):
        return {key: _without(item, names) for key, item in value.items() if key not in names}
    if isinstance(value, list):
        return [_without(item, names) for item in value]
    return value


def test_the_cache_equals_the_filesystem_plugins_but_for_the_model_labels(api, tmp_path):
    api_url, _ = api
    folder = tmp_path / "theme"
    files = _run_sourcebit(_theme(folder, ours=False), api_url)
    (folder / CACHE).unlink()
    ours = _run_sourcebit(_theme(folder, ours=True), api_url)  # the same folder: sourcePath too

    assert not (folder / "content").exists()
    differing = _differences(files, ours)
    assert differing, "the filesystem plugin's cache has model labels"
    assert {path.rsplit(".", 1)[-1] for path in differing} == UNKNOWABLE, differing
    assert json.dumps(_without(files, UNKNOWABLE)) == json.dumps(ours)  # key order too
    objects = {obj["__metadata"]["id"]: obj for obj in ours["objects"]}
    assert len(objects) == 13  # 8 pages, 4 data files, the merged data object
    assert objects["content/data/config.json"]["header"]["__metadata"]["modelName"] == "Header"
    assert sorted(page["path"] for page in ours["pages"]) == [
        "/",
        "/about",
        "/blog",
        "/blog/post-five",
        "/blog/post-four",
        "/blog/post-one",
        "/blog/post-three",
        "/blog/post-two",
    ]


def test_watch_mode_refreshes_the_cache_after_an_edit_without_a_restart(api, tmp_path):
    api_url, content = api
    folder = _theme(tmp_path / "theme", ours=True)
    log = (tmp_path / "sourcebit.log").open("wb")
    process = subprocess.Popen(
        ["node", "-e", FETCH, "watch"],
        cwd=folder,
        env=_environment(api_url),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    cache = folder / CACHE
    try:
        written = wait_until(lambda: cache.exists() and "The third post" in cache.read_text(), 60)
        assert written is not None, "sourcebit wrote no cache"
        post = content / "pages" / "blog" / "post-three.md"
        post.write_text(post.read_text().replace("The third post", "The third post, edited"))

        served = wait_until(lambda: "The third post, edited" in _objects_text(api_url), 20)
        assert served is not None, "the API never served the edit"
        seen = wait_until(lambda: "The third post, edited" in cache.read_text(), 20)
        if seen is None:
            print((tmp_path / "sourcebit.log").read_text())

        assert seen is not None, "the cache never showed the edit"
        print(f"edit to refreshed cache in watch mode: {seen:.2f} s")
        assert process.poll() is None  # still watching: no restart
    finally:
        stop_process_group(process)
        log.close()


def test_the_packed_plugin_installs_into_a_fresh_folder_without_a_warning(tmp_path):
    environment = {**os.environ, "npm_config_update_notifier": "false"}
    packed = subprocess.run(
        ["npm", "pack", "--pack-destination", str(tmp_path)],
        cwd=PLUGIN,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert packed.returncode == 0, packed.stderr
    (tarball,) = tmp_path.glob("*.tgz")
    project = tmp_path / "a-theme"
    project.mkdir()
    (project / "package.json").write_text('{"name": "a-theme", "private": true}\n')

    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", f"../{tarball.name}"],
        cwd=project,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )

    output = (done.stdout + done.stderr).splitlines()
    assert done.returncode == 0, output
    assert not [line for line in output if "warn" in line.lower()], output
    shipped = json.loads(
        (project / "node_modules/sourcebit-source-content-api/package.json").read_text()
    )
    assert "scripts" not in shipped
    assert {p.name for p in (project / "node_modules/sourcebit-source-content-api").iterdir()} == {
        "package.json",
        "index.js",
        "index.d.ts",
        "README.md",
    }
    loaded = subprocess.run(
        ["node", "-e", "const p = require('sourcebit-source-content-api'); console.log(p.name)"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.stdout.strip() == "sourcebit-source-content-api", loaded.stderr
