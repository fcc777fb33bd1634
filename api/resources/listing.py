"""A page of a list in the answer's envelope, and its RFC 8288 ``Link`` header."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from flask import request

from api.content.model.pagination import PageInfo, page_of
from api.web.request_content import current_content

T = TypeVar("T")


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
    kept.update(_locale_selection())
    path = quote(request.path, safe="/")  # a header is ASCII: a slug like gärten encoded
    links = []
    for rel in ("first", "prev", "next", "last"):
        if rel in targets:
            query = urlencode({"page": targets[rel], **kept})
            links.append(f'<{path}?{query}>; rel="{rel}"')
    return ", ".join(links)


def _locale_selection() -> dict[str, str]:
    """The ``locale`` and ``fallback`` a list was asked in, for its links to keep (none for the
    default locale with its fallbacks: its links are the links of a site of one locale)."""
    content = current_content()
    view, locales = content.view, content.snapshot.locales
    selection = {}
    if locales is not None and view.locale is not None and view.locale != locales.default:
        selection["locale"] = view.locale
    if locales is not None and not view.fallback:
        selection["fallback"] = "false"
    return selection
