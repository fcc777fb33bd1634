"""Data models: people, the site configuration and the theme's style."""

from __future__ import annotations

from marshmallow import fields

from api.schemas.model.base import ModelSchema, model
from api.schemas.model.blocks import (
    Actions,
    ContactBlockSchema,
    ImageBlockSchema,
    LinkSchema,
    MetaTagSchema,
    SocialSchema,
)
from api.schemas.model.fields import MODEL_REQUIRES, Boolean, Enum, Markdown, Number, Text
from api.schemas.model.styles import Styles


@model("Person")
class PersonSchema(ModelSchema):
    firstName = Text(metadata=MODEL_REQUIRES)
    lastName = Text()
    role = Text()
    bio = Markdown()
    image = fields.Nested(ImageBlockSchema)


@model("Header")
class HeaderSchema(ModelSchema):
    title = Text()
    isTitleVisible = Boolean()
    logo = fields.Nested(ImageBlockSchema)
    primaryLinks = fields.List(fields.Nested(LinkSchema))
    socialLinks = fields.List(fields.Nested(SocialSchema))
    headerVariant = Enum(("variant-a", "variant-b", "variant-c"), metadata=MODEL_REQUIRES)
    isSticky = Boolean()
    styles = Styles()


@model("Footer")
class FooterSchema(ModelSchema):
    primaryLinks = Actions()
    contacts = fields.Nested(ContactBlockSchema)
    copyrightText = Markdown()
    styles = Styles()


@model("Config")
class ConfigSchema(ModelSchema):
    fixedLabel = Text()
    favicon = Text()
    header = fields.Nested(HeaderSchema)
    footer = fields.Nested(FooterSchema)
    titleSuffix = Text()
    defaultSocialImage = Text()
    defaultMetaTags = fields.List(fields.Nested(MetaTagSchema))


_WEIGHTS = ("normal", "medium")
_CASES = ("none", "lowercase", "capitalize", "uppercase")
_LETTER_SPACINGS = ("tighter", "tight", "normal", "wide", "wider")


@model("ThemeStyleHeading")
class ThemeStyleHeadingSchema(ModelSchema):
    size = Enum(
        ("xs", "sm", "base", "lg", "xl", "2xl", "3xl", "4xl", "5xl", "6xl", "7xl", "8xl", "9xl"),
        metadata=MODEL_REQUIRES,
    )
    weight = Enum(_WEIGHTS, metadata=MODEL_REQUIRES)
    decoration = Enum(("none", "underline", "line-through"), metadata=MODEL_REQUIRES)
    case = Enum(_CASES, metadata=MODEL_REQUIRES)
    letterSpacing = Enum(_LETTER_SPACINGS, metadata=MODEL_REQUIRES)


@model("ThemeStyleButton")
class ThemeStyleButtonSchema(ModelSchema):
    weight = Enum(_WEIGHTS, metadata=MODEL_REQUIRES)
    case = Enum(_CASES, metadata=MODEL_REQUIRES)
    letterSpacing = Enum(_LETTER_SPACINGS, metadata=MODEL_REQUIRES)
    horizontalPadding = Number()
    verticalPadding = Number()


@model("ThemeStyleLink")
class ThemeStyleLinkSchema(ModelSchema):
    weight = Enum(_WEIGHTS, metadata=MODEL_REQUIRES)
    case = Enum(_CASES, metadata=MODEL_REQUIRES)
    letterSpacing = Enum(_LETTER_SPACINGS, metadata=MODEL_REQUIRES)


@model("ThemeStyle")
class ThemeStyleSchema(ModelSchema):
    light = Text()
    onLight = Text()
    dark = Text()
    onDark = Text()
    primary = Text()
    onPrimary = Text()
    secondary = Text()
    onSecondary = Text()
    complementary = Text()
    onComplementary = Text()
    fontBody = Enum(("fontPrimary", "fontSecondary"), metadata=MODEL_REQUIRES)
    h1 = fields.Nested(ThemeStyleHeadingSchema)
    h2 = fields.Nested(ThemeStyleHeadingSchema)
    h3 = fields.Nested(ThemeStyleHeadingSchema)
    h4 = fields.Nested(ThemeStyleHeadingSchema)
    h5 = fields.Nested(ThemeStyleHeadingSchema)
    h6 = fields.Nested(ThemeStyleHeadingSchema)
    buttonPrimary = fields.Nested(ThemeStyleButtonSchema)
    buttonSecondary = fields.Nested(ThemeStyleButtonSchema)
    link = fields.Nested(ThemeStyleLinkSchema)
