"""Page layouts: the model's page types, and the page documents the API serves for them.

A layout schema lists the front matter fields of its model; the document schemas
add what the API derives from the file (slug, URL, rendered body). Posts are the
``PostLayout`` pages; their document is the Post resource.
"""

from __future__ import annotations

from marshmallow import fields

from api.schemas.model.base import ContentSchema, ModelSchema, model, section_types
from api.schemas.model.blocks import BackgroundImageSchema, ImageBlockSchema, MetaTagSchema
from api.schemas.model.fields import Boolean, Count, Date, Enum, OneOfModels, Resolved, Text
from api.schemas.model.localized import LocalizedFieldsSchema
from api.schemas.model.people import AuthorSchema
from api.schemas.model.sections import PagedPostsSectionSchema, PagedProjectsSectionSchema
from api.schemas.model.styles import PAGE_COLORS, Styles
from api.schemas.model.summaries import TocEntrySchema


def Sections() -> fields.List:
    """A ``list<model< groups:sectionComponent>>`` field."""
    return fields.List(OneOfModels(group=section_types))


class _PageSchema(ModelSchema):
    """Fields every page layout has: SEO metadata and page colours."""

    layout = Text(
        metadata={
            "description": "The page's model as older themes name it (`layout:` instead of "
            "`type:`); kept as the file has it, beside `type`."
        }
    )
    title = Text(required=True)
    metaTitle = Text()
    metaDescription = Text()
    addTitleSuffix = Boolean()
    socialImage = Text()
    metaTags = fields.List(fields.Nested(MetaTagSchema))
    colors = Enum(PAGE_COLORS)
    backgroundImage = fields.Nested(BackgroundImageSchema)
    isDraft = Boolean(metadata={"description": "A draft; only preview requests ever see one."})
    slug = Text(
        metadata={
            "description": "A translation's own slug, the last segment of its URL (`/de/blog/"
            "hallo`); a site with one locale, and the default locale, take it from the file name."
        }
    )
    translationKey = Text(
        metadata={
            "description": "Links files whose names differ as translations of one document "
            "(`data/locales.json` declares the locales)."
        }
    )


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
    numOfPostsPerPage = Count(
        metadata={
            "description": "Posts per page of the feed (0: all on one page), the default of "
            "the `page_size` query (an extension of the model, from the Starter theme)."
        }
    )
    postFeed = fields.Nested(PagedPostsSectionSchema)


@model("ProjectFeedLayout")
class ProjectFeedLayoutSchema(_FeedLayoutSchema):
    numOfProjectsPerPage = Count(
        metadata={
            "description": "Projects per page of the feed (0: all on one page), the default of "
            "the `page_size` query (an extension of the model, as themes with projects have it)."
        }
    )
    projectFeed = fields.Nested(PagedProjectsSectionSchema)


class DocumentFieldsSchema(LocalizedFieldsSchema, ContentSchema):
    """What the API derives for every page document: where it lives and its rendered body.

    A page without a Markdown body (front matter only) has no `html`, `toc`,
    `readingTime`, `wordCount` or `markdown`.
    """

    slug = fields.String(required=True, metadata={"description": "Last segment of the URL path."})
    url = fields.String(required=True, metadata={"description": "URL path of the page."})
    html = fields.String(
        metadata={"description": "The Markdown body rendered to HTML; absent without a body."}
    )
    toc = fields.List(
        fields.Nested(TocEntrySchema),
        metadata={"description": "The headings of the body; absent without a body."},
    )
    readingTime = fields.Integer(
        metadata={"description": "Minutes, at least 1; absent without a body."}
    )
    wordCount = fields.Integer(metadata={"description": "Words of the body; absent without one."})
    markdown = fields.String(
        metadata={
            "description": "The Markdown body exactly as in the file, with `?include=markdown`."
        }
    )


class PostSchema(DocumentFieldsSchema, PostLayoutSchema):
    """A post: every front matter field of its PostLayout, typed, its author and rendered body."""
