"""Summaries: the short forms of posts, projects and authors that lists and sections embed.

Embedded posts and projects are always summaries, never resolved pages, so a page
that features a post cannot recurse into that post's own sections. A summary
carries its file's fields that it shows, in the file's order, then what the API
derives; like every object of the model it names its model as ``type``.
"""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.model.base import ContentSchema
from api.schemas.model.blocks import ImageBlockSchema
from api.schemas.model.fields import Date, Text
from api.schemas.model.localized import locale_field


def ModelType(name: str) -> fields.String:
    """The ``type`` of a summary: the model of the file it summarises."""
    return fields.String(
        required=True,
        validate=validate.OneOf([name]),
        metadata={"description": "The model type of the file this summarises."},
    )


class AuthorSummarySchema(ContentSchema):
    """The author of a post, as lists and post cards show them."""

    type = ModelType("Person")
    slug = fields.String(required=True, metadata={"example": "jason-hand"})
    name = fields.String(
        required=True, metadata={"description": "First and last name.", "example": "Jason Hand"}
    )
    firstName = Text()
    lastName = Text()
    image = fields.Nested(ImageBlockSchema)


class PostSummarySchema(ContentSchema):
    """A post as lists, feeds and post sections show it."""

    type = ModelType("PostLayout")
    slug = fields.String(required=True, metadata={"example": "ai-security-and-the-end-of-silos"})
    url = fields.String(
        required=True,
        metadata={
            "description": "URL path of the post.",
            "example": "/blog/ai-security-and-the-end-of-silos",
        },
    )
    title = Text(required=True)
    date = Date(required=True)
    excerpt = Text()
    featuredImage = fields.Nested(ImageBlockSchema)
    author = fields.Nested(AuthorSummarySchema)
    readingTime = fields.Integer(
        metadata={"description": "Minutes to read, at least 1; absent when the post has no body."}
    )
    wordCount = fields.Integer(
        metadata={"description": "Words of the body; absent when the post has no body."}
    )
    tags = fields.List(fields.String(), required=True)
    isDraft = fields.Boolean(metadata={"description": "Present, true, on drafts in preview."})
    locale = locale_field()


class ProjectSummarySchema(ContentSchema):
    """A project as project feeds and sections show it."""

    type = ModelType("ProjectLayout")
    slug = fields.String(required=True)
    url = fields.String(required=True)
    locale = locale_field()
    title = Text(required=True)
    date = Date(required=True)
    client = Text()
    description = Text()
    featuredImage = fields.Nested(ImageBlockSchema)


class TocEntrySchema(ContentSchema):
    """One heading of a rendered Markdown body."""

    id = fields.String(required=True, metadata={"description": "The heading's anchor id."})
    title = fields.String(required=True)
    level = fields.Integer(required=True, metadata={"description": "1 for h1 ... 6 for h6."})
