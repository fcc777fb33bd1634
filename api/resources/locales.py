"""Locales: the languages a site is written in, and how far each is translated."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.resources.blueprint import ContentBlueprint
from api.schemas.answers.locales_overview import LocalesSchema
from api.web.request_content import current_documents

blp = ContentBlueprint("locales", __name__, url_prefix="/api", description="Locales.")


@blp.route("/locales")
class Locales(MethodView):
    @blp.documented_get(LocalesSchema, operation_id="listLocales", has_query=False, localized=False)
    def get(self) -> Any:
        """List the site's locales

        Each declared locale (`data/locales.json`) with its fallback, the number of
        documents that have a version in it and the default-locale files that have
        none. A site without the file has none: `{"items": []}`.
        """
        return current_documents().locales_overview()
