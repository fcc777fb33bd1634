"""Discovery: search hits, tags, related posts, and their query arguments."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from api.schemas.answers.paging import PaginationArgsSchema, page_of
from api.schemas.model.base import ContentSchema
from api.schemas.model.fields import Date, Text
from api.schemas.model.localized import locale_field
from api.schemas.model.summaries import AuthorSummarySchema, PostSummarySchema

KNOWN_PAGE_TYPES = [
    "PostLayout",
    "PageLayout",
    "ProjectLayout",
    "PostFeedLayout",
    "ProjectFeedLayout",
]

MAX_QUERY_LENGTH = 200  # characters of a search query; longer ones are refused (422)


class SearchArgsSchema(PaginationArgsSchema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_QUERY_LENGTH),
        metadata={
            "description": (
                "What to find, 1 to 200 characters. Every word must match (case and accents "
                'do not matter); `"quoted words"` match as a phrase; the last word also '
                "matches as a prefix while it is being typed (3 letters or more); a word of "
                "5 letters or more still matches with one typo, ranked below exact matches. "
                "On a site of several locales a word also matches its other forms in the "
                "language of `locale`, where it has a stemmer (`running` finds *runs*, "
                "`gärten` *Gartens*), ranked below the word as written and above typos."
            ),
            "example": "silos",
        },
    )
    type = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": f"Only pages of this model type ({', '.join(KNOWN_PAGE_TYPES)}, ...).",
            "example": "PostLayout",
        },
    )
    author = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Only this author's pages (an author slug)."},
    )
    tag = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Only posts with this tag (a tag slug)."},
    )


class RelatedArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(
        load_default=3,
        validate=validate.Range(min=1, max=20),
        metadata={"description": "How many posts, 1 to 20."},
    )


class SearchHitSchema(ContentSchema):
    """A page that matches a search, with the passage that matched."""

    type = fields.String(
        required=True,
        metadata={
            "description": f"The page's model type ({', '.join(KNOWN_PAGE_TYPES)}, ...).",
            "example": "PostLayout",
        },
    )
    slug = fields.String(required=True, metadata={"example": "ai-security-and-the-end-of-silos"})
    url = fields.String(
        required=True,
        metadata={
            "description": "URL path of the page.",
            "example": "/blog/ai-security-and-the-end-of-silos",
        },
    )
    title = Text(required=True)
    score = fields.Float(
        required=True,
        metadata={
            "description": (
                "Relevance (BM25 with field weights): higher is better; hits are in "
                "descending order of score."
            )
        },
    )
    snippet = fields.String(
        required=True,
        metadata={
            "description": (
                "About 30 words of the best matching passage as HTML: the matched words in "
                "`<mark>`, everything else escaped."
            ),
            "example": "…break down the <mark>silos</mark> that have existed for years.…",
        },
    )
    date = Date()
    excerpt = Text(
        metadata={"description": "A post's excerpt, a project's description, a page's meta."}
    )
    author = fields.Nested(AuthorSummarySchema)
    isDraft = fields.Boolean(metadata={"description": "Present, true, on drafts in preview."})
    locale = locale_field()


SearchPageSchema = page_of(SearchHitSchema, "SearchPageSchema")


class TagSchema(ContentSchema):
    """A tag of published posts."""

    slug = fields.String(
        required=True,
        metadata={"description": "The name lower-cased and hyphenated.", "example": "incidents"},
    )
    name = fields.String(
        required=True,
        metadata={"description": "As first written in the content.", "example": "incidents"},
    )
    postCount = fields.Integer(
        required=True, metadata={"description": "Published posts with this tag.", "example": 5}
    )


class TagListSchema(ContentSchema):
    """Every tag, most posts first, then by name."""

    items = fields.List(fields.Nested(TagSchema), required=True)


class RelatedPostsSchema(ContentSchema):
    """Posts like this one: shared tags first, then shared words, newest first among equals."""

    items = fields.List(fields.Nested(PostSummarySchema), required=True)
