"""Sections: the model's ``sectionComponent`` group, the blocks of a page's body."""

from __future__ import annotations

from marshmallow import fields

from api.schemas.model.base import ModelSchema, model
from api.schemas.model.blocks import (
    Actions,
    FeaturedItemSchema,
    FormBlockSchema,
    ImageBlockSchema,
    LabelSchema,
    TestimonialSchema,
)
from api.schemas.model.fields import (
    MODEL_REQUIRES,
    Boolean,
    Enum,
    Markdown,
    Number,
    OneOfModels,
    Resolved,
    Text,
)
from api.schemas.model.styles import BACKGROUND_SIZES, SECTION_COLORS, VARIANTS_A_TO_D, Styles
from api.schemas.model.summaries import PostSummarySchema, ProjectSummarySchema


class _SectionSchema(ModelSchema):
    colors = Enum(SECTION_COLORS)
    elementId = Text()
    styles = Styles()


class _TitledSectionSchema(_SectionSchema):
    title = Text()
    subtitle = Text()


@model("HeroSection", section=True)
class HeroSectionSchema(_TitledSectionSchema):
    text = Markdown()
    actions = Actions()
    media = OneOfModels("FormBlock", "ImageBlock", "VideoBlock")
    backgroundSize = Enum(BACKGROUND_SIZES)


@model("ContactSection", section=True)
class ContactSectionSchema(_SectionSchema):
    title = Text()
    text = Markdown()
    form = fields.Nested(FormBlockSchema)
    media = OneOfModels("ImageBlock", "VideoBlock")
    backgroundSize = Enum(BACKGROUND_SIZES)


@model("CtaSection", section=True)
class CtaSectionSchema(_SectionSchema):
    title = Text()
    text = Markdown()
    actions = Actions()
    backgroundSize = Enum(BACKGROUND_SIZES)


@model("DividerSection", section=True)
class DividerSectionSchema(ModelSchema):
    title = Text()
    elementId = Text()
    styles = Styles()


@model("FeaturedItemsSection", section=True)
class FeaturedItemsSectionSchema(_TitledSectionSchema):
    items = fields.List(fields.Nested(FeaturedItemSchema))
    actions = Actions()
    columns = Number()
    spacingX = Number()
    spacingY = Number()


class _PostListSectionSchema(_TitledSectionSchema):
    actions = Actions()
    variant = Enum(VARIANTS_A_TO_D, metadata=MODEL_REQUIRES)
    showDate = Boolean()
    showAuthor = Boolean()
    showExcerpt = Boolean()
    showFeaturedImage = Boolean()
    showReadMoreLink = Boolean()


@model("FeaturedPostsSection", section=True)
class FeaturedPostsSectionSchema(_PostListSectionSchema):
    posts = fields.List(
        Resolved(PostSummarySchema, reference="PostLayout"),
        metadata={"description": "The referenced posts, in the file's order."},
    )


@model("RecentPostsSection", section=True)
class RecentPostsSectionSchema(_PostListSectionSchema):
    recentCount = Number(metadata={"description": "How many recent posts to show (default 3)."})
    posts = fields.List(
        fields.Nested(PostSummarySchema),
        dump_only=True,
        metadata={
            "description": "The recentCount newest published posts, filled by the API; "
            "never the post the section is on."
        },
    )


class _ProjectListSectionSchema(_TitledSectionSchema):
    actions = Actions()
    variant = Enum(VARIANTS_A_TO_D, metadata=MODEL_REQUIRES)
    showDate = Boolean()
    showDescription = Boolean()
    showFeaturedImage = Boolean()
    showReadMoreLink = Boolean()


@model("FeaturedProjectsSection", section=True)
class FeaturedProjectsSectionSchema(_ProjectListSectionSchema):
    projects = fields.List(
        Resolved(ProjectSummarySchema, reference="ProjectLayout"),
        metadata={"description": "The referenced projects, in the file's order."},
    )


@model("RecentProjectsSection", section=True)
class RecentProjectsSectionSchema(_ProjectListSectionSchema):
    recentCount = Number()
    projects = fields.List(
        fields.Nested(ProjectSummarySchema),
        dump_only=True,
        metadata={"description": "The recentCount newest projects, filled by the API."},
    )


@model("LabelsSection", section=True)
class LabelsSectionSchema(_TitledSectionSchema):
    items = fields.List(fields.Nested(LabelSchema))


@model("MediaGallerySection", section=True)
class MediaGallerySectionSchema(_TitledSectionSchema):
    images = fields.List(fields.Nested(ImageBlockSchema))
    spacing = Number()
    columns = Number()
    aspectRatio = Enum(("1:1", "3:2", "2:3", "4:3", "3:4", "16:9", "auto"))
    showCaption = Boolean()
    enableHover = Boolean()


@model("QuoteSection", section=True)
class QuoteSectionSchema(_SectionSchema):
    quote = Markdown(metadata=MODEL_REQUIRES)
    name = Text()
    title = Text()


@model("TestimonialsSection", section=True)
class TestimonialsSectionSchema(_TitledSectionSchema):
    testimonials = fields.List(fields.Nested(TestimonialSchema))
    variant = Enum(("variant-a", "variant-b", "variant-c"), metadata=MODEL_REQUIRES)


@model("TextSection", section=True)
class TextSectionSchema(_TitledSectionSchema):
    variant = Enum(("variant-a", "variant-b"), metadata=MODEL_REQUIRES)
    text = Markdown()


class _FeedSettingsSchema(ModelSchema):
    colors = Enum(SECTION_COLORS)
    variant = Enum(VARIANTS_A_TO_D, metadata=MODEL_REQUIRES)
    elementId = Text()
    showDate = Boolean()
    showFeaturedImage = Boolean()
    showReadMoreLink = Boolean()
    styles = Styles()


@model("PagedPostsSection")
class PagedPostsSectionSchema(_FeedSettingsSchema):
    """How a post feed page shows its posts (the ``postFeed`` of a PostFeedLayout)."""

    entryTitle = Text()
    showAuthor = Boolean()
    showExcerpt = Boolean()


@model("PagedProjectsSection")
class PagedProjectsSectionSchema(_FeedSettingsSchema):
    """How a project feed page shows its projects (the ``projectFeed`` of a ProjectFeedLayout)."""

    entryTitle = Text()
    showDescription = Boolean()


@model("PostFeedSection")
class PostFeedSectionSchema(_FeedSettingsSchema):
    title = Text()
    subtitle = Text()
    actions = Actions()
    showAuthor = Boolean()
    showExcerpt = Boolean()


@model("ProjectFeedSection")
class ProjectFeedSectionSchema(_FeedSettingsSchema):
    title = Text()
    subtitle = Text()
    actions = Actions()
    showDescription = Boolean()
