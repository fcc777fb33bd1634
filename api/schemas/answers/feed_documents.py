"""The feeds' query arguments and the JSON Feed 1.1 document.

JSON Feed's field names are the spec's own (snake_case): clients read it with
feed readers' code, not with ours. Absent values are left out, as the spec asks.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from api.schemas.model.base import ContentSchema

SLUG_LENGTH = validate.Length(min=1, max=200)


class FeedArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    author = fields.String(
        validate=SLUG_LENGTH,
        metadata={"description": "Only this author's posts (an author slug); 404 if unknown."},
    )
    tag = fields.String(
        validate=SLUG_LENGTH,
        metadata={
            "description": "Only posts with this tag (its slug: the lower-case, hyphenated "
            "name); 404 if no post has it."
        },
    )


class JsonFeedAuthorSchema(ContentSchema):
    """An author of a JSON Feed or of one of its items."""

    name = fields.String(required=True, metadata={"example": "Jason Hand"})
    avatar = fields.String(metadata={"description": "Absolute URL of the author's image."})


class JsonFeedItemSchema(ContentSchema):
    """One post of a JSON Feed."""

    id = fields.String(
        required=True,
        metadata={"description": "The post's absolute URL; it does not change with the title."},
    )
    url = fields.String(required=True, metadata={"description": "The post's page (absolute)."})
    title = fields.String(required=True)
    content_html = fields.String(
        required=True,
        metadata={"description": "The whole post as HTML, every link and image absolute."},
    )
    summary = fields.String(metadata={"description": "The post's excerpt, plain text."})
    image = fields.String(metadata={"description": "Absolute URL of the featured image."})
    date_published = fields.String(
        metadata={"description": "RFC 3339, UTC.", "example": "2025-01-30T00:00:00Z"}
    )
    authors = fields.List(fields.Nested(JsonFeedAuthorSchema))
    tags = fields.List(fields.String())


class JsonFeedSchema(ContentSchema):
    """A JSON Feed 1.1 document (https://www.jsonfeed.org/version/1.1/)."""

    version = fields.String(
        required=True,
        validate=validate.OneOf(["https://jsonfeed.org/version/1.1"]),
        metadata={"example": "https://jsonfeed.org/version/1.1"},
    )
    title = fields.String(required=True)
    home_page_url = fields.String(metadata={"description": "The blog on the front end."})
    feed_url = fields.String(metadata={"description": "This feed's own URL."})
    description = fields.String()
    favicon = fields.String()
    language = fields.String(metadata={"example": "en-US"})
    authors = fields.List(fields.Nested(JsonFeedAuthorSchema))
    items = fields.List(fields.Nested(JsonFeedItemSchema), required=True)
