"""Response envelopes of the endpoints, built from the content schemas."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.schemas.answers.paging import page_of
from api.schemas.answers.propagation_status import PropagationSchema
from api.schemas.model.base import ContentSchema
from api.schemas.model.people import AuthorSchema
from api.schemas.model.summaries import PostSummarySchema, ProjectSummarySchema

PostPageSchema = page_of(PostSummarySchema, "PostPageSchema")
AuthorPageSchema = page_of(AuthorSchema, "AuthorPageSchema")
# "ProjectPage" is taken: it is a project's page document (page_answers.ProjectPageSchema).
ProjectListSchema = page_of(ProjectSummarySchema, "ProjectListSchema")


class RecentPostsSchema(ContentSchema):
    """The newest published posts."""

    items = fields.List(fields.Nested(PostSummarySchema), required=True)


class ContentErrorSchema(Schema):
    """A problem in a content file that left the file out of the site."""

    path = fields.String(required=True, metadata={"example": "pages/blog/broken.md"})
    line = fields.Integer(required=True, metadata={"example": 3})
    message = fields.String(required=True)
    servingLastGood = fields.Boolean(
        required=True,
        metadata={"description": "The file's last good version is still served."},
    )


class FaultSchema(Schema):
    """Something that keeps the service from being whole while it goes on serving."""

    cause = fields.String(
        required=True,
        metadata={
            "description": "`content-folder`, `watcher` or `parse-cache` (more may come).",
            "example": "parse-cache",
        },
    )
    message = fields.String(required=True)


class HealthSchema(Schema):
    """The service is up; which content version it serves and what was left out."""

    status = fields.String(
        required=True,
        metadata={
            "description": "`ok`, or `degraded` while there are content errors or faults: "
            "the service still serves (the answer is still 200).",
            "example": "ok",
        },
    )
    posts = fields.Integer(required=True, metadata={"description": "Published posts."})
    authors = fields.Integer(required=True)
    contentVersion = fields.String(required=True, metadata={"description": "Hash of the content."})
    loadedAt = fields.String(required=True, metadata={"description": "When it was loaded (UTC)."})
    skippedFiles = fields.Integer(
        required=True,
        metadata={
            "description": "Files not served at all because of errors (files served in their "
            "last good version are not counted)."
        },
    )
    contentErrors = fields.List(
        fields.Nested(ContentErrorSchema),
        required=True,
        metadata={"description": "Every error, with each fault as an error of path `.`."},
    )
    faults = fields.List(fields.Nested(FaultSchema), required=True)
    propagation = fields.Nested(
        PropagationSchema,
        metadata={"description": "Purges and webhooks: each target's last delivery."},
    )
