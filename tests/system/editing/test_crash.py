"""A crash (SIGKILL) at any point of a write: the repository stays whole (``git fsck``), no file
is half written, and once the server is back the write is fully there or not at all.

First at each named point of a write (the process kills itself there: after the journal,
after HEAD moved, between the two files of a commit, inside the rename of a file, at the
end), then the production server killed, whole process group, at random moments while
writes run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from api import create_app
from tests.support.editing import AUTH, Api, fsck, git, git_repository, tokens_file
from tests.support.servers import free_port, serve_process, wait_until_ready
from tests.support.sites import BUNDLED_CONTENT, ROOT, SEED

OTHER = "pages/blog/retiring-the-war-room.md"
SCRIPT = """
import os, signal, sys
from api import create_app
from api.editing.writes import WriteTransaction

step, content, tokens, paths = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def die(name):
    if name == step:
        os.kill(os.getpid(), signal.SIGKILL)
WriteTransaction._checkpoint = staticmethod(die)
if step == "rename":
    real = os.replace
    def replace(src, dst, **kwargs):
        if str(src).endswith(".content-api-write.tmp"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(src, dst, **kwargs)
    os.replace = replace
client = create_app({"content_dir": content, "write_tokens_file": tokens}).test_client()
auth = {"Authorization": "Bearer ada-writes-here"}
operations = []
for path in paths:
    etag = client.get("/api/entries/" + path, headers=auth).headers["ETag"]
    operations.append({"op": "patch", "path": path, "ifMatch": etag,
                       "frontMatter": {"title": "Crashed " + step}})
answer = client.post("/api/commits", json={"operations": operations}, headers=auth)
print(answer.status_code)
"""


def no_half_written_file(content: Path) -> None:
    leftovers = [p for p in content.rglob("*") if p.name.endswith(".content-api-write.tmp")]
    assert leftovers == []


def whole_or_nothing(repo: Path, title: str) -> bool:
    """Whether the write is there (both files, one commit), after checking it is not half."""
    texts = [(repo / "content" / path).read_text() for path in (SEED, OTHER)]
    there = [f"title: {title}" in text for text in texts]
    assert there[0] == there[1], there
    committed = git(repo, "log", "-1", "--format=%s")
    assert (committed.startswith("Edit 2 files")) == there[0]
    assert git(repo, "status", "--porcelain") == ""
    return there[0]


@pytest.mark.parametrize("step", ["journal", "moved", "file", "rename", "done"])
def test_a_crash_at_each_point_of_a_write(tmp_path: Path, step: str) -> None:
    content = git_repository(tmp_path / "repo", base=BUNDLED_CONTENT)
    tokens = tokens_file(tmp_path)
    env = {**os.environ, "PARSE_CACHE_DIR": "", "CONTENT_WATCH": "0"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, step, str(content), str(tokens), SEED, OTHER],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr
    repo = tmp_path / "repo"
    fsck(repo)
    # the server comes back: it finishes (or drops) the write before it serves
    client = create_app({"content_dir": content, "write_tokens_file": tokens}).test_client()
    no_half_written_file(content)
    fsck(repo)
    there = whole_or_nothing(repo, f"Crashed {step}")
    assert there == (step != "journal")
    title = client.get("/api/posts/retiring-the-war-room").json["title"]
    assert (title == f"Crashed {step}") == there
    answer = client.get(f"/api/entries/{SEED}", headers=AUTH)
    assert answer.status_code == 200  # and writes go on
    patch = client.patch(
        f"/api/entries/{SEED}",
        json={"frontMatter": {"title": "After"}},
        headers={**AUTH, "If-Match": answer.headers["ETag"]},
    )
    assert patch.status_code == 200
    fsck(repo)


def test_the_production_server_killed_while_writing(tmp_path: Path) -> None:
    content = git_repository(tmp_path / "repo", base=BUNDLED_CONTENT)
    repo = tmp_path / "repo"
    tokens = tokens_file(tmp_path)
    rng = random.Random(24)
    answered: list[str] = []
    for round_ in range(3):
        port = free_port()
        with (tmp_path / f"server-{round_}.log").open("wb") as log:
            process = serve_process(
                content, tmp_path / "cache", port, log, WORKERS="2",
                WRITE_TOKENS_FILE=str(tokens), WRITE_RATE="1000",
            )  # fmt: skip
            try:
                wait_until_ready(port, process)
                api = Api(port)
                stop = threading.Event()

                def write(
                    api: Api = api, stop: threading.Event = stop, round_: int = round_
                ) -> None:
                    number = 0
                    while not stop.is_set():
                        number += 1
                        title = f"Round {round_} write {number}"
                        try:
                            operations = []
                            for path in (SEED, OTHER):
                                _, etag = api.entry(path)
                                operations.append(
                                    {"op": "patch", "path": path, "ifMatch": etag,
                                     "frontMatter": {"title": title}}
                                )  # fmt: skip
                            status, _, _ = api.call(
                                "POST", "/api/commits", {"operations": operations}
                            )
                        except (OSError, AssertionError):
                            return  # the server is gone
                        if status == 200:
                            answered.append(title)

                writer = threading.Thread(target=write)
                writer.start()
                time.sleep(rng.uniform(0.3, 1.2))
            finally:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                stop.set()
                writer.join()
        fsck(repo)
    # back once more: whatever the last write was, it is whole or absent
    client = create_app({"content_dir": content, "write_tokens_file": tokens}).test_client()
    no_half_written_file(content)
    fsck(repo)
    assert git(repo, "status", "--porcelain") == ""
    assert answered
    subjects = git(repo, "log", "--format=%H")
    for title in answered:  # every write answered 200 is in the history
        found = git(repo, "log", "-S", f"title: {title}\n", "--format=%H", "--", f"content/{SEED}")
        assert found.strip() and found.split()[0] in subjects, title
    latest = client.get(f"/api/entries/{SEED}", headers=AUTH).json["frontMatter"]["title"]
    other = client.get(f"/api/entries/{OTHER}", headers=AUTH).json["frontMatter"]["title"]
    assert latest == other
