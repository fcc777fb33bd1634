"""Summaries: the short forms of posts, projects and authors that lists and sections embed.

Embedded posts and projects are always summaries, never resolved pages, so a page
that features a post cannot recurse into that post's own sections.
"""

from __future__ import annotations

from marshmallow import fields

from api.schemas.base import ContentSchema
from api.schemas.blocks import ImageBlockSchema
from api.schemas.fields import Date, Text


class AuthorSummarySchema(ContentSchema):
    """The author of a post, as lists and post cards show them."""

    slug = fields.String(required=True, metadata={"example": "jason-hand"})
    name = fields.String(
        required=True, metadata={"description": "First and last name.", "example": "Jason Hand"}
    )
    firstName = Text(required=True)
    lastName = Text()
    image = fields.Nested(ImageBlockSchema)


class PostSummarySchema(ContentSchema):
    """A post as lists, feeds and post sections show it."""

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
        required=True, metadata={"description": "Minutes to read, at least 1."}
    )
    wordCount = fields.Integer(required=True)
    tags = fields.List(fields.String(), required=True)
    isDraft = fields.Boolean(metadata={"description": "Present, true, on drafts in preview."})


class ProjectSummarySchema(ContentSchema):
    """A project as project feeds and sections show it."""

    slug = fields.String(required=True)
    url = fields.String(required=True)
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
