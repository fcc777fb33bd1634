"""What the search index holds of a page: its text, field by field.

One pure function of the page (and its author's name), so that indexing a page
again after an edit gives exactly what a full build would, and so that a
snippet is cut from the very text that was indexed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from api.content.model.items import Page
from api.content.source.model_types import POST_TYPE, SECTION_LISTS
from api.search.text import body_text, clean, plain_text

SECTION_TEXT_KEYS = ("title", "subtitle", "text")
MAX_SECTION_DEPTH = 6


class SearchDocument(NamedTuple):
    """A page's searchable text; the fields in the order of ``FIELDS``."""

    title: str
    excerpt: str
    tags: str
    author: str
    body: str
    code: str


FIELDS = SearchDocument._fields


def search_document(page: Page, author_name: str = "") -> SearchDocument:
    """The text of ``page`` that search matches: title, excerpt, tags, author, body, code.

    The excerpt is a post's ``excerpt``, a project's ``description`` or a page's
    ``metaDescription``. Pages other than posts keep much of their text in
    sections (a hero's text, a text section), which counts as body text.
    """
    fields = page.fields
    excerpt = next(
        (
            value
            for key in ("excerpt", "description", "metaDescription")
            if isinstance(value := fields.get(key), str)
        ),
        "",
    )
    body = body_text(page.body)
    prose = body.prose
    if page.type != POST_TYPE:
        sections = " ".join(plain_text(text) for text in _section_texts(fields))
        prose = f"{prose} {sections}".strip() if sections else prose
    return SearchDocument(
        title=clean(page.title),
        excerpt=plain_text(excerpt),
        tags=" ".join(clean(tag) for tag in page.tags),
        author=clean(author_name),
        body=prose,
        code=body.code,
    )


def _section_texts(fields: Mapping[str, Any]) -> Iterator[str]:
    for key in SECTION_LISTS:
        sections = fields.get(key)
        if isinstance(sections, list):
            for section in sections:
                yield from _texts(section, 0)


def _texts(value: Any, depth: int) -> Iterator[str]:
    """Titles, subtitles and texts of a section and the items nested in it."""
    if depth > MAX_SECTION_DEPTH:
        return
    if isinstance(value, Mapping):
        for key in SECTION_TEXT_KEYS:
            text = value.get(key)
            if isinstance(text, str):
                yield text
        for nested in value.values():
            if isinstance(nested, list | Mapping):
                yield from _texts(nested, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item, depth + 1)
