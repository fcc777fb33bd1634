"""The editing API through HTTP (an app over a copy of the bundled site under git): entries read
as JSON, written with If-Match, created, patched, deleted, committed several at once; every
write validated like `content check`, one commit by its author, served before it answers, and
nothing else touched; tokens, paths, size, rate and CORS."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from api import create_app
from tests.support.editing import (
    AUTH,
    OTHER_TOKEN,
    PREVIEW_TOKEN,
    TOKEN,
    fsck,
    git,
    git_repository,
    tokens_file,
)
from tests.support.sites import BUNDLED_CONTENT, SEED, SEED_SLUG

DRAFT = "pages/blog/a-draft.md"
DRAFT_TEXT = """\
---
type: PostLayout
title: A draft
date: 2025-12-01
isDraft: true
author: content/data/team/wei-chen.json
---
Not yet.
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose content/ is the bundled site plus a draft."""
    git_repository(tmp_path / "repo", base=BUNDLED_CONTENT, files={DRAFT: DRAFT_TEXT})
    return tmp_path / "repo"


def client_of(repo: Path, **settings: Any) -> FlaskClient:
    config = {
        "content_dir": repo / "content",
        "write_tokens_file": tokens_file(repo.parent),
        "preview_token": PREVIEW_TOKEN,
        **settings,
    }
    return create_app(config).test_client()


@pytest.fixture
def client(repo: Path) -> FlaskClient:
    return client_of(repo)


def entry(client: FlaskClient, path: str = SEED) -> tuple[dict[str, Any], str]:
    answer = client.get(f"/api/entries/{path}", headers=AUTH)
    assert answer.status_code == 200, answer.json
    return answer.json, answer.headers["ETag"]


def put(client: FlaskClient, path: str, document: dict[str, Any], **headers: str) -> Any:
    return client.put(f"/api/entries/{path}", json=document, headers={**AUTH, **headers})


def retitled(client: FlaskClient, title: str, path: str = SEED) -> Any:
    found, etag = entry(client, path)
    front = dict(found["frontMatter"], title=title)
    return put(client, path, {"frontMatter": front, "body": found["body"]}, **{"If-Match": etag})


def commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def test_writes_are_off_without_a_tokens_file(client: FlaskClient, repo: Path) -> None:
    off = create_app({"content_dir": repo / "content"}).test_client()
    answer = off.get(f"/api/entries/{SEED}", headers=AUTH)
    assert answer.status_code == 404 and "WRITE_TOKENS_FILE" in answer.json["message"]


def test_an_entry_is_the_file_as_it_is(client: FlaskClient, repo: Path) -> None:
    found, etag = entry(client, DRAFT)
    assert found["frontMatter"] == {
        "type": "PostLayout",
        "title": "A draft",
        "date": "2025-12-01",
        "isDraft": True,
        "author": "content/data/team/wei-chen.json",
    }
    assert list(found["frontMatter"]) == ["type", "title", "date", "isDraft", "author"]
    assert found["body"] == "Not yet.\n" and found["etag"] == etag
    answer = client.get(f"/api/entries/{DRAFT}", headers=AUTH)
    assert answer.headers["Cache-Control"] == "private, no-store"
    person = client.get("/api/entries/data/team/wei-chen.json", headers=AUTH).json
    on_disk = json.loads((repo / "content/data/team/wei-chen.json").read_text())
    assert person["data"] == on_disk and list(person["data"]) == list(on_disk)
    assert client.get("/api/entries/pages/blog/nothing.md", headers=AUTH).status_code == 404


def test_a_write_is_one_commit_by_its_author_served_at_once(
    client: FlaskClient, repo: Path
) -> None:
    before = (repo / "content" / SEED).read_bytes()
    head = git(repo, "rev-parse", "HEAD").strip()
    answer = retitled(client, "Silos, retold")
    assert answer.status_code == 200, answer.json
    assert answer.json["commit"] == git(repo, "rev-parse", "HEAD").strip() != head
    assert answer.json["frontMatter"]["title"] == "Silos, retold"
    assert answer.headers["ETag"] == answer.json["etag"]
    assert client.get(f"/api/posts/{SEED_SLUG}").json["title"] == "Silos, retold"
    health = client.get("/healthz").json
    assert answer.headers["X-Content-Version"] == health["contentVersion"]
    shown = git(repo, "show", "--format=%an <%ae>|%cn|%s", "--name-only", "HEAD").split("\n")
    assert shown[0] == f"Ada Lovelace <ada@example.com>|Ada Lovelace|Edit {SEED}"
    assert [line for line in shown[1:] if line] == [f"content/{SEED}"]
    diff = git(repo, "diff", "--numstat", "HEAD~1", "HEAD").split()
    assert diff[:2] == ["1", "1"]  # one line out, one in
    after = (repo / "content" / SEED).read_bytes()
    assert (
        before.replace(b"title: AI, Security, and the End of Silos", b"title: Silos, retold")
        == after
    )
    assert git(repo, "status", "--porcelain") == ""
    fsck(repo)


def test_a_write_flows_like_a_file_edit(client: FlaskClient) -> None:
    changes: list[Any] = []
    client.application.extensions["content"].subscribe(changes.append)
    retitled(client, "Heard of")
    assert len(changes) == 1
    assert f"/blog/{SEED_SLUG}" in changes[0].paths


def test_if_match_is_required_and_stale_tags_get_the_entry_as_it_is(
    client: FlaskClient, repo: Path
) -> None:
    found, etag = entry(client)
    document = {"frontMatter": found["frontMatter"], "body": found["body"]}
    missing = put(client, SEED, document)
    assert missing.status_code == 428 and "If-Match" in missing.json["message"]
    assert retitled(client, "First").status_code == 200
    stale = put(client, SEED, document, **{"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json["current"]["frontMatter"]["title"] == "First"
    assert stale.headers["ETag"] == stale.json["current"]["etag"] != etag
    assert commits(repo) == 2


def test_create_patch_and_delete(client: FlaskClient, repo: Path) -> None:
    path = "pages/blog/brand-new.md"
    document = {
        "frontMatter": {"type": "PostLayout", "title": "Brand new", "date": "2025-12-02"},
        "body": "Hello.\n",
    }
    created = put(client, path, document, **{"If-None-Match": "*"})
    assert created.status_code == 201, created.json
    assert created.headers["Location"] == f"/api/entries/{path}"
    assert client.get("/api/posts/brand-new").json["title"] == "Brand new"
    again = put(client, path, document, **{"If-None-Match": "*"})
    assert again.status_code == 412 and again.json["current"]["body"] == "Hello.\n"
    patched = client.patch(
        f"/api/entries/{path}",
        data=json.dumps({"frontMatter": {"title": "Patched", "date": None}, "message": "Retitle"}),
        headers={**AUTH, "If-Match": created.headers["ETag"]},
        content_type="application/merge-patch+json",
    )
    assert patched.status_code == 422  # a post needs its date: nothing written
    assert "date" in patched.json["errors"][0]["message"]
    patched = client.patch(
        f"/api/entries/{path}",
        data=json.dumps({"frontMatter": {"title": "Patched"}, "message": "Retitle"}),
        headers={**AUTH, "If-Match": created.headers["ETag"]},
        content_type="application/merge-patch+json",
    )
    assert patched.status_code == 200 and patched.json["frontMatter"]["title"] == "Patched"
    assert git(repo, "log", "-1", "--format=%s") == "Retitle\n"
    deleted = client.delete(
        f"/api/entries/{path}", headers={**AUTH, "If-Match": patched.headers["ETag"]}
    )
    assert deleted.status_code == 200 and deleted.json["deleted"] is True
    assert client.get("/api/posts/brand-new").status_code == 404
    assert not (repo / "content" / path).exists() and commits(repo) == 4


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"author": "content/data/team/nobody.json"},
            "no such file: content/data/team/nobody.json",
        ),
        ({"author": "content/pages/index.md"}, "is a PageLayout, expected a Person"),
        ({"title": None}, "title"),
        ({"date": "not a date"}, "date"),
    ],
)
def test_what_content_check_refuses_is_not_written(
    client: FlaskClient, repo: Path, change: dict[str, Any], expected: str
) -> None:
    found, etag = entry(client)
    front = {k: v for k, v in {**found["frontMatter"], **change}.items() if v is not None}
    answer = put(client, SEED, {"frontMatter": front, "body": found["body"]}, **{"If-Match": etag})
    assert answer.status_code == 422, answer.json
    assert expected in answer.json["errors"][0]["message"]
    assert answer.json["errors"][0]["path"] == SEED and answer.json["errors"][0]["line"] > 1
    assert commits(repo) == 1 and git(repo, "status", "--porcelain") == ""


def test_a_url_another_file_serves_is_refused(client: FlaskClient, repo: Path) -> None:
    path = f"pages/blog/{SEED_SLUG}/index.md"
    document = {"frontMatter": {"type": "PageLayout", "title": "Twice"}, "body": ""}
    answer = put(client, path, document, **{"If-None-Match": "*"})
    assert answer.status_code == 422
    assert "already served by" in answer.json["errors"][0]["message"]
    assert not (repo / "content" / path).exists()


def test_deleting_what_others_refer_to_needs_one_commit_with_them(
    client: FlaskClient, repo: Path
) -> None:
    person = "data/team/wei-chen.json"
    _, etag = entry(client, person)
    answer = client.delete(f"/api/entries/{person}", headers={**AUTH, "If-Match": etag})
    assert answer.status_code == 422
    referrers = {error["path"] for error in answer.json["errors"]}
    assert DRAFT in referrers and all(path.startswith("pages/") for path in referrers)
    operations = [{"op": "delete", "path": person, "ifMatch": etag}]
    for path in sorted(referrers):
        _, tag = entry(client, path)
        operations.append(
            {"op": "patch", "path": path, "ifMatch": tag, "frontMatter": {"author": None}}
        )
    done = client.post("/api/commits", json={"operations": operations}, headers=AUTH)
    assert done.status_code == 200, done.json
    assert commits(repo) == 2
    names = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(names) == sorted(f"content/{op['path']}" for op in operations)
    assert client.get("/api/authors/wei-chen").status_code == 404


def test_a_commit_is_all_or_nothing(client: FlaskClient, repo: Path) -> None:
    _, seed_etag = entry(client)
    other = "pages/blog/retiring-the-war-room.md"
    _, other_etag = entry(client, other)
    assert retitled(client, "Moved on", other).status_code == 200
    operations = [
        {"op": "patch", "path": SEED, "ifMatch": seed_etag, "frontMatter": {"title": "A"}},
        {"op": "patch", "path": other, "ifMatch": other_etag, "frontMatter": {"title": "B"}},
    ]
    answer = client.post("/api/commits", json={"operations": operations}, headers=AUTH)
    assert answer.status_code == 412 and answer.json["path"] == other
    assert entry(client)[0]["frontMatter"]["title"] == "AI, Security, and the End of Silos"
    assert commits(repo) == 2


def test_nothing_else_enters_the_commit(client: FlaskClient, repo: Path) -> None:
    """A person's staged and unstaged changes of other files stay theirs."""
    staged = repo / "content/pages/blog/retiring-the-war-room.md"
    staged.write_text(staged.read_text() + "\nStaged by a person.\n")
    git(repo, "add", str(staged))
    unstaged = repo / "content/data/team/maria-garcia.json"
    unstaged.write_text(unstaged.read_text().replace("Maria", "María"))
    assert retitled(client, "Alone").status_code == 200
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [f"content/{SEED}"]
    assert git(repo, "diff", "--cached", "--name-only").split() == [
        "content/pages/blog/retiring-the-war-room.md"
    ]
    assert git(repo, "diff", "--name-only").split() == ["content/data/team/maria-garcia.json"]


def test_tokens(client: FlaskClient) -> None:
    path = f"/api/entries/{SEED}"
    assert client.get(path).status_code == 401
    refused = client.get(path, headers={"Authorization": f"Bearer {PREVIEW_TOKEN}"})
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 401
    other = client.get(path, headers={"Authorization": f"Bearer {OTHER_TOKEN}"})
    assert other.status_code == 200
    # a write token is no preview token: the public API without drafts
    assert client.get("/api/posts/a-draft", headers=AUTH).status_code == 404
    preview = {"Authorization": f"Bearer {PREVIEW_TOKEN}"}
    assert client.get("/api/posts/a-draft", headers=preview).status_code == 200


def test_the_log_names_the_owner_path_and_commit_never_the_token(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="api.editing"):
        answer = retitled(client, "Logged")
    text = caplog.text
    assert "Ada Lovelace" in text and SEED in text and answer.json["commit"][:12] in text
    assert TOKEN not in text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("pages/../data/config.json", 400),
        ("pages/blog/./a.md", 400),
        ("pages//a.md", 400),
        ("pages/a.md%00", 400),
        ("pages/a\\b.md", 400),
        ("pages/.hidden.md", 403),
        ("pages/a.txt", 403),
        ("pages/a.json", 403),
        ("data/a.md", 403),
        ("other/a.md", 403),
        ("pages", 403),
        ("a.md", 403),
    ],
)
def test_only_content_paths_can_be_written(client: FlaskClient, path: str, status: int) -> None:
    document = {"frontMatter": {"type": "PageLayout", "title": "x"}, "body": "", "data": {}}
    answer = put(client, path, document, **{"If-None-Match": "*"})
    assert answer.status_code in (status, 404), answer.json
    assert client.get(f"/api/entries/{path}", headers=AUTH).status_code in (status, 404)


def test_symlinks_are_never_followed(client: FlaskClient, repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.md").write_text("---\ntype: PageLayout\ntitle: Out\n---\n")
    (repo / "content/pages/linked").symlink_to(outside)
    (repo / "content/pages/link.md").symlink_to(outside / "a.md")
    document = {"frontMatter": {"type": "PageLayout", "title": "In"}, "body": ""}
    for path in ("pages/linked/a.md", "pages/linked/b.md", "pages/link.md"):
        answer = put(client, path, document, **{"If-Match": "*"})
        assert answer.status_code == 403, (path, answer.json)
        assert client.get(f"/api/entries/{path}", headers=AUTH).status_code == 403
    assert (outside / "a.md").read_text().endswith("title: Out\n---\n")
    assert not (outside / "b.md").exists()


def test_a_file_over_max_file_bytes_is_413(repo: Path) -> None:
    client = client_of(repo, max_file_bytes=4096)
    found, etag = entry(client)
    document = {"frontMatter": found["frontMatter"], "body": "x" * 5000}
    assert put(client, SEED, document, **{"If-Match": etag}).status_code == 413
    huge = client.put(
        f"/api/entries/{SEED}",
        data=b'{"body": "' + b"y" * 100_000 + b'"}',
        headers={**AUTH, "If-Match": etag},
        content_type="application/json",
    )
    assert huge.status_code == 413


def test_writes_per_token_are_limited(repo: Path) -> None:
    client = client_of(repo, write_rate=0.001)  # one write, then one per 1,000 s
    assert retitled(client, "Once").status_code == 200
    found, etag = entry(client)
    answer = put(
        client, SEED, {"frontMatter": found["frontMatter"], "body": ""}, **{"If-Match": etag}
    )
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1
    other = {"Authorization": f"Bearer {OTHER_TOKEN}", "If-Match": etag}
    document = {"frontMatter": dict(found["frontMatter"], title="Twice"), "body": found["body"]}
    assert client.put(f"/api/entries/{SEED}", json=document, headers=other).status_code == 200


def test_cors_for_writes_only_from_listed_origins(repo: Path) -> None:
    anyone = client_of(repo)
    preflight = anyone.options(
        f"/api/entries/{SEED}",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "PUT"},
    )
    assert preflight.status_code == 204 and "Access-Control-Allow-Origin" not in preflight.headers
    answer = anyone.get(f"/api/entries/{SEED}", headers={**AUTH, "Origin": "https://a.example"})
    assert "Access-Control-Allow-Origin" not in answer.headers
    listed = client_of(repo, cors_origins=("https://editor.example",))
    preflight = listed.options(
        f"/api/entries/{SEED}",
        headers={"Origin": "https://editor.example", "Access-Control-Request-Method": "PUT"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://editor.example"
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    answer = listed.get(
        f"/api/entries/{SEED}", headers={**AUTH, "Origin": "https://editor.example"}
    )
    assert answer.headers["Access-Control-Allow-Origin"] == "https://editor.example"
    assert "ETag" in answer.headers["Access-Control-Expose-Headers"]
    other = listed.get(f"/api/entries/{SEED}", headers={**AUTH, "Origin": "https://b.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    both = client_of(repo, cors_origins=("*", "https://editor.example"))  # any reads, one writes
    named = both.get(f"/api/entries/{SEED}", headers={**AUTH, "Origin": "https://editor.example"})
    assert named.headers["Access-Control-Allow-Origin"] == "https://editor.example"
    anyone = both.get(f"/api/entries/{SEED}", headers={**AUTH, "Origin": "https://b.example"})
    assert "Access-Control-Allow-Origin" not in anyone.headers
    assert (
        both.get("/api/posts", headers={"Origin": "https://b.example"}).headers[
            "Access-Control-Allow-Origin"
        ]
        == "*"
    )


def test_the_content_folder_must_be_under_git(tmp_path: Path) -> None:
    from api.settings import ConfigError

    content = tmp_path / "plain"
    content.mkdir()
    with pytest.raises(ConfigError, match="git"):
        create_app({"content_dir": content, "write_tokens_file": tokens_file(tmp_path)})


def test_pushed_rebased_and_conflicts_refused(repo: Path, tmp_path: Path) -> None:
    """With GIT_PUSH: each write is pushed; a remote that moved is fetched and the write
    rebased on it; the remote's change of the same file is 409 with nothing written."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "fetch", "-q", "origin")
    client = client_of(repo, git_push="origin")
    first = retitled(client, "Pushed")
    assert first.status_code == 200
    assert git(remote, "rev-parse", "main").strip() == first.json["commit"]
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote), str(other))
    config = other / "content/data/config.json"
    config.write_text(config.read_text().replace("Jason Hand", "J. Hand", 1))
    git(other, "commit", "-qam", "Someone else's change")
    git(other, "push", "-q", "origin", "main")
    second = retitled(client, "Rebased")
    assert second.status_code == 200, second.json
    assert git(remote, "log", "--format=%s", "-3").split("\n")[:2] == [
        f"Edit {SEED}",
        "Someone else's change",
    ]
    assert "J. Hand" in (repo / "content/data/config.json").read_text()
    seed = other / "content" / SEED
    git(other, "pull", "-q")
    seed.write_text(seed.read_text().replace("title: Rebased", "title: Theirs"))
    git(other, "commit", "-qam", "Their title")
    git(other, "push", "-q", "origin", "main")
    head = git(repo, "rev-parse", "HEAD")
    conflict = retitled(client, "Mine")
    assert conflict.status_code == 409 and conflict.json["conflicts"] == [SEED]
    assert git(repo, "rev-parse", "HEAD") == head
    assert "title: Rebased" in (repo / "content" / SEED).read_text()
    fsck(repo)


def test_hostile_structures_are_refused_never_a_500(client: FlaskClient, repo: Path) -> None:
    """The bounds of reading hold for writing: nesting, and YAML aliases in what is read back
    (the new file is parsed with the server's safe loader, aliases counted as on read)."""
    found, etag = entry(client)
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(70):
        inner["a"] = {}
        inner = inner["a"]
    front = dict(found["frontMatter"], seo=deep)
    answer = put(client, SEED, {"frontMatter": front, "body": ""}, **{"If-Match": etag})
    assert (
        answer.status_code == 422 and "nested more than 64" in answer.json["errors"][0]["message"]
    )
    bomb = repo / "content/pages/bomb.md"
    levels = "\n".join(
        f"l{n}: &l{n} [*l{n - 1}, *l{n - 1}, *l{n - 1}, *l{n - 1}]" for n in range(1, 12)
    )
    bomb.write_text(f"---\ntype: PageLayout\ntitle: Bomb\nl0: &l0 [x]\n{levels}\n---\n")
    answer = client.get("/api/entries/pages/bomb.md", headers=AUTH)
    assert answer.status_code == 409 and "too many values" in answer.json["message"]
    assert commits(repo) == 1
