"""One version everywhere: the package, ``/api``, the OpenAPI document and the TypeScript
client say the same (``api/version.py`` is the one place it is written)."""

from __future__ import annotations

import json
from importlib import metadata

from api.version import VERSION
from tests.support.sites import ROOT


def test_the_package_the_api_the_document_and_the_client_share_one_version(client):
    client_package = json.loads((ROOT / "clients/typescript/package.json").read_text())
    client_lock = json.loads((ROOT / "clients/typescript/package-lock.json").read_text())
    document = json.loads((ROOT / "openapi/openapi.json").read_text())

    assert metadata.version("content-api") == VERSION
    assert client.get("/api").get_json()["version"] == VERSION
    assert client.get("/api/openapi.json").get_json()["info"]["version"] == VERSION
    assert document["info"]["version"] == VERSION
    assert client_package["version"] == VERSION
    assert client_lock["version"] == client_lock["packages"][""]["version"] == VERSION


def test_the_servers_print_it(capsys):
    import pytest

    from api import develop, serve

    for module in (serve, develop):
        with pytest.raises(SystemExit) as exited:
            module.main(["--version"])
        assert exited.value.code == 0
        assert capsys.readouterr().out.strip() == f"content-api {VERSION}"
