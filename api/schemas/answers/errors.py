"""The one error shape every endpoint answers with."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErrorSchema(Schema):
    """An error: its HTTP status code and name, what went wrong, and per-parameter reasons."""

    code = fields.Integer(required=True, metadata={"example": 404})
    status = fields.String(required=True, metadata={"example": "Not Found"})
    message = fields.String(metadata={"example": "No post with slug 'x'"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "For 422: each invalid query parameter and why.",
            "example": {
                "page_size": ["Must be greater than or equal to 1 and less than or equal to 100."]
            },
        },
    )
