"""Field types of the content model, as marshmallow fields.

Each class names one kind of model field (``markdown``, ``enum``, ``model<A|B>``,
``reference<T>``). The same classes drive three things: dumping responses, the
OpenAPI document, and the loader's validation of files (``api.content.source.validation``
dispatches on them), so a field declared once is checked, served and documented
alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from marshmallow import fields


class Text(fields.String):
    """A plain string of the model (``string``, ``color``, ``image`` URLs)."""


class Markdown(fields.String):
    """A ``markdown`` field: served as the Markdown source, as the model defines it."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"description": "Markdown source.", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)


# Field metadata: the content model requires the field (its editor asks for it), but the API
# does not need it. A file without it is served, with a warning from ``content check``:
# themes drop such requirements (the Starter theme's Button has no required ``style``).
# The OpenAPI document shows it as ``x-model-required: true``, not in ``required``.
MODEL_REQUIRED = "x-model-required"
MODEL_REQUIRES = {MODEL_REQUIRED: True}


class Enum(fields.String):
    """A string with documented values.

    Themes widen enums (more ``colors-*`` values), so a value outside the list is
    served and only warned about by ``content check``; hence no ``OneOf`` validator,
    and an open enum in the OpenAPI document (the known values, or any string).
    """

    def __init__(self, values: Sequence[str], **kwargs: Any) -> None:
        self.values = tuple(values)
        super().__init__(**kwargs)


class Number(fields.Field):
    """A ``number`` of the model, served as written (``75`` stays ``75``, not ``75.0``)."""


class Count(Number):
    """A ``number`` the API itself counts with (a feed page's page size): a whole number, 0 or
    more; anything else is a content error."""


class Date(fields.String):
    """A ``date``: ISO 8601, a date (``2025-01-30``) or a timestamp when the file has a time."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "description": "ISO 8601 date, or date and time when the content has a time.",
            "example": "2025-01-30",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)


class Boolean(fields.Boolean):
    """A ``boolean`` of the model; only YAML/JSON booleans are accepted in files."""


class StyleValue(fields.Field):
    """One property of a ``styles`` object: a string, a number or a list of strings."""


class OneOfModels(fields.Field):
    """A ``model<A|B|...>`` field: an object whose ``type`` picks its schema.

    The allowed names are resolved lazily through the registry, so sections can
    name the section group before every section schema is defined. An object of a
    type the API does not know is served as it is in the file.
    """

    def __init__(
        self,
        *type_names: str,
        group: Callable[[], Sequence[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        if bool(type_names) == bool(group):
            raise ValueError("give either model type names or a group, not both")
        self._type_names = tuple(type_names)
        self._group = group
        super().__init__(**kwargs)

    @property
    def type_names(self) -> tuple[str, ...]:
        return self._type_names or tuple(self._group())  # type: ignore[misc]


class Resolved(fields.Nested):
    """A ``reference<T>`` field: a file path in the content, the resolved object in responses."""

    def __init__(self, nested: Any, *, reference: str, **kwargs: Any) -> None:
        self.reference = reference
        metadata = {
            "description": f"Resolved from a path to a {reference} file in the content.",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(nested, metadata=metadata, **kwargs)
