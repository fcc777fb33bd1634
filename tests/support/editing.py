"""The editing tests' shared parts: a content folder under git, write tokens, and HTTP calls
of the editing API (to an in-process app or a server on a port)."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.support.waiting import deadline

TOKEN = "ada-writes-here"
OTHER_TOKEN = "grace-writes-too"
PREVIEW_TOKEN = "a-preview-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Human",
    "GIT_AUTHOR_EMAIL": "human@example.com",
    "GIT_COMMITTER_NAME": "Human",
    "GIT_COMMITTER_EMAIL": "human@example.com",
}


def git(repository: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(
        ["git", "-C", str(repository), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
        check=False,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {done.stderr}")
    return done.stdout


def git_repository(
    where: Path, base: Path | None = None, files: dict[str, str] | None = None
) -> Path:
    """A git repository at ``where`` whose ``content/`` is a copy of ``base`` plus ``files``,
    all in its first commit; returns the content folder."""
    content = where / "content"
    if base is not None:
        shutil.copytree(base, content)
    content.mkdir(parents=True, exist_ok=True)
    for relative, text in (files or {}).items():
        path = content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(where, "init", "-q", "-b", "main")
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", "The site")
    return content


def tokens_file(where: Path) -> Path:
    """Two editors' tokens, hashed, as WRITE_TOKENS_FILE holds them."""
    path = where / "write-tokens"
    lines = [
        "# editors of the test site",
        f"{hashlib.sha256(TOKEN.encode()).hexdigest()} ada@example.com Ada Lovelace",
        f"{hashlib.sha256(OTHER_TOKEN.encode()).hexdigest()} grace@example.com Grace Hopper",
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def fsck(repository: Path) -> str:
    """``git fsck`` of the repository: fails the test unless it is clean (dangling objects,
    which a write refused after hashing its blobs leaves, are not damage)."""
    done = subprocess.run(
        ["git", "-C", str(repository), "fsck", "--no-dangling", "--full"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr
    return done.stdout


class Api:
    """The editing API of a server on ``port``: each call on a new connection."""

    def __init__(self, port: int, token: str = TOKEN) -> None:
        self.port = port
        self.token = token

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, dict[str, str], Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=deadline(30))
        try:
            sent = {"Authorization": f"Bearer {self.token}", **(headers or {})}
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                sent["Content-Type"] = content_type
            connection.request(method, path, body=data, headers=sent)
            answer = connection.getresponse()
            raw = answer.read()
            found = {k.lower(): v for k, v in answer.getheaders()}
            parsed = json.loads(raw) if raw and "json" in found.get("content-type", "") else raw
            return answer.status, found, parsed
        finally:
            connection.close()

    def entry(self, path: str) -> tuple[dict[str, Any], str]:
        status, headers, body = self.call("GET", f"/api/entries/{path}")
        assert status == 200, (status, body)
        return body, headers["etag"]

    def put(self, path: str, entry: dict[str, Any], etag: str) -> tuple[int, dict[str, str], Any]:
        document = {k: v for k, v in entry.items() if k in ("frontMatter", "body", "data")}
        return self.call("PUT", f"/api/entries/{path}", document, {"If-Match": etag})

    def public(self, path: str) -> tuple[int, dict[str, str], Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=deadline(30))
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            raw = answer.read()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, json.loads(raw)
        finally:
            connection.close()
