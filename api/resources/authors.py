"""Authors: the people of ``data/team/`` and their posts."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import abort

from api.resources.blueprint import ContentBlueprint
from api.resources.listing import paginated
from api.schemas.answers.arguments import PageArgsSchema
from api.schemas.answers.responses import AuthorPageSchema, PostPageSchema
from api.schemas.model.people import AuthorSchema
from api.web.request_content import current_documents

blp = ContentBlueprint("authors", __name__, url_prefix="/api/authors", description="Authors.")


@blp.route("")
class Authors(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.documented_get(AuthorPageSchema, operation_id="listAuthors", paginated=True)
    def get(self, args: dict[str, Any]) -> Any:
        """List authors

        By slug, each with the number of posts they have published.
        """
        documents = current_documents()
        return paginated(
            documents.authors(), args, lambda people: [documents.author(p) for p in people]
        )


@blp.route("/<string(maxlength=200):slug>")
class Author(MethodView):
    @blp.documented_get(
        AuthorSchema,
        operation_id="getAuthor",
        not_found="No author has this slug.",
        has_query=False,
    )
    def get(self, slug: str) -> Any:
        """Read an author"""
        documents = current_documents()
        person = documents.view.authors_by_slug.get(slug)
        if person is None:
            abort(404, message=f"No author with slug '{slug}'")
        return documents.author(person)


@blp.route("/<string(maxlength=200):slug>/posts")
class AuthorPosts(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.documented_get(
        PostPageSchema,
        operation_id="listAuthorPosts",
        paginated=True,
        not_found="No author has this slug.",
    )
    def get(self, args: dict[str, Any], slug: str) -> Any:
        """List an author's published posts, newest first"""
        documents = current_documents()
        if slug not in documents.view.authors_by_slug:
            abort(404, message=f"No author with slug '{slug}'")
        return paginated(documents.posts(author=slug), args, documents.post_summaries)
