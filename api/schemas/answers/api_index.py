"""The API's index (``GET /api``): what this service is, and where everything is."""

from __future__ import annotations

from marshmallow import Schema, fields


class ApiLinksSchema(Schema):
    """Where the documentation, the spec, the health check and each collection are."""

    docs = fields.String(
        required=True, metadata={"description": "Interactive documentation (Swagger UI)."}
    )
    openapi = fields.String(required=True, metadata={"description": "The OpenAPI document."})
    health = fields.String(required=True, metadata={"description": "Service health."})
    posts = fields.String(required=True, metadata={"description": "A page of posts."})
    recentPosts = fields.String(required=True, metadata={"description": "The newest posts."})
    authors = fields.String(required=True, metadata={"description": "A page of authors."})
    pages = fields.String(
        required=True, metadata={"description": "Every page's URL path (read one by `?path=`)."}
    )
    site = fields.String(required=True, metadata={"description": "Site configuration and style."})


class ApiIndexSchema(Schema):
    """The API's name and version, the content version it serves, and links to the rest."""

    name = fields.String(required=True, metadata={"example": "Content API"})
    version = fields.String(
        required=True, metadata={"description": "Version of the API (its OpenAPI document)."}
    )
    contentVersion = fields.String(
        required=True, metadata={"description": "Hash of the content, as `/healthz` reports it."}
    )
    links = fields.Nested(ApiLinksSchema, required=True)
