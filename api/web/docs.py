"""The interactive documentation page: Swagger UI, pinned, integrity-checked, under a strict CSP.

flask-smorest's own page runs an inline script; ours loads a local one, so the
Content-Security-Policy needs no ``'unsafe-inline'`` for scripts, and the CDN
files are pinned to one version with Subresource Integrity hashes.
"""

from __future__ import annotations

from flask import Flask, Response, request

SWAGGER_UI_VERSION = "5.35.0"
SWAGGER_UI_URL = f"https://cdn.jsdelivr.net/npm/swagger-ui-dist@{SWAGGER_UI_VERSION}/"
SWAGGER_UI_INTEGRITY = {  # sha384 of the files of swagger-ui-dist 5.35.0 on npm
    "css": "sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I",
    "bundle": "sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9",
}
DOCS_PATH = "/api/docs"
DOCS_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self' https://cdn.jsdelivr.net",
        "style-src https://cdn.jsdelivr.net 'unsafe-inline'",  # Swagger UI sets style attributes
        "img-src 'self' data: https://cdn.jsdelivr.net",
        "font-src https://cdn.jsdelivr.net",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)


def init_app(app: Flask) -> None:
    app.config["OPENAPI_SWAGGER_UI_PATH"] = "docs"
    app.config["OPENAPI_SWAGGER_UI_URL"] = SWAGGER_UI_URL
    app.jinja_env.globals["swagger_ui_integrity"] = SWAGGER_UI_INTEGRITY

    @app.after_request
    def protect_docs_page(response: Response) -> Response:
        if request.path == DOCS_PATH:
            response.headers["Content-Security-Policy"] = DOCS_CSP
            response.headers["X-Frame-Options"] = "DENY"
        return response
