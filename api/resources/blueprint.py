"""A flask-smorest Blueprint that documents every answer a content GET can give."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import deepcopy
from typing import Any, TypeVar

from flask_smorest import Blueprint
from marshmallow import Schema

from api.schemas.answers.errors import ErrorSchema
from api.web.spec_examples import examples

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


LOCALE_PARAMETERS = [
    {
        "in": "query",
        "name": "locale",
        "required": False,
        "schema": {"type": "string"},
        "example": "de",
        "description": "On a site with several locales (`data/locales.json`): the locale to "
        "answer in (default: the default locale), each document in its version of that locale "
        "or of the next of its fallback chain; a locale the site does not declare is 400. A "
        "site of one locale ignores it.",
    },
    {
        "in": "query",
        "name": "fallback",
        "required": False,
        "schema": {"type": "string", "default": "true"},
        "description": "With `false` (on a site with several locales), lists keep only the "
        "documents that have a version in the locale itself; anything but true/false/1/0/"
        "yes/no is 400 there.",
    },
]
LOCALE_RESPONSES = {400: "A locale this site does not declare (the message lists those it does)."}

OVERSIZED_RESPONSES = {
    414: "Request target (path and query) longer than 2 KiB.",
    431: "Request headers larger than 8 KiB each or 16 KiB together.",
}


class ContentBlueprint(Blueprint):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_conditional_get_doc)

    def documented_get(
        self,
        schema: type[Schema] | Schema,
        *,
        operation_id: str,
        paginated: bool = False,
        not_found: str | None = None,
        has_query: bool = True,
        headers: Mapping[str, Any] | None = None,
        content_type: str | None = None,
        named_examples: Mapping[str, str] | None = None,
        localized: bool = True,
    ) -> Callable[[View], View]:
        """``response`` for a GET, with every answer a client can get documented.

        200 with its caching (and pagination) headers, 304 for a current
        ``If-None-Match``, 404 and 422 in the error shape where they can happen.
        ``content_type`` names a 200 that is not JSON (a feed); ``named_examples``
        (name -> example key) documents several examples instead of the operation's one.
        """
        response_headers = {**CACHING_HEADERS_DOC, **(LINK_HEADER_DOC if paginated else {})}
        response_headers.update(headers or {})

        def decorate(view: View) -> View:
            example = examples().get(operation_id)
            several = {
                name: {"value": examples()[key]}
                for name, key in (named_examples or {}).items()
                if key in examples()
            }
            view = self.response(
                200,
                schema,
                headers=response_headers,
                example=None if several else example,
                examples=several or None,
                content_type=content_type,
            )(view)
            if not_found:
                view = self.alt_response(404, schema=ErrorSchema, description=not_found)(view)
            if has_query:
                view = self.alt_response(
                    422, schema=ErrorSchema, description="Invalid query parameters."
                )(view)
            for status, description in OVERSIZED_RESPONSES.items():
                view = self.alt_response(status, schema=ErrorSchema, description=description)(view)
            if localized:
                for status, description in LOCALE_RESPONSES.items():
                    view = self.alt_response(status, schema=ErrorSchema, description=description)(
                        view
                    )
            view._apidoc = deepcopy(getattr(view, "_apidoc", {}))  # type: ignore[attr-defined]
            view._apidoc["conditional_get"] = True  # type: ignore[attr-defined]
            view._apidoc["localized"] = localized  # type: ignore[attr-defined]
            return self.doc(operationId=operation_id)(view)

        return decorate

    @staticmethod
    def _prepare_conditional_get_doc(
        doc: dict[str, Any], doc_info: Mapping[str, Any], **kwargs: Any
    ) -> dict[str, Any]:
        if doc_info.get("localized"):
            doc.setdefault("parameters", []).extend(deepcopy(LOCALE_PARAMETERS))
        if doc_info.get("conditional_get"):
            doc.setdefault("parameters", []).append(IF_NONE_MATCH_DOC)
            doc.setdefault("responses", {})["304"] = {
                "description": "Not Modified: the ETag sent is current; no body."
            }
        return doc
