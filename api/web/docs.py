"""The interactive documentation page: Swagger UI from an installed package, under a strict CSP.

Swagger UI's files come from the pinned ``flask-swagger-ui`` package (its
``dist/`` folder; we use only the files, not its blueprint) and are served by
this app under a versioned path, so ``/api/docs`` works with no internet access
(an office proxy, a train, an air-gapped deployment, CI). flask-smorest's own
page runs an inline script; ours loads a local one, so the Content-Security-Policy
allows scripts from this origin only. The page carries a plain link to the
OpenAPI document that stays visible when the UI cannot start.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from flask import Flask, Response, abort, redirect, request

SWAGGER_UI_PACKAGE = "flask_swagger_ui"  # ships Swagger UI's dist/ folder
DOCS_PATH = "/api/docs"
# Swagger UI's files this page uses, with their media types; nothing else is served.
SWAGGER_UI_FILES = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}
DOCS_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # Swagger UI sets style attributes
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
# The URL holds Swagger UI's version: a new version is a new URL, so browsers may keep a file.
ASSET_CACHE_CONTROL = "public, max-age=31536000, immutable"


@cache
def swagger_ui_version() -> str:
    """The version of the Swagger UI files installed (``dist/VERSION``, e.g. ``5.34.0``)."""
    text = (resources.files(SWAGGER_UI_PACKAGE) / "dist" / "VERSION").read_text(encoding="utf-8")
    return text.strip().removeprefix("v")


@cache
def swagger_ui_file(name: str) -> bytes:
    return (resources.files(SWAGGER_UI_PACKAGE) / "dist" / name).read_bytes()


def swagger_ui_url() -> str:
    """Where this app serves Swagger UI's files (the template appends file names)."""
    return f"{DOCS_PATH}/swagger-ui/{swagger_ui_version()}/"


def init_app(app: Flask) -> None:
    app.config["OPENAPI_SWAGGER_UI_PATH"] = "docs"
    app.config["OPENAPI_SWAGGER_UI_URL"] = swagger_ui_url()
    app.add_url_rule(
        f"{DOCS_PATH}/swagger-ui/<version>/<name>", "swagger_ui_file", serve_swagger_ui_file
    )
    app.add_url_rule("/", "root", redirect_to_docs)

    @app.after_request
    def protect_docs_page(response: Response) -> Response:
        if request.path == DOCS_PATH:
            response.headers["Content-Security-Policy"] = DOCS_CSP
            response.headers["X-Frame-Options"] = "DENY"
        return response


def serve_swagger_ui_file(version: str, name: str) -> Response:
    """One of Swagger UI's files, from the installed package; 404 for any other name."""
    if version != swagger_ui_version() or name not in SWAGGER_UI_FILES:
        abort(404)
    response = Response(swagger_ui_file(name), content_type=SWAGGER_UI_FILES[name])
    response.headers["Cache-Control"] = ASSET_CACHE_CONTROL
    return response


def redirect_to_docs() -> Response:
    """``GET /``: a person who opens the server's root URL lands on the documentation."""
    return redirect(DOCS_PATH, code=302)  # type: ignore[return-value]
