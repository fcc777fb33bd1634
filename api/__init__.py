"""A headless content API over a Stackbit / Netlify Create content folder.

``create_app`` (in ``api.app``) builds the service; it is named here so that
``flask --app api`` finds it. Nothing is imported until it is called: a parse
worker or a command that needs one module does not pay for the whole app.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(
    test_config: Mapping[str, Any] | None = None, *, start_background: bool = True
) -> Flask:
    """Build the app (see ``api.app.create_app``)."""
    from api.app import create_app as build

    return build(test_config, start_background=start_background)
