"""Every script in bench/ runs: each measuring script's ``--quick`` run, end to end.

``--quick`` is a smoke run, not a measurement: a 100-post site, one round, 1 s wrk runs, yet
the script's whole road (our server started for real, nginx, wrk and Hugo where the script
uses them, its table printed). Tools a script needs and the machine lacks are installed by the
script itself with apt-get (``bench/common.py: ensure_tools``), as CI runs as root on a clean
machine; nothing here skips. The runs share one BENCH_DIR, so the corpus is generated once.

The runs take about a minute together on 2 cores (bench/README.md has the figures): they carry
the ``bench`` marker, which ``make test`` leaves out and ``make test-bench`` runs. The checks
that every script is listed here, in ``make bench`` and in bench/README.md are quick and run
in ``make test``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.sites import ROOT

BENCH = ROOT / "bench"
# Every script that measures something (``make bench`` runs each with its defaults).
MEASURING = (
    "throughput",
    "startup",
    "latency",
    "edits",
    "feeds",
    "search_engines",
    "search",
    "search_stemming",
    "export",
    "events",
    "verbatim_memory",
    "locales",
    "writes",
)
HELPERS = ("common", "gen_corpus")
TIMEOUT = 900  # seconds; a first run on a clean machine also installs wrk, nginx or Hugo


@pytest.fixture(scope="module")
def bench_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One BENCH_DIR for every run of this module: the 100-post corpus is generated once."""
    return tmp_path_factory.mktemp("bench")


def run(argv: list[str], bench_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run a script as from a shell, but for BENCH_DIR and the tests' own PARSE_CACHE_DIR
    (conftest's CONTENT_WATCH=0 is for in-process apps: the servers watch, as they do)."""
    env = {name: value for name, value in os.environ.items() if name != "CONTENT_WATCH"}
    return subprocess.run(
        [sys.executable, *argv],
        cwd=ROOT,
        env=dict(env, BENCH_DIR=str(bench_dir)),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def table_rows(output: str) -> list[list[str]]:
    """The data rows of every Markdown table in ``output`` (the lines after a ``| --- |``)."""
    rows, in_table = [], False
    for line in output.splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if all(re.fullmatch(r"-+:?", cell) for cell in cells):
            in_table = True
        elif in_table:
            rows.append(cells)
    return rows


def test_every_script_is_smoke_tested() -> None:
    found = {path.stem for path in BENCH.glob("*.py")}
    assert found == set(MEASURING) | set(HELPERS)


def test_make_bench_runs_every_measuring_script() -> None:
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nbench:", 1)[1].split("\n\n", 1)[0]
    assert re.findall(r"bench/(\w+)\.py", recipe) == list(MEASURING)


def test_readme_has_a_section_for_each_script() -> None:
    readme = (BENCH / "README.md").read_text()
    sections = re.findall(r"^## `?(\w+)\.py", readme, re.MULTILINE)
    assert sorted(sections) == sorted([*MEASURING, "gen_corpus"])


@pytest.mark.bench
@pytest.mark.parametrize("script", MEASURING)
def test_quick_run(script: str, bench_dir: Path) -> None:
    done = run([f"bench/{script}.py", "--quick"], bench_dir)
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stdout}\n{done.stderr[-4000:]}"
    rows = table_rows(done.stdout)
    assert rows, f"no table row in the output:\n{done.stdout}"
    assert all(len(row) > 1 and row[0] for row in rows), rows


@pytest.mark.bench
def test_gen_corpus_writes_a_valid_site(tmp_path: Path, bench_dir: Path) -> None:
    done = run(["bench/gen_corpus.py", "--posts", "20", "--out", str(tmp_path)], bench_dir)
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "content/pages/blog").glob("*.md"))) == 20
    check = run(
        ["-m", "flask", "--app", "api", "content", "check", f"{tmp_path}/content"], bench_dir
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "0 errors, 0 warnings" in check.stdout, check.stdout
