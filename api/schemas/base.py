"""Base schemas and the one ``type`` -> schema registry.

The registry is the single place that knows which schema belongs to a model
type; loading (validation), dumping and the OpenAPI document all look types up
here, so a new type is one decorated class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, ClassVar, TypeVar

from marshmallow import INCLUDE, Schema, fields, missing, post_dump, validate

MODEL_SCHEMAS: dict[str, type[ModelSchema]] = {}
SECTION_TYPES: list[str] = []

SchemaT = TypeVar("SchemaT", bound=type["ModelSchema"])


class ContentSchema(Schema):
    """Base of every response schema.

    A value that is absent or null is left out of the response, never ``null``:
    JavaScript components default their props by destructuring, which ``null``
    defeats.
    """

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        value = super().get_attribute(obj, attr, default)
        return missing if value is None else value


class ModelSchema(ContentSchema):
    """A type of the content model.

    Fields a theme adds that the model does not list are kept in responses as they
    are in the file (``content check`` warns about them): a theme's new field must
    not vanish between the file and the page.
    """

    model_name: ClassVar[str]

    # Declared here so that ``type`` leads every model object; ``model()`` fills in its value.
    type = fields.String(required=True)

    class Meta:
        unknown = INCLUDE

    @post_dump(pass_original=True)
    def keep_fields_the_model_does_not_list(
        self, data: dict[str, Any], original: Any, **kwargs: Any
    ) -> dict[str, Any]:
        if isinstance(original, Mapping):
            listed = self.file_keys()
            for key, value in original.items():
                if key not in listed and value is not None:
                    data[key] = value
        return data

    @classmethod
    @cache
    def file_keys(cls) -> frozenset[str]:
        """The keys the model lists for this type, as written in files."""
        return frozenset(field.data_key or name for name, field in cls._declared_fields.items())


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
