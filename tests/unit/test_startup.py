"""Start-up mistakes (a wrong CONTENT_DIR, a busy port) are one line and a non-zero exit.

The Makefile targets are run for real (`make -o install`: without reinstalling),
the way a new user meets these mistakes.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api import create_app
from api.settings import ConfigError
from api.startup import check_content_dir, check_port_free
from tests.support.servers import free_port
from tests.support.sites import BUNDLED_CONTENT, ROOT
from tests.support.waiting import deadline, wait_until

VENV = Path(sys.executable).parent.parent


def run_make(target: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """``make TARGET`` in the repository, with this test run's virtual environment."""
    assignments = [f"{name}={value}" for name, value in {"VENV": str(VENV), **variables}.items()]
    # Not a sub-make of a `make test` that may be running this test.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    return subprocess.run(
        ["make", "--no-print-directory", "-s", "-o", "install", target, *assignments],
        cwd=ROOT,
        env={**env, "CONTENT_WATCH": "1"},
        capture_output=True,
        text=True,
        timeout=deadline(120),
    )


def our_lines(stderr: str) -> list[str]:
    """What the command itself printed on stderr (make adds its own `make: ***` line)."""
    return [line for line in stderr.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)]


@pytest.mark.parametrize(
    ("target", "prefix"),
    [("run", "Error: "), ("serve", "configuration error: "), ("check-content", "Error: ")],
)
def test_a_mistyped_content_dir_is_one_line_naming_it(target, prefix, tmp_path):
    typo = tmp_path / "contnet"

    result = run_make(target, CONTENT_DIR=str(typo), PORT="0")

    assert result.returncode != 0
    assert our_lines(result.stderr) == [
        f"{prefix}CONTENT_DIR={typo}: no such folder ({typo}); "
        "set CONTENT_DIR to the folder that holds the site's pages/ and data/ folders"
    ]
    assert "serving" not in result.stdout  # no server, no worker started


def test_make_serve_on_a_busy_port_says_so_in_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        result = run_make(
            "serve", PORT=str(port), HOST="127.0.0.1", CONTENT_DIR=str(BUNDLED_CONTENT)
        )

    assert result.returncode != 0
    assert our_lines(result.stderr) == [
        f"configuration error: PORT={port}: 127.0.0.1:{port} is already in use by another "
        f"program; stop it or choose another port (PORT={port + 1} make serve)"
    ]
    assert "serving" not in result.stdout


def test_a_free_port_passes():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    check_port_free("127.0.0.1", port)


def test_a_site_root_instead_of_its_content_folder_names_the_right_one(tmp_path):
    (tmp_path / "content" / "pages").mkdir(parents=True)

    with pytest.raises(ConfigError) as raised:
        check_content_dir(tmp_path)

    assert str(raised.value) == (
        f"CONTENT_DIR={tmp_path}: {tmp_path} is a site's root (no pages/ or data/ in it), its "
        f"content folder is {tmp_path / 'content'}; use CONTENT_DIR={tmp_path / 'content'}"
    )


def test_a_file_is_not_a_content_folder(tmp_path):
    file = tmp_path / "content.md"
    file.write_text("hello", encoding="utf-8")

    with pytest.raises(ConfigError, match=r"is a file, not a folder"):
        check_content_dir(file)


def test_an_empty_folder_is_a_new_site_and_starts(tmp_path):
    check_content_dir(tmp_path)

    assert create_app({"content_dir": tmp_path}).test_client().get("/healthz").status_code == 200


def test_create_app_refuses_a_missing_folder_before_loading_anything(tmp_path):
    with pytest.raises(ConfigError, match="no such folder"):
        create_app({"content_dir": tmp_path / "missing", "content_watch": True})


def test_the_development_server_writes_no_colour_codes_to_a_file(tmp_path):
    port = free_port()
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "api.develop", "--port", str(port)],  # make run
            cwd=ROOT,
            env={**os.environ, "CONTENT_DIR": str(BUNDLED_CONTENT)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        import http.client

        give_up_at = time.monotonic() + deadline(20)
        while time.monotonic() < give_up_at:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/api/posts/nope")
                connection.getresponse().read()
                connection.close()
                break
            except OSError:
                time.sleep(0.1)
        wait_until(lambda: "GET /api/posts/nope" in log_path.read_text(encoding="utf-8"), 5)
    finally:
        server.terminate()
        server.wait(timeout=deadline(10))
    text = log_path.read_text(encoding="utf-8")
    assert "GET /api/posts/nope" in text
    assert "\x1b[" not in text
