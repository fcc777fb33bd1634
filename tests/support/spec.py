"""The OpenAPI document, served or committed, and JSON Schema validators made from it: for the
answer of one operation, or for one of its schemas; ``#/components`` refs resolve in it."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from jsonschema import Draft4Validator, validators

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


def _type_or_nullable(validator, types, instance, schema):
    """JSON Schema's ``type``, with OpenAPI 3.0's ``nullable: true`` letting ``null`` through."""
    if instance is None and schema.get("nullable") is True:
        return
    yield from Draft4Validator.VALIDATORS["type"](validator, types, instance, schema)


# Draft 4 as OpenAPI 3.0 uses it: ``nullable`` honoured, ``discriminator`` left to ``oneOf``
# (a theme's unknown section type is an ``UnknownObject``, not a schema named after it).
OpenApi30Validator = validators.extend(Draft4Validator, {"type": _type_or_nullable})


def answer_validator(spec: dict[str, Any], path: str, status: str, media_type: str):
    """A validator of the answer ``GET path`` gives with ``status`` in ``media_type`` (JSON or a
    JSON media type such as JSON Feed's), or ``None`` where the document gives it no schema."""
    response = spec["paths"][path]["get"]["responses"].get(status, {})
    content = response.get("content", {}).get(media_type.split(";")[0].strip())
    if content is None or "schema" not in content:
        return None
    return validator_for(spec, content["schema"], OpenApi30Validator)
