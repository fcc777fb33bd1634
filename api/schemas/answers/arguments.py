"""Query arguments of the endpoints; unknown parameters are ignored (cache busters must work)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from api.schemas.answers.paging import MAX_PAGE_SIZE, PaginationArgsSchema


class PostListArgsSchema(PaginationArgsSchema):
    class Meta:
        unknown = EXCLUDE

    author = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Only this author's posts (an author slug)."},
    )
    tag = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Only posts with this tag."},
    )
    sort = fields.String(
        load_default="-date",
        validate=validate.OneOf(["-date", "date", "title", "-title"]),
        metadata={"description": "Order: newest first (default), oldest first, or by title."},
    )


class PageArgsSchema(PaginationArgsSchema):
    class Meta:
        unknown = EXCLUDE


class RecentPostsArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(
        load_default=3,
        validate=validate.Range(min=1, max=50),
        metadata={"description": "How many posts, 1 to 50."},
    )
    exclude = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Leave out the post with this slug (the one being read)."},
    )


class IncludeArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    include = fields.String(
        validate=validate.OneOf(["markdown"]),
        metadata={"description": "`markdown` adds the raw Markdown body as `markdown`."},
    )


class PageLookupArgsSchema(PaginationArgsSchema):
    class Meta:
        unknown = EXCLUDE

    page_size = fields.Integer(
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={
            "description": "Items per page of a feed page, 1 to 100. Default: the page's own "
            "`numOfPostsPerPage` (`numOfProjectsPerPage`) if it has one, else 10."
        },
    )

    path = fields.String(
        required=True,
        validate=validate.Length(min=1, max=512),
        metadata={"description": "URL path of the page, e.g. `/`, `/blog`, `/blog/post-one`."},
    )
    include = fields.String(
        validate=validate.OneOf(["markdown"]),
        metadata={"description": "`markdown` adds the raw Markdown body as `markdown`."},
    )
