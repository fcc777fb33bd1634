"""Tags: the tags of published posts, with their counts and posts."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import abort

from api.content.model import keys as k
from api.content.model.tag_index import Tag
from api.resources.blueprint import ContentBlueprint
from api.resources.listing import paginated
from api.schemas.answers.arguments import PageArgsSchema
from api.schemas.answers.discovery import TagListSchema, TagSchema
from api.schemas.answers.responses import PostPageSchema
from api.web.request_content import current_documents

blp = ContentBlueprint("tags", __name__, url_prefix="/api/tags", description="Tags of posts.")


def _tag_document(tag: Tag) -> dict[str, Any]:
    return {"slug": tag.slug, "name": tag.name, "postCount": tag.post_count}


def _tag_or_404(slug: str) -> Tag:
    documents = current_documents()
    tag = documents.view.tags.get(slug)
    if tag is None:
        abort(404, message=f"No tag with slug '{slug}'")
    # Its name, count and posts: a post that gains the tag changes no key of the posts shown.
    documents.uses(k.TAGS, k.tag_key(tag.slug))
    return tag


@blp.route("")
class Tags(MethodView):
    @blp.documented_get(TagListSchema, operation_id="listTags", has_query=False)
    def get(self) -> Any:
        """List tags

        Every tag of published posts with its number of posts: most posts first, then
        by name.
        """
        return {"items": [_tag_document(tag) for tag in current_documents().view.tags.ordered]}


@blp.route("/<string(maxlength=200):slug>")
class TagDetail(MethodView):
    @blp.documented_get(
        TagSchema,
        operation_id="getTag",
        not_found="No published post has this tag.",
        has_query=False,
    )
    def get(self, slug: str) -> Any:
        """Read a tag"""
        return _tag_document(_tag_or_404(slug))


@blp.route("/<string(maxlength=200):slug>/posts")
class TagPosts(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.documented_get(
        PostPageSchema,
        operation_id="listTagPosts",
        paginated=True,
        not_found="No published post has this tag.",
    )
    def get(self, args: dict[str, Any], slug: str) -> Any:
        """List the published posts with a tag, newest first"""
        tag = _tag_or_404(slug)
        return paginated(tag.posts, args, current_documents().post_summaries)
