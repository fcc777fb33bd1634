"""The Python client as the docs tell a user to generate it: one command, no warning.

The command is read from the docs (the manual's "The Python client" section, the client's
README and the comment of ``clients/python/config.yaml`` must name the same one) and run as
written, from a scratch folder shaped like the repository (``openapi/openapi.json``,
``clients/python/config.yaml``, ``.venv/bin``), with no ``ruff`` on ``PATH``, as on a fresh
clone.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.sites import ROOT

CONFIG = ROOT / "clients" / "python" / "config.yaml"
WHERE_SHOWN = (
    ROOT / "docs" / "guide" / "endpoints.md",
    ROOT / "clients" / "python" / "README.md",
    CONFIG,
)
PROGRAM = ".venv/bin/openapi-python-client"
OUTPUT = "clients/python/content-api-client"


def shown_commands(path: Path) -> list[str]:
    """The generation commands a file shows (a YAML comment's ``#`` taken off)."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip().removeprefix("#").strip()
        if text.startswith(f"{PROGRAM} generate"):
            found.append(text)
    return found


def the_command() -> str:
    commands = {path.name: shown_commands(path) for path in WHERE_SHOWN}
    assert all(len(found) == 1 for found in commands.values()), commands
    assert len({found[0] for found in commands.values()}) == 1, commands
    return commands["endpoints.md"][0]


def test_the_docs_show_one_command_that_uses_the_committed_settings():
    argv = shlex.split(the_command())

    assert argv[:2] == [PROGRAM, "generate"]
    assert argv[argv.index("--config") + 1] == "clients/python/config.yaml"
    assert argv[argv.index("--path") + 1] == "openapi/openapi.json"
    assert argv[argv.index("--output-path") + 1] == OUTPUT
    assert f"{OUTPUT}/" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_command_generates_the_client_without_a_warning(tmp_path: Path):
    (tmp_path / "openapi").mkdir()
    shutil.copy(ROOT / "openapi" / "openapi.json", tmp_path / "openapi" / "openapi.json")
    (tmp_path / "clients" / "python").mkdir(parents=True)
    shutil.copy(CONFIG, tmp_path / "clients" / "python" / "config.yaml")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "bin").symlink_to(Path(sys.executable).parent)
    plain_path = "/usr/local/bin:/usr/bin:/bin"
    assert shutil.which("ruff", path=plain_path) is None, "ruff on the plain PATH"

    done = subprocess.run(
        shlex.split(the_command()),
        cwd=tmp_path,
        env={**os.environ, "PATH": plain_path},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    lines = (done.stdout + done.stderr).splitlines()
    assert done.returncode == 0, lines
    assert lines == [f"Generating {OUTPUT}"]
    project = tmp_path / OUTPUT
    assert (project / "pyproject.toml").is_file()
    package = project / "content_api_client"
    # The XML answers are in the client, as text: with the default settings they are left out.
    for module in ("get_rss_feed", "get_atom_feed", "get_sitemap", "get_sitemap_part"):
        assert (package / "api" / "feeds" / f"{module}.py").is_file(), module
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "from content_api_client import Client\n"
            "from content_api_client.api.feeds import get_rss_feed\n"
            "print(get_rss_feed.sync.__annotations__['return'])",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    assert "str" in imported.stdout
