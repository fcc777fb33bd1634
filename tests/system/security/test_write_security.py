"""The editing API's security on the production server (``python -m api.serve``) over a real git
repository: requests as a hostile client sends them (raw paths, encoded ``..``, symlinks),
tokens (a preview token never writes, a write token never previews), and a log that names the
editor, the path and the commit, never the token."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.editing import PREVIEW_TOKEN, TOKEN, Api, fsck, git, git_repository, tokens_file
from tests.support.servers import free_port, serve_process, stop_process_group, wait_until_ready
from tests.support.sites import BUNDLED_CONTENT, SEED

DRAFT = "pages/blog/a-draft.md"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Path, Path]]:
    where = tmp_path_factory.mktemp("write-security")
    draft = "---\ntype: PostLayout\ntitle: A draft\ndate: 2025-12-01\nisDraft: true\n---\nSoon.\n"
    content = git_repository(where / "repo", base=BUNDLED_CONTENT, files={DRAFT: draft})
    outside = where / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\ntype: PageLayout\ntitle: Secret\n---\n")
    (content / "pages" / "linked").symlink_to(outside)
    port = free_port()
    log = where / "server.log"
    with log.open("wb") as sink:
        process = serve_process(
            content, where / "cache", port, sink, WORKERS="2", PREVIEW_TOKEN=PREVIEW_TOKEN,
            WRITE_TOKENS_FILE=str(tokens_file(where)),
        )  # fmt: skip
        try:
            wait_until_ready(port, process)
            yield Api(port), where, log
        finally:
            stop_process_group(process)


def raw(port: int, method: str, target: str, headers: dict[str, str]) -> int:
    """A request with its target sent exactly as written (no client normalises it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", "0")
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.mark.parametrize(
    "target",
    [
        "/api/entries/../../../etc/passwd",
        "/api/entries/pages/../../outside/secret.md",
        "/api/entries/pages/%2e%2e/%2e%2e/outside/secret.md",
        "/api/entries/pages%2f..%2f..%2foutside%2fsecret.md",
        "/api/entries//etc/passwd",
        "/api/entries/pages/linked/secret.md",
        "/api/entries/pages/.git/config",
        "/api/entries/pages/blog/a.md%00.json",
    ],
)
def test_nothing_outside_the_content_folder(server, target: str) -> None:
    api, _, _ = server
    auth = {"Authorization": f"Bearer {TOKEN}"}
    refused = (308, 400, 403, 404)  # 308: Werkzeug's merged slashes, to a path refused in turn
    assert raw(api.port, "GET", target, auth) in refused
    assert raw(api.port, "PUT", target, {**auth, "If-Match": "*"}) in refused


def test_tokens_mean_one_thing_each(server) -> None:
    api, where, _ = server
    assert Api(api.port, PREVIEW_TOKEN).call("GET", f"/api/entries/{SEED}")[0] == 401
    assert Api(api.port, "").call("GET", f"/api/entries/{SEED}")[0] == 401
    entry, etag = api.entry(DRAFT)  # an editor reads drafts through the editing API
    assert entry["frontMatter"]["isDraft"] is True
    assert api.public("/api/posts/a-draft")[0] == 404  # ... but a write token previews nothing
    connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)
    connection.request("GET", "/api/posts/a-draft", headers={"Authorization": f"Bearer {TOKEN}"})
    assert connection.getresponse().status == 404
    connection.close()
    preview = Api(api.port, PREVIEW_TOKEN)
    document = {"frontMatter": entry["frontMatter"], "body": "Changed by a preview token"}
    assert preview.call("PUT", f"/api/entries/{DRAFT}", document, {"If-Match": etag})[0] == 401
    assert TOKEN not in (where / "write-tokens").read_text()  # kept as digests only


def test_the_log_names_the_editor_never_the_token(server) -> None:
    api, where, log = server
    entry, etag = api.entry(SEED)
    document = {"frontMatter": dict(entry["frontMatter"], title="Logged"), "body": entry["body"]}
    status, _, answer = api.put(SEED, document, etag)
    assert status == 200
    text = log.read_text()
    line = next(line for line in text.splitlines() if "write by" in line and SEED in line)
    assert "Ada Lovelace <ada@example.com>" in line and answer["commit"][:12] in line
    assert TOKEN not in text
    fsck(where / "repo")
    assert git(where / "repo", "status", "--porcelain").strip() == "?? content/pages/linked"
