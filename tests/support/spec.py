"""The OpenAPI document, served or committed, and JSON Schema validators made from it: for the
answer of one operation, or for one of its schemas; ``#/components`` refs resolve in it."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from jsonschema import Draft4Validator

from tests.support.sites import ROOT

COMMITTED_SPEC = ROOT / "openapi" / "openapi.json"


def served_spec(app: Flask) -> dict[str, Any]:
    """The document ``app`` serves at /api/openapi.json."""
    return app.test_client().get("/api/openapi.json").get_json()


def committed_spec() -> dict[str, Any]:
    """openapi/openapi.json as committed (``make spec`` writes it)."""
    return json.loads(COMMITTED_SPEC.read_text(encoding="utf-8"))


def validator_for(spec: dict[str, Any], schema: dict[str, Any], validator=Draft4Validator):
    """A validator of ``schema`` (by default JSON Schema draft 4, what OpenAPI 3.0 builds on)."""
    return validator({"allOf": [schema], "components": spec["components"]})


def response_validator(
    spec: dict[str, Any],
    path: str,
    method: str = "get",
    status: str = "200",
    validator=Draft4Validator,
):
    """A validator of the JSON answer the document gives ``method path`` for ``status``."""
    response = spec["paths"][path][method]["responses"][status]
    return validator_for(spec, response["content"]["application/json"]["schema"], validator)


def component_validator(spec: dict[str, Any], name: str, validator=Draft4Validator):
    """A validator of ``#/components/schemas/<name>``."""
    return validator_for(spec, {"$ref": f"#/components/schemas/{name}"}, validator)
