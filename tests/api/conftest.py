"""Fixtures of the HTTP tests: the OpenAPI document the answers are checked against."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.support.spec import served_spec


@pytest.fixture(scope="session")
def spec(app: Flask) -> dict[str, Any]:
    """The OpenAPI document the app serves. It is made from the code alone: every site's app
    serves these very bytes (test_openapi checks them against the committed file)."""
    return served_spec(app)
