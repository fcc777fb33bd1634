"""Health: is the service up, which content does it serve, and what did it leave out."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from api.resources.blueprint import ContentBlueprint
from api.schemas.answers.responses import HealthSchema
from api.web.request_content import current_documents

blp = ContentBlueprint("health", __name__, description="Service health.")

NO_CACHE_DOC = {
    "Cache-Control": {"description": "Always `no-cache`.", "schema": {"type": "string"}}
}


@blp.route("/healthz")
class Health(MethodView):
    @blp.documented_get(
        HealthSchema,
        operation_id="getHealth",
        has_query=False,
        headers=NO_CACHE_DOC,
        localized=False,
    )
    def get(self) -> Any:
        """Report health and the content version

        Never cached by shared caches (`Cache-Control: no-cache`): monitors want
        the answer of now.
        """
        documents = current_documents()
        snapshot, view = documents.snapshot, documents.view
        faults = current_app.extensions["content"].faults
        errors = [problem for problem in snapshot.problems if problem.severity == "error"]
        content_errors = [
            {
                "path": error.path,
                "line": error.line,
                "message": error.message,
                "servingLastGood": error.path in snapshot.kept,
            }
            for error in errors
        ]
        content_errors += [
            {
                "path": ".",
                "line": 1,
                "message": message,
                "servingLastGood": cause == "content-folder",
            }
            for cause, message in sorted(faults.items())
        ]
        return (
            {
                "status": "degraded" if content_errors else "ok",
                "posts": len(view.posts),
                "authors": len(view.authors),
                "contentVersion": snapshot.version,
                "loadedAt": snapshot.loaded_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
                "skippedFiles": len(
                    {error.path for error in errors if not snapshot.serves(error.path)}
                ),
                "contentErrors": content_errors,
                "faults": [
                    {"cause": cause, "message": message}
                    for cause, message in sorted(faults.items())
                ],
                "propagation": _propagation_status(),
            },
            200,
            {"Cache-Control": "no-cache"},
        )


def _propagation_status() -> dict[str, Any]:
    """What the app's propagation (purges, webhooks, event streams) says of itself."""
    propagation = current_app.extensions.get("propagation")
    return propagation.status() if propagation is not None else {}
