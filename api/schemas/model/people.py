"""Authors: the ``Person`` model plus what the API derives (slug, name, post count)."""

from __future__ import annotations

from marshmallow import fields

from api.schemas.model.data import PersonSchema
from api.schemas.model.localized import LocalizedFieldsSchema


class AuthorSchema(LocalizedFieldsSchema, PersonSchema):
    """A person of ``data/team/``, with their slug, full name and number of published posts."""

    slug = fields.String(required=True, metadata={"example": "jason-hand"})
    name = fields.String(required=True, metadata={"description": "First and last name."})
    postCount = fields.Integer(required=True, metadata={"description": "Published posts."})
