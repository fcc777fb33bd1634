"""Health: is the service up, which content does it serve, and what did it leave out."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.resources.blueprint import ContentBlueprint
from api.resources.common import current_documents
from api.schemas.resources import HealthSchema

blp = ContentBlueprint("health", __name__, description="Service health.")

NO_CACHE_DOC = {
    "Cache-Control": {"description": "Always `no-cache`.", "schema": {"type": "string"}}
}


@blp.route("/healthz")
class Health(MethodView):
    @blp.documented_get(
        HealthSchema, operation_id="getHealth", has_query=False, headers=NO_CACHE_DOC
    )
    def get(self) -> Any:
        """Report health and the content version

        Never cached by shared caches (`Cache-Control: no-cache`): monitors want
        the answer of now.
        """
        documents = current_documents()
        snapshot, view = documents.snapshot, documents.view
        errors = [problem for problem in snapshot.problems if problem.severity == "error"]
        return (
            {
                "status": "ok",
                "posts": len(view.posts),
                "authors": len(view.authors),
                "contentVersion": snapshot.version,
                "loadedAt": snapshot.loaded_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
                "skippedFiles": len({problem.path for problem in errors}),
                "contentErrors": [
                    {
                        "path": error.path,
                        "line": error.line,
                        "message": error.message,
                        "servingLastGood": error.path in snapshot.kept,
                    }
                    for error in errors
                ],
            },
            200,
            {"Cache-Control": "no-cache"},
        )
