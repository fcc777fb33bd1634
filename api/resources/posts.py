"""Posts: the blog's ``PostLayout`` pages, newest first."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import abort

from api.resources.blueprint import ContentBlueprint
from api.resources.listing import paginated
from api.schemas.answers.arguments import (
    IncludeArgsSchema,
    PostListArgsSchema,
    RecentPostsArgsSchema,
)
from api.schemas.answers.discovery import RelatedArgsSchema, RelatedPostsSchema
from api.schemas.answers.responses import PostPageSchema, RecentPostsSchema
from api.schemas.model.layouts import PostSchema
from api.search.results import related_posts
from api.web.request_content import current_documents

blp = ContentBlueprint("posts", __name__, url_prefix="/api/posts", description="Blog posts.")


@blp.route("")
class Posts(MethodView):
    @blp.arguments(PostListArgsSchema, location="query", as_kwargs=True)
    @blp.documented_get(PostPageSchema, operation_id="listPosts", paginated=True)
    def get(self, page: int, page_size: int, sort: str, **filters: Any) -> Any:
        """List published posts

        Newest first by default (ties by slug), filtered by `author` and `tag`.
        """
        documents = current_documents()
        posts = documents.posts(sort=sort, **filters)
        args = {"page": page, "page_size": page_size, "sort": sort, **filters}
        return paginated(posts, args, documents.post_summaries)


@blp.route("/recent")
class RecentPosts(MethodView):
    @blp.arguments(RecentPostsArgsSchema, location="query", as_kwargs=True)
    @blp.documented_get(RecentPostsSchema, operation_id="listRecentPosts")
    def get(self, limit: int, exclude: str | None = None) -> Any:
        """List the newest published posts"""
        documents = current_documents()
        return {"items": documents.post_summaries(documents.recent_posts(limit, exclude))}


@blp.route("/<string(maxlength=200):slug>")
class Post(MethodView):
    @blp.arguments(IncludeArgsSchema, location="query", as_kwargs=True)
    @blp.documented_get(
        PostSchema, operation_id="getPost", not_found="No published post has this slug."
    )
    def get(self, slug: str, include: str | None = None) -> Any:
        """Read a post

        Every front matter field, typed; the author resolved; the body rendered to
        HTML with its table of contents; sections filled with their posts.
        """
        documents = current_documents()
        post = documents.post_by_slug(slug)
        if post is None:
            abort(404, message=f"No post with slug '{slug}'")
        return documents.post(post, include_markdown=include == "markdown")


@blp.route("/<string(maxlength=200):slug>/related")
class RelatedPosts(MethodView):
    @blp.arguments(RelatedArgsSchema, location="query", as_kwargs=True)
    @blp.documented_get(
        RelatedPostsSchema,
        operation_id="listRelatedPosts",
        not_found="No published post has this slug.",
    )
    def get(self, slug: str, limit: int) -> Any:
        """List the posts most like a post

        Most shared tags first, then the most similar text, then the newest; never
        the post itself.
        """
        documents = current_documents()
        post = documents.post_by_slug(slug)
        if post is None:
            abort(404, message=f"No post with slug '{slug}'")
        return {"items": documents.post_summaries(related_posts(documents, post, limit))}
