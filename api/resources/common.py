"""What every view needs: the request's snapshot and audience, pagination with a Link header."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema

from api.content.documents import Documents
from api.content.index import Snapshot
from api.content.pagination import PageInfo, page_of
from api.schemas.errors import ErrorSchema
from api.web.delivery import SNAPSHOT_KEY

T = TypeVar("T")
View = TypeVar("View", bound=Callable[..., Any])

CACHING_HEADERS_DOC = {
    "ETag": {
        "description": "Strong validator of this response; send it back in `If-None-Match`.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {
        "description": "`public, max-age=<CACHE_MAX_AGE>, stale-while-revalidate=<...>`.",
        "schema": {"type": "string"},
    },
}
LINK_HEADER_DOC = {
    "Link": {
        "description": "RFC 8288 links to the first, previous, next and last pages.",
        "schema": {"type": "string"},
        "example": '</api/posts?page=2&page_size=10>; rel="next"',
    }
}
IF_NONE_MATCH_DOC = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "An ETag from an earlier answer: 304 with no body if it is still current.",
}


def documented_get(
    blp: Blueprint,
    schema: type[Schema] | Schema,
    *,
    paginated: bool = False,
    not_found: str | None = None,
    has_query: bool = True,
    headers: Mapping[str, Any] | None = None,
) -> Callable[[View], View]:
    """``blp.response`` for a GET, with every answer a client can get documented.

    200 with its caching (and pagination) headers, 304 for a current
    ``If-None-Match``, 404 and 422 in the error shape where they can happen.
    """
    response_headers = {**CACHING_HEADERS_DOC, **(LINK_HEADER_DOC if paginated else {})}
    response_headers.update(headers or {})

    def decorate(view: View) -> View:
        view = blp.response(200, schema, headers=response_headers)(view)
        view = blp.alt_response(304, description="Not Modified: the ETag sent is current.")(view)
        if not_found:
            view = blp.alt_response(404, schema=ErrorSchema, description=not_found)(view)
        if has_query:
            view = blp.alt_response(
                422, schema=ErrorSchema, description="Invalid query parameters."
            )(view)
        return blp.doc(parameters=[IF_NONE_MATCH_DOC])(view)

    return decorate


def current_snapshot() -> Snapshot:
    """The snapshot pinned to this request by the delivery layer (the current one otherwise)."""
    snapshot = request.environ.get(SNAPSHOT_KEY)
    if snapshot is None:
        snapshot = current_app.extensions["content"].snapshot
    return snapshot


def current_documents() -> Documents:
    snapshot = current_snapshot()
    return Documents(snapshot, snapshot.public)


def paginated(
    items: Sequence[T],
    args: Mapping[str, Any],
    to_document: Callable[[Sequence[T]], list[Any]],
) -> tuple[dict[str, Any], int, dict[str, str]]:
    """A page of ``items`` in the envelope, with its Link header.

    ``args`` are the validated query arguments; the links repeat the ones that
    select the list (filters, sort) and drop anything the endpoint ignores.
    """
    selected, info = page_of(items, args["page"], args["page_size"])
    body = {"items": to_document(selected), "pagination": info.as_dict()}
    return body, 200, {"Link": link_header(args, info)}


def link_header(args: Mapping[str, Any], info: PageInfo) -> str:
    """RFC 8288 ``first``/``prev``/``next``/``last`` links, relative to this request's path."""
    last = max(info.total_pages, 1)
    targets = {"first": 1, "last": last}
    if info.page > 1:
        targets["prev"] = min(info.page - 1, last)
    if info.page < info.total_pages:
        targets["next"] = info.page + 1
    kept = {key: value for key, value in args.items() if key != "page" and value is not None}
    links = []
    for rel in ("first", "prev", "next", "last"):
        if rel in targets:
            query = urlencode({"page": targets[rel], **kept})
            links.append(f'<{request.path}?{query}>; rel="{rel}"')
    return ", ".join(links)
