"""``GET /api/locales``: the locales a site declares and how far each is translated."""

from __future__ import annotations

from marshmallow import Schema, fields


class LocaleSchema(Schema):
    """One declared locale."""

    code = fields.String(required=True, metadata={"example": "de"})
    fallback = fields.String(
        metadata={
            "description": "The next locale of its chain (absent on the default locale).",
            "example": "en",
        }
    )
    documents = fields.Integer(
        required=True, metadata={"description": "Documents with a version in this locale."}
    )
    missing = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "Default-locale files (relative to the content folder) with no "
            "version in this locale: it shows them from its fallback chain.",
            "example": ["pages/blog/second-post.md"],
        },
    )


class LocalesSchema(Schema):
    """The site's locales, in declared order (none on a site without `data/locales.json`)."""

    defaultLocale = fields.String(
        metadata={"description": "Absent on a site of one locale.", "example": "en"}
    )
    items = fields.List(fields.Nested(LocaleSchema), required=True)
