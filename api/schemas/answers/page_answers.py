"""Page documents: any page of the site by URL, filled as the theme's resolvers fill it."""

from __future__ import annotations

from typing import Any, ClassVar

from marshmallow import Schema, fields

from api.schemas.answers.paging import PaginationSchema
from api.schemas.model.base import UNKNOWN_OBJECT, ContentSchema
from api.schemas.model.data import ConfigSchema, ThemeStyleSchema
from api.schemas.model.layouts import (
    DocumentFieldsSchema,
    PageLayoutSchema,
    PostFeedLayoutSchema,
    PostSchema,
    ProjectFeedLayoutSchema,
    ProjectLayoutSchema,
)
from api.schemas.model.localized import locale_field
from api.schemas.model.summaries import PostSummarySchema, ProjectSummarySchema


class PageSchema(DocumentFieldsSchema, PageLayoutSchema):
    """A PageLayout page with its sections filled."""


class PostFeedPageSchema(DocumentFieldsSchema, PostFeedLayoutSchema):
    """The blog's feed page, with one page of its posts (query `page`, `page_size`)."""

    items = fields.List(fields.Nested(PostSummarySchema), required=True)
    pagination = fields.Nested(PaginationSchema, required=True)


class ProjectPageSchema(DocumentFieldsSchema, ProjectLayoutSchema):
    """A project, with the next newer and next older project."""

    prevProject = fields.Nested(ProjectSummarySchema, metadata={"description": "Older project."})
    nextProject = fields.Nested(ProjectSummarySchema, metadata={"description": "Newer project."})


class ProjectFeedPageSchema(DocumentFieldsSchema, ProjectFeedLayoutSchema):
    """The projects feed page, with one page of its projects."""

    items = fields.List(fields.Nested(ProjectSummarySchema), required=True)
    pagination = fields.Nested(PaginationSchema, required=True)


class TypedUnionSchema(ContentSchema):
    """A document whose ``type`` picks its schema: ``oneOf`` with a discriminator in the spec.

    A type without a schema here (a theme's own page layout) is served as it is.
    """

    variants: ClassVar[dict[str, type[Schema]]]

    @classmethod
    def openapi_document(cls, converter: Any) -> dict[str, Any]:
        mapping = {
            name: converter.resolve_nested_schema(schema)["$ref"]
            for name, schema in cls.variants.items()
        }
        return {
            "description": (cls.__doc__ or "").strip().splitlines()[0],
            "oneOf": [{"$ref": ref} for ref in mapping.values()]
            + [{"$ref": f"#/components/schemas/{UNKNOWN_OBJECT}"}],
            "discriminator": {"propertyName": "type", "mapping": mapping},
        }


class PageDocumentSchema(TypedUnionSchema):
    """Any page of the site, by its layout."""

    variants: ClassVar[dict[str, type[Schema]]] = {
        "PageLayout": PageSchema,
        "PostLayout": PostSchema,
        "PostFeedLayout": PostFeedPageSchema,
        "ProjectLayout": ProjectPageSchema,
        "ProjectFeedLayout": ProjectFeedPageSchema,
    }


class PagePathSchema(Schema):
    """A public page: its URL path, model type and title."""

    path = fields.String(required=True, metadata={"example": "/blog"})
    type = fields.String(required=True, metadata={"example": "PostFeedLayout"})
    title = fields.String(metadata={"example": "Blog"})
    locale = locale_field()


class PagePathsSchema(Schema):
    """Every public page of the site, by URL path."""

    items = fields.List(fields.Nested(PagePathSchema), required=True)


class SiteSchema(ContentSchema):
    """The site configuration and theme style, with the site's absolute URL."""

    config = fields.Nested(ConfigSchema)
    style = fields.Nested(ThemeStyleSchema)
    siteUrl = fields.String(required=True, metadata={"example": "http://127.0.0.1:5000"})
    locale = locale_field()
