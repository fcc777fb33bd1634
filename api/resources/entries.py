"""Editing: content files read and written as JSON entries, each write one git commit.

Thin views over ``api.editing``: who writes (a write token), how fast (``WRITE_RATE``), the
operation; the write itself decides the rest (preconditions, validation, the commit) and
refuses with a ``Refusal``, answered here in the error shape with what it carries (the
current entry of a 412, the problems of a 422). Off (404) unless ``WRITE_TOKENS_FILE``.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import current_app, request, url_for
from flask.views import MethodView

from api.editing import Editing, Operation, Refusal, Written
from api.resources.blueprint import ContentBlueprint
from api.schemas.answers.editing import (
    CommitAnswerSchema,
    CommitRequestSchema,
    EntryPatchSchema,
    EntrySchema,
    EntryWriteSchema,
    WriteAnswerSchema,
    WriteErrorSchema,
)
from api.schemas.answers.errors import ErrorSchema
from api.tokens import WriteToken

blp = ContentBlueprint(
    "entries",
    __name__,
    url_prefix="/api",
    description="Editing: read a content file as JSON and write it back, each write one git "
    "commit by its author (needs `WRITE_TOKENS_FILE` and a write token).",
)

MAX_OPERATIONS = 100
SECURITY = [{"writeToken": []}]
WRITTEN_HEADERS = {
    "ETag": {"description": "The file's new ETag.", "schema": {"type": "string"}},
    "X-Content-Version": {
        "description": "The content version that serves the write (every worker serves it).",
        "schema": {"type": "string"},
    },
}
REFUSALS = {
    400: "A malformed request (a wrong shape of entry, a path that is no content path).",
    401: "No valid write token (a preview token cannot write).",
    403: "A path that may not be written (outside `pages/*.md` and `data/*.json`, a symlink).",
    404: "No such file, or writes are off (no `WRITE_TOKENS_FILE`).",
    409: "The remote changed the same file (with `GIT_PUSH`), or the file does not read.",
    412: "The entry changed since it was read (`current` holds it now), or it exists (create).",
    413: "The file would be larger than `MAX_FILE_BYTES`.",
    422: "`content check` would report these errors after the write; nothing was written.",
    428: "`If-Match` is missing.",
    429: "Over `WRITE_RATE` writes per second with this token; see `Retry-After`.",
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "schema": {"type": "string"},
    "description": "The ETag of the entry as read (required to change or delete a file).",
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "schema": {"type": "string", "enum": ["*"]},
    "description": "`*`: create the file (412 if it exists).",
}
MESSAGE = {
    "in": "query",
    "name": "message",
    "schema": {"type": "string"},
    "description": "The commit message (also accepted as `message` in the body).",
}


def refusals(*statuses: int) -> Any:
    """The refusals a view can answer; a malformed request (400) in the common error shape,
    which names each bad field of the body."""

    def decorate(view: Any) -> Any:
        for status in statuses:
            schema = ErrorSchema if status == 400 else WriteErrorSchema
            view = blp.alt_response(status, schema=schema, description=REFUSALS[status])(view)
        return view

    return decorate


@blp.errorhandler(Refusal)
def refused(error: Refusal) -> Any:
    body = {
        "code": error.status,
        "status": HTTPStatus(error.status).phrase,
        "message": error.message,
        **error.extra,
    }
    return body, error.status, error.headers


@blp.before_request
def bound_the_body() -> None:
    """The body of one write holds one file (JSON escapes may double it); a commit, several."""
    editing = current_app.extensions.get("editing")
    per_file = (editing.max_file_bytes if editing else 1 << 20) * 2 + 65536
    limit = per_file * (8 if request.path.endswith("/commits") else 1)
    if request.content_length is not None and request.content_length > limit:
        raise Refusal(413, f"A request body of at most {limit} bytes (MAX_FILE_BYTES)")
    request.max_content_length = limit


def _editing() -> Editing:
    editing = current_app.extensions.get("editing")
    if editing is None:
        if not request.headers.get("Authorization"):  # anyone without a token learns nothing
            raise Refusal(401, "A write token is needed: Authorization: Bearer <token>")
        raise Refusal(404, "Writes are off: the server has no WRITE_TOKENS_FILE")
    return editing  # type: ignore[no-any-return]


def _writer(*, rate: bool = True) -> tuple[Editing, WriteToken]:
    editing = _editing()
    token = editing.writer(request.headers.get("Authorization"))
    if rate:
        editing.take_rate(token)
    return editing, token


def _message(document: dict[str, Any]) -> str | None:
    message = document.pop("message", None)
    if message is None:
        message = request.args.get("message")
    if message is not None and (not isinstance(message, str) or not message.strip()):
        raise Refusal(400, "message: a non-empty string")
    return message


def _answer(written: Written) -> Any:
    entry = written.entries[0]
    headers = {"X-Content-Version": written.version}
    if "etag" in entry:
        headers["ETag"] = entry["etag"]
    if written.created:
        headers["Location"] = url_for("entries.Entry", path=entry["path"])
        return {"commit": written.commit, **entry}, 201, headers
    return {"commit": written.commit, **entry}, 200, headers


@blp.route("/entries/<path:path>")
class Entry(MethodView):
    @blp.response(
        200,
        EntrySchema,
        headers={
            "ETag": {"description": "Send it back in `If-Match`.", "schema": {"type": "string"}}
        },
    )
    @refusals(400, 401, 403, 404, 409)
    @blp.doc(operationId="getEntry", security=SECURITY)
    def get(self, path: str) -> Any:
        """Read a content file as an entry

        A Markdown file as `frontMatter` and `body`, a JSON file as `data`, exactly as in the
        file (key order kept, drafts included), with its `ETag` for `If-Match`. Never cached
        (`Cache-Control: private, no-store`).
        """
        editing, _ = _writer(rate=False)
        entry, etag = editing.read(path)
        return entry, 200, {"ETag": etag}

    @blp.arguments(EntryWriteSchema, error_status_code=400)
    @blp.response(200, WriteAnswerSchema, headers=WRITTEN_HEADERS)
    @blp.alt_response(
        201, schema=WriteAnswerSchema, description="Created.", headers=WRITTEN_HEADERS
    )
    @refusals(400, 401, 403, 404, 409, 412, 413, 422, 428, 429)
    @blp.doc(
        operationId="putEntry", security=SECURITY, parameters=[IF_MATCH, IF_NONE_MATCH, MESSAGE]
    )
    def put(self, document: dict[str, Any], path: str) -> Any:
        """Replace a content file, or create it

        `If-Match: <ETag>` replaces the file; `If-None-Match: *` creates it. Only the values
        that differ change in the file (its comments, key order, quoting and body bytes stay).
        Validated as `content check` would (422, nothing written), committed to git by the
        token's owner, and answered once every worker serves it.
        """
        editing, token = _writer()
        message = _message(document)
        operation = Operation(
            "put",
            path,
            if_match=request.headers.get("If-Match"),
            if_none_match=request.headers.get("If-None-Match"),
            document=document,
        )
        return _answer(editing.write([operation], token, message))

    @blp.arguments(
        EntryPatchSchema, content_type="application/merge-patch+json", error_status_code=400
    )
    @blp.response(200, WriteAnswerSchema, headers=WRITTEN_HEADERS)
    @refusals(400, 401, 403, 404, 409, 412, 413, 422, 428, 429)
    @blp.doc(operationId="patchEntry", security=SECURITY, parameters=[IF_MATCH, MESSAGE])
    def patch(self, patch: dict[str, Any], path: str) -> Any:
        """Change part of a content file

        A JSON merge patch (RFC 7396, `application/merge-patch+json`) over the entry:
        `{"frontMatter": {"title": "New"}}` changes one field, `null` removes one. Needs
        `If-Match`; otherwise as `PUT`.
        """
        editing, token = _writer()
        message = _message(patch)
        operation = Operation(
            "patch", path, if_match=request.headers.get("If-Match"), document=patch
        )
        return _answer(editing.write([operation], token, message))

    @blp.response(200, WriteAnswerSchema, headers=WRITTEN_HEADERS)
    @refusals(400, 401, 403, 404, 409, 412, 422, 428, 429)
    @blp.doc(operationId="deleteEntry", security=SECURITY, parameters=[IF_MATCH, MESSAGE])
    def delete(self, path: str) -> Any:
        """Delete a content file

        Needs `If-Match`. Refused (422) while another file refers to it: delete it and
        change those in one commit (`POST /api/commits`).
        """
        editing, token = _writer()
        message = _message({})
        operation = Operation("delete", path, if_match=request.headers.get("If-Match"))
        written = editing.write([operation], token, message)
        return (
            {"commit": written.commit, **written.entries[0]},
            200,
            {"X-Content-Version": written.version},
        )


@blp.route("/commits")
class Commits(MethodView):
    @blp.arguments(CommitRequestSchema, error_status_code=400)
    @blp.response(
        200, CommitAnswerSchema, headers={"X-Content-Version": WRITTEN_HEADERS["X-Content-Version"]}
    )
    @blp.alt_response(201, schema=CommitAnswerSchema, description="Done; a file was created.")
    @refusals(400, 401, 403, 404, 409, 412, 413, 422, 428, 429)
    @blp.doc(operationId="createCommit", security=SECURITY)
    def post(self, body: dict[str, Any]) -> Any:
        """Write several files in one commit

        Each operation is `put`, `patch` or `delete` of one file, with its `ifMatch` (or
        `ifNoneMatch: "*"` to create); all are written in one git commit, or none (the first
        stale one answers 412, every content error 422).
        """
        editing, token = _writer()
        message = _message(body)
        raw = body.get("operations")
        if not isinstance(raw, list) or not raw or len(raw) > MAX_OPERATIONS:
            raise Refusal(400, f"operations: a list of 1 to {MAX_OPERATIONS} operations")
        operations = [_operation(item) for item in raw]
        written = editing.write(operations, token, message)
        answer = {"commit": written.commit, "entries": written.entries}
        return answer, 201 if written.created else 200, {"X-Content-Version": written.version}


def _operation(item: Any) -> Operation:
    if not isinstance(item, dict):
        raise Refusal(400, "operations: each is an object")
    op, path = item.get("op"), item.get("path")
    if op not in ("put", "patch", "delete") or not isinstance(path, str):
        raise Refusal(400, "operations: each has an 'op' (put, patch or delete) and a 'path'")
    if_match, if_none_match = item.get("ifMatch"), item.get("ifNoneMatch")
    for name, value in (("ifMatch", if_match), ("ifNoneMatch", if_none_match)):
        if value is not None and not isinstance(value, str):
            raise Refusal(400, f"operations: {name} is a string")
    document = {k: v for k, v in item.items() if k not in ("op", "path", "ifMatch", "ifNoneMatch")}
    return Operation(op, path, if_match, if_none_match, document if op != "delete" else None)
