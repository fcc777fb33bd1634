"""The API's index: ``GET /api`` (and ``/api/``) says what the service is and links the rest."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from flask.views import MethodView

from api.resources.blueprint import ContentBlueprint
from api.schemas.answers.api_index import ApiIndexSchema
from api.web.request_content import current_content

blp = ContentBlueprint("index", __name__, description="The API's index.")

# Link name -> the endpoint it points at; url_for fails loudly if one is renamed.
LINKED_ENDPOINTS = {
    "docs": "api-docs.openapi_swagger_ui",
    "openapi": "api-docs.openapi_json",
    "health": "health.Health",
    "posts": "posts.Posts",
    "recentPosts": "posts.RecentPosts",
    "authors": "authors.Authors",
    "pages": "pages.PagePaths",
    "site": "pages.Site",
    "projects": "projects.Projects",
    "search": "search.Search",
    "tags": "tags.Tags",
    "rssFeed": "feeds.RssFeed",
    "atomFeed": "feeds.AtomFeed",
    "jsonFeed": "feeds.JsonFeed",
    "sitemap": "feeds.SitemapDocument",
    "events": "events.Events",
    "locales": "locales.Locales",
}


@blp.route("/api", strict_slashes=False)
class ApiIndex(MethodView):
    @blp.documented_get(
        ApiIndexSchema, operation_id="getApiIndex", has_query=False, localized=False
    )
    def get(self) -> Any:
        """Describe the API and link its parts

        The API's name and version, the content version it serves, and where the
        documentation, the OpenAPI document and each collection are. Also at
        `/api/`; `GET /` redirects to the documentation.
        """
        return {
            "name": current_app.config["API_TITLE"],
            "version": current_app.config["API_VERSION"],
            "contentVersion": current_content().snapshot.version,
            "links": {name: url_for(endpoint) for name, endpoint in LINKED_ENDPOINTS.items()},
        }
