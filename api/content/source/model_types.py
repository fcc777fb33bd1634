"""The content model's names the code branches on, defined once: page layouts, the sections
that show other pages, and the fields that hold a page's sections.

Everything else about the model (fields, their types, which are required) lives in the
marshmallow schemas of ``api.schemas.model``, the one registry the validation, the
documents and the OpenAPI document share.
"""

from __future__ import annotations

PAGE_TYPE = "PageLayout"
POST_TYPE = "PostLayout"
POST_FEED_TYPE = "PostFeedLayout"
PROJECT_TYPE = "ProjectLayout"
PROJECT_FEED_TYPE = "ProjectFeedLayout"
PAGE_TYPES = frozenset({PAGE_TYPE, POST_TYPE, POST_FEED_TYPE, PROJECT_TYPE, PROJECT_FEED_TYPE})

RECENT_POSTS = "RecentPostsSection"
FEATURED_POSTS = "FeaturedPostsSection"
RECENT_PROJECTS = "RecentProjectsSection"
FEATURED_PROJECTS = "FeaturedProjectsSection"
# Sections whose answer shows other pages: a page with one changes when those pages do.
EMBEDDING_SECTIONS = (RECENT_POSTS, FEATURED_POSTS, RECENT_PROJECTS, FEATURED_PROJECTS)

SECTION_LISTS = ("sections", "topSections", "bottomSections")  # a page's lists of sections
# A feed page's own page size, by layout (the field as the themes' models name it).
FEED_PAGE_SIZE_FIELDS = {
    POST_FEED_TYPE: "numOfPostsPerPage",
    PROJECT_FEED_TYPE: "numOfProjectsPerPage",
}
