"""Pages: any page of the site by URL path, the list of paths, and the site settings."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import abort

from api.resources.blueprint import ContentBlueprint
from api.resources.listing import link_header
from api.schemas.answers.arguments import PageLookupArgsSchema
from api.schemas.answers.page_answers import PageDocumentSchema, PagePathsSchema, SiteSchema
from api.web.request_content import current_content, current_documents

blp = ContentBlueprint("pages", __name__, url_prefix="/api", description="Pages and site settings.")


@blp.route("/pages")
class Pages(MethodView):
    @blp.arguments(PageLookupArgsSchema, location="query", as_kwargs=True)
    @blp.documented_get(
        PageDocumentSchema,
        operation_id="getPage",
        paginated=True,
        not_found="No page at this path.",
    )
    def get(
        self, path: str, page: int, page_size: int | None = None, include: str | None = None
    ) -> Any:
        """Read the page at a URL path

        The page's fields, typed, with what the theme's resolvers add: feed pages
        get one page of their posts or projects (`page`, `page_size`, by default the
        page's own `numOfPostsPerPage` or `numOfProjectsPerPage`, else 10), sections
        their posts or projects, projects their neighbours. Trailing slashes and
        case do not matter.
        """
        documents = current_documents()
        locale = documents.url_locale(path)
        if locale is not None and locale != documents.view.locale:  # a URL of another locale
            documents = current_content().in_locale(locale).documents()
        found = documents.page_at(path)
        if found is None:
            abort(404, message=f"No page at path '{path}'")
        document, info = documents.page(
            found, page_number=page, page_size=page_size, include_markdown=include == "markdown"
        )
        if info is None:
            return document
        args = {"path": found.url, "page": page, "page_size": page_size}  # None: the page's own
        return document, 200, {"Link": link_header(args, info)}


@blp.route("/pages/paths")
class PagePaths(MethodView):
    @blp.documented_get(PagePathsSchema, operation_id="listPagePaths", has_query=False)
    def get(self) -> Any:
        """List the path of every public page

        What a static front end needs to know which pages to build.
        """
        return {"items": current_documents().paths()}


@blp.route("/site")
class Site(MethodView):
    @blp.documented_get(SiteSchema, operation_id="getSite", has_query=False)
    def get(self) -> Any:
        """Read the site configuration and theme style

        `data/config.json` (header, footer, links, meta tags) and
        `data/style.json`, typed, with the site's absolute URL.
        """
        return current_documents().site(current_app.extensions["settings"].public_site_url)
