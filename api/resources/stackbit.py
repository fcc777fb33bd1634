"""The Stackbit compatibility view: what a Stackbit theme's own data layer hands its pages."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import abort

from api.content.model import keys as k
from api.resources.blueprint import ContentBlueprint
from api.schemas.answers.errors import ErrorSchema
from api.schemas.answers.stackbit_answers import (
    StackbitObjectsSchema,
    StackbitPathsSchema,
    StackbitPropsArgsSchema,
    StackbitPropsSchema,
)
from api.stackbit import (
    SOURCEBIT,
    AnswerTooLarge,
    KeyRecorder,
    ThemeIndex,
    normalise_theme_path,
    theme_index,
)
from api.web.request_content import current_documents

blp = ContentBlueprint(
    "stackbit",
    __name__,
    url_prefix="/api/stackbit",
    description="The site as a Stackbit / Netlify Create theme's own data layer sees it "
    "(`STACKBIT_COMPAT` picks the generation of themes).",
)


def _generation() -> str:
    return current_app.extensions["settings"].stackbit_compat  # type: ignore[no-any-return]


def _index() -> ThemeIndex:
    documents = current_documents()
    return theme_index(documents.snapshot, documents.view, _generation())


@blp.route("/paths")
class StackbitPaths(MethodView):
    @blp.documented_get(StackbitPathsSchema, operation_id="listStackbitPaths", has_query=False)
    def get(self) -> Any:
        """List the URL paths a Stackbit theme builds

        What the theme's `getStaticPaths` produces from the content folder: every
        page's URL path (drafts only in preview), in code point order.
        """
        current_documents().uses(k.PAGES)  # the paths come and go with the pages
        return {"items": _index().paths()}


@blp.route("/props")
class StackbitProps(MethodView):
    @blp.arguments(StackbitPropsArgsSchema, location="query", as_kwargs=True)
    @blp.alt_response(
        422,
        schema=ErrorSchema,
        description="Invalid query parameters, or a page whose referenced objects would make "
        "the answer too large or too deeply nested to send.",
    )
    @blp.documented_get(
        StackbitPropsSchema,
        operation_id="getStackbitProps",
        not_found="No page at this path.",
        has_query=False,  # its 422 is the one above, which says more
    )
    def get(self, path: str) -> Any:
        """Read a page's props as a Stackbit theme's getStaticProps returns them

        `{page, site}`: the page's front matter in the file's key order, its
        Markdown body as `markdown_content` and `__metadata`, references and
        sections resolved the theme's way; `site` is `data/config.json`. What the
        theme's own build gives its page component, so a theme's front end can
        run on this API with a data layer of a few lines (`examples/stackbit/`).
        """
        key = normalise_theme_path(path)
        recorder = KeyRecorder()
        try:
            props = _index().props(key, recorder) if key is not None else None
        except AnswerTooLarge as error:
            abort(422, message=f"The page at '{path}' cannot be answered: {error}")
        finally:
            # every file it read and every list it showed, so that an edit of anything
            # else keeps the answer cached
            current_documents().uses(*(recorder.keys or {k.PAGES}))
        if props is None:
            abort(404, message=f"No page at path '{path}'")
        return props


@blp.route("/objects")
class StackbitObjects(MethodView):
    @blp.documented_get(
        StackbitObjectsSchema,
        operation_id="listStackbitObjects",
        not_found="Not a `STACKBIT_COMPAT=sourcebit` server.",
        has_query=False,
    )
    def get(self) -> Any:
        """List every file's object as sourcebit-source-filesystem hands it to sourcebit

        Only under `STACKBIT_COMPAT=sourcebit`, for the source plugin
        `sourcebit-source-content-api` (`clients/sourcebit-source-content-api`): every
        page (`{__metadata, frontmatter, markdown}`) and data file (`{__metadata, ...}`)
        in that plugin's order, with the metadata its model gives it (`modelType`,
        `modelName`, a page's `urlPath`, nested objects' `modelName` in data files).
        The plugin adds `sourcePath`, which only the theme's build knows.
        """
        if _generation() != SOURCEBIT:
            abort(404, message="/api/stackbit/objects is served under STACKBIT_COMPAT=sourcebit")
        recorder = KeyRecorder()
        answer = _index().filesystem_objects(recorder)  # type: ignore[attr-defined]
        current_documents().uses(*recorder.keys)
        return answer
