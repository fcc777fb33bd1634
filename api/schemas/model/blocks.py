"""Blocks: the model's objects that sit inside sections and pages (images, links, forms...)."""

from __future__ import annotations

from marshmallow import fields

from api.schemas.model.base import ModelSchema, model
from api.schemas.model.fields import (
    MODEL_REQUIRES,
    Boolean,
    Enum,
    Markdown,
    Number,
    OneOfModels,
    Text,
)
from api.schemas.model.styles import FORM_WIDTHS, ICONS, SOCIAL_ICONS, Styles


@model("ImageBlock")
class ImageBlockSchema(ModelSchema):
    url = Text(metadata={"description": "Image URL."})
    altText = Text()
    caption = Text()
    elementId = Text()


@model("VideoBlock")
class VideoBlockSchema(ModelSchema):
    title = Text()
    url = Text()
    elementId = Text()
    autoplay = Boolean()
    loop = Boolean()
    muted = Boolean()
    controls = Boolean()
    aspectRatio = Enum(("4:3", "16:9"))


@model("BackgroundImage")
class BackgroundImageSchema(ModelSchema):
    url = Text()
    backgroundSize = Enum(("auto", "cover", "contain"), metadata=MODEL_REQUIRES)
    backgroundPosition = Enum(
        (
            "bottom", "center", "left", "left-bottom", "left-top", "right", "right-bottom",
            "right-top", "top",
        ),
        metadata=MODEL_REQUIRES,
    )  # fmt: skip
    backgroundRepeat = Enum(
        ("repeat", "repeat-x", "repeat-y", "no-repeat"), metadata=MODEL_REQUIRES
    )
    opacity = Number()


class _ActionSchema(ModelSchema):
    label = Text()
    altText = Text()
    url = Text(metadata=MODEL_REQUIRES)
    showIcon = Boolean()
    icon = Enum(ICONS)
    iconPosition = Enum(("left", "right"))
    elementId = Text()


@model("Button")
class ButtonSchema(_ActionSchema):
    style = Enum(("primary", "secondary"), metadata=MODEL_REQUIRES)


@model("Link")
class LinkSchema(_ActionSchema):
    pass


def Actions() -> fields.List:
    """A ``list<model<Button|Link>>`` field."""
    return fields.List(OneOfModels("Button", "Link"))


@model("Social")
class SocialSchema(ModelSchema):
    label = Text()
    altText = Text()
    url = Text(metadata=MODEL_REQUIRES)
    icon = Enum(SOCIAL_ICONS, metadata=MODEL_REQUIRES)
    elementId = Text()


@model("Label")
class LabelSchema(ModelSchema):
    label = Text(metadata=MODEL_REQUIRES)
    url = Text()


@model("MetaTag")
class MetaTagSchema(ModelSchema):
    property = Enum(
        (
            "og:title", "og:type", "og:image", "og:image:alt", "og:url", "og:description",
            "og:locale", "og:site_name", "og:video", "twitter:card", "twitter:site",
            "twitter:creator", "twitter:description", "twitter:title", "twitter:image",
            "twitter:image:alt", "twitter:player",
        )
    )  # fmt: skip
    content = Text()


@model("ContactBlock")
class ContactBlockSchema(ModelSchema):
    title = Text()
    phoneNumber = Text()
    phoneAltText = Text()
    email = Text()
    emailAltText = Text()
    address = Text()
    addressAltText = Text()
    elementId = Text()


class _FormControlSchema(ModelSchema):
    name = Text(metadata=MODEL_REQUIRES)
    label = Text()
    width = Enum(FORM_WIDTHS, metadata=MODEL_REQUIRES)
    isRequired = Boolean()


class _LabelledInputSchema(_FormControlSchema):
    hideLabel = Boolean()
    placeholder = Text()


@model("TextFormControl")
class TextFormControlSchema(_LabelledInputSchema):
    pass


@model("EmailFormControl")
class EmailFormControlSchema(_LabelledInputSchema):
    name = Text()


@model("TextareaFormControl")
class TextareaFormControlSchema(_LabelledInputSchema):
    pass


@model("CheckboxFormControl")
class CheckboxFormControlSchema(_FormControlSchema):
    pass


@model("SelectFormControl")
class SelectFormControlSchema(_FormControlSchema):
    hideLabel = Boolean()
    defaultValue = Text()
    options = fields.List(Text())


@model("FormBlock")
class FormBlockSchema(ModelSchema):
    title = Text()
    # ``fields`` would shadow marshmallow's own ``Schema.fields``.
    form_fields = fields.List(
        OneOfModels(
            "TextFormControl",
            "EmailFormControl",
            "TextareaFormControl",
            "CheckboxFormControl",
            "SelectFormControl",
        ),
        data_key="fields",
        attribute="fields",
    )
    submitLabel = Text()
    elementId = Text(metadata=MODEL_REQUIRES)
    action = Text()
    destination = Text()
    styles = Styles()


@model("FeaturedItem")
class FeaturedItemSchema(ModelSchema):
    title = Text()
    subtitle = Text()
    text = Markdown()
    featuredImage = fields.Nested(ImageBlockSchema)
    actions = Actions()
    elementId = Text()
    styles = Styles()


@model("Testimonial")
class TestimonialSchema(ModelSchema):
    quote = Markdown(metadata=MODEL_REQUIRES)
    name = Text()
    title = Text()
    image = fields.Nested(ImageBlockSchema)
    elementId = Text()
    styles = Styles()
