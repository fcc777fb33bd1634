"""Fixtures for every test: apps over the bundled site, the real corpus, and small sites written
per test. Shared helpers live in tests/support/ (never import a test module or a conftest)."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from tests.support.sites import BUNDLED_CONTENT, CORPUS, SiteWriter


@pytest.fixture(scope="session")
def app() -> Flask:
    """The app over the bundled sample site, as `make run` serves it."""
    return create_app({"content_dir": BUNDLED_CONTENT})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def corpus_app() -> Flask:
    """The app over the real Stackbit "Personal" theme content (tests/fixtures/corpus)."""
    return create_app({"content_dir": CORPUS})


@pytest.fixture
def corpus_client(corpus_app: Flask) -> FlaskClient:
    return corpus_app.test_client()


@pytest.fixture
def make_site(tmp_path: Path) -> SiteWriter:
    """Write a content folder: ``make_site({"pages/blog/a.md": "..."}, base=CORPUS)``.

    Texts are dedented; ``base`` copies a whole tree first, so a test can break one
    file of a real site.
    """

    def write(files: dict[str, str | bytes], base: Path | None = None) -> Path:
        root = tmp_path / "content"
        if base is not None and not root.exists():
            shutil.copytree(base, root)
        root.mkdir(exist_ok=True)
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return write


@pytest.fixture
def site_client(make_site: SiteWriter) -> Callable[..., FlaskClient]:
    """An app over a site written by ``make_site``, returned as a test client."""

    def build(
        files: dict[str, str | bytes], base: Path | None = None, **settings: object
    ) -> FlaskClient:
        root = make_site(files, base)
        return create_app({"content_dir": root, **settings}).test_client()

    return build


def pytest_configure(config: pytest.Config) -> None:
    """Keep the tests' parse caches out of the user's home, in a folder of this run;
    no watcher threads unless a test asks for one."""
    import os
    import tempfile

    os.environ["PARSE_CACHE_DIR"] = tempfile.mkdtemp(prefix="content-api-test-cache-")
    os.environ["CONTENT_WATCH"] = "0"  # the tests that watch turn it on for their app
