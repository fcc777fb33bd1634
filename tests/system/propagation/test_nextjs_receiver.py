"""The example Next.js receiver (examples/nextjs-webhook): its own tests under node's test
runner, including a webhook signed by this API's signer (the fixture it reads is checked here
to be exactly what the API sends)."""

from __future__ import annotations

import json
import subprocess

from api.propagation.notice import change_body, signature
from tests.support.changes import change
from tests.support.proxies import ensure_installed
from tests.support.sites import ROOT
from tests.support.waiting import deadline

EXAMPLE = ROOT / "examples" / "nextjs-webhook"
FIXTURE = EXAMPLE / "test" / "signed-by-the-api.json"


def signed_by_the_api() -> dict[str, str]:
    secret = "example-secret"
    body = change_body(
        change("v2", "v1", keys=("post-hello", "posts"), paths=("/blog/hello", "/blog"))
    )
    return {"secret": secret, "body": body.decode(), "signature": signature(body, secret)}


def test_the_fixture_is_what_the_api_signs():
    assert json.loads(FIXTURE.read_text()) == signed_by_the_api()


def test_the_receiver_checks_signatures_and_revalidates_paths():
    node = ensure_installed("node", ["nodejs"])

    done = subprocess.run(
        [node, "--test", "test/"],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=deadline(120),
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout and "# skipped 0" in done.stdout
    assert "# pass 6" in done.stdout
