"""The flask-smorest ``Api``: error payloads in the contract's shape, and the spec's model types.

Errors: ``{"code", "status", "message"}``, plus ``errors`` (parameter -> reasons)
for invalid query values; never a stack trace. Spec: ``model<A|B>`` fields become
``oneOf`` with a ``discriminator`` on ``type``, with an open ``UnknownObject``
beside the known types, because a theme's new section type is served as it is;
enums are open and content objects allow fields the model does not list, for the
same reason: the document must accept every answer, whatever site is served.

The document is built when it is first read (``/api/openapi.json``, ``flask openapi write``),
not when the app is: describing every operation is most of what building an app costs, and
most apps (a worker that never serves the document, every app a test builds) never read it.
"""

from __future__ import annotations

import inspect
import threading
from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin, OpenAPIConverter
from flask import Flask
from flask_smorest import Api, Blueprint
from werkzeug.exceptions import HTTPException

from api.schemas.answers.errors import ErrorSchema
from api.schemas.model import MODEL_SCHEMAS
from api.schemas.model.base import UNKNOWN_OBJECT, ContentSchema
from api.schemas.model.fields import Enum, Number, OneOfModels, StyleValue

_DEFAULT_MESSAGES = {
    404: "Not found",
    405: "Method not allowed",
    500: "Internal server error: the error was logged",
}


class ContentConverter(OpenAPIConverter):
    """Gives every schema a title and a description (what generators name and document
    types after), and lets a schema describe itself (``openapi_document``) for ``oneOf``
    documents."""

    def schema2jsonschema(self, schema: Any) -> dict[str, Any]:
        describe = getattr(schema, "openapi_document", None)
        document = describe(self) if describe is not None else super().schema2jsonschema(schema)
        schema_class = schema if isinstance(schema, type) else type(schema)
        if issubclass(schema_class, ContentSchema):
            # Content objects carry every field of their file, known or not. Without the
            # keyword, JSON Schema allows the fields not listed, while openapi-typescript
            # types only the listed ones: a misspelled field name fails to compile.
            document.pop("additionalProperties", None)
        name = schema_class.__name__.removesuffix("Schema")
        return {"title": name, "description": _description(schema_class, name), **document}


class ContentMarshmallowPlugin(MarshmallowPlugin):
    Converter = ContentConverter


class ContentApi(Api):
    """flask-smorest's ``Api``, with errors in the contract's shape and a document built when
    first read: ``register_blueprint`` routes the views at once and leaves their description
    for ``spec``'s first reader, in the order they were registered (the same document)."""

    ERROR_SCHEMA = ErrorSchema

    def __init__(self, app: Flask | None = None, **kwargs: Any) -> None:
        self._undocumented: list[tuple[Blueprint, str, Any]] = []
        self._described = threading.Event()  # set while nothing registered is left to describe
        self._describing = threading.Lock()  # two first readers at once: one describes
        self._spec: Any = None
        self._failure: Exception | None = None  # a description that failed fails every read
        super().__init__(app, **kwargs)

    @property
    def spec(self) -> Any:
        """The ``APISpec``, with every registered blueprint's operations described."""
        if not self._described.is_set():
            with self._describing:
                if self._failure is not None:  # never a document quietly missing a part
                    raise self._failure
                try:
                    while self._undocumented:
                        blueprint, name, parameters = self._undocumented[0]
                        blueprint.register_views_in_doc(
                            self, self._app, self._spec, name=name, parameters=parameters
                        )
                        self._spec.tag({"name": name, "description": blueprint.description})
                        self._undocumented.pop(0)
                except Exception as error:
                    self._failure = error
                    raise
                self._described.set()
        return self._spec

    @spec.setter
    def spec(self, value: Any) -> None:
        self._spec = value

    def register_blueprint(self, blp: Blueprint, *, parameters: Any = None, **options: Any) -> None:
        """Route ``blp``'s views now; describe them in the document when it is first read
        (what flask-smorest's own ``register_blueprint`` does at once)."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))
        self._described.clear()

    def handle_http_exception(self, error: HTTPException) -> tuple[dict[str, Any], int, Any]:
        code = error.code or 500
        payload: dict[str, Any] = {"code": code, "status": error.name}
        data = getattr(error, "data", None) or {}
        messages = data.get("errors") or data.get("messages")
        if messages:
            body = isinstance(messages, dict) and "json" in messages
            payload["message"] = "Invalid request body" if body else "Invalid query parameters"
            payload["errors"] = _by_parameter(messages)
        else:
            payload["message"] = data.get("message") or _DEFAULT_MESSAGES.get(code) or error.name
        headers = [
            (name, value)
            for name, value in error.get_headers()
            if name.lower() not in {"content-type", "content-length"}
        ]
        headers.extend((data.get("headers") or {}).items())
        return payload, code, headers

    def document_model_types(self) -> None:
        """Teach the spec the model's field kinds; call after ``init_app``."""
        self.spec.components.schema(
            UNKNOWN_OBJECT,
            {
                "title": UNKNOWN_OBJECT,
                "type": "object",
                "description": "An object of a type the API does not know (a theme's own "
                "section, say), served as it is in the file. Its `type` is the file's own type "
                "name, never one of the known ones; generators that name discriminator values "
                "after schemas (openapi-typescript) show it as `UnknownObject`, so treat the "
                "`default` branch of a switch on `type` as the unknown case.",
                "properties": {"type": {"type": "string", "not": {"enum": sorted(MODEL_SCHEMAS)}}},
                "required": ["type"],
                "additionalProperties": True,
            },
        )
        self.spec.components.schemas.pop("PaginationMetadata", None)  # flask-smorest's, unused
        self.register_field(Number, "number", None)
        self.ma_plugin.converter.add_attribute_function(_one_of_models)
        self.ma_plugin.converter.add_attribute_function(_style_value)
        self.ma_plugin.converter.add_attribute_function(_open_enum)


def init_app(app: Flask, *, version: str, description: str) -> ContentApi:
    """The API's OpenAPI document at ``/api/openapi.json``, with the model's field kinds."""
    app.config.update(
        API_TITLE="Content API",
        API_VERSION=version,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"info": {"description": description}},
    )
    api = ContentApi(app, spec_kwargs={"marshmallow_plugin": ContentMarshmallowPlugin()})
    api.document_model_types()
    return api


def _description(schema_class: type, name: str) -> str:
    """The schema's docstring (its first paragraph), or what the model type is."""
    doc = schema_class.__dict__.get("__doc__")
    if doc:
        first_paragraph = inspect.cleandoc(doc).split("\n\n")[0]
        return " ".join(first_paragraph.split()).replace("``", "`")
    model_name = getattr(schema_class, "model_name", None)
    if model_name:
        return f"An object of the content model's `{model_name}` type, as its file has it."
    return name


def _by_parameter(messages: Any) -> dict[str, list[str]]:
    """webargs nests reasons by location (``{"query": {"page": [...]}}``); clients want names."""
    flat: dict[str, list[str]] = {}
    for location_errors in messages.values():
        if not isinstance(location_errors, dict):
            continue
        for name, reasons in location_errors.items():
            if isinstance(reasons, dict):  # a list parameter: reasons by item index
                reasons = [r for item in reasons.values() for r in item]
            flat[str(name)] = [str(reason) for reason in reasons]
    return flat


def _one_of_models(self: Any, field: Any, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    if not isinstance(field, OneOfModels):
        return {}
    mapping = {
        name: self.resolve_nested_schema(MODEL_SCHEMAS[name])["$ref"] for name in field.type_names
    }
    return {
        "oneOf": [{"$ref": ref} for ref in mapping.values()]
        + [{"$ref": f"#/components/schemas/{UNKNOWN_OBJECT}"}],
        "discriminator": {"propertyName": "type", "mapping": mapping},
    }


def _style_value(self: Any, field: Any, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    if not isinstance(field, StyleValue):
        return {}
    return {
        "oneOf": [
            {"type": "string"},
            {"type": "number"},
            {"type": "array", "items": {"type": "string"}},
        ]
    }


def _open_enum(self: Any, field: Any, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """An enum of the model, open: its known values, or any other string.

    Themes widen enums (``colors-f``...) and the API serves what the file says, so a
    closed ``enum`` would make validating clients reject real answers. ``anyOf`` keeps
    the known values listed (editors, typed clients) beside a plain string;
    openapi-typescript writes it as a union of the literals and ``string``, and
    openapi-python-client parses a known value as its enum and any other as ``str``.
    """
    if not isinstance(field, Enum):
        return {}
    ret.pop("type", None)
    return {"anyOf": [{"type": "string", "enum": list(field.values)}, {"type": "string"}]}
