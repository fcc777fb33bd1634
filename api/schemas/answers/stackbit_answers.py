"""The Stackbit compatibility view's answers: objects as a theme's own loader gives them.

These answers are not shaped by our schemas (that is their point: a theme's
front end gets the file's fields in the file's order, and nothing of ours), so
the response schemas pass the data through and only describe it for the spec.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, INCLUDE, Schema, fields, validate

PAGE_LAYOUTS = ("PageLayout", "PostLayout", "PostFeedLayout", "ProjectLayout", "ProjectFeedLayout")


class StackbitPropsArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    path = fields.String(
        required=True,
        validate=validate.Length(min=1, max=512),
        metadata={
            "description": "A URL path from `/api/stackbit/paths`, e.g. `/`, `/blog/post-one` "
            "(case-sensitive, as the theme's; a trailing slash does not matter)."
        },
    )


class StackbitPathsSchema(Schema):
    """The URL paths the theme's `getStaticPaths` produces, in code point order."""

    items = fields.List(
        fields.String(), required=True, metadata={"example": ["/", "/blog", "/blog/post-one"]}
    )


class StackbitMetadataSchema(Schema):
    """`__metadata`: where an object comes from, as the theme's loader records it.

    Every file's object has `id` (its repository path); a page has `urlPath`; an
    object with a `type` has `modelName`. The `sourcebit` generation adds
    `source`, `sourceName`, `relSourcePath`, `relProjectPath`, `modelType`, `url`,
    and on the page itself `pageCssClasses`.
    """

    class Meta:
        unknown = INCLUDE  # a theme's loader may record more

    id = fields.String(metadata={"example": "content/pages/blog/post-one.md"})
    modelName = fields.String(metadata={"example": "PostLayout"})
    urlPath = fields.String(metadata={"example": "/blog/post-one"})
    source = fields.String(metadata={"example": "sourcebit-source-filesystem"})
    sourceName = fields.String(metadata={"example": "pages"})
    relSourcePath = fields.String(metadata={"example": "blog/post-one.md"})
    relProjectPath = fields.String(metadata={"example": "content/pages/blog/post-one.md"})
    modelType = fields.String(metadata={"example": "page"})
    url = fields.String(metadata={"example": "/blog/post-one/"})
    pageCssClasses = fields.List(
        fields.String(), metadata={"example": ["page-blog", "page-blog-post-one"]}
    )


class _StackbitPageBase(Schema):
    class Meta:
        unknown = INCLUDE  # every field of the file, as written

    markdown_content = fields.String(
        allow_none=True,
        metadata={"description": "The Markdown body as the file has it (`null`: none, sourcebit)."},
    )
    source_metadata = fields.Nested(StackbitMetadataSchema, data_key="__metadata", required=True)


_LAYOUT_NOTES = {
    "PageLayout": "Its `sections` are filled as the theme's resolvers fill them.",
    "PostLayout": "`author` is the person's object; a `RecentPostsSection` gets `posts`, "
    "the newest posts as whole page objects (this post included).",
    "PostFeedLayout": "`items`: every post, newest first, as whole page objects.",
    "ProjectLayout": "`prevProject` (older), `nextProject` (newer): whole page objects or `null`.",
    "ProjectFeedLayout": "`items`: every project, newest first, as whole page objects.",
}


def _layout_schema(layout: str) -> type[Schema]:
    """A page of one of the model's layouts, as the theme's loader gives it."""
    declared: dict[str, Any] = {
        "type": fields.String(
            required=True, validate=validate.OneOf([layout]), metadata={"example": layout}
        ),
        "title": fields.String(),
    }
    page = "a page object like this one"
    if layout in ("PostFeedLayout", "ProjectFeedLayout"):
        declared["items"] = fields.List(fields.Dict(), metadata={"description": f"Each {page}."})
    if layout == "ProjectLayout":
        for name, which in (("prevProject", "older"), ("nextProject", "newer")):
            description = f"The next {which} project, {page}; `null` if none."
            declared[name] = fields.Dict(allow_none=True, metadata={"description": description})
    schema = type(f"Stackbit{layout}Schema", (_StackbitPageBase,), declared)
    schema.__doc__ = (
        f"A `{layout}` page as the theme's loader gives it: the front matter in the file's "
        f"order (the fields of the model's `{layout}`, as written), `markdown_content` and "
        f"`__metadata`. {_LAYOUT_NOTES[layout]}"
    )
    return schema


LAYOUT_SCHEMAS = {layout: _layout_schema(layout) for layout in PAGE_LAYOUTS}


class StackbitAnyPageSchema(_StackbitPageBase):
    """A page of a layout of the theme's own, or one with only `layout:` (sourcebit themes)."""

    type = fields.String()
    layout = fields.String(metadata={"description": "The page's layout, as older themes write it."})


class StackbitPropsSchema(Schema):
    """`{page, site}` as the theme's `getStaticProps` returns them (`sourcebit`: also `path`).

    `page` is one of the model's layouts as its file has it, plus `__metadata`;
    `site` is `data/config.json` with its `__metadata` (`null` without one).
    """

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        return obj  # shaped by the theme's rules (api.stackbit), not by ours

    @classmethod
    def openapi_document(cls, converter: Any) -> dict[str, Any]:
        pages = [converter.resolve_nested_schema(s)["$ref"] for s in LAYOUT_SCHEMAS.values()]
        pages.append(converter.resolve_nested_schema(StackbitAnyPageSchema)["$ref"])
        metadata = converter.resolve_nested_schema(StackbitMetadataSchema)["$ref"]
        return {
            "type": "object",
            "properties": {
                "path": {
                    "type": "string",
                    "description": "The URL path (`sourcebit` themes only).",
                    "example": "/blog/post-one",
                },
                "page": {"anyOf": [{"$ref": ref} for ref in pages]},
                "site": {
                    "type": "object",
                    "nullable": True,
                    "description": "`data/config.json` as written, with its `__metadata`.",
                    "properties": {"type": {"type": "string"}, "__metadata": {"$ref": metadata}},
                },
            },
            "required": ["page", "site"],
        }


class StackbitSourceMetadataSchema(StackbitMetadataSchema):
    """`__metadata` as `sourcebit-source-filesystem` records it (less `sourcePath`)."""

    urlPath = fields.String(
        metadata={"example": "/blog/post-one", "description": "A page's URL path (lower case)."}
    )


class StackbitSourceObjectSchema(Schema):
    """One file's object: a page is `{__metadata, frontmatter, markdown}` (`frontmatter`
    `null` when the file has none), a data file its JSON with `__metadata` first."""

    class Meta:
        unknown = INCLUDE  # a data file's fields, as written

    source_metadata = fields.Nested(
        StackbitSourceMetadataSchema, data_key="__metadata", required=True
    )
    frontmatter = fields.Dict(
        allow_none=True, metadata={"description": "A page's front matter (js-yaml 4)."}
    )
    markdown = fields.String(metadata={"description": "A page's Markdown, as written."})


class StackbitObjectsSchema(Schema):
    """Every file's object as `sourcebit-source-filesystem` hands it to sourcebit: pages
    (sorted by path), then data files (sorted by path)."""

    objects = fields.List(fields.Nested(StackbitSourceObjectSchema), required=True)

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        return obj  # shaped by the plugin's rules (api.stackbit.source_objects), not by ours
