"""The ``styles`` objects of sections and blocks, and the enums shared across the model."""

from __future__ import annotations

from marshmallow import fields

from api.schemas.model.base import ContentSchema
from api.schemas.model.fields import StyleValue

SECTION_COLORS = ("colors-a", "colors-b", "colors-c", "colors-d", "colors-e", "colors-f")
PAGE_COLORS = ("colors-a", "colors-b", "colors-c", "colors-d", "colors-e")
VARIANTS_A_TO_D = ("variant-a", "variant-b", "variant-c", "variant-d")
BACKGROUND_SIZES = ("full", "inset")
ICONS = (
    "apple", "arrowLeft", "arrowLeftCircle", "arrowRight", "arrowRightCircle", "arrowUpLeft",
    "arrowUpRight", "cart", "chevronLeft", "chevronRight", "facebook", "github", "googlePlay",
    "instagram", "linkedin", "mail", "play", "playCircle", "reddit", "send", "twitter", "vimeo",
    "youtube",
)  # fmt: skip
SOCIAL_ICONS = (
    "facebook", "github", "instagram", "linkedin", "reddit", "twitter", "vimeo", "youtube",
)  # fmt: skip
FORM_WIDTHS = ("full", "1/2")


class StylePropertiesSchema(ContentSchema):
    """Style properties of one element of a component (``self``, ``title``, ...).

    The theme maps each property to Tailwind classes; values are strings, numbers
    or, for ``margin`` and ``padding``, lists of classes such as ``pt-12``.
    """

    class Meta:
        unknown = "include"

    height = StyleValue(metadata={"description": "auto | screen"})
    width = StyleValue(metadata={"description": "narrow | wide | full"})
    margin = fields.List(fields.String(), metadata={"description": "Tailwind margin classes"})
    padding = fields.List(fields.String(), metadata={"description": "Tailwind padding classes"})
    alignItems = StyleValue(metadata={"description": "flex-start | flex-end | center"})
    justifyContent = StyleValue(metadata={"description": "flex-start | flex-end | center"})
    flexDirection = StyleValue(metadata={"description": "row | row-reverse | col | col-reverse"})
    borderRadius = StyleValue()
    borderWidth = StyleValue(metadata={"description": "0 to 8"})
    borderStyle = StyleValue()
    borderColor = StyleValue(
        metadata={
            "description": "border-primary | border-secondary | border-dark | border-complementary"
        }
    )
    fontWeight = StyleValue(metadata={"description": "400 | 500"})
    fontStyle = StyleValue(metadata={"description": "italic"})
    textAlign = StyleValue(metadata={"description": "left | center | right"})
    textDecoration = StyleValue(metadata={"description": "underline"})


def Styles() -> fields.Dict:
    """A ``style`` field: element name (``self``, ``title``, ...) to its properties."""
    return fields.Dict(
        keys=fields.String(),
        values=fields.Nested(StylePropertiesSchema),
        metadata={"description": "Style properties per element of the component."},
    )
