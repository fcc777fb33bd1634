"""Projects: the site's ``ProjectLayout`` pages, newest first, as posts are."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import abort

from api.resources.blueprint import ContentBlueprint
from api.resources.listing import paginated
from api.schemas.answers.arguments import IncludeArgsSchema, PageArgsSchema
from api.schemas.answers.page_answers import ProjectPageSchema
from api.schemas.answers.responses import ProjectListSchema
from api.web.request_content import current_documents

blp = ContentBlueprint("projects", __name__, url_prefix="/api/projects", description="Projects.")


@blp.route("")
class Projects(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.documented_get(ProjectListSchema, operation_id="listProjects", paginated=True)
    def get(self, args: dict[str, Any]) -> Any:
        """List projects

        Every published `ProjectLayout` page as a summary, newest first (ties by slug),
        as the projects feed page (`/api/pages?path=/projects`) lists them.
        """
        documents = current_documents()
        return paginated(
            documents.projects(), args, lambda found: [documents.project_summary(p) for p in found]
        )


@blp.route("/<string(maxlength=200):slug>")
class Project(MethodView):
    @blp.arguments(IncludeArgsSchema, location="query", as_kwargs=True)
    @blp.documented_get(
        ProjectPageSchema,
        operation_id="getProject",
        not_found="No published project has this slug.",
    )
    def get(self, slug: str, include: str | None = None) -> Any:
        """Read a project

        The project's page, as `/api/pages?path=/projects/<slug>` answers it: every front
        matter field, typed; the body rendered to HTML with its table of contents; the
        next newer (`nextProject`) and next older (`prevProject`) project.
        """
        documents = current_documents()
        project = documents.view.projects_by_slug.get(slug)
        if project is None:
            abort(404, message=f"No project with slug '{slug}'")
        document, _ = documents.page(project, include_markdown=include == "markdown")
        return document
