"""Normalising and validating file data against the content model, in one walk.

The walk follows the marshmallow schemas of ``api.schemas`` (the one registry of
model types), so a field is checked exactly as it is served and documented. It
returns new, normalised data (``type`` filled in where the position decides it,
dates in ISO 8601) and every problem with its location in the data, which the
loader turns into a file line.

Errors (a value of the wrong type, a missing field the API itself needs) make the
loader leave the file out; warnings (unknown types and fields, enum values outside
the model, a missing field only the model's editor asks for) do not: themes add
types, fields and values, and drop requirements, and none of that may break a site.
The normalised data keeps every key of the file in the file's order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from marshmallow import fields as ma_fields

from api.content.source.hints import did_you_mean, reference_form
from api.content.source.parsing import describe_type
from api.content.source.paths import reference_key
from api.content.source.problems import MISSING_FIELD, Severity
from api.schemas.model import MODEL_SCHEMAS
from api.schemas.model.fields import (
    MODEL_REQUIRED,
    Count,
    Date,
    Enum,
    Number,
    OneOfModels,
    Resolved,
    StyleValue,
)

Location = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class FieldProblem:
    location: Location
    severity: Severity
    message: str


@dataclass(frozen=True, slots=True)
class ReferenceUse:
    """A reference found in a file: where, to which model type, and its index key."""

    location: Location
    target_type: str
    key: str


@dataclass(slots=True)
class Normalised:
    data: dict[str, Any]
    problems: list[FieldProblem] = field(default_factory=list)
    references: list[ReferenceUse] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(problem.severity is Severity.ERROR for problem in self.problems)


def normalise(data: Mapping[str, Any], type_name: str) -> Normalised:
    """Normalise the top-level object of a file, whose model is ``type_name``."""
    walk = _Walk()
    result = walk.model_object(data, MODEL_SCHEMAS[type_name], ())
    return Normalised(result, walk.problems, walk.references)


def format_location(location: Location) -> str:
    """``("bottomSections", 0, "recentCount")`` -> ``bottomSections[0].recentCount``."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def parse_date(value: Any) -> tuple[str, datetime] | None:
    """ISO 8601 text of a date value and the aware datetime it orders by, or ``None``."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return value.isoformat(), datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                return day.isoformat(), datetime(day.year, day.month, day.day, tzinfo=UTC)
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    iso = moment.isoformat()
    if moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0:  # type: ignore[union-attr]
        iso = iso.removesuffix("+00:00") + "Z"
    return iso, aware


@cache
def _fields_by_key(schema_cls: type) -> dict[str, ma_fields.Field]:
    """A schema's fields by the key files use (``data_key`` when it differs)."""
    declared = schema_cls._declared_fields
    return {fld.data_key or name: fld for name, fld in declared.items() if name != "type"}


_EXPECTED = {
    ma_fields.String: ("a string", (str,)),
    ma_fields.Boolean: ("a boolean", (bool,)),
    Number: ("a number", (int, float)),
}


class _Walk:
    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []
        self.references: list[ReferenceUse] = []

    def error(self, location: Location, message: str) -> None:
        self.problems.append(FieldProblem(location, Severity.ERROR, message))

    def warning(self, location: Location, message: str) -> None:
        self.problems.append(FieldProblem(location, Severity.WARNING, message))

    def _prefix(self, location: Location) -> str:
        return f"{format_location(location)}: " if location else ""

    def model_object(
        self, value: Mapping[str, Any], schema_cls: type, location: Location
    ) -> dict[str, Any]:
        """Walk an object of a model type (or a plain nested schema such as styles).

        The result keeps the file's keys in the file's order, every one of them, known or
        not; a ``type`` the position decides comes after them. Null values are left out,
        as if the field were absent: responses never carry ``null``.
        """
        result: dict[str, Any] = {}
        model_name = getattr(schema_cls, "model_name", None)
        by_key = _fields_by_key(schema_cls)
        for key, item in value.items():
            if not isinstance(key, str):
                self.error(
                    location, f"{self._prefix(location)}field names must be strings, got {key!r}"
                )
                continue
            if key == "type" and model_name:
                result["type"] = model_name  # the callers checked it names this model
                continue
            if item is None:
                continue
            here = (*location, key)
            fld = by_key.get(key)
            if fld is None:
                what = model_name or "this object"
                self.warning(here, f"{format_location(here)}: unknown field for {what}")
                result[key] = without_nulls(item)
            elif fld.dump_only:
                self.warning(
                    here,
                    f"{format_location(here)}: is filled by the API; the file's value is ignored",
                )
                result[key] = without_nulls(item)  # keeps its place; the API fills it in
            else:
                result[key] = self.value(item, fld, here)
        if model_name and "type" not in result:
            result["type"] = model_name
        for key, fld in by_key.items():
            if value.get(key) is not None:
                continue
            if fld.required:
                where = f" of {format_location(location)}" if location else ""
                self.error((*location, key), MISSING_FIELD.format(key) + where)
            elif fld.metadata.get(MODEL_REQUIRED):
                where = f" of {format_location(location)}" if location else ""
                self.warning(
                    (*location, key),
                    f"missing field '{key}'{where}, which the model requires "
                    "(served without it: the theme's default applies)",
                )
        return result

    def value(self, item: Any, fld: ma_fields.Field, location: Location) -> Any:
        if isinstance(fld, Resolved):
            return self.reference(item, fld.reference, location)
        if isinstance(fld, OneOfModels):
            return self.one_of_models(item, fld.type_names, location)
        if isinstance(fld, ma_fields.Nested):
            return self.nested(item, fld.nested, location)  # type: ignore[arg-type]
        if isinstance(fld, ma_fields.List):
            if not self.expect(item, list, "a list", location):
                return item
            return [
                self.value(element, fld.inner, (*location, index))
                for index, element in enumerate(item)
                if element is not None
            ]
        if isinstance(fld, ma_fields.Dict):
            if not self.expect(item, dict, "an object", location):
                return item
            return {
                key: self.value(element, fld.value_field, (*location, key))  # type: ignore[arg-type]
                for key, element in item.items()
                if element is not None
            }
        if isinstance(fld, Date):
            parsed = parse_date(item)
            if parsed is None:
                self.error(
                    location,
                    f"{format_location(location)}: not a date: {item!r} "
                    "(write YYYY-MM-DD or an ISO 8601 date and time)",
                )
                return item
            return parsed[0]
        if isinstance(fld, Count):
            if isinstance(item, bool) or not isinstance(item, int | float) or item < 0 or item % 1:
                self.error(
                    location,
                    f"{format_location(location)}: expected a whole number, 0 or more, "
                    f"got {item!r}",
                )
            return item
        if isinstance(fld, Enum):
            if self.expect(item, str, "a string", location) and item not in fld.values:
                self.warning(
                    location,
                    f"{format_location(location)}: '{item}' is not one of the model's values "
                    f"({', '.join(fld.values)})",
                )
            return item
        if isinstance(fld, StyleValue):
            if isinstance(item, bool) or not isinstance(item, str | int | float | list):
                self.error(
                    location,
                    f"{format_location(location)}: expected a string, a number or a list, "
                    f"got {describe_type(item)}",
                )
            return item
        for field_class, (description, types) in _EXPECTED.items():
            if isinstance(fld, field_class):
                self.expect(item, types, description, location)
                return item
        return item

    def expect(self, item: Any, types: Any, description: str, location: Location) -> bool:
        """Report a value of the wrong type; booleans are never numbers here."""
        if isinstance(item, types) and not (
            isinstance(item, bool) and bool not in _as_tuple(types)
        ):
            return True
        hint = ""
        if isinstance(item, bool) and description == "a string":
            hint = " (YAML reads yes/no/on/off/true/false as booleans: quote the value)"
        self.error(
            location,
            f"{format_location(location)}: expected {description}, got {describe_type(item)}{hint}",
        )
        return False

    def nested(self, item: Any, schema_cls: type, location: Location) -> Any:
        """An object whose model the position decides (``featuredImage``, ``header``...)."""
        if not self.expect(item, dict, "an object", location):
            return item
        model_name = getattr(schema_cls, "model_name", None)
        written = item.get("type")
        if model_name and written is not None and written != model_name:
            self.error(
                location, f"{format_location(location)}: expected a {model_name}, got {written!r}"
            )
            return item
        return self.model_object(item, schema_cls, location)

    def one_of_models(self, item: Any, type_names: tuple[str, ...], location: Location) -> Any:
        """An object of one of several model types, chosen by its ``type``."""
        if not self.expect(item, dict, "an object", location):
            return item
        written = item.get("type")
        if written is None and len(type_names) == 1:
            written = type_names[0]
        if written is None:
            self.error(
                location,
                f"{format_location(location)}: object has no 'type' "
                f"(one of: {', '.join(type_names)})",
            )
            return item
        if not isinstance(written, str):
            self.error(location, f"{format_location(location)}.type: expected a string")
            return item
        if written in type_names:
            return self.model_object(item, MODEL_SCHEMAS[written], location)
        if written in MODEL_SCHEMAS:
            self.error(
                location,
                f"{format_location(location)}: a {written} is not allowed here "
                f"(one of: {', '.join(type_names)})",
            )
        else:
            self.warning(
                location,
                f"{format_location(location)}: unknown type '{written}'"
                f"{did_you_mean(written, type_names)}, served as it is in the file",
            )
        return without_nulls(item)

    def reference(self, item: Any, target_type: str, location: Location) -> Any:
        if not self.expect(item, str, "a string", location):
            return item
        key = reference_key(item)
        if key is None:
            self.error(
                location,
                f"{format_location(location)}: '{item}' is not a path inside the content folder "
                f"(write {reference_form(target_type)})",
            )
            return item
        self.references.append(ReferenceUse(location, target_type, key))
        return item


def without_nulls(value: Any) -> Any:
    """``value`` with every null left out, at any depth: what the API serves of data it
    does not know (an unknown field or type), since responses never carry ``null``."""
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value if item is not None]
    return value


def _as_tuple(types: Any) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def model_type_of(data: Mapping[str, Any]) -> Any:
    """A page's model name: ``type``, or ``layout`` as older themes write it."""
    written = data.get("type")
    return written if written is not None else data.get("layout")


__all__ = [
    "FieldProblem",
    "Location",
    "Normalised",
    "ReferenceUse",
    "format_location",
    "model_type_of",
    "normalise",
    "parse_date",
    "without_nulls",
]
