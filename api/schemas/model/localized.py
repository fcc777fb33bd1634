"""What a site of several locales adds to its answers (``data/locales.json``); a site of one
locale has none of these fields."""

from __future__ import annotations

from marshmallow import Schema, fields

ONLY_WITH_LOCALES = "Only on a site with several locales (`data/locales.json`): "


def locale_field() -> fields.String:
    return fields.String(
        metadata={
            "description": ONLY_WITH_LOCALES + "the locale of the version served (the one asked "
            "for, or the next of its fallback chain that has one).",
            "example": "de",
        }
    )


class TranslationSchema(Schema):
    """Another version of the same document: its locale and its URL path."""

    locale = fields.String(required=True, metadata={"example": "de"})
    url = fields.String(required=True, metadata={"example": "/de/blog/hallo-welt"})


class LocalizedFieldsSchema(Schema):
    """The locale fields of a document-level answer."""

    locale = locale_field()
    translations = fields.List(
        fields.Nested(TranslationSchema),
        metadata={
            "description": ONLY_WITH_LOCALES + "every other version of the document, in the "
            "declared order of the locales."
        },
    )
    fallbackFields = fields.List(
        fields.String(),
        metadata={
            "description": ONLY_WITH_LOCALES + "the front-matter fields the served version lacks, "
            "filled from its locale's fallback chain (absent when none was); the body is "
            "never filled from another version."
        },
    )
