"""The API's index (``GET /api``): what this service is, and where everything is."""

from __future__ import annotations

from marshmallow import Schema, fields


class ApiLinksSchema(Schema):
    """Where the documentation, the spec, the health check and every part of the API are."""

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
    projects = fields.String(required=True, metadata={"description": "A page of projects."})
    search = fields.String(
        required=True, metadata={"description": "Full-text search (`?q=` is required)."}
    )
    tags = fields.String(required=True, metadata={"description": "Every tag of the posts."})
    rssFeed = fields.String(required=True, metadata={"description": "RSS 2.0 feed of the posts."})
    atomFeed = fields.String(required=True, metadata={"description": "Atom feed of the posts."})
    jsonFeed = fields.String(required=True, metadata={"description": "JSON Feed of the posts."})
    sitemap = fields.String(required=True, metadata={"description": "The sitemap (XML)."})
    events = fields.String(
        required=True,
        metadata={"description": "Content changes as Server-Sent Events (a stream)."},
    )
    locales = fields.String(
        required=True,
        metadata={"description": "The site's locales (none on a site of one language)."},
    )


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
