"""The page envelope of every list endpoint and the query arguments that choose a page."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas.model.base import ContentSchema

MAX_PAGE = 2**31 - 1
MAX_PAGE_SIZE = 100


class PaginationSchema(Schema):
    """Where this page sits in the whole list."""

    page = fields.Integer(required=True, metadata={"example": 1})
    pageSize = fields.Integer(required=True, metadata={"example": 10})
    totalItems = fields.Integer(required=True, metadata={"example": 14})
    totalPages = fields.Integer(required=True, metadata={"example": 2})


def page_of(item_schema: type[Schema], name: str) -> type[ContentSchema]:
    """A ``{"items": [...], "pagination": {...}}`` schema for ``item_schema``."""
    return type(
        name,
        (ContentSchema,),
        {
            "__doc__": f"A page of {item_schema.__name__.removesuffix('Schema')}.",
            "items": fields.List(fields.Nested(item_schema), required=True),
            "pagination": fields.Nested(PaginationSchema, required=True),
        },
    )


class PaginationArgsSchema(Schema):
    """``page`` and ``page_size`` of a list; unknown parameters are ignored."""

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number, from 1. A page past the last is empty."},
    )
    page_size = fields.Integer(
        load_default=10,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": "Items per page, 1 to 100."},
    )
