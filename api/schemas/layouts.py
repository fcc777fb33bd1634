"""Page layouts: the model's page types, and the page documents the API serves for them.

A layout schema lists the front matter fields of its model; the document schemas
add what the API derives from the file (slug, URL, rendered body). Posts are the
``PostLayout`` pages; their document is the Post resource.
"""

from __future__ import annotations

from marshmallow import fields

from api.schemas.authors import AuthorSchema
from api.schemas.base import ContentSchema, ModelSchema, model, section_types
from api.schemas.blocks import BackgroundImageSchema, ImageBlockSchema, MetaTagSchema
from api.schemas.fields import Boolean, Date, Enum, OneOfModels, Resolved, Text
from api.schemas.sections import PagedPostsSectionSchema, PagedProjectsSectionSchema
from api.schemas.styles import PAGE_COLORS, Styles
from api.schemas.summaries import TocEntrySchema


def Sections() -> fields.List:
    """A ``list<model< groups:sectionComponent>>`` field."""
    return fields.List(OneOfModels(group=section_types))


class _PageSchema(ModelSchema):
    """Fields every page layout has: SEO metadata and page colours."""

    title = Text(required=True)
    metaTitle = Text()
    metaDescription = Text()
    addTitleSuffix = Boolean()
    socialImage = Text()
    metaTags = fields.List(fields.Nested(MetaTagSchema))
    colors = Enum(PAGE_COLORS)
    backgroundImage = fields.Nested(BackgroundImageSchema)
    isDraft = Boolean(metadata={"description": "A draft; only preview requests ever see one."})


@model("PostLayout")
class PostLayoutSchema(_PageSchema):
    date = Date(required=True)
    author = Resolved(AuthorSchema, reference="Person")
    excerpt = Text()
    featuredImage = fields.Nested(ImageBlockSchema)
    media = OneOfModels("ImageBlock", "VideoBlock")
    bottomSections = Sections()
    tags = fields.List(
        fields.String(),
        metadata={"description": "Tags (an extension of the model; `GET /api/posts?tag=`)."},
    )


@model("PageLayout")
class PageLayoutSchema(_PageSchema):
    sections = Sections()


@model("ProjectLayout")
class ProjectLayoutSchema(_PageSchema):
    date = Date(required=True)
    client = Text()
    description = Text()
    featuredImage = fields.Nested(ImageBlockSchema)
    media = OneOfModels("ImageBlock", "VideoBlock")
    bottomSections = Sections()


class _FeedLayoutSchema(_PageSchema):
    title = Text()
    topSections = Sections()
    bottomSections = Sections()
    styles = Styles()


@model("PostFeedLayout")
class PostFeedLayoutSchema(_FeedLayoutSchema):
    postFeed = fields.Nested(PagedPostsSectionSchema)


@model("ProjectFeedLayout")
class ProjectFeedLayoutSchema(_FeedLayoutSchema):
    projectFeed = fields.Nested(PagedProjectsSectionSchema)


class DocumentFieldsSchema(ContentSchema):
    """What the API derives for every page document: where it lives and its rendered body."""

    slug = fields.String(required=True, metadata={"description": "Last segment of the URL path."})
    url = fields.String(required=True, metadata={"description": "URL path of the page."})
    html = fields.String(
        required=True, metadata={"description": "The Markdown body rendered to HTML."}
    )
    toc = fields.List(fields.Nested(TocEntrySchema), required=True)
    readingTime = fields.Integer(required=True, metadata={"description": "Minutes, at least 1."})
    wordCount = fields.Integer(required=True)
    markdown = fields.String(
        metadata={"description": "The raw Markdown body, with `?include=markdown`."}
    )


class PostSchema(DocumentFieldsSchema, PostLayoutSchema):
    """A post: every front matter field of its PostLayout, typed, its author and rendered body."""
