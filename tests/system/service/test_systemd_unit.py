"""The systemd unit in deploy/systemd/ is valid and runs the server as the manual says.

``systemd-analyze verify`` checks the unit as systemd reads it (an unknown key, a bad value
and a missing executable are all reported, and any report fails the test). Where the command is
missing it is installed (Debian's ``systemd`` package) when the test runs as root; otherwise
that test is skipped, saying so, and the unit is still parsed here: its program is a module
that exists, its stop timeout is above ``SHUTDOWN_TIMEOUT`` and its cache directory is where
the server writes its parse cache.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from api.settings import ENVIRONMENT_VARIABLES, Settings, _default_cache_dir
from tests.support.sites import ROOT

UNIT = ROOT / "deploy" / "systemd" / "content-api.service"
DOCS = ROOT / "docs" / "operations" / "service.md"
INSTALLED_AT = "/srv/content-api"
SBIN = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"


def parse_unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """Sections of a unit file, each a list of (key, value) in order (keys repeat)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        header = re.fullmatch(r"\[([A-Za-z]+)\]", line)
        if header:
            current = sections.setdefault(header.group(1), [])
            continue
        key, equals, value = line.partition("=")
        assert equals and current is not None and re.fullmatch(r"[A-Za-z]+", key), (number, raw)
        current.append((key, value))
    return sections


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [value for name, value in section if name == key]


def one(section: list[tuple[str, str]], key: str) -> str:
    found = values(section, key)
    assert len(found) == 1, (key, found)
    return found[0]


def seconds(span: str) -> float:
    match = re.fullmatch(r"(\d+)\s*(s|sec|min|m)?", span)
    assert match, span
    return float(match.group(1)) * (60 if match.group(2) in ("min", "m") else 1)


@pytest.fixture(scope="module")
def unit() -> dict[str, list[tuple[str, str]]]:
    return parse_unit(UNIT.read_text())


def test_the_unit_runs_the_production_server_from_the_venv(unit):
    service = unit["Service"]

    program, *arguments = one(service, "ExecStart").split()
    assert program == f"{INSTALLED_AT}/.venv/bin/python"
    assert arguments == ["-m", "api.serve"]
    spec = importlib.util.find_spec("api.serve")
    assert spec is not None and spec.origin == str(ROOT / "api" / "serve.py")
    assert callable(importlib.import_module("api.serve").main)
    assert one(service, "WorkingDirectory") == INSTALLED_AT
    assert one(service, "EnvironmentFile") == "/etc/content-api/env"
    assert one(service, "User") == one(service, "Group") == "content-api"
    assert one(unit["Install"], "WantedBy") == "multi-user.target"


def test_it_stops_gracefully_and_restarts_on_failure(unit):
    service = unit["Service"]

    assert one(service, "KillSignal") == "SIGTERM"
    assert one(service, "KillMode") == "mixed"  # the server stops its own workers
    assert seconds(one(service, "TimeoutStopSec")) > Settings().shutdown_timeout
    assert one(service, "Restart") == "on-failure"
    assert one(service, "ExecReload") == "/bin/kill -HUP $MAINPID"  # reload the content


def test_the_parse_cache_is_written_where_the_hardening_lets_it(unit):
    service = unit["Service"]
    environment = dict(value.split("=", 1) for value in values(service, "Environment"))

    assert one(service, "ProtectSystem") == "strict"  # read-only but for the lines below
    assert "ReadWritePaths" not in dict(service)
    cache = _default_cache_dir({**environment, "HOME": "/nonexistent"})
    assert cache == Path("/var/cache") / one(service, "CacheDirectory")
    assert one(service, "PrivateTmp") == "yes"  # the workers' shared files go to /tmp


def test_the_manuals_environment_file_names_real_settings():
    text = DOCS.read_text()
    block = text.split("```ini\n", 1)[1].split("```", 1)[0]
    names = [line.split("=", 1)[0] for line in block.splitlines() if not line.startswith("#")]

    assert names and set(names) <= set(ENVIRONMENT_VARIABLES), names
    assert {"HOST", "PORT", "WORKERS", "SITE_URL", "CONTENT_DIR"} <= set(names)
    assert "deploy/systemd/content-api.service" in text
    assert "(service.md)" in (ROOT / "docs" / "operations" / "deploying.md").read_text()
    assert "operations/service.md" in (ROOT / "mkdocs.yml").read_text()


def systemd_analyze() -> str | None:
    """The systemd-analyze command, installed with apt-get if missing and the test is root."""
    found = shutil.which("systemd-analyze", path=SBIN)
    if found or os.geteuid() != 0 or not shutil.which("apt-get", path=SBIN):
        return found
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y"]
    install += ["--no-install-recommends", "systemd"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True, capture_output=True)
        subprocess.run(install, env=env, check=True, capture_output=True)
    return shutil.which("systemd-analyze", path=SBIN)


def test_systemd_analyze_verify_finds_nothing_to_report(tmp_path: Path):
    command = systemd_analyze()
    if command is None:
        pytest.skip("no systemd-analyze, and not root to install it: only the parse was checked")
    # As installed, with this checkout in place of /srv/content-api: verify checks that the
    # program exists and is executable.
    text = UNIT.read_text()
    text = text.replace(f"{INSTALLED_AT}/.venv/bin/python", sys.executable)
    copy = tmp_path / UNIT.name
    copy.write_text(text.replace(INSTALLED_AT, str(ROOT)))

    done = subprocess.run(
        [command, "verify", "--man=no", str(copy)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout + done.stderr == "", done.stdout + done.stderr


def test_verify_would_report_a_mistake(tmp_path: Path):
    """The check above is not vacuous: a misspelt key is reported."""
    command = systemd_analyze()
    if command is None:
        pytest.skip("no systemd-analyze, and not root to install it")
    text = UNIT.read_text().replace(f"{INSTALLED_AT}/.venv/bin/python", sys.executable)
    copy = tmp_path / UNIT.name
    copy.write_text(text.replace(INSTALLED_AT, str(ROOT)).replace("Restart=", "Restat="))

    done = subprocess.run(
        [command, "verify", "--man=no", str(copy)], capture_output=True, text=True, timeout=120
    )

    assert "Unknown key" in done.stdout + done.stderr
