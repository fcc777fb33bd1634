"""The editing API's requests and answers: entries (a file as JSON), writes, commits.

The request schemas document the bodies and let every value through (``Raw``): the shape of
an entry is judged by the write itself (400 for a wrong shape, 422 for content that
``content check`` would refuse), so one malformed field never becomes a 422 of another kind.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields

FRONT_MATTER = fields.Raw(
    metadata={
        "type": "object",
        "additionalProperties": True,
        "description": "A Markdown file's front matter, as the file has it (key order kept; "
        "dates the strings written).",
        "example": {"type": "PostLayout", "title": "Hello, world", "date": "2025-01-30"},
    }
)
BODY = fields.String(
    metadata={
        "description": "A Markdown file's body, byte for byte: everything after the line that "
        "closes the front matter.",
        "example": "The first post. Its **body** is Markdown.\n",
    }
)
DATA = fields.Raw(
    metadata={
        "type": "object",
        "additionalProperties": True,
        "description": "A JSON file's object, key order kept.",
        "example": {"type": "Person", "firstName": "Ada", "lastName": "Lovelace"},
    }
)
ETAG = fields.String(
    metadata={
        "description": "The file's ETag (its content key), as in the `ETag` header: send it "
        "back in `If-Match`.",
        "example": '"3f0c2a9e5d41b7c8e2f6a1d09b3c4e5f6a7b8c9d"',
    }
)


class EntrySchema(Schema):
    """A content file as JSON: a Markdown file's `frontMatter` and `body`, or a JSON file's
    `data`, exactly as in the file (drafts included)."""

    path = fields.String(required=True, metadata={"example": "pages/blog/hello-world.md"})
    etag = ETAG
    frontMatter = FRONT_MATTER
    body = BODY
    data = DATA


class EntryWriteSchema(Schema):
    """A whole entry, replacing the file (`frontMatter` and `body`, or `data`), with an
    optional commit `message`."""

    class Meta:
        unknown = INCLUDE

    frontMatter = fields.Raw(allow_none=True, metadata=FRONT_MATTER.metadata)
    body = fields.Raw(allow_none=True, metadata={**BODY.metadata, "type": "string"})
    data = fields.Raw(allow_none=True, metadata=DATA.metadata)
    message = fields.Raw(
        allow_none=True,
        metadata={"type": "string", "description": "The commit message (else one is made)."},
    )


class EntryPatchSchema(Schema):
    """A JSON merge patch (RFC 7396) over the entry: the fields given replace those of the
    entry, `null` removes one (`{"frontMatter": {"isDraft": null}}`); `message` is the commit
    message."""

    class Meta:
        unknown = INCLUDE

    frontMatter = fields.Raw(
        allow_none=True,
        metadata={"type": "object", "additionalProperties": True, "nullable": True},
    )
    body = fields.Raw(allow_none=True, metadata={"type": "string"})
    data = fields.Raw(allow_none=True, metadata={"type": "object", "additionalProperties": True})
    message = fields.Raw(allow_none=True, metadata={"type": "string"})


class OperationSchema(Schema):
    """One file's part of a commit: `put` (a whole entry, `ifMatch`, or `ifNoneMatch: "*"` to
    create), `patch` (a merge patch: the entry's fields given here) or `delete`."""

    class Meta:
        unknown = INCLUDE

    op = fields.Raw(required=True, metadata={"type": "string", "enum": ["put", "patch", "delete"]})
    path = fields.Raw(
        required=True, metadata={"type": "string", "example": "pages/blog/hello-world.md"}
    )
    ifMatch = fields.Raw(metadata={"type": "string", "description": "As the header `If-Match`."})
    ifNoneMatch = fields.Raw(
        metadata={"type": "string", "description": "`*`: create the file (412 if it exists)."}
    )
    frontMatter = fields.Raw(allow_none=True, metadata={"type": "object"})
    body = fields.Raw(allow_none=True, metadata={"type": "string"})
    data = fields.Raw(allow_none=True, metadata={"type": "object"})


class CommitRequestSchema(Schema):
    """Several files in one commit: every operation is written, or none."""

    class Meta:
        unknown = INCLUDE

    message = fields.Raw(
        allow_none=True, metadata={"type": "string", "description": "The commit message."}
    )
    operations = fields.List(fields.Nested(OperationSchema), required=True)


class WrittenEntrySchema(Schema):
    """A file as a write left it: its entry and new ETag, or `deleted`."""

    path = fields.String(required=True, metadata={"example": "pages/blog/hello-world.md"})
    etag = ETAG
    frontMatter = FRONT_MATTER
    body = BODY
    data = DATA
    deleted = fields.Boolean(metadata={"description": "The write deleted the file."})


class WriteAnswerSchema(WrittenEntrySchema):
    """A write done and served: its commit, and the file as it is now."""

    commit = fields.String(
        required=True,
        metadata={
            "description": "The git commit of the write (`HEAD` when nothing changed).",
            "example": "9fceb02d0ae598e95dc970b74767f19372d61af8",
        },
    )


class CommitAnswerSchema(Schema):
    """A commit of several files done and served: its id and each file as it is now."""

    commit = fields.String(required=True)
    entries = fields.List(fields.Nested(WrittenEntrySchema), required=True)


class ProblemSchema(Schema):
    """A problem `content check` would report: a file, a line, what is wrong."""

    path = fields.String(required=True, metadata={"example": "pages/blog/hello-world.md"})
    line = fields.Integer(required=True, metadata={"example": 4})
    message = fields.String(
        required=True,
        metadata={"example": "author: no such file: content/data/team/nobody.json"},
    )


class WriteErrorSchema(Schema):
    """A write refused: nothing was written. `errors` (422) lists what `content check` would
    report; `current` (412) is the entry as it is now, and `conflicts` (409) the files the
    remote changed meanwhile."""

    code = fields.Integer(required=True, metadata={"example": 422})
    status = fields.String(required=True, metadata={"example": "Unprocessable Entity"})
    message = fields.String(required=True)
    path = fields.String()
    errors = fields.List(fields.Nested(ProblemSchema))
    current = fields.Nested(EntrySchema)
    conflicts = fields.List(fields.String())
