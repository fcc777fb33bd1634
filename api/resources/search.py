"""Search: ranked full-text search over posts, pages and projects, with snippets."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.content.model.pagination import PageInfo
from api.content.model.tag_index import tag_slug
from api.resources.blueprint import ContentBlueprint
from api.resources.listing import link_header
from api.schemas.answers.discovery import SearchArgsSchema, SearchPageSchema
from api.search import SearchFilters, parse_query, results
from api.web.request_content import current_documents

blp = ContentBlueprint(
    "search", __name__, url_prefix="/api/search", description="Full-text search."
)


@blp.route("")
class Search(MethodView):
    @blp.arguments(SearchArgsSchema, location="query")
    @blp.documented_get(SearchPageSchema, operation_id="search", paginated=True)
    def get(self, args: dict[str, Any]) -> Any:
        """Search posts, pages and projects

        Ranked by relevance (BM25; a title match above a body match), each hit with a
        snippet of its best passage. Every word must match; `"quoted words"` match as a
        phrase; the last word matches as a prefix while typing; a word of 5 letters or
        more tolerates one typo (ranked below exact matches). On a site of several
        locales, a word also matches its other forms in the language of `locale` where
        it has a stemmer (ranked below the word as written). Drafts only in preview.
        """
        documents = current_documents()
        page, page_size = args["page"], args["page_size"]
        filters = SearchFilters(
            page_type=args.get("type"),
            author=args.get("author"),
            tag=tag_slug(args["tag"]) if "tag" in args else None,
        )
        hits, total = results.search(
            documents,
            parse_query(args["q"]),
            filters,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
        info = PageInfo(page, page_size, total)
        body = {"items": hits, "pagination": info.as_dict()}
        return body, 200, {"Link": link_header(args, info)}
