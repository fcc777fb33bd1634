"""Fixtures of the unit tests: a copy of the bundled site to change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.sites import BUNDLED_CONTENT


@pytest.fixture
def site(make_site) -> Path:
    """A copy of the bundled site, for a test to edit."""
    return make_site({}, base=BUNDLED_CONTENT)
