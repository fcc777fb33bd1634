"""Base schemas and the one ``type`` -> schema registry.

The registry is the single place that knows which schema belongs to a model
type; validating files and the OpenAPI document both look types up here, so a
new type is one decorated class.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, ClassVar, TypeVar

from marshmallow import Schema, fields, validate

MODEL_SCHEMAS: dict[str, type[ModelSchema]] = {}
SECTION_TYPES: list[str] = []

SchemaT = TypeVar("SchemaT", bound=type["ModelSchema"])

# The OpenAPI schema of an object of a type the model does not know (served as it is).
UNKNOWN_OBJECT = "UnknownObject"


class ContentSchema(Schema):
    """Base of every response schema: it documents an answer; it does not reshape it.

    The documents of ``api.content.documents`` are built in their final form: every
    field of the file, known to the model or not, in the file's key order, with what
    the API derives after them, and no ``null`` (a field absent from the file is absent
    from the answer: JavaScript components default their props by destructuring, which
    ``null`` defeats). Dumping through marshmallow would put the declared fields
    first and drop the others, so a schema hands the document on as it is; the
    OpenAPI document is generated from the schemas, and the tests validate every
    answer of several sites against it.
    """

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        return obj


class ModelSchema(ContentSchema):
    """A type of the content model.

    Fields a theme adds that the model does not list are kept in responses as they
    are in the file (``content check`` warns about them): a theme's new field must
    not vanish between the file and the page. The OpenAPI document allows them
    without typing them (no ``additionalProperties`` keyword: allowed by JSON Schema,
    while generated TypeScript types still reject a misspelled field name).
    """

    model_name: ClassVar[str]

    # Declared here so that ``type`` leads every model object in the document; ``model()``
    # fills in its value.
    type = fields.String(required=True)


def model(name: str, *, section: bool = False) -> Callable[[SchemaT], SchemaT]:
    """Register a schema as the model type ``name`` and give it its ``type`` field."""

    def register(cls: SchemaT) -> SchemaT:
        if name in MODEL_SCHEMAS:
            raise ValueError(f"model type {name} registered twice")
        type_field = fields.String(
            required=True,
            validate=validate.OneOf([name]),
            metadata={"description": "The model type of this object."},
        )
        declared = dict(cls._declared_fields)
        declared["type"] = type_field
        cls._declared_fields = declared
        cls.model_name = name
        MODEL_SCHEMAS[name] = cls
        if section:
            SECTION_TYPES.append(name)
        return cls

    return register


def section_types() -> list[str]:
    """Every section type (the model's ``sectionComponent`` group)."""
    return SECTION_TYPES


@cache
def schema_for_type(name: str) -> ModelSchema:
    """One shared instance per model type; marshmallow schemas dump statelessly."""
    return MODEL_SCHEMAS[name]()
