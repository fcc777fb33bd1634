"""The TypeScript client's tarball installs without a warning, as the client's README tells.

npm 11 warns on every install of a package whose manifest has an install script ("install
scripts not yet covered by allowScripts"); the tarball ships ``package.json`` as it is, so the
build runs as ``prepack`` (only where the tarball is made) and no install script is in it.
The real check packs the client and installs the tarball into a fresh folder with npm; it needs
npm (``make test-e2e`` and ``make spec`` need it too), and fails without it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from tests.support.sites import ROOT

CLIENT = ROOT / "clients" / "typescript"
# npm's lifecycle scripts that run when a package is installed (npm docs, "scripts").
INSTALL_SCRIPTS = {"preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare"}
NPM = shutil.which("npm")


def npm(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NPM or "npm", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "npm_config_update_notifier": "false"},
    )


def test_the_manifest_has_no_install_script():
    manifest = json.loads((CLIENT / "package.json").read_text())

    assert not INSTALL_SCRIPTS & set(manifest.get("scripts", {})), manifest["scripts"]
    assert manifest["scripts"]["prepack"] == "node scripts/build.mjs"  # the tarball is built
    assert "*.tgz" in (ROOT / ".gitignore").read_text().splitlines()


def test_the_front_end_example_still_builds_the_client_it_links_to():
    """`npm ci` in examples/frontend builds the linked client (it used to be the client's own
    `prepare`); the front end is private and never packed."""
    frontend = json.loads((ROOT / "examples" / "frontend" / "package.json").read_text())

    assert frontend["private"] is True
    assert frontend["scripts"]["prepare"] == "npm --prefix ../../clients/typescript run build"


def test_the_packed_tarball_installs_into_a_fresh_folder_without_a_warning(tmp_path: Path):
    assert NPM is not None, "npm is needed to pack the client (make spec and make test-e2e too)"
    if not (CLIENT / "node_modules" / ".bin" / "tsc").exists():
        installed = npm("ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=CLIENT)
        assert installed.returncode == 0, installed.stderr
    packed = npm("pack", "--pack-destination", str(tmp_path), cwd=CLIENT)
    assert packed.returncode == 0, packed.stderr
    (tarball,) = tmp_path.glob("*.tgz")
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
        shipped = json.load(archive.extractfile("package/package.json"))  # type: ignore[arg-type]
    assert {"package/dist/index.js", "package/dist/index.d.ts", "package/dist/schema.d.ts"} <= names
    assert not INSTALL_SCRIPTS & set(shipped.get("scripts", {}))

    project = tmp_path / "a-front-end"
    project.mkdir()
    (project / "package.json").write_text('{"name": "a-front-end", "private": true}\n')
    done = npm("install", "--prefer-offline", f"../{tarball.name}", cwd=project)

    output = (done.stdout + done.stderr).splitlines()
    assert done.returncode == 0, output
    warnings = [line for line in output if "warn" in line.lower()]
    assert not warnings, output
    imported = subprocess.run(
        [
            "node",
            "--input-type=module",
            "-e",
            'import("@content-api/client").then((m) => console.log(typeof m.createContentClient))',
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert imported.stdout.strip() == "function", imported.stderr
